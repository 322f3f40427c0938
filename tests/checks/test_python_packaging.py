"""Which Python files a project ships: the packages pyproject.toml, setup.cfg and setup.py declare."""

from __future__ import annotations

from pathlib import Path

from app.checks.facts import python_packaging
from app.checks.facts.python_packaging import shipped
from app.engine.facts import analyse_text
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import run_audit
from tests.helpers import repo_view

# A src layout with a package, a subpackage, its tests package, a folder without `__init__.py`, a
# folder with a dot in its name, a module beside the packages, and root-level tooling.
SRC_LAYOUT = {
    "src/pkg/__init__.py": "",
    "src/pkg/core.py": "X = 1\n",
    "src/pkg/sub/__init__.py": "",
    "src/pkg/sub/deep.py": "X = 1\n",
    "src/pkg/tests/__init__.py": "",
    "src/pkg/tests/helpers.py": "X = 1\n",
    "src/loose/mod.py": "X = 1\n",
    "src/pkg/templates/{{ name }}.v1/app.py": "X = 1\n",
    "src/solo.py": "X = 1\n",
    "noxfile.py": "X = 1\n",
}
PYTHON = sorted(p for p in SRC_LAYOUT if p.endswith(".py"))


def shipped_files(files: dict[str, str]) -> set[str]:
    """Return the Python files of a tree that the project ships."""
    view = repo_view(files)
    ships = shipped(view)
    return {p for p in files if p.endswith(".py") and ships(p)}


def options(path: str, text: str) -> object:
    """Return the package options the extractor reads from one file."""
    return analyse_text(path, text).data.get(python_packaging.KEY)


# --- setup.py ----------------------------------------------------------------------------------


def test_setup_py_find_packages_ships_the_packages_it_finds_below_where() -> None:
    setup_py = ('from setuptools import find_packages, setup\n\nsetup(\n    name="pkg",\n'
                '    packages=find_packages(where="src", exclude=["pkg.tests", "pkg.tests.*"]),\n'
                '    package_dir={"": "src"},\n)\n')
    assert shipped_files({**SRC_LAYOUT, "setup.py": setup_py}) == {
        "src/pkg/__init__.py", "src/pkg/core.py", "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py"}


def test_setup_py_positional_finder_arguments_and_the_namespace_finder() -> None:
    positional = 'import setuptools\nsetuptools.setup(packages=setuptools.find_packages("src", ["pkg.t*"]))\n'
    assert shipped_files({**SRC_LAYOUT, "setup.py": positional}) == {
        "src/pkg/__init__.py", "src/pkg/core.py", "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py"}
    namespaces = ('from setuptools import setup, find_namespace_packages as find\n'
                  'setup(packages=find(where="src", include=["loose*"]))\n')
    assert shipped_files({**SRC_LAYOUT, "setup.py": namespaces}) == {"src/loose/mod.py"}


def test_setup_py_explicit_packages_py_modules_and_package_dir() -> None:
    setup_py = ('from distutils.core import setup\nsetup(packages=("pkg",), py_modules=["solo", "pkg.tests.helpers"],'
                ' package_dir={"": "src"})\n')
    assert shipped_files({**SRC_LAYOUT, "setup.py": setup_py}) == {
        "src/pkg/__init__.py", "src/pkg/core.py", "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py",
        "src/pkg/tests/__init__.py", "src/pkg/tests/helpers.py", "src/solo.py"}
    flat = {"app/__init__.py": "", "app/views.py": "X = 1\n", "cli.py": "X = 1\n", "other/run.py": "X = 1\n",
            "setup.py": 'from setuptools import setup\nsetup(packages=["app"], py_modules=["cli"])\n'}
    assert shipped_files(flat) == {"app/__init__.py", "app/views.py", "cli.py"}


DYNAMIC_SETUP_PY = {
    "a variable": 'from setuptools import setup\nPACKAGES = ["pkg"]\nsetup(packages=PACKAGES)\n',
    "a call it cannot read": 'from setuptools import setup\n\ndef find_packages():\n    return ["pkg"]\n\n'
                             'setup(packages=find_packages())\n',
    "a computed finder argument": 'import os\nfrom setuptools import find_packages, setup\n'
                                  'setup(packages=find_packages(where=os.environ["SRC"]))\n',
    "a concatenation": 'from setuptools import find_packages, setup\nsetup(packages=find_packages() + ["x"])\n',
    "keyword unpacking": 'from setuptools import setup\nsetup(**CONFIG)\n',
    "unpacking beside a literal list": 'from setuptools import setup\nsetup(packages=["pkg"], **CONFIG)\n',
    "two setup calls": 'import sys\nfrom setuptools import setup\nif sys.argv:\n    setup(packages=["pkg"])\n'
                       'else:\n    setup(packages=["other"])\n',
    "no setup call": 'import runpy\nrunpy.run_path("build_config.py")\n',
    "Python 2 syntax": 'from setuptools import setup\nprint "building"\nsetup(packages=["pkg"])\n',
    "per-package folders": 'from setuptools import setup\nsetup(packages=["pkg"], package_dir={"pkg": "lib"})\n',
    "a non-literal list element": 'from setuptools import setup\nsetup(packages=["pkg", NAME])\n',
    "deep nesting": "from setuptools import setup\nsetup(packages=" + "[" * 400 + "]" * 400 + ")\n",
}


