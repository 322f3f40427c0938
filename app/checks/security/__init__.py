"""Checks of the security domain."""

# The checks whose findings are committed secrets: removing one fixes the code, not the leak.
SECRET_RULES = frozenset({"SEC001", "SEC002", "SEC003", "SEC009", "SEC010"})
