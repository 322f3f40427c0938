"""Checks of the docs domain."""
