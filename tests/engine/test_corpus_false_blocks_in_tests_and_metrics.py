"""Corpus false blocks: tests that assert through calls, heuristics in tests, shipped-code metrics, READMEs, placeholders."""

from __future__ import annotations

import os

from app.engine.facts import analyse_text
from app.engine.report import Report
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import blocking, run_audit

PROJECT = {
    "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\ndependencies = []\n',
    "svc/__init__.py": '"""Svc."""\n',
    "svc/core.py": '"""Core."""\n\n\ndef add(a: int, b: int) -> int:\n    """Add."""\n    return a + b\n',
    "tests/__init__.py": "",
    "tests/test_core.py": "from svc.core import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n",
}


def new_rules(repo: RepoBuilder, files: dict[str, str]) -> tuple[set[tuple[str, str]], list[str]]:
    """Commit the project, then the files; return the new findings (rule, path) and the blocking domains."""
    base = repo.commit("base", PROJECT)
    head = repo.commit("change", files)
    report = run_audit(repo, base, head)
    return {(f.rule, f.path) for f in report.new_findings()}, blocking(report)


# --- item 1: a call that raises on failure by contract is the test's assertion ----------------------------------

CHECKED_RUN = """\
import subprocess
import sys

from svc.core import add


def test_script_runs() -> None:
    add(1, 2)
    subprocess.run([sys.executable, "-c", "import svc"], check=True)


def test_status(client) -> None:
    client.get("/").raise_for_status()
"""


def test_a_checked_subprocess_run_is_an_assertion(repo: RepoBuilder) -> None:
    new, blocked = new_rules(repo, {"tests/test_script.py": CHECKED_RUN})
    assert not {rule for rule, _ in new} & {"TST001"}
    assert "tests" not in blocked


def test_an_unchecked_subprocess_run_still_asserts_nothing(repo: RepoBuilder) -> None:
    unchecked = CHECKED_RUN.replace("check=True", "check=False").replace(".raise_for_status()", ".close()")
    new, _ = new_rules(repo, {"tests/test_script.py": unchecked})
    assert ("TST001", "tests/test_script.py") in new


DOES_NOT_RAISE = """\
import pytest

from svc.core import add


def test_add_accepts_ints() -> None:
    add(1, 2)


def test_add_rejects_none() -> None:
    with pytest.raises(TypeError):
        add(None, 2)


def test_setup_runs() -> None:
    print("setting up")
"""


def test_a_does_not_raise_test_is_the_twin_of_a_raises_check(repo: RepoBuilder) -> None:
    new, _ = new_rules(repo, {"tests/test_inputs.py": DOES_NOT_RAISE})
    # `add(1, 2)` is what the file expects to raise on other input; `print` is not.
    assert [(rule, path) for rule, path in new if rule == "TST001"] == [("TST001", "tests/test_inputs.py")]
    facts = analyse_text("tests/test_inputs.py", DOES_NOT_RAISE).data["python.tests"]["tests"]
    assert [(t["name"], t["assertions"]) for t in facts] == [
        ("test_add_accepts_ints", 1), ("test_add_rejects_none", 1), ("test_setup_runs", 0)]


# --- item 2: ruff's heuristic families never block from test code; its correctness families still do -----------

HEURISTIC = """\
import os
import tempfile

from svc.core import add


def test_mode() -> None:
    with tempfile.NamedTemporaryFile() as handle:
        os.chmod(handle.name, 0o777)
        assert add(1, 2) == 3


def test_closures() -> None:
    calls = []
    for value in range(3):
        def fake() -> int:
            return value
        calls.append(fake())
    assert calls == [0, 1, 2]
"""


def test_bandit_and_bugbear_findings_in_tests_are_listed_but_never_block(repo: RepoBuilder) -> None:
    new, blocked = new_rules(repo, {"tests/test_mode.py": HEURISTIC})
    assert {("S103", "tests/test_mode.py"), ("B023", "tests/test_mode.py")} <= new
    assert blocked == []


