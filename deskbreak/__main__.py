"""Lets ``python -m deskbreak`` behave exactly like the console script."""

import sys

from deskbreak.cli import main

sys.exit(main())
