"""Dependencies domain: DEP001-DEP006, the `dependencies.manifest` extractor, requirement parsing and specifiers."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from app.checks.dependencies import (
    conflicting_version_spec,
    missing_dependency_manifest,
    unbounded_version_spec,
    undeclared_import,
    undeclared_test_import,
    unused_dependency,
)
from app.checks.dependencies.import_names import IMPORT_TO_DISTRIBUTIONS, distribution_candidates, is_stdlib
from app.checks.dependencies.requirements import Requirement, normalize, parse_requirement, parse_requirements_file
from app.checks.dependencies.specifiers import conflicts, is_bounded, poetry_spec
from app.checks.facts import dependency_manifests
from app.engine.facts import analyse_text
from app.engine.model import Severity
from tests.helpers import repo_findings


def dedented(files: dict[str, str]) -> dict[str, str]:
    """Return the files with their common indentation removed."""
    return {path: textwrap.dedent(text) for path, text in files.items()}


def found(files: dict[str, str], code: str) -> list[tuple[str, int]]:
    """Return (path, line) of one repo check's findings."""
    return [(path, f.line) for path, f in repo_findings(dedented(files), code)]


def messages(files: dict[str, str], code: str) -> list[str]:
    """Return the messages of one repo check's findings."""
    return [f.message for _, f in repo_findings(dedented(files), code)]


def manifest(path: str, text: str) -> Any:
    """Return the `dependencies.manifest` data of one file."""
    return analyse_text(path, textwrap.dedent(text)).data.get(dependency_manifests.KEY)


def deps(path: str, text: str) -> list[tuple[str, Any, str, str, int]]:
    """Return (name, spec, list, role, line) of a manifest's declarations."""
    return [(d["name"], d["spec"], d["list"], d["role"], d["line"]) for d in manifest(path, text)["deps"]]


# --- requirement parsing ------------------------------------------------------------------------------


def test_requirement_strings_are_parsed_and_names_normalised() -> None:
    assert normalize("Foo_Bar.baz") == "foo-bar-baz"
    assert parse_requirement('Django[Argon2, bcrypt] >= 4.2, <5 ; python_version >= "3.10"') == Requirement(
        "django", ("argon2", "bcrypt"), ">=4.2,<5", 'python_version >= "3.10"'
    )
    assert parse_requirement("requests (>=2.0)") == Requirement("requests", spec=">=2.0")
    assert parse_requirement("pkg @ https://example.com/pkg.whl") == Requirement(
        "pkg", url="https://example.com/pkg.whl"
    )
    assert parse_requirement("-e .") is None
    assert parse_requirement("name garbage") is None


def test_requirements_files_note_includes_comments_hashes_and_editables() -> None:
    parsed = parse_requirements_file(textwrap.dedent("""\
        # runtime
        -r base.txt
        -c constraints.txt
        --index-url https://pypi.example.com/simple
        requests>=2.31 \\
            --hash=sha256:abc
        PyYAML==6.0.1  # pinned for the loader
        -e git+https://github.com/x/y.git#egg=y_lib
        -e .
        ./local/pkg
        uvloop; sys_platform != "win32"
        """))
    assert parsed.includes == ["base.txt"]
    assert [(line, r.name, r.spec, r.marker) for line, r in parsed.requirements] == [
        (5, "requests", ">=2.31", ""),
        (7, "pyyaml", "==6.0.1", ""),
        (8, "y-lib", "", ""),
        (11, "uvloop", "", 'sys_platform != "win32"'),
    ]
    assert parsed.lock  # hashes mean a generated file


def test_long_all_pinned_lists_count_as_frozen() -> None:
    text = "\n".join(f"pkg{i}=={i}.0" for i in range(15))
    assert parse_requirements_file(text).lock
    assert not parse_requirements_file(text.replace("pkg0==0.0", "pkg0>=0.0")).lock


# --- specifiers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "bounded"),
    [("", False), (">=2.0", False), (">1,!=1.5", False), ("==1.0", True), ("~=1.4", True), (">=1,<2", True),
     ("<=3", True), ("===1.0", True), ("==1.*", True)],
)
def test_upper_bounds(spec: str, bounded: bool) -> None:
    assert is_bounded(spec) is bounded


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [("==1.0", ">=2", True), ("<2", ">=2", True), ("<=2", ">=2", False), ("~=1.4", ">=2.0", True),
     ("~=1.4.2", "==1.4.9", False), ("==1.4.*", "==1.5.0", True), (">=1.0,<2", "==1.9.9", False),
     ("==1.0", "==1.0.0", False), ("==1.0rc1", ">=1.0", True), ("==1.0+local", ">=2", False),
     (">1.0", "<1.0", True), ("!=1.0", "==1.0", False), ("==2.0.post1", ">=2.0", False)],
)
def test_conflicts(first: str, second: str, conflict: bool) -> None:
    assert conflicts(first, second) is conflict
    assert conflicts(second, first) is conflict


