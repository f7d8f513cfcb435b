"""Parse and print points on the plane."""

__version__ = "0.1.0"
