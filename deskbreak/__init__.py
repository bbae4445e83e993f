"""deskbreak: a light tray reminder to get up and stretch the lower back."""

__version__ = "0.1.0"
