"""Path conventions Python checks share: which files are tests, scripts or samples."""

from __future__ import annotations

import functools

from app.checks.base import matches_any

# The default test layout; a file check cannot see the repository's policy, so it uses the conventions.
# `integration_tests/`, `typing_tests/`: a folder named for the tests it holds is tests too.
TEST_GLOBS = ("tests/**", "test/**", "**/tests/**", "**/test/**", "*_tests/**", "**/*_tests/**", "**/test_*.py",
              "**/*_test.py", "**/conftest.py")
# Directories whose code is run by hand or shown to readers, not imported by a service or library.
SAMPLE_DIRS = frozenset({"examples", "example", "docs", "doc", "benchmarks", "bench", "samples", "demo"})
SCRIPT_DIRS = frozenset({"scripts", "script", "bin", "tools", "cli", "commands", "command"}) | SAMPLE_DIRS
# Directories of scripts only maintainers run (generators, release and CI helpers, benchmarks): not shipped,
# not deployed, and not code users copy either (unlike examples and docs).
MAINTAINER_DIRS = frozenset({"tools", "tool", "scripts", "script", "bench", "benchmarks", "benchmark", "hack", "ci",
                             ".github"})
# Entry points and build or task files: printing is their user interface.
SCRIPT_FILES = frozenset({
    "__main__.py", "cli.py", "cmdline.py", "manage.py", "setup.py", "noxfile.py", "fabfile.py", "tasks.py", "dodo.py",
    "conftest.py", "conf.py",
})


@functools.lru_cache(maxsize=1024)  # half a dozen checks ask about every file, and the globs are slow
def is_test_path(path: str) -> bool:
    """Return whether a path follows the usual test-file conventions."""
    return matches_any(path, TEST_GLOBS)


def _directories(path: str) -> list[str]:
    """Return the lower-cased directory names of a path."""
    return [part.lower() for part in path.split("/")[:-1]]


def is_sample_path(path: str) -> bool:
    """Return whether a file lives under examples, docs or benchmarks."""
    return any(part in SAMPLE_DIRS for part in _directories(path))


def is_maintainer_tooling(path: str) -> bool:
    """Return whether a file lives under a folder of scripts only maintainers run (`tools/`, `scripts/`)."""
    return any(part in MAINTAINER_DIRS for part in _directories(path))


# Schema migrations (Django's, Alembic's): run once by a deploy on constants, never on a request's input.
MIGRATION_DIRS = frozenset({"migrations", "alembic"})


def is_migration(path: str) -> bool:
    """Return whether a file is a schema migration (under `migrations/` or `alembic/`)."""
    return any(part in MIGRATION_DIRS for part in _directories(path))


def is_script_path(path: str) -> bool:
    """Return whether a file is a test, an entry point or a script rather than library code."""
    name = path.rsplit("/", 1)[-1].lower()
    if name in SCRIPT_FILES or name.endswith("_cli.py") or is_test_path(path):
        return True
    return any(part in SCRIPT_DIRS for part in _directories(path))