def test_poetry_constraints_become_pep_440() -> None:
    assert poetry_spec("^1.2.3") == ">=1.2.3,<2"
    assert poetry_spec("^0.2.3") == ">=0.2.3,<0.3"
    assert poetry_spec("^0.0.3") == ">=0.0.3,<0.0.4"
    assert poetry_spec("~1.2.3") == ">=1.2.3,<1.3"
    assert poetry_spec("1.2.3") == "==1.2.3"
    assert poetry_spec(">= 1.0 < 2.0") == ">=1.0,<2.0"
    assert poetry_spec("*") == ""
    assert poetry_spec("^1.0 || ^2.0") is None


# --- import names ---------------------------------------------------------------------------------------


def test_import_names_map_to_distributions() -> None:
    assert len(IMPORT_TO_DISTRIBUTIONS) >= 60
    assert {"pyyaml"} <= distribution_candidates("yaml")
    assert {"opencv-python", "opencv-python-headless"} <= distribution_candidates("cv2.data")
    assert {"protobuf"} <= distribution_candidates("google.protobuf.message")
    assert {"google-cloud-storage"} <= distribution_candidates("google.cloud.storage")
    # Versioned API modules (kubernetes-engine-samples d50f908904: `from google.cloud import monitoring_v3`).
    assert {"google-cloud-monitoring"} <= distribution_candidates("google.cloud.monitoring_v3")
    assert {"google-cloud-speech"} <= distribution_candidates("google.cloud.speech_v1p1beta1.types")
    assert "google-cloud-pubsub" not in distribution_candidates("google.cloud.pubsub_lite")
    assert {"python-dateutil", "psycopg2-binary"} <= distribution_candidates("dateutil") | distribution_candidates(
        "psycopg2"
    )
    assert is_stdlib("os.path") and is_stdlib("tomllib") and is_stdlib("urllib2")
    assert not is_stdlib("yaml")


# --- dependencies.manifest ----------------------------------------------------------------------------

PYPROJECT = """\
[project]
name = "Shop_App"
dependencies = [
    "requests>=2.31,<3",
    "PyYAML",
]

[project.optional-dependencies]
test = ["pytest>=8"]
postgres = ["psycopg2-binary==2.9.9"]

[dependency-groups]
lint = ["ruff"]

[tool.ruff]
line-length = 100
"""


def test_pyproject_pep621_extras_and_groups() -> None:
    data = manifest("pyproject.toml", PYPROJECT)
    assert data["project"] == "shop-app" and data["manifest"] and not data["opaque"]
    assert deps("pyproject.toml", PYPROJECT) == [
        ("requests", ">=2.31,<3", "project.dependencies", "runtime", 4),
        ("pyyaml", "", "project.dependencies", "runtime", 5),
        ("pytest", ">=8", "extra:test", "dev", 9),
        ("psycopg2-binary", "==2.9.9", "extra:postgres", "optional", 10),
        ("ruff", "", "group:lint", "dev", 13),
    ]


def test_pyproject_poetry_tables() -> None:
    text = """\
        [tool.poetry]
        name = "svc"

        [tool.poetry.dependencies]
        python = "^3.11"
        fastapi = "^0.110"
        boto3 = { version = "*", optional = true }
        mylib = { git = "https://github.com/x/mylib.git" }

        [tool.poetry.group.test.dependencies]
        pytest = "^8.0"
        """
    assert deps("pyproject.toml", text) == [
        ("fastapi", ">=0.110,<0.111", "poetry.dependencies", "runtime", 6),
        ("boto3", "", "poetry.dependencies", "optional", 7),
        ("mylib", None, "poetry.dependencies", "runtime", 8),
        ("pytest", ">=8.0,<9", "group:test", "dev", 11),
    ]


def test_pyproject_without_dependencies_is_no_manifest_and_dynamic_ones_are_opaque() -> None:
    assert manifest("pyproject.toml", "[tool.black]\nline-length = 100\n") is None
    dynamic = manifest("pyproject.toml", '[project]\nname = "x"\ndynamic = ["dependencies"]\n')
    assert dynamic["opaque"] and dynamic["deps"] == []
    from_file = """\
        [project]
        name = "x"
        dynamic = ["dependencies"]
        [tool.setuptools.dynamic]
        dependencies = {file = ["requirements.in"]}
        """
    data = manifest("pyproject.toml", from_file)
    assert not data["opaque"] and data["includes"] == ["requirements.in"]
    assert manifest("pyproject.toml", "[project\n") is None


