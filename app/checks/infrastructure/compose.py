"""docker-compose files: recognise them by name and list their services."""

from __future__ import annotations

from app.checks.base import FileContext
from app.checks.infrastructure.yaml_tree import YMap, mappings

# The names Compose looks for, with their override and per-environment variants.
_COMPOSE_PREFIXES = ("docker-compose", "compose")


def is_compose_file(ctx: FileContext) -> bool:
    """Return whether a YAML file is a docker-compose file, by its name."""
    return ctx.kind == "yaml" and ctx.name.lower().startswith(_COMPOSE_PREFIXES)


def services(ctx: FileContext) -> list[tuple[str, YMap]]:
    """Return the (name, definition) of every service; version-1 files list services at the top."""
    if not is_compose_file(ctx):
        return []
    found: list[tuple[str, YMap]] = []
    for doc in mappings(ctx):
        table = doc.get_map("services")
        if table is None and "version" not in doc:
            table = doc  # version 1: services are the top-level keys
        for name, service in (table or {}).items():
            if isinstance(service, YMap) and ("image" in service or "build" in service or table is not doc):
                found.append((str(name), service))
    return found