def test_the_same_code_shipped_still_blocks_and_undefined_names_block_in_tests(repo: RepoBuilder) -> None:
    shipped = HEURISTIC.replace("from svc.core import add", "from svc.core import add  # noqa: F401")
    broken = "def test_undefined() -> None:\n    assert undefined_name == 1\n"
    new, blocked = new_rules(repo, {"svc/mode.py": shipped, "tests/test_broken.py": broken})
    assert {("S103", "svc/mode.py"), ("F821", "tests/test_broken.py")} <= new
    assert {"security", "quality"} <= set(blocked)


def test_invisible_characters_a_test_feeds_a_validator_never_block(repo: RepoBuilder) -> None:
    # CTFd/CTFd 90ca471211: the tests of its validators pass a zero-width space and a bidi override.
    inputs = 'BAD_NAMES = ["admin\u200b", "user\u202e"]\n'  # the characters themselves, as the test file holds them
    new, blocked = new_rules(repo, {"tests/test_validators.py": inputs})
    assert {r for r, _ in new} >= {"PLE2502", "PLE2515"} and blocked == []
    new, blocked = new_rules(repo, {"svc/names.py": inputs})
    assert "quality" in blocked

def test_heuristic_findings_in_maintainers_tooling_never_block(repo: RepoBuilder) -> None:
    # rich f000c31491: `shell=True` in tools/make_width_tables.py, a generator only maintainers run.
    script = 'import subprocess\n\n\ndef run(cmd: str) -> None:\n    subprocess.run(cmd, shell=True, check=True)\n'
    undefined = "def main() -> None:\n    print(missing)\n"
    new, blocked = new_rules(repo, {"tools/make_tables.py": script, "scripts/release.py": undefined})
    assert {("S602", "tools/make_tables.py"), ("F821", "scripts/release.py")} <= new
    assert blocked == ["quality"]  # the undefined name still blocks; the shell does not
    # The same call in shipped code, in a package's own `cli/` entry point, still blocks.
    new, blocked = new_rules(repo, {"svc/cli/run.py": script})
    assert "security" in blocked


def test_heuristic_findings_in_a_schema_migration_never_block(repo: RepoBuilder) -> None:
    # wger-project/wger f1b64f7947: a migration builds its SQL from its own list of table names.
    migration = ('TABLES = ["core_user", "core_log"]\n\n\ndef add_publication(schema_editor) -> None:\n'
                 '    schema_editor.execute(f"SELECT count(*) FROM {TABLES[0]} WHERE id > 0")\n')
    new, blocked = new_rules(repo, {"svc/migrations/0027_publication.py": migration})
    assert ("S608", "svc/migrations/0027_publication.py") in new and blocked == []
    new, blocked = new_rules(repo, {"svc/queries.py": migration})
    assert "security" in blocked

# --- item 3: ratio metrics judge only the code the project ships -----------------------------------------------

PACKAGED = {
    **PROJECT,
    "pyproject.toml": PROJECT["pyproject.toml"]
    + '\n[tool.setuptools.packages.find]\ninclude = ["svc*"]\nexclude = ["svc_tools*"]\n',
}
UNDOCUMENTED = "\n\n".join(f"def step_{n}(a, b):\n    total = a + b\n    return total * {n}\n" for n in range(4))


def test_excluded_packages_benchmark_suites_and_scripts_owe_no_tests_nor_docstrings(repo: RepoBuilder) -> None:
    base = repo.commit("base", PACKAGED)
    head = repo.commit("benchmarks", {"svc_tools/__init__.py": "", "svc_tools/release.py": UNDOCUMENTED,
                                      "scripts/release.py": UNDOCUMENTED, "asv_bench/bench_core.py": UNDOCUMENTED,
                                      "svc_benchmarks/__init__.py": "", "svc_benchmarks/suite.py": UNDOCUMENTED})
    report = run_audit(repo, base, head)
    assert not {"tests", "docs"} & set(blocking(report))
    assert lost_metrics(report) == set()


def test_a_new_module_of_the_shipped_package_still_owes_both(repo: RepoBuilder) -> None:
    base = repo.commit("base", PACKAGED)
    head = repo.commit("feature", {"svc/steps.py": UNDOCUMENTED})
    report = run_audit(repo, base, head)
    assert "docs" in blocking(report)
    assert lost_metrics(report) == {"lost:test-coverage-of-modules", "lost:docstring-coverage"}


