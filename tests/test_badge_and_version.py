"""The badge's SVG and colour, and the version every report states."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from app.report.badge import colour, score_badge, text_width
from app.version import verity_version

ROOT = Path(__file__).resolve().parents[1]


def test_the_badge_is_svg_that_shows_the_score_and_escapes_its_label() -> None:
    svg = score_badge("verity <x>", 81.7)
    root = ET.fromstring(svg)  # noqa: S314 - Verity's own SVG, not untrusted input
    texts = ["".join(t.itertext()) for t in root.iter() if t.tag.endswith("text")]
    assert "81.7/100" in texts and "verity <x>" in texts
    assert "<x>" not in svg


def test_badge_colours_follow_the_score_and_no_score_is_grey() -> None:
    assert len({colour(95.0), colour(80.0), colour(10.0), colour(None)}) == 4
    assert ET.fromstring(score_badge("verity", None)) is not None  # noqa: S314 - our own SVG
    assert text_width("WWW") > text_width("iii")


def test_the_reported_version_is_the_declared_and_installed_version() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert verity_version() == declared == importlib.metadata.version("verity")
    assert re.fullmatch(r"[0-9][0-9A-Za-z.+]*", verity_version())
