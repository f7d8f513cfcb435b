"""The alpha command of the mono repository."""

__version__ = "0.1.0"
