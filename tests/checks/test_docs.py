"""Docs domain: DOC001, the `markdown.links`, `python.docstrings` and `docs.readme` extractors and both metrics."""

from __future__ import annotations

import textwrap

import pytest

from app.checks.base import FileContext, MetricUnit
from app.checks.docs.readme import EXISTS, INSTALL, USAGE
from app.checks.facts import (
    doc_labels,
    markdown_links,
    python_docstrings,
    python_exports,
    python_imports,
    readme_sections,
)
from app.engine.cache import MemoryFactsCache
from app.engine.facts import analyse_text
from app.engine.model import Domain
from app.engine.report import REGRESSED
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import domain, run_audit
from tests.helpers import metric_units, repo_findings


def links(text: str) -> list[list[int | str]]:
    """Return the relative links the extractor keeps from a dedented Markdown text."""
    return markdown_links.extract(FileContext("docs/page.md", textwrap.dedent(text)))


def broken(files: dict[str, str]) -> list[tuple[str, int]]:
    """Return (path, line) of every DOC001 finding over in-memory files."""
    return [(path, f.line) for path, f in repo_findings(files, "DOC001")]


# --- markdown.links ---------------------------------------------------------------------------------


def test_links_of_every_form_are_extracted() -> None:
    text = """\
    See [guide](guide.md "Guide") and ![logo](img/logo.png).
    [![badge](badge.svg)](status.md#today)
    <img src="shot.png" alt="x"> <a href='../CONTRIBUTING.md'>contribute</a>
    [spaced](<my file.md>)

    [ref]: ref/target.md "title"
    """
    assert links(text) == [
        [1, "guide.md"],
        [1, "img/logo.png"],
        [2, "badge.svg"],
        [2, "status.md#today"],
        [3, "shot.png"],
        [3, "../CONTRIBUTING.md"],
        [4, "my file.md"],
        [6, "ref/target.md"],
    ]


def test_urls_anchors_site_paths_and_templates_are_dropped() -> None:
    text = """\
    [a](https://example.com/x.md) [b](mailto:me@example.com) [c](#usage) [d](/docs/x.md)
    [e](//cdn.example.com/x.js) [f]({{ site.baseurl }}/x.md) [g](?tab=readme) [h](${URL})
    [^1]: a footnote, not a link definition
    """
    assert links(text) == []


def test_code_comments_and_inline_code_are_not_prose() -> None:
    text = """\
    ```python
    handlers[name](event)
    ```
    ~~~~
    [in](tilde.md)
    ~~~~
    Use `[x](inline.md)` literally. <!-- [hidden](old.md)
    still [hidden](older.md) --> but [kept](kept.md)

        indented[code](block.md)
    - [listed](listed.md)
    """
    assert links(text) == [[8, "kept.md"], [11, "listed.md"]]


# --- DOC001 broken-relative-link ----------------------------------------------------------------------

README_LINKS = """\
# Project

Read the [guide](docs/guide.md), the [API](docs/api.md) and ![diagram](docs/img/flow.png).
Browse [the docs folder](docs/) or [the changelog](./CHANGELOG.md#v2) or [space](docs/my%20notes.md).
Docs sites link pages without suffix: [intro](docs/intro). Escaping the root: [issues](../../issues).
Built pages are not judged: [reference](docs/_build/index.html).

[missing-ref]: docs/removed.md
[present-ref]: docs/guide.md
"""


def test_broken_relative_links_are_flagged_with_their_lines() -> None:
    files = {
        "README.md": README_LINKS,
        "docs/guide.md": "# Guide\n[back](../README.md) [sibling](api.md)\n",
        "docs/intro.md": "# Intro\n",
        "docs/my notes.md": "notes\n",
        "CHANGELOG.md": "# Changes\n",
    }
    assert broken(files) == [("README.md", 3), ("README.md", 3), ("README.md", 8), ("docs/guide.md", 2)]



def test_links_to_sphinx_labels_are_references_not_paths() -> None:
    # wagtail a27ba8008d: MyST docs link to labels (`[](api_v3)`, `[the guide](api_v3_reference)`).
    files = {
        "docs/api/index.md": "(api_v3)=\n\n# API v3\n",
        "docs/api/reference.rst": ".. _API_v3_Reference:\n\nReference\n=========\n",
        "docs/api/pages.md": "See [](api_v3) and [the reference](api_v3_reference#pages).\n"
                             "Also [missing](api_v4) and [a file](api_v3/setup.md).\n",
    }
    assert broken(files) == [("docs/api/pages.md", 2), ("docs/api/pages.md", 2)]
    assert doc_labels.extract(FileContext("docs/a.md", "(x)=\n# X\n\n(not a label) = 1\n")) == ["x"]
    assert doc_labels.extract(FileContext("docs/a.txt", ".. _x:\n")) is None