def test_requirements_roles_come_from_file_and_folder_names() -> None:
    assert deps("requirements.txt", "flask>=3\n") == [("flask", ">=3", "requirements.txt", "runtime", 1)]
    assert deps("requirements-dev.txt", "pytest\n")[0][3] == "dev"
    assert deps("requirements/test.txt", "pytest\n")[0][3] == "dev"
    assert deps("docs/requirements.txt", "sphinx\n")[0][3] == "dev"
    assert deps("requirements/base.txt", "flask\n")[0][3] == "runtime"
    assert deps("tests/requirements/py3.txt", "selenium\n")[0][3] == "dev"
    assert deps("services/build/requirements.txt", "flask\n")[0][3] == "runtime"
    assert deps("requirements-build.txt", "cython\n")[0][3] == "dev"
    assert manifest("notes.txt", "flask\n") is None


def test_setup_cfg_and_literal_setup_py() -> None:
    cfg = """\
        [metadata]
        name = legacy

        [options]
        install_requires =
            click>=8
            attrs

        [options.extras_require]
        testing =
            pytest
        """
    assert deps("setup.cfg", cfg) == [
        ("click", ">=8", "install_requires", "runtime", 6),
        ("attrs", "", "install_requires", "runtime", 7),
        ("pytest", "", "extra:testing", "dev", 11),
    ]
    setup = """\
        from setuptools import setup

        REQUIRES = [
            "numpy>=1.26",
        ]

        setup(
            name="calc",
            install_requires=REQUIRES,
            extras_require={"plot": ["matplotlib"]},
        )
        """
    assert deps("setup.py", setup) == [
        ("numpy", ">=1.26", "install_requires", "runtime", 4),
        ("matplotlib", "", "extra:plot", "optional", 10),
    ]
    dynamic = "from setuptools import setup\nsetup(install_requires=open('req.txt').read().split())\n"
    assert manifest("setup.py", dynamic)["opaque"]


def test_pipfile_conda_tox_nox_and_install_commands() -> None:
    assert deps("Pipfile", '[packages]\nrequests = "*"\n[dev-packages]\npytest = "==8.0"\n') == [
        ("requests", "", "packages", "runtime", 2),
        ("pytest", "==8.0", "dev-packages", "dev", 4),
    ]
    conda = "dependencies:\n  - python=3.11\n  - conda-forge::numpy=1.26\n  - pip:\n    - requests>=2\n"
    assert deps("environment.yml", conda) == [
        ("numpy", None, "conda", "runtime", 3),
        ("requests", None, "conda", "runtime", 5),
    ]
    tox = "[testenv]\ndeps =\n    pytest\n    py311: hypothesis\n    -rrequirements-dev.txt\n"
    tox_data = manifest("tox.ini", tox)
    assert [d["name"] for d in tox_data["deps"]] == ["pytest", "hypothesis"]
    assert tox_data["includes"] == ["requirements-dev.txt"] and not tox_data["manifest"]
    nox = "import nox\n\n@nox.session\ndef tests(session):\n    session.install('pytest', 'coverage[toml]')\n"
    assert [d["name"] for d in manifest("noxfile.py", nox)["deps"]] == ["pytest", "coverage"]
    workflow = "jobs:\n  t:\n    steps:\n      - run: |\n          pip install -U pytest \\\n            freezegun -r req.txt\n"
    assert deps(".github/workflows/ci.yml", workflow) == [
        ("pytest", None, "install:workflow", "dev", 5),
        ("freezegun", None, "install:workflow", "dev", 5),
    ]
    assert deps("Dockerfile", "FROM python:3.12\nRUN pip install gunicorn==22.0 .\n") == [
        ("gunicorn", None, "install:dockerfile", "runtime", 2),
    ]
    assert manifest("README.md", "Install the tools and run them.\n") is None
    every_pip = "Run `uv pip install httpx` or `python3 -m pip install rich` or `pipx install black`.\n"
    assert [d[0] for d in deps("docs/setup.md", every_pip)] == ["httpx", "rich", "black"]
    assert manifest("docs/setup.md", "Run npm install left-pad.\n") is None  # no pip: no command read


def test_broken_or_hostile_manifests_declare_nothing() -> None:
    assert manifest("setup.cfg", "[options\ninstall_requires = x\n") is None
    assert manifest("environment.yml", "dependencies: [" * 3000) is None
    assert manifest("Pipfile", "[packages\n")["opaque"]
    assert manifest("requirements.txt", "a" * 50_000 + "-\n" + "[" * 5000 + "\n")["deps"] == []
    assert manifest("setup.py", "setup(install_requires=[*BASE])\n")["opaque"]


# --- DEP001 undeclared-import ---------------------------------------------------------------------

