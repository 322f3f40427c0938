"""Checks of the ci domain."""
