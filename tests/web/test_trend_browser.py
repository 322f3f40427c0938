"""The trend page in a real browser: headless Chromium draws it, and its DOM holds the chart and the table.

The screenshot is kept as a test artifact under `.cache/artifacts/` (its path is printed).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from app.report.history import DOMAIN_NAMES
from tests.web.conftest import Receiver
from tests.web.trend_data import seed

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".cache" / "artifacts"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars")
WIDTH, HEIGHT = 1200, 1400


def browser() -> str:
    """Return the Chromium binary, or fail naming the install script."""
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        pytest.fail("chromium is required: run tests/fixtures/install-chromium.sh (make test does)")
    return found


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run headless Chromium with a throwaway profile."""
    return subprocess.run([browser(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          timeout=120, check=True)


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Return a PNG's width, height and inflated image data (filter bytes included)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    idat, offset = b"", 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if kind == b"IDAT":
            idat += data[offset + 8:offset + 8 + length]
        offset += 12 + length
    return width, height, zlib.decompress(idat)


def test_the_trend_page_renders_in_chromium_with_its_chart_and_table(receiver: Receiver, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    entries = seed(receiver.redis, 51, "octo/demo", 40)
    url = f"{receiver.client.base_url}/repos/octo/demo"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "trend-page.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path / "profile", f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", url)
    with capsys.disabled():  # the artifact's path is shown even when pytest captures output
        print(f"\ntrend page screenshot: {shot}")
    width, height, pixels = png_pixels(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    assert shot.stat().st_size > 20_000 and len(set(pixels)) > 64  # drawn, not a blank or one-colour page
    dom = chromium(tmp_path / "profile", "--dump-dom", url).stdout.decode()
    chart = dom[dom.index('<section class="chart"'):dom.index("</section>", dom.index('<section class="chart"'))]
    assert "<svg" in chart and 'id="line-overall"' in chart
    assert all(f'id="line-{name}"' in chart for name in DOMAIN_NAMES)
    latest = dom[dom.index('<section id="latest">'):]
    assert all(f"<td>{name}</td>" in latest for name in DOMAIN_NAMES)
    assert f"https://github.com/octo/demo/commit/{entries[-1].sha}" in dom
