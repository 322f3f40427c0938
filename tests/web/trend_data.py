"""Sample default-branch histories for the badge and trend page tests, written with the workers' own store code."""

from __future__ import annotations

import hashlib

import redis

from app.report.history import DOMAIN_NAMES, HistoryEntry, RepoRecord, TableRow
from app.store.history import record_commit

START = 1_700_000_000  # commit times, a day apart
DAY = 86_400


def sha(index: int, salt: str = "") -> str:
    """Return a deterministic 40-hex SHA."""
    return hashlib.sha1(f"{salt}{index}".encode()).hexdigest()  # noqa: S324 - a fixture id, not security


def entry(index: int, salt: str = "") -> HistoryEntry:
    """Return the index-th commit's scores: every domain drifts, security dips and recovers, infra is n/a."""
    scores: list[float | None] = []
    for d, _ in enumerate(DOMAIN_NAMES):
        scores.append(None if DOMAIN_NAMES[d] == "infrastructure" else round(60 + (d * 7 + index * 3) % 40, 1))
    security = DOMAIN_NAMES.index("security")
    scores[security] = 92.5 if index % 10 < 6 else 70.0
    known = [s for s in scores if s is not None]
    overall = round(sum(known) / len(known), 1)
    return HistoryEntry(sha(index, salt), index + 1, START + index * DAY, overall, tuple(scores))


def record(repo_id: int, full_name: str, latest: HistoryEntry, *, private: bool = False, opt_in: bool = False,
           html_url: str = "", branch: str = "main") -> RepoRecord:
    """Return a repository record whose table matches its latest entry."""
    rows = tuple(TableRow(name, score, "n/a" if score is None else f"{score:.1f}",
                          "no findings" if score is None else "3 findings (1 high, 2 low)", "docstrings 40/52")
                 for name, score in zip(DOMAIN_NAMES, latest.scores, strict=True))
    return RepoRecord(repo_id, full_name, html_url or f"https://github.com/{full_name}", branch, private, opt_in,
                      latest, rows)


def seed(client: redis.Redis, repo_id: int, full_name: str, commits: int, *, private: bool = False,
         opt_in: bool = False, html_url: str = "", branch: str = "main") -> list[HistoryEntry]:
    """Record `commits` audited commits of one repository, oldest first; return their entries."""
    entries = [entry(i, full_name) for i in range(commits)]
    for one in entries:
        record_commit(client, record(repo_id, full_name, one, private=private, opt_in=opt_in, html_url=html_url,
                                     branch=branch))
    return entries
