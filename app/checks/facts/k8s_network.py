"""Extractor `infra.k8s`: how many Kubernetes workloads a YAML file defines and whether it holds a
default-deny ingress NetworkPolicy. Data: `{"workloads": int, "default_deny": bool}`, or `{}` when the
file holds neither.
"""

from __future__ import annotations

from typing import Any

from app.checks.base import Extractor, FileContext
from app.checks.infrastructure.kube import MANIFEST, objects, workloads
from app.checks.infrastructure.yaml_tree import YMap

_NETWORK_POLICY_GROUPS = ("networking.k8s.io/", "extensions/")


def _empty_selector(value: Any) -> bool:
    """Return whether a podSelector selects every pod (`{}`, null, or empty match lists)."""
    if value is None:
        return True
    if not isinstance(value, YMap):
        return False
    return not value.get("matchLabels") and not value.get("matchExpressions")


def is_default_deny_ingress(doc: YMap) -> bool:
    """Return whether an object is a NetworkPolicy denying all ingress to every pod of its namespace."""
    if doc.get("kind") != "NetworkPolicy" or not str(doc.get("apiVersion")).startswith(_NETWORK_POLICY_GROUPS):
        return False
    spec = doc.get_map("spec")
    if spec is None or not _empty_selector(spec.get("podSelector")):
        return False
    types = spec.get("policyTypes")
    # Without policyTypes Kubernetes always applies the policy to ingress.
    applies_to_ingress = types is None or (isinstance(types, list) and "Ingress" in types)
    return applies_to_ingress and not spec.get("ingress")


def extract(ctx: FileContext) -> dict[str, Any]:
    """Return the file's workload count and default-deny flag, or nothing for other YAML."""
    count = len(workloads(ctx))
    deny = any(is_default_deny_ingress(doc) for doc in objects(ctx))
    return {"workloads": count, "default_deny": deny} if count or deny else {}


EXTRACTOR = Extractor("infra.k8s", MANIFEST, extract)
