"""Show which release a version number belongs to."""

from ._version import __version__

__all__ = ["__version__"]
