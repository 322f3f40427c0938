"""## What it does
Flags a single-stage Dockerfile that ships its compiler toolchain.

In detail, it flags a Dockerfile with a single build stage that installs a compiler toolchain or compiles
with one, so the toolchain ships in the final image. Evidence is precise:

- a package-manager install (`apt-get`/`apt`/`apk`/`yum`/`dnf`/`microdnf`/`zypper`) of
  compilers and build tools (`gcc`, `g++`, `clang`, `build-essential`, `build-base`, `make`,
  `cmake`, `musl-dev`, `rustc`, `cargo`, `golang`, any `*-dev` or `*-devel` headers package);
- or a compile with a language toolchain (`go build`, `cargo build`, `mvn package`,
  `gradle build`, `dotnet publish`).

A stage that removes what it installed (`apt-get purge`/`remove`, `apk del`,
`yum`/`dnf remove`) is not flagged, nor are dev-container Dockerfiles (under `.devcontainer/`).

## Why is this bad?
Compilers, headers and SDKs make the image several times larger, slower to pull and scan,
and give an attacker who gets in a ready-made toolchain. A multi-stage build compiles in a
builder stage and copies only the artefacts into a slim runtime image.

## Example
```dockerfile
FROM python:3.12-slim
RUN apt-get update && apt-get install -y gcc libpq-dev
RUN pip install psycopg2
```

## Use instead
```dockerfile
FROM python:3.12-slim AS build
RUN apt-get update && apt-get install -y gcc libpq-dev
RUN pip wheel --wheel-dir /wheels psycopg2

FROM python:3.12-slim
COPY --from=build /wheels /wheels
RUN pip install --no-index /wheels/*
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import DOCKERFILE, FileCheck, FileContext, rule
from app.checks.infrastructure.dockerfile import Instruction, is_dev_container, parse
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF005", "single-stage-build", Domain.INFRASTRUCTURE, Severity.LOW, __doc__)

_SEGMENT_SPLIT = re.compile(r"&&|\|\||[;|\n]")
_INSTALL = re.compile(
    r"^(?:sudo\s+)?(?:(?:apt-get|apt|aptitude|yum|dnf|microdnf|tdnf|zypper)\s+(?:\S+\s+)*?install|apk\s+(?:\S+\s+)*?add)\s(.*)$"
)
_BUILD_PACKAGE = re.compile(
    r"^(?:gcc|g\+\+|gcc-c\+\+|cc|clang|build-essential|build-base|make|cmake|automake|autoconf|libtool|"
    r"musl-dev|linux-headers|rustc|cargo|golang|golang-go|[\w.+-]+-dev|[\w.+-]+-devel)(?:-\d[\w.]*)?$"
)
_COMPILE = re.compile(
    r"\b(?:go\s+build|cargo\s+build|mvn\w*\s+(?:\S+\s+)*?(?:package|install|verify)|"
    r"gradlew?\s+(?:\S+\s+)*?(?:build|assemble|bootJar|jar)|dotnet\s+(?:publish|build))\b"
)
_REMOVAL = re.compile(
    r"\b(?:apt-get|apt)\s+(?:\S+\s+)*?(?:purge|remove)\b|\bapk\s+del\b|\b(?:yum|dnf|microdnf)\s+remove\b"
)


def _installs_build_tools(command: str) -> bool:
    """Return whether a shell command installs a compiler or headers with a package manager."""
    for segment in _SEGMENT_SPLIT.split(command):
        match = _INSTALL.match(segment.strip())
        if match is None:
            continue
        packages = [w.split("=", 1)[0] for w in match.group(1).split() if not w.startswith("-")]
        if any(_BUILD_PACKAGE.match(p) for p in packages):
            return True
    return False


def _builds_in_place(run: Instruction) -> bool:
    """Return whether a RUN installs a toolchain or compiles with one."""
    return _installs_build_tools(run.args) or _COMPILE.search(run.args) is not None


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report the first toolchain RUN of a single-stage Dockerfile that never removes it."""
    stages = parse(ctx).stages
    if len(stages) != 1 or is_dev_container(ctx):
        return
    runs = stages[0].find("RUN")
    if any(_REMOVAL.search(run.args) for run in runs):
        return
    for run in runs:
        if _builds_in_place(run):
            yield RawFinding(RULE.code, run.line, "a single-stage build ships its compiler toolchain: "
                             "build in a separate stage and copy only the artefacts", snippet="single-stage-build")
            return


CHECK = FileCheck(RULE, DOCKERFILE, find)