APP = {
    "pyproject.toml": """\
        [project]
        name = "shop"
        dependencies = ["requests>=2,<3", "PyYAML>=6,<7"]
        [dependency-groups]
        test = ["pytest>=8,<9", "freezegun>=1,<2"]
        """,
    "shop/__init__.py": "",
    "shop/helpers.py": "X = 1\n",
}


def test_dep001_flags_third_party_imports_no_runtime_list_declares() -> None:
    files = {
        **APP,
        "shop/api.py": """\
            import os
            import requests
            import yaml
            import redis.client
            import redis
            from freezegun import freeze_time
            """,
    }
    assert [(p, f.line, f.severity) for p, f in repo_findings(dedented(files), undeclared_import.RULE.code)] == [
        ("shop/api.py", 4, None), ("shop/api.py", 6, Severity.MEDIUM),
    ]
    assert messages(files, undeclared_import.RULE.code) == [
        "`redis.client` is imported but redis is declared in no run-time dependency list",
        "`freezegun` is imported but freezegun is declared only as a test/development dependency",
    ]



def test_dep001_is_low_for_a_module_a_declared_distribution_always_installs() -> None:
    # Netflix/dispatch 7ad204159a: `from starlette.requests import Request` beside `fastapi` in the list.
    files = {
        "pyproject.toml": '[project]\nname = "svc"\ndependencies = ["fastapi>=0.115,<1", "boto3>=1.34,<2"]\n',
        "svc/__init__.py": "",
        "svc/api.py": "from starlette.requests import Request\nimport six\nimport yaml\n",
    }
    reported = {f.message.split("`")[1]: (f.severity, f.message) for _, f in repo_findings(files, undeclared_import.RULE.code)}
    assert reported["starlette.requests"] == (Severity.LOW, "`starlette.requests` is imported but starlette is declared in no "
                                              "run-time dependency list; fastapi, which is, always installs it")
    assert reported["six"][0] is Severity.LOW  # boto3 -> botocore -> python-dateutil -> six
    assert reported["yaml"][0] is None  # nothing declared brings PyYAML: high
    # A test importing it is low too (Netflix/dispatch's conftest imports starlette.config).
    files["tests/conftest.py"] = "from starlette.config import environ\n"
    tests = [(f.severity, f.message) for _, f in repo_findings(files, undeclared_test_import.RULE.code)]
    assert tests == [(Severity.LOW, "tests import `starlette.config` but no dependency list declares starlette; "
                                    "fastapi, which is, always installs it")]

def test_dep002_is_low_for_pytest_when_a_declared_pytest_plugin_installs_it() -> None:
    # paramiko 05fd319878 stopped committing uv.lock, which had named pytest; the dev group declares
    # pytest-relaxed and pytest-xdist, and every pytest plugin requires pytest.
    files = {
        "pyproject.toml": '[project]\nname = "lib"\ndependencies = ["bcrypt>=3.2"]\n\n'
                          '[dependency-groups]\ndev = ["pytest-relaxed>=2", "flake8-bugbear>=24"]\n',
        "lib/__init__.py": "import bcrypt\n",
        "tests/__init__.py": "from pytest import skip\nimport flake8\n",
    }
    tests = sorted(((f.severity, f.message) for _, f in repo_findings(files, undeclared_test_import.RULE.code)),
                   key=lambda found: found[1])
    assert tests == [
        (Severity.LOW, "tests import `flake8` but no dependency list declares flake8; flake8-bugbear, which is, "
                       "always installs it"),
        (Severity.LOW, "tests import `pytest` but no dependency list declares pytest; pytest-relaxed, which is, "
                       "always installs it"),
    ]
    files["pyproject.toml"] = files["pyproject.toml"].replace('"pytest-relaxed>=2"', '"pytest-runner>=6"')
    severities = {f.message.split("`")[1]: f.severity for _, f in repo_findings(files, undeclared_test_import.RULE.code)}
    assert severities["pytest"] is None  # pytest-runner is a setup.py helper, not a plugin: it brings no pytest
    # jazzband/pip-tools f75b91b90a: a coverage plugin in the tests, and `pytest-cov` in an extra.
    files["tests/_plugins/cover.py"] = "from coverage import CoveragePlugin\n"
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        "[dependency-groups]", '[project.optional-dependencies]\ncoverage = ["pytest-cov"]\n\n[dependency-groups]')
    severities = {f.message.split("`")[1]: f.severity for _, f in repo_findings(files, undeclared_test_import.RULE.code)}
    assert severities["coverage"] is Severity.LOW


RAY_TRAINER = "import ray\n\nray.init()\n"


