"""Checks of the quality domain."""
