"""Count words, and say what the build put in."""

from .version import __version__

__all__ = ["__version__"]
