"""deploy/kubernetes against Kubernetes' own OpenAPI schemas (bundled by `kubernetes-validate`, read offline).

This machine has no cluster, so the manifests are never applied; validating every built-in object
against the API's schema, strictly (an unknown or misspelled field fails), is as far as it goes.
KEDA's objects are custom resources: no bundled schema knows them, and the set of such kinds is pinned
so that a new one cannot slip past unvalidated.
"""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest

from tests.deploy.files import manifests, named

# The oldest Kubernetes minor the manifests promise to run on, and the newest the validator knows.
VERSIONS = ("1.29.0", kubernetes_validate.latest_version())
CUSTOM_KINDS = frozenset({"ScaledObject", "TriggerAuthentication"})  # keda.sh: validated by KEDA's CRDs alone
BUILT_IN = [(f"{name}:{doc['kind']}/{doc['metadata']['name']}", doc) for name, doc in manifests()
            if doc["kind"] not in CUSTOM_KINDS]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("label", "doc"), BUILT_IN, ids=[label for label, _ in BUILT_IN])
def test_every_built_in_object_matches_the_api_schema(label: str, doc: dict[str, Any], version: str) -> None:
    kubernetes_validate.validate(doc, version, strict=True)


def test_only_keda_objects_go_unvalidated() -> None:
    unknown = set()
    for _name, doc in manifests():
        try:
            kubernetes_validate.validate(doc, VERSIONS[-1], strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            unknown.add(doc["kind"])
    assert unknown == CUSTOM_KINDS
    assert all(doc["apiVersion"] == "keda.sh/v1alpha1" for _, doc in manifests() if doc["kind"] in CUSTOM_KINDS)


@pytest.mark.parametrize("damage", ["misspelled field", "wrong type", "unknown container field"])
def test_the_schema_check_rejects_a_damaged_object(damage: str) -> None:
    doc = copy.deepcopy(named("Deployment", "verity-receiver"))
    if damage == "misspelled field":
        doc["spec"]["replicaz"] = doc["spec"].pop("replicas", 2)
    elif damage == "wrong type":
        doc["spec"]["replicas"] = "two"
    else:
        doc["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, VERSIONS[-1], strict=True)
