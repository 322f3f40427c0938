"""Check-level rules for what real trees hold (issues 8 and 9): each rule with its failing case and its benign twin.

Key blocks, tokens and passwords are assembled at run time, so this file never holds one.
"""

from __future__ import annotations

import base64

from app.engine.model import Domain, Severity
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import blocking, domain, run_audit
from tests.helpers import file_findings

KEY_BODY = "\n".join(
    "MIIEpAIBAAKCAQEA" + "1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZ0123456789abcdef"[i:] + "Qq" for i in range(5)
)
PRIVATE_KEY = "-----BEGIN RSA " + f"PRIVATE KEY-----\n{KEY_BODY}\n-----END RSA " + "PRIVATE KEY-----\n"
CERTIFICATE = "-----BEGIN CERTIFICATE-----\n" + KEY_BODY + "\n-----END CERTIFICATE-----\n"
PASSWORD = "Xk29f" + "Lq8mZ!"

APP = '"""The service."""\n\nimport logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef run() -> int:\n' \
      '    """Run once."""\n    return 1\n'


def b64(text: str) -> str:
    """Return text encoded in base64, wrapped like `base64` does."""
    raw = base64.b64encode(text.encode()).decode()
    return "\n".join(raw[i:i + 76] for i in range(0, len(raw), 76)) + "\n"


def kubeconfig(user: str) -> str:
    """Return a kubeconfig whose user entry is `user` (indented under `user:`)."""
    return (
        "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://10.0.0.1:6443\n"
        f"    certificate-authority-data: {b64(CERTIFICATE).replace(chr(10), '')}\n"
        f"users:\n- name: admin\n  user:\n{user}"
        "contexts:\n- name: prod\n  context: {cluster: prod, user: admin}\ncurrent-context: prod\n"
    )


def seeded(repo: RepoBuilder) -> str:
    """Commit a small service and return the base commit."""
    return repo.commit("base", {"app/service.py": APP, "README.md": "# svc\n"})


def new_security(repo: RepoBuilder, base: str, head: str) -> list[tuple[str, str, str]]:
    """Return (rule, severity, message) of the new security findings."""
    report = run_audit(repo, base, head)
    return [(f.rule, f.severity.value, f.message) for f in report.findings
            if f.status == "new" and f.domain is Domain.SECURITY]


# --- base64 and kubeconfigs -------------------------------------------------------------------------

def test_base64_kubeconfig_with_a_private_key_is_a_new_high_finding(repo: RepoBuilder) -> None:
    base = seeded(repo)
    user = f"    client-certificate-data: {b64(CERTIFICATE).replace(chr(10), '')}\n" \
           f"    client-key-data: {b64(PRIVATE_KEY).replace(chr(10), '')}\n"
    head = repo.commit("add kubeconfig", {"deploy/kubeconfig.b64": b64(kubeconfig(user))})
    found = new_security(repo, base, head)
    assert any(Severity(sev).rank >= Severity.HIGH.rank for _, sev, _ in found)
    assert {"SEC003", "SEC009"} <= {rule for rule, _, _ in found}
    assert all("inside the base64-encoded file" in message for _, _, message in found)
    assert "security" in blocking(run_audit(repo, base, head))


