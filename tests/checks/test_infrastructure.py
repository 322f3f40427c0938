"""Infrastructure domain: INF001-INF019, the Dockerfile parser, line-aware YAML and the `infra.k8s` extractor."""

from __future__ import annotations

import textwrap

import pytest

from app.checks.infrastructure.dockerfile import parse_dockerfile
from app.checks.infrastructure.images import split_image
from app.checks.infrastructure.secret_names import is_literal_secret, is_secret_name
from app.checks.infrastructure.yaml_tree import parse_text
from app.engine.facts import analyse_text
from app.engine.model import Severity
from tests.helpers import file_findings, repo_findings


def found(path: str, text: str, code: str) -> list[tuple[int, Severity | None]]:
    """Return (line, severity override) of one code's findings on a dedented file."""
    return [(f.line, f.severity) for f in file_findings(path, textwrap.dedent(text), code)]


def lines(path: str, text: str, code: str) -> list[int]:
    """Return the lines of one code's findings on a dedented file."""
    return [line for line, _ in found(path, text, code)]


def inf_codes(path: str, text: str) -> list[str]:
    """Return every infrastructure code found on a dedented file."""
    return [f.code for f in analyse_text(path, textwrap.dedent(text)).findings if f.code.startswith("INF")]


# --- line-aware YAML -----------------------------------------------------------------------------------


def test_yaml_tree_records_key_and_item_lines() -> None:
    doc = parse_text("a:\n  b: 1\nlist:\n  - x\n  - y: 2\n").documents[0]
    assert doc.line_of("a") == 1
    assert doc.get_map("a").line_of("b") == 2
    assert doc.get_list("list").item_lines == [4, 5]


def test_yaml_tree_tolerates_custom_tags_bad_dates_and_complex_keys() -> None:
    result = parse_text("a: !Ref x\nb: !!python/name:mod.fn\nc: 2023-02-30\n? [1, 2]\n: 3\n")
    assert result.error is None
    assert result.documents[0]["a"] == "x"
    assert result.documents[0]["c"] == "2023-02-30"


# --- INF001 invalid-yaml -------------------------------------------------------------------------------


def test_invalid_yaml_reports_the_line() -> None:
    text = "services:\n  api:\n    image: a:1\n     ports: [1]\n"
    findings = file_findings("docker-compose.yml", text, "INF001")
    assert [(f.line, f.severity) for f in findings] == [(4, None)]


def test_invalid_yaml_under_test_data_is_low() -> None:
    assert found("tests/fixtures/broken.yaml", "a: [1\n", "INF001") == [(2, Severity.LOW)]


def test_templates_and_valid_yaml_are_not_invalid() -> None:
    helm = "apiVersion: v1\nkind: Service\nspec:\n  {{- toYaml .Values.spec | nindent 2 }}\n"
    assert lines("chart/templates/svc.yaml", helm, "INF001") == []
    assert lines("deploy/svc.yaml", helm, "INF001") == []
    assert lines("chart/templates/bad.yaml", "a: [1\n", "INF001") == []
    assert lines("config.yml", "a: 1\nb: [1, 2]\n", "INF001") == []
    assert lines(".github/workflows/ci.yml", "a: [1\n", "INF001") == []


# --- Dockerfile parser ---------------------------------------------------------------------------------


def test_dockerfile_parser_handles_continuations_comments_heredocs_and_case() -> None:
    text = textwrap.dedent(
        """\
        # escape=`
        from --platform=$BUILDPLATFORM golang:1.22 as Build
        RUN echo a `
            # a comment inside the continuation
            && echo b
        RUN <<EOF
        USER root
        EOF
        user app
        """
    )
    parsed = parse_dockerfile(text)
    assert [(i.keyword, i.line, i.end_line) for i in parsed.instructions] == [
        ("FROM", 2, 2), ("RUN", 3, 5), ("RUN", 6, 8), ("USER", 9, 9),
    ]
    assert parsed.stages[0].name == "build"
    assert "USER root" in parsed.instructions[2].args


