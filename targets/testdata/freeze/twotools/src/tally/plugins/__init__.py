"""Plugins, found by name at run time."""
