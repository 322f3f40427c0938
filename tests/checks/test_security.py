"""Security checks (SEC001-SEC008).

Token-shaped strings, key blocks and credential URLs are assembled at run time, so this file never
holds one: Verity audits its own repository, and push protection scans it.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from app.checks.base import FileContext, yaml_too_deep
from app.checks.registry import file_checks
from app.checks.security import _commands, _pairs
from app.checks.security._pairs import pairs
from app.checks.security._secrets import is_secret_name, is_secret_value
from app.engine.model import RawFinding, Severity
from tests.helpers import file_findings

# Random-looking values, split so no literal in this file is a secret or a token.
PASSWORD = "Xk29f" + "Lq8mZ!"
HEX_KEY = "8f14e45f" + "ceea467fa0e63f2c8b0e9a12"
GITHUB = "gh" + "p_" + "Zq7xR2mV9kL4pW8sT1nB6yC3dF5gH0jK2aE4"
AWS_ID = "AK" + "IA" + "QZ7R3MBX5T2WJK4N"
AWS_SECRET = "kZ4v/Qd8" + "Tn2xLmR9pW7sYb3Hc6Fg1JeUoAi5+Nt0"
STRIPE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
SLACK = "xo" + "xb-" + "2718281828-31415926535-Zq7xR2mV9kL4pW8sT1nB6yC3"
SLACK_HOOK = "https://hooks.slack.com/services/" + "T0F3K8Q2M/B07Z4V9N1/Zq7xR2mV9kL4pW8sT1nB6yC3"
GOOGLE = "AI" + "za" + "SyD4x9Qm2Lr7Tv1Kp8Wn3Hc6Fz0Bj5Ug2Ye"
KEY_BODY = "\n".join(
    "MIIEpAIBAAKCAQEA" + "1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZ0123456789abcdef"[i:] + "Qq" for i in range(5)
)


def private_key(kind: str = "RSA ") -> str:
    """Return a PEM private key block of one kind, with fake material."""
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{KEY_BODY}\n-----END {kind}PRIVATE KEY-----\n"


def found(path: str, source: str, code: str) -> list[tuple[int, str]]:
    """Return (line, severity override or "-") of one code's findings in a dedented file, by line."""
    results = file_findings(path, textwrap.dedent(source), code)
    return sorted((f.line, f.severity.value if f.severity else "-") for f in results)


def lines(path: str, source: str, code: str) -> list[int]:
    """Return the lines one code flags in a dedented file."""
    return [line for line, _ in found(path, source, code)]


def leaks(findings: list[RawFinding], value: str) -> bool:
    """Return whether any finding's message or snippet holds a secret value."""
    return any(value in f.message or value in f.snippet for f in findings)


# --- SEC001 hardcoded-secret ---------------------------------------------------------------------

PY_SECRETS = f"""\
import os

SECRET_KEY = "{PASSWORD}"
client = Client(api_key="{HEX_KEY}")
CONFIG = {{"client_secret": "{PASSWORD}", "name": "{PASSWORD}"}}


def connect(user, password="{PASSWORD}"):
    return user


class Settings:
    webhook_secret: str = "{HEX_KEY}"
"""


def test_secret_literals_in_python_are_flagged() -> None:
    assert lines("billing/settings.py", PY_SECRETS, "SEC001") == [3, 4, 5, 8, 13]


def test_secret_findings_never_hold_the_value() -> None:
    findings = file_findings("billing/settings.py", PY_SECRETS, "SEC001")
    assert findings
    assert not leaks(findings, PASSWORD) and not leaks(findings, HEX_KEY)
    assert {f.snippet.split("#")[0] for f in findings} >= {"SECRET_KEY", "api_key", "client_secret"}


def test_secret_fingerprint_follows_the_name_and_value_not_the_line() -> None:
    moved = "\n\n\n" + PY_SECRETS
    before = {f.snippet for f in file_findings("a.py", PY_SECRETS, "SEC001")}
    after = {f.snippet for f in file_findings("a.py", moved, "SEC001")}
    assert before == after
    rotated = {f.snippet for f in file_findings("a.py", PY_SECRETS.replace(PASSWORD, "Wq38gMr9nA?"), "SEC001")}
    assert rotated != before


def test_algolias_search_only_keys_are_public() -> None:
    # reflex-dev/reflex 8612978ed3: the docs site's search box ships Algolia's search-only key to browsers.
    search = f'const ALGOLIA_APP_ID = "WLK9YABRW4";\nconst ALGOLIA_SEARCH_API_KEY = "{HEX_KEY}";\n'
    assert lines("site/AlgoliaSearch.tsx", search, "SEC001") == []
    docusaurus = f"themeConfig:\n  algolia:\n    appId: WLK9YABRW4\n    apiKey: {HEX_KEY}\n"
    assert lines("site/config.yml", docusaurus, "SEC001") == []
    # Algolia's admin key, or a search key elsewhere, is a secret.
    admin = f'const ALGOLIA_APP_ID = "WLK9YABRW4";\nconst ALGOLIA_ADMIN_API_KEY = "{HEX_KEY}";\n'
    assert lines("site/AlgoliaSearch.tsx", admin, "SEC001") == [2]
    assert lines("app/search.py", f'ELASTIC_SEARCH_API_KEY = "{HEX_KEY}"\n', "SEC001") == [1]

