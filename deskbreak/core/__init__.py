"""Pure decision logic: no threads, no I/O, no clocks of its own.

Everything here takes times and events and returns decisions, so a whole working day
can be simulated in a test by feeding it numbers.
"""
