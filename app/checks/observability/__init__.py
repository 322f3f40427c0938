"""Checks of the observability domain."""
