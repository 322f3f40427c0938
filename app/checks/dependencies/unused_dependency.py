"""## What it does
Flags declared run-time dependencies that no Python file imports.

Every Python file counts as a user (tests, scripts and optional imports included), after mapping
distribution names to import names (`PyYAML` is imported as `yaml`). Distributions that are used
without being imported by name are never flagged: command-line tools and servers (`gunicorn`,
`uvicorn`, `ruff`, `alembic`), database drivers and parsers named in URLs or settings
(`psycopg2-binary`, `asyncpg`, `lxml`), packages that frameworks load for you (`python-multipart`,
`email-validator`), plugins (`pytest-*`, `flake8-*`, `sphinx*`, `mkdocs*`,
`opentelemetry-instrumentation-*`), Django apps (`django-*`, named in `INSTALLED_APPS`), stubs
(`types-*`, `*-stubs`) and build tools. Generated or frozen requirements files (pip-compile output,
hashes, long all-`==` lists) are skipped: they list transitive dependencies on purpose; so are conda
environments (they list non-Python packages under conda names) and manifests under `docs/`,
`examples/`, `scripts/` and similar folders.

## Why is this bad?
Every declared dependency is installed, downloaded, audited for vulnerabilities and resolved against
the others. One that nothing uses costs all of that and blocks upgrades for nothing.

## Example
```toml
[project]
dependencies = ["requests>=2.31,<3", "simplejson>=3,<4"]  # simplejson is never imported
```

## Use instead
```toml
[project]
dependencies = ["requests>=2.31,<3"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.dependencies.declared import declared, imported_modules, in_tooling_dir
from app.checks.dependencies.import_names import distribution_candidates
from app.checks.dependencies.unbounded_version_spec import JUDGED_FORMATS
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("DEP003", "unused-dependency", Domain.DEPENDENCIES, Severity.LOW, __doc__)

# Distributions used without an import of their name: tools, servers, drivers, engines, data.
NEVER_IMPORTED = frozenset(
    {"ruff", "mypy", "black", "isort", "flake8", "pylint", "pyright", "bandit", "pytest", "coverage", "tox", "nox",
     "pre-commit", "setuptools", "wheel", "pip", "build", "twine", "hatchling", "poetry-core", "flit-core",
     "setuptools-scm", "cython", "maturin", "gunicorn", "uvicorn", "hypercorn", "daphne", "waitress", "granian",
     "supervisor", "honcho", "alembic", "psycopg2", "psycopg2-binary", "psycopg", "psycopg-binary", "psycopg-c",
     "mysqlclient", "pymysql", "mysql-connector-python", "asyncpg", "aiosqlite", "aiomysql", "pg8000", "pyodbc",
     "cx-oracle", "oracledb", "redis", "hiredis", "uvloop", "httptools", "watchfiles", "websockets", "gevent",
     "eventlet", "greenlet", "whitenoise", "python-multipart", "email-validator", "python-dotenv", "orjson",
     "ujson", "lxml", "html5lib", "openpyxl", "xlrd", "pyarrow", "fastparquet", "tzdata", "certifi", "idna",
     "urllib3", "chardet", "charset-normalizer", "pysocks", "dnspython", "brotli", "zstandard", "tabulate",
     "kaleido", "python-json-logger", "newrelic", "ddtrace", "s3fs", "gcsfs", "adlfs", "channels-redis",
     "ipykernel", "notebook", "jupyterlab", "jupyter", "ipython", "ansible", "awscli", "pyinstaller",
     "typing-extensions", "importlib-metadata", "importlib-resources", "backports-zoneinfo", "tomli",
     "cryptography", "bcrypt", "argon2-cffi", "celery", "flower", "sqlalchemy-utils", "psutil"}
)
PLUGIN_PREFIXES = ("pytest-", "flake8-", "pylint-", "mypy-", "types-", "sphinx", "mkdocs", "django-",
                   "djangorestframework", "opentelemetry-instrumentation", "opentelemetry-exporter", "jupyterlab-",
                   "apache-airflow-providers-", "hatch-", "poetry-", "setuptools-", "pre-commit-")


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report declared run-time dependencies that nothing imports."""
    modules = imported_modules(view)
    if not modules:
        return
    used: set[str] = set()
    for module in modules:
        used |= distribution_candidates(module)
    decl = declared(view)
    for dep in decl.declarations:
        if dep.role != "runtime" or dep.lock or dep.format not in JUDGED_FORMATS or in_tooling_dir(dep.path):
            continue
        if dep.name in used or dep.name in decl.projects or is_never_imported(dep.name):
            continue
        message = f"`{dep.name}` is declared in {dep.list} but no Python file imports it"
        yield RepoFinding(dep.path, RawFinding(RULE.code, dep.line, message, snippet=f"unused {dep.name}"))


def is_never_imported(name: str) -> bool:
    """Return whether a distribution is one that is used without importing its name."""
    return name in NEVER_IMPORTED or name.startswith(PLUGIN_PREFIXES) or name.endswith("-stubs")


CHECK = RepoCheck(RULE, find)
