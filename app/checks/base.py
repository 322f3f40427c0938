"""What a check is: file checks read one file, repo checks read every file's facts."""

from __future__ import annotations

import ast
import fnmatch
import functools
import io
import operator
import re
import tokenize
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from app.checks.reads import KIND, note
from app.engine.model import Domain, FileFacts, RawFinding, Rule, Severity
from config.policy import Policy

if TYPE_CHECKING:
    import configparser

N = TypeVar("N", bound=ast.AST)

# File kinds, decided by path alone (see `classify`).
PYTHON = frozenset({"python"})
YAML_KINDS = frozenset({"yaml", "workflow"})
WORKFLOW = frozenset({"workflow"})
DOCKERFILE = frozenset({"dockerfile"})
MARKDOWN = frozenset({"markdown"})
ANY_TEXT = frozenset(
    {"python", "yaml", "workflow", "dockerfile", "markdown", "toml", "json", "env", "requirements", "text"}
)


def classify(path: str) -> str:
    """Return the kind of a file from its path."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower.endswith((".py", ".pyi")):
        return "python"
    if path.startswith(".github/workflows/") and lower.endswith((".yml", ".yaml")):
        return "workflow"
    if lower.endswith((".yml", ".yaml")):
        return "yaml"
    if lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
        return "dockerfile"
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    if lower.endswith(".toml"):
        return "toml"
    if lower.endswith(".json"):
        return "json"
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        return "env"
    if lower.startswith("requirements") and lower.endswith((".txt", ".in")):
        return "requirements"
    return "text"


def rule(code: str, name: str, domain: Domain, severity: Severity, doc: str | None, *, setting: bool = False,
         scoped: bool = False, shared: bool = False) -> Rule:
    """Build a check's rule from its module docstring (`setting`, `scoped`, `shared`: see `Rule`)."""
    if not doc:
        raise ValueError(f"{code} has no documentation")
    return Rule(code=code, name=name, domain=domain, severity=severity, doc=doc.strip(), setting=setting,
                scoped=scoped, shared=shared)


