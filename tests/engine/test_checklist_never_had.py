"""Checklist metrics gate on capabilities the PR lost: one the base never had costs points but never blocks.

From the corpus: kedro `eba933210f` and `03a8145bae` add the library's first (optional) HTTP server with
a health check and no metrics; the base had no web app, so no metrics to lose (PRODUCT.md section 4).
"""

from __future__ import annotations

from app.checks.base import Metric, MetricUnit, RepoView
from app.engine.model import Domain
from app.engine.report import Report
from app.engine.scoring import MetricState, attribute, judge
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import blocking, domain, run_audit

PYPROJECT = '[project]\nname = "svc"\nversion = "1"\ndependencies = ["fastapi", "prometheus-client"]\n'
LIBRARY = {
    "pyproject.toml": PYPROJECT,
    "svc/__init__.py": '"""Svc."""\n',
    "svc/core.py": '"""Core."""\n\n\ndef add(a: int, b: int) -> int:\n    """Add."""\n    return a + b\n',
    "tests/__init__.py": "",
    "tests/test_core.py": "from svc.core import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n",
}
METRICS_IMPORT = "from prometheus_client import make_asgi_app\n"
SERVER = '''"""An optional HTTP server."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    """Report liveness."""
    return {"status": "ok"}
'''
SERVER_TEST = "from svc.server import health\n\n\ndef test_health() -> None:\n    assert health() == {'status': 'ok'}\n"
SERVER_WITH_METRICS = SERVER.replace("\napp = FastAPI()\n", f"{METRICS_IMPORT}\napp = FastAPI()\n"
                                     'app.mount("/metrics", make_asgi_app())\n')


def observability_lines(report: Report) -> list[tuple[float, str, str]]:
    """Return the observability explanation as (points, text, key)."""
    return [(e.points, e.text, e.key) for e in domain(report, Domain.OBSERVABILITY).explanation]


def test_a_first_web_app_without_metrics_costs_points_but_does_not_block(repo: RepoBuilder) -> None:
    base = repo.commit("base", LIBRARY)
    head = repo.commit("server", {"svc/server.py": SERVER, "tests/test_server.py": SERVER_TEST})
    report = run_audit(repo, base, head)
    result = domain(report, Domain.OBSERVABILITY)
    assert blocking(report) == []
    assert not result.regressed and result.verdict == "worse"
    assert result.head is not None and result.base is not None and result.head < result.base
    # The report still names the bad unit and its cost.
    assert (-20.0, "web health and metrics: the web app has no metrics exported (`svc/server.py`)",
            "lost:web-health-and-metrics") in observability_lines(report)


def test_a_first_web_app_with_neither_health_nor_metrics_does_not_block(repo: RepoBuilder) -> None:
    base = repo.commit("base", LIBRARY)
    bare = SERVER.replace('@app.get("/health")', '@app.get("/items")')
    head = repo.commit("server", {"svc/server.py": bare, "tests/test_server.py": SERVER_TEST})
    report = run_audit(repo, base, head)
    assert blocking(report) == []
    assert domain(report, Domain.OBSERVABILITY).verdict == "worse"


def test_removing_the_metrics_of_an_existing_web_app_still_blocks(repo: RepoBuilder) -> None:
    base = repo.commit("base", {**LIBRARY, "svc/server.py": SERVER_WITH_METRICS, "tests/test_server.py": SERVER_TEST})
    head = repo.commit("drop metrics", {"svc/server.py": SERVER})
    report = run_audit(repo, base, head)
    result = domain(report, Domain.OBSERVABILITY)
    assert "observability" in blocking(report)
    assert result.reasons == ("observability: web health and metrics lost 20.0 points, more than the 0.5 "
                              "tolerance; the web app has no metrics exported (`svc/server.py`) (-20.0 points)",)


def test_a_first_readme_without_install_or_usage_costs_points_but_does_not_block(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"LICENSE": "MIT\n"})
    head = repo.commit("start", {**LIBRARY, "README.md": "# Svc\n\nAdds numbers.\n"})
    report = run_audit(repo, base, head)
    assert "docs" not in blocking(report)
    assert any(e.key == "lost:readme" and e.points < 0 for e in domain(report, Domain.DOCS).explanation)


# --- the rule itself, on a checklist of three capabilities ---------------------------------------------------------



def no_units(view: RepoView) -> list[MetricUnit]:
    """Return no units (these tests build their states by hand)."""
    return []


CHECKLIST = Metric("capabilities", Domain.CI, 30.0, "Three capabilities.", no_units)


def state(*units: tuple[str, bool]) -> MetricState:
    """Return the checklist's state from (label, good) pairs, all decided by `ci.yml`."""
    return MetricState(CHECKLIST, tuple(MetricUnit("ci.yml", label, good) for label, good in units))


def test_a_capability_the_base_never_had_is_bad_but_not_lost() -> None:
    base, head = state(("tests", True)), state(("tests", True), ("scan", False))
    change = attribute(base, head, lambda path: path, frozenset({"ci.yml"}))
    assert [u.label for u in change.newly_bad] == ["scan"] and change.lost_points == -15.0
    assert change.blamed == () and not judge(change, base, 0.5).regressed


def test_losing_a_capability_blocks_for_it_alone_beside_one_never_had() -> None:
    base, head = state(("tests", True), ("lint", True)), state(("tests", False), ("lint", True), ("scan", False))
    change = attribute(base, head, lambda path: path, frozenset({"ci.yml"}))
    assert [u.label for u in change.blamed] == ["tests"] and change.blamed_points == -10.0
    assert judge(change, base, 0.5).regressed
