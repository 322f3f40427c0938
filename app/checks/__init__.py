"""Verity checks: one module per check, all listed in `app.checks.registry`."""
