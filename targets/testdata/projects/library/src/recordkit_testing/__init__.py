"""Helpers for testing code that uses recordkit."""

import attrs

import recordkit

__all__ = ["assert_records_equal"]


def assert_records_equal(a, b):
    """Fail with the differing fields when two records differ."""
    if a == b:
        return
    diff = {
        f.name: (getattr(a, f.name), getattr(b, f.name))
        for f in attrs.fields(type(a))
        if getattr(a, f.name) != getattr(b, f.name)
    }
    raise AssertionError(f"records differ (recordkit {recordkit.__version__}): {diff}")
