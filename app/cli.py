"""The `verity` command: audit, report, rules, explain, serve, worker."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

from app.checks.registry import CHECKS
from app.engine.cache import SQLiteFactsCache
from app.engine.pipeline import audit_commits
from app.engine.report import Report
from app.engine.ruff import RuffError
from app.gitrepo.repo import GitError, GitRepo
from app.report.markdown import render_markdown
from app.report.progress import audit_progress, github_web_url
from app.report.sarif import render_sarif
from app.report.text import render_text
from app.version import verity_version
from config.policy import PolicyError
from config.settings import SettingsError, cli_cache_path

if TYPE_CHECKING:
    from app.engine.standing import Standing

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
REPORT_FORMATS = ("text", "markdown", "html", "json")


class UsageError(Exception):
    """Bad input from the user: exit 2 with a one-line message."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors exit 2 with one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Report a usage error on one line and exit 2."""
        print(f"verity: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = _Parser(prog="verity", description="Audit the change between two commits from evidence.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    audit = sub.add_parser("audit", help="audit merge-base(base, head)..head")
    audit.add_argument("--repo", default=".")
    audit.add_argument("--base", required=True)
    audit.add_argument("--head", default="HEAD")
    audit.add_argument("--format", choices=("text", "markdown", "json", "sarif"), default="text")
    audit.add_argument("--config", help="a policy file to use instead of the base commit's")
    audit.add_argument("--link-base", metavar="URL",
                       help="the repository's web address for markdown links (default: origin when on GitHub)")
    audit.add_argument("--all", action="store_true", dest="everything",
                       help="sarif: every finding at head, with baselineState new, unchanged or absent")
    report = sub.add_parser("report", help="where the whole repository stands at one commit (never a gate)")
    report.add_argument("--repo", default=".")
    report.add_argument("--at", default="HEAD", help="the commit to report on")
    report.add_argument("--format", choices=REPORT_FORMATS, default="text")
    rules = sub.add_parser("rules", help="list every check")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    explain = sub.add_parser("explain", help="document a check code or a domain's score")
    explain.add_argument("topic")
    serve = sub.add_parser("serve", help="run the webhook receiver")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("worker", help="run a Celery worker", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list[:1] == ["worker"]:  # every other argument belongs to Celery
            return _worker(args_list[1:])
        args = build_parser().parse_args(args_list)
        return _COMMANDS[args.command](args)
    except (UsageError, GitError, PolicyError, RuffError, SettingsError) as exc:
        print(f"verity: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _audit(args: argparse.Namespace) -> int:
    """Audit a change and print the report in the chosen format (progress on stderr when it is a terminal)."""
    repo = GitRepo(args.repo)
    repo.check()
    base, head = repo.resolve(args.base), repo.resolve(args.head)
    if args.everything and args.format != "sarif":
        raise UsageError("--all applies to --format sarif only")
    cache = SQLiteFactsCache(cli_cache_path())
    try:
        with audit_progress(sys.stderr, (base, head)) as progress:
            report = audit_commits(repo, base, head, cache, policy_text=_read_config(args.config),
                                   progress=progress)
    finally:
        cache.close()
    link_base = args.link_base or (github_web_url(repo) if args.format == "markdown" else None)
    sys.stdout.write(render(report, args.format, link_base=link_base, everything=args.everything,
                            colour=sys.stdout.isatty()))
    return EXIT_PASS if report.passed else EXIT_FAIL


def _report(args: argparse.Namespace) -> int:
    """Print where the repository stands at one commit; a report is not a gate, so it exits 0."""
    from app.engine.standing import standing_at  # imported per command: each import slows every command

    repo = GitRepo(args.repo)
    repo.check()
    sha = repo.resolve(args.at)
    cache = SQLiteFactsCache(cli_cache_path())
    try:
        result = standing_at(repo, sha, cache)
    finally:
        cache.close()
    sys.stdout.write(render_standing(result, args.format))
    return EXIT_PASS


def render_standing(result: Standing, fmt: str) -> str:
    """Render a standing in one of the report's formats."""
    from app.report.standing_html import render_standing_html
    from app.report.standing_json import standing_json
    from app.report.standing_markdown import render_standing_markdown
    from app.report.standing_text import render_standing_text

    if fmt == "json":
        return json.dumps(standing_json(result, verity_version()), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_standing_markdown(result)
    if fmt == "html":
        return render_standing_html(result, verity_version())
    return render_standing_text(result)


def _read_config(path: str | None) -> str | None:
    """Return the text of a policy file given with --config."""
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def render(report: Report, fmt: str, link_base: str | None = None, everything: bool = False,
           colour: bool = False) -> str:
    """Render a report in one of the CLI's formats."""
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown(report, link_base)
    if fmt == "sarif":
        return render_sarif(report, verity_version(), everything)
    return render_text(report, colour=colour)


def _rules(fmt: str) -> int:
    """Print every check with its code, name, domain, severity and summary."""
    rows = [
        {"code": c.rule.code, "name": c.rule.name, "domain": c.rule.domain.value,
         "severity": c.rule.severity.value, "summary": c.rule.summary}
        for c in sorted(CHECKS, key=lambda c: c.rule.code)
    ]
    if fmt == "json":
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['code']:<8} {row['name']:<40} {row['domain']:<15} {row['severity']:<9} {row['summary']}")
    return EXIT_PASS


def _explain(topic: str) -> int:
    """Print a check's (or a ruff rule's) documentation, or how a domain's score is computed."""
    from app.engine.scoring_docs import domain_doc
    from app.jobs.commands.explain import domain_named, explain_code

    doc = explain_code(topic)
    if doc is None:
        domain = domain_named(topic)
        doc = domain_doc(domain) if domain is not None else None
    if doc is None:
        raise UsageError(f"unknown check code or domain: {topic}")
    print(doc.rstrip("\n"))
    return EXIT_PASS


def _serve(host: str, port: int) -> int:
    """Run the webhook receiver."""
    from app.web.server import run  # imported here: the CLI's audit path needs no web stack

    run(host, port)
    return EXIT_PASS


def _worker(argv: list[str]) -> int:
    """Run a Celery worker, like `celery -A workers.celery_app worker`."""
    from workers.celery_app import run_worker  # imported here: only the worker needs Celery

    run_worker(argv)
    return EXIT_PASS


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "audit": _audit,
    "report": _report,
    "rules": lambda args: _rules(args.format),
    "explain": lambda args: _explain(args.topic),
    "serve": lambda args: _serve(args.host, args.port),
}


def run() -> NoReturn:
    """Run the command line as the `verity` program, then leave at once (as mypy's fast exit does).

    An audit's facts are millions of objects: an ordinary exit frees every one and collects them
    all once more, which cost a warm audit of a big repository a third of its time. Everything `audit`
    and `report` own is closed before `main` returns (the facts cache, ruff's folders, the process
    pool), so only the output streams and the log handlers are left to flush.
    """
    code = main()
    if sys.argv[1:2] not in (["audit"], ["report"]):
        raise SystemExit(code)  # the servers (`worker`, `serve`) and the quick commands exit as usual
    if "logging" in sys.modules:  # not imported on the audit path (it costs ~3 ms): no handler to flush
        import logging

        logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`verity audit | head`) has nothing to flush
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
