"""Every extractor's data survives the facts cache (JSON) unchanged, and stays small."""

from __future__ import annotations

import ast
import gc
import json
import weakref

import pytest

from app.checks.base import FileContext
from app.checks.dependencies.declared import declared
from app.checks.facts import ci_workflow, k8s_network, path_roles, pynames, yaml_manifest
from app.checks.facts.python_modules import module_index
from app.checks.registry import EXTRACTORS
from app.engine.facts import analyse_text
from tests.helpers import repo_view

SAMPLES = {
    "pkg/web.py": (
        '"""Web."""\nimport os\nfrom fastapi import FastAPI\nfrom . import models\n\napp = FastAPI()\n\n\n'
        '@app.get("/healthz")\ndef healthz() -> dict[str, str]:\n    """Health."""\n    return {}\n'
    ),
    "tests/test_web.py": "import pytest\nfrom pkg.web import healthz\n\n\ndef test_h() -> None:\n    assert healthz() == {}\n",
    "README.md": "# x\n\n## Install\n\npip\n\n## Usage\n\nSee [docs](docs/a.md).\n",
    ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n      - run: ruff check .\n",
    "deploy/app.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers: []\n",
    "deploy/netpol.yaml": ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n"
                           "spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n"),
    "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi>=0.1,<1"]\n',
    "requirements-dev.txt": "pytest>=8\n",
    "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n",
    "docs/guide.md": "(guide)=\n# Guide\n\nSee [](guide).\n",
    "docs/.gitignore": "# built by the docs job\n/reference.md\n",
}


@pytest.mark.parametrize("path", sorted(SAMPLES))
def test_extractor_data_round_trips_through_json(path: str) -> None:
    facts = analyse_text(path, SAMPLES[path])
    assert json.loads(json.dumps(facts.data)) == facts.data
    assert len(json.dumps(facts.data)) < 4096


def test_every_extractor_produces_data_on_some_sample() -> None:
    produced = {key for path, text in SAMPLES.items() for key in analyse_text(path, text).data}
    assert produced == {e.key for e in EXTRACTORS}


def test_yaml_manifest_tells_kubernetes_and_compose_from_plain_yaml() -> None:
    assert yaml_manifest.manifest_kind(FileContext("deploy/app.yaml", SAMPLES["deploy/app.yaml"])) == "kubernetes"
    assert yaml_manifest.manifest_kind(FileContext("docker-compose.yml", "services: {}\n")) == "compose"
    assert yaml_manifest.manifest_kind(FileContext("config.yaml", "apiVersion: 1\nname: kind\n")) == ""
    assert yaml_manifest.manifest_kind(FileContext("bad.yaml", "apiVersion: [\nkind: x\n")) == ""


def test_ci_workflow_and_k8s_network_extract_their_signals() -> None:
    ci = analyse_text(".github/workflows/ci.yml", SAMPLES[".github/workflows/ci.yml"]).data[ci_workflow.EXTRACTOR.key]
    assert ci["tests"] and ci["lint"]
    net = analyse_text("deploy/netpol.yaml", SAMPLES["deploy/netpol.yaml"]).data[k8s_network.EXTRACTOR.key]
    assert net["default_deny"]


def test_path_roles_and_pynames_helpers() -> None:
    assert path_roles.is_test_path("tests/test_x.py") and not path_roles.is_test_path("pkg/x.py")
    ctx = FileContext("a.py", "import subprocess as sp\nsp.run(['x'])\n")
    aliases = pynames.import_aliases(ctx)
    assert aliases["sp"] == "subprocess"


@pytest.mark.parametrize(("expression", "expected"), [
    ("sp.run", "subprocess.run"), ("sp", "subprocess"), ("r.a.b.c", "requests.a.b.c"), ("run", "os.run"),
    ("other.run", None), ("sp().run", None), ("'x'.join", None), ("sp[0].run", None),
])
def test_qualified_names_an_expression_through_the_files_imports(expression: str, expected: str | None) -> None:
    aliases = {"sp": "subprocess", "r": "requests", "run": "os.run"}
    node = ast.parse(expression, mode="eval").body
    assert pynames.qualified(node, aliases) == expected


def test_root_name_is_where_a_chain_of_attributes_starts() -> None:
    roots = {"a.b.c": "a", "a": "a", "a().b": None, "a[0].b": None, "'x'.join": None}
    assert {e: pynames.root_name(ast.parse(e, mode="eval").body) for e in roots} == roots


def test_import_aliases_are_read_once_per_file_and_each_caller_gets_its_own_copy() -> None:
    ctx = FileContext("a.py", "import os.path\nimport numpy as np\nfrom x import y as z\n")
    first = pynames.import_aliases(ctx)
    first["np"] = "changed"
    assert pynames.import_aliases(ctx) == {"os": "os", "np": "numpy", "z": "x.y"}
    assert pynames.module_aliases(ctx) == {"os": "os", "np": "numpy"}


def test_the_per_snapshot_memos_keep_no_snapshot_alive() -> None:
    # A worker audits repository after repository: a memo holding a view would hold every fact of it.
    view = repo_view({"pkg/__init__.py": "", "pkg/a.py": "import requests\n", "pyproject.toml": "[project]\n"})
    index = module_index(view)
    assert module_index(view) is index  # shared by the checks of one snapshot
    declared(view)
    seen = weakref.ref(view)
    del view
    gc.collect()
    assert seen() is None