PY_NOT_SECRETS = """\
import os
from django.conf import settings

SECRET_KEY = os.environ["SECRET_KEY"]
API_KEY = settings.API_KEY
DB_PASSWORD = f"{os.environ['PW']}"
password = "changeme"
api_key = "your-api-key-here"
token = "<token>"
client_secret = "${CLIENT_SECRET}"
auth_token = "xxxxxxxxxxxxxxxxxxxx"
password = "test-password-123"
next_page_token = "CAoQAA8fjk3kdlsa2"
token = r"[-!#$%&'*+.^_`|~0-9a-zA-Z]+"
password_hash = "pbkdf2_sha256$260000$Xk29fLq8mZ$abc"
password = "$2b$12$Xk29fLq8mZ1234567890abcdefghijk"
SECRET_KEY = "django-insecure-8f14e45fceea467fa0e63f2c8b"
token_url = "https://auth.example.com/oauth/token"
key = "Xk29fLq8mZ!x"
secret_name = "db-credentials-2024"
private_key = "/run/secrets/signing_key"
SvnAuth = "._path.svnwc:SvnAuth"
password = "Passw0rd!"
"""


def test_references_placeholders_patterns_and_names_are_not_secrets() -> None:
    assert lines("app/settings.py", PY_NOT_SECRETS, "SEC001") == []


K8S_SECRETS = f"""\
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: app
          env:
            - name: DB_PASSWORD
              value: "{PASSWORD}"
            - name: API_TOKEN
              valueFrom:
                secretKeyRef: {{name: api, key: token}}
            - name: LOG_LEVEL
              value: "{PASSWORD}"
---
apiVersion: v1
kind: Secret
data:
  password: WGsyOWZMcThtWiE=
  username: YWRtaW4=
  api-key: Y2hhbmdlbWU=
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
spec:
  encryptedData:
    password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq
"""


def test_secrets_in_kubernetes_env_lists_and_secret_data_are_flagged() -> None:
    # Secret data is judged decoded: the base64 of a random password is flagged, of "changeme" is not.
    assert lines("deploy/app.yaml", K8S_SECRETS, "SEC001") == [10, 20]


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("docker-compose.yml", f"services:\n  api:\n    environment:\n      - API_SECRET={PASSWORD}\n", [4]),
        (".env", f"DEBUG=1\nexport STRIPE_WEBHOOK_SECRET='{HEX_KEY}'  # prod\nSECRET=${{SECRET}}\n", [2]),
        ("Dockerfile", f"FROM python:3.12\nENV APP=web \\\n    API_TOKEN={PASSWORD}\nARG TOKEN\n", [3]),
        ("pyproject.toml", f'[tool.app]\npassword = "{PASSWORD}"\nname = "{PASSWORD}"\n', [2]),
        ("config/app.json", f'{{\n  "db": {{\n    "password": "{PASSWORD}"\n  }}\n}}\n', [3]),
        ("deploy/app.ini", f"[db]\npassword = {PASSWORD}\n", [2]),
        ("web/api.js", f"const client = new Api({{\n  apiKey: '{HEX_KEY}',\n}});\n", [2]),
        ("web/api.js", "const client = new Api({ apiKey: process.env.API_KEY, token: userToken9x });\n", []),
        ("deploy/values.yaml", "auth:\n  password: {{ .Values.password }}\n  token: ''\n", []),
        ("group_vars/all.yml", "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6638\n", []),
    ],
)
def test_secrets_in_every_file_kind(path: str, source: str, expected: list[int]) -> None:
    assert lines(path, source, "SEC001") == expected


def test_passwords_inside_urls_are_flagged_but_not_in_docstrings() -> None:
    url = "postgres://app:" + PASSWORD + "@db.internal:5432/app"
    source = f'"""Connect with {url} for example."""\n\nDATABASE_URL = "{url}"\n'
    assert lines("app/db.py", source, "SEC001") == [3]
    assert not leaks(file_findings("app/db.py", source, "SEC001"), PASSWORD)
    assert lines("deploy/.env.production", f"DATABASE_URL={url}\n", "SEC001") == [1]
    assert lines("app/db.py", 'URL = "postgres://user:password@db/app"\n', "SEC001") == []


def test_secrets_in_markdown_are_low() -> None:
    assert found("README.md", f"Set `API_SECRET={PASSWORD}` in your shell.\n", "SEC001") == [(1, "low")]


def test_secrets_in_other_documentation_are_low_but_not_in_config_text() -> None:
    example = f'    "PASSWORD": "{PASSWORD}",\n'
    assert found("docs/topics/db/multi-db.txt", example, "SEC001") == [(1, "low")]
    assert found("guide/setup.rst", example, "SEC001") == [(1, "low")]
    assert found("deploy/settings.txt", f"API_SECRET={PASSWORD}\n", "SEC001") == [(1, "-")]