def lost_metrics(report: Report) -> set[str]:
    """Return the explanation keys of the metrics the PR lowered through its own units."""
    return {e.key for d in report.domains for e in d.explanation if e.key.startswith("lost:")}


# --- item 4: a README that still explains setup keeps its install and usage units --------------------------------

README = """\
# Svc

## Install Copier

Copier is optional: `pipx install copier`.

## How To Use It

Clone it:

```bash
git clone https://example.com/svc.git
```

## Configure

Set `SECRET_KEY` in `.env`.
"""
PLAIN_README = "# Svc\n\n## Installation\n\n```bash\npip install svc\n```\n\n## Usage\n\nCall `svc.add`.\n"


def test_losing_an_optional_tools_install_heading_loses_nothing(repo: RepoBuilder) -> None:
    base = repo.commit("base", {**PROJECT, "README.md": README})
    head = repo.commit("drop copier", {"README.md": README.replace(README[README.index("## Install"):
                                                                            README.index("## How")], "")})
    report = run_audit(repo, base, head)
    assert "docs" not in blocking(report)
    assert lost_metrics(report) == set()


def test_a_readme_that_no_longer_says_how_to_install_still_loses_the_unit(repo: RepoBuilder) -> None:
    base = repo.commit("base", {**PROJECT, "README.md": PLAIN_README})
    head = repo.commit("drop install", {"README.md": "# Svc\n\n## Usage\n\nCall `svc.add`.\n"})
    report = run_audit(repo, base, head)
    assert "docs" in blocking(report)
    assert lost_metrics(report) == {"lost:readme"}


def test_readme_commands_count_only_in_code_and_prompts() -> None:
    def sections(text: str) -> dict[str, bool]:
        data = analyse_text("README.md", text).data["docs.readme"]
        assert isinstance(data, dict)
        return data

    assert sections("# X\n\nMake sure you pip install things and run python app.py.\n") == {
        "install": False, "usage": False}
    assert sections("# X\n\n```console\n$ uv sync\n$ uv run svc\n```\n") == {"install": True, "usage": True}
    assert sections("X\n=\n\n.. code-block:: python\n\n    import svc\n") == {"install": False, "usage": True}
    assert sections("X\n=\n\nSet it up::\n\n    poetry install\n\nDone.\n") == {"install": True, "usage": False}
    assert sections("# X\n\n    $ docker compose up\n") == {"install": True, "usage": True}


# --- item 5: template placeholders are no credentials; URL credentials in test data are fixtures -----------------

EMAIL = """\
export default function NewAccount({
  username = "{{ username }}",
  password = "{{ password }}",
}: Props) {
  return null
}
"""
PLACEHOLDER_SETTINGS = 'DATABASE_URL = "postgres://__DB_USER__:__DB_USER__@db.example.com/app"\n'
WHATWG = '[{"input": "http://user:pa55w0rd-Zq8@example.com/", "href": "http://user:pa55w0rd-Zq8@example.com/"}]\n'


def test_template_placeholders_and_url_credentials_in_test_data_never_block(repo: RepoBuilder) -> None:
    new, blocked = new_rules(repo, {"emails/new_account.tsx": EMAIL, "svc/settings.py": PLACEHOLDER_SETTINGS,
                                    "tests/models/whatwg.json": WHATWG})
    assert "security" not in blocked
    assert not {rule for rule, path in new if not path.startswith("tests/")} & {"SEC001", "SEC004"}


def test_literal_defaults_and_provider_tokens_in_test_data_still_block(repo: RepoBuilder) -> None:
    token = "sk_" + "live_" + "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    new, blocked = new_rules(repo, {
        "svc/settings.py": 'DATABASE_URL = "postgres://admin:changeme@db.example.com/app"\n',
        "tests/models/whatwg.json": f'[{{"input": "{token}"}}]\n',
    })
    assert {("SEC004", "svc/settings.py"), ("SEC002", "tests/models/whatwg.json")} <= new
    assert "security" in blocked


# --- a module's named test file merged into another test file ---------------------------------------------------

