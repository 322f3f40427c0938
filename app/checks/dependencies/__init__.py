"""Checks of the dependencies domain."""