@pytest.mark.parametrize(
    ("dockerfile", "severity", "says"),
    [
        # kubernetes-engine-samples ab0d09b00c: the image brings ray; nothing in the repository lists it.
        ("FROM rayproject/ray:2.49.1-py312\nCOPY . /app\n", Severity.LOW, "the base image `rayproject/ray` may"),
        ("ARG BASE=docker.io/vllm/vllm-tpu:nightly\nFROM ${BASE}\n", Severity.LOW, "`docker.io/vllm/vllm-tpu`"),
        ("ARG BASE\nFROM $BASE\n", Severity.LOW, "the base image named by a build argument may provide it"),
        # An OS or a bare Python brings no libraries: the import is as undeclared as without a Dockerfile.
        ("FROM python:3.12-slim AS build\nFROM gcr.io/distroless/python3-debian12\nCOPY --from=build /a /a\n",
         None, "declared in no run-time dependency list"),
        ("FROM ubuntu:24.04\n", None, "declared in no run-time dependency list"),
    ],
)
def test_dep001_is_low_when_the_nearest_dockerfiles_image_may_bring_the_module(
    dockerfile: str, severity: Severity | None, says: str
) -> None:
    files = {**APP, "samples/train/Dockerfile": dockerfile, "samples/train/job/trainer.py": RAY_TRAINER}
    reported = repo_findings(dedented(files), undeclared_import.RULE.code)
    assert [(p, f.severity) for p, f in reported] == [("samples/train/job/trainer.py", severity)]
    assert says in reported[0][1].message
    # Only the Dockerfile nearest above the file counts, and a dev container's never does.
    elsewhere = {**APP, "other/Dockerfile": dockerfile, "samples/train/Dockerfile": "FROM python:3.12\n",
                 ".devcontainer/Dockerfile": dockerfile, "trainer.py": RAY_TRAINER,
                 "samples/train/job/trainer.py": RAY_TRAINER}
    assert {f.severity for _, f in repo_findings(dedented(elsewhere), undeclared_import.RULE.code)} == {None}

def test_dep001_reports_lazy_imports_as_low_and_respects_file_wide_optionality() -> None:
    files = {
        **APP,
        "shop/api.py": """\
            try:
                import simplejson as json
                HAS_SIMPLEJSON = True
            except ImportError:
                import json
                HAS_SIMPLEJSON = False
            if HAS_SIMPLEJSON:
                from simplejson import JSONDecodeError

            def under_trio():
                import trio
                return trio.Event()
            """,
    }
    reported = repo_findings(dedented(files), undeclared_import.RULE.code)
    # The guarded simplejson stays undeclared (low); its other imports in the file are not reported again.
    assert [(path, f.line, f.severity) for path, f in reported] == [
        ("shop/api.py", 2, Severity.LOW), ("shop/api.py", 11, Severity.LOW)]


def test_dep001_takes_an_import_under_a_module_probe_for_optional() -> None:
    # joke2k/django-environ b64b6aac40: `if pkgutil.find_loader('simplejson'): import simplejson as json`.
    files = {
        **APP,
        "shop/compat.py": """\
            import importlib.util
            import pkgutil
            if pkgutil.find_loader("simplejson"):
                import simplejson as json
            else:
                import json
            if importlib.util.find_spec("ujson") is not None:
                import ujson
            if json:
                import msgpack
            """,
    }
    reported = repo_findings(dedented(files), undeclared_import.RULE.code)
    assert [(f.line, f.severity) for _, f in reported] == [(4, Severity.LOW), (8, Severity.LOW), (10, None)]

def test_dep001_accepts_declared_first_party_optional_and_non_shipped_imports() -> None:
    files = {
        **APP,
        "shop/api.py": """\
            from typing import TYPE_CHECKING
            import requests.adapters
            from shop import helpers
            from . import helpers as h
            if TYPE_CHECKING:
                import pandas
            try:
                import ujson
            except ImportError:
                ujson = None

            def debug():
                import freezegun
            """,
        "shop/testing.py": "import pytest\n",
        "scripts/release.py": "import github\n",
        "docs/conf.py": "import sphinx_rtd_theme\n",
        "setup.py": "import setuptools\n",
        "tests/test_api.py": "import pytest\nimport responses\n",
        "tools/__init__.py": "",
    }
    assert found(files, undeclared_import.RULE.code) == []


def test_dep001_is_silent_when_declarations_cannot_be_read_in_full() -> None:
    opaque = {
        "setup.py": "from setuptools import setup\nsetup(install_requires=read('deps'))\n",
        "app/main.py": "import yaml\n",
    }
    assert found(opaque, undeclared_import.RULE.code) == []
    read_by_setup = {**opaque, "requirements.txt": "requests\n"}
    assert found(read_by_setup, undeclared_import.RULE.code) == [("app/main.py", 1)]
    unread_include = {"requirements.txt": "-r deps/common.lst\n", "app/main.py": "import yaml\n"}
    assert found(unread_include, undeclared_import.RULE.code) == []
    assert found({"app/main.py": "import yaml\n"}, undeclared_import.RULE.code) == []  # no manifest: DEP006 speaks instead


