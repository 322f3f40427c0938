"""For each of the six evidence domains of issue 3: a regression blocks, a fix raises the score,
and a benign PR (rename, move, clean addition, deletion of clean code) is not regressed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.engine.model import Domain
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import domain, run_audit

README = "# app\n\n## Install\n\npip install .\n\n## Usage\n\napp run\n"
PYPROJECT = '[project]\nname = "app"\nversion = "1"\ndependencies = ["fastapi>=0.110,<1", "prometheus-client>=0.20,<1"]\n'
SHA = "b4ffde65f46336ab88eb53be808477a3936bae11"


def workflow(extra_steps: str = "", uses: str = f"actions/checkout@{SHA}") -> str:
    """Return a least-privilege workflow that lints and tests."""
    return (
        "name: ci\non: [push]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        f"    timeout-minutes: 10\n    steps:\n      - uses: {uses}\n      - run: ruff check .\n"
        f"      - run: pytest -q\n{extra_steps}"
    )


DOCKERFILE = (
    "FROM python:3.12-slim AS build\nRUN pip install --prefix=/install app\n"
    "FROM python:3.12-slim\nCOPY --from=build /install /usr/local\nUSER 10001\n"
    'HEALTHCHECK CMD ["python", "-c", "print(1)"]\nCMD ["app"]\n'
)

WEB_APP = '''"""The web app."""

from fastapi import FastAPI
from prometheus_client import make_asgi_app

app = FastAPI()
app.mount("/metrics", make_asgi_app())


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Report liveness."""
    return {"status": "ok"}


@app.get("/items")
def items() -> list[int]:
    """List items."""
    return [1, 2]
'''

MODULE = '''"""Arithmetic helpers."""


def double(x: int) -> int:
    """Return twice x."""
    return 2 * x


def triple(x: int) -> int:
    """Return three times x."""
    return 3 * x
