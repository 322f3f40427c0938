"""Metric `readme`: the repository has a README that says how to install and how to use it."""

from __future__ import annotations

from app.checks.base import Metric, MetricUnit, RepoView
from app.checks.facts.readme_sections import KEY as SECTIONS
from app.checks.facts.readme_sections import README
from app.engine.model import Domain

DESCRIPTION = """\
A checklist of three units, counted when the repository holds any code or documentation:

- `README exists`: a file named `README` (any case; `.md`, `.rst`, `.txt` or no extension) at the
  root, or else in `.github/` or `docs/`, where GitHub also looks for one;
- `README has an install section`: a heading such as Installation, Install, Setup, How to use,
  Development or Running locally, or a setup command in a code block (`pip install`, `uv sync`,
  `poetry install`, `npm ci`, `git clone`, `docker compose up`, `make install`, ...);
- `README has a usage section`: a heading such as Usage, Examples, How to use, Run or Configure, a
  run command in a code block (`uv run`, `python -m`, `npm start`, `docker compose up`, `make test`,
  ...), or a Python example (a `python` or `pycon` block, `>>>` lines).

A "Getting started" or "Quick start" section counts for both: it walks through installing and using.
So a README that still explains setup keeps the units when one heading goes (an optional tool's
"Install X" sub-section, say). Code blocks are Markdown fences, reStructuredText `code-block`
directives and `::` literal blocks, and lines after a `$ ` prompt; prose never counts as a command.

Headings are matched case-insensitively at any level: Markdown `#` and underlined headings, HTML
`<h2>`, a line in bold on its own, reStructuredText titles, and short plain-text lines such as
`Installation:` or `USAGE`. Headings inside fenced code do not count.

The units belong to the README's path (`README.md` when there is none), so a pull request that
deletes the README or its install or usage section owns the drop. When the README exists but could
not be read (over 1 MB, excluded by the policy), only its existence is counted."""

DOC_DIRS = ("", ".github/", "docs/")
SUFFIX_ORDER = (".md", ".markdown", ".rst", ".txt", "")
DEFAULT_PATH = "README.md"
CODE_OR_DOCS = (
    ".py", ".pyi", ".md", ".markdown", ".rst", ".txt", ".ipynb", ".js", ".jsx", ".ts", ".tsx", ".go",
    ".rs", ".java", ".kt", ".scala", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".rb", ".php", ".swift",
    ".sh", ".lua", ".r", ".jl", ".ex", ".exs", ".erl", ".hs", ".ml", ".clj", ".dart", ".m", ".sql",
)
EXISTS = "README exists"
INSTALL = "README has an install section"
USAGE = "README has a usage section"


def units(view: RepoView) -> list[MetricUnit]:
    """Return the README checklist, or nothing when the repository has no code or documentation."""
    if not any(path.lower().endswith(CODE_OR_DOCS) for path in view.all_paths):
        return []
    path = find_readme(view.all_paths)
    if path is None:
        return [MetricUnit(DEFAULT_PATH, label, False) for label in (EXISTS, INSTALL, USAGE)]
    sections = view.data(path, SECTIONS)
    if not isinstance(sections, dict):
        return [MetricUnit(path, EXISTS, True)]
    return [
        MetricUnit(path, EXISTS, True),
        MetricUnit(path, INSTALL, bool(sections.get("install"))),
        MetricUnit(path, USAGE, bool(sections.get("usage"))),
    ]


def find_readme(paths: frozenset[str]) -> str | None:
    """Return the README a visitor sees first: the root one, else `.github/` or `docs/`."""
    for directory in DOC_DIRS:
        names = [p for p in paths if p.startswith(directory) and "/" not in p[len(directory):]]
        candidates = [p for p in names if README.match(p[len(directory):])]
        if candidates:
            return min(candidates, key=_preference)
    return None


def _preference(path: str) -> tuple[int, str]:
    """Rank README variants: Markdown first, then reStructuredText, text and no extension."""
    name = path.rsplit("/", 1)[-1].lower()
    suffix = name[len("readme"):]
    rank = SUFFIX_ORDER.index(suffix) if suffix in SUFFIX_ORDER else len(SUFFIX_ORDER)
    return rank, path


METRIC = Metric("readme", Domain.DOCS, 20.0, DESCRIPTION, units, bad_unit="not met: {label} ({path})")