def test_fixture_credentials_and_api_examples_are_low_but_provider_tokens_in_tests_are_not() -> None:
    source = f'client.login(username="bob", password="{PASSWORD}")\nAPI_TOKEN = "{HEX_KEY}"\nGH = "{GITHUB}"\n'
    assert found("tests/test_login.py", source, "SEC001") == [(1, "low"), (2, "low")]
    assert not any(f.weighs for f in file_findings("tests/test_login.py", source, "SEC001"))
    assert found("tests/test_login.py", source, "SEC002") == [(3, "-")]
    assert all(f.weighs for f in file_findings("app/login.py", source, "SEC001"))
    url = f'DSN = "postgres://app:{PASSWORD}@db.internal/app"\n'
    assert found("tests/settings.py", url, "SEC001") == [(1, "low")]
    assert found("app/settings.py", url, "SEC001") == [(1, "-")]
    spec = f"components:\n  examples:\n    login:\n      password: '{PASSWORD}'\n"
    assert found("api/openapi.yaml", spec, "SEC001") == [(4, "low")]


def test_authorization_headers_are_secret_settings() -> None:
    source = f'HEADERS = {{"Authorization": "Bearer {HEX_KEY}", "Accept": "{HEX_KEY}"}}\n'
    assert lines("app/client.py", source, "SEC001") == [1]


def test_provider_tokens_are_left_to_sec002() -> None:
    source = f'GITHUB_TOKEN = "{GITHUB}"\nAWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"\n'
    assert lines("app/ci.py", source, "SEC001") == []
    assert lines("app/ci.py", source, "SEC002") == [1, 2]


@pytest.mark.parametrize(
    ("name", "secret"),
    [("DB_PASSWORD", True), ("dbPassword", True), ("api_key", True), ("APIKey", True), ("stripe-key", True),
     ("client_secret", True), ("auth", True), ("db_pass", True), ("PWD", False), ("pass", False),
     ("password_file", False), ("token_url", False), ("secret_name", False), ("public_key", False),
     ("cache_key", False), ("next_page_token", False), ("csrf_token", False), ("primary_key", False)],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("value", "secret"),
    [(PASSWORD, True), (HEX_KEY, True), ("Summer2024!x", True), ("hunter2", False), ("changeme", False),
     ("s3cr3t", False), ("app-tls-2024", False), ("GITHUB_TOKEN", False), ("settings.SECRET", False),
     ("${SECRET}", False), ("{{ .Values.x }}", False), ("/etc/ssl/private/key.pem", False),
     ("Enter your password", False), ("aaaaaaaaaaaaaaaa", False), ("v1.0.0-beta", False)],
)
def test_secret_values(value: str, secret: bool) -> None:
    assert is_secret_value(value) is secret


# --- SEC002 hardcoded-provider-token -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "source", "label"),
    [
        (".github/workflows/release.yml", f"env:\n  GH_TOKEN: {GITHUB}\n", "GitHub token `ghp_…`"),
        ("app/aws.py", f'# key {AWS_ID} rotated\nKEY_ID = "{AWS_ID}"\n', "AWS access key id `AKIA…`"),
        ("deploy/.env", f"SLACK_BOT={SLACK}\n", "Slack token `xoxb-…`"),
        ("notify.sh", f"curl -X POST {SLACK_HOOK} -d @msg.json\n", "Slack webhook URL"),
        ("tests/test_pay.py", f'KEY = "{STRIPE}"\n', "Stripe live secret key `sk_live_…`"),
        ("docs/setup.md", f"Use the key `{GITHUB}`.\n", "GitHub token"),
    ],
)
def test_provider_tokens_are_flagged_everywhere(path: str, source: str, label: str) -> None:
    findings = file_findings(path, source, "SEC002")
    assert findings and all(label in f.message for f in findings)
    assert findings[0].severity is None  # critical, tests and docs included
    assert not any(leaks(findings, token) for token in (GITHUB, AWS_ID, SLACK, STRIPE, SLACK_HOOK))


def test_google_keys_are_high_and_aws_secrets_need_an_aws_name() -> None:
    assert found("app/google-services.json", f'{{"api_key": "{GOOGLE}"}}\n', "SEC002") == [(1, "high")]
    source = f'aws_secret_access_key = "{AWS_SECRET}"\nchecksum = "{AWS_SECRET}"\n'
    assert lines("app/aws.py", source, "SEC002") == [1]


@pytest.mark.parametrize(
    "source",
    [
        "KEY = 'AK" + "IAIOSFODNN7EXAMPLE'\n",  # AWS's documented example
        "TOKEN = 'gh" + "p_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n",
        "HOOK = 'https://hooks.slack.com/services/" + "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'\n",
        "URL = 'https://s3.amazonaws.com/b/k?X-Amz-Credential=" + AWS_ID + "%2F20190509'\n",  # presigned
        "KEY = 'pk_" + "live_4eC39HqLyjWDarjtT1zdp7dc'\n",  # publishable: public by design
    ],
)
def test_examples_fillers_and_public_keys_are_not_provider_tokens(source: str) -> None:
    assert lines("app/keys.py", source, "SEC002") == []


# --- SEC003 hardcoded-private-key ----------------------------------------------------------------


