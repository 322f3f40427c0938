#!/usr/bin/env python3
"""Audit the recent first-parent history of real public repositories and report what goes wrong.

For each repository of the corpus (a bare mirror kept outside this repository), audits each of the
last N first-parent commits against its first parent, in process, with one facts cache per
repository, and reports: crashes (any exception but the engine's own input errors), input errors
(what the CLI maps to exit 2), the commits blocked with their reasons, the median and p95 audit
time, and per domain how often the score moved with no new or fixed finding and no metric change.
Prints a summary and writes the whole run as JSON. The audited repositories' code is only read as
git objects, never run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: this checkout's engine, unless PYTHONPATH names another
    sys.path.append(str(ROOT))

DEFAULT_CORPUS_DIR = Path("/work/.mirror")
DEFAULT_OUT = ROOT / ".bench" / "corpus.json"
DEFAULT_COMMITS = 40
PASSED, BLOCKED, INPUT_ERROR, CRASH = "passed", "blocked", "input-error", "crash"
MISSING = "missing"  # the repository's mirror is absent: nothing was audited


@dataclass(frozen=True)
class CorpusRepo:
    """One repository of the corpus: its GitHub name, what kind of project it is, and whether it is well kept."""

    name: str
    kind: str
    well_kept: bool


CORPUS: tuple[CorpusRepo, ...] = (
    CorpusRepo("healthchecks/healthchecks", "Django app", True),
    CorpusRepo("encode/starlette", "ASGI framework", True),
    CorpusRepo("encode/httpx", "well-kept library", True),
    CorpusRepo("fastapi/full-stack-fastapi-template", "full-stack FastAPI template, generated TS client", True),
    CorpusRepo("GoogleCloudPlatform/microservices-demo", "Kubernetes microservices demo", False),
    CorpusRepo("kedro-org/kedro", "ML / data framework", True),
    CorpusRepo("openai/openai-python", "generated API client", True),
    CorpusRepo("JanaviN7/Vendrya-backend", "small FastAPI service committing .venv/ and venv/", False),
    CorpusRepo("PROJECTSRM1/swachify-india-BE", "small service committing venv/ (pip only), merged PRs", False),
    CorpusRepo("pallets/flask", "web framework", True),
    CorpusRepo("psf/requests", "HTTP library", True),
    CorpusRepo("encode/django-rest-framework", "Django library with a docs site", True),
    CorpusRepo("fastapi/sqlmodel", "ORM library, docs_src examples", True),
    CorpusRepo("scrapy/scrapy", "crawling framework", True),
    CorpusRepo("aio-libs/aiohttp", "async HTTP library with C extensions, vendored llhttp", True),
    CorpusRepo("stefanprodan/podinfo", "Go service with Helm chart, Kustomize and Kubernetes manifests", True),
    CorpusRepo("docker/awesome-compose", "many small compose apps and Dockerfiles", False),
    CorpusRepo("fastapi/fastapi", "web framework, docs_src examples in many languages", True),
    CorpusRepo("pypa/pip", "packaging tool vendoring its dependencies", True),
    CorpusRepo("kubernetes/examples", "Kubernetes manifests of many ages", False),
    CorpusRepo("netbox-community/netbox", "large Django application", True),
    CorpusRepo("saleor/saleor", "Django GraphQL commerce platform", True),
    CorpusRepo("Textualize/rich", "terminal rendering library", True),
    CorpusRepo("python-poetry/poetry", "packaging tool with a lock file", True),
    CorpusRepo("dockersamples/example-voting-app", "polyglot demo: compose, Kubernetes specs, Dockerfiles", False),
    CorpusRepo("bitnami-labs/sealed-secrets", "Go controller with Helm chart and manifests", True),
    CorpusRepo("encode/uvicorn", "ASGI server", True),
    CorpusRepo("celery/celery", "task queue, Docker test stack", True),
    CorpusRepo("open-telemetry/opentelemetry-demo", "polyglot microservices: compose, Kubernetes, many Dockerfiles",
               True),
    CorpusRepo("prometheus-community/helm-charts", "Helm charts with JSON dashboards under templates", True),
    CorpusRepo("pytest-dev/pytest", "test framework", True),
    CorpusRepo("pydantic/pydantic", "validation library, Rust core as a dependency", True),
    CorpusRepo("GoogleCloudPlatform/kubernetes-engine-samples", "many small GKE samples in many languages", False),
    CorpusRepo("prometheus-operator/kube-prometheus", "jsonnet generating Kubernetes manifests", True),
    CorpusRepo("fastapi/typer", "CLI library, docs_src examples", True),
    CorpusRepo("psf/black", "code formatter, test data of odd Python", True),
    CorpusRepo("argoproj/argocd-example-apps", "Helm, kustomize, jsonnet and plain manifests", False),
    CorpusRepo("sqlalchemy/alembic", "migration tool, generated templates", True),
    CorpusRepo("wagtail/wagtail", "large Django CMS with a JavaScript front end", True),
    CorpusRepo("pallets/click", "CLI library", True),
    CorpusRepo("huggingface/diffusers", "ML library: pipelines, conversion scripts, optional back ends", True),
    CorpusRepo("mitmproxy/mitmproxy", "proxy with a web UI, test certificates and keys", True),
    CorpusRepo("jazzband/django-debug-toolbar", "Django app with templates and static files", True),
    CorpusRepo("aws-samples/aws-cdk-examples", "CDK samples in many languages, Lambda handlers", False),
    CorpusRepo("tiangolo/uwsgi-nginx-flask-docker", "Docker images for Flask, many Python versions", False),
    CorpusRepo("getredash/redash", "Flask app with a React front end, query runners for many databases", True),
    CorpusRepo("jupyterhub/jupyterhub", "multi-user server, JavaScript and Python, Helm elsewhere", True),
    CorpusRepo("python-telegram-bot/python-telegram-bot", "async library, many optional extras", True),
    CorpusRepo("Netflix/dispatch", "incident management: FastAPI, Vue, plugins", True),
    CorpusRepo("locustio/locust", "load-testing tool with a web UI", True),
    CorpusRepo("pypi/warehouse", "PyPI itself: large Pyramid application, many migrations", True),
    CorpusRepo("httpie/cli", "command-line HTTP client", True),
    CorpusRepo("pallets/werkzeug", "WSGI library, test certificates", True),
    CorpusRepo("Kong/charts", "Helm charts", True),
    CorpusRepo("Delgan/loguru", "logging library", True),
    CorpusRepo("microsoft/playwright-python", "browser automation, generated API", True),
    CorpusRepo("home-assistant/supervisor", "Docker supervisor service", True),
    CorpusRepo("getsentry/sentry-python", "SDK with many integrations", True),
    CorpusRepo("paramiko/paramiko", "SSH library with test keys", True),
    CorpusRepo("certbot/certbot", "ACME client, monorepo with test certificates", True),
    CorpusRepo("zalando/patroni", "PostgreSQL HA daemon with Kubernetes manifests", True),
    CorpusRepo("grafana/helm-charts", "Helm charts", True),
    CorpusRepo("tox-dev/tox", "test runner", True),
    CorpusRepo("marshmallow-code/marshmallow", "serialisation library", True),
    CorpusRepo("Textualize/textual", "TUI framework", True),
    CorpusRepo("cookiecutter/cookiecutter-django", "project template with Docker and compose", True),
    CorpusRepo("pre-commit/pre-commit", "hook runner", True),
    CorpusRepo("apache/libcloud", "cloud SDK with credentials in test fixtures", True),
    CorpusRepo("sphinx-doc/sphinx", "documentation generator", True),
    CorpusRepo("hynek/structlog", "logging library", True),
    CorpusRepo("DataDog/helm-charts", "Helm charts", True),
    CorpusRepo("argoproj/argo-helm", "Helm charts", True),
    CorpusRepo("getmoto/moto", "AWS mock library with fake credentials", True),
    CorpusRepo("kubernetes-sigs/kubespray", "Ansible playbooks and Kubernetes manifests", True),
    CorpusRepo("jupyter/docker-stacks", "Docker images with Python tests", True),
    CorpusRepo("strawberry-graphql/strawberry", "GraphQL library", True),
    CorpusRepo("ansible/ansible-lint", "linter with YAML fixtures", True),
    CorpusRepo("jazzband/pip-tools", "dependency tooling", True),
    CorpusRepo("docker-library/python", "official image Dockerfiles", True),
    CorpusRepo("traefik/traefik-helm-chart", "Helm chart", True),
    CorpusRepo("python-attrs/attrs", "library", True),
    CorpusRepo("mkdocs/mkdocs", "documentation site generator", True),
    CorpusRepo("pallets/jinja", "template engine", True),
    CorpusRepo("open-telemetry/opentelemetry-python", "monorepo of packages", True),
    CorpusRepo("fsspec/filesystem_spec", "filesystem library", True),
    CorpusRepo("graphql-python/graphene", "GraphQL library", True),
    CorpusRepo("aio-libs/yarl", "URL library with Cython", True),
    CorpusRepo("kubernetes-client/python", "generated API client", True),
    CorpusRepo("pylint-dev/pylint", "linter with test inputs", True),
    CorpusRepo("Kludex/mangum", "ASGI adapter for AWS Lambda", True),
    CorpusRepo("pallets/itsdangerous", "signing library", True),
    CorpusRepo("jazzband/django-silk", "Django profiler app", True),
    CorpusRepo("cookiecutter/cookiecutter", "project generator with template fixtures", True),
    CorpusRepo("benoitc/gunicorn", "WSGI server", True),
    CorpusRepo("redis/redis-py", "database client with a Docker test stack", True),
    CorpusRepo("urllib3/urllib3", "HTTP library, test certificates", True),
    CorpusRepo("PyCQA/bandit", "security linter with vulnerable example code", True),
    CorpusRepo("pdm-project/pdm", "packaging tool with a lock file and fixtures", True),
    CorpusRepo("pypa/hatch", "packaging tool, monorepo of two packages", True),
    CorpusRepo("Pylons/pyramid", "web framework", True),
    CorpusRepo("MagicStack/asyncpg", "database driver with Cython", True),
    CorpusRepo("psycopg/psycopg", "database driver, several packages, generated sync code", True),
    CorpusRepo("coleifer/peewee", "ORM, one big module", True),
    CorpusRepo("django/channels", "Django ASGI library", True),
    CorpusRepo("jazzband/django-oauth-toolkit", "Django OAuth provider", True),
    CorpusRepo("PyCQA/flake8", "linter", True),
    CorpusRepo("python-arq/arq", "job queue on Redis", True),
    CorpusRepo("tornadoweb/tornado", "async web framework with C speedups", True),
    CorpusRepo("bottlepy/bottle", "single-module web framework", True),
    CorpusRepo("falconry/falcon", "web framework with Cython", True),
    CorpusRepo("sanic-org/sanic", "async web server", True),
    CorpusRepo("pallets/quart", "async Flask", True),
    CorpusRepo("jd/tenacity", "retry library, release notes as files", True),
    CorpusRepo("python-jsonschema/jsonschema", "validation library with a test suite submodule", True),
    CorpusRepo("aws/chalice", "serverless framework with templates", True),
    CorpusRepo("getsentry/responses", "HTTP mocking library", True),
    CorpusRepo("spulec/freezegun", "time mocking library", True),
    CorpusRepo("pytest-dev/pytest-django", "pytest plugin", True),
    CorpusRepo("simonw/datasette", "data publishing tool with plugins and templates", True),
    CorpusRepo("simonw/sqlite-utils", "CLI and library", True),
    CorpusRepo("dbt-labs/dbt-core", "data transformation tool, generated schemas", True),
    CorpusRepo("encode/databases", "async database library", True),
    CorpusRepo("miguelgrinberg/Flask-SocketIO", "Flask extension with example apps", True),
    CorpusRepo("pydantic/pydantic-settings", "settings library reading the environment", True),
    CorpusRepo("Flask-Middleware/flask-security", "authentication extension with translations", True),
    CorpusRepo("joke2k/django-environ", "environment configuration library", True),
    CorpusRepo("encode/apistar", "archived API toolkit", False),
    CorpusRepo("jowilf/starlette-admin", "admin interface with JavaScript and templates", True),
    CorpusRepo("aio-libs/aiobotocore", "async AWS client patching botocore", True),
    CorpusRepo("litestar-org/litestar", "large ASGI framework, docs examples", True),
    CorpusRepo("reflex-dev/reflex", "full-stack framework generating a JavaScript app", True),
    CorpusRepo("fastapi-users/fastapi-users", "authentication library", True),
    CorpusRepo("tiangolo/asyncer", "small async utility library", True),
    CorpusRepo("zauberzeug/nicegui", "UI framework with many examples", True),
    CorpusRepo("stakater/Reloader", "Kubernetes controller with Helm chart and manifests", True),
    CorpusRepo("open-policy-agent/gatekeeper-library", "policy library: Rego, Kubernetes YAML and tests", True),
    CorpusRepo("fluxcd/flux2-kustomize-helm-example", "GitOps example: Kustomize overlays and Helm releases", False),
    CorpusRepo("wger-project/wger", "Django application with Docker and a REST API", True),
    CorpusRepo("mealie-recipes/mealie", "FastAPI application with a Vue front end and Docker", True),
    CorpusRepo("paperless-ngx/paperless-ngx", "Django application with Celery, Docker and an Angular front end", True),
    CorpusRepo("CTFd/CTFd", "Flask application with plugins, themes and Docker", True),
    CorpusRepo("sissbruecker/linkding", "Django application with Docker and a JavaScript front end", True),
    CorpusRepo("TandoorRecipes/recipes", "Django application with a Vue front end and Docker", True),
    CorpusRepo("freedomofpress/securedrop", "security-critical application: Ansible, Docker, Python", True),
    CorpusRepo("jumpserver/jumpserver", "Django bastion host with Docker and many apps", True),
)


@dataclass
class CommitResult:
    """The audit of one commit against its first parent."""

    repo: str
    sha: str
    parent: str
    subject: str
    outcome: str
    seconds: float = 0.0
    reasons: list[str] = field(default_factory=list)
    new_findings: int = 0
    fixed_findings: int = 0
    unexplained: list[dict[str, Any]] = field(default_factory=list)  # domains that moved with no evidence
    skipped_files: int = 0
    notes: list[str] = field(default_factory=list)
    error: str = ""
    traceback: str = ""
    contract: list[str] = field(default_factory=list)  # ways the JSON report broke its schema or its verdicts
    report_sha256: str = ""  # of the whole JSON report: two engines that agree on a commit give the same


# --- the summary (pure functions, unit-tested) ----------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Return the nearest-rank percentile (share in 0..1) of the values, 0.0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def is_metric_line(line: str) -> bool:
    """Return whether an explanation line (e.g. `+1.0 metric docstring-coverage: ...`) is a metric's move."""
    parts = line.split(" ", 2)
    return len(parts) > 1 and parts[1] == "metric"


