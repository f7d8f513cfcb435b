"""Says hello; its version comes from git tags."""

from ._version import __version__

__all__ = ["__version__"]