def test_private_key_blocks_are_flagged() -> None:
    assert lines("certs/server.key", "subject=CN=api\n" + private_key(), "SEC003") == [2]
    escaped = private_key("EC ").replace("\n", "\\n")
    assert lines("app/sign.py", f'KEY = "{escaped}"\n', "SEC003") == [1]
    assert lines("deploy/.env", f'SSH_KEY="{private_key("OPENSSH ")}"\n', "SEC003") == [1]
    findings = file_findings("certs/server.key", private_key(), "SEC003")
    assert not leaks(findings, KEY_BODY.splitlines()[0])


def test_a_key_under_a_test_path_is_a_fixture_listed_low() -> None:
    # MagicStack/asyncpg 3aa98944a8 regenerated its expired test certificates and their keys.
    [fixture] = file_findings("tests/certs/server.key.pem", private_key(), "SEC003")
    assert (fixture.severity, fixture.weighs) == (Severity.LOW, False)
    assert "fixture" in fixture.message
    [live] = file_findings("deploy/certs/server.key.pem", private_key(), "SEC003")
    assert (live.severity, live.weighs) == (None, True)  # the rule's own severity: high
    assert "rotate it" in live.message

def test_key_headers_without_material_are_not_flagged() -> None:
    code = 'if pem.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n    kind = "rsa"\n'
    docs = "```\n-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n```\n"
    assert lines("app/pem.py", code, "SEC003") == []
    assert lines("README.md", docs, "SEC003") == []
    assert lines("certs/ca.pem", "-----BEGIN CERTIFICATE-----\n" + KEY_BODY + "\n-----END CERTIFICATE-----\n",
                 "SEC003") == []


def test_a_header_a_program_names_takes_no_material_from_the_code_after_it() -> None:
    # paramiko's test_pkey.py: an assertion names the header, and other keys' material follows further
    # down. Only the real key is flagged, and the named header's finding does not depend on what follows.
    check = 'def test_encrypted(fh):\n    assert fh.readline()[:-1] == "-----BEGIN RSA PRIVATE KEY-----"\n\n\n'
    later = f'PUB = "ssh-rsa {KEY_BODY.replace(chr(10), "")}"\nKEY = """{private_key("EC ")}"""\n'
    assert lines("tests/test_pkey.py", check + later, "SEC003") == [6]
    assert lines("tests/test_pkey.py", check + f'PUB = "ssh-rsa {KEY_BODY.replace(chr(10), "")}"\n', "SEC003") == []


def test_key_bodies_in_code_and_pem_headers_are_read() -> None:
    lines_of_key = KEY_BODY.splitlines()
    concatenated = 'KEY = (\n    "-----BEGIN RSA PRIVATE KEY-----\\n"\n' + "".join(
        f'    "{line}\\n"\n' for line in lines_of_key) + '    "-----END RSA PRIVATE KEY-----\\n"\n)\n'
    assert lines("app/keys.py", concatenated, "SEC003") == [2]
    encrypted = ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,2A9B\n\n"
                 f"{KEY_BODY}\n-----END RSA PRIVATE KEY-----\n")
    assert lines("certs/server.key", encrypted, "SEC003") == [1]
    armored = f"-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n{KEY_BODY}\n=Zq7x\n-----END PGP PRIVATE KEY BLOCK-----\n"
    assert lines("keys/release.asc", armored, "SEC003") == [1]


def test_a_key_moved_in_its_file_keeps_its_fingerprint() -> None:
    key = f'KEY = """{private_key()}"""\n'
    named = 'assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----")\n'
    before = file_findings("tests/test_keys.py", named + key + named, "SEC003")
    after = file_findings("tests/test_keys.py", key + "\n\n" + named + named, "SEC003")
    assert [f.snippet for f in before] == [f.snippet for f in after] and len(before) == 1


# --- SEC004 default-credentials ------------------------------------------------------------------

COMPOSE_DEFAULTS = """\
services:
  db:
    image: postgres
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: app
      POSTGRES_DB: app
  mq:
    image: rabbitmq
    environment:
      - RABBITMQ_DEFAULT_USER=admin
      - RABBITMQ_DEFAULT_PASS=admin
  cache:
    environment:
      REDIS_PASSWORD: ${REDIS_PASSWORD}
      MYSQL_USER: app
      MYSQL_ROOT_PASSWORD: app
"""


def test_default_and_user_equal_passwords_in_yaml_are_flagged() -> None:
    assert lines("docker-compose.yml", COMPOSE_DEFAULTS, "SEC004") == [6, 12]


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        (".env", "DB_USER=root\nDB_PASSWORD=root\nJWT_SECRET=secret\n", [(2, "-"), (3, "-")]),
        ("Dockerfile", "FROM mysql\nARG MYSQL_ROOT_PASSWORD=changeme\n", [(2, "-")]),
        ("config/app.toml", '[db]\nuser = "sa"\npassword = "123456"\n', [(3, "-")]),
        ("app/seed.py", 'ADMIN = {"username": "admin", "password": "admin"}\n', [(1, "-")]),
        ("app/db.py", 'conn = connect(user="root", password="root")\n', [(1, "-")]),
        ("app/db.py", 'def connect(user="guest", password="guest"):\n    pass\n', [(1, "low")]),
        ("tests/conftest.py", 'USER = {"username": "admin", "password": "admin"}\n', [(1, "low")]),
        (".github/workflows/ci.yml", "services:\n  pg:\n    env:\n      POSTGRES_PASSWORD: postgres\n", [(4, "low")]),
        # cookiecutter-django a23d4868de: the generated project's workflow writes CI-only env files.
        ("{{cookiecutter.project_slug}}/.github/workflows/ci.yml",
         "services:\n  pg:\n    env:\n      POSTGRES_PASSWORD: postgres\n", [(4, "low")]),
        ("deploy/github-workflows.yml", "services:\n  pg:\n    env:\n      POSTGRES_PASSWORD: postgres\n", [(4, "-")]),
        ("app/db.py", 'URL = "mongodb://admin:' + 'admin@mongo.internal:27017"\n', [(1, "-")]),
    ],
)
def test_default_credentials_in_every_kind(path: str, source: str, expected: list[tuple[int, str]]) -> None:
    assert found(path, source, "SEC004") == expected


