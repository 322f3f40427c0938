#!/usr/bin/env bash
# Build a git repo from examples/demo (a base commit and a PR commit) and print Verity's markdown report.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git_() { git -C "$work/repo" -c user.name=demo -c user.email=demo@example.com -c commit.gpgsign=false "$@"; }
mkdir -p "$work/repo"
git_ init -q -b main
cp -R "$root/examples/demo/base/." "$work/repo/"
git_ add -A && git_ commit -q -m "base: the shop as it is"
git_ checkout -q -b feature
cp -R "$root/examples/demo/pr/." "$work/repo/"
# The PR's planted token is assembled here, so no token-shaped string is committed in Verity itself.
token="ghp_$(printf 'Zq7xR2mV9kL4pW8sT1nB6yC3dF5gH0jK2aE4')"
cat > "$work/repo/shop/settings.py" <<PY
"""Shop settings."""

import subprocess

PAYMENT_URL = "https://payments.example.com/charge"
PAYMENT_API_TOKEN = "$token"


def git_revision(ref: str) -> str:
    """Return the commit the deployed code runs."""
    return subprocess.check_output(f"git rev-parse {ref}", shell=True, text=True).strip()
PY
git_ add -A && git_ commit -q -m "PR: settings module, cart clean-up"
echo "Demo repo: base = main, PR = feature. Verity's report (the check run's summary):" >&2
echo >&2
set +e
VERITY_DATA_DIR="$work/data" "$root/.venv/bin/verity" audit --repo "$work/repo" --base main --head feature --format markdown
code=$?
set -e
echo >&2
echo "verity audit exited $code (1: the gate fails, as it should for this PR)." >&2
[ "$code" -le 1 ]
