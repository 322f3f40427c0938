"""The deployment files of this repository, read from the worktree and parsed once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.checks.infrastructure.dockerfile import Dockerfile, parse_dockerfile

ROOT = Path(__file__).resolve().parents[2]
KUBE_DIR = ROOT / "deploy" / "kubernetes"
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
DATA_DIR = "/var/lib/verity"
TMP_DIR = "/tmp"  # verity: ignore[S108] the path the manifests mount an emptyDir on, no file is made here


def deployment_paths() -> list[str]:
    """Return the repository paths of every deployment file: image, compose stack and deploy/."""
    fixed = ["Dockerfile", "docker-compose.yml", ".dockerignore"]
    under = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "deploy").rglob("*") if p.is_file())
    return fixed + under


def read(path: str) -> str:
    """Return the text of a repository file."""
    return (ROOT / path).read_text(encoding="utf-8")


@cache
def manifests() -> tuple[tuple[str, dict[str, Any]], ...]:
    """Return (file name, object) for every Kubernetes object under deploy/kubernetes (not kustomize's own file)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(KUBE_DIR.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        found.extend((path.name, doc) for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc)
    return tuple(found)


def objects(kind: str) -> list[dict[str, Any]]:
    """Return the manifests' objects of one kind."""
    return [doc for _, doc in manifests() if doc.get("kind") == kind]


def named(kind: str, name: str) -> dict[str, Any]:
    """Return the one object of a kind with that metadata.name."""
    return next(doc for doc in objects(kind) if doc["metadata"]["name"] == name)


def workloads() -> list[dict[str, Any]]:
    """Return the objects that run pods."""
    return [doc for _, doc in manifests() if doc.get("kind") in WORKLOAD_KINDS]


def containers(workload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield a workload's containers and init containers."""
    spec = workload["spec"]["template"]["spec"]
    yield from spec.get("containers", [])
    yield from spec.get("initContainers", [])


@cache
def compose() -> dict[str, Any]:
    """Return the parsed docker-compose.yml."""
    loaded: dict[str, Any] = yaml.safe_load(read("docker-compose.yml"))
    return loaded


@cache
def dockerfile() -> Dockerfile:
    """Return the parsed Dockerfile."""
    return parse_dockerfile(read("Dockerfile"))


def celery_modules() -> set[str]:
    """Return every module a Celery command names with `-A` in the compose file and the manifests."""
    texts = [read("docker-compose.yml"), *(p.read_text(encoding="utf-8") for p in KUBE_DIR.glob("*.yaml"))]
    return {m for text in texts for m in re.findall(r"celery -A ([\w.]+)", text)}
