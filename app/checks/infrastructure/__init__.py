"""Checks of the infrastructure domain."""
