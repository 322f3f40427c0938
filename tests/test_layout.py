"""The house's rooms: thin Celery shims in `workers`, jobs in `app.jobs`, all Redis state in `app.store`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("app", "workers", "config")
WORKERS_MODULES = {"__init__.py", "celery_app.py", "tasks.py"}


def imported_modules(path: Path) -> set[str]:
    """Return the full names of the modules a file imports, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def imports_any(path: Path, packages: tuple[str, ...]) -> list[str]:
    """Return the imports of a file that fall under any of the packages."""
    return sorted(m for m in imported_modules(path) if any(m == p or m.startswith(p + ".") for p in packages))


def files_under(*folders: str) -> list[Path]:
    """Return the Python files under folders of the repository."""
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def offenders(files: list[Path], packages: tuple[str, ...]) -> dict[str, list[str]]:
    """Return, per file, its imports that fall under the packages (files with none left out)."""
    found = {str(p.relative_to(ROOT)): imports_any(p, packages) for p in files}
    return {k: v for k, v in found.items() if v}


def test_workers_holds_only_the_celery_app_and_the_task_shims() -> None:
    assert {p.name for p in (ROOT / "workers").iterdir() if p.suffix == ".py"} == WORKERS_MODULES
    assert [p for p in (ROOT / "workers").iterdir() if p.is_dir() and p.name != "__pycache__"] == []


def test_redis_is_imported_only_under_the_store() -> None:
    outside = [p for p in files_under(*SHIPPED) if ROOT / "app" / "store" not in p.parents]
    assert len(outside) > 50
    assert offenders(outside, ("redis",)) == {}
    assert offenders(files_under("app/store"), ("redis",)) != {}


def test_the_engine_and_the_checks_import_neither_the_jobs_nor_the_store() -> None:
    files = files_under("app/engine", "app/checks")
    assert len(files) > 10
    assert offenders(files, ("app.jobs", "app.store")) == {}


def test_the_layers_are_walked_down_never_back_up() -> None:
    # workers -> app.jobs -> (app.github, app.store, app.gitrepo, app.engine): no room imports one above it.
    # The `verity` command is the entry point above every room: `verity worker` starts the Celery app.
    below_workers = [p for p in files_under("app", "config") if p != ROOT / "app" / "cli.py"]
    assert offenders(below_workers, ("workers",)) == {}
    below_jobs = ("app/store", "app/github", "app/gitrepo", "app/engine", "app/checks", "app/report", "config")
    assert offenders(files_under(*below_jobs), ("app.jobs", "app.web")) == {}


def test_the_layout_test_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import redis.asyncio\n    from app.store.keys import job_key\n")
    assert imports_any(bad, ("redis",)) == ["redis.asyncio"]
    assert imports_any(bad, ("app.jobs", "app.store")) == ["app.store.keys", "app.store.keys.job_key"]
