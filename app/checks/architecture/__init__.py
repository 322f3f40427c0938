"""Checks of the architecture domain."""
