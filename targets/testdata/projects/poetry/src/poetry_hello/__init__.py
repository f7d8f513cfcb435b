"""Says hello."""
