"""Show how a URL is normalised before it is requested."""

from .__version__ import __version__

__all__ = ["__version__"]