def test_dep001_knows_namespace_distributions_and_newer_standard_library() -> None:
    # scrapy/scrapy: `compression` is the standard library from Python 3.14, `backports.zstd` its backport.
    files = {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["backports.zstd>=1.3; python_version < \'3.14\'"]\n',
        "app/__init__.py": "",
        "app/codec.py": """\
            import sys

            if sys.version_info >= (3, 14):
                from compression import zstd
            else:
                from backports import zstd
            """,
        "tests/test_codec.py": "from backports import zstd\n",
    }
    assert found(files, undeclared_import.RULE.code) == []
    assert found(files, undeclared_test_import.RULE.code) == []
    assert found(files, unused_dependency.RULE.code) == []
    # Another backport under the same namespace is still undeclared.
    other = {**files, "app/codec.py": "from backports import tarfile\n"}
    assert found(other, undeclared_import.RULE.code) == [("app/codec.py", 1)]


# --- DEP002 undeclared-test-import ----------------------------------------------------------------


def test_dep002_flags_test_imports_declared_nowhere() -> None:
    files = {
        **APP,
        "tests/conftest.py": "import pytest\n",
        "tests/test_api.py": """\
            import pytest
            import yaml
            import responses
            from freezegun import freeze_time
            from shop import helpers
            import tests.conftest

            def test_lazy():
                import numpy
            """,
    }
    assert [(p, f.line, f.severity) for p, f in repo_findings(dedented(files), undeclared_test_import.RULE.code)] == [
        ("tests/test_api.py", 3, None), ("tests/test_api.py", 9, Severity.LOW),
    ]
    assert messages(files, undeclared_test_import.RULE.code)[0] == "tests import `responses` but no dependency list declares responses"


def test_dep002_names_each_undeclared_module_once_at_its_first_eager_import() -> None:
    files = {
        **APP,
        "tests/test_a.py": "def test_lazy():\n    import numpy\n",
        "tests/test_b.py": "import numpy\n",
        "tests/test_c.py": "import numpy.linalg\n",
        "tests/test_d.py": "def test_lazy():\n    import scipy\n",
    }
    found_ = repo_findings(dedented(files), undeclared_test_import.RULE.code)
    assert [(p, f.line, f.severity, f.subject) for p, f in found_] == [
        ("tests/test_b.py", 1, None, "test-import:numpy"), ("tests/test_d.py", 2, Severity.LOW, "test-import:scipy"),
    ]
    assert found_[0][1].message == ("tests import `numpy` (tests/test_b.py and 2 more files) "
                                    "but no dependency list declares numpy")


def test_dep002_counts_tools_installed_by_ci_tox_or_nox() -> None:
    files = {
        "requirements.txt": "requests\n",
        "tests/test_a.py": "import pytest\nimport hypothesis\nimport freezegun\n",
        ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: pip install pytest\n",
        "tox.ini": "[testenv]\ndeps = hypothesis\n",
        "noxfile.py": "def tests(session):\n    session.install('freezegun')\n",
    }
    assert found(files, undeclared_test_import.RULE.code) == []


# --- DEP003 unused-dependency ----------------------------------------------------------------------


def test_dep003_flags_runtime_dependencies_nothing_imports() -> None:
    files = {
        "requirements.txt": "requests==2.31.0\nsimplejson==3.19\nbeautifulsoup4==4.12\ngunicorn==22.0\ntypes-requests\n",
        "requirements-dev.txt": "pytest\nblack\n",
        "docs/requirements.txt": "sphinx-book-theme\nmyst-parser\n",
        "examples/demo/requirements.txt": "simplejson\n",
        "app/main.py": "import requests\nfrom bs4 import BeautifulSoup\n",
    }
    assert found(files, unused_dependency.RULE.code) == [("requirements.txt", 2)]
    assert messages(files, unused_dependency.RULE.code) == ["`simplejson` is declared in requirements.txt but no Python file imports it"]


def test_dep003_skips_lock_files_and_repositories_without_imports() -> None:
    lock = "# This file is autogenerated by pip-compile\nsoupsieve==2.5\n    # via beautifulsoup4\nrequests==2.31.0\n"
    assert found({"requirements.txt": lock, "app/main.py": "import requests\n"}, unused_dependency.RULE.code) == []
    assert found({"requirements.txt": "simplejson\n"}, unused_dependency.RULE.code) == []
    conda = "dependencies:\n  - nodejs\n  - requests\n"
    assert found({"environment.yml": conda, "app/main.py": "import requests\n"}, unused_dependency.RULE.code) == []


# --- DEP004 unbounded-version-spec -----------------------------------------------------------------


