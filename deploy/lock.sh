#!/usr/bin/env bash
# Regenerate the image's dependency locks from pyproject.toml (run from the repository root after
# changing a dependency): deploy/requirements.txt (run time) and deploy/build-requirements.txt (the
# build backend). Both pin every package with its hashes; the Dockerfile installs with --require-hashes.
# Needs uv (`pip install uv`).
set -euo pipefail
cd "$(dirname "$0")/.."
common=(--universal --python-version 3.11 --generate-hashes --quiet
        --custom-compile-command "deploy/lock.sh")
uv pip compile "${common[@]}" pyproject.toml -o deploy/requirements.txt
python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))' \
  | uv pip compile "${common[@]}" - -o deploy/build-requirements.txt