URL_PROJECT = {
    "pyproject.toml": '[project]\nname = "web"\nversion = "1"\ndependencies = []\n',
    "web/__init__.py": '"""Web."""\nfrom web._urls import URL\n',
    "web/_urls.py": '"""URLs."""\nfrom web._urlparse import urlparse\n\n\nclass URL:\n    """A URL."""\n\n'
                    '    def __init__(self, text: str) -> None:\n        """Parse it."""\n        self.parts = urlparse(text)\n',
    "web/_urlparse.py": '"""Parsing."""\n\n\ndef urlparse(text: str) -> list[str]:\n    """Split a URL."""\n'
                        '    scheme, _, rest = text.partition("://")\n    return [scheme, rest]\n',
    "tests/test_url.py": "import web\n\n\ndef test_url() -> None:\n    assert web.URL('a://b').parts == ['a', 'b']\n",
    "tests/test_urlparse.py": "import web\n\n\ndef test_urlparse_ipv6() -> None:\n"
                              "    assert web.URL('a://[::1]').parts == ['a', '[::1]']\n",
}


def test_merging_a_modules_named_test_file_into_another_does_not_block(repo: RepoBuilder) -> None:
    # httpx 5b5f6d8e17 moved test_urlparse.py's cases into test_url.py; `_urlparse` is still named by them.
    base = repo.commit("base", URL_PROJECT)
    repo.delete("tests/test_urlparse.py")
    merged = URL_PROJECT["tests/test_url.py"] + "\n\n" + URL_PROJECT["tests/test_urlparse.py"].split("\n\n\n", 1)[1]
    head = repo.commit("merge", {"tests/test_url.py": merged})
    assert blocking(run_audit(repo, base, head)) == []


def test_deleting_a_modules_named_test_file_still_blocks(repo: RepoBuilder) -> None:
    base = repo.commit("base", URL_PROJECT)
    repo.delete("tests/test_urlparse.py")
    head = repo.commit("delete", {"README.md": "# web\n"})
    assert blocking(run_audit(repo, base, head)) == ["tests"]


# --- a page served through a symlink ----------------------------------------------------------------------------

def test_a_link_written_for_the_symlink_that_serves_a_page_is_not_broken(repo: RepoBuilder) -> None:
    # ansible/ansible-lint 95b3b82e38: docs/rules/yaml.md is a symlink to src/ansiblelint/rules/yaml.md,
    # whose `../autofix.md` is written for docs/rules/ (MkDocs serves the symlink).
    page = "# yaml\n\nSee [`--fix`](../autofix.md).\n"
    files = {**PROJECT, "mkdocs.yml": "site_name: svc\n", "docs/autofix.md": "# Autofix\n",
             "src/svc/rules/yaml.md": page, "src/svc/rules/args.md": "# args\n"}
    repo.write(files)
    (repo.root / "docs/rules").mkdir()
    os.symlink("../../src/svc/rules/yaml.md", repo.root / "docs/rules/yaml.md")
    os.symlink("../src/svc/rules", repo.root / "docs/all-rules")
    base = repo.commit("base")
    head = repo.commit("change", {"src/svc/rules/yaml.md": page + "\nAlso [auto-fix](../autofix.md#yaml).\n",
                                  "src/svc/rules/args.md": "# args\n\nSee [fixes](../autofix.md).\n"})
    assert new_findings_of(repo, base, head) == []
    # A link broken from every place the page is served still is.
    head = repo.commit("broken", {"src/svc/rules/yaml.md": page + "\nSee [gone](../gone.md).\n"})
    assert new_findings_of(repo, base, head) == [("DOC001", "src/svc/rules/yaml.md")]


def new_findings_of(repo: RepoBuilder, base: str, head: str) -> list[tuple[str, str]]:
    """Return the (rule, path) of an audit's new findings."""
    return sorted((f.rule, f.path) for f in run_audit(repo, base, head).new_findings())