def test_split_image_tells_ports_from_tags() -> None:
    assert split_image("localhost:5000/app").tag == ""
    assert split_image("localhost:5000/app:1.2").tag == "1.2"
    assert split_image("app@sha256:abc").floating is False
    assert split_image("app").floating is True


# --- INF002 unpinned-base-image ------------------------------------------------------------------------


def test_unpinned_base_images() -> None:
    text = """\
    ARG PY=3.12
    ARG BASE
    ARG LATEST=latest
    FROM python:${PY}-slim AS build
    FROM ubuntu
    FROM node:latest
    FROM $BASE
    FROM redis:$LATEST
    FROM build
    FROM scratch
    FROM alpine@sha256:0123456789abcdef
    FROM registry.local:5000/team/app
    """
    assert lines("Dockerfile", text, "INF002") == [5, 6, 8, 12]
    # `scratch` named through an ARG is no image to pin.
    assert lines("Dockerfile", "ARG BASE=scratch\nFROM $BASE\nCOPY app /app\n", "INF002") == []


# --- INF003 root-user ----------------------------------------------------------------------------------


def test_root_user_last_user_root_or_no_user() -> None:
    assert lines("Dockerfile", "FROM python:3.12\nUSER app\nUSER 0:0\n", "INF003") == [3]
    assert lines("Dockerfile", "FROM python:3.12 AS b\nUSER app\nFROM python:3.12\nCMD x\n", "INF003") == [3]


def test_root_user_clean_cases() -> None:
    assert lines("Dockerfile", "FROM python:3.12\nUSER root\nRUN x\nUSER 10001\n", "INF003") == []
    assert lines("Dockerfile", "FROM python:3.12 AS base\nUSER app\nFROM base\nCMD x\n", "INF003") == []
    assert lines("Dockerfile", "FROM gcr.io/distroless/static:nonroot\n", "INF003") == []
    assert lines("Dockerfile", "FROM python:3.12\nUSER ${APP_USER}\n", "INF003") == []
    assert lines(".devcontainer/Dockerfile", "FROM python:3.12\n", "INF003") == []


WASM = """\
FROM rust:1.64 AS build
RUN cargo build --target wasm32-wasi --release
FROM scratch
ENTRYPOINT [ "service.wasm" ]
COPY --link --from=build /src/service.wasm /service.wasm
"""


def test_root_user_skips_webassembly_images() -> None:
    assert lines("Dockerfile", WASM, "INF003") == []
    assert lines("Dockerfile", "FROM --platform=wasi/wasm scratch\nCOPY app.wasm /\nCMD [\"/app.wasm\"]\n", "INF003") == []
    # A Linux binary in scratch, or a Linux Wasm runtime that runs the module, is a Linux process.
    assert lines("Dockerfile", WASM.replace("service.wasm\" ]", "server\" ]"), "INF003") == [3]
    assert lines("Dockerfile", "FROM debian:12\nENTRYPOINT [\"wasmtime\", \"app.wasm\"]\n", "INF003") == [1]


# --- INF004 missing-healthcheck ------------------------------------------------------------------------


def test_missing_healthcheck() -> None:
    assert lines("Dockerfile", "FROM a:1 AS b\nHEALTHCHECK CMD x\nFROM a:1\n", "INF004") == [3]
    assert lines("Dockerfile", "FROM a:1 AS b\nHEALTHCHECK CMD x\nFROM b\n", "INF004") == []
    assert lines("Dockerfile", "FROM a:1\nHEALTHCHECK NONE\n", "INF004") == []


# --- INF005 single-stage-build -------------------------------------------------------------------------


def test_single_stage_build_with_a_toolchain() -> None:
    text = """\
    FROM python:3.12-slim
    RUN pip install -r requirements.txt
    RUN apt-get update \\
        && apt-get install -y --no-install-recommends build-essential libpq-dev
    """
    assert lines("Dockerfile", text, "INF005") == [3]
    assert lines("Dockerfile", "FROM golang:1.22\nCOPY . .\nRUN go build -o /app .\n", "INF005") == [3]