def test_base64_public_certificate_is_not_a_finding(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("add CA", {"deploy/ca.b64": b64(CERTIFICATE),
                                  "deploy/kubeconfig.b64": b64(kubeconfig("    exec: {command: aws}\n"))})
    assert new_security(repo, base, head) == []
    assert run_audit(repo, base, head).passed


def test_plain_kubeconfig_token_and_auth_provider_secret_are_flagged(repo: RepoBuilder) -> None:
    base = seeded(repo)
    token = "eyJhbGciOiJSUzI1NiJ9." + "Zq7xR2mV9kL4pW8sT1nB6yC3dF5gH0jK2aE4"
    user = f"    token: {token}\n    auth-provider:\n      name: oidc\n      config:\n" \
           f"        client-secret: {PASSWORD}Qz\n        idp-issuer-url: https://id.example.org\n"
    head = repo.commit("kubeconfig", {".kube/config": kubeconfig(user)})
    found = [(rule, message) for rule, _, message in new_security(repo, base, head)]
    assert [rule for rule, _ in found] == ["SEC009", "SEC009"]
    assert all(PASSWORD not in message and token not in message for _, message in found)


def test_secret_inside_a_base64_value_of_a_yaml_file_is_reported_at_the_value(repo: RepoBuilder) -> None:
    base = seeded(repo)
    env = f"DB_HOST=db\nDB_PASSWORD={PASSWORD}\n"
    secret = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  app.env: {b64(env).strip()}\n"
    head = repo.commit("secret", {"deploy/secret.yaml": secret})
    report = run_audit(repo, base, head)
    found = [f for f in report.findings if f.status == "new" and f.rule == "SEC001"]
    assert [(f.path, f.line) for f in found] == [("deploy/secret.yaml", 6)]
    assert "base64 value of `app.env`" in found[0].message


def test_removing_a_committed_key_improves_security_and_says_to_rotate(repo: RepoBuilder) -> None:
    base = repo.commit("key", {"app/service.py": APP, "deploy/tls.key": PRIVATE_KEY})
    repo.delete("deploy/tls.key")
    head = repo.commit("remove key")
    report = run_audit(repo, base, head)
    fixed = [f for f in report.findings if f.status == "fixed" and f.rule == "SEC003"]
    assert fixed and "git history" in fixed[0].message and "rotate" in fixed[0].message
    assert any("deploy/tls.key" in note and "rotate" in note for note in report.notes)
    security = domain(report, Domain.SECURITY)
    assert security.head is not None and security.base is not None and security.head > security.base
    assert not security.regressed


# --- credentials are literals; fixture passwords in tests -----------------------------------------------

GENERATED_TS = """/* generated using openapi-typescript-codegen -- do no edit */
export const getHeaders = async (config: OpenAPIConfig, options: ApiRequestOptions) => {
    const username = await resolve(options, config.USERNAME);
    const password = await resolve(options, config.PASSWORD);
};
"""
HANDWRITTEN_TS = """export type Body_login = {
    grant_type?: string | null;
    username: string;
    password: string;
};
"""


def test_generated_client_and_typed_fields_are_not_credentials(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("client", {"frontend/src/client/core/request.ts": GENERATED_TS,
                                  "frontend/src/client/models/Body_login.ts": HANDWRITTEN_TS})
    assert new_security(repo, base, head) == []
    notes = run_audit(repo, base, head).notes
    assert any("1 generated files" in n and "frontend/src/client/core/request.ts" in n for n in notes)


def test_literal_default_password_in_typescript_is_still_flagged(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("seed", {"frontend/src/seed.ts": "const admin = { username: 'admin', password: 'admin' };\n"})
    assert [rule for rule, _, _ in new_security(repo, base, head)] == ["SEC004"]


def test_fixture_password_in_a_test_is_listed_but_neither_blocks_nor_weighs(repo: RepoBuilder) -> None:
    base = seeded(repo)
    test = f'"""Login tests."""\n\n\ndef test_login() -> None:\n    password = "{PASSWORD}"\n    assert password\n'
    head = repo.commit("test", {"tests/test_login.py": test})
    report = run_audit(repo, base, head)
    new = [f for f in report.findings if f.status == "new" and f.domain is Domain.SECURITY]
    assert [f.rule for f in new] == ["SEC001"]
    assert report.passed
    security = domain(report, Domain.SECURITY)
    assert security.base == security.head


def test_provider_token_in_a_test_still_weighs_and_blocks(repo: RepoBuilder) -> None:
    base = seeded(repo)
    token = "gh" + "p_" + "Zq7xR2mV9kL4pW8sT1nB6yC3dF5gH0jK2aE4"
    head = repo.commit("test", {"tests/test_api.py": f'TOKEN = "{token}"\n\n\ndef test_a() -> None:\n    assert TOKEN\n'})
    report = run_audit(repo, base, head)
    assert "security" in blocking(report)


def test_key_stores_and_ssh_keys_are_secrets_by_name(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("certs", {"deploy/server.p12": b"\x30\x82\x0a\x00\x02\x01\x03\x00binary",
                                 "ops/id_rsa": PRIVATE_KEY, "ops/id_rsa.pub": "ssh-rsa AAAAB3Nza user@host\n"})
    found = sorted((f.rule, f.path) for f in run_audit(repo, base, head).findings if f.status == "new")
    assert found == [("SEC003", "ops/id_rsa"), ("SEC010", "deploy/server.p12")]


def test_public_certificates_and_public_keys_are_not_secret_files(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("certs", {"deploy/server.crt": CERTIFICATE, "deploy/ca.pem": CERTIFICATE,
                                 "ops/id_ed25519.pub": "ssh-ed25519 AAAAC3Nza user@host\n"})
    assert new_security(repo, base, head) == []


# --- errors that vanish; performance and observability in tests --------------------------------------

LOGGED = '''"""Sync jobs."""

import logging

logger = logging.getLogger(__name__)


def sync(client: object) -> None:
    """Pull once."""
    try:
        client.pull()  # type: ignore[attr-defined]
    except Exception:
        logger.exception("pull failed", extra={"client": repr(client)})
'''
SWALLOWED = LOGGED.replace(
    '        logger.exception("pull failed", extra={"client": repr(client)})\n', "        pass\n"
)


def test_replacing_a_structured_log_with_except_pass_blocks_observability(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/sync.py": LOGGED, "README.md": "# svc\n"})
    head = repo.commit("swallow", {"app/sync.py": SWALLOWED})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.severity) for f in report.findings if f.status == "new"] == [("OBS002", Severity.MEDIUM)]
    assert blocking(report) == ["observability"]


def test_the_same_swallow_in_a_test_passes(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/sync.py": LOGGED, "tests/test_sync.py": LOGGED, "README.md": "# svc\n"})
    head = repo.commit("swallow", {"tests/test_sync.py": SWALLOWED})
    report = run_audit(repo, base, head)
    assert [f.rule for f in report.findings if f.status == "new"] == ["OBS002"]
    assert report.passed


ASYNC_TEST = '''"""Streaming tests."""


async def test_stream() -> None:
    with open("payload.bin", "rb") as handle:
        assert handle.read()
'''


def test_blocking_call_in_an_async_test_never_blocks(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("test", {"tests/test_stream.py": ASYNC_TEST})
    report = run_audit(repo, base, head)
    new = [(f.rule, f.domain) for f in report.findings if f.status == "new"]
    assert any(d is Domain.PERFORMANCE for _, d in new)
    assert "performance" not in blocking(report)


def test_blocking_call_in_async_shipped_code_still_blocks(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("code", {"app/stream.py": ASYNC_TEST.replace("test_stream", "stream")})
    assert "performance" in blocking(run_audit(repo, base, head))


# --- manifests as they exist -------------------------------------------------------------------------

OLD_API_DEPLOYMENT = """apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:latest
"""
PATCH = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:latest
"""


def infra_findings(repo: RepoBuilder, base: str, head: str) -> list[tuple[str, str]]:
    """Return (rule, path) of the new infrastructure findings."""
    report = run_audit(repo, base, head)
    return sorted((f.rule, f.path) for f in report.findings if f.status == "new" and f.domain is Domain.INFRASTRUCTURE)


def test_old_api_deployment_without_selector_is_judged(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("deploy", {"k8s/web.yaml": OLD_API_DEPLOYMENT})
    rules = {rule for rule, _ in infra_findings(repo, base, head)}
    assert {"INF008", "INF009", "INF010"} <= rules


def test_apps_v1_patch_without_selector_stays_a_fragment(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("patch", {"k8s/overlays/prod/patch.yaml": PATCH})
    assert infra_findings(repo, base, head) == []


def test_list_items_and_multi_documents_are_judged(repo: RepoBuilder) -> None:
    base = seeded(repo)
    item = OLD_API_DEPLOYMENT.replace("\n", "\n    ").rstrip()
    listed = f"apiVersion: v1\nkind: List\nitems:\n  - {item}\n"
    multi = OLD_API_DEPLOYMENT.replace("name: web\nspec", "name: api\nspec") + "---\n" + OLD_API_DEPLOYMENT
    head = repo.commit("deploy", {"k8s/list.yaml": listed, "k8s/multi.yaml": multi.replace(
        "name: web\nspec", "name: worker\nspec", 1)})
    latest = [path for rule, path in infra_findings(repo, base, head) if rule == "INF010"]
    assert latest == ["k8s/list.yaml", "k8s/multi.yaml", "k8s/multi.yaml"]


APPS_V1_DEPLOYMENT = OLD_API_DEPLOYMENT.replace("extensions/v1beta1", "apps/v1").replace(
    "  replicas: 2\n", "  replicas: 2\n  selector:\n    matchLabels: {app: web}\n")


def test_overlay_redeclaring_an_object_does_not_make_its_findings_new(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/service.py": APP, "k8s/web.yaml": APPS_V1_DEPLOYMENT})
    hotfix = APPS_V1_DEPLOYMENT.replace("replicas: 2", "replicas: 4")
    head = repo.commit("hotfix", {"k8s/hotfix/web.yaml": hotfix})
    assert infra_findings(repo, base, head) == []
    assert "infrastructure" not in blocking(run_audit(repo, base, head))


def test_a_new_object_with_the_same_defect_is_new(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/service.py": APP, "k8s/web.yaml": OLD_API_DEPLOYMENT})
    other = OLD_API_DEPLOYMENT.replace("name: web\nspec", "name: admin\nspec")
    head = repo.commit("admin", {"k8s/admin.yaml": other})
    assert ("INF010", "k8s/admin.yaml") in infra_findings(repo, base, head)


COMPOSE = """services:
  cache:
    image: redis:latest
  db:
    image: postgres
  web:
    build: .
    image: acme/web
  queue:
    image: rabbitmq:3.13-management
"""


def test_compose_images_on_latest_or_untagged_are_flagged(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("compose", {"docker-compose.yml": COMPOSE})
    report = run_audit(repo, base, head)
    found = sorted((f.line, f.severity.value) for f in report.findings if f.rule == "INF010")
    assert found == [(3, "medium"), (5, "low")]
    assert "infrastructure" in blocking(report)


def test_compose_images_on_latest_in_a_local_override_are_low(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("compose", {"docker-compose.override.yml": COMPOSE})
    report = run_audit(repo, base, head)
    assert sorted(f.severity.value for f in report.findings if f.rule == "INF010") == ["low", "low"]
    assert "infrastructure" not in blocking(report)


def test_compose_images_pinned_to_a_version_pass(repo: RepoBuilder) -> None:
    base = seeded(repo)
    head = repo.commit("compose", {"docker-compose.yml": COMPOSE.replace("redis:latest", "redis:7.2").replace(
        "image: postgres", "image: postgres:16")})
    assert [f.rule for f in run_audit(repo, base, head).findings if f.rule == "INF010"] == []


# --- dev tooling and guarded imports -----------------------------------------------------------------

POETRY = """[tool.poetry]
name = "shop"
version = "1.0"

[tool.poetry.dependencies]
python = "^3.11"
requests = "^2.31"

[tool.poetry.group.dev.dependencies]
faker = "^24.0"
"""
SHOP = '"""The shop."""\n\nimport requests\n\n\ndef fetch() -> object:\n    """Fetch."""\n    return requests.get\n'
SEED_SCRIPT = '"""Fill the dev database."""\n\nfrom faker import Faker\n\nprint(Faker().name())\n'


def dependency_findings(repo: RepoBuilder, base: str, head: str) -> list[tuple[str, str, str]]:
    """Return (rule, path, severity) of the new dependencies findings."""
    report = run_audit(repo, base, head)
    return sorted((f.rule, f.path, f.severity.value) for f in report.findings
                  if f.status == "new" and f.domain is Domain.DEPENDENCIES)


def test_dev_script_importing_a_dev_group_package_is_not_flagged(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"pyproject.toml": POETRY, "shop/__init__.py": "", "shop/api.py": SHOP})
    head = repo.commit("seed", {"dev/seed_db.py": SEED_SCRIPT})
    assert dependency_findings(repo, base, head) == []
    assert run_audit(repo, base, head).passed


def test_shipped_package_named_dev_still_owes_a_runtime_declaration(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"pyproject.toml": POETRY, "shop/__init__.py": "", "shop/api.py": SHOP})
    head = repo.commit("seed", {"shop/dev/__init__.py": "", "shop/dev/seed.py": SEED_SCRIPT})
    assert dependency_findings(repo, base, head) == [("DEP001", "shop/dev/seed.py", "medium")]


GUARDED = '"""Fast JSON."""\n\ntry:\n    import orjson\nexcept ImportError:\n    orjson = None\n'


def test_guarded_import_of_an_undeclared_package_stays_a_finding(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"pyproject.toml": POETRY, "shop/__init__.py": "", "shop/api.py": SHOP})
    head = repo.commit("fast json", {"shop/fast.py": GUARDED})
    assert dependency_findings(repo, base, head) == [("DEP001", "shop/fast.py", "low")]


def test_guarded_import_declared_by_an_extra_is_not_a_finding(repo: RepoBuilder) -> None:
    extra = POETRY.replace('requests = "^2.31"\n', 'requests = "^2.31"\norjson = {version = "^3", optional = true}\n')
    extra += '\n[tool.poetry.extras]\nfast = ["orjson"]\n'
    base = repo.commit("base", {"pyproject.toml": extra, "shop/__init__.py": "", "shop/api.py": SHOP})
    head = repo.commit("fast json", {"shop/fast.py": GUARDED})
    assert dependency_findings(repo, base, head) == []


# --- actions by owner and pin --------------------------------------------------------------------------

SHA = "b4ffde65f46336ab88eb53be808477a3936bae11"


def workflow(extra: str = "") -> str:
    """Return a least-privilege workflow that tests, with extra steps appended."""
    return (
        "name: ci\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        f"    timeout-minutes: 10\n    steps:\n      - uses: actions/checkout@{SHA}\n{extra}      - run: pytest -q\n"
    )


def ci_after(repo: RepoBuilder, step: str) -> tuple[list[tuple[str, str]], bool]:
    """Add one step to the workflow; return the new CI002 findings (uses, severity) and whether ci blocks."""
    base = repo.commit("base", {"app/service.py": APP, ".github/workflows/ci.yml": workflow()})
    head = repo.commit("step", {".github/workflows/ci.yml": workflow(f"      - uses: {step}\n")})
    report = run_audit(repo, base, head)
    found = [(f.message.split("`")[1], f.severity.value) for f in report.findings if f.rule == "CI002"]
    return found, "ci" in blocking(report)


def test_github_action_on_a_version_tag_is_low_and_passes(repo: RepoBuilder) -> None:
    assert ci_after(repo, "actions/setup-python@v5") == ([("actions/setup-python@v5", "low")], False)


def test_third_party_action_on_a_version_tag_is_medium(repo: RepoBuilder) -> None:
    assert ci_after(repo, "pypa/gh-action-pypi-publish@v1.8.14") == (
        [("pypa/gh-action-pypi-publish@v1.8.14", "medium")], True)


def test_action_on_a_branch_is_high(repo: RepoBuilder) -> None:
    assert ci_after(repo, "pypa/gh-action-pypi-publish@release/v1") == (
        [("pypa/gh-action-pypi-publish@release/v1", "high")], True)


def test_action_pinned_to_a_full_sha_is_clean(repo: RepoBuilder) -> None:
    assert ci_after(repo, f"pypa/gh-action-pypi-publish@{SHA}") == ([], False)


REUSABLE = (
    "on:\n  workflow_call:\njobs:\n  build-wheel:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n"
    "    steps:\n      - uses: docker/setup-qemu-action@v4\n      - uses: pypa/cibuildwheel@v4.2.0\n"
)


def test_steps_moved_into_a_reusable_workflow_are_not_new(repo: RepoBuilder) -> None:
    steps = "      - uses: docker/setup-qemu-action@v4\n      - uses: pypa/cibuildwheel@v4.2.0\n"
    base = repo.commit("base", {"app/service.py": APP, ".github/workflows/ci.yml": workflow(steps)})
    head = repo.commit("reusable", {
        ".github/workflows/ci.yml": workflow(), ".github/workflows/reusable-build.yml": REUSABLE})
    report = run_audit(repo, base, head)
    assert [f for f in report.findings if f.rule == "CI002"] == []
    assert "ci" not in blocking(report)


def test_a_copy_of_an_unpinned_action_in_a_new_job_is_new(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/service.py": APP, ".github/workflows/ci.yml": workflow(
        "      - uses: pypa/cibuildwheel@v4.2.0\n")})
    job = "  wheels:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n" \
          "      - uses: pypa/cibuildwheel@v4.2.0\n"
    head = repo.commit("job", {".github/workflows/ci.yml": workflow("      - uses: pypa/cibuildwheel@v4.2.0\n") + job})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.line, f.status) for f in report.findings if f.rule == "CI002"] == [("CI002", 17, "new")]


LAX_JOB = (
    "name: ci\non: [pull_request]\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n    permissions: write-all\n"
    "    steps:\n      - uses: actions/checkout@{sha}\n      - run: pytest -q\n        continue-on-error: true\n"
)


def test_renaming_a_job_keeps_its_findings_old(repo: RepoBuilder) -> None:
    # A job's findings (write-all, no timeout, tests allowed to fail) belong to its steps, not to its id:
    # renaming `test` to `unit-tests` changes nothing that runs.
    base = repo.commit("base", {"app/service.py": APP, ".github/workflows/ci.yml": LAX_JOB.format(job="test", sha=SHA)})
    head = repo.commit("rename", {".github/workflows/ci.yml": LAX_JOB.format(job="unit-tests", sha=SHA)})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.status) for f in report.findings] == []  # neither new nor fixed (test_a_second_lax_job_is_new)
    assert "ci" not in blocking(report)


def test_a_second_lax_job_is_new(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/service.py": APP, ".github/workflows/ci.yml": LAX_JOB.format(job="test", sha=SHA)})
    second = LAX_JOB.format(job="test", sha=SHA) + LAX_JOB.format(job="lint", sha=SHA).split("jobs:\n", 1)[1]
    head = repo.commit("second", {".github/workflows/ci.yml": second})
    report = run_audit(repo, base, head)
    assert sorted(f.rule for f in report.findings if f.status == "new") == ["CI003", "CI004", "CI007"]


RC = """apiVersion: v1
kind: ReplicationController
metadata:
  name: redis-master
spec:
  replicas: 1
  selector:
    app: redis
  template:
    metadata:
      labels:
        app: redis
    spec:
      containers:
      - name: redis-master
        image: redis:7.2
"""
AS_DEPLOYMENT = RC.replace("apiVersion: v1\nkind: ReplicationController", "apiVersion: apps/v1\nkind: Deployment").replace(
    "  selector:\n    app: redis\n", "  selector:\n    matchLabels:\n      app: redis\n")


def test_moving_a_workload_to_a_current_controller_keeps_its_findings(repo: RepoBuilder) -> None:
    # kubernetes/examples 279e8e4fe3: a ReplicationController rewritten as a Deployment runs the same pods.
    base = repo.commit("base", {"app/service.py": APP, "k8s/redis.yaml": RC})
    head = repo.commit("deployment", {"k8s/redis.yaml": AS_DEPLOYMENT})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.status) for f in report.findings if f.status == "new"] == []
    assert "infrastructure" not in blocking(report)


def test_a_second_workload_of_another_name_is_new(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/service.py": APP, "k8s/redis.yaml": RC})
    head = repo.commit("replica", {"k8s/replica.yaml": AS_DEPLOYMENT.replace("redis-master", "redis-replica")})
    report = run_audit(repo, base, head)
    assert {f.rule for f in report.findings if f.status == "new"} >= {"INF008", "INF011"}




def test_a_workload_renamed_in_place_keeps_its_findings(repo: RepoBuilder) -> None:
    # kubernetes/examples 2b1e860e04: redis-slave renamed redis-replica, its file renamed with it.
    slave = RC.replace("redis-master", "redis-slave")
    base = repo.commit("base", {"app/service.py": APP, "k8s/redis-slave.yaml": slave})
    repo.move("k8s/redis-slave.yaml", "k8s/redis-replica.yaml")
    head = repo.commit("rename", {"k8s/redis-replica.yaml": RC.replace("redis-master", "redis-replica")})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.status) for f in report.findings if f.status in ("new", "fixed")] == []
    assert "infrastructure" not in blocking(report)



def test_a_workload_declared_in_several_files_renamed_in_each_keeps_its_findings(repo: RepoBuilder) -> None:
    # kubernetes/examples 2b1e860e04: redis-slave, declared in three files, renamed redis-replica in
    # each; its container renamed `replica` in two of them, left `slave` in the third.
    slave = RC.replace("redis-master", "redis-slave")
    files = {"k8s/all-in-one.yaml": slave, "k8s/legacy/redis-slave.yaml": slave, "k8s/redis-slave.yaml": slave}
    base = repo.commit("base", {"app/service.py": APP, **files})
    renamed = RC.replace("redis-master", "redis-replica")
    repo.move("k8s/legacy/redis-slave.yaml", "k8s/legacy/redis-replica.yaml")
    repo.move("k8s/redis-slave.yaml", "k8s/redis-replica.yaml")
    head = repo.commit("rename", {"k8s/all-in-one.yaml": renamed, "k8s/legacy/redis-replica.yaml": renamed,
                                  "k8s/redis-replica.yaml": renamed.replace("- name: redis-replica", "- name: slave")})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.status) for f in report.findings if f.status in ("new", "fixed")] == []
    assert "infrastructure" not in blocking(report)

def test_a_workload_fixed_beside_one_added_elsewhere_is_new(repo: RepoBuilder) -> None:
    fixed = RC.replace("      - name: redis-master\n", "      - name: redis-master\n        securityContext:\n"
                       "          runAsNonRoot: true\n")
    base = repo.commit("base", {"app/service.py": APP, "k8s/redis.yaml": RC})
    head = repo.commit("swap", {"k8s/redis.yaml": fixed, "k8s/other.yaml": RC.replace("redis-master", "other")})
    report = run_audit(repo, base, head)
    assert ("INF011", "new") in [(f.rule, f.status) for f in report.findings]


def test_a_base_image_swapped_for_another_in_place_is_not_new(repo: RepoBuilder) -> None:
    # kubernetes-engine-samples c6ddd53b39: an unpinned distroless base replaced by another, unpinned too.
    dockerfile = "FROM golang:1.22 AS builder\nRUN go build -o /app\n\nFROM gcr.io/distroless/{}\nUSER nonroot\n" \
                 "COPY --from=builder /app /app\nCMD [\"/app\"]\n"
    base = repo.commit("base", {"app/service.py": APP, "Dockerfile": dockerfile.format("base-debian11")})
    head = repo.commit("swap", {"Dockerfile": dockerfile.format("static-debian12")})
    assert [(f.rule, f.status) for f in run_audit(repo, base, head).findings if f.status != "unchanged"] == []
    # A second floating base is new, and so is the same swap in a Dockerfile of its own.
    second = dockerfile.format("static-debian12").replace("FROM golang:1.22", "FROM golang")
    assert ("INF002", "new") in [(f.rule, f.status) for f in run_audit(repo, head, repo.commit("2", {"Dockerfile": second})).findings]
    added = repo.commit("3", {"worker/Dockerfile": dockerfile.format("base-debian11")})
    assert ("INF002", "new") in [(f.rule, f.status) for f in run_audit(repo, head, added).findings]

def _as_json(manifest: str, indent: str) -> str:
    """Return a one-document YAML manifest written as JSON, as kubectl also takes it."""
    import json

    import yaml

    return json.dumps(yaml.safe_load(manifest), indent=indent)


def test_a_json_manifest_is_judged_like_its_yaml() -> None:
    as_yaml = {f.code for f in file_findings("k8s/redis.yaml", AS_DEPLOYMENT)}
    assert {"INF008", "INF011"} <= as_yaml
    # Tab-indented JSON is JSON too, though YAML forbids tabs where it indents.
    for indent in ("  ", "\t"):
        assert {f.code for f in file_findings("k8s/redis.json", _as_json(AS_DEPLOYMENT, indent))} == as_yaml


def test_json_that_is_no_manifest_is_left_alone() -> None:
    package = '{\n\t"name": "web",\n\t"kind": "app",\n\t"scripts": {"build": "vite"}\n}\n'
    assert [f.code for f in file_findings("package.json", package)] == []
    broken = '{"apiVersion": "apps/v1", "kind": "Deployment", '
    assert [f.code for f in file_findings("k8s/broken.json", broken)] == []  # INF001 is YAML's alone


def test_a_json_manifest_rewritten_as_yaml_keeps_its_findings(repo: RepoBuilder) -> None:
    # kubernetes/examples 460d48a31d: the guestbook's JSON manifests rewritten as YAML run the same pods.
    base = repo.commit("base", {"app/service.py": APP, "k8s/redis.json": _as_json(AS_DEPLOYMENT, "  ")})
    repo.delete("k8s/redis.json")
    head = repo.commit("yaml", {"k8s/redis.yaml": AS_DEPLOYMENT})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.status) for f in report.findings if f.status == "new"] == []
    assert "infrastructure" not in blocking(report)


SAFECALL = '"""Utilities."""\n\n\ndef {name}(func):\n    """Wrap a function so that it swallows exceptions."""\n' \
           '    def wrapper(*args):\n        try:\n            return func(*args)\n        except Exception:\n' \
           '            pass\n        return None\n\n    return wrapper\n'


def test_a_function_renamed_keeps_the_findings_inside_it(repo: RepoBuilder) -> None:
    # click 333c28d79c: `safecall` made private as `_safecall`; its swallowed exception is the same one.
    base = repo.commit("base", {"app/service.py": APP, "app/utils.py": SAFECALL.format(name="safecall")})
    head = repo.commit("private", {"app/utils.py": SAFECALL.format(name="_safecall")})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.status) for f in report.findings if f.status in ("new", "fixed")] == []
    # A second function swallowing the same way is new.
    both = SAFECALL.format(name="_safecall") + SAFECALL.format(name="quietcall").split('"""Utilities."""', 1)[1]
    later = run_audit(repo, head, repo.commit("second", {"app/utils.py": both}))
    assert [(f.rule, f.status) for f in later.findings if f.status == "new"] == [("OBS002", "new")]


MIXIN_TESTS = """import pytest

from tests.mixins import {mixins}


{classes}
"""
ONE_CLASS = """class TestPipeline(PipelineMixin):
    @pytest.mark.skip(reason="tiny models make save/load comparisons unreliable")
    def test_save_from_pretrained(self):
        pass
"""
SPLIT = """class TestPipeline(PipelineMixin):
    pass


class TestPipelineLoading(LoadingMixin):
    @pytest.mark.skip(reason="tiny models make save/load comparisons unreliable")
    def test_save_from_pretrained(self):
        pass
"""


def test_a_skip_moved_to_a_new_class_of_the_same_file_is_not_new(repo: RepoBuilder) -> None:
    # diffusers 102c24934f: a mixin split in two; the skip of an inherited test moved with its test.
    mixins = "import pytest\n\n\nclass PipelineMixin:\n    def test_run(self):\n        assert True\n\n\n" \
             "class LoadingMixin:\n    def test_save_from_pretrained(self):\n        assert True\n"
    base = repo.commit("base", {"app/service.py": APP, "tests/__init__.py": "", "tests/mixins.py": mixins,
                                "tests/test_pipeline.py": MIXIN_TESTS.format(mixins="PipelineMixin", classes=ONE_CLASS)})
    split = MIXIN_TESTS.format(mixins="LoadingMixin, PipelineMixin", classes=SPLIT)
    head = repo.commit("split", {"tests/test_pipeline.py": split})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.status) for f in report.findings if f.status in ("new", "fixed")] == []
    # Moved to another file, under another class, it is the same skip still.
    saving = SPLIT.split("\n\n\n", 1)[1].replace("class TestPipelineLoading", "class TestSaving")
    moved = MIXIN_TESTS.format(mixins="LoadingMixin", classes=saving)
    repo.write({"tests/test_saving.py": moved})
    moved_head = repo.commit("move", {"tests/test_pipeline.py": MIXIN_TESTS.format(
        mixins="PipelineMixin", classes="class TestPipeline(PipelineMixin):\n    pass\n").replace("import pytest\n", "")})
    report = run_audit(repo, head, moved_head)
    assert [(f.rule, f.status) for f in report.findings if f.status in ("new", "fixed")] == []
    # A second test switched off is new.
    more = split + "\n\n    @pytest.mark.skip(reason=\"slow\")\n    def test_run(self):\n        pass\n"
    later = run_audit(repo, head, repo.commit("more", {"tests/test_pipeline.py": more}))
    assert ("TST005", "new") in [(f.rule, f.status) for f in later.findings]

# --- what counts as generated ----------------------------------------------------------------------------

DJANGO_SETTINGS = '''"""
Django settings for shop project.

Generated by 'django-admin startproject' using Django 5.0.
"""

DEBUG = True
CORS_ALLOW_ALL_ORIGINS = True
'''
SWALLOWING = '"""x"""\n\n\ndef f() -> None:\n    try:\n        g()\n    except Exception:\n        pass\n'


def test_scaffolded_django_settings_are_still_judged() -> None:
    codes = {f.code for f in file_findings("shop/settings.py", DJANGO_SETTINGS)}
    assert {"SEC006", "SEC007"} <= codes


def test_generated_files_skip_heuristic_checks_but_not_secrets() -> None:
    banner = "# Generated by the protocol buffer compiler.  DO NOT EDIT!\n"
    assert [f.code for f in file_findings("api/service_pb2.py", SWALLOWING)] == []
    assert [f.code for f in file_findings("api/service.py", banner + SWALLOWING)] == []
    assert [f.code for f in file_findings("api/service.py", SWALLOWING)] == ["OBS002"]
    secret = banner + f'API_TOKEN = "{PASSWORD}Qz81"\n'
    assert [f.code for f in file_findings("api/settings.py", secret)] == ["SEC001"]