def test_finding_message_and_fingerprint_text_name_the_target() -> None:
    found = repo_findings({"README.md": "[guide](docs/guide.md)\n"}, "DOC001")
    assert [(p, f.line, f.snippet) for p, f in found] == [("README.md", 1, "link:docs/guide.md")]
    assert "docs/guide.md" in found[0][1].message


def test_links_that_all_resolve_are_clean() -> None:
    files = {
        "README.md": "[guide](docs/guide.md) [dir](docs) ![img](docs/a.png) [sub](vendor-lib/README.md)\n",
        "docs/guide.md": "[home](../README.md)\n",
        "docs/a.png": "",
        "vendor-lib": "",  # a submodule: a tree entry whose contents this commit does not hold
    }
    assert broken(files) == []


@pytest.mark.parametrize(
    "path",
    [".github/ISSUE_TEMPLATE/bug.md", ".github/pull_request_template.md", "node_modules/lib/README.md"],
)
def test_templates_and_vendored_markdown_are_not_judged(path: str) -> None:
    assert broken({path: "[missing](missing.md)\n"}) == []


# --- python.docstrings and docstring-coverage -------------------------------------------------------

MODULE = '''\
"""Billing."""
from typing import overload


def charge(amount):
    """Charge an amount."""


def refund(amount):
    return amount


def _helper():
    pass


class Invoice:
    """An invoice."""

    def __init__(self):
        pass

    @property
    def total(self):
        """The total."""
        return 1

    @total.setter
    def total(self, value):
        pass

    @overload
    def pay(self, x: int) -> int: ...
    @overload
    def pay(self, x: str) -> str: ...
    def pay(self, x):
        return x

    class Meta:
        ordering = ["id"]


class _Private:
    def method(self):
        pass


try:
    from fast import speedup
except ImportError:
    def speedup(x):
        """Fall back to Python."""
        return x
'''


def test_docstrings_extractor_lists_public_definitions() -> None:
    assert python_docstrings.extract(FileContext("billing/core.py", MODULE)) == [
        ["charge", True],
        ["refund", False],
        ["Invoice", True],
        ["Invoice.total", True],
        ["Invoice.pay", False],
        ["speedup", True],
    ]


def test_docstring_coverage_counts_public_definitions_of_source_files() -> None:
    files = {
        "billing/core.py": MODULE,
        "billing/_internal.py": "def undocumented():\n    pass\n",
        "tests/test_core.py": "def test_x():\n    pass\n",
        "billing/core.pyi": "def charge(amount: int) -> None: ...\n",
        "billing/migrations/0001_initial.py": "class Migration:\n    pass\n",
        "billing/api.py": '"""Tokens generated by the server."""\ndef handler(event):\n    pass\n',
        "billing/client.py": "# Generated by OpenAPI Generator: do not edit.\ndef call():\n    pass\n",
    }
    assert metric_units(files, "docstring-coverage") == [
        MetricUnit("billing/api.py", "handler", False),
        MetricUnit("billing/core.py", "charge", True),
        MetricUnit("billing/core.py", "refund", False),
        MetricUnit("billing/core.py", "Invoice", True),
        MetricUnit("billing/core.py", "Invoice.total", True),
        MetricUnit("billing/core.py", "Invoice.pay", False),
        MetricUnit("billing/core.py", "speedup", True),
    ]


def test_a_name_defined_twice_is_one_unit_good_when_either_is_documented() -> None:
    source = 'if X:\n    def f():\n        """Doc."""\nelse:\n    def f():\n        pass\n'
    assert metric_units({"pkg/m.py": source}, "docstring-coverage") == [MetricUnit("pkg/m.py", "f", True)]


def test_a_file_that_does_not_parse_has_no_units() -> None:
    assert metric_units({"pkg/m.py": "def f(:\n"}, "docstring-coverage") == []


