"""## What it does
Flags third-party imports of shipped code that no run-time dependency declares.

Shipped code is any Python file that is not a test or tooling (see below). Import names are mapped
to distribution names (`yaml` is provided by `PyYAML`, `sklearn` by `scikit-learn`, `cv2` by any
OpenCV build), so a declared distribution under another name counts.

Imports under `if TYPE_CHECKING:` are not judged. Imports in a `try` (or its `else:`) that catches
`ImportError`, under `suppress(ImportError)`, or under an `if` that probes for a module
(`if importlib.util.find_spec("simplejson"):`, `pkgutil.find_loader`), are optional, and so is any
other import of a module that the same file imports optionally (`if has_simplejson: ...`): guarding
an import does not declare it, so an optional import is still reported, as `low`, unless an extra, a
dependency group or another dependency list declares it. Tests, `conftest.py`, `setup.py`,
`noxfile.py`, stubs, code under `docs/`, `examples/`, `scripts/`, `tools/`, `benchmarks/` and
vendored folders, and developer scripts
under `dev/`, `bin/` or `hack/` folders that are not packages, are not judged here: they are not
shipped, and may import what the development and test lists declare (tests have
`undeclared-test-import`). A `pip install ...` in a
Dockerfile counts as a run-time declaration, since the image is what runs. When the nearest Dockerfile
above a file builds FROM an image that brings libraries (`rayproject/ray`, `pytorch/pytorch`, a
company base image), not only an OS or a Python runtime, an undeclared import is reported as `low`:
the image may well provide it, and nothing in the repository says whether it does. So is an import of a
distribution that a declared one always installs (`starlette` under `fastapi`, `six` under
`python-dateutil`; `app/checks/dependencies/requires.py`): it cannot fail today, but the parent may
drop it in a later release.

A module declared only in a test or development list is flagged too, as `medium`: the authors do
install it, and it may be an optional integration (a database backend the user is told to install)
rather than a forgotten declaration. It is not flagged when imported inside a function or by a
module that exists to support test suites (`pkg/testing.py`, a pytest plugin). An import of an
undeclared module inside a function body is reported as `low` instead of `high`: it fails only when
that function runs, and such lazy imports often serve an optional feature (`import trio` when
running under trio).

Each place that imports an undeclared module is reported, but the defect is the missing declaration:
a change that imports such a module in one more place, at the same severity, adds no new finding when
the base already reports the module elsewhere (one declaration fixes every place).

The check needs a manifest to compare with: a repository without any is reported once by
`missing-dependency-manifest`. When a manifest computes its run-time dependencies (a `setup.py` that
builds `install_requires`, dynamic dependencies in `pyproject.toml`) and no requirements file says
what they are, or a requirements file includes one that was not read, nothing is reported.

## Why is this bad?
The code works on the author's machine because the module happens to be installed there, and fails
with `ModuleNotFoundError` on a clean install, in the Docker image, or for every user of the package.

## Example
```python
# app/config.py; pyproject.toml declares only "requests"
import yaml
```

## Use instead
```toml
[project]
dependencies = ["requests>=2.31,<3", "PyYAML>=6,<7"]
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.dependencies.declared import (
    Declared,
    ThirdPartyImport,
    declared,
    file_role,
    is_test_support,
    third_party_imports,
)
from app.checks.dependencies.import_names import IMPORT_TO_DISTRIBUTIONS
from app.checks.facts import docker_images
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("DEP001", "undeclared-import", Domain.DEPENDENCIES, Severity.HIGH, __doc__, shared=True)
RUNTIME_ROLES = ("runtime", "optional")


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report third-party imports of shipped code that no run-time dependency provides."""
    decl = declared(view)
    if not decl.manifests or decl.incomplete:
        return
    images: dict[str, list[str]] | None = None
    for facts in view.python_files():
        if file_role(view, facts.path) != "runtime":
            continue
        for imp in third_party_imports(view, facts.path, guarded=True):
            if imp.optional:
                yield from _guarded(decl, imp)
                continue
            if decl.declares_import(imp, RUNTIME_ROLES):
                continue
            in_dev = decl.declares_import(imp, ("dev",))
            if in_dev and (imp.local or is_test_support(facts.path)):
                continue
            top = imp.module.split(".", 1)[0]
            where = "only as a test/development dependency" if in_dev else "in no run-time dependency list"
            message = f"`{imp.module}` is imported but {suggested_distribution(imp.module)} is declared {where}"
            images = _images_by_folder(view) if images is None else images
            image = providing_image(images, facts.path)
            parent = decl.bringer(imp, RUNTIME_ROLES)
            if parent is not None:
                message += f"; {parent}, which is, always installs it"
            elif image is not None:
                message += f"; the base image {image} may provide it"
            # Lazy imports fail only when their function runs; a module the authors install for tests
            # may be an optional integration (a database backend) rather than a forgotten declaration;
            # one a declared distribution requires cannot fail today.
            quiet = imp.local or image is not None or parent is not None
            severity = Severity.LOW if quiet else Severity.MEDIUM if in_dev else None
            finding = RawFinding(RULE.code, imp.line, message, snippet=f"undeclared {top}", severity=severity)
            yield RepoFinding(facts.path, finding)