class FileContext:
    """One file's text and lazily parsed forms, shared by every check that reads it."""

    def __init__(self, path: str, text: str, kind: str | None = None) -> None:
        self.path = path
        self.text = text
        self.kind = kind or classify(path)
        self.lines = text.splitlines()
        self._by_kind: dict[type[ast.AST], list[ast.AST]] = {}
        self._sorted: set[type[ast.AST]] = set()

    @property
    def name(self) -> str:
        """Return the file's base name."""
        return self.path.rsplit("/", 1)[-1]

    @functools.cached_property
    def _parsed(self) -> tuple[ast.Module | None, str | None]:
        """Parse the file once: the tree, or None and why it does not parse."""
        if self.kind != "python":
            return None, None
        try:
            return ast.parse(self.text, filename=self.path), None
        except SyntaxError as exc:
            return None, f"line {exc.lineno}: {exc.msg}"
        except (ValueError, RecursionError, MemoryError) as exc:
            return None, type(exc).__name__

    @property
    def tree(self) -> ast.Module | None:
        """Return the Python syntax tree, or None when the file is not Python or does not parse."""
        return self._parsed[0]

    @property
    def syntax_error(self) -> str | None:
        """Return why a Python file does not parse, or None."""
        return self._parsed[1]

    @functools.cached_property
    def _index(self) -> tuple[dict[type[ast.AST], list[ast.AST]], dict[ast.AST, ast.AST]]:
        """Walk the tree once, recording every node by type (in walk order) and every node's parent."""
        index: dict[type[ast.AST], list[ast.AST]] = {}
        parents: dict[ast.AST, ast.AST] = {}  # keyed by the node itself: nodes hash by identity, no id() call
        stack: list[ast.AST] = [self.tree] if self.tree is not None else []
        push = stack.append
        node_type = ast.AST
        # `ast.iter_child_nodes` inlined: its generators cost about 40% of a large tree's walk.
        while stack:
            node = stack.pop()
            kind = type(node)
            same_kind = index.get(kind)
            if same_kind is None:
                index[kind] = [node]
            else:
                same_kind.append(node)
            fields = _CHILD_FIELDS.get(kind)
            if fields is None:
                fields = _child_fields(kind)
            for field_name in fields:
                value = getattr(node, field_name, None)
                if type(value) is list:  # the parser builds plain lists: cheaper than isinstance
                    for item in value:
                        if isinstance(item, node_type):
                            parents[item] = node
                            push(item)
                elif isinstance(value, node_type):
                    parents[value] = node
                    push(value)
        return index, parents

    def nodes(self, kind: type[N]) -> list[N]:
        """Return every node of one type in source order, from a single walk shared by all checks.

        The context and operator singletons (`ast.Load`, `ast.Add`, ...) are not indexed: see `LEAF_FIELDS`.
        """
        cached = self._by_kind.get(kind)
        if cached is None:
            # Each type's list is put in source order when first asked for: most types never are.
            matching = [self._in_source_order(t) for t in self._index[0] if issubclass(t, kind)]
            if len(matching) == 1:
                cached = matching[0]  # the usual case, a concrete node type: its list is already in order
            else:
                cached = [n for ns in matching for n in ns]
                if len(matching) > 1:
                    cached.sort(key=_position)
            self._by_kind[kind] = cached
        return list(cached)  # type: ignore[arg-type]

    def nodes_where(self, kind: type[N], keep: Callable[[N], bool]) -> list[N]:
        """Return the nodes of one type that `keep` accepts, in source order: `nodes(kind)` filtered.

        For a type with many nodes of which few are kept (names, constants, attributes), only the kept
        ones are sorted, not the whole list. A stable sort of the kept nodes gives the same order as
        filtering the sorted list: ties keep the walk's order either way.
        """
        index = self._index[0]
        if kind in self._sorted or any(issubclass(t, kind) and t is not kind for t in index):
            return [n for n in self.nodes(kind) if keep(n)]
        walked: list[N] = index.get(kind, [])  # type: ignore[assignment]
        kept = [n for n in walked if keep(n)]
        _sort_by_position(kind, kept)
        return kept

    def _in_source_order(self, kind: type[ast.AST]) -> list[ast.AST]:
        """Return one type's walked nodes, sorted by position in place the first time (ties keep the walk's order)."""
        nodes = self._index[0][kind]
        if kind not in self._sorted:
            _sort_by_position(kind, nodes)
            self._sorted.add(kind)
        return nodes

    def parent(self, node: ast.AST) -> ast.AST | None:
        """Return a node's parent in the tree."""
        return self._index[1].get(node)

    def ancestors(self, node: ast.AST) -> Iterable[ast.AST]:
        """Yield a node's ancestors, nearest first."""
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

    @functools.cached_property
    def yaml_documents(self) -> list[Any]:
        """Return the YAML documents of the file (safe loader); raise yaml.YAMLError if it does not parse."""
        import yaml  # imported on first use: a change with no YAML file never needs PyYAML, ~15 ms to import

        if yaml_too_deep(self.text):
            raise yaml.YAMLError("nested too deeply to parse safely")
        try:
            return [doc for doc in yaml.safe_load_all(self.text) if doc is not None]
        except RecursionError:
            raise yaml.YAMLError("nested too deeply to parse") from None

    @functools.cached_property
    def ini_config(self) -> configparser.ConfigParser | None:
        """Return the file read as INI (setup.cfg, tox.ini; no interpolation, repeats allowed), or None if unparsable.

        Read once per file for every extractor that asks (setup.cfg declares both dependencies and packages).
        """
        import configparser  # imported on first use: only setup.cfg and tox.ini need it

        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(self.text)
        except (configparser.Error, RecursionError):
            return None
        return parser

    @functools.cached_property
    def comments(self) -> dict[int, str]:
        """Return Python comments by line number (empty when the file does not tokenize)."""
        found: dict[int, str] = {}
        try:
            for tok in tokenize.generate_tokens(io.StringIO(self.text).readline):
                if tok.type == tokenize.COMMENT:
                    found[tok.start[0]] = tok.string
        except (tokenize.TokenError, SyntaxError, IndentationError):
            pass
        return found

    def line_text(self, line: int) -> str:
        """Return the text of a 1-based line, or an empty string."""
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def code_text(self, line: int) -> str:
        """Return a line's code for a fingerprint: a Python line loses its trailing comment.

        A suppression rewritten (`# noqa: T201` to `# ruff: ignore[print]`) or a note added beside the
        code does not make the finding on that line new.
        """
        text = self.line_text(line)
        return without_comment(text) if self.kind == "python" else text


