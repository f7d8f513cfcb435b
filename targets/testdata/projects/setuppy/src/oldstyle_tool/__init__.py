"""A small greeting tool packaged with setup.py and setup.cfg."""

__version__ = "0.1.0"
