"""Line-aware YAML loading shared by the ci and infrastructure checks.

`ctx.yaml_documents` loses line numbers; findings must point at the offending key, so these
checks load YAML through a SafeLoader subclass that builds `YMap`/`YList` containers which
remember the 1-based line of each key and item. Parsing happens once per file and is shared
by every check through a cache keyed on the `FileContext`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.checks.base import FileContext, per_file, yaml_too_deep

if TYPE_CHECKING:
    import yaml

# Go or Jinja template markers; `${{` is a GitHub Actions expression, not a template.
_TEMPLATE_MARKER = re.compile(r"(?<!\$)\{\{|\{%")


class YMap(dict[Any, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """Return the 1-based line of a key, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line)

    def get_map(self, key: Any) -> YMap | None:
        """Return the value of a key when it is a mapping."""
        value = self.get(key)
        return value if isinstance(value, YMap) else None

    def get_list(self, key: Any) -> YList | None:
        """Return the value of a key when it is a sequence."""
        value = self.get(key)
        return value if isinstance(value, YList) else None

    def get_str(self, key: Any) -> str | None:
        """Return the value of a key when it is a string."""
        value = self.get(key)
        return value if isinstance(value, str) else None

    def is_true(self, key: Any) -> bool:
        """Return whether a key holds a literal true (a boolean or the string `true`)."""
        value = self.get(key)
        return value is True or (isinstance(value, str) and value.strip().lower() == "true")


class YList(list[Any]):
    """A YAML sequence that remembers its own line and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def maps(self) -> list[YMap]:
        """Return the items that are mappings."""
        return [item for item in self if isinstance(item, YMap)]


def _line(node: yaml.Node) -> int:
    """Return the 1-based line where a node starts."""
    return int(node.start_mark.line) + 1


def _hashable_key(key: Any, node: yaml.Node) -> Any:
    """Return a key usable in a dict; complex keys (lists, maps) become a placeholder string."""
    try:
        hash(key)
    except TypeError:
        return f"<complex key at line {_line(node)}>"
    return key


def _construct_map(loader: Any, node: yaml.MappingNode) -> Iterator[YMap]:
    """Build a YMap; yielding first lets recursive aliases resolve as in PyYAML's own constructor."""
    data = YMap(_line(node))
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = _hashable_key(loader.construct_object(key_node, deep=True), key_node)
        data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines[key] = _line(key_node)


def _construct_seq(loader: Any, node: yaml.SequenceNode) -> Iterator[YList]:
    """Build a YList, recording each item's line."""
    data = YList(_line(node))
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=False))
        data.item_lines.append(_line(child))


def _construct_plain_scalar(loader: Any, node: yaml.Node) -> str:
    """Keep a scalar as its text (timestamps that are not real dates must not abort the load)."""
    return str(loader.construct_scalar(node))


def _construct_unknown(loader: Any, _suffix: str, node: yaml.Node) -> Any:
    """Load custom tags (`!Ref`, `!reference`, `!!python/name:`) as plain data instead of failing."""
    import yaml  # loaded already: only a loader calls this

    if isinstance(node, yaml.MappingNode):
        return _construct_map(loader, node)
    if isinstance(node, yaml.SequenceNode):
        return _construct_seq(loader, node)
    return _construct_plain_scalar(loader, node)


@functools.cache
def _line_loader() -> type[Any]:
    """Return the line-aware loader class, made once on first use."""
    # Made here, not at import: a change with no YAML file never needs PyYAML (~15 ms to import).
    try:  # libyaml's parser is several times faster and gives the same nodes and marks
        from yaml import CSafeLoader as _BaseLoader
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    class LineLoader(_BaseLoader):
        """A safe loader that builds YMap/YList with line numbers and tolerates custom tags."""

    LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
    LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_plain_scalar)
    LineLoader.add_multi_constructor("", _construct_unknown)
    return LineLoader


@dataclass(frozen=True)
class YamlParse:
    """The documents of a YAML file, or why it does not parse and where."""

    documents: tuple[Any, ...]
    error: str | None = None
    error_line: int = 0


@per_file
def parse(ctx: FileContext) -> YamlParse:
    """Return the file's YAML documents with line numbers, parsed once per file (JSON is YAML too)."""
    # JSON allows tabs wherever it allows spaces, YAML nowhere it indents; in valid JSON a raw tab is
    # never inside a string, so this keeps every value and line.
    return parse_text(ctx.text.replace("\t", " ") if ctx.kind == "json" else ctx.text)


def parse_text(text: str) -> YamlParse:
    """Parse YAML text into line-aware documents; a parse failure is data, never an exception."""
    if yaml_too_deep(text):
        return YamlParse((), "nested too deeply to parse safely")
    import yaml  # imported on first use, as in _line_loader

    loader: Any = _line_loader()(text)
    docs: list[Any] = []
    try:
        while loader.check_data():
            doc = loader.get_data()
            if doc is not None:
                docs.append(doc)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or type(exc).__name__
        return YamlParse((), str(problem), int(mark.line) + 1 if mark is not None else 0)
    except yaml.YAMLError as exc:
        return YamlParse((), type(exc).__name__)
    except RecursionError:
        return YamlParse((), "nested too deeply to parse")
    except (ValueError, TypeError, OverflowError) as exc:
        return YamlParse((), f"value cannot be loaded ({type(exc).__name__})")
    finally:
        loader.dispose()
    return YamlParse(tuple(docs))


def mappings(ctx: FileContext) -> list[YMap]:
    """Return the file's documents that are mappings (nothing when it does not parse)."""
    return [doc for doc in parse(ctx).documents if isinstance(doc, YMap)]


def looks_templated(text: str) -> bool:
    """Return whether text holds Go or Jinja template markers (Helm, Ansible), not Actions `${{`."""
    return _TEMPLATE_MARKER.search(text) is not None


def is_chart_template(ctx: FileContext) -> bool:
    """Return whether a file is a templated chart file (under `templates/`, with template markers)."""
    return "/templates/" in f"/{ctx.path}" and looks_templated(ctx.text)