def unexplained_moves(domains: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the domains of a JSON report whose score moved with no new or fixed finding and no metric change."""
    moved = []
    for domain in domains:
        delta = domain.get("delta")
        if not delta or domain.get("new_findings") or domain.get("fixed_findings"):
            continue
        explanation = list(domain.get("explanation", ()))
        if any(is_metric_line(line) for line in explanation):
            continue
        moved.append({"domain": domain["domain"], "delta": delta, "explanation": explanation})
    return moved


def verdict_problems(domains: Iterable[Mapping[str, Any]]) -> list[str]:
    """Return each domain whose verdict contradicts its numbers, or that regressed without structured reasons."""
    problems = []
    for domain in domains:
        name, verdict = domain["domain"], domain.get("verdict")
        blank = domain.get("base") is None and domain.get("head") is None
        if (verdict == "n/a") != blank and not (blank and verdict in ("regressed", "accepted")):
            problems.append(f"{name}: verdict {verdict} with scores {domain.get('base')} -> {domain.get('head')}")
        if verdict in ("regressed", "accepted") and not domain.get("reasons"):
            problems.append(f"{name}: {verdict} without structured reasons")
        if domain.get("blocking") and verdict != "regressed":
            problems.append(f"{name}: blocking but verdict {verdict}")
        if verdict == "improved" and domain.get("regressed"):
            problems.append(f"{name}: improved yet regressed")
    return problems


def summarise(results: Sequence[CommitResult], well_kept: frozenset[str]) -> dict[str, Any]:
    """Return the run's figures: per repository and in total."""
    by_repo: dict[str, list[CommitResult]] = {}
    for result in results:
        by_repo.setdefault(result.repo, []).append(result)
    repos = {name: _figures(rows) for name, rows in by_repo.items()}
    kept = [r for r in results if r.repo in well_kept]
    return {"repos": repos, "total": _figures(list(results)), "well_kept": _figures(kept)}


def _figures(rows: Sequence[CommitResult]) -> dict[str, Any]:
    """Return the figures of a set of audited commits."""
    outcomes = Counter(r.outcome for r in rows)
    rows = [r for r in rows if r.outcome != MISSING]
    judged = [r for r in rows if r.outcome in (PASSED, BLOCKED)]
    times = [r.seconds for r in judged]
    moved = Counter(move["domain"] for r in judged for move in r.unexplained)
    return {
        "missing_mirrors": outcomes[MISSING],
        "audited": len(rows),
        "crashes": outcomes[CRASH],
        "input_errors": outcomes[INPUT_ERROR],
        "blocked": outcomes[BLOCKED],
        "blocked_share": round(outcomes[BLOCKED] / len(judged), 4) if judged else 0.0,
        "median_seconds": round(statistics.median(times), 2) if times else 0.0,
        "p95_seconds": round(percentile(times, 0.95), 2),
        "max_seconds": round(max(times), 2) if times else 0.0,
        "moved_without_evidence": dict(moved.most_common()),
        "contract_breaks": sum(1 for r in judged if r.contract),
    }


def summary_lines(summary: Mapping[str, Any], results: Sequence[CommitResult]) -> list[str]:
    """Return the human summary of a run."""
    lines = ["", "repo                                       audited crash err2 blocked  median   p95   max"]
    for name, fig in [*summary["repos"].items(), ("TOTAL", summary["total"]), ("well-kept", summary["well_kept"])]:
        lines.append(
            f"{name:<42} {fig['audited']:>7} {fig['crashes']:>5} {fig['input_errors']:>4} "
            f"{fig['blocked']:>3} {fig['blocked_share']:>5.0%} {fig['median_seconds']:>6.2f}s "
            f"{fig['p95_seconds']:>5.2f}s {fig['max_seconds']:>5.1f}s contract breaks {fig.get('contract_breaks', 0)}"
        )
    lines += ["", "moved with no new or fixed finding and no metric change (commits per domain):"]
    for name, fig in summary["repos"].items():
        if fig["moved_without_evidence"]:
            shown = ", ".join(f"{d} {n}" for d, n in fig["moved_without_evidence"].items())
            lines.append(f"  {name}: {shown}")
    largest = sorted(((abs(m["delta"]), r, m) for r in results for m in r.unexplained), key=lambda x: -x[0])[:5]
    for _, result, move in largest:
        lines.append(f"  largest: {result.repo} {result.sha[:10]} {move['domain']} {move['delta']:+.1f} "
                     f"({'; '.join(move['explanation'])})")
    for result in results:
        if result.outcome == BLOCKED:
            lines += ["", f"BLOCKED {result.repo} {result.sha[:10]} {result.subject}"]
            lines += [f"    {reason}" for reason in result.reasons]
        if result.contract:
            lines += ["", f"CONTRACT {result.repo} {result.sha[:10]}"] + [f"    {p}" for p in result.contract[:5]]
    lines += [f"MISSING {r.repo}: {r.subject}" for r in results if r.outcome == MISSING]
    for (outcome, error), group in failure_groups(results).items():
        first = group[0]
        lines += ["", f"{outcome.upper()} x{len(group)} ({', '.join(sorted({r.repo for r in group}))}): {error}",
                  f"    first: {first.repo} {first.sha[:10]} {first.subject}"]
        lines += [f"    {line}" for line in first.traceback.strip().splitlines()[-6:]]
    return lines


def failure_groups(results: Sequence[CommitResult]) -> dict[tuple[str, str], list[CommitResult]]:
    """Group crashes and input errors by outcome and error message, so one cause prints once."""
    groups: dict[tuple[str, str], list[CommitResult]] = {}
    for result in results:
        if result.outcome in (CRASH, INPUT_ERROR):
            groups.setdefault((result.outcome, result.error), []).append(result)
    return groups


# --- auditing one repository ------------------------------------------------------


def log(message: str) -> None:
    """Print a progress line to stderr."""
    print(f"[bench-corpus] {message}", file=sys.stderr, flush=True)


def mirror_path(corpus_dir: Path, name: str) -> Path:
    """Return the git directory of a repository's mirror: DIR/OWNER+NAME/repo (or its .git when it has a work tree)."""
    repo = corpus_dir / name.replace("/", "+") / "repo"
    return repo / ".git" if (repo / ".git").is_dir() else repo


def first_parent_commits(git_dir: Path, count: int, skip: int = 0) -> list[tuple[str, str, str]]:
    """Return (sha, first parent, subject) of the last `count` first-parent commits of HEAD, oldest first,
    after the newest `skip` ones (an older window of history).

    A root commit has no parent to audit against and is left out.
    """
    out = subprocess.run(
        ["git", "--git-dir", str(git_dir), "log", "--first-parent", f"--max-count={count}", f"--skip={skip}",
         "--format=%H%x00%P%x00%s", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout
    rows = []
    for line in out.splitlines():
        sha, parents, subject = line.split("\0", 2)
        if parents:
            rows.append((sha, parents.split()[0], subject))
    return rows[::-1]


def audit_one(repo: Any, cache: Any, name: str, commit: tuple[str, str, str]) -> CommitResult:
    """Audit one commit against its first parent; any exception but an input error is a crash."""
    from app.engine.pipeline import audit_commits
    from app.engine.ruff import RuffError
    from app.gitrepo.repo import GitError
    from config.policy import PolicyError
    from config.settings import SettingsError

    sha, parent, subject = commit
    result = CommitResult(name, sha, parent, subject, PASSED)
    start = time.perf_counter()
    try:
        report = audit_commits(repo, parent, sha, cache)
    except (GitError, PolicyError, RuffError, SettingsError) as exc:  # the CLI's exit 2
        result.outcome, result.error = INPUT_ERROR, f"{type(exc).__name__}: {exc}"
        result.traceback = traceback.format_exc()
    except Exception as exc:  # a bench edge: every other exception is a crash to report
        result.outcome, result.error = CRASH, f"{type(exc).__name__}: {exc}"
        result.traceback = traceback.format_exc()
    else:
        data = report.to_json()
        result.outcome = PASSED if report.passed else BLOCKED
        result.reasons = list(report.reasons)
        result.new_findings = len(report.new_findings())
        result.fixed_findings = len(report.fixed_findings())
        result.unexplained = unexplained_moves(data["domains"])
        result.contract = schema_errors(data) + verdict_problems(data["domains"])
        result.skipped_files = len(report.skipped)
        result.notes = list(report.notes)
        result.report_sha256 = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    result.seconds = round(time.perf_counter() - start, 3)
    return result


def schema_errors(data: Any) -> list[str]:
    """Return every way a JSON report breaks docs/report.schema.json."""
    from tests.report_schema import report_errors

    return report_errors(data)


def audit_repo(corpus_dir: Path, name: str, count: int, skip: int = 0) -> list[CommitResult]:
    """Audit `count` first-parent commits of one mirror (after the newest `skip`), oldest first, sharing one
    facts cache."""
    from app.engine.cache import MemoryFactsCache
    from app.gitrepo.repo import GitRepo

    git_dir = mirror_path(corpus_dir, name)
    if not (git_dir / "HEAD").is_file():
        log(f"{name}: no mirror at {git_dir}; skipped (git clone --mirror https://github.com/{name} {git_dir})")
        return [CommitResult(name, "", "", f"no mirror at {git_dir}", MISSING)]
    repo, cache = GitRepo(git_dir), MemoryFactsCache()
    commits = first_parent_commits(git_dir, count, skip)
    results = []
    for index, commit in enumerate(commits, 1):
        result = audit_one(repo, cache, name, commit)
        detail = "; ".join(result.reasons) or result.error
        log(f"{name} {index}/{len(commits)} {commit[0][:10]} {result.outcome} {result.seconds:.1f}s {detail}".rstrip())
        results.append(result)
    return results


# --- the run -------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Return what the figures were measured on."""
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:  # Linux only, like the rest of the bench
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.splitlines()
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory": next((line.split()[1] for line in mem if line.startswith("Mem:")), ""),
        "python": platform.python_version(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def verity_revision() -> str:
    """Return the commit of this checkout, with `+dirty` when it has uncommitted changes."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "app", "config"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return sha + ("+dirty" if dirty else "")


def engine_root() -> str:
    """Return the folder the engine under test is imported from (PYTHONPATH can name another checkout)."""
    import app

    return str(Path(app.__file__).resolve().parent.parent)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Return the command-line options."""
    parser = argparse.ArgumentParser(prog="bench/corpus.py", description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=DEFAULT_COMMITS, help="first-parent commits per repository")
    parser.add_argument("--skip", type=int, default=0,
                        help="leave out the newest N first-parent commits: audit an older window of history")
    parser.add_argument("--repos", default="", help="a comma-separated subset (OWNER/NAME or NAME)")
    parser.add_argument("--corpus-dir", type=Path,
                        default=Path(os.environ.get("VERITY_CORPUS_DIR", str(DEFAULT_CORPUS_DIR))),
                        help="where the mirrors are: DIR/OWNER+NAME/repo (env VERITY_CORPUS_DIR)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the JSON file to write")
    parser.add_argument("--jobs", type=int, default=1, help="repositories audited at once, one process each")
    parser.add_argument("--summarise", type=Path, nargs="+", metavar="JSON",
                        help="audit nothing: print the summary of earlier runs' JSON files, merged")
    args = parser.parse_args(argv)
    if args.commits < 1 or args.jobs < 1 or args.skip < 0:
        parser.error("--commits and --jobs must be at least 1, --skip at least 0")
    return args


def chosen_repos(subset: str) -> list[CorpusRepo]:
    """Return the corpus repositories named by --repos (all when empty)."""
    if not subset:
        return list(CORPUS)
    wanted = {s.strip().lower() for s in subset.split(",") if s.strip()}
    chosen = [r for r in CORPUS if r.name.lower() in wanted or r.name.split("/")[1].lower() in wanted]
    known = {r.name.lower() for r in chosen} | {r.name.split("/")[1].lower() for r in chosen}
    unknown = wanted - known
    if unknown:
        raise SystemExit(f"bench/corpus.py: not in the corpus: {', '.join(sorted(unknown))}")
    return chosen


def run_all(args: argparse.Namespace, repos: Sequence[CorpusRepo]) -> list[CommitResult]:
    """Audit every chosen repository, `--jobs` at a time."""
    if args.jobs == 1:
        return [r for repo in repos for r in audit_repo(args.corpus_dir, repo.name, args.commits, args.skip)]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(audit_repo, args.corpus_dir, repo.name, args.commits, args.skip) for repo in repos]
        return [r for future in futures for r in future.result()]


def print_saved(paths: Sequence[Path]) -> int:
    """Print the summary of saved runs; a repository audited in several keeps its last run's results."""
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    by_repo: dict[str, list[CommitResult]] = {}
    well_kept: set[str] = set()
    for run in runs:
        well_kept |= {repo["name"] for repo in run["corpus"] if repo["well_kept"]}
        fresh: dict[str, list[CommitResult]] = {}
        for row in run["results"]:
            fresh.setdefault(row["repo"], []).append(CommitResult(**row))
        by_repo.update(fresh)
    results = [r for rows in by_repo.values() for r in rows]
    summary = summarise(results, frozenset(well_kept))
    print("\n".join(summary_lines(summary, results)))
    return 1 if summary["total"]["crashes"] else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the corpus, print the summary, write the JSON; exit 1 when an audit crashed, 2 when none ran."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.summarise:
        return print_saved(args.summarise)
    repos = chosen_repos(args.repos)
    started = datetime.now(UTC)
    info = {"machine": machine(), "verity": verity_revision(), "engine": engine_root(),
            "started": started.strftime("%Y-%m-%d %H:%M UTC")}
    results = run_all(args, repos)
    summary = summarise(results, frozenset(r.name for r in repos if r.well_kept))
    commits = {
        name: {"first": rows[0].sha, "last": rows[-1].sha, "count": len(rows)}
        for name in summary["repos"] if (rows := [r for r in results if r.repo == name and r.sha])
    }
    info["minutes"] = f"{(datetime.now(UTC) - started).total_seconds() / 60:.1f}"
    out = {"run": info, "corpus": [asdict(r) for r in repos], "commits": commits, "summary": summary,
           "results": [asdict(r) for r in results]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print("\n".join(summary_lines(summary, results)))
    log(f"wrote {args.out}")
    if not summary["total"]["audited"]:
        return 2  # no mirror at all: nothing was measured
    return 1 if summary["total"]["crashes"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
