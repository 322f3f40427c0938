"""Checks of the tests domain."""
