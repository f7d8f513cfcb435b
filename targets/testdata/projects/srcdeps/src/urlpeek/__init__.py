"""Show how a URL is normalised before it is requested."""

from .version import __version__

__all__ = ["__version__"]
