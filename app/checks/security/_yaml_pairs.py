"""The literal settings of YAML and JSON documents, read from PyYAML's node graph.

Apart from `_pairs` so that PyYAML (~15 ms to import) is loaded only when a YAML or JSON file is read.
"""

from __future__ import annotations

import re

import yaml

from app.checks.security._pairs import Pair

_STD_TAG = "tag:yaml.org,2002:"
_STR_TAG = _STD_TAG + "str"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ENV_ITEM = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*)=(.*)$", re.DOTALL)


def yaml_pairs(text: str, kind: str) -> list[Pair] | None:
    """Return the pairs of a YAML or JSON file, or None when it does not parse (templates, broken files)."""
    try:
        roots = list(yaml.compose_all(text, Loader=_LOADER))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    found: list[Pair] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ()) for root in roots if root is not None]
    while stack:
        node, parents = stack.pop()
        if id(node) in seen:
            continue  # aliases share nodes: visit each once, so an alias bomb stays linear
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(_mapping(node, parents, kind, found))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(_sequence(node, parents, kind, found))
    return sorted(found, key=lambda p: p.line)


def _scalar(node: yaml.Node) -> tuple[str, bool] | None:
    """Return a scalar's text and whether it is a string; None for other nodes and custom tags."""
    if not isinstance(node, yaml.ScalarNode) or not str(node.tag).startswith(_STD_TAG):
        return None  # `!vault`, `!Ref`, `!env`: encrypted or resolved elsewhere, never a literal
    if node.tag == _STD_TAG + "null":
        return None
    return str(node.value), node.tag == _STR_TAG


def _mapping(
    node: yaml.MappingNode, parents: tuple[str, ...], kind: str, found: list[Pair]
) -> list[tuple[yaml.Node, tuple[str, ...]]]:
    """Record a mapping's scalar items and return its children to visit."""
    children: list[tuple[yaml.Node, tuple[str, ...]]] = []
    scalars: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = _scalar(key_node)
        if key is None:
            continue
        scalars[key[0]] = value_node
        items = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for item in items:
            text = _scalar(item)
            if text is not None:
                found.append(Pair(item.start_mark.line + 1, key[0], text[0], text[1], id(node), kind, parents))
        children.append((value_node, (*parents, key[0])))
    # Kubernetes env lists: `- name: DB_PASSWORD` / `value: s3cret` is the pair DB_PASSWORD=s3cret.
    name_node, env_value = scalars.get("name"), scalars.get("value")
    name = _scalar(name_node) if name_node is not None else None
    text = _scalar(env_value) if env_value is not None else None
    if name is not None and text is not None and env_value is not None:
        found.append(Pair(env_value.start_mark.line + 1, name[0], text[0], text[1], id(node), kind, parents))
    return children


def _sequence(
    node: yaml.SequenceNode, parents: tuple[str, ...], kind: str, found: list[Pair]
) -> list[tuple[yaml.Node, tuple[str, ...]]]:
    """Record `KEY=value` items of a sequence (compose `environment:` lists) and return its children."""
    for item in node.value:
        text = _scalar(item)
        match = ENV_ITEM.match(text[0]) if text is not None and text[1] else None
        if match is not None:
            found.append(Pair(item.start_mark.line + 1, match[1], match[2], True, id(node), kind, parents))
    return [(item, parents) for item in node.value]
