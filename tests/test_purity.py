"""The engine and the checks are pure: they never import the web, the queue or GitHub code."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"starlette", "celery", "redis", "githubkit", "httpx", "uvicorn", "kombu", "workers"}
ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    """Return the top-level modules a file imports, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_engine_and_checks_import_nothing_impure() -> None:
    files = sorted((ROOT / "app" / "engine").rglob("*.py")) + sorted((ROOT / "app" / "checks").rglob("*.py"))
    assert len(files) > 10
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN) for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_purity_test_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import redis.client\n    from celery import Celery\n")
    assert _imports(bad) & FORBIDDEN == {"redis", "celery"}


def test_importing_the_engine_loads_no_impure_module() -> None:
    import subprocess
    import sys

    code = ("import sys, app.engine.pipeline, app.cli; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
