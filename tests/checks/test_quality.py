"""Quality checks (QLT000-QLT003) and how ruff's findings map into domains."""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileContext
from app.checks.quality import analysis_error, long_function, syntax_error, unexplained_suppression
from app.checks.ruff_rules import is_ruff_code, ruff_rule
from app.engine import facts as facts_module
from app.engine.facts_suppressions import find_suppressions
from app.engine.model import Domain, RawFinding, Severity
from app.engine.ruff import start_ruff
from tests.helpers import file_findings


def lines(path: str, text: str, code: str) -> list[int]:
    """Return the lines one code flags in a file."""
    return [f.line for f in file_findings(path, text, code)]


def test_qlt001_flags_a_file_that_does_not_parse() -> None:
    assert lines("a.py", "def f(:\n    pass\n", syntax_error.RULE.code) == [0]
    assert "line 1" in file_findings("a.py", "def f(:\n", syntax_error.RULE.code)[0].message


def test_qlt001_is_low_in_a_project_templates_files() -> None:
    # jowilf/starlette-admin 602cd3f7d9 added a cookiecutter plugin template: Jinja that renders to Python.
    template = "from {{ cookiecutter.package_slug }} import app\n{% if cookiecutter.admin %}\nadmin = 1\n{% endif %}\n"
    [found] = file_findings("plugin/{{cookiecutter.name}}/src/app.py", template, syntax_error.RULE.code)
    assert found.severity == Severity.LOW
    [shipped] = file_findings("src/app.py", template, syntax_error.RULE.code)
    assert shipped.severity is None  # the rule's own: high

def test_qlt001_is_silent_on_valid_python_and_other_kinds() -> None:
    assert lines("a.py", "def f():\n    pass\n", syntax_error.RULE.code) == []
    assert lines("notes.txt", "def f(:\n", syntax_error.RULE.code) == []


def test_qlt002_flags_a_suppression_without_a_reason() -> None:
    text = "import os  # verity: ignore[F401]\nimport sys  # verity: ignore[F401] re-exported for plugins\n"
    assert lines("a.py", text, unexplained_suppression.RULE.code) == [1]
    assert lines("deploy.yaml", "password: x  # verity: ignore[SEC004]\n", unexplained_suppression.RULE.code) == [1]


def test_qlt002_is_silent_when_every_suppression_has_a_reason() -> None:
    text = "import os  # verity: ignore[F401, S101] kept for the plugin API\n"
    assert lines("a.py", text, unexplained_suppression.RULE.code) == []
    assert find_suppressions(FileContext("a.py", text)) == {1: (("F401", "S101"), "kept for the plugin API")}


def test_suppression_text_inside_a_python_string_is_not_a_suppression() -> None:
    text = 'HELP = "write # verity: ignore[SEC001] reason"\n'
    assert find_suppressions(FileContext("a.py", text)) == {}


def test_qlt003_flags_functions_over_100_lines() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(100))
    text = f"def long():\n{body}\n\ndef short():\n    return 1\n"
    assert lines("a.py", text, long_function.RULE.code) == [1]


def test_qlt003_is_silent_on_a_100_line_function() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(99))
    assert lines("a.py", f"def ok():\n{body}", long_function.RULE.code) == []


def test_qlt000_reports_a_check_that_fails_on_a_file() -> None:
    def broken(ctx: FileContext) -> Iterator[RawFinding]:
        raise ValueError(ctx.path)

    found = facts_module._run_check(broken, FileContext("a.py", "x = 1\n"), "SEC001")
    assert [(f.code, f.line) for f in found] == [(analysis_error.RULE.code, 0)]
    assert "SEC001" in found[0].message


def test_qlt000_is_silent_when_checks_succeed() -> None:
    assert lines("a.py", "x = 1\n", analysis_error.RULE.code) == []


def test_ruff_codes_map_to_domains_by_longest_prefix() -> None:
    assert ruff_rule("S602") == (Domain.SECURITY, Severity.HIGH)
    assert ruff_rule("S999") == (Domain.SECURITY, Severity.MEDIUM)
    assert ruff_rule("F401") == (Domain.QUALITY, Severity.LOW)
    assert ruff_rule("F821") == (Domain.QUALITY, Severity.HIGH)
    assert ruff_rule("ASYNC251") == (Domain.PERFORMANCE, Severity.MEDIUM)
    assert ruff_rule("ASYNC115") == (Domain.PERFORMANCE, Severity.LOW)  # `anyio.sleep(0)` for `checkpoint()`
    assert ruff_rule("S110") == (Domain.OBSERVABILITY, Severity.LOW)  # ignored: OBS002 owns swallows
    assert is_ruff_code("PERF401") and not is_ruff_code("SEC001") and not is_ruff_code("QLT001")


