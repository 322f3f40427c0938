"""deploy/kubernetes: the manifests parse, every pod is locked down, and the pieces reference each other."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from app.github.job import QUEUE
from tests.deploy.files import DATA_DIR, KUBE_DIR, TMP_DIR, containers, manifests, named, objects, workloads

# Env vars that carry a secret must come from a Secret, never a literal value.
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "PRIVATE_KEY")


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    """Return a workload's pod spec."""
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def container_ids() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Return (id, workload, container) for every container, for parametrize."""
    return [(f"{w['kind']}/{w['metadata']['name']}/{c['name']}", w, c) for w in workloads() for c in containers(w)]


CONTAINERS = container_ids()


def test_every_manifest_parses_into_named_objects() -> None:
    for name, doc in manifests():
        assert isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str), name
        assert doc["metadata"]["name"], name
    assert {w["metadata"]["name"] for w in workloads()} == {"verity-receiver", "verity-worker", "verity-redis"}


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((KUBE_DIR / "kustomization.yaml").read_text(encoding="utf-8"))
    on_disk = {p.name for p in KUBE_DIR.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == on_disk
    assert all(image["newTag"] and image["newTag"] != "latest" for image in kustomization["images"])


@pytest.mark.parametrize(("label", "workload", "container"), CONTAINERS, ids=[c[0] for c in CONTAINERS])
def test_every_container_has_probes_resources_and_a_locked_down_context(
    label: str, workload: dict[str, Any], container: dict[str, Any]
) -> None:
    assert container.get("readinessProbe") and container.get("livenessProbe"), label
    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(resources["limits"]), label
    context = container["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"]["drop"] == ["ALL"]
    image = container["image"]
    assert ":" in image and not image.endswith(":latest"), label


@pytest.mark.parametrize("workload", workloads(), ids=lambda w: w["metadata"]["name"])
def test_every_pod_runs_as_a_non_root_user_without_a_service_account_token(workload: dict[str, Any]) -> None:
    spec = pod_spec(workload)
    assert spec["automountServiceAccountToken"] is False
    context = spec["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] > 0
    assert context["seccompProfile"]["type"] == "RuntimeDefault"


@pytest.mark.parametrize("workload", workloads(), ids=lambda w: w["metadata"]["name"])
def test_writable_paths_are_volumes_since_the_root_filesystem_is_read_only(workload: dict[str, Any]) -> None:
    volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
    claims = {c["metadata"]["name"] for c in workload["spec"].get("volumeClaimTemplates", [])}
    for container in containers(workload):
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        assert TMP_DIR in mounts and "emptyDir" in volumes[mounts[TMP_DIR]]
        if container["image"].startswith("verity:"):
            assert "emptyDir" in volumes[mounts[DATA_DIR]]
        for name in mounts.values():
            assert name in volumes or name in claims


@pytest.mark.parametrize(("label", "workload", "container"), CONTAINERS, ids=[c[0] for c in CONTAINERS])
def test_secrets_come_from_secrets_never_from_literal_values(
    label: str, workload: dict[str, Any], container: dict[str, Any]
) -> None:
    for env in container.get("env", []):
        if any(word in env["name"] for word in SECRET_WORDS) and not env["name"].endswith("_PATH"):
            assert "secretKeyRef" in env["valueFrom"], f"{label}: {env['name']}"
        if "value" in env and "@" in env["value"]:  # a URL with credentials must interpolate them
            assert "$(REDIS_PASSWORD)" in env["value"], f"{label}: {env['name']}"
    assert objects("Secret") == [] and objects("ConfigMap") == []


def test_verity_containers_get_every_setting_and_the_key_file_from_the_secret() -> None:
    for name in ("verity-receiver", "verity-worker"):
        spec = pod_spec(named("Deployment", name))
        container = spec["containers"][0]
        assert "command" not in container  # `command` would replace the image's entrypoint, tini
        env = {e["name"]: e for e in container["env"]}
        assert {"VERITY_WEBHOOK_SECRET", "VERITY_APP_ID", "VERITY_REDIS_URL", "VERITY_PRIVATE_KEY_PATH"} <= set(env)
        key_path = env["VERITY_PRIVATE_KEY_PATH"]["value"]
        mount = next(m for m in container["volumeMounts"] if key_path.startswith(m["mountPath"] + "/"))
        volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
        assert volume["secret"]["secretName"] == "verity-app"
        assert [item["path"] for item in volume["secret"]["items"]] == [key_path.rsplit("/", 1)[1]]


def test_receiver_is_a_cluster_service_on_port_8000_with_http_probes() -> None:
    service = named("Service", "verity-receiver")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"] == named("Deployment", "verity-receiver")["spec"]["selector"]["matchLabels"]
    container = pod_spec(named("Deployment", "verity-receiver"))["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert "8000" in container["args"] and "command" not in container  # keep the image's tini


def test_worker_probes_ask_this_worker_and_its_grace_outlasts_a_task() -> None:
    spec = pod_spec(named("Deployment", "verity-worker"))
    for probe in ("readinessProbe", "livenessProbe"):
        command = " ".join(spec["containers"][0][probe]["exec"]["command"])
        assert "inspect ping" in command and '--destination "celery@$HOSTNAME"' in command
    assert spec["terminationGracePeriodSeconds"] > 900  # workers.celery_app.TASK_TIME_LIMIT


def test_keda_scales_the_worker_deployment_on_celerys_queue() -> None:
    scaled = named("ScaledObject", "verity-worker")
    assert scaled["spec"]["scaleTargetRef"]["name"] == "verity-worker"
    assert scaled["spec"]["minReplicaCount"] >= 1
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "redis" and trigger["metadata"]["listName"] == QUEUE
    auth = named("TriggerAuthentication", trigger["authenticationRef"]["name"])
    assert auth["spec"]["secretTargetRef"] == [{"parameter": "password", "name": "verity-redis", "key": "password"}]


def test_redis_persists_an_append_only_file_on_a_volume_claim() -> None:
    redis = named("StatefulSet", "verity-redis")
    container = pod_spec(redis)["containers"][0]
    args = container["args"]
    assert args[args.index("--appendonly") + 1] == "yes" and args[args.index("--dir") + 1] == "/data"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"
    assert args[args.index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts["/data"] in {c["metadata"]["name"] for c in redis["spec"]["volumeClaimTemplates"]}


def policy(name: str) -> dict[str, Any]:
    """Return a NetworkPolicy's spec."""
    spec: dict[str, Any] = named("NetworkPolicy", name)["spec"]
    return spec


def ports(rules: list[dict[str, Any]]) -> set[int]:
    """Return every port a list of ingress or egress rules opens."""
    return {p["port"] for rule in rules for p in rule.get("ports", [])}


def test_network_policies_deny_by_default_and_allow_only_what_verity_needs() -> None:
    deny = policy("default-deny")
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert ports(policy("allow-receiver-ingress")["ingress"]) == {8000}
    redis_in = policy("allow-redis-ingress")["ingress"]
    assert ports(redis_in) == {6379}
    assert redis_in[0]["from"][0]["podSelector"]["matchExpressions"][0]["values"] == ["receiver", "worker"]
    assert ports(policy("allow-redis-egress")["egress"]) == {6379}
    assert ports(policy("allow-dns-egress")["egress"]) == {53}
    https = policy("allow-worker-egress-https")
    assert https["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "worker"
    assert ports(https["egress"]) == {443}
    assert "169.254.0.0/16" in https["egress"][0]["to"][0]["ipBlock"]["except"]


def test_the_namespace_enforces_the_restricted_pod_security_profile() -> None:
    (namespace,) = objects("Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