def without_comment(line: str) -> str:
    """Return one Python line without its trailing comment: from the first `#` outside a string literal.

    Read from the line's start alone, so a line inside a multi-line string may lose text after a `#`;
    the same line always gives the same code, which is what a fingerprint needs.
    """
    if "#" not in line:
        return line
    quote, index = "", 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if line.startswith(quote, index):
                index, quote = index + len(quote), ""
                continue
        elif char in "'\"":
            quote = line[index:index + 3] if line[index:index + 3] in ('"""', "'''") else char
            index += len(quote)
            continue
        elif char == "#":
            return line[:index].rstrip()
        index += 1
    return line


T = TypeVar("T")


def per_file(compute: Callable[[FileContext], T]) -> Callable[[FileContext], T]:
    """Wrap a function of a file so it runs once per file for every check that asks; the cache dies with the file."""
    cache: weakref.WeakKeyDictionary[FileContext, T] = weakref.WeakKeyDictionary()

    @functools.wraps(compute)
    def cached(ctx: FileContext) -> T:
        if ctx not in cache:
            cache[ctx] = compute(ctx)
        return cache[ctx]

    return cached


_BY_POSITION = operator.attrgetter("lineno", "col_offset")

# Fields that never hold a node `FileContext.nodes` indexes: names, numbers, flags, and the context and
# operator singletons (one shared `ast.Load`, `ast.Add`, `ast.Eq` object per tree, without a position,
# that no check looks up). Skipping them spares the walk about a third of its nodes.
LEAF_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "asname", "module", "level", "kind", "type_comment", "conversion",
     "is_async", "simple", "tag"}
)
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    """Return (and remember) the fields of a node type that may hold child nodes."""
    fields = tuple(name for name in kind._fields if name not in LEAF_FIELDS)
    _CHILD_FIELDS[kind] = fields
    return fields


def _sort_by_position(kind: type[ast.AST], nodes: list[N]) -> None:
    """Sort nodes of one type by position, in place; ties, and types without positions, keep their order."""
    if "lineno" not in kind._attributes:
        return  # arguments, comprehensions: the walk's order
    try:
        nodes.sort(key=_BY_POSITION)
    except AttributeError:  # a node built without a position
        nodes.sort(key=_position)


def _position(node: ast.AST) -> tuple[int, int]:
    """Return a node's source position, for a stable, source-ordered list."""
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


FileFinder = Callable[[FileContext], Iterable[RawFinding]]


@dataclass(frozen=True)
class FileCheck:
    """A check that reads one file at a time; its results are cached by blob SHA."""

    rule: Rule
    kinds: frozenset[str]
    find: FileFinder
    # Heuristic checks skip generated files (nobody writes a generator's output by hand); checks that
    # are precise (parse errors, provider tokens, keys) or guard secrets judge them too.
    judges_generated: bool = False


@dataclass(frozen=True)
class Extractor:
    """Collects JSON-able facts from one file for repo checks and metrics (cached like findings)."""

    key: str
    kinds: frozenset[str]
    extract: Callable[[FileContext], Any]


@dataclass(frozen=True)
class RepoFinding:
    """A finding a repo check reports, located in one file."""

    path: str
    finding: RawFinding


@dataclass(frozen=True)
class Environment:
    """A Python environment committed in the tree: its folder ("" for the root), marker file and size."""

    root: str
    marker: str  # the `pyvenv.cfg`, or the first file found under `site-packages`
    files: int


@dataclass
class RepoView:
    """Everything a repo check or metric may read about one snapshot.

    Installed trees (committed environments, `node_modules`) are in neither `files` nor `all_paths`;
    `environments` names the committed Python environments.
    """

    files: Mapping[str, FileFacts]
    all_paths: frozenset[str]
    policy: Policy
    environments: tuple[Environment, ...] = ()
    symlinks: Mapping[str, str] = field(default_factory=dict)  # link path -> the repository path it names
    _tests: dict[str, bool] = field(default_factory=dict)
    _python: list[FileFacts] | None = None

    def is_test(self, path: str) -> bool:
        """Return whether a path is a test file under the policy's test globs."""
        cached = self._tests.get(path)
        if cached is None:
            cached = matches_any(path, self.policy.paths.tests)
            self._tests[path] = cached
        return cached

    def python_files(self) -> list[FileFacts]:
        """Return the facts of every Python file, in path order (listed once per view)."""
        if self._python is None:
            self._python = [f for p, f in sorted(self.files.items()) if f.kind == "python"]
        note(KIND)  # each caller depends on the kinds, though only the first one lists them
        return list(self._python)

    def data(self, path: str, key: str, default: Any = None) -> Any:
        """Return one extractor's data for a file."""
        facts = self.files.get(path)
        return default if facts is None else facts.data.get(key, default)


