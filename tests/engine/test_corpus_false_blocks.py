"""False blocks the real-world corpus showed on well-kept projects, each reproduced on a small repository."""

from __future__ import annotations

from app.engine.report import Report
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import run_audit

PACKAGE = {"src/shop/__init__.py": '"""Shop."""\n', "src/shop/api.py": '"""Api."""\nimport httpx\n'}


def new_codes(report: Report) -> list[str]:
    """Return the rule codes of the audit's new findings, sorted."""
    return sorted(f.rule for f in report.findings if f.status == "new")


def pyproject(extra: str) -> str:
    """Return a pyproject.toml declaring httpx at run time, plus some extra tables."""
    return f'[project]\nname = "shop"\nversion = "1"\ndependencies = ["httpx>=0.27,<1"]\n\n{extra}'


# --- dev lists of Rye, uv, PDM and Hatch ----------------------------------------------------------

DEV_LISTS = {
    "rye": '[tool.rye]\nmanaged = true\ndev-dependencies = ["pytest>=8", "respx"]\n',
    "uv": '[tool.uv]\ndev-dependencies = ["pytest>=8", "respx"]\n',
    "pdm": '[tool.pdm.dev-dependencies]\ntest = ["pytest>=8", "respx"]\n',
    "hatch": '[tool.hatch.envs.default]\ndependencies = ["pytest>=8", "respx"]\n',
}


def test_a_new_test_may_import_what_a_tools_dev_list_declares(repo: RepoBuilder) -> None:
    for tool, table in DEV_LISTS.items():
        base = repo.commit(f"{tool} base", {**PACKAGE, "pyproject.toml": pyproject(table)})
        test = "import pytest\nimport respx\n\nfrom shop import api\n\n\ndef test_api() -> None:\n    assert api\n"
        head = repo.commit(f"{tool} test", {f"tests/test_{tool}.py": test})
        report = run_audit(repo, base, head)
        assert "DEP002" not in new_codes(report), tool
        assert report.passed, tool


# --- [tool.uv] conflicts ----------------------------------------------------------------------------

CONFLICTS = """\
[dependency-groups]
dev = ["pytest>=8"]
pydantic-v1 = ["pydantic>=1.10,<2"]
pydantic-v2 = ["pydantic>=2,<3"]

[project.optional-dependencies]
old = ["attrs<22"]
new = ["attrs>=23"]

[tool.uv]
conflicts = [
    [{ group = "pydantic-v1" }, { group = "pydantic-v2" }],
    [{ extra = "old" }, { extra = "new" }],
]
"""


def test_specs_of_groups_and_extras_declared_conflicting_never_conflict(repo: RepoBuilder) -> None:
    base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject('[dependency-groups]\ndev = ["pytest>=8"]\n')})
    head = repo.commit("pydantic matrix", {"pyproject.toml": pyproject(CONFLICTS)})
    report = run_audit(repo, base, head)
    assert "DEP005" not in new_codes(report)
    # Lists uv was not told about still conflict.
    other = pyproject(CONFLICTS.replace('new = ["attrs>=23"]', 'new = ["attrs>=23"]\nlint = ["pydantic==1.9"]'))
    assert "DEP005" in new_codes(run_audit(repo, head, repo.commit("lint pin", {"pyproject.toml": other})))


def test_removing_the_partner_a_conflict_was_first_found_against_keeps_it_old(repo: RepoBuilder) -> None:
    # encode/django-rest-framework dropped its django42 group; django60's old conflict, found against
    # django42 until then, was found against django52 and read as new.
    lists = '[dependency-groups]\nold = ["attrs<21"]\nmid = ["attrs<22"]\nnew = ["attrs>=23"]\n'
    base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject(lists)})
    head = repo.commit("drop old", {"pyproject.toml": pyproject(lists.replace('old = ["attrs<21"]\n', ""))})
    assert "DEP005" not in new_codes(run_audit(repo, base, head))


# --- an undeclared test import the base tests had already ----------------------------------------