def test_single_stage_build_clean_cases() -> None:
    assert lines("Dockerfile", "FROM python:3.12\nRUN apt-get install -y curl\n", "INF005") == []
    multi = "FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM scratch\nCOPY --from=b /app /app\n"
    assert lines("Dockerfile", multi, "INF005") == []
    cleaned = "FROM alpine:3\nRUN apk add --virtual .b gcc musl-dev && make && apk del .b\n"
    assert lines("Dockerfile", cleaned, "INF005") == []


# --- INF006 secret-in-env-or-arg -----------------------------------------------------------------------


def test_secret_in_env_or_arg_points_at_the_key_line() -> None:
    text = """\
    FROM a:1
    ENV APP_ENV=prod \\
        DB_PASSWORD="s3cr3t-pa55"
    ARG NPM_TOKEN=npm_abcdef123456
    ENV SECRET_KEY legacy-form-secret-value
    """
    findings = file_findings("Dockerfile", textwrap.dedent(text), "INF006")
    assert [f.line for f in findings] == [3, 4, 5]
    assert all("s3cr3t" not in f.message + f.snippet for f in findings)


def test_secret_names_and_values_clean_cases() -> None:
    text = """\
    FROM a:1
    ARG GITHUB_TOKEN
    ENV DB_PASSWORD=$DB_PASSWORD PASSWORD_FILE=/run/secrets/pw TOKEN_TTL=3600
    ENV API_KEY=changeme PWD=/app
    """
    assert lines("Dockerfile", text, "INF006") == []


@pytest.mark.parametrize(
    ("name", "secret"),
    [("DB_PASSWORD", True), ("dbPassword", True), ("SECRET_KEY", True), ("api-key", True), ("JWT_SECRET", True),
     ("PASSWORD_FILE", False), ("SECRET_NAME", False), ("TOKEN_URL", False), ("AWS_ACCESS_KEY_ID", False),
     ("PWD", False), ("KEY", False)],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("value", "secret"),
    [("hunter2-prod", True), (12345678, True), ("", False), ("${X}", False), ("/etc/pw", False),
     ("<token>", False), ("3600", False), (True, False), ("{{ .Values.pw }}", False)],
)
def test_literal_secret_values(value: object, secret: bool) -> None:
    assert is_literal_secret(value) is secret


# --- INF007 add-from-url -------------------------------------------------------------------------------


def test_add_from_url() -> None:
    text = f"""\
    FROM a:1
    ADD https://example.com/tool.tar.gz /opt/
    ADD ["http://example.com/a", "/a"]
    ADD --checksum=sha256:abc https://example.com/x.tgz /opt/
    ADD https://github.com/acme/repo.git#{"a" * 40} /src
    ADD local.tar.gz /opt/
    COPY https://example.com/x /x
    """
    assert lines("Dockerfile", text, "INF007") == [2, 3]


# --- Kubernetes ----------------------------------------------------------------------------------------

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    spec:
      hostNetwork: true
      hostPID: true
      initContainers:
        - name: migrate
          image: acme/api
      containers:
        - name: api
          image: acme/api:latest
          securityContext:
            privileged: true
            allowPrivilegeEscalation: true
        - name: proxy
          image: acme/proxy:1.2
          resources:
            requests: {cpu: 10m}
          readinessProbe: {httpGet: {path: /, port: 1}}
          livenessProbe: {httpGet: {path: /, port: 1}}
          securityContext:
            runAsNonRoot: true
"""

SAFE = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 999}
      initContainers:
        - name: init
          image: acme/init:1.0
      containers:
        - name: db
          image: postgres:16.2@sha256:abc
          resources:
            requests: {cpu: 100m, memory: 256Mi}
            limits: {memory: 512Mi}
          readinessProbe: {exec: {command: [pg_isready]}}
          livenessProbe: {exec: {command: [pg_isready]}}
          securityContext: {allowPrivilegeEscalation: false, privileged: false}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
"""


