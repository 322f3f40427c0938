"""Run the real engine on a RepoBuilder's commits."""

from __future__ import annotations

from app.engine.cache import MemoryFactsCache
from app.engine.model import Domain
from app.engine.pipeline import audit_commits
from app.engine.report import DomainResult, Report
from app.gitrepo.repo import GitRepo
from tests.conftest import RepoBuilder
from tests.report_schema import assert_valid_report


def run_audit(repo: RepoBuilder, base: str, head: str, cache: MemoryFactsCache | None = None) -> Report:
    """Audit base..head of a test repository with a fresh (or given) cache; its JSON must follow the schema."""
    report = audit_commits(GitRepo(repo.root), base, head, cache or MemoryFactsCache())
    assert_valid_report(report.to_json())
    return report


def domain(report: Report, name: Domain) -> DomainResult:
    """Return one domain's result."""
    return next(d for d in report.domains if d.domain is name)


def blocking(report: Report) -> list[str]:
    """Return the names of the blocking domains."""
    return [d.domain.value for d in report.domains if d.blocking]
