"""Slash commands in pull request comments: `handle` runs them; parsing, permissions, escaping and texts beside it."""
