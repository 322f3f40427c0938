"""Progress of a long audit: files analysed out of the total, per side, on a terminal's stderr only."""

from __future__ import annotations

import io

from app.engine.cache import MemoryFactsCache
from app.engine.pipeline import audit_commits
from app.gitrepo.repo import GitRepo
from app.report.progress import audit_progress
from tests.conftest import RepoBuilder


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        """Return True, as a terminal does."""
        return True


def test_the_audit_reports_files_analysed_per_side(repo: RepoBuilder) -> None:
    base = repo.commit("base", {f"m{i}.py": f"X = {i}\n" for i in range(4)})
    head = repo.commit("head", {"new.py": "Y = 1\n"})
    seen: list[tuple[int, int, int]] = []
    cache = MemoryFactsCache()
    audit_commits(GitRepo(repo.root), base, head, cache, progress=lambda *event: seen.append(event))
    assert (0, 4, 4) in seen and (1, 5, 5) in seen
    assert max(done for _side, done, _total in seen if _side == 1) == 5
    seen.clear()
    audit_commits(GitRepo(repo.root), base, head, cache, progress=lambda *event: seen.append(event))
    assert seen == [(0, 4, 4), (1, 5, 5)]  # warm: every file comes from the cache at once


def test_progress_shows_on_a_terminal_and_nowhere_else() -> None:
    quiet = io.StringIO()
    with audit_progress(quiet, ("a" * 40, "b" * 40)) as progress:
        assert progress is None
    assert quiet.getvalue() == ""
    tty = Terminal()
    with audit_progress(tty, ("a" * 40, "b" * 40)) as progress:
        assert progress is not None
        progress(0, 3, 10)
        progress(1, 10, 10)
    assert "files analysed" in tty.getvalue() and "head bbbbbbbbbbbb" in tty.getvalue()