def _guarded(decl: Declared, imp: ThirdPartyImport) -> Iterator[RepoFinding]:
    """Report a guarded import that no list declares: the feature it serves can never be installed."""
    if decl.declares_import(imp, (*RUNTIME_ROLES, "dev")):
        return
    top = imp.module.split(".", 1)[0]
    message = (f"`{imp.module}` is imported under an ImportError guard, but no extra or dependency group declares "
               f"{suggested_distribution(imp.module)}; users cannot install the feature it serves")
    # Guarded, it cannot crash: low, so it weighs on the score without blocking.
    yield RepoFinding(imp.path, RawFinding(RULE.code, imp.line, message, snippet=f"undeclared {top}",
                                           severity=Severity.LOW))


# Images that bring an OS or a bare language runtime, not libraries, by the last part of their name.
_BARE_IMAGES = frozenset({
    "ubuntu", "debian", "alpine", "centos", "fedora", "rockylinux", "almalinux", "amazonlinux", "oraclelinux",
    "busybox", "buildpack-deps", "static", "base", "cc", "uv", "node", "golang", "rust", "openjdk",
    "eclipse-temurin", "ruby", "php", "nginx", "httpd", "bash", "docker",
})
_BARE_PREFIXES = ("python", "pypy", "ubi", "base-", "static-", "cc-", "debian", "ubuntu", "alpine", "miniconda")


def _images_by_folder(view: RepoView) -> dict[str, list[str]]:
    """Return the base images of the Dockerfiles of each folder (dev containers left out)."""
    found: dict[str, list[str]] = {}
    for path, facts in view.files.items():
        if facts.kind == "dockerfile" and "/.devcontainer/" not in f"/{path}":
            found.setdefault(posixpath.dirname(path), []).extend(facts.data.get(docker_images.KEY) or ())
    return found


def providing_image(images: dict[str, list[str]], path: str) -> str | None:
    """Return, quoted, an image of the nearest Dockerfile above a file that may bring libraries, if any."""
    folder = posixpath.dirname(path)
    while folder not in images:
        if not folder:
            return None
        folder = posixpath.dirname(folder)
    rich = sorted((i for i in images[folder] if not _bare(i)), key=lambda i: (i == docker_images.UNKNOWN, i))
    if not rich:
        return None
    return "named by a build argument" if rich[0] == docker_images.UNKNOWN else f"`{rich[0]}`"


def _bare(image: str) -> bool:
    """Return whether an image brings only an OS or a language runtime (`python:3.12-slim`, distroless)."""
    last = image.rsplit("/", 1)[-1]
    return last in _BARE_IMAGES or last.startswith(_BARE_PREFIXES)


def suggested_distribution(module: str) -> str:
    """Return the distribution most likely to provide a module, for messages."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        known = IMPORT_TO_DISTRIBUTIONS.get(".".join(parts[:end]))
        if known:
            return " or ".join(known[:2])
    return parts[0]


CHECK = RepoCheck(RULE, find)