'''

TEST_MODULE = "from app.helpers import double, triple\n\n\ndef test_math() -> None:\n    assert double(2) == 4\n    assert triple(1) == 3\n"


def base_files() -> dict[str, str]:
    """Return a small, clean, well-equipped project."""
    return {
        "README.md": README,
        "pyproject.toml": PYPROJECT,
        ".github/workflows/ci.yml": workflow(),
        "Dockerfile": DOCKERFILE,
        "app/__init__.py": '"""App."""\n',
        "app/helpers.py": MODULE,
        "app/web.py": WEB_APP,
        "tests/test_helpers.py": TEST_MODULE,
        "tests/test_web.py": "from app.web import items\n\n\ndef test_items() -> None:\n    assert items() == [1, 2]\n",
    }


@dataclass
class Scenario:
    """Three PRs against one domain."""

    domain: Domain
    regress: dict[str, str]
    fix_base: dict[str, str]
    fix_head: dict[str, str]
    benign: dict[str, str] = field(default_factory=dict)
    benign_move: tuple[str, str] | None = None
    benign_delete: tuple[str, ...] = ()


SCENARIOS = [
    Scenario(
        Domain.DOCS,
        regress={"app/helpers.py": MODULE.replace('    """Return twice x."""\n', "").replace('    """Return three times x."""\n', "")},
        fix_base={"docs/guide.md": "See [the API](api.md).\n"},
        fix_head={"docs/guide.md": "See [the README](../README.md).\n"},
        benign={"app/extra.py": '"""Extra."""\n\n\ndef one() -> int:\n    """Return one."""\n    return 1\n',
                "tests/test_extra.py": "from app.extra import one\n\n\ndef test_one() -> None:\n    assert one() == 1\n"},
    ),
    Scenario(
        Domain.ARCHITECTURE,
        regress={"app/a.py": '"""A."""\n\nfrom app import b\n\nX = b.Y\n', "app/b.py": '"""B."""\n\nfrom app import a\n\nY = 1\n',
                 "tests/test_ab.py": "from app import a, b\n\n\ndef test_ab() -> None:\n    assert a and b\n"},
        fix_base={"queue.py": '"""Jobs."""\n\nJOBS: list[str] = []\n', "tests/test_queue.py": "import queue\n\n\ndef test_q() -> None:\n    assert queue\n"},
        fix_head={"jobqueue.py": '"""Jobs."""\n\nJOBS: list[str] = []\n', "tests/test_queue.py": "import jobqueue\n\n\ndef test_q() -> None:\n    assert jobqueue\n"},
        benign={"app/util/__init__.py": '"""Utilities."""\n',
                "tests/test_helpers.py": TEST_MODULE.replace("app.helpers", "app.util.helpers")},
        benign_move=("app/helpers.py", "app/util/helpers.py"),
    ),
    Scenario(
        Domain.CI,
        regress={".github/workflows/ci.yml": workflow().replace("      - run: pytest -q\n", "")},
        fix_base={".github/workflows/ci.yml": workflow(uses="someone/setup-thing@v1")},
        fix_head={".github/workflows/ci.yml": workflow(uses=f"someone/setup-thing@{SHA}")},
        benign_move=(".github/workflows/ci.yml", ".github/workflows/tests.yml"),
    ),
    Scenario(
        Domain.INFRASTRUCTURE,
        regress={"Dockerfile": DOCKERFILE.replace("FROM python:3.12-slim\n", "FROM python:latest\n")},
        fix_base={"Dockerfile": DOCKERFILE.replace("USER 10001\n", "")},
        fix_head={"Dockerfile": DOCKERFILE},
        benign_move=("Dockerfile", "docker/Dockerfile"),
    ),
    Scenario(
        Domain.OBSERVABILITY,
        regress={"app/web.py": WEB_APP.replace('@app.get("/healthz")', '@app.get("/status-page-v2")')},
        fix_base={"app/jobs.py": '"""Jobs."""\n\n\ndef run() -> None:\n    """Run."""\n    try:\n        work()\n    except Exception:\n        ...\n\n\ndef work() -> None:\n    """Work."""\n',
                  "tests/test_jobs.py": "from app.jobs import run\n\n\ndef test_run() -> None:\n    assert run() is None\n"},
        fix_head={"app/jobs.py": '"""Jobs."""\n\n\ndef run() -> None:\n    """Run."""\n    work()\n\n\ndef work() -> None:\n    """Work."""\n'},
        benign_delete=("app/helpers.py", "tests/test_helpers.py"),
    ),
    Scenario(
        Domain.PERFORMANCE,
        regress={"app/slow.py": '"""Slow."""\n\nimport time\n\n\nasync def wait() -> None:\n    """Wait."""\n    time.sleep(1)\n',
                 "tests/test_slow.py": "from app.slow import wait\n\n\ndef test_wait() -> None:\n    assert wait\n"},
        fix_base={"app/cached.py": '"""Cache."""\n\nimport functools\n\n\n@functools.lru_cache\nasync def load(key: str) -> str:\n    """Load."""\n    return key\n',
                  "tests/test_cached.py": "from app.cached import load\n\n\ndef test_load() -> None:\n    assert load\n"},
        fix_head={"app/cached.py": '"""Cache."""\n\n\nasync def load(key: str) -> str:\n    """Load."""\n    return key\n'},
        benign={"app/fast.py": '"""Fast."""\n\nimport asyncio\n\n\nasync def wait() -> None:\n    """Wait."""\n    await asyncio.sleep(1)\n',
                "tests/test_fast.py": "from app.fast import wait\n\n\ndef test_wait() -> None:\n    assert wait\n"},
    ),
]
IDS = [s.domain.value for s in SCENARIOS]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_a_regression_blocks(repo: RepoBuilder, scenario: Scenario) -> None:
    base = repo.commit("base", base_files())
    head = repo.commit("regress", scenario.regress)
    report = run_audit(repo, base, head)
    result = domain(report, scenario.domain)
    assert result.regressed and result.blocking, (result, report.reasons)
    assert [r for r in report.reasons if not r.startswith(scenario.domain.value)] == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_a_fix_raises_the_score(repo: RepoBuilder, scenario: Scenario) -> None:
    repo.commit("base", base_files())
    base = repo.commit("legacy problem", scenario.fix_base)
    head = repo.commit("fix", scenario.fix_head)
    if scenario.fix_head.keys() != scenario.fix_base.keys():
        for path in scenario.fix_base.keys() - scenario.fix_head.keys():
            repo.delete(path)
        head = repo.commit("fix: remove the old file")
    report = run_audit(repo, base, head)
    result = domain(report, scenario.domain)
    assert result.base is not None and result.head is not None
    assert result.head > result.base, result
    assert result.fixed_findings >= 1 or any(e.points > 0 for e in result.explanation), result
    assert not result.regressed, result.reasons


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_a_benign_pr_is_not_regressed(repo: RepoBuilder, scenario: Scenario) -> None:
    base = repo.commit("base", base_files())
    if scenario.benign:
        repo.write(scenario.benign)
    if scenario.benign_move:
        repo.move(*scenario.benign_move)
    if scenario.benign_delete:
        repo.delete(*scenario.benign_delete)
    if not (scenario.benign or scenario.benign_move or scenario.benign_delete):
        pytest.fail("scenario has no benign change")
    head = repo.commit("benign")
    report = run_audit(repo, base, head)
    assert not domain(report, scenario.domain).regressed, report.reasons
    assert report.passed, report.reasons


def test_the_base_project_is_clean(repo: RepoBuilder) -> None:
    empty = repo.commit("empty")
    base = repo.commit("base", base_files())
    report = run_audit(repo, empty, base)
    assert report.passed, report.reasons
    assert [(f.rule, f.location) for f in report.new_findings() if f.severity.rank > 0] == []