# --- python.all and re-exported definitions of private modules ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('__all__ = ["A", "B"]\n', ["A", "B"]),
        ("__all__ = ('A',)\n__all__ += ['B']\n__all__.extend(['C'])\n__all__.append('D')\n", ["A", "B", "C", "D"]),
        ("__all__: list[str] = ['A'] + ['B', 'A']\n", ["A", "B"]),
        ("__all__ = 'A', 'B'\n", ["A", "B"]),
        ("try:\n    import x\nexcept ImportError:\n    __all__ = ['A']\nelse:\n    __all__ = ['B']\n", ["A", "B"]),
        ("__all__ = other.__all__\n", []),  # computed at run time: known to exist, names unknown
        ("def f():\n    __all__ = ['A']\n", None),
        ("import os\n", None),
        ("def f(:\n", None),
    ],
)
def test_all_extractor_reads_the_literal_names_of_all(text: str, expected: list[str] | None) -> None:
    assert analyse_text("pkg/m.py", text).data[python_exports.KEY] == expected


def test_imports_extractor_keeps_the_as_of_from_imports() -> None:
    text = "from ._x import A as A, B as C, D\nimport os as system\n"
    data = analyse_text("pkg/m.py", text).data[python_imports.KEY]
    assert [(e["module"], e["aliases"]) for e in data] == [("_x", {"A": "A", "C": "B"}), ("os", {})]


CLIENT = '''\
class Client:
    """A client."""

    def get(self):
        """Get."""

    def post(self):
        pass

    def _send(self):
        pass


class Internal:
    def run(self):
        pass


def helper():
    pass
'''


def test_definitions_a_public_package_reexports_through_all_count_in_their_private_module() -> None:
    files = {
        "pkg/__init__.py": 'from ._client import Client\n\n__all__ = ["Client"]\n',
        "pkg/_client.py": CLIENT,
    }
    assert metric_units(files, "docstring-coverage") == [
        MetricUnit("pkg/_client.py", "Client", True),
        MetricUnit("pkg/_client.py", "Client.get", True),
        MetricUnit("pkg/_client.py", "Client.post", False),
    ]


def test_what_a_private_module_defines_without_a_public_reexport_stays_uncounted() -> None:
    files = {
        # imported for the package's own use, not exported: no `__all__`, no `as`
        "pkg/__init__.py": "from ._client import Client\n",
        "pkg/api.py": "from ._client import helper\n\n__all__ = ['call']\n\n\ndef call():\n    pass\n",
        "pkg/_client.py": CLIENT,
        # a private module's own `__all__` exports nothing public while no public module takes it
        "pkg/_impl.py": "__all__ = ['Thing']\n\n\nclass Thing:\n    pass\n",
    }
    assert metric_units(files, "docstring-coverage") == [MetricUnit("pkg/api.py", "call", False)]


def test_explicit_as_reexports_count_without_all_and_renames_count_under_the_defined_name() -> None:
    files = {
        "pkg/__init__.py": "from ._client import Client as Client\nfrom ._client import helper as run\n",
        "pkg/tools.py": "from ._client import helper as public_helper\n\n__all__ = ['public_helper']\n",
        "pkg/_client.py": CLIENT,
    }
    assert metric_units(files, "docstring-coverage") == [
        MetricUnit("pkg/_client.py", "Client", True),
        MetricUnit("pkg/_client.py", "Client.get", True),
        MetricUnit("pkg/_client.py", "Client.post", False),
        MetricUnit("pkg/_client.py", "helper", False),
    ]


def test_star_imports_reexport_what_the_private_module_exports() -> None:
    files = {
        "pkg/__init__.py": "from ._client import *\nfrom ._util import *\n",
        "pkg/_client.py": "__all__ = ['Client']\n\n" + CLIENT,
        # without `__all__` a star import brings every public definition
        "pkg/_util.py": "def tool():\n    pass\n\n\ndef _hidden():\n    pass\n",
    }
    assert metric_units(files, "docstring-coverage") == [
        MetricUnit("pkg/_client.py", "Client", True),
        MetricUnit("pkg/_client.py", "Client.get", True),
        MetricUnit("pkg/_client.py", "Client.post", False),
        MetricUnit("pkg/_util.py", "tool", False),
    ]


def test_a_public_all_limits_what_star_imports_reexport() -> None:
    files = {
        "pkg/__init__.py": "from ._client import *\n\n__all__ = ['helper']\n",
        "pkg/_client.py": CLIENT,
    }
    assert metric_units(files, "docstring-coverage") == [MetricUnit("pkg/_client.py", "helper", False)]