@pytest.mark.parametrize(
    ("path", "source"),
    [
        (".env.example", "DB_USER=admin\nDB_PASSWORD=changeme\n"),
        ("config/app.sample.yml", "password: changeme\n"),
        ("README.md", "Log in with `password: admin`.\n"),
        ("app/db.py", 'URL = "postgres://postgres:postgres@localhost:5432/app"\n'),
        ("app/db.py", 'HELP = "use amqp://user:pass@host or amqp://[USER:PASSWORD@]host"\n'),
        ("app/db.py", 'conn = connect(user="app", password=os.environ["PW"])\n'),
        ("app/auth.py", 'credentials = "default"\nauth = "basic"\ntoken = "admin"\n'),
        ("deploy/app.yaml", "db:\n  user: app\n  password: ${DB_PASSWORD}\n"),
        ("schema.json", '{\n  "User": {\n    "password": {\n      "type": "string"\n' + "[]" * 300 + "\n"),
    ],
)
def test_templates_docs_local_urls_and_references_are_not_default_credentials(path: str, source: str) -> None:
    assert lines(path, source, "SEC004") == []


# --- SEC005 tls-verification-disabled ------------------------------------------------------------

PY_TLS = """\
import os
import ssl

import aiohttp
import requests
import urllib3

requests.get("https://a.example.com", verify=False)
s = requests.Session()
s.verify = False
s.get("https://a.example.com", verify=False)
connector = aiohttp.TCPConnector(ssl=False)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ssl._create_default_https_context = ssl._create_unverified_context
raw = ssl._create_unverified_context()
pool = urllib3.PoolManager(cert_reqs="CERT_NONE")
es = Elasticsearch(hosts, verify_certs=False)
broker_use_ssl = {"ssl_cert_reqs": ssl.CERT_NONE}
os.environ["NODE_TLS_REJECT_UNAUTHORIZED"] = "0"
urllib3.disable_warnings()
if ctx.verify_mode == ssl.CERT_NONE:
    pass
MODES = {"none": ssl.CERT_NONE, "required": ssl.CERT_REQUIRED}


def make(verify):
    c = ssl.create_default_context()
    if not verify:
        c.check_hostname = False
        c.verify_mode = ssl.CERT_NONE
    return c


class Context:
    def __init__(self):
        self.check_hostname = False


def serve(ssl_cert_reqs=int(ssl.CERT_NONE), check_hostname=False):
    pass
"""


def test_tls_verification_off_in_python() -> None:
    # Line 8 (requests.get) is ruff's S501 and line 17 (the direct call) ruff's S323: not repeated.
    assert found("app/net.py", PY_TLS, "SEC005") == [
        (10, "-"), (11, "-"), (12, "-"), (14, "-"), (15, "-"), (16, "-"), (18, "-"), (19, "-"), (20, "-"),
        (21, "-"), (22, "low"), (31, "low"), (32, "low"), (41, "low"),
    ]


def test_tls_findings_in_tests_and_stubs() -> None:
    source = 'client.get("https://localhost:8443", verify=False)\n'
    assert found("tests/test_api.py", source, "SEC005") == [(1, "low")]
    assert lines("typings/ssl.pyi", "CERT_NONE: VerifyMode\nverify_mode = CERT_NONE\n", "SEC005") == []


DOCKERFILE_TLS = """\
FROM python:3.12
RUN curl -sSk https://get.example.com/install.sh | sh
RUN apt-get update && \\
    curl --insecure -o /tmp/x https://x.example.com/x
RUN wget --no-check-certificate https://x.example.com/y
RUN git config --global http.sslVerify false
RUN npm config set strict-ssl false
ENV NODE_TLS_REJECT_UNAUTHORIZED 0
ENV PYTHONHTTPSVERIFY=0 GIT_SSL_NO_VERIFY=true
HEALTHCHECK CMD curl -fk https://localhost:8443/health || exit 1
RUN curl -o k.tar.gz https://x.example.com/k.tar.gz && curl -sSL https://x.example.com | sh
ENV NODE_TLS_REJECT_UNAUTHORIZED=1
"""