RepoFinder = Callable[[RepoView], Iterable[RepoFinding]]


@dataclass(frozen=True)
class RepoCheck:
    """A check over the whole snapshot, built from the per-file facts (never from file text)."""

    rule: Rule
    find: RepoFinder


@dataclass(frozen=True)
class MetricUnit:
    """One thing a ratio or checklist metric counts: good or bad, with the file that decides it."""

    path: str
    label: str
    good: bool

    @property
    def unit_id(self) -> str:
        """Return the identity used to match the unit between base and head."""
        return f"{self.path}::{self.label}"


RATIO = "ratio"
CHECKLIST = "checklist"


@dataclass(frozen=True)
class Metric:
    """A ratio or checklist metric of one domain, worth up to `points` of its score."""

    name: str
    domain: Domain
    points: float
    description: str
    units: Callable[[RepoView], list[MetricUnit]]
    on_loss: str = ""  # what the gate reason adds when a PR lowers the metric (how to accept a deliberate loss)

    # "ratio" metrics are judged like patch coverage (the ratio over the PR's units against the base's);
    # "checklist" metrics are capabilities, and losing one the base had is a regression.
    kind: str = CHECKLIST
    # How a bad unit reads to a person: a template over {path} and {label}, and a plural noun phrase.
    bad_unit: str = ""
    bad_plural: str = ""
    good_unit: str = ""  # how a unit the PR fixed reads, over the same placeholders

    def describe_bad(self, unit: MetricUnit) -> str:
        """Return how a bad unit of this metric reads in a report, e.g. "`src/auth.py` has no test".

        `{path}` and `{name}` (the label as code) become Markdown code spans, `{label}` stays plain.
        """
        template = self.bad_unit or ("not met: {label}" if self.kind == CHECKLIST else "{path}: {label} is missing")
        return template.format(path=code_span(unit.path), name=code_span(unit.label), label=unit.label)

    def describe_fixed(self, unit: MetricUnit) -> str:
        """Return how a unit the PR fixed reads in a report, e.g. "`src/auth.py` now has a test"."""
        template = self.good_unit or "now met: {label}"
        return template.format(path=code_span(unit.path), name=code_span(unit.label), label=unit.label)

    def count_bad(self, count: int) -> str:
        """Return how several bad units read in a report, e.g. "3 modules without a test"."""
        noun = self.bad_plural or f"{self.name.replace('-', ' ')} units lost"
        return f"{count} {noun}"


def code_span(text: str) -> str:
    """Return text as one inline code span that no backtick or line break in it can close or split."""
    flat = " ".join(text.split("\n"))
    fence = "`" * (_longest_backtick_run(flat) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _longest_backtick_run(text: str) -> int:
    """Return the length of the longest run of backticks in text."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    """Return whether a path matches any glob, where `**/` also matches no directory."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(path, pattern):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:]):
            return True
    return False


MAX_YAML_DEPTH = 100


def yaml_too_deep(text: str) -> bool:
    """Return whether YAML text may nest deeper than libyaml survives (it crashes the process, not raises).

    A cheap over-estimate: flow brackets open at once, compact `- `/`? ` markers on one line, or
    indentation wider than any real file uses.
    """
    # Each test below first asks the whole text whether it can be true at all: the usual answer is no,
    # and then no character or line needs visiting one by one.
    if text.count("[") + text.count("{") > MAX_YAML_DEPTH:
        depth = 0
        for char in _BRACKETS.findall(text):
            if char in "[{":
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return True
            elif depth:
                depth -= 1
    if " " * (8 * MAX_YAML_DEPTH + 1) not in text and text.count("- ") + text.count("? ") <= MAX_YAML_DEPTH:
        return False
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) > 8 * MAX_YAML_DEPTH:
            return True
        if stripped.count("- ") + stripped.count("? ") > MAX_YAML_DEPTH:
            return True
    return False


_BRACKETS = re.compile(r"[\[\]{}]")