def test_safe_manifest_has_no_infrastructure_finding() -> None:
    assert inf_codes("k8s/db.yaml", SAFE) == []


def test_missing_resources_medium_without_any_low_without_limits() -> None:
    assert found("k8s/api.yaml", DEPLOY, "INF008") == [(16, None), (23, Severity.LOW)]


def test_missing_probes_only_on_long_running_containers() -> None:
    assert lines("k8s/api.yaml", DEPLOY, "INF009") == [16]
    job = """\
    apiVersion: batch/v1
    kind: Job
    metadata: {name: once}
    spec:
      template:
        spec:
          containers:
            - {name: run, image: acme/job:1}
    """
    assert lines("k8s/job.yaml", job, "INF009") == []


def test_latest_image_on_containers_and_init_containers() -> None:
    assert found("k8s/api.yaml", DEPLOY, "INF010") == [(17, None), (14, Severity.LOW)]
    templated = DEPLOY.replace("acme/api:latest", "acme/api:${TAG}").replace("image: acme/api\n", "image: x:1\n")
    assert lines("k8s/api.yaml", templated, "INF010") == []


def test_container_runs_as_root_follows_pod_and_container_contexts() -> None:
    assert lines("k8s/api.yaml", DEPLOY, "INF011") == [16, 13]
    override = SAFE.replace("securityContext: {allowPrivilegeEscalation: false, privileged: false}",
                            "securityContext: {runAsUser: 0}")
    assert lines("k8s/db.yaml", override, "INF011") == [13]


def test_privileged_host_namespace_and_escalation() -> None:
    assert lines("k8s/api.yaml", DEPLOY, "INF012") == [19]
    assert lines("k8s/api.yaml", DEPLOY, "INF013") == [10, 11]
    assert lines("k8s/api.yaml", DEPLOY, "INF014") == [20]


def test_cronjob_bare_pod_and_list_are_workloads() -> None:
    text = """\
    apiVersion: v1
    kind: List
    items:
      - apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly}
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                    - {name: job, image: acme/job}
      - apiVersion: v1
        kind: Pod
        metadata: {name: debug}
        spec:
          containers:
            - {name: sh, image: busybox:1.36, securityContext: {privileged: true}}
    """
    assert lines("k8s/list.yaml", text, "INF010") == [13]
    assert lines("k8s/list.yaml", text, "INF012") == [19]


def test_patches_chart_templates_and_crds_are_skipped() -> None:
    patch = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec:
      template:
        spec:
          containers:
            - {name: api, image: acme/api:latest}
    """
    assert inf_codes("overlays/prod/patch.yaml", patch) == []
    chart = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  type: NodePort\n"
    assert inf_codes("chart/templates/svc.yaml", chart) == []
    knative = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: x}\nspec: {type: NodePort}\n"
    assert inf_codes("k8s/kn.yaml", knative) == []


def test_secret_in_configmap() -> None:
    text = """\
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cfg}
    data:
      DB_HOST: db.internal
      DB_PASSWORD: hunter2-prod
      PASSWORD_FILE: /etc/pw
      TOKEN_TTL: "3600"
      stripe_api_key: sk_live_abcdefgh
      SMTP_PASSWORD: ""
    """
    findings = file_findings("k8s/cfg.yaml", textwrap.dedent(text), "INF015")
    assert [f.line for f in findings] == [6, 9]
    assert all("hunter2" not in f.message + f.snippet for f in findings)
    assert lines("k8s/secret.yaml", text.replace("kind: ConfigMap", "kind: Secret"), "INF015") == []


def test_exposed_service() -> None:
    text = """\
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      type: NodePort
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: lb}
    spec:
      type: LoadBalancer
      loadBalancerSourceRanges: [10.0.0.0/8]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: internal}
    spec:
      type: ClusterIP
    """
    assert lines("k8s/svc.yaml", text, "INF016") == [5]


# --- INF017 missing-default-deny-network-policy --------------------------------------------------------


def test_missing_default_deny_is_reported_on_the_first_workload_file() -> None:
    files = {"k8s/b.yaml": textwrap.dedent(DEPLOY), "k8s/a.yaml": textwrap.dedent(SAFE).split("---")[0]}
    assert [(p, f.line, f.snippet) for p, f in repo_findings(files, "INF017")] == [
        ("k8s/a.yaml", 0, "missing-default-deny-network-policy")
    ]


def test_default_deny_present_or_no_workloads_is_clean() -> None:
    assert repo_findings({"k8s/a.yaml": DEPLOY, "k8s/np.yaml": SAFE}, "INF017") == []
    assert repo_findings({"README.md": "x\n", "config.yml": "a: 1\n"}, "INF017") == []


@pytest.mark.parametrize(
    ("spec", "deny"),
    [
        ("podSelector: {}", True),
        ("podSelector: {}\n  policyTypes: [Egress]", False),
        ("podSelector: {}\n  ingress: [{}]", False),
        ("podSelector: {matchLabels: {app: a}}\n  policyTypes: [Ingress]", False),
    ],
)
def test_default_deny_shapes(spec: str, deny: bool) -> None:
    text = f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p}}\nspec:\n  {spec}\n"
    assert analyse_text("k8s/np.yaml", text).data["infra.k8s"] == ({"workloads": 0, "default_deny": True}
                                                                  if deny else {})


# --- docker-compose ------------------------------------------------------------------------------------

COMPOSE = """\
services:
  api:
    image: acme/api:1.2
    privileged: true
    network_mode: host
  db:
    image: postgres:16
    privileged: false
    network_mode: bridge