def test_dep004_flags_runtime_dependencies_without_upper_bound() -> None:
    files = {
        "pyproject.toml": """\
            [project]
            name = "lib"
            dependencies = [
                "requests>=2.31",
                "click",
                "attrs~=23.1",
                "rich>=13,<14",
                "idna==3.6",
                "mylib @ https://example.com/mylib.whl",
            ]
            [project.optional-dependencies]
            test = ["pytest"]
            """,
        "requirements.in": "flask\n",
        "requirements-dev.txt": "black\n",
        "examples/demo/requirements.txt": "flask\n",
    }
    assert found(files, unbounded_version_spec.RULE.code) == [("pyproject.toml", 4), ("pyproject.toml", 5)]
    assert messages(files, unbounded_version_spec.RULE.code) == [
        "run-time dependency `requests` has no upper bound (>=2.31)",
        "run-time dependency `click` has no version constraint",
    ]


def test_dep004_accepts_poetry_carets_and_pinned_requirements() -> None:
    files = {
        "pyproject.toml": '[tool.poetry]\nname = "svc"\n[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "^0.110"\n',
        "requirements.txt": "flask==3.0.2\n",
    }
    assert found(files, unbounded_version_spec.RULE.code) == []


# --- DEP005 conflicting-version-spec ---------------------------------------------------------------


def test_dep005_flags_specs_that_cannot_both_hold() -> None:
    files = {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["django>=4.2,<5", "requests>=2"]\n',
        "requirements/prod.txt": "django==3.2.25\nrequests==2.31.0\n",
    }
    assert found(files, conflicting_version_spec.RULE.code) == [("requirements/prod.txt", 1)]
    assert messages(files, conflicting_version_spec.RULE.code) == [
        "`django==3.2.25` (prod.txt) cannot hold together with `django>=4.2,<5` (pyproject.toml:3)"
    ]


def test_dep005_ignores_other_projects_markers_and_unmodelled_specs() -> None:
    files = {
        "services/a/requirements.txt": "django==3.2\n",
        "services/b/requirements.txt": "django==4.2\n",
        "requirements.txt": 'numpy==1.21; python_version < "3.10"\nnumpy==1.26; python_version >= "3.10"\nx==1.0+local\n',
        "requirements-dev.txt": "x>=2\n",
    }
    assert found(files, conflicting_version_spec.RULE.code) == []


def test_dep005_never_compares_two_version_selector_lists_of_a_matrix() -> None:
    # encode/django-rest-framework: one dependency group per Django version, each tox env picks one.
    groups = ('[dependency-groups]\ndjango52 = ["django>=5.2,<6.0"]\ndjango60 = ["django>=6.0,<6.1"]\n'
              'django61 = ["django>=6.1rc1,<6.2"]\nDjango-Main = ["django>=6.2a1"]\n')
    files = {
        "pyproject.toml": f'[project]\nname = "x"\ndependencies = ["django>=5.2"]\n\n{groups}',
        "requirements/django42.txt": "django>=4.2,<5\n",
        "requirements/django50.txt": "django>=5.0,<5.1\n",
    }
    # The selectors never meet each other, but each still meets the run-time list.
    assert found(files, conflicting_version_spec.RULE.code) == [("requirements/django42.txt", 1),
                                                                ("requirements/django50.txt", 1)]
    # A list that is not a selector (another name, or more than one distribution) still conflicts.
    lint = groups + 'lint = ["django==6.0.1"]\ndjango-extras = ["django>=5.2,<6", "django-filter"]\n'
    files = {"pyproject.toml": f'[project]\nname = "x"\ndependencies = ["django>=5.2"]\n\n{lint}'}
    assert found(files, conflicting_version_spec.RULE.code) == [("pyproject.toml", 10), ("pyproject.toml", 11)]


def test_dep005_never_compares_two_lock_files_or_a_lock_with_another_locks_input() -> None:
    # pallets/jinja b002d9c6c3 (requirements/tests37.txt for Python 3.7 beside dev.txt) and
    # opentelemetry-python 62d3d36aca (test-requirements.oldest.txt beside .latest.txt).
    header = "# This file is autogenerated by pip-compile\n"
    files = {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["trio>=0.22"]\n',
        "requirements/dev.in": "pytest\ntrio\n",
        "requirements/dev.txt": header + "pytest==8.2.0\n    # via -r dev.in\ntrio==0.25.0\n    # via -r dev.in\n",
        "requirements/tests37.in": "pytest<8\ntrio==0.22.2\n",
        "requirements/tests37.txt": header + "pytest==7.4.4\n    # via -r tests37.in\ntrio==0.22.2\n    # via x\n",
        "pkg/test-requirements.oldest.txt": header + "pygments==2.7.2\n    # via pytest\n",
        "pkg/test-requirements.latest.txt": header + "pygments==2.20.0\n    # via pytest\n",
    }
    assert found(files, conflicting_version_spec.RULE.code) == []
    # A lock still meets its own input and the manifests.
    files["requirements/tests37.in"] = "pytest>=8\ntrio==0.22.2\n"
    files["pyproject.toml"] = '[project]\nname = "x"\ndependencies = ["trio>=0.24"]\n'
    assert sorted(found(files, conflicting_version_spec.RULE.code)) == [("requirements/tests37.in", 2),
                                                                        ("requirements/tests37.txt", 2),
                                                                        ("requirements/tests37.txt", 4)]