def test_nested_packages_and_chains_through_private_packages_are_followed() -> None:
    files = {
        # httpx's layout: the package star-imports a private package that star-imports its modules
        "pkg/__init__.py": "from ._transports import *\n\n__all__ = ['MockTransport', 'Thing']\n"
                           "from .sub import Thing\n",
        "pkg/_transports/__init__.py": "from .mock import *\n\n__all__ = ['MockTransport']\n",
        "pkg/_transports/mock.py": "__all__ = ['MockTransport']\n\n\nclass MockTransport:\n    pass\n\n\n"
                                   "class Unused:\n    pass\n",
        "pkg/sub/__init__.py": "from ._impl import Thing\n\n__all__ = ['Thing']\n",
        "pkg/sub/_impl.py": 'def Thing():\n    """Make a thing."""\n\n\ndef other():\n    pass\n',
    }
    assert metric_units(files, "docstring-coverage") == [
        MetricUnit("pkg/_transports/mock.py", "MockTransport", False),
        MetricUnit("pkg/sub/_impl.py", "Thing", True),
    ]


@pytest.mark.parametrize("source", ["from ._client import Client", "from pkg._client import Client"])
def test_src_layouts_resolve_relative_and_absolute_reexports(source: str) -> None:
    files = {
        "src/pkg/__init__.py": f"{source}\n\n__all__ = ['Client']\n",
        "src/pkg/_client.py": CLIENT,
    }
    assert [u.label for u in metric_units(files, "docstring-coverage")] == ["Client", "Client.get", "Client.post"]


def test_names_defined_outside_the_repository_and_cycles_count_nothing() -> None:
    files = {
        "pkg/__init__.py": "from httpcore import Pool\nfrom ._a import *\nfrom .missing import Gone as Gone\n\n"
                           "__all__ = ['Pool', 'A', 'Nowhere']\n",
        "pkg/_a.py": "from ._b import *\n\n\nclass A:\n    pass\n",
        "pkg/_b.py": "from ._a import *\n",
    }
    assert metric_units(files, "docstring-coverage") == [MetricUnit("pkg/_a.py", "A", False)]


def test_a_definition_reexported_twice_is_one_unit() -> None:
    files = {
        "pkg/__init__.py": "from ._client import helper\nfrom .api import *\n\n__all__ = ['helper']\n",
        "pkg/api.py": "from ._client import helper as helper\n",
        "pkg/compat.py": "from pkg._client import helper\n\n__all__ = ['helper']\n",
        "pkg/_client.py": CLIENT,
    }
    assert metric_units(files, "docstring-coverage") == [MetricUnit("pkg/_client.py", "helper", False)]


def test_reexports_from_tests_and_of_generated_modules_do_not_count() -> None:
    files = {
        "tests/test_api.py": "from pkg._client import Client\n\n__all__ = ['Client']\n",
        "pkg/__init__.py": "from ._proto_pb2 import Message\n\n__all__ = ['Message']\n",
        "pkg/_proto_pb2.py": "class Message:\n    pass\n",
        "pkg/_client.py": CLIENT,
    }
    assert metric_units(files, "docstring-coverage") == []


def test_a_pr_that_changes_only_the_private_module_gets_its_reexported_units(repo: RepoBuilder) -> None:
    readme = "# demo\n\n## Install\n\npip install .\n\n## Usage\n\nrun it\n"
    init = '"""Demo."""\nfrom ._client import Client\n\n__all__ = ["Client"]\n'
    documented = CLIENT.replace("    def post(self):\n", '    def post(self):\n        """Post."""\n')
    first = repo.commit("first", {"README.md": readme, "pkg/__init__.py": init, "pkg/_client.py": CLIENT})
    base = repo.commit("document post", {"pkg/_client.py": documented})
    head = repo.commit("strip get", {"pkg/_client.py": documented.replace('        """Get."""\n', "        pass\n")})
    cache = MemoryFactsCache()
    run_audit(repo, first, base, cache)  # the base's files, `pkg/__init__.py` among them, now come from the cache
    warm = domain(run_audit(repo, base, head, cache), Domain.DOCS)
    cold = domain(run_audit(repo, base, head), Domain.DOCS)
    assert (warm.base, warm.head) == (cold.base, cold.head) == (100.0, round(100 - 50 / 3, 1))
    assert warm.effect.lost == ("`Client.get` in `pkg/_client.py` has no docstring",)
    assert warm.verdict == REGRESSED