def test_a_new_test_importing_what_base_tests_import_undeclared_is_not_new(repo: RepoBuilder) -> None:
    # numpy arrives with pandas (declared by the test extra); the tests have imported it all along.
    table = '[project.optional-dependencies]\ntest = ["pytest>=8", "pandas>=2"]\n'
    old_test = "import numpy as np\nimport pandas\n\n\ndef test_frame() -> None:\n    assert np.zeros(1).size == 1\n"
    base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject(table), "tests/test_frame.py": old_test})
    new_test = "import numpy as np\n\nfrom shop import api\n\n\ndef test_arrays() -> None:\n    assert api and np\n"
    head = repo.commit("new test", {"tests/test_arrays.py": new_test})
    report = run_audit(repo, base, head)
    assert "DEP002" not in new_codes(report)
    assert report.passed
    # A module no test imported before is still new evidence.
    scipy_test = "import scipy\n\n\ndef test_scipy() -> None:\n    assert scipy\n"
    later = repo.commit("scipy test", {"tests/test_scipy.py": scipy_test})
    assert new_codes(run_audit(repo, head, later)).count("DEP002") == 1


# --- generated code ----------------------------------------------------------------------------------

STAINLESS = "# File generated from our OpenAPI spec by Stainless. See CONTRIBUTING.md for details.\n"
RESOURCE = '''
from typing import List, Optional


class Completions:
    async def create(self, model: str, timeout: Optional[float] = None, tags: List[str] = []) -> str:
        return model


class Stream:
    def close(self) -> None:
        return None
'''


def test_a_file_bannered_by_its_generator_is_not_judged_by_heuristic_checks(repo: RepoBuilder) -> None:
    base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject(""), "src/shop/types.py": STAINLESS + RESOURCE})
    head = repo.commit("regenerate", {"src/shop/resources.py": STAINLESS + RESOURCE})
    report = run_audit(repo, base, head)
    assert new_codes(report) == []
    assert report.passed
    assert any("generated files were judged only" in note and "src/shop/resources.py" in note for note in report.notes)


def test_a_scaffold_stamp_is_not_a_generator_banner(repo: RepoBuilder) -> None:
    stamps = ('"""\nDjango settings.\n\nGenerated by \'django-admin startproject\' using Django 5.0.\n"""\n',
              "# Generated by Django 5.0.1 on 2024-01-02 10:00\n")
    for index, stamp in enumerate(stamps):
        base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject("")})
        head = repo.commit("scaffold", {f"src/shop/scaffold_{index}.py": stamp + RESOURCE})
        assert "B006" in new_codes(run_audit(repo, base, head)), stamp


def test_a_new_test_may_import_what_a_lock_file_installs(repo: RepoBuilder) -> None:
    # `packaging` comes with pytest: no list declares it, the dev lock pins it.
    table = '[tool.rye]\ndev-dependencies = ["pytest>=8"]\n'
    lock = "# generated by rye\npackaging==25.0\n    # via pytest\npytest==8.3.4\n"
    base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject(table), "requirements-dev.lock": lock})
    test = "from packaging.version import Version\n\n\ndef test_version() -> None:\n    assert Version('1')\n"
    head = repo.commit("new test", {"tests/test_version.py": test})
    report = run_audit(repo, base, head)
    assert "DEP002" not in new_codes(report)
    # Without the lock, nothing says packaging is installed.
    repo.delete("requirements-dev.lock")
    assert "DEP002" in new_codes(run_audit(repo, head, repo.commit("drop the lock")))


def test_removing_a_generator_banner_does_not_make_the_files_findings_new(repo: RepoBuilder) -> None:
    base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject(""), "src/shop/types.py": STAINLESS + RESOURCE})
    head = repo.commit("drop attribution", {"src/shop/types.py": RESOURCE})
    report = run_audit(repo, base, head)
    assert new_codes(report) == []
    assert report.passed
    # What the PR adds to such a file is judged.
    added = RESOURCE + "\n\ndef tagged(tags: list[str] = []) -> list[str]:\n    return tags\n"
    assert "B006" in new_codes(run_audit(repo, head, repo.commit("add", {"src/shop/types.py": added})))
    assert "B006" in new_codes(run_audit(repo, base, repo.commit("both", {"src/shop/types.py": added})))


DOCUMENTED = "".join(f'\n\ndef total_{i}(values: list[int]) -> int:\n    """Return the sum."""\n    return sum(values)\n'
                     for i in range(6))


