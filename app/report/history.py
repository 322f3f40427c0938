"""The default branch's history as stored and served: one entry per audited commit, and the repository's record.

Pure data built from a standing; `app.store.history` keeps it in Redis, the badge and the trend page render it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.engine.model import DOMAIN_ORDER
from app.engine.standing import DomainStanding, Standing
from app.report.evidence import findings_summary, score_label

SHA_RE = re.compile(r"[0-9a-f]{40}")
# A repository page GitHub (or GitHub Enterprise) links to; anything else gets no links.
HTML_URL_RE = re.compile(r"https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9._~%-]+)+")
DOMAIN_NAMES = tuple(d.value for d in DOMAIN_ORDER)


@dataclass(frozen=True)
class HistoryEntry:
    """The scores of one audited commit of the default branch."""

    sha: str
    position: int  # commits on the branch's first-parent line up to this one: the history's order
    committed_at: int  # the commit's committer time, Unix seconds, as shown
    overall: float | None
    scores: tuple[float | None, ...]  # one per domain, in DOMAIN_ORDER

    def score(self, domain: str | None) -> float | None:
        """Return the overall score, or one domain's."""
        return self.overall if domain is None else self.scores[DOMAIN_NAMES.index(domain)]

    def to_json(self) -> dict[str, Any]:
        """Return the stored shape."""
        return {"sha": self.sha, "n": self.position, "at": self.committed_at, "overall": self.overall,
                "scores": list(self.scores)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HistoryEntry:
        """Rebuild an entry from its stored shape."""
        scores = tuple(_score(v) for v in data["scores"])
        return cls(str(data["sha"]), int(data["n"]), int(data["at"]), _score(data["overall"]), scores)


@dataclass(frozen=True)
class TableRow:
    """One row of the latest report's domain table, as text."""

    domain: str
    score: float | None
    label: str  # the score as shown: `81.7`, `n/a` or `disabled`
    findings: str
    metrics: str


@dataclass(frozen=True)
class RepoRecord:
    """A repository whose default branch Verity audited: who may see it, and its latest table."""

    repo_id: int
    full_name: str
    html_url: str
    branch: str
    private: bool
    public_opt_in: bool  # `[report] public = true` on the default branch
    latest: HistoryEntry
    table: tuple[TableRow, ...]

    @property
    def visible(self) -> bool:
        """Return whether the badge and the trend page may be served to anyone."""
        return not self.private or self.public_opt_in

    def commit_url(self, sha: str) -> str | None:
        """Return the commit's page on GitHub, or None when the recorded URL or the SHA looks wrong."""
        if not HTML_URL_RE.fullmatch(self.html_url) or not SHA_RE.fullmatch(sha):
            return None
        return f"{self.html_url}/commit/{sha}"

    def to_json(self) -> dict[str, Any]:
        """Return the stored shape."""
        return {
            "repo_id": self.repo_id, "full_name": self.full_name, "html_url": self.html_url, "branch": self.branch,
            "private": self.private, "public_opt_in": self.public_opt_in, "latest": self.latest.to_json(),
            "table": [[r.domain, r.score, r.label, r.findings, r.metrics] for r in self.table],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RepoRecord:
        """Rebuild a record from its stored shape."""
        rows = tuple(TableRow(str(d), _score(s), str(lab), str(f), str(m)) for d, s, lab, f, m in data["table"])
        return cls(int(data["repo_id"]), str(data["full_name"]), str(data["html_url"]), str(data["branch"]),
                   data["private"] is not False, data["public_opt_in"] is True,
                   HistoryEntry.from_json(data["latest"]), rows)


def entry_from_standing(standing: Standing, position: int, committed_at: int) -> HistoryEntry:
    """Return the history entry of a commit's standing."""
    scores = tuple(d.score for d in standing.domains)
    return HistoryEntry(standing.commit, position, committed_at, standing.overall, scores)


def table_rows(standing: Standing) -> tuple[TableRow, ...]:
    """Return the domain table of a standing, as the push check run's summary shows it."""
    return tuple(_row(d) for d in standing.domains)


def _row(domain: DomainStanding) -> TableRow:
    """Return one domain's row."""
    metrics = ", ".join(f"{m.name} {m.good}/{m.total}" for m in domain.metrics if m.units) or "–"
    return TableRow(domain.domain.value, domain.score, score_label(domain), findings_summary(domain), metrics)


def _score(value: Any) -> float | None:
    """Return a stored score as a float, or None."""
    return None if value is None else float(value)
