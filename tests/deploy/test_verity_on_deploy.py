"""Verity's own checks pass clean on its deployment files: the image, the compose stack and deploy/."""

from __future__ import annotations

from app.engine.model import Domain
from tests.conftest import RepoBuilder
from tests.deploy.files import deployment_paths, read
from tests.engine.audit_helpers import domain, run_audit
from tests.helpers import file_findings, repo_findings

CLEAN_DOMAINS = (Domain.INFRASTRUCTURE, Domain.SECURITY, Domain.CI)


def test_verity_reports_nothing_on_its_own_deployment_files(repo: RepoBuilder) -> None:
    base = repo.commit("empty")
    head = repo.commit("deployment", {path: read(path) for path in deployment_paths()})
    report = run_audit(repo, base, head)
    found = [f"{f.rule} {f.location} {f.message}" for f in report.findings if f.domain in CLEAN_DOMAINS]
    assert found == []
    assert report.suppressions == ()
    assert domain(report, Domain.INFRASTRUCTURE).head == 100.0  # judged, not skipped


def test_the_clean_result_is_not_vacuous_the_files_are_judged() -> None:
    # The same checks do fire on these very files once a safeguard is removed.
    worker = read("deploy/kubernetes/worker.yaml")
    assert [f.code for f in file_findings("deploy/kubernetes/worker.yaml", worker.replace(":0.1.0", ":latest"))] == [
        "INF010"]
    redis = read("deploy/kubernetes/redis.yaml").replace("runAsNonRoot: true", "runAsNonRoot: false")
    assert {f.code for f in file_findings("deploy/kubernetes/redis.yaml", redis)} == {"INF011"}
    dockerfile = read("Dockerfile").replace("USER verity\n", "")
    assert [f.code for f in file_findings("Dockerfile", dockerfile) if f.code.startswith("INF")] == ["INF003"]
    without_policies = {p: read(p) for p in deployment_paths() if "network-policies" not in p}
    assert [path for path, _ in repo_findings(without_policies, "INF017")] == ["deploy/kubernetes/receiver.yaml"]
