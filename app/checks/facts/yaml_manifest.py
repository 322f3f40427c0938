"""Extractor `yaml.manifest`: whether a YAML (or JSON) file is a Kubernetes or docker-compose manifest.

Data: "kubernetes", "compose", "helm-template" (a templated chart file the Kubernetes checks cannot
parse: the report notes it) or "" (plain YAML). The infrastructure domain judges manifests only, so a
repository's other YAML (CI, config) does not make that domain applicable.
"""

from __future__ import annotations

from app.checks.base import Extractor, FileContext
from app.checks.infrastructure import yaml_tree
from app.checks.infrastructure.kube import MANIFEST, may_hold_objects

COMPOSE_NAMES = ("docker-compose", "compose")
HELM_TEMPLATE = "helm-template"


def manifest_kind(ctx: FileContext) -> str:
    """Return what kind of manifest a YAML or JSON file is, if any."""
    if not may_hold_objects(ctx):
        return ""
    if ctx.kind == "yaml" and ctx.name.lower().startswith(COMPOSE_NAMES):
        return "compose"
    if yaml_tree.is_chart_template(ctx):
        return HELM_TEMPLATE
    if "apiVersion" not in ctx.text or "kind" not in ctx.text:
        return ""
    # The infrastructure checks' line-aware parse, shared per file: parsed once, custom tags tolerated.
    for doc in yaml_tree.mappings(ctx):
        if "apiVersion" in doc and "kind" in doc:
            return "kubernetes"
    return ""


EXTRACTOR = Extractor("yaml.manifest", MANIFEST, manifest_kind)