# --- docs.readme and the readme metric --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("README.md", "# Tool\n## Installation\n## Usage\n", {"install": True, "usage": True}),
        ("README.md", "Tool\n====\n\nGetting Started\n---------------\n", {"install": True, "usage": True}),
        ("README.md", "# Tool\n\n### 1. Installation:\n\nRun it.\n", {"install": True, "usage": False}),
        ("README.md", '<h2 align="center">Quick start</h2>\n**Install**\n', {"install": True, "usage": True}),
        ("README.md", "# Tool\n```sh\n# install deps\n```\n## Examples\n", {"install": False, "usage": True}),
        ("README.rst", "Tool\n====\n\nSetup\n-----\n\nHow to use\n~~~~~~~~~~\n", {"install": True, "usage": True}),
        ("README.txt", "TOOL\n\nINSTALLATION\n\n  pip install tool\n\nUsage:\n", {"install": True, "usage": True}),
        ("readme", "Just a paragraph that mentions install and usage in passing, at length.\n",
         {"install": False, "usage": False}),
        ("docs/guide.md", "# Installation\n", None),
    ],
)
def test_readme_sections_are_read_from_headings(path: str, text: str, expected: dict[str, bool] | None) -> None:
    assert readme_sections.extract(FileContext(path, text)) == expected


def test_readme_metric_units_for_a_complete_readme() -> None:
    files = {"README.md": "# Tool\n## Install\n## Usage\n", "tool.py": "x = 1\n"}
    assert metric_units(files, "readme") == [
        MetricUnit("README.md", EXISTS, True),
        MetricUnit("README.md", INSTALL, True),
        MetricUnit("README.md", USAGE, True),
    ]


def test_readme_metric_reports_missing_sections_and_missing_readme() -> None:
    assert metric_units({"README.rst": "Tool\n====\n", "tool.py": "x = 1\n"}, "readme") == [
        MetricUnit("README.rst", EXISTS, True),
        MetricUnit("README.rst", INSTALL, False),
        MetricUnit("README.rst", USAGE, False),
    ]
    assert metric_units({"tool.py": "x = 1\n"}, "readme") == [
        MetricUnit("README.md", EXISTS, False),
        MetricUnit("README.md", INSTALL, False),
        MetricUnit("README.md", USAGE, False),
    ]


def test_readme_metric_prefers_the_root_markdown_readme() -> None:
    files = {"docs/README.md": "# Install\n", "README.txt": "x\n", "README.md": "# Usage\n"}
    assert [u.path for u in metric_units(files, "readme")] == ["README.md"] * 3


def test_readme_metric_does_not_apply_to_a_repository_without_code_or_docs() -> None:
    assert metric_units({".github/dependabot.yml": "version: 2\n", "Dockerfile": "FROM x\n"}, "readme") == []


# --- DOC001 on documentation sites and placeholders -------------------------------------------------

SITE = {"mkdocs.yml": "site_name: demo\n", "docs/index.md": "# Home\n", "docs/advanced/transports.md": "# T\n",
        "docs/guides/setup.md": "# Setup\n", "docs/api/index.md": "# API\n"}


def test_a_docs_site_page_links_pages_by_their_urls() -> None:
    page = ("See [transports](../advanced/transports#asgi), [setup](../guides/setup/), [api](../api/)\n"
            "and from the home page style [home](../)\n")
    assert broken({**SITE, "docs/async.md": page}) == []
    assert broken({**SITE, "docs/index.md": "[t](advanced/transports/) [api](api/)\n"}) == []


def test_a_docs_site_page_url_that_names_no_page_is_broken() -> None:
    page = "See [transports](../advanced/transport#asgi) and [file](../advanced/transports.txt)\n"
    assert broken({**SITE, "docs/async.md": page}) == [("docs/async.md", 1), ("docs/async.md", 1)]


def test_a_docs_site_page_names_assets_in_raw_html_from_its_url() -> None:
    # mkdocs 59a295f5f9: `<img src="../../img/x.png">` in docs/user-guide/choosing-your-theme.md names
    # docs/img/x.png: raw HTML is not rewritten, so it is relative to the page's URL.
    page = '<img src="../../img/light.png" alt="light">\n<img src="../../img/gone.png" alt="gone">\n'
    files = {**SITE, "docs/img/light.png": "png", "docs/user-guide/theme.md": page}
    assert broken(files) == [("docs/user-guide/theme.md", 2)]
    without_site = {k: v for k, v in files.items() if k != "mkdocs.yml"}
    assert broken(without_site) == [("docs/user-guide/theme.md", 1), ("docs/user-guide/theme.md", 2)]