def test_tls_verification_off_in_dockerfiles() -> None:
    assert lines("Dockerfile", DOCKERFILE_TLS, "SEC005") == [2, 4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("deploy/traefik.yaml", "serversTransport:\n  insecureSkipVerify: true\n", [(2, "-")]),
        ("deploy/kubeconfig.yaml", "clusters:\n  - cluster:\n      insecure-skip-tls-verify: true\n", [(3, "-")]),
        ("playbooks/site.yml", "- uri:\n    url: https://x\n    validate_certs: no\n", [(3, "-")]),
        ("deploy/app.yaml", "env:\n  - name: NODE_TLS_REJECT_UNAUTHORIZED\n    value: '0'\n", [(3, "-")]),
        ("deploy/app.yaml", "insecureSkipVerify: false\nsslVerify: true\n", []),
        (".npmrc", "registry=https://npm.internal/\nstrict-ssl=false\n", [(2, "-")]),
        ("scripts/deploy.sh", "kubectl --insecure-skip-tls-verify apply -f x.yaml\n", [(1, "-")]),
        (".github/workflows/ci.yml", "steps:\n  - run: |\n      echo hi\n      curl -k \\\n        https://x.example.com\n",
         [(4, "-")]),
        ("README.md", "Run `curl -k https://x.example.com` behind the proxy.\n", []),
    ],
)
def test_tls_verification_off_in_configuration_and_shell(
    path: str, source: str, expected: list[tuple[int, str]]
) -> None:
    assert found(path, source, "SEC005") == expected


# --- SEC006 wildcard-cors ------------------------------------------------------------------------

PY_CORS = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from flask_cors import CORS

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
app.add_middleware(CORSMiddleware, allow_origins=["*"])
app.add_middleware(CORSMiddleware, allow_origin_regex=".*")
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)
CORS(api, resources={r"/api/*": {"origins": "*"}})


def view(request):
    response = HttpResponse()
    response["Access-Control-Allow-Origin"] = "*"
    if settings.OPEN_API:
        response["Access-Control-Allow-Origin"] = "*"
    return response
"""


def test_wildcard_cors_in_python() -> None:
    assert found("app/main.py", PY_CORS, "SEC006") == [(6, "high"), (7, "-"), (8, "-"), (10, "-"), (15, "-"),
                                                      (17, "low")]
    assert found("tests/test_main.py", PY_CORS, "SEC006")[0] == (6, "low")


def test_a_cors_librarys_parameter_default_is_not_a_configuration() -> None:
    # falconry/falcon 16d83518a5 and aws/chalice 17ce0fea66: a CORS middleware's `allow_origins='*'` default.
    library = "class CORSMiddleware:\n    def __init__(self, allow_origins='*', allow_credentials=None):\n" \
              "        self.allow_origins = allow_origins\n"
    assert found("falcon/middleware.py", library, "SEC006") == []
    assert found("app/main.py", library + "\nALLOWED_ORIGINS = '*'\n", "SEC006") == [(5, "-")]

def test_django_allow_all_is_high_with_credentials() -> None:
    settings = "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\n"
    assert found("shop/settings.py", settings, "SEC006") == [(1, "high")]
    assert found("shop/settings.py", "CORS_ORIGIN_ALLOW_ALL = True\n", "SEC006") == [(1, "-")]
    assert lines("shop/settings.py", "CORS_ALLOW_ALL_ORIGINS = False\n", "SEC006") == []


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("deploy/nginx.conf", "add_header 'Access-Control-Allow-Origin' '*' always;\n"
                              "add_header Access-Control-Allow-Credentials true;\n", [(1, "high")]),
        ("deploy/nginx.conf", "add_header Access-Control-Allow-Origin https://app.example.com;\n", []),
        ("deploy/ingress.yaml", "metadata:\n  annotations:\n    nginx.ingress.kubernetes.io/cors-allow-origin: '*'\n",
         [(3, "-")]),
        ("infra/s3-cors.json", '{"CORSRules": [{\n  "AllowedOrigins": [\n    "*"\n  ]\n}]}\n', [(3, "-")]),
        ("server/app.js", "res.setHeader('Access-Control-Allow-Origin', '*');\n", [(1, "-")]),
        (".env", "CORS_ALLOW_ALL_ORIGINS=true\n", [(1, "-")]),
        ("docs/cors.md", "Send `Access-Control-Allow-Origin: *`.\n", []),
    ],
)
def test_wildcard_cors_in_configuration(path: str, source: str, expected: list[tuple[int, str]]) -> None:
    assert found(path, source, "SEC006") == expected


# --- SEC007 debug-enabled ------------------------------------------------------------------------

PY_DEBUG = """\
from fastapi import FastAPI
from werkzeug.serving import run_simple

api = FastAPI(debug=True)
app.debug = True
app.config["DEBUG"] = True
app.config.update(DEBUG=True)
run_simple("0.0.0.0", 5000, app, use_debugger=True)
app.run(debug=True)
os.environ["FLASK_ENV"] = "development"
if os.environ.get("LOCAL"):
    app.debug = True
