"""Every text Verity shows on GitHub, as named constants that tests assert against."""

from __future__ import annotations

RERUN_IDENTIFIER = "rerun"
RERUN_LABEL = "Re-run"
RERUN_DESCRIPTION = "Audit this commit again"

TITLE_QUEUED = "Queued"
TITLE_IN_PROGRESS = "Auditing the change"
SUMMARY_IN_PROGRESS = "Verity is auditing this commit against the merge-base of its base branch."
TITLE_SUPERSEDED = "Superseded by a newer push"
SUMMARY_SUPERSEDED = (
    "The pull request's head moved to `{new_sha}` before this audit finished; that commit is audited instead."
)
TITLE_POLICY_ERROR = "Invalid policy file"
SUMMARY_POLICY_ERROR = (
    "The policy file on the base branch could not be read, so nothing was audited.\n\n```\n{error}\n```\n"
)
TITLE_ERROR = "The audit could not finish"
SUMMARY_ERROR = (
    "Verity could not finish this audit, so it concludes `{conclusion}` (the policy's `gate.on_error`).\n\n"
    "Reason: {reason}\n"
)

TRUNCATED_NOTE = "\n\n… truncated: the full report is longer than GitHub allows ({limit} characters)."
ANNOTATIONS_OVERFLOW = "{count} more findings were not annotated: a check run carries at most {limit} annotations."
ANNOTATIONS_NOTE = "{sent} findings annotated on the diff in {batches} batches."
COMMENTS_OVERFLOW = (
    "{count} more new findings on added lines were not commented on (`review.max_comments` is {limit}); "
    "the annotations list them all."
)

REVIEW_BODY = "Verity found {count} new findings on lines this pull request adds."
REVIEW_OVERFLOW = "\n\n{count} more are listed in the check run (the limit is {limit} comments per review)."
REVIEW_MARKER = "<!-- verity:review head={head_sha} -->"
FINGERPRINT_MARKER = "<!-- verity:fp={fingerprint} -->"
COMMENT_BODY = "**{rule}** `{name}` ({severity}): {message}"

# The default branch's baseline (a push): never gates, so always neutral.
TITLE_BASELINE = "Baseline: overall {score}/100"
SUMMARY_BASELINE = (
    "Where `{branch}` stands at `{sha}`, from evidence. A baseline never gates: this check is neutral; "
    "pull requests are judged against it.\n\n{table}\n"
)
SUMMARY_PUSH_SUPERSEDED = (
    "`{branch}` moved to `{new_sha}` before this commit was audited; that commit is audited instead."
)
