"""Files whose kind is known by name are judged as that kind, however odd their bytes."""

from __future__ import annotations

from app.engine.model import Domain
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import domain, run_audit

MODULE = 'API_TOKEN = "' + "sk_" + "live_" + "9f8e7d6c5b4a39281706f5e4d3c2b1a0" + '"\n\n\ndef total(a, b):\n    return a + b\n'
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.25
      securityContext:
        privileged: true
"""


def test_a_module_python_cannot_read_is_a_syntax_error_and_fixes_nothing(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/svc.py": MODULE, "app/nul.py": MODULE, "app/latin.py": MODULE})
    head = repo.commit("break", {
        "app/svc.py": MODULE.encode("utf-16"),  # what an editor's "Unicode" save does
        "app/nul.py": MODULE.encode() + b"\0\0",
        "app/latin.py": ("# caf\xe9\n" + MODULE).encode("latin-1"),  # no PEP 263 line: Python refuses it
    })
    report = run_audit(repo, base, head)
    new = {(f.rule, f.path) for f in report.new_findings()}
    assert {("QLT001", "app/svc.py"), ("QLT001", "app/nul.py"), ("QLT001", "app/latin.py")} <= new
    assert not [f for f in report.findings if f.status == "fixed"]  # the secrets did not go away
    assert report.skipped == ()
    assert domain(report, Domain.QUALITY).blocking and not report.passed
    assert domain(report, Domain.SECURITY).fixed_findings == 0


def test_a_declared_coding_is_read_as_python_reads_it(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"ok.py": '"""Ok."""\n'})
    head = repo.commit("head", {"app/legacy.py": ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + MODULE).encode("latin-1")})
    report = run_audit(repo, base, head)
    rules = {f.rule for f in report.new_findings() if f.path == "app/legacy.py"}
    assert "QLT001" not in rules and any(f.domain is Domain.SECURITY for f in report.new_findings())
    assert report.skipped == ()


def test_manifests_with_odd_bytes_are_still_judged(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"k8s/pod.yaml": POD, "k8s/other.yaml": POD.replace("web", "api")})
    head = repo.commit("head", {"k8s/pod.yaml": POD.encode("utf-16"),  # YAML allows a UTF-16 BOM
                                "k8s/other.yaml": POD.replace("web", "api").encode() + b"\0"})
    report = run_audit(repo, base, head)
    assert report.skipped == ()
    assert not [f for f in report.findings if f.status == "fixed"]
    standing = domain(report, Domain.INFRASTRUCTURE)
    assert standing.fixed_findings == 0 and standing.head is not None
