"""Path rules shared by the docs and architecture checks: which Python files are generated or vendored."""

from __future__ import annotations

# Directories whose Python is generated, vendored or a build artefact: nobody writes it by hand,
# so it neither owes docstrings nor counts as a duplicate of first-party code.
GENERATED_DIRS = frozenset(
    {
        "migrations",
        "alembic",
        "vendor",
        "_vendor",
        "vendored",
        "third_party",
        "thirdparty",
        "node_modules",
        "site-packages",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".eggs",
    }
)
GENERATED_SUFFIXES = ("_pb2.py", "_pb2_grpc.py", "_pb2.pyi")


def is_stub(path: str) -> bool:
    """Return whether a path is a type stub."""
    return path.endswith(".pyi")


def is_generated(path: str) -> bool:
    """Return whether a Python path is generated or vendored code, judged by its directories and name."""
    parts = path.split("/")
    if any(part in GENERATED_DIRS for part in parts[:-1]):
        return True
    return parts[-1].endswith(GENERATED_SUFFIXES)


def is_private_module(path: str) -> bool:
    """Return whether a module or one of its packages is private (`_x`), dunder files aside."""
    parts = path.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    if stem.startswith("_") and not (stem.startswith("__") and stem.endswith("__")):
        return True
    return any(part.startswith("_") and not part.startswith("__") for part in parts[:-1])