def test_ruff_runs_on_hostile_file_names_and_maps_back() -> None:
    files = {
        "k1": ("dir with space/ünï cødé.py", "import os\n"),
        "k2": ("../../etc/evil.py", "import subprocess\nsubprocess.call(x, shell=True)\n"),
        "k3": ("ok.py", "x = 1\n"),
    }
    found = start_ruff(files).collect()
    assert [f.code for f in found["k1"]] == ["F401"]
    assert "S602" in [f.code for f in found["k2"]]
    assert "k3" not in found


TARFILE = "import tarfile\n\n\ndef unpack(tar, path):\n    tar.extractall(path=str(path)){}\n"


def test_ruff_suppression_comments_that_name_rules_suppress_like_codes() -> None:
    # tox-dev/tox bedbcbe0b6: ruff's RUF105/RUF106 rewrote its noqa comment for S202 as a rule-name comment,
    # which ruff honours only in preview mode; the S202 finding it hides came back as new.
    files = {
        "noqa": ("a.py", TARFILE.format("  # noqa: S202")),
        "code": ("b.py", TARFILE.format("  # ruff: ignore[S202]")),
        "name": ("c.py", TARFILE.format("  # ruff:ignore[tarfile-unsafe-members]")),
        "own-line": ("d.py", TARFILE.format("").replace("    tar.", "    # ruff: ignore[tarfile-unsafe-members]\n    tar.")),
        "file": ("e.py", "# ruff: file-ignore[ unused-import , tarfile-unsafe-members ]\n" + TARFILE.format("")),
        "range": ("f.py", "# ruff: disable[tarfile-unsafe-members]\n" + TARFILE.format("")
                  + "# ruff: enable[tarfile-unsafe-members]\n"),
        "other rule": ("g.py", TARFILE.format("  # ruff: ignore[unused-import]")),
        "unknown name": ("h.py", TARFILE.format("  # ruff: ignore[no-such-rule, tarfile-unsafe]")),
        "bare": ("i.py", TARFILE.format("")),
    }
    found = start_ruff(files).collect()
    flagged = sorted(key for key, findings in found.items() if any(f.code == "S202" for f in findings))
    assert flagged == ["bare", "other rule", "unknown name"]


def test_rule_names_become_codes_only_inside_ruff_suppression_lists() -> None:
    from app.engine.ruff import with_rule_codes

    text = 'x = "ruff: ignore[unused-import]"  # ruff: ignore[unused-import,E501]\n# see unused-import docs\n'
    assert with_rule_codes(text) == 'x = "ruff: ignore[unused-import]"  # ruff: ignore[F401,E501]\n# see unused-import docs\n'
    assert with_rule_codes("import os  # noqa: F401\n") == "import os  # noqa: F401\n"


def test_a_python_line_loses_only_its_trailing_comment() -> None:
    from app.checks.base import without_comment

    cases = {
        "print(x)  # noqa: T201": "print(x)",
        "url = 'https://x/#frag'  # anchor": "url = 'https://x/#frag'",
        'say("it\\"s # not a comment")  # but this is': 'say("it\\"s # not a comment")',
        "text = '''a # b'''  # c": "text = '''a # b'''",
        'f"{x:#x}" # hex': 'f"{x:#x}"',
        "# a whole comment line": "",
        "no comment here": "no comment here",
        "s = 'unclosed # string": "s = 'unclosed # string",
    }
    assert {line: without_comment(line) for line in cases} == cases
    ctx = FileContext("lib/a.py", "print(x)  # noqa: T201\n")
    assert ctx.code_text(1) == "print(x)" and FileContext("a.yml", "a: 1  # note\n").code_text(1) == "a: 1  # note"


def test_qlt001_is_low_in_documentation_examples() -> None:
    # pylint-dev/pylint 0ee1899d4f: doc/data/messages/.../bad.py shows syntax of a Python newer than any it runs.
    broken = "x = [*row for row in rows]\n"
    graded = {path: [f.severity for f in file_findings(path, broken) if f.code == "QLT001"]
              for path in ("doc/data/messages/u/unpacking/bad.py", "docs/example.py", "src/app.py", "examples/run.py")}
    assert graded == {"doc/data/messages/u/unpacking/bad.py": [Severity.LOW], "docs/example.py": [Severity.LOW],
                      "src/app.py": [None], "examples/run.py": [None]}
