"""`label` keeps one finding an object declared in several files (an overlay, a hotfix copy, a legacy copy)."""

from __future__ import annotations

from app.engine.findings import label
from app.engine.model import Domain, Finding, Severity

OBJECT = "INF011|@k8s:workload/default/web/app|root:web/app"


def copy(path: str, key: str = OBJECT, *, declared: bool = True) -> Finding:
    """Return one file's finding about an object (or, undeclared, about a place)."""
    return Finding(rule="INF011", name="container-runs-as-root", domain=Domain.INFRASTRUCTURE,
                   severity=Severity.MEDIUM, path=path, line=9, end_line=9, message="may run as root",
                   fingerprint="", key=key, declared=declared)


def never_added(_path: str, _line: int) -> bool:
    """Treat no line as added by the change."""
    return False


def statuses(base: list[Finding], head: list[Finding]) -> tuple[list[str], list[str], list[str]]:
    """Return the paths labelled unchanged, new and fixed."""
    unchanged, new, fixed = label(base, head, never_added)
    return [f.path for f in unchanged], [f.path for f in new], [f.path for f in fixed]


def test_a_declaration_more_or_less_of_an_object_is_neither_new_nor_fixed() -> None:
    assert statuses([copy("k8s/web.yaml")], [copy("k8s/web.yaml"), copy("k8s/hotfix/web.yaml")]) == (
        ["k8s/web.yaml"], [], [])
    assert statuses([copy("k8s/web.yaml"), copy("k8s/hotfix/web.yaml")], [copy("k8s/hotfix/web.yaml")]) == (
        ["k8s/hotfix/web.yaml"], [], [])


def test_a_new_object_declared_twice_is_one_new_finding_at_its_first_place() -> None:
    assert statuses([], [copy("k8s/z.yaml"), copy("k8s/a.yaml")]) == ([], ["k8s/a.yaml"], [])
    assert statuses([copy("k8s/z.yaml"), copy("k8s/a.yaml")], []) == ([], [], ["k8s/a.yaml"])


def test_findings_about_places_are_never_collapsed() -> None:
    place = "INF002|Dockerfile|from:python"
    head = [copy("Dockerfile", place, declared=False), copy("Dockerfile", place, declared=False)]
    assert statuses([], head) == ([], ["Dockerfile", "Dockerfile"], [])
