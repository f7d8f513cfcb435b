"""Small immutable records."""

import attrs

__version__ = "0.1.0"

__all__ = ["__version__", "record", "replace"]


def record(cls):
    """Make cls a frozen, slotted record with keyword-only fields."""
    return attrs.frozen(kw_only=True)(cls)


replace = attrs.evolve
