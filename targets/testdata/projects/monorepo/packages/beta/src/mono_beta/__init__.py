"""The beta library of the mono repository."""

__version__ = "0.1.0"

__all__ = ["__version__", "shout"]


def shout(text: str) -> str:
    """Return text in capitals with an exclamation mark."""
    return text.upper() + "!"