def test_a_paragraph_opening_with_a_shortcut_link_is_no_reference_definition() -> None:
    # mkdocs 62a4e3c213: `[types of GitHub Pages sites]: Project Pages sites, and ...` is prose.
    text = """\
        [types of GitHub Pages sites]: Project Pages sites, and User and Organization
        [guide]: guide.md "The guide"
        [api]: <api reference.md>
        """
    assert [target for _, target in links(text)] == ["guide.md", "api reference.md"]


def test_page_urls_are_paths_without_a_docs_site() -> None:
    files = {k: v for k, v in SITE.items() if k != "mkdocs.yml"}
    assert broken({**files, "docs/async.md": "[transports](../advanced/transports)\n"}) == [("docs/async.md", 1)]


def test_a_folder_link_may_name_its_page_or_its_index() -> None:
    files = {"README.md": "[setup](docs/setup/) [api](docs/api/) [gone](docs/gone/)\n",
             "docs/setup.md": "# Setup\n", "docs/api/index.md": "# API\n"}
    assert broken(files) == [("README.md", 1)]


@pytest.mark.parametrize("target", ["link", "url", "URL", "#", "{{ page.next }}", "..."])
def test_placeholder_targets_are_not_links(target: str) -> None:
    assert broken({"docs/style.md": f"| Avoid | Use |\n|---|---|\n| [here]({target}) | [the guide]({target}) |\n"}) == []


def test_a_missing_page_named_like_a_word_is_still_broken() -> None:
    assert broken({"docs/style.md": "[the guide](links.md) [setup](setup)\n"}) == [("docs/style.md", 1)] * 2


def test_a_docs_site_pr_linking_a_page_by_its_url_does_not_block(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"README.md": "# demo\n", **SITE})
    head = repo.commit("async page", {"docs/async.md": "# Async\n\nSee [ASGI](../advanced/transports#asgi).\n"})
    report = run_audit(repo, base, head)
    assert [f.rule for f in report.findings if f.status == "new"] == []
    broken_head = repo.commit("typo", {"docs/async.md": "# Async\n\nSee [ASGI](../advanced/transport#asgi).\n"})
    assert [f.rule for f in run_audit(repo, head, broken_head).findings] == ["DOC001"]


def test_gitignore_patterns_ignore_as_git_does() -> None:
    from app.checks.base import FileContext
    from app.checks.facts.git_ignore import extract, is_ignored

    text = "# built\n/cli.md\n!keep.md\n\n_build/\n"
    assert extract(FileContext("docs/.gitignore", text)) == ["/cli.md", "!keep.md", "_build/"]
    assert extract(FileContext("docs/notes.txt", "/cli.md\n")) is None
    ignores = [("docs/reference", ["/cli.md"]), ("", ["build/", "*.egg-info/", "site", "docs/_gen/*.md"])]
    assert is_ignored("docs/reference/cli.md", ignores)
    assert not is_ignored("docs/reference/sub/cli.md", ignores)  # anchored to its file's folder
    assert not is_ignored("docs/cli.md", ignores)
    assert is_ignored("pkg/build/x.md", ignores) and not is_ignored("pkg/build", ignores)  # a folder pattern
    assert is_ignored("site/index.md", ignores) and is_ignored("docs/site", ignores)  # a name at any depth
    assert is_ignored("docs/_gen/api.md", ignores) and not is_ignored("x/docs/_gen/api.md", ignores)
    assert is_ignored("shop.egg-info/PKG-INFO", ignores)
    # The last match decides, re-inclusions too, and a deeper file comes after its parents.
    allow_list = [("docs", ["!guide.md"]), ("", ["*", "!*.md", "!*/"])]
    assert not is_ignored("docs/guide.md", allow_list) and not is_ignored("README.md", allow_list)
    assert is_ignored("app.py", allow_list)
    assert is_ignored("docs/api.md", [("", ["*.md"]), ("docs", ["/api.md"])])
    assert not is_ignored("docs/api.md", [("docs", ["!api.md"]), ("", ["*.md"])])
