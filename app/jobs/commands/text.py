"""Every text Verity posts in answer to a slash command, as named constants that tests assert against.

Placeholders filled with anything a user wrote are escaped first (app.report.escape).
"""

from __future__ import annotations

EYES = "eyes"  # the reaction on receipt
DONE = "+1"  # the reaction when a command needs no reply

HELP = """\
**Verity commands** (the first line of a pull request comment):

- `/audit` or `/audit run`: audit the pull request's current head again, at most once per {cooldown} seconds.
  For the PR's author, or write access.
- `/audit explain CODE`: show a check's documentation, e.g. `/audit explain SEC001`.
- `/audit explain DOMAIN`: break down a domain's score at the current head, e.g. `/audit explain security`.
- `/audit accept DOMAIN REASON...`: accept this PR's regression in a domain; it holds until the domain gets
  worse. For write, maintain or admin access.
- `/audit revoke DOMAIN`: withdraw an acceptance. For write, maintain or admin access.
- `/audit help`: show this list.

Domains: {domains}.
"""

UNKNOWN_COMMAND = "Verity does not know the command `{name}`, so it did nothing. `/audit help` lists the commands."
DENIED = (
    "Verity did nothing: `/audit {command}` needs {needed}, and @{login} has {role} access to this repository."
)
NEEDS_WRITE = "write, maintain or admin access"
NEEDS_AUTHOR_OR_WRITE = "the pull request's author or write access"
RATE_LIMITED = (
    "Verity did not re-run: this pull request was re-audited less than {cooldown} seconds ago. "
    "Try again in {wait} seconds."
)

EXPLAIN_USAGE = "Usage: `/audit explain CODE` or `/audit explain DOMAIN`. Domains: {domains}."
UNKNOWN_TOPIC = "Verity knows no check code or domain named `{topic}`. Domains: {domains}."
CHECK_DOC = "### {code} `{name}`\n\nDomain: {domain}; default severity: {severity}.\n\n{doc}\n"
RUFF_DOC = "### {code} (ruff)\n\nDomain: {domain}; severity in Verity: {severity}.\n\n{doc}\n"
RUFF_DOC_MISSING = "Run `ruff rule {code}` for ruff's own documentation of this rule."

BREAKDOWN_TITLE = "### {domain} at `{sha}`: {base} -> {head} ({delta}), {verdict}"
BREAKDOWN_STEPS = "**How each change moved the delta** (the steps add up to it):"
BREAKDOWN_NO_STEPS = "Nothing in this pull request moved this domain's score."
BREAKDOWN_GATE = "**Gate:** {reason}"
BREAKDOWN_NEW = "**New findings ({count}):**"
BREAKDOWN_FIXED = "**Fixed findings ({count}):**"
BREAKDOWN_FINDING = "- **{severity}** `{rule}` {name} at `{location}`: {message}"
BREAKDOWN_ACCEPTED = "**Accepted** by {who}."
BREAKDOWN_MORE = "- … and {count} more"
BREAKDOWN_DOC = "<details><summary>How the {domain} score is computed</summary>\n\n{doc}\n\n</details>"

USAGE_ACCEPT = "Usage: `/audit accept DOMAIN REASON...`. Domains: {domains}."
USAGE_REVOKE = "Usage: `/audit revoke DOMAIN`. Domains: {domains}."
UNKNOWN_DOMAIN = "Verity knows no domain named `{name}`, so it did nothing. Domains: {domains}."
REASON_REQUIRED = "Verity did nothing: an acceptance needs a reason, as in `/audit accept {domain} REASON...`."
REASON_TOO_LONG = "Verity did nothing: the reason is {length} characters long; keep it under {limit}."
NOT_REGRESSED = (
    "Verity did nothing: {domain} did not regress at `{sha}`, so there is nothing to accept. "
    "`/audit explain {domain}` shows its breakdown."
)
ACCEPTED = (
    "Accepted the {domain} regression at `{sha}` (score {score}): accepted by @{login}: {reason}\n\n"
    "The check run was re-published and the gate re-evaluated. The acceptance holds across later pushes "
    "until {domain} gets worse than now: a new finding at or above `{severity}`, or a score more than "
    "{tolerance:g} points below {score}. `/audit revoke {domain}` withdraws it."
)
NOT_ACCEPTED = "Verity did nothing: {domain} has no acceptance on this pull request."
REVOKED = (
    "Revoked the acceptance of the {domain} regression by @{accepted_by}. "
    "The check run was re-published and the gate re-evaluated."
)
COMMAND_FAILED = "Verity could not finish this command: {reason}"
POLICY_ERROR = "Verity could not read the policy file on the base branch, so it did nothing: {error}"

TRAIL_TITLE = "### Acceptances (audit trail)"
TRAIL_ACCEPTED = "- {domain}: accepted by @{login} at {at} on `{sha}`: {reason}"
TRAIL_REVOKED = "- {domain}: the acceptance by @{accepted_by} was revoked by @{login} at {at} on `{sha}`"
TRAIL_LAPSED = "- {domain}: the acceptance by @{login} lapsed at {at} on `{sha}`: {reason}"
LAPSED_NEW_FINDING = "{domain} got worse: new {severity} finding {rule} at {location} was not there when accepted"
LAPSED_SCORE = "{domain} got worse: its score fell to {head} from {accepted} when accepted (tolerance {tolerance:g})"
