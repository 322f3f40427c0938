"""The image and the compose stack: one build, secrets kept out, locked dependencies, real module names."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest

from app.web.routing import ROUTES as EVENT_ROUTES
from tests.conftest import RepoBuilder
from tests.deploy.files import ROOT, celery_modules, compose, dockerfile, read


def test_one_service_builds_the_image_the_receiver_and_worker_share() -> None:
    services = compose()["services"]
    assert [name for name, s in services.items() if "build" in s] == ["web"]
    assert services["web"]["image"] == services["worker"]["image"]


def test_the_receiver_is_published_on_loopback_only() -> None:
    for service in compose()["services"].values():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:")
    assert compose()["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_the_private_key_is_a_mounted_secret_the_settings_point_to() -> None:
    secrets = compose()["secrets"]
    for name in ("web", "worker"):
        service = compose()["services"][name]
        (secret,) = service["secrets"]
        assert service["environment"]["VERITY_PRIVATE_KEY_PATH"] == f"/run/secrets/{secret}"
        assert "file" in secrets[secret]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]


def test_the_worker_healthcheck_pings_this_worker_only() -> None:
    worker = compose()["services"]["worker"]
    kind, command = worker["healthcheck"]["test"]
    assert kind == "CMD-SHELL"  # the shell expands $HOSTNAME; compose turns $$ into $
    assert 'inspect ping --destination "celery@$$HOSTNAME"' in command


def test_the_worker_grace_period_outlasts_a_task() -> None:
    (module,) = celery_modules()
    limit = importlib.import_module(module).TASK_TIME_LIMIT
    match = re.fullmatch(r"(\d+)m", compose()["services"]["worker"]["stop_grace_period"])
    assert match is not None and int(match.group(1)) * 60 > limit


def test_redis_appends_to_a_named_volume() -> None:
    redis = compose()["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    volume, path = redis["volumes"][0].split(":")
    assert path == "/data" and volume in compose()["volumes"]


@pytest.mark.parametrize("module", [*sorted(celery_modules()), "app.web.server"])
def test_every_module_the_deployment_names_exists(module: str) -> None:
    assert importlib.util.find_spec(module) is not None


def test_the_dockerfile_import_check_names_existing_modules() -> None:
    final = dockerfile().stages[-1]
    check = next(run for run in final.find("RUN") if "python -I -c" in run.args)
    modules = re.search(r'"import ([\w., ]+);', check.args)
    assert modules is not None
    for module in modules.group(1).split(","):
        assert importlib.util.find_spec(module.strip()) is not None


def test_the_import_check_runs_on_the_installed_image_away_from_the_sources() -> None:
    _build, runtime = dockerfile().stages
    assert any("python -I -c" in run.args for run in runtime.find("RUN"))
    # The runtime stage copies only the virtualenv: no source tree to import from by accident.
    assert [c.args for c in runtime.find("COPY")] == ["--from=build /opt/verity /opt/verity"]
    assert not any(i.keyword == "VOLUME" for i in dockerfile().instructions)


def test_the_image_installs_the_hashed_lock_and_nothing_unpinned() -> None:
    runs = " ".join(run.args for run in dockerfile().stages[0].find("RUN"))
    assert "--require-hashes --no-deps -r deploy/requirements.txt" in runs
    assert "--require-hashes --no-deps -r deploy/build-requirements.txt" in runs
    assert "--no-deps --no-build-isolation" in runs


def locked(path: str) -> dict[str, str]:
    """Return name -> pinned version of a hashed lock file, checking every entry has hashes."""
    entries = re.split(r"\n(?=[A-Za-z0-9])", read(path))
    pins: dict[str, str] = {}
    for entry in entries:
        if entry.startswith("#"):
            continue
        match = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", entry)
        assert match is not None and "--hash=sha256:" in entry, entry[:80]
        pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def requirement_name(requirement: str) -> str:
    """Return the normalised project name of a PEP 508 requirement."""
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None
    return match.group(0).lower().replace("_", "-")


def test_the_locks_pin_every_dependency_of_pyproject() -> None:
    project = tomllib.loads(read("pyproject.toml"))
    runtime = locked("deploy/requirements.txt")
    assert {requirement_name(r) for r in project["project"]["dependencies"]} <= set(runtime)
    build = locked("deploy/build-requirements.txt")
    assert {requirement_name(r) for r in project["build-system"]["requires"]} <= set(build)


def ignored_by_docker(path: str, patterns: list[str]) -> bool:
    """Return whether .dockerignore patterns keep a path out of the build context (last match wins)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = re.compile(docker_pattern(pattern.lstrip("!").strip("/")))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not negated
    return result


def docker_pattern(pattern: str) -> str:
    """Translate a .dockerignore pattern to a regex: `**` spans folders, `*` and `?` stay inside one."""
    out = ""
    for token in re.split(r"(\*\*/|\*\*|\*|\?|\[[^\]]*\])", pattern):
        out += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(token) or (
            token if token.startswith("[") else re.escape(token))
    return out


def dockerignore() -> list[str]:
    """Return the patterns of .dockerignore, in order."""
    return [line.strip() for line in read(".dockerignore").splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("path", [".env", ".env.production", ".git/config", ".venv/bin/python", "secrets/github-app.pem",
                                  "app/.env", "app/web/__pycache__/server.cpython-311.pyc", "tests/conftest.py"])
def test_dockerignore_keeps_secrets_git_and_virtualenvs_out(path: str) -> None:
    assert ignored_by_docker(path, dockerignore())


def test_dockerignore_lets_in_everything_the_dockerfile_copies() -> None:
    sources = [c.operands()[:-1] for stage in dockerfile().stages for c in stage.find("COPY") if not c.flags()]
    for path in (p for group in sources for p in group):
        files = [path] if (ROOT / path).is_file() else [str(f.relative_to(ROOT)) for f in (ROOT / path).rglob("*.py")]
        assert files and not any(ignored_by_docker(f, dockerignore()) for f in files), path


@pytest.mark.parametrize("path", [".env", "app/.env", ".env.local", "secrets/github-app.pem", "key.pem"])
def test_gitignore_keeps_the_apps_secrets_out_of_git(repo: RepoBuilder, path: str) -> None:
    repo.write({".gitignore": read(".gitignore")})
    assert repo.git("check-ignore", path).strip() == path


def test_the_app_manifest_subscribes_to_push() -> None:
    manifest = json.loads(read("app-manifest.json"))
    events = {"pull_request", "check_suite", "check_run", "issue_comment", "push", "repository"}
    assert events <= set(manifest["default_events"])


def test_every_subscribed_event_is_routed() -> None:
    manifest = json.loads(read("app-manifest.json"))
    assert set(manifest["default_events"]) <= set(EVENT_ROUTES)


def test_every_document_the_deployment_files_point_to_exists() -> None:
    texts = [read(p) for p in ("docker-compose.yml", "deploy/kubernetes/kustomization.yaml", "Dockerfile")]
    for path in {m for text in texts for m in re.findall(r"\b(?:docs|deploy)/[\w./-]+\.(?:md|sh|txt)", text)}:
        assert Path(ROOT, path).is_file(), path