def test_removing_a_generator_banner_does_not_make_the_files_units_the_prs(repo: RepoBuilder) -> None:
    # The repository documents its own code; the generated module never did (as openai-python's
    # "remove Stainless attribution" change showed, over 231 definitions).
    files = {**PACKAGE, "pyproject.toml": pyproject(""), "src/shop/totals.py": '"""Totals."""' + DOCUMENTED,
             "src/shop/types.py": STAINLESS + RESOURCE}
    base = repo.commit("base", files)
    head = repo.commit("drop attribution", {"src/shop/types.py": RESOURCE})
    report = run_audit(repo, base, head)
    assert report.passed, report.reasons
    docs = next(d for d in report.domains if d.domain.value == "docs")
    assert docs.head is not None and docs.base is not None and docs.head < docs.base  # judged now, and scored
    # The same undocumented classes in a module the PR adds are the PR's own.
    added = run_audit(repo, head, repo.commit("copy", {"src/shop/copied.py": RESOURCE}))
    assert any(reason.startswith("docs:") for reason in added.reasons), added.reasons


EXCLUDING = '[project]\nname = "shop"\nversion = "1"\ndependencies = []\n\n[tool.ruff]\nextend-exclude = ["legacy"]\n'
SILENT_TEST = "from shop.api import httpx\n\n\ndef test_client():\n    httpx.Client()\n"


def test_code_moved_out_of_an_excluded_folder_is_not_new(repo: RepoBuilder) -> None:
    # pydantic 98a08d3e4b: tests the base left out (a ruff `exclude`) moved back into a judged folder.
    base = repo.commit("base", {**PACKAGE, "pyproject.toml": EXCLUDING, "legacy/tests/test_api.py": SILENT_TEST})
    repo.move("legacy/tests/test_api.py", "tests/test_api.py")
    head = repo.commit("move")
    report = run_audit(repo, base, head)
    assert new_codes(report) == []
    assert report.passed, report.reasons
    # What the PR adds to such a file is judged; so is the same test in a file the PR adds.
    added = SILENT_TEST + "\n\ndef test_again():\n    httpx.Client()\n"
    assert "TST001" in new_codes(run_audit(repo, base, repo.commit("add", {"tests/test_api.py": added})))
    assert "TST001" in new_codes(run_audit(repo, head, repo.commit("copy", {"tests/test_copy.py": SILENT_TEST})))


MODELS = '"""Models."""\nfrom sqlalchemy.orm import Mapped, relationship\n\n\nclass Page:\n    """A page."""\n\n'


def test_an_undefined_name_in_a_string_annotation_is_low(repo: RepoBuilder) -> None:
    # Pylons/pyramid 03e2e439f2: SQLAlchemy 2.0's `Mapped["User"]` names a class its registry resolves.
    files = {**PACKAGE, "pyproject.toml": pyproject(""), "src/shop/models.py": MODELS + "    name = 1\n"}
    base = repo.commit("base", files)
    forward = MODELS + "    creator: Mapped['User'] = relationship()\n    pages: Mapped[\"list[Page]\"]\n"
    report = run_audit(repo, base, repo.commit("forward", {"src/shop/models.py": forward}))
    assert report.passed, report.reasons
    [found] = [f for f in report.findings if f.rule == "F821"]
    assert (found.severity.value, found.line) == ("low", 8)
    assert "string annotation" in found.message
    # A type checker's own name marks a type checker's input (sanic dc3c4d1393's tests/typing/samples/).
    sample = '"""Sample."""\nfrom shop import api\n\nreveal_type(api)\n'
    revealed = run_audit(repo, base, repo.commit("sample", {"tests/typing/samples/app.py": sample}))
    assert revealed.passed
    assert [f.severity.value for f in revealed.findings if f.rule == "F821" and "samples" in f.path] == ["low"]
    repo.delete("tests/typing/samples/app.py")
    # A name that runs (in code, or inside an f-string's braces) still blocks.
    for code in ("    creator = User()\n", '    title = f"{Author}"\n'):
        run = run_audit(repo, base, repo.commit("runs", {"src/shop/models.py": MODELS + code}))
        assert any(r.startswith("quality:") and "F821" in r for r in run.reasons), code