def test_a_setup_py_only_running_could_read_leaves_the_default() -> None:
    default = shipped_files(SRC_LAYOUT) | {"setup.py"}
    for why, setup_py in DYNAMIC_SETUP_PY.items():
        facts = analyse_text("setup.py", setup_py)
        assert not [f for f in facts.findings if f.code == "QLT000"], why
        assert shipped_files({**SRC_LAYOUT, "setup.py": setup_py}) == default, why


def test_a_setup_py_is_never_run(tmp_path: Path, repo: RepoBuilder) -> None:
    marker = tmp_path / "ran"
    hostile = (f"import pathlib, sys\npathlib.Path({str(marker)!r}).write_text('ran')\nsys.exit(3)\n"
               "from setuptools import setup\nsetup(packages=['pkg'], package_dir={'': 'src'})\n")
    assert options("setup.py", hostile) == {"packages": {"names": ["pkg"]}, "package_dir": "src"}
    base = repo.commit("base", SRC_LAYOUT)
    head = repo.commit("setup", {"setup.py": hostile})
    run_audit(repo, base, head)
    assert not marker.exists()


def test_a_setup_py_that_declares_no_packages_leaves_the_default() -> None:
    shim = "import setuptools\n\nsetuptools.setup(name='pkg', install_requires=['httpx'])\n"
    assert options("setup.py", shim) is None
    assert shipped_files({**SRC_LAYOUT, "setup.py": shim}) == shipped_files(SRC_LAYOUT) | {"setup.py"}


# --- setup.cfg ---------------------------------------------------------------------------------

SETUP_CFG_FIND = """\
[metadata]
name = pkg

[options]
packages = find:
package_dir =
    =src
install_requires = httpx

[options.packages.find]
where = src
exclude =
    pkg.tests
    pkg.tests.*
"""


def test_setup_cfg_find_with_where_and_exclude() -> None:
    assert shipped_files({**SRC_LAYOUT, "setup.cfg": SETUP_CFG_FIND}) == {
        "src/pkg/__init__.py", "src/pkg/core.py", "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py"}


def test_setup_cfg_find_namespace_lists_and_dashed_names() -> None:
    namespace = "[options]\npackages = find_namespace:\n[options.packages.find]\nwhere = src\ninclude = loose*\n"
    assert shipped_files({**SRC_LAYOUT, "setup.cfg": namespace}) == {"src/loose/mod.py"}
    listed = "[options]\npackages = pkg.sub\npy-modules = solo, missing\npackage-dir = =src\n"
    assert shipped_files({**SRC_LAYOUT, "setup.cfg": listed}) == {
        "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py", "src/solo.py"}


def test_a_setup_cfg_without_package_options_declares_nothing() -> None:
    for text in ("[flake8]\nmax-line-length = 100\n", "no section header\n", "[options\n", "[options]\nzip_safe = 1\n"):
        assert options("setup.cfg", text) is None
        assert shipped_files({**SRC_LAYOUT, "setup.cfg": text}) == shipped_files(SRC_LAYOUT)


# --- precedence ----------------------------------------------------------------------------------

PYPROJECT_FIND = '[tool.setuptools.packages.find]\nwhere = ["src"]\ninclude = ["loose*"]\n'


def test_pyproject_packages_override_setup_py_which_overrides_setup_cfg() -> None:
    setup_py = 'from setuptools import setup\nsetup(packages=["pkg.sub"], package_dir={"": "src"})\n'
    both = {**SRC_LAYOUT, "setup.py": setup_py, "setup.cfg": SETUP_CFG_FIND}
    assert shipped_files(both) == {"src/pkg/sub/__init__.py", "src/pkg/sub/deep.py"}
    assert shipped_files({**both, "pyproject.toml": PYPROJECT_FIND}) == {"src/loose/mod.py"}
    dynamic = {**both, "setup.py": DYNAMIC_SETUP_PY["a variable"]}
    assert shipped_files(dynamic) == shipped_files(SRC_LAYOUT) | {"setup.py"}  # its unknown list beats setup.cfg's


