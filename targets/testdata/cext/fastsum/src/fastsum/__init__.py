"""Integer addition, in C."""

__version__ = "0.1.0"

from fastsum._speedups import add

__all__ = ["add"]
