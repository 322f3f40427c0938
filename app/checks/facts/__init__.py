"""Extractors: per-file facts that repo checks and metrics read."""