# --- DEP006 missing-dependency-manifest ------------------------------------------------------------


def test_dep006_reports_once_when_nothing_declares_dependencies() -> None:
    files = {
        "app/__init__.py": "",
        "app/b.py": "import requests\nimport yaml\n",
        "app/a.py": "import os\nfrom app import b\nimport numpy as np\n",
        "tests/test_a.py": "import pytest\n",
    }
    assert found(files, missing_dependency_manifest.RULE.code) == [("app/a.py", 3)]
    assert messages(files, missing_dependency_manifest.RULE.code) == [
        "the code imports 3 third-party module(s) (numpy, requests, yaml), but nothing declares dependencies"
    ]


def test_dep006_is_silent_with_a_manifest_or_without_third_party_imports() -> None:
    assert found({"requirements.txt": "\n", "app/a.py": "import requests\n"}, missing_dependency_manifest.RULE.code) == []
    assert found({"app/a.py": "import os\n", "tests/test_a.py": "import pytest\n"}, missing_dependency_manifest.RULE.code) == []


def test_codes_names_and_severities() -> None:
    modules = (undeclared_import, undeclared_test_import, unused_dependency, unbounded_version_spec,
               conflicting_version_spec, missing_dependency_manifest)
    assert [(m.RULE.code, m.RULE.name, m.RULE.severity.value) for m in modules] == [
        ("DEP001", "undeclared-import", "high"),
        ("DEP002", "undeclared-test-import", "medium"),
        ("DEP003", "unused-dependency", "low"),
        ("DEP004", "unbounded-version-spec", "low"),
        ("DEP005", "conflicting-version-spec", "medium"),
        ("DEP006", "missing-dependency-manifest", "low"),
    ]


def test_the_requirements_table_is_written_in_normalised_names() -> None:
    from app.checks.dependencies.requires import REQUIRES, brought_by

    names = [*REQUIRES, *(child for children in REQUIRES.values() for child in children)]
    assert [name for name in names if normalize(name) != name] == []
    assert "six" in brought_by("boto3") and "boto3" not in brought_by("boto3")


def _naive_first(lines: list[str], needles: tuple[str, ...], start: int) -> int:
    """The line search `_LineFinder` replaced: each line in turn, from `start` to the end, then from the top."""
    for index in [*range(start, len(lines)), *range(start)]:
        if any(needle in lines[index] for needle in needles):
            return index + 1
    return 0


def test_declaration_lines_are_found_as_a_line_by_line_search_finds_them() -> None:
    lines = ['[project]', 'dependencies = ["httpx", \'rich\']', "", "[tool.uv]", 'dev = ["rich", "pytest"]',
             "x = 'httpx'", "\u2028odd", "httpx\\n", ""]
    finder = dependency_manifests._LineFinder(lines)
    for section in ("[project]", "[tool.uv]", "[absent]", "dev ="):
        start = max(_naive_first(lines, (section,), 0) - 1, 0)
        for item in ("httpx", "rich", "pytest", "absent", "", "odd"):
            expected = _naive_first(lines, (f'"{item}"', f"'{item}'"), start)
            assert finder.string_line(item, section) == expected, (item, section)
    for text in ("httpx", "rich", "uv]", "\\n", "httpx\\n", "", "x\ny", "absent"):
        assert finder.plain_line(text) == _naive_first(lines, (text,), 0), text
    assert dependency_manifests._LineFinder([]).plain_line("") == 0


def test_a_tox_ini_with_thousands_of_deps_gives_each_dep_its_first_line() -> None:
    # getsentry/sentry-python's generated tox.ini: 17,000 deps lines took ten seconds to place one by one.
    envs = "\n".join(f"[testenv:py3.{n % 9}-lib{n}]\ndeps =\n    lib{n}=={n}.0\n    pytest\n" for n in range(300))
    data = manifest("tox.ini", f"[tox]\nenvlist = py3\n\n{envs}")
    assert data is not None
    text_lines = f"[tox]\nenvlist = py3\n\n{envs}".splitlines()
    assert len(data["deps"]) == 600
    assert all(d["line"] == _naive_first(text_lines, (d["name"],), 0) for d in data["deps"])
    assert {d["name"]: d["line"] for d in data["deps"]}["lib299"] == 4 + 299 * 5  # its section header names it
