"""End-to-end: `/audit` comments through the receiver, a real worker, Redis, git and the fake GitHub."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import pytest

from app.engine.model import Domain
from app.github.job import QUEUE
from app.jobs.commands import text
from app.jobs.commands.explain import DOMAINS
from app.report.escape import escape_untrusted
from app.store.acceptances import AcceptanceStore
from app.store.keys import COOLDOWN_SECONDS
from tests.e2e import payloads
from tests.e2e.conftest import Stack
from tests.e2e.scenarios import BASE, REGRESSION

AUTHOR = "octocat"  # the fake's PR author; read access only
ROLES = {"rita": "read", "tom": "triage", "wendy": "write", "max": "maintain", "ada": "admin", AUTHOR: "read"}
WRITER = "wendy"
INJECTION = "@org/team <img src=x onerror=alert(1)> [click here](https://evil.example/steal) ok"
BENIGN = {"README.md": BASE["README.md"] + "\nMore words about the demo.\n"}
WORSE = {"demo/shell.py": REGRESSION["demo/shell.py"] + (
    "\n\ndef run_again(command: str) -> object:\n"
    '    """Run a command line again."""\n'
    '    return subprocess.run(command + " again", shell=True, check=False)\n'
)}
_comment_ids = itertools.count(70_000)


@dataclass(frozen=True)
class Answer:
    """How Verity answered one comment: its reactions, in order, and its reply."""

    reactions: list[str]
    reply: str | None


def comment(stack: Stack, body: str, login: str, action: str = "created", user_type: str = "User",
            on_pull: bool = True) -> tuple[int, dict[str, Any]]:
    """Return a real issue_comment payload, with the comment stored in the fake as GitHub would hold it."""
    payload = payloads.example("issue_comment", action)
    payloads.rewrite(payload, stack.target)
    comment_id = next(_comment_ids)
    payload["issue"]["number"] = stack.target.number
    if on_pull:
        payload["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{stack.target.full_name}/pulls/7"}
    payload["comment"].update(id=comment_id, body=body)
    payload["comment"]["user"].update(login=login, type=user_type)
    stack.fake.issue_comments[comment_id] = dict(payload["comment"])
    return comment_id, payload


def command(stack: Stack, body: str, login: str = WRITER) -> Answer:
    """Deliver a command comment and wait until Verity replies or reacts 👍."""
    for who, role in ROLES.items():
        stack.fake.permissions[(stack.target.full_name, who)] = role
    comment_id, payload = comment(stack, body, login)
    replies = len(stack.fake.replies)
    assert stack.deliver("issue_comment", payload).status_code == 202

    def answered() -> Answer | None:
        mine = [r["content"] for r in stack.fake.reactions if r["comment_id"] == comment_id]
        new = stack.fake.replies[replies:]
        if text.DONE in mine or new:
            return Answer(mine, new[0]["body"] if new else None)
        return None

    answer: Answer = stack.wait_for(answered, 30, f"an answer to {body!r}")
    assert answer.reactions[0] == text.EYES
    return answer


def pattern(template: str, **known: Any) -> re.Pattern[str]:
    """Return a regex of a text constant: known placeholders filled in, the others any text."""
    parts = re.split(r"(\{\w+(?::[^}]*)?\})", template)
    out = []
    for part in parts:
        name = re.fullmatch(r"\{(\w+)(?::[^}]*)?\}", part)
        if name is None:
            out.append(re.escape(part))
        else:
            out.append(re.escape(format(known[name[1]])) if name[1] in known else ".+?")
    return re.compile("".join(out), re.DOTALL)


def open_regression(stack: Stack) -> str:
    """Open a PR whose head adds a security regression, wait for its failed check, return the head."""
    stack.shas["base"] = stack.repo.commit(BASE, "base")
    stack.repo.publish("main")
    head = stack.repo.commit(REGRESSION, "pr", branch="feature")
    stack.push_pull(head)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    assert stack.completed_run(head)["conclusion"] == "failure"
    return head


def push(stack: Stack, files: dict[str, str]) -> dict[str, Any]:
    """Push a commit to the PR and return its completed check run."""
    head = stack.repo.commit(files, "push", branch="feature")
    stack.push_pull(head)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "synchronize", head))
    return stack.completed_run(head)


def run_of(stack: Stack, head: str) -> dict[str, Any]:
    """Return the check run of a head SHA as it stands now."""
    (run,) = stack.fake.runs_for(head)
    return run


def test_help_lists_the_commands_in_any_case(stack: Stack) -> None:
    expected = text.HELP.format(cooldown=COOLDOWN_SECONDS, domains=DOMAINS)
    assert command(stack, "/audit help", "rita").reply == expected
    assert command(stack, "/AUDIT Help\nmore text", "rita").reply == expected


def test_unknown_command_says_why_and_changes_nothing(stack: Stack) -> None:
    answer = command(stack, "/audit frobnicate @org/team", "ada")
    assert answer.reply == text.UNKNOWN_COMMAND.format(name="frobnicate")
    bad_domain = command(stack, "/audit accept <b>security</b> reason", "ada")
    assert bad_domain.reply == text.UNKNOWN_DOMAIN.format(name=escape_untrusted("<b>security</b>"), domains=DOMAINS)
    assert stack.fake.calls("POST", r"/check-runs") == [] and stack.fake.calls("PATCH", r"/check-runs") == []
    assert AcceptanceStore(stack.redis, stack.target.repo_id, stack.target.number).trail() == []


@pytest.mark.parametrize(("action", "user_type", "on_pull", "body"), [
    ("created", "Bot", True, "/audit run"),
    ("created", "User", False, "/audit run"),
    ("edited", "User", True, "/audit run"),
    ("deleted", "User", True, "/audit run"),
    ("created", "User", True, "please /audit run"),
])
def test_bots_issues_edits_deletions_and_chatter_are_ignored(stack: Stack, action: str, user_type: str,
                                                            on_pull: bool, body: str) -> None:
    _, payload = comment(stack, body, WRITER, action, user_type, on_pull)
    response = stack.deliver("issue_comment", payload)
    assert (response.status_code, response.json()["outcome"]) == (200, "ignored")
    assert stack.redis.llen(QUEUE) == 0
    assert stack.fake.requests == []


def test_explain_a_check_code_and_a_ruff_code(stack: Stack) -> None:
    sec001 = command(stack, "/audit explain sec001", "rita").reply or ""
    assert pattern(text.CHECK_DOC, code="SEC001", name="hardcoded-secret", domain="security",
                   severity="high").fullmatch(sec001)
    assert "What it does" in sec001
    ruff = command(stack, "/audit explain S602", "rita").reply or ""
    assert pattern(text.RUFF_DOC, code="S602", domain="security", severity="high").fullmatch(ruff)
    assert "shell" in ruff
    unknown = command(stack, "/audit explain [x](http://e.example)", "rita").reply
    assert unknown == text.UNKNOWN_TOPIC.format(topic=escape_untrusted("[x](http://e.example)"), domains=DOMAINS)


def test_explain_domain_breaks_down_the_current_head(stack: Stack) -> None:
    head = open_regression(stack)
    reply = command(stack, "/audit explain Security", "rita").reply or ""
    title = text.BREAKDOWN_TITLE.format(domain="security", sha=head[:12], base="100.0", head="77.9", delta="-22.1",
                                        verdict="regressed")
    assert reply.startswith(title + "\n")
    assert text.BREAKDOWN_STEPS in reply
    assert re.search(r"^- -22\.1 S602 subprocess-popen-with-shell-equals-true demo/shell\.py:8 \\\(high\\\)$", reply,
                     re.MULTILINE)
    assert "- **high** `S602`" in reply and "`demo/shell.py:8`" in reply
    assert text.BREAKDOWN_NEW.format(count=1) in reply
    quiet = command(stack, "/audit explain docs", "rita").reply or ""
    assert text.BREAKDOWN_NO_STEPS in quiet


def test_run_by_author_and_writers_only_once_per_cooldown(stack: Stack) -> None:
    head = open_regression(stack)
    run_id = run_of(stack, head)["id"]
    patches = len(stack.fake.check_runs[run_id]["patches"])
    denied = command(stack, "/audit run", "rita")
    assert denied.reply == text.DENIED.format(command="run", needed=text.NEEDS_AUTHOR_OR_WRITE, login="rita",
                                              role="read")
    by_author = command(stack, "/audit", AUTHOR)  # read access, but it is their pull request
    assert by_author.reply is None and by_author.reactions == [text.EYES, text.DONE]
    assert len(stack.fake.check_runs[run_id]["patches"]) >= patches + 2
    rerun_patches = len(stack.fake.check_runs[run_id]["patches"])
    limited = command(stack, "/audit RUN", "ada")
    assert pattern(text.RATE_LIMITED, cooldown=COOLDOWN_SECONDS).fullmatch(limited.reply or "")
    assert len(stack.fake.check_runs[run_id]["patches"]) == rerun_patches
    assert len(stack.fake.calls("POST", r"/check-runs$")) == 1


def test_only_write_maintain_and_admin_may_accept_and_revoke(stack: Stack) -> None:
    head = open_regression(stack)
    for login in ("rita", "tom", AUTHOR):
        answer = command(stack, "/audit accept security we know", login)
        assert answer.reply == text.DENIED.format(command="accept", needed=text.NEEDS_WRITE, login=login,
                                                  role=ROLES[login])
    assert run_of(stack, head)["conclusion"] == "failure"
    accepted = command(stack, "/audit accept security fixed in the next PR", "wendy")
    assert pattern(text.ACCEPTED, domain="security", sha=head[:12], login="wendy",
                   reason="fixed in the next PR").fullmatch(accepted.reply or "")
    run = run_of(stack, head)
    assert run["conclusion"] == "success"
    assert "- security: accepted by @wendy: fixed in the next PR" in run["output"]["summary"]
    assert text.TRAIL_TITLE in run["output"]["text"]
    denied = command(stack, "/audit revoke security", "tom")
    assert denied.reply == text.DENIED.format(command="revoke", needed=text.NEEDS_WRITE, login="tom", role="triage")
    revoked = command(stack, "/audit revoke security", "max")
    assert revoked.reply == text.REVOKED.format(domain="security", accepted_by="wendy")
    assert run_of(stack, head)["conclusion"] == "failure"
    again = command(stack, "/audit accept security admin says so", "ada")
    assert (again.reply or "").startswith("Accepted the security regression")
    run = run_of(stack, head)
    assert run["conclusion"] == "success"
    trail = [line for line in run["output"]["text"].splitlines() if line.startswith("- security: ")]
    assert [line.split(" at ")[0] for line in trail] == [
        "- security: accepted by @wendy", "- security: the acceptance by @wendy was revoked by @max",
        "- security: accepted by @ada",
    ]


def test_accept_needs_a_regression_and_a_reason_revoke_needs_an_acceptance(stack: Stack) -> None:
    head = open_regression(stack)
    assert command(stack, "/audit accept security").reply == text.REASON_REQUIRED.format(domain="security")
    assert command(stack, "/audit accept docs it is fine").reply == text.NOT_REGRESSED.format(domain="docs",
                                                                                             sha=head[:12])
    assert command(stack, "/audit revoke security").reply == text.NOT_ACCEPTED.format(domain="security")
    assert run_of(stack, head)["conclusion"] == "failure"
    assert AcceptanceStore(stack.redis, stack.target.repo_id, stack.target.number).trail() == []


def test_injection_in_reason_is_echoed_inert(stack: Stack) -> None:
    head = open_regression(stack)
    reply = command(stack, f"/audit accept security {INJECTION}").reply or ""
    run = run_of(stack, head)
    escaped = escape_untrusted(INJECTION)
    # Verity's own links to files at the head are the only links the posts may hold.
    bases = "|".join(re.escape(u) for u in (stack.target.html_url, stack.target.clone_url.removesuffix(".git")))
    own_links = re.compile(rf"\]\((?:{bases})/blob/{head}/[^)\s]*\)")
    for posted in (reply, run["output"]["summary"], run["output"]["text"]):
        assert escaped in posted
        posted = own_links.sub("]", posted)
        assert "@org/team" not in posted and "<img" not in posted and "](" not in posted
        assert "https://" not in posted
    assert f"accepted by @wendy: {escaped}" in run["output"]["summary"]


def test_acceptance_survives_a_benign_push_and_lapses_when_the_domain_gets_worse(stack: Stack) -> None:
    open_regression(stack)
    command(stack, "/audit accept security tracked in JIRA-12")
    benign = push(stack, BENIGN)
    assert benign["conclusion"] == "success"
    assert "- security: accepted by @wendy: tracked in JIRA-12" in benign["output"]["summary"]
    worse = push(stack, WORSE)
    assert worse["conclusion"] == "failure"
    lapsed = [line for line in worse["output"]["text"].splitlines() if "lapsed" in line]
    assert len(lapsed) == 1
    assert pattern(text.TRAIL_LAPSED, domain="security", login="wendy").fullmatch(lapsed[0])
    assert "new high finding S602 at demo/shell.py:13" in lapsed[0]
    assert AcceptanceStore(stack.redis, stack.target.repo_id, stack.target.number).active() == {}
    assert Domain.SECURITY.value in worse["output"]["title"]


def test_a_refusal_from_github_is_reported_not_swallowed(stack: Stack) -> None:
    stack.fake.fail("GET", r"/pulls/\d+$", 404)
    answer = command(stack, "/audit explain security", "rita")
    assert pattern(text.COMMAND_FAILED).fullmatch(answer.reply or "")
    assert "404" in (answer.reply or "")
