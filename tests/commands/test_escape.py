"""Echoed user text renders as the same words, and nothing more: no mention, tag, link or block."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from app.report.escape import ZWJ, escape_untrusted

RENDERER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
HOSTILE = [
    "@org/team please look",
    "cc @octocat and someone@example.com",
    '<img src=x onerror="alert(1)"> <script>alert(1)</script> <a href="https://evil.example">x</a>',
    "[click here](https://evil.example/steal) ![pixel](https://evil.example/p.png) <https://evil.example>",
    "see https://evil.example and WWW.evil.example and ftp://files.example",
    "closes #12 and org/repo#7 and GH-3",
    "**bold** _em_ `code` ~~gone~~ $x^2$ \\[escaped\\] &#64;org &lt;b&gt;",
    "line one\n# heading\n> quote\n- item\n| a | b |\n|---|---|",
    "[ref]: https://evil.example\n[ref]",
]
MENTION = re.compile(r"@[A-Za-z0-9]")
REFERENCE = re.compile(r"(?i)#[0-9]|\bgh-[0-9]")
AUTOLINK = re.compile(r"(?i)://|www\.")


def rendered_text(markdown: str) -> tuple[str, str]:
    """Return the HTML a Markdown line renders to, and its text with tags stripped and entities decoded."""
    out = RENDERER.render(markdown)
    return out, html.unescape(re.sub(r"<[^>]+>", "", out)).strip()


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_renders_as_its_own_words_and_nothing_else(value: str) -> None:
    escaped = escape_untrusted(value)
    out, words = rendered_text(f"Accepted: {escaped}")
    assert re.fullmatch(r"<p>[^<]*</p>\n", out), out  # one paragraph and no element at all
    assert words.replace(ZWJ, "") == "Accepted: " + " ".join(value.split())
    assert not MENTION.search(words) and not REFERENCE.search(words) and not AUTOLINK.search(words)


def test_plain_words_are_left_alone() -> None:
    assert escape_untrusted("fixed in the next PR, see JIRA-12.") == "fixed in the next PR, see JIRA-12."


def test_the_injection_of_the_acceptance_tests_is_escaped_exactly() -> None:
    assert escape_untrusted("@org/team <img src=x> [a](https://e.x)") == (
        f"@{ZWJ}org/team &lt;img src=x&gt; \\[a\\]\\(https:{ZWJ}//e.x\\)"
    )