"""


def test_debug_modes_in_python() -> None:
    # `app.run(debug=True)` (line 9) is ruff's S201.
    assert found("web/app.py", PY_DEBUG, "SEC007") == [
        (4, "-"), (5, "-"), (6, "-"), (7, "-"), (8, "-"), (10, "-"), (12, "low"),
    ]


def test_django_debug_in_settings_modules_only() -> None:
    assert found("shop/settings.py", "DEBUG = True\nALLOWED_HOSTS = []\n", "SEC007") == [(1, "-")]
    assert found("config/settings/base.py", "DEBUG = True\n", "SEC007") == [(1, "-")]
    assert found("config/base.py", "INSTALLED_APPS = []\nDEBUG = True\n", "SEC007") == [(2, "-")]
    assert found("shop/settings/local.py", "DEBUG = True\n", "SEC007") == [(1, "low")]
    assert lines("tools/build.py", "DEBUG = True\n", "SEC007") == []
    assert lines("shop/settings.py", "DEBUG = False\nDEBUG = os.environ.get('DEBUG') == '1'\n", "SEC007") == []


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("Dockerfile", "FROM python:3.12\nENV FLASK_ENV=development \\\n    FLASK_DEBUG=1\n", [(2, "-"), (3, "-")]),
        ("docker-compose.yml", "services:\n  web:\n    environment:\n      DEBUG: 'true'\n", [(4, "-")]),
        ("deploy/app.yaml", "env:\n  - name: DJANGO_DEBUG\n    value: 'True'\n", [(3, "-")]),
        ("fly.toml", '[env]\nAPP_DEBUG = "true"\n', [(2, "-")]),
        (".env", "DEBUG=True\n", [(1, "low")]),
        (".env.production", "DEBUG=True\n", [(1, "-")]),
        ("docker-compose.override.yml", "services:\n  web:\n    environment:\n      - DEBUG=1\n", [(4, "low")]),
        ("deploy/app.yaml", "logging:\n  debug: true\nDEBUG: 'false'\n", []),
        (".github/workflows/ci.yml", "env:\n  DEBUG: 'true'\n", []),
        ("web/static/app.js", "const DEBUG = true;\n", []),
    ],
)
def test_debug_modes_in_configuration(path: str, source: str, expected: list[tuple[int, str]]) -> None:
    assert found(path, source, "SEC007") == expected


# --- SEC008 jwt-decode-without-verification ------------------------------------------------------

PY_JWT = """\
import jwt
from jose import jwt as jose_jwt


def a(token):
    return jwt.decode(token, options={"verify_signature": False})


def b(token):
    return jwt.decode(token, verify=False)


def c(token, key):
    return jwt.decode(token, key, algorithms=["none", "HS256"])


def d(token):
    return jose_jwt.get_unverified_claims(token)["sub"]


def e(token, key):
    return jose_jwt.decode(token, key)


def f(token, keys):
    issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
    return jwt.decode(token, keys[issuer], algorithms=["RS256"])


def g(token, key):
    return jwt.decode(token, key, algorithms=["RS256"], audience="api")


def h(token, key, **options):
    return jwt.decode(token, key, **options)


def i(token):
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["exp"] - claims.get("iat")


