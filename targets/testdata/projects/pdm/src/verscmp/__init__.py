"""Compare two version numbers the way pip does."""
