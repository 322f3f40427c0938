"""Checks of the performance domain."""
