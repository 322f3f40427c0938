"""Extractor `yaml.manifest`: whether a YAML file is a Kubernetes or docker-compose manifest.

Data: "kubernetes", "compose" or "" (plain YAML). The infrastructure domain judges manifests only,
so a repository's other YAML (CI, config) does not make that domain applicable.
"""

from __future__ import annotations

import yaml

from app.checks.base import Extractor, FileContext

YAML_ONLY = frozenset({"yaml"})
COMPOSE_NAMES = ("docker-compose", "compose")


def manifest_kind(ctx: FileContext) -> str:
    """Return what kind of manifest a YAML file is, if any."""
    if ctx.name.lower().startswith(COMPOSE_NAMES):
        return "compose"
    if "apiVersion" not in ctx.text or "kind" not in ctx.text:
        return ""
    try:
        documents = ctx.yaml_documents
    except yaml.YAMLError:
        return ""
    for doc in documents:
        if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
            return "kubernetes"
    return ""


EXTRACTOR = Extractor("yaml.manifest", YAML_ONLY, manifest_kind)
