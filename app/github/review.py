"""Review comments on new findings on added lines: one review per head SHA, never a duplicate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.engine.model import Finding
from app.engine.report import Report
from app.engine.snapshot import Diff
from app.github import text
from app.github.client import GitHubClient

MARKER_RE = re.compile(r"<!-- verity:fp=([A-Za-z0-9:_.\-]+) -->")
_UNSAFE = re.compile(r"[^A-Za-z0-9:_.\-]")
COMMENT_LIMIT = 60_000

THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        nodes { id isResolved comments(first: 1) { nodes { body } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""

RESOLVE_MUTATION = """
mutation($id: ID!) {
  resolveReviewThread(input: {threadId: $id}) { thread { id isResolved } }
}
"""


@dataclass(frozen=True)
class PlannedComment:
    """A review comment about to be posted on an added line."""

    fingerprint: str
    path: str
    line: int
    body: str

    def request(self) -> dict[str, Any]:
        """Return the comment as the create-review request lists it."""
        return {"path": self.path, "line": self.line, "side": "RIGHT", "body": self.body}


def marker(fingerprint: str) -> str:
    """Return the hidden marker that identifies the finding a comment is about."""
    return text.FINGERPRINT_MARKER.format(fingerprint=_UNSAFE.sub("_", fingerprint))


def comment_body(finding: Finding) -> str:
    """Return the text of the comment on one finding, with its marker."""
    shown = text.COMMENT_BODY.format(
        rule=finding.rule, name=finding.name, severity=finding.severity.value, message=finding.message
    )
    return shown[:COMMENT_LIMIT] + "\n\n" + marker(finding.fingerprint)


def on_added_line(diff: Diff, path: str, line: int) -> bool:
    """Return whether GitHub's diff shows a line as added, the only place a comment may go."""
    return line >= 1 and diff.is_added_line(path, line)


def plan_comments(report: Report, diff: Diff, commented: set[str], limit: int) -> tuple[list[PlannedComment], int]:
    """Return the comments to post (highest severity first, capped) and how many the cap left out."""
    candidates = [
        f for f in report.new_findings()
        if f.fingerprint in report.added_line_fingerprints
        and _UNSAFE.sub("_", f.fingerprint) not in commented
        and on_added_line(diff, f.path, f.line)
    ]
    chosen = candidates[: max(limit, 0)]
    planned = [PlannedComment(f.fingerprint, f.path, f.line, comment_body(f)) for f in chosen]
    return planned, len(candidates) - len(chosen)


class Reviews:
    """The reviews and review threads of one pull request."""

    def __init__(self, gh: GitHubClient, full_name: str, number: int) -> None:
        self._gh = gh
        self._full_name = full_name
        self._owner, _, self._name = full_name.partition("/")
        self._number = number
        self._pulls = f"/repos/{full_name}/pulls/{number}"

    def commented_fingerprints(self) -> set[str]:
        """Return the fingerprints Verity has already commented on in this PR."""
        found: set[str] = set()
        for comment in self._gh.paginate(f"{self._pulls}/comments"):
            found.update(MARKER_RE.findall(str(comment.get("body") or "")))
        return found

    def reviewed(self, head_sha: str) -> bool:
        """Return whether Verity already posted its review of a head SHA."""
        wanted = text.REVIEW_MARKER.format(head_sha=head_sha)
        return any(wanted in str(r.get("body") or "") for r in self._gh.paginate(f"{self._pulls}/reviews"))

    def post(self, head_sha: str, comments: list[PlannedComment], overflow: int, limit: int) -> None:
        """Post one COMMENT review of a head SHA carrying the planned comments."""
        body = text.REVIEW_BODY.format(count=len(comments) + overflow)
        if overflow:
            body += text.REVIEW_OVERFLOW.format(count=overflow, limit=limit)
        body += "\n\n" + text.REVIEW_MARKER.format(head_sha=head_sha)
        request = {"commit_id": head_sha, "event": "COMMENT", "body": body,
                   "comments": [c.request() for c in comments]}
        self._gh.rest("POST", f"{self._pulls}/reviews", json=request)

    def resolve_fixed(self, still_new: set[str]) -> int:
        """Resolve the open threads of Verity's comments whose finding is gone; return how many."""
        current = {_UNSAFE.sub("_", fp) for fp in still_new}
        resolved = 0
        for thread in self._threads():
            if thread.get("isResolved"):
                continue
            first = (thread.get("comments") or {}).get("nodes") or [{}]
            marks = MARKER_RE.findall(str(first[0].get("body") or ""))
            if marks and marks[0] not in current:
                self._gh.graphql(RESOLVE_MUTATION, {"id": thread["id"]})
                resolved += 1
        return resolved

    def _threads(self) -> list[dict[str, Any]]:
        """Return every review thread of the PR, following GraphQL pages."""
        threads: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(50):
            variables = {"owner": self._owner, "name": self._name, "number": self._number, "cursor": cursor}
            data = self._gh.graphql(THREADS_QUERY, variables)
            page = data["repository"]["pullRequest"]["reviewThreads"]
            threads += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            cursor = page["pageInfo"]["endCursor"]
        return threads
