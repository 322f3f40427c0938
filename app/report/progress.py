"""What the CLI shows around a report: progress on a terminal's stderr, and the repository's web address."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import TextIO

from app.engine.collect import Progress as ProgressCallback
from app.gitrepo.repo import GitError, GitRepo

# The remote forms GitHub hands out: https://github.com/O/R(.git), git@github.com:O/R(.git), ssh://git@github.com/O/R
_GITHUB_REMOTE = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<owner>[A-Za-z0-9][A-Za-z0-9-]*)/(?P<name>[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


def github_web_url(repo: GitRepo) -> str | None:
    """Return `https://github.com/OWNER/REPO` when the repository's `origin` is on GitHub, else None."""
    try:
        url = repo.run(["config", "--get", "remote.origin.url"]).decode("utf-8", "replace").strip()
    except GitError:
        return None
    match = _GITHUB_REMOTE.match(url)
    return f"https://github.com/{match['owner']}/{match['name']}" if match else None


@contextlib.contextmanager
def audit_progress(stream: TextIO, shas: tuple[str, str]) -> Iterator[ProgressCallback | None]:
    """Show files analysed out of the total, per side, on a terminal's stream; show nothing elsewhere."""
    if not stream.isatty():
        yield None
        return
    # rich is imported only for a terminal: it costs a tenth of a second, a noticeable part of a warm audit.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        tasks: list[TaskID] = [
            bar.add_task(f"{side} {sha[:12]}: files analysed", total=None) for side, sha in zip(("base", "head"), shas,
                                                                                              strict=True)
        ]

        def update(side: int, done: int, total: int) -> None:
            bar.update(tasks[side], completed=done, total=total)

        yield update
