"""Check whether a version satisfies a specifier."""

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from ._version import __version__

__all__ = ["__version__", "matches"]


def matches(specifier: str, version: str) -> bool:
    """Whether version is allowed by specifier, pre-releases included."""
    return SpecifierSet(specifier).contains(Version(version), prereleases=True)