jwt.encode({"sub": "x"}, None, algorithm="none")
"""


def test_jwt_decodes_without_verification() -> None:
    assert found("app/auth.py", PY_JWT, "SEC008") == [
        (6, "-"), (10, "-"), (14, "-"), (18, "-"), (22, "medium"), (39, "low"), (43, "-"),
    ]


def test_jwt_findings_follow_imports_and_relax_in_tests() -> None:
    source = "from jwt import decode\n\nclaims = decode(token, options={'verify_signature': False})\n"
    assert found("app/auth.py", source, "SEC008") == [(3, "-")]
    assert found("tests/test_auth.py", source, "SEC008") == [(3, "low")]
    authlib = "from authlib.jose import jwt\n\nclaims = jwt.decode(token, key)\n"
    assert lines("app/auth.py", authlib, "SEC008") == []


# --- robustness ----------------------------------------------------------------------------------

SECURITY_CODES = ("SEC001", "SEC002", "SEC003", "SEC004", "SEC005", "SEC006", "SEC007", "SEC008")


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("deep.yaml", "[" * 300_000 + "]" * 300_000),
        ("deep.json", "{\"a\": " * 100_000 + "1" + "}" * 100_000),
        ("dashes.yaml", "- " * 200_000 + "x"),
        ("broken.yaml", "a: [\n  - b: {\n"),
        ("long.txt", "password=" + "A1b2" * 100_000),
        ("weird.env", "=\n==\nexport\n'unterminated\n"),
        ("Dockerfile", "ENV \nARG\nENV a 'unterminated\nRUN curl \\\n"),
    ],
)
def test_hostile_files_do_not_crash_the_security_checks(path: str, source: str) -> None:
    ctx = FileContext(path, source)
    checks = [c for c in file_checks() if c.rule.code in SECURITY_CODES]
    assert len(checks) == len(SECURITY_CODES)
    for check in checks:
        if ctx.kind in check.kinds:
            assert all(f.code == check.rule.code for f in check.find(ctx))


def test_deep_yaml_is_read_line_by_line_rather_than_by_libyaml() -> None:
    assert yaml_too_deep("[" * 1000 + "]" * 1000)
    assert not yaml_too_deep("a:\n  b: [1, 2]\n")
    assert pairs(FileContext("x.yaml", "[" * 1000 + "]" * 1000)) == []


def test_an_env_file_with_empty_values_is_read_not_crashed() -> None:
    source = f"EMPTY=\nBLANK=   \nQUOTED=''\nAPI_SECRET='{HEX_KEY}'\n"
    assert [p.key for p in pairs(FileContext(".env.example", source))] == ["EMPTY", "BLANK", "QUOTED", "API_SECRET"]
    assert lines(".env.example", source, "SEC001") == [4]


def test_a_large_json_file_is_read_line_by_line_and_its_secrets_still_found() -> None:
    filler = "".join(f'  "icon{n}": {{"name": "glyph {n}", "code": {n}}},\n' for n in range(3000))
    source = "{\n" + filler + f'  "api_secret": "{HEX_KEY}"\n}}\n'
    assert len(source) > 64_000
    assert lines("assets/icons.json", source, "SEC001") == [3002]


def test_the_command_word_filter_is_as_case_blind_as_a_regex() -> None:
    # Lower-casing stands in for re.I, which also takes special partners for a letter (`ſ` for s, `ı` and
    # `İ` for i): the filter must find a word wherever the case-blind regex does, or it would hide a command.
    case_blind = re.compile("|".join(_commands.CANDIDATE_WORDS), re.I)
    partners = [chr(c) for c in range(0x80, 0x10000)
                if any(re.fullmatch(letter, chr(c), re.I) for letter in set("".join(_commands.CANDIDATE_WORDS)))]
    for word in _commands.CANDIDATE_WORDS:
        for index in range(len(word)):
            for partner in [*partners, word[index].upper()]:
                text = f"RUN {word[:index]}{partner}{word[index + 1:]} -k"
                if case_blind.search(text):
                    assert _commands.names_candidate(text), text
    assert _commands.names_candidate("RUN cUrL -k https://x") and _commands.names_candidate("git -c http.\u017fslVerify=0")
    assert not _commands.names_candidate("echo hello")
    assert lines("Dockerfile", "FROM alpine\nRUN git config --global HTTP.SSLVERIFY false\n", "SEC005") == [2]


def test_keys_that_never_give_back_characters_find_the_same_pairs() -> None:
    # The key pattern as it was, backtracking: the possessive one must match exactly the same text.
    backtracking = re.compile(_pairs._KEY.replace("{0,100}+", "{0,100}") + _pairs._SEP + _pairs._VALUE)
    assert backtracking.pattern != _pairs.KEY_VALUE.pattern
    lines = [
        "a=1 b = 2 c: 3", '"key": "value", \'k2\': \'v2\'', "9abc=1", "-x=1", ".y: 2", "$x = 'y'", "a]= 1",
        "x" * 150 + "=secret", "y" * 101 + "=v", "z" * 102 + ": v", "a.b.c-d$e => 'f'", "k := 3", "k == 3",
        "url: http://x", 'say "a" "b"=1', "word " * 50 + "key=val", "tok='" + "x" * 5000 + "'", "q='x'y=2",
        "é=1 ß: 2", "key\u00a0=\u00a0v", "k=[a, 'b', c]", "k=`cmd`", "a=" + "b" * 4100 + "c=d",
    ]
    for line in lines:
        found = [(m.span(), m.groupdict()) for m in _pairs.KEY_VALUE.finditer(line)]
        assert found == [(m.span(), m.groupdict()) for m in backtracking.finditer(line)], line


def test_the_text_prefilters_name_every_word_the_python_evidence_needs() -> None:
    # SEC005 and SEC006 skip the tree walk of a file that names none of these: a keyword or reference
    # added to a check without its word here would be silently never found.
    from app.checks.security import tls_verification_disabled as tls
    from app.checks.security import wildcard_cors as cors

    assert all("origin" in word for word in cors.ORIGIN_KEYWORDS | cors.REGEX_KEYWORDS)
    assert set(tls.REFERENCES) <= set(tls.PYTHON_WORDS)
    assert {"verify", "ssl", "InsecureRequestWarning", "disable_warnings"} <= set(tls.PYTHON_WORDS)


@pytest.mark.parametrize(
    ("value", "random"),
    [
        ("pyasn1-modules", False),  # Verity's own table of requirements: `"google-auth": ("pyasn1-modules", ...)`
        ("oauth2-proxy", False),
        ("redis7-cache", False),
        ("sha256-digest", False),
        ("Tr0ub4dor3", True),  # letters and digits mixed inside one part: not a word
        ("kX9mQ2pL7vB4", True),
        ("aB3dE-fG7hI_jK9lM", True),
    ],
)
def test_names_with_numbered_words_are_not_random(value: str, random: bool) -> None:
    from app.checks.security._secrets import looks_random

    assert looks_random(value) is random


def test_a_package_table_under_an_auth_name_holds_no_secret() -> None:
    table = 'REQUIRES = {\n    "google-auth": ("cachetools", "pyasn1-modules", "rsa"),\n}\n'
    assert [f.code for f in file_findings("app/requires.py", table)] == []
    assert [f.code for f in file_findings("app/settings.py", 'AUTH = "kX9mQ2pL7vB4x"\n')] == ["SEC001"]
