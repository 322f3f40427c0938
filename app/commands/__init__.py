"""Slash commands in pull request comments: parsing, permissions, acceptances, replies."""
