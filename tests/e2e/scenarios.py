"""Repository contents for the end-to-end cases: a clean base, a regression, its fix."""

from __future__ import annotations

BASE = {
    "README.md": "# Demo\n\n## Install\n\npip install demo\n\n## Usage\n\ndemo run\n",
    "demo/__init__.py": '"""Demo package."""\n',
    "demo/core.py": '"""Core helpers."""\n\n\ndef double(value: int) -> int:\n    """Return twice the value."""\n    return value * 2\n',
}

# A new module whose line 8 runs a shell command (ruff S602, high): a security regression.
REGRESSION_LINE = 8
REGRESSION = {
    "demo/shell.py": (
        '"""Run commands."""\n'
        "\n"
        "import subprocess\n"
        "\n"
        "\n"
        "def run(command: str) -> object:\n"
        '    """Run a command line."""\n'
        "    return subprocess.run(command, shell=True, check=False)\n"
    ),
}

FIX = {
    "demo/shell.py": (
        '"""Run commands."""\n'
        "\n"
        "\n"
        "def run(command: str) -> list[str]:\n"
        '    """Split a command line."""\n'
        "    return command.split()\n"
    ),
}

LOOSE_POLICY = {".github/verity.toml": '[gate]\nblock = "none"\n'}
BAD_POLICY = {".github/verity.toml": "[gate\nblock = 1\n"}


def many_findings(count: int) -> dict[str, str]:
    """Return a module with `count` distinct shell calls, each a new high finding on its own line."""
    lines = ['"""Many shell calls."""', "", "import subprocess", "", "", "def run(command: str) -> None:",
             '    """Run many command lines."""']
    lines += [f'    subprocess.run(command + " {i}", shell=True, check=False)' for i in range(count)]
    return {"demo/many.py": "\n".join(lines) + "\n"}