"""


def test_compose_privileged_and_host_network() -> None:
    assert lines("docker-compose.yml", COMPOSE, "INF018") == [4]
    assert lines("docker-compose.yml", COMPOSE, "INF019") == [5]
    assert lines("compose.prod.yaml", COMPOSE, "INF019") == [5]


def test_compose_rules_only_read_compose_files_and_version_one_layout() -> None:
    assert lines("config/services.yml", COMPOSE, "INF018") == []
    v1 = "web:\n  image: acme/web:1\n  net: bridge\n  privileged: true\n"
    assert lines("docker-compose.yml", v1, "INF018") == [4]
    assert lines("docker-compose.yml", "services:\n  api:\n    image: a:1\n", "INF018") == []


# --- hostile input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("k8s/x.yaml", "apiVersion: apps/v1\nkind: Deployment\nspec: [1]\n"),
        ("k8s/x.yaml", "apiVersion: apps/v1\nkind: Deployment\nspec: {selector: {}, template: {spec: {containers: 5}}}\n"),
        ("k8s/x.yaml", "apiVersion: v1\nkind: Pod\nspec: {containers: [{image: 3}, 7, {image: a, securityContext: 1}]}\n"),
        ("k8s/x.yaml", "apiVersion: v1\nkind: List\nitems: &a [*a]\n"),
        ("k8s/x.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: {? [a]: b, 7: 8}\n"),
        ("docker-compose.yml", "services: [1, 2]\n"),
        ("docker-compose.yml", "- a\n- b\n"),
        ("Dockerfile", "FROM\nUSER\nENV\nARG =\nADD\nRUN <<EOF\n"),
        ("Dockerfile", "\\\n\\"),
        ("Dockerfile", 'ENV A="unbalanced\nADD ["not json\n'),
        ("any.yaml", "[" * 3000),
    ],
)
def test_hostile_infrastructure_files_never_crash(path: str, text: str) -> None:
    facts = analyse_text(path, text)
    assert [f for f in facts.findings if f.code == "QLT000"] == []


def test_stage_named_through_an_arg_and_placeholders_are_clean() -> None:
    text = "ARG VARIANT=prod\nFROM python:3.12 AS prod-base\nFROM ${VARIANT}-base\n"
    assert lines("Dockerfile", text, "INF002") == []
    assert lines("Dockerfile", "FROM a:1\nENV SECRET_KEY=dummy-build-only DB_PASSWORD=your-password\n", "INF006") == []
