"""Kubernetes manifests: find the objects, the pod specs of workloads, and their containers.

Chart templates (files under `templates/` with template markers) are skipped: their YAML is
only meaningful after rendering. A workload without `spec.selector` (required since apps/v1beta2;
`extensions/v1beta1` and `apps/v1beta1` default it from the template's labels, so their objects are
whole without it) or a container without `image` is a partial object, typically a kustomize patch, and
is skipped too: judging a fragment would report defects the rendered object does not have.

Findings on an object carry its subject (`Kind/namespace/name[/container]`): the object, not the file,
identifies them, so an overlay or hotfix manifest re-declaring an object does not make its findings new.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from app.checks.base import FileContext
from app.checks.infrastructure.yaml_tree import YMap, is_chart_template, mappings

# Kinds whose pods run until stopped: they need probes.
LONG_RUNNING = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"})
# Kinds that must carry a selector; without one the document is a patch fragment.
_NEEDS_SELECTOR = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})
_API_GROUPS = {
    "Pod": ("v1",),
    "ReplicationController": ("v1",),
    "Deployment": ("apps/", "extensions/"),
    "StatefulSet": ("apps/",),
    "DaemonSet": ("apps/", "extensions/"),
    "ReplicaSet": ("apps/", "extensions/"),
    "Job": ("batch/",),
    "CronJob": ("batch/",),
}


WORKLOAD = "workload"  # the kind a workload's subject names, whatever its real kind


@dataclass(frozen=True)
class Workload:
    """A Kubernetes object that runs pods, with the pod spec it runs."""

    kind: str
    name: str
    doc: YMap
    pod_spec: YMap

    @property
    def label(self) -> str:
        """Return `Kind/name`, as messages name the workload (fingerprints name it without its kind)."""
        return f"{self.kind}/{self.name}"

    @property
    def subject(self) -> str:
        """Return `workload/namespace/name`: the workload a finding is about, whichever file declares it.

        The kind is left out: moving a workload to a current controller (a ReplicationController to a
        Deployment, a Deployment to a StatefulSet) keeps the pods and their findings.
        """
        return object_subject(self.doc, kind=WORKLOAD)

    @property
    def long_running(self) -> bool:
        """Return whether the workload's pods run until stopped."""
        return self.kind in LONG_RUNNING


@dataclass(frozen=True)
class Container:
    """One container of a workload's pod spec."""

    workload: Workload
    node: YMap
    name: str
    init: bool

    @property
    def label(self) -> str:
        """Return `Kind/name/container`, as messages name the container (fingerprints use `key`)."""
        return f"{self.workload.label}/{self.name}"

    @property
    def subject(self) -> str:
        """Return `workload/namespace/name/container`: the container a finding is about, in any file."""
        return f"{self.workload.subject}/{self.name}"

    @property
    def key(self) -> str:
        """Return `name/container`: what a finding's fingerprint names, whatever the workload's kind."""
        return f"{self.workload.name}/{self.name}"

    @property
    def security(self) -> YMap | None:
        """Return the container's securityContext."""
        return self.node.get_map("securityContext")


def objects(ctx: FileContext) -> list[YMap]:
    """Return the Kubernetes objects of a file (documents with apiVersion and kind; List items expanded)."""
    if is_chart_template(ctx) or not may_hold_objects(ctx):
        return []
    found: list[YMap] = []
    for doc in mappings(ctx):
        if _is_object(doc) and doc.get("kind") == "List":
            items = doc.get_list("items")
            found.extend(item for item in (items.maps() if items else []) if _is_object(item))
        elif _is_object(doc):
            found.append(doc)
    return found


def may_hold_objects(ctx: FileContext) -> bool:
    """Return whether a file may hold objects: any YAML, but JSON only when it names both keys."""
    # Most JSON is packages, locks and data; parsing it all to find no object would cost the most.
    return ctx.kind != "json" or ('"apiVersion"' in ctx.text and '"kind"' in ctx.text)


def _is_object(doc: YMap) -> bool:
    """Return whether a mapping is a Kubernetes object."""
    return isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str)


def is_core(doc: YMap, kind: str) -> bool:
    """Return whether an object is the core (`v1`) kind of that name, not a CRD that reuses it."""
    return doc.get("kind") == kind and doc.get("apiVersion") == "v1"


def _api_matches(api_version: str, groups: tuple[str, ...]) -> bool:
    """Return whether an apiVersion is one of the groups (`apps/`) or exact versions (`v1`) given."""
    return any(api_version.startswith(g) if g.endswith("/") else api_version == g for g in groups)


def object_subject(doc: YMap, kind: str | None = None) -> str:
    """Return `Kind/namespace/name` of an object (an overlay or hotfix copy of it has the same), or `kind` for Kind."""
    metadata = doc.get_map("metadata")
    namespace = metadata.get("namespace") if metadata else None
    return f"k8s:{kind or doc.get('kind')}/{namespace if isinstance(namespace, str) else 'default'}/{_name(doc)}"


def _name(doc: YMap) -> str:
    """Return an object's metadata.name, or `?`."""
    metadata = doc.get_map("metadata")
    name = metadata.get("name") if metadata else None
    return str(name) if isinstance(name, (str, int)) else "?"


def _pod_spec(doc: YMap, kind: str) -> YMap | None:
    """Return the pod spec a workload runs, or None for partial objects."""
    spec = doc.get_map("spec")
    if spec is None:
        return None
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        job = spec.get_map("jobTemplate")
        spec = job.get_map("spec") if job else None
        if spec is None:
            return None
    elif kind in _NEEDS_SELECTOR and "selector" not in spec and not _selector_defaulted(doc):
        return None
    template = spec.get_map("template")
    return template.get_map("spec") if template else None


# API versions that default `spec.selector` from the pod template's labels: their objects omit it.
_DEFAULTED_SELECTOR_APIS = frozenset({"extensions/v1beta1", "apps/v1beta1"})


def _selector_defaulted(doc: YMap) -> bool:
    """Return whether an object of an older API version may omit its selector and still be whole."""
    return doc.get("apiVersion") in _DEFAULTED_SELECTOR_APIS


def workloads(ctx: FileContext) -> list[Workload]:
    """Return the file's workloads (Pods, controllers, Jobs and CronJobs) with their pod specs."""
    found: list[Workload] = []
    for doc in objects(ctx):
        kind = str(doc.get("kind"))
        if not _api_matches(str(doc.get("apiVersion")), _API_GROUPS.get(kind, ())):
            continue
        pod_spec = _pod_spec(doc, kind)
        if pod_spec is not None:
            found.append(Workload(kind, _name(doc), doc, pod_spec))
    return found


def containers(workload: Workload, *, init: bool = True) -> list[Container]:
    """Return a workload's containers, and its init containers unless told otherwise."""
    keys = ("containers", "initContainers") if init else ("containers",)
    found: list[Container] = []
    for key in keys:
        items = workload.pod_spec.get_list(key)
        for node in items.maps() if items else []:
            if isinstance(node.get("image"), str):
                name = node.get("name")
                found.append(Container(workload, node, str(name) if name is not None else "?", key != "containers"))
    return found


def explicitly_true(ctx: FileContext, key: str) -> Iterator[tuple[Container, int]]:
    """Yield each container (init ones too) whose securityContext sets `key: true`, with that line."""
    for workload in workloads(ctx):
        for container in containers(workload):
            security = container.security
            if security is not None and security.get(key) is True:
                yield container, security.line_of(key)


# File kinds that can hold manifests: kubectl applies JSON as well as YAML (workflows are YAML too, but
# never Kubernetes objects).
MANIFEST = frozenset({"yaml", "json"})
