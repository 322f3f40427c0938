"""Checks of the security domain."""