def test_a_folder_named_for_its_tests_holds_tests(repo: RepoBuilder) -> None:
    # python-attrs/attrs 58c8e9ade6 renamed typing-examples/ to an importable typing_tests/ package: its
    # type-checker inputs, copies of one another, became "duplicate definitions" of shipped code.
    example = ("class WithCustomRepr:\n    a: int\n    b: str\n\n    def __repr__(self) -> str:\n"
               "        return f'{self.a}'\n")
    base = repo.commit("base", {**PROJECT, "typing-examples/mypy.py": example, "typing-examples/pyright.py": example})
    repo.move("typing-examples", "typing_tests")
    head = repo.commit("rename", {"typing_tests/__init__.py": ""})
    assert new_findings_of(repo, base, head) == [] and blocking(run_audit(repo, base, head)) == []


def test_a_test_importing_a_package_through_a_symlinked_folder_imports_something(repo: RepoBuilder) -> None:
    # kubernetes-client/python ed9ffd4c3c: `from kubernetes.watch import Watch`, where kubernetes/watch
    # links to kubernetes/base/watch; TST004 said the module does not exist.
    repo.write({**PROJECT, "svc/base/__init__.py": "", "svc/base/watch/__init__.py": '"""Watch."""\n\n\nclass Watch:\n'
                '    """Watch."""\n'})
    os.symlink("base/watch", repo.root / "svc/watch")
    base = repo.commit("base")
    test = "from svc.watch import Watch\n\n\ndef test_watch() -> None:\n    assert Watch\n"
    head = repo.commit("test", {"tests/test_watch.py": test})
    assert new_findings_of(repo, base, head) == []
    broken = repo.commit("broken", {"tests/test_gone.py": test.replace("svc.watch", "svc.gone")})
    assert ("TST004", "tests/test_gone.py") in new_findings_of(repo, head, broken)


# --- a private module of a feature that a test is named after ---------------------------------------------

def test_a_private_part_of_a_feature_is_tested_by_the_features_tests(repo: RepoBuilder) -> None:
    # redis/redis-py 408806c899: the HIMPORT commands' steps went to `redis/_himport_exec.py` (and an async
    # twin), driven by `tests/test_himport.py` through the client.
    steps = '"""Steps."""\n\n\ndef prepare(names: list[str]) -> list[str]:\n    """Prepare."""\n' \
            '    ready = [n.strip() for n in names]\n    return [n.upper() for n in ready]\n'
    base = repo.commit("base", URL_PROJECT)
    feature = {"web/_import_exec.py": steps, "web/aio/_import_exec.py": steps, "web/aio/__init__.py": "",
               "tests/test_import.py": "import web\n\n\ndef test_import() -> None:\n    assert web.URL('a://b')\n"}
    assert blocking(run_audit(repo, base, repo.commit("feature", feature))) == []
    # A public module, or a private one no test is named after, still owes a test of its own.
    repo.delete("web/_import_exec.py", "web/aio/_import_exec.py")
    for path in ("web/import_exec.py", "web/_export_exec.py"):
        head = repo.commit(path, {path: steps})
        assert blocking(run_audit(repo, base, head)) == ["tests"], path
        repo.delete(path)


def test_modules_split_into_a_subpackage_are_named_by_the_test_of_parent_and_package(repo: RepoBuilder) -> None:
    # zauberzeug/nicegui 932f019e28 split `elements/scene/scene_objects.py` into `elements/scene/objects/*.py`;
    # `tests/test_scene_objects.py` tests them.
    shape = '"""A shape."""\n\n\nclass {name}:\n    """A {name}."""\n\n    def size(self) -> int:\n' \
            '        """Return the size."""\n        return len("{name}")\n'
    objects = {f"web/scene/objects/{n.lower()}.py": shape.format(name=n) for n in ("Box", "Ring")}
    test = "import web\n\n\ndef test_scene_box() -> None:\n    assert web.URL('a://b')\n"
    base = repo.commit("base", URL_PROJECT)
    head = repo.commit("split", {**objects, "web/scene/__init__.py": "", "web/scene/objects/__init__.py": "",
                                 "tests/test_scene_objects.py": test})
    assert blocking(run_audit(repo, base, head)) == []
    # Another folder's modules are not named by it.
    repo.delete(*objects)
    other = {f"web/shapes/{n.lower()}.py": shape.format(name=n) for n in ("Box", "Ring")}
    assert blocking(run_audit(repo, base, repo.commit("other", {**other, "web/shapes/__init__.py": ""}))) == ["tests"]
