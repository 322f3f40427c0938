"""Route `/audit` comments on pull requests to the command job; ignore everything else."""

from __future__ import annotations

from app.github.job import CommentJob
from app.jobs.commands.parser import parse
from app.web.payload import Delivery, Routed, field, optional


def queue_command(delivery: Delivery) -> Routed | None:
    """Queue a slash command from a new, human comment on a pull request."""
    payload = delivery.payload
    if delivery.action != "created" or optional(payload, "issue", "pull_request", kind=dict) is None:
        return None
    comment = field(payload, "comment", kind=dict)
    if field(comment, "user", "type", kind=str) == "Bot":
        return None  # never answer bots: two bots could answer each other forever
    if parse(field(comment, "body", kind=str)) is None:
        return None
    return Routed(
        CommentJob(
            installation_id=field(payload, "installation", "id", kind=int),
            repo_id=field(payload, "repository", "id", kind=int),
            repo_full_name=field(payload, "repository", "full_name", kind=str),
            pr_number=field(payload, "issue", "number", kind=int),
            comment_id=field(comment, "id", kind=int),
            clone_url=field(payload, "repository", "clone_url", kind=str),
            delivery_id=delivery.delivery_id,
        )
    )


ROUTES = {"issue_comment": queue_command}