def test_regenerated_test_certificates_do_not_block(repo: RepoBuilder) -> None:
    # MagicStack/asyncpg 3aa98944a8: expired test certificates and their keys were regenerated.
    def key(seed: str) -> str:
        body = "\n".join((seed * 64)[i:i + 64] for i in range(0, 640, 64))
        return f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"

    base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject(""), "tests/certs/server.key.pem": key("MIIEvQ")})
    report = run_audit(repo, base, repo.commit("regenerate", {"tests/certs/server.key.pem": key("MIIEwA")}))
    assert report.passed, report.reasons
    assert [(f.rule, f.severity.value, f.status) for f in report.findings if f.rule == "SEC003"] == [
        ("SEC003", "low", "new"), ("SEC003", "low", "fixed")]
    # A key the PR commits beside the code it deploys still blocks.
    shipped = run_audit(repo, base, repo.commit("ship", {"deploy/server.key.pem": key("MIIEwA")}))
    assert any(r.startswith("security:") and "SEC003" in r for r in shipped.reasons), shipped.reasons


def test_one_more_link_to_a_page_the_base_already_misses_is_not_new(repo: RepoBuilder) -> None:
    # pydantic/pydantic-settings bd4872e91b: its docs link to `../api/pydantic_settings.md`, a page of the
    # site they are published in; the change linked to it twice more, with other anchors.
    page = "# Settings\n\nSee [`NoDecode`](../api/settings.md#NoDecode).\n"
    base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject(""), "docs/index.md": page})
    more = page + "\nIt raises [`SettingsError`](../api/settings.md#SettingsError).\n"
    report = run_audit(repo, base, repo.commit("more", {"docs/index.md": more}))
    assert new_codes(report) == [] and report.passed, report.reasons
    # A link to another missing page is new.
    other = more + "\nSee [the CLI](../cli.md).\n"
    assert new_codes(run_audit(repo, base, repo.commit("other", {"docs/index.md": other}))) == ["DOC001"]


def test_a_name_a_folders_loader_injects_is_not_new_in_one_more_file(repo: RepoBuilder) -> None:
    # benoitc/gunicorn 369b8d7d2c: `tests/requests/valid/*.py` are run by a loader that sets `uri` first.
    case = 'request = {{"method": "GET", "uri": uri("/{n}"), "body": b""}}\n'
    cases = {f"tests/requests/valid/{n:03}.py": case.format(n=n) for n in range(3)}
    base = repo.commit("base", {**PACKAGE, "pyproject.toml": pyproject(""), **cases})
    report = run_audit(repo, base, repo.commit("more", {"tests/requests/valid/100.py": case.format(n=100)}))
    assert new_codes(report) == [] and report.passed, report.reasons
    # Another undefined name there, or `uri` in a folder whose files never used it, is new.
    typo = 'request = {"method": "GET", "uri": url("/x")}\n'
    assert new_codes(run_audit(repo, base, repo.commit("typo", {"tests/requests/valid/101.py": typo}))) == ["F821"]
    repo.delete("tests/requests/valid/101.py")
    other = run_audit(repo, base, repo.commit("other", {"tests/other/001.py": case.format(n=1)}))
    assert new_codes(other) == ["F821"]


def test_a_link_to_a_page_the_docs_build_writes_is_not_broken(repo: RepoBuilder) -> None:
    # pdm-project/pdm 03554394b8: `docs/reference/cli.md` is now rendered at build time, and
    # `docs/reference/.gitignore` says so.
    page = "# Usage\n\nRun [`pdm lock`](../reference/cli.md#lock).\n"
    files = {**PACKAGE, "pyproject.toml": pyproject(""), "docs/usage/lock.md": page,
             "docs/reference/cli.md": "# CLI\n", "docs/reference/api.md": "# API\n", ".gitignore": "build/\n"}
    base = repo.commit("base", files)
    repo.delete("docs/reference/cli.md")
    head = repo.commit("generate", {"docs/reference/.gitignore": "/cli.md\n/configuration.md\n",
                                    "docs/usage/config.md": "See [settings](../reference/configuration.md).\n"})
    report = run_audit(repo, base, head)
    assert new_codes(report) == [] and report.passed, report.reasons
    # A page deleted with nothing to build it is a broken link.
    repo.delete("docs/reference/api.md")
    gone = run_audit(repo, head, repo.commit("gone", {"docs/usage/api.md": "See [the API](../reference/api.md).\n"}))
    assert new_codes(gone) == ["DOC001"]
