"""What popular distributions always install with them: their unconditional requirements.

A project that declares `fastapi` and imports `starlette` runs on every clean install: fastapi
requires starlette. Such an import is still undeclared (the parent may drop it in a later release),
but it cannot fail today, so DEP001 reports it as low, naming the parent. The table holds only
requirements without markers or extras that each distribution has kept for years; it is read
transitively (`boto3` brings `botocore`, which brings `python-dateutil`, which brings `six`).

Plugins named after their host by the host's convention require it: every `pytest-*` distribution
(`pytest-xdist`, `pytest-relaxed`) installs pytest, every `flake8-*` one flake8.
"""

from __future__ import annotations

import functools

from app.checks.dependencies.requirements import normalize

REQUIRES: dict[str, tuple[str, ...]] = {
    "fastapi": ("starlette", "pydantic", "typing-extensions"),
    "starlette": ("anyio",),
    "flask": ("werkzeug", "jinja2", "itsdangerous", "click", "blinker"),
    "werkzeug": ("markupsafe",),
    "jinja2": ("markupsafe",),
    "django": ("asgiref", "sqlparse"),
    "djangorestframework": ("django",),
    "requests": ("urllib3", "idna", "certifi", "charset-normalizer"),
    "httpx": ("httpcore", "anyio", "idna", "certifi"),
    "httpcore": ("h11", "certifi"),
    "anyio": ("idna", "sniffio"),
    "uvicorn": ("click", "h11"),
    "celery": ("kombu", "billiard", "vine", "click", "python-dateutil"),
    "kombu": ("amqp", "vine"),
    "boto3": ("botocore", "s3transfer", "jmespath"),
    "botocore": ("jmespath", "python-dateutil", "urllib3"),
    "python-dateutil": ("six",),
    "aiohttp": ("multidict", "yarl", "aiosignal", "frozenlist", "attrs", "aiohappyeyeballs"),
    "yarl": ("multidict", "idna"),
    "alembic": ("sqlalchemy", "mako", "typing-extensions"),
    "mako": ("markupsafe",),
    "sqlmodel": ("sqlalchemy", "pydantic"),
    "pydantic": ("pydantic-core", "typing-extensions", "annotated-types"),
    "pandas": ("numpy", "python-dateutil", "pytz", "tzdata"),
    "scikit-learn": ("numpy", "scipy", "joblib", "threadpoolctl"),
    "scipy": ("numpy",),
    "matplotlib": ("numpy", "pillow", "pyparsing", "python-dateutil", "kiwisolver", "cycler", "fonttools",
                   "packaging", "contourpy"),
    "statsmodels": ("numpy", "scipy", "pandas", "patsy", "packaging"),
    "google-api-python-client": ("google-auth", "google-auth-httplib2", "google-api-core", "httplib2",
                                 "uritemplate"),
    "google-auth-oauthlib": ("google-auth", "requests-oauthlib"),
    "google-auth": ("cachetools", "pyasn1-modules", "rsa"),
    "google-api-core": ("google-auth", "googleapis-common-protos", "protobuf", "requests"),
    "google-cloud-storage": ("google-auth", "google-api-core", "google-cloud-core", "requests"),
    "requests-oauthlib": ("oauthlib", "requests"),
    "slack-bolt": ("slack-sdk",),
    "schemathesis": ("hypothesis", "jsonschema", "requests"),
    "hypothesis": ("attrs", "sortedcontainers"),
    "jsonschema": ("attrs", "jsonschema-specifications", "referencing", "rpds-py"),
    "transformers": ("huggingface-hub", "numpy", "packaging", "pyyaml", "regex", "requests", "safetensors",
                     "tokenizers", "tqdm", "filelock"),
    "huggingface-hub": ("filelock", "fsspec", "packaging", "pyyaml", "requests", "tqdm", "typing-extensions"),
    "pytest": ("pluggy", "iniconfig", "packaging"),
    "pytest-cov": ("pytest", "coverage", "pluggy"),
    "covdefaults": ("coverage",),
    "pytest-django": ("pytest",),
    "pytest-asyncio": ("pytest",),
    "sentry-sdk": ("urllib3", "certifi"),
    "python-jose": ("ecdsa", "rsa", "pyasn1"),
    "jira": ("requests", "requests-oauthlib", "requests-toolbelt", "packaging"),
    "typer": ("click", "typing-extensions"),
    "rich": ("markdown-it-py", "pygments"),
    "psycopg": ("typing-extensions",),
    "gunicorn": ("packaging",),
    "openai": ("httpx", "pydantic", "anyio", "distro", "jiter", "sniffio", "tqdm", "typing-extensions"),
    "anthropic": ("httpx", "pydantic", "anyio", "distro", "jiter", "sniffio", "typing-extensions"),
}


# Plugin name prefixes and the host each such plugin requires.
PLUGIN_HOSTS = {"pytest-": "pytest", "flake8-": "flake8"}
# Distributions with a plugin's prefix that are not plugins and do not require the host.
NOT_PLUGINS = frozenset({"pytest-runner"})


@functools.cache
def brought_by(distribution: str) -> frozenset[str]:
    """Return the distributions a distribution always installs, transitively (normalised names)."""
    found: set[str] = set()
    pending = [normalize(distribution)]
    while pending:
        for child in requires(pending.pop()):
            if child not in found:
                found.add(child)
                pending.append(child)
    return frozenset(found)


def requires(distribution: str) -> tuple[str, ...]:
    """Return what one distribution (a normalised name) always installs: from the table, or its plugin host."""
    listed = REQUIRES.get(distribution, ())
    if distribution in NOT_PLUGINS:
        return listed
    hosts = tuple(host for prefix, host in PLUGIN_HOSTS.items() if distribution.startswith(prefix))
    return listed + hosts
