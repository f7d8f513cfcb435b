"""greet: says hello."""

from greet.version import VERSION

__version__ = VERSION
