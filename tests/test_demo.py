"""`make demo` runs the demo script: its report shows at least one regression and one improvement."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_demo_shows_a_regression_and_an_improvement() -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.run(["bash", str(ROOT / "examples" / "demo.sh")], capture_output=True, text=True, env=env,
                          check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "| Domain | Base | Head | Δ | Verdict | Why |" in out
    assert "| security | 100.0 |" in out and "regressed" in out
    assert "improved" in out and "<summary>Fixed findings (1)</summary>" in out
    assert "SEC002" in out and "ghp_…" in out and "Zq7x" not in out  # the token is named, never printed