def test_each_option_comes_from_the_first_file_that_sets_it() -> None:
    setup_py = 'from setuptools import setup\nsetup(package_dir={"": "src"})\n'
    setup_cfg = "[options]\npackages = pkg.sub\n"
    assert shipped_files({**SRC_LAYOUT, "setup.py": setup_py, "setup.cfg": setup_cfg}) == {
        "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py"}
    pyproject = '[tool.setuptools]\npy-modules = ["solo"]\npackage-dir = {"" = "src"}\n'
    assert shipped_files({**SRC_LAYOUT, "pyproject.toml": pyproject, "setup.cfg": setup_cfg}) == {
        "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py", "src/solo.py"}


def test_a_build_backend_other_than_setuptools_never_reads_setup_files() -> None:
    setup_py = 'from setuptools import setup\nsetup(packages=["pkg.sub"], package_dir={"": "src"})\n'
    for backend in ("hatchling.build", "poetry.core.masonry.api", "flit_core.buildapi", "pdm.backend"):
        pyproject = f'[build-system]\nrequires = ["x"]\nbuild-backend = "{backend}"\n'
        files = {**SRC_LAYOUT, "pyproject.toml": pyproject, "setup.py": setup_py, "setup.cfg": SETUP_CFG_FIND}
        assert shipped_files(files) == shipped_files(SRC_LAYOUT) | {"setup.py"}, backend
    for backend in ("setuptools.build_meta", "setuptools.build_meta:__legacy__"):
        pyproject = f'[build-system]\nrequires = ["setuptools"]\nbuild-backend = "{backend}"\n'
        files = {**SRC_LAYOUT, "pyproject.toml": pyproject, "setup.py": setup_py}
        assert shipped_files(files) == {"src/pkg/sub/__init__.py", "src/pkg/sub/deep.py"}, backend
    in_tree = '[build-system]\nbuild-backend = "backend"\nbackend-path = ["_build"]\n'
    assert shipped_files({**SRC_LAYOUT, "pyproject.toml": in_tree, "setup.py": setup_py}) == {
        "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py"}


def test_the_nearest_declaring_folder_decides_and_unknown_ones_defer_as_before() -> None:
    root = 'from setuptools import setup\nsetup(packages=["core"])\n'
    nested = 'from setuptools import setup\nsetup(packages=["api"], package_dir={"": "src"})\n'
    files = {"setup.py": root, "core/__init__.py": "", "core/x.py": "X = 1\n",
             "services/web/setup.py": nested, "services/web/src/api/__init__.py": "",
             "services/web/src/api/y.py": "X = 1\n", "services/web/manage.py": "X = 1\n",
             "services/worker/setup.py": DYNAMIC_SETUP_PY["a variable"], "services/worker/jobs.py": "X = 1\n"}
    assert shipped_files(files) == {"core/__init__.py", "core/x.py", "services/web/src/api/__init__.py",
                                    "services/web/src/api/y.py"}


# --- pyproject.toml ----------------------------------------------------------------------------


def test_each_build_tool_names_its_packages() -> None:
    files = {"src/openai/__init__.py": "", "src/openai/x.py": "X = 1\n", "src/other/y.py": "X = 1\n",
             "app/__init__.py": "", "lib.py": "X = 1\n", "lib/z.py": "X = 1\n", "setup.py": "X = 1\n"}
    forms = {
        '[tool.hatch.build.targets.wheel]\npackages = ["src/openai", "lib.py"]\n':
            {"src/openai/__init__.py", "src/openai/x.py", "lib.py"},
        '[tool.poetry]\npackages = [{include = "other", from = "src"}]\n': {"src/other/y.py"},
        '[tool.flit.module]\nname = "lib"\n': {"lib.py", "lib/z.py"},
        '[tool.setuptools]\npackages = ["openai"]\npackage-dir = {"" = "src"}\n':
            {"src/openai/__init__.py", "src/openai/x.py"},
        '[tool.setuptools.packages.find]\nwhere = ["./src/"]\nexclude = ["other*"]\n':
            {"src/openai/__init__.py", "src/openai/x.py"},
        '[tool.setuptools.packages.find]\nnamespaces = false\n': {"app/__init__.py"},  # src/ has no __init__
    }
    for text, expected in forms.items():
        assert shipped_files({**files, "pyproject.toml": text}) == expected, text
    assert options("pyproject.toml", '[project]\nname = "x"\n') is None
    assert options("pyproject.toml", "[tool.poetry\n") is None
