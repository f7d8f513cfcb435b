"""A toy task queue."""
