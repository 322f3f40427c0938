"""## What it does
Flags CORS configurations that let any web site call the application (`*` origins).

What it recognises:

- Python: `CORSMiddleware`/`CORS(...)`/socket.io servers with `allow_origins=["*"]`,
  `origins="*"`, `cors_allowed_origins="*"` or `allow_origin_regex=".*"`; aiohttp-cors defaults keyed
  by `"*"`; django-cors-headers' `CORS_ALLOW_ALL_ORIGINS = True` / `CORS_ORIGIN_ALLOW_ALL = True`; and
  an `Access-Control-Allow-Origin: *` header set in a dict, by subscript or by a setter call.
- Configuration (YAML, JSON, TOML, `.env`, nginx, Apache, JavaScript, ...): an
  `Access-Control-Allow-Origin` header of `*`, an allowed-origins setting (`allowedOrigins`,
  `AllowedOrigins`, `cors_allow_origin`, `CORS_ORIGINS`, `accessControlAllowOriginList`, the
  ingress-nginx `cors-allow-origin` annotation, ...) that is or contains `*`, and
  `CORS_ALLOW_ALL_ORIGINS=true`.

It is `medium`, and `high` when credentials are allowed too: in the same call for Python
(`allow_credentials=True`, `supports_credentials=True`), in the same file otherwise
(`CORS_ALLOW_CREDENTIALS = True`, `Access-Control-Allow-Credentials: true`, `allowCredentials: true`).
Several libraries then echo back whatever origin asks, which is worse than `*`. Test code, local
development set-ups and Python statements that only run on a branch (`if settings.PUBLIC_API:`) are
`low`; Markdown, workflows and type stubs are not judged, nor are the defaults of a function's parameters
(a CORS library's `def __init__(self, allow_origins="*")` is its API: the application that calls it
chooses).

## Why is this bad?
The same-origin policy is what stops a page on `evil.example` from reading a logged-in user's data
from your API through their browser. `*` switches it off for every site. With credentials allowed, the
attacker's page can make authenticated requests as the visitor and read the answers.

## Example
```python
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
```

## Use instead
```python
app.add_middleware(
    CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True
)
```
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from app.checks.base import ANY_TEXT, FileCheck, FileContext, rule
from app.checks.security._common import code_snippet, is_truthy, name_words, relaxed, squash
from app.checks.security._pairs import Pair, literal_texts, pairs
from app.checks.security._pyast import on_branch
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC006", "wildcard-cors", Domain.SECURITY, Severity.MEDIUM, __doc__)

ORIGIN_KEYWORDS = frozenset({"allow_origins", "origins", "cors_allowed_origins", "allowed_origins", "allow_origin",
                             "cors_origins"})
REGEX_KEYWORDS = frozenset({"allow_origin_regex", "origin_regex"})
CREDENTIAL_KEYWORDS = frozenset({"allow_credentials", "supports_credentials", "credentials"})
ANY_ORIGIN_REGEX = frozenset({".*", "^.*$", ".+", "^.+$", "(.*)", "^(.*)$", "https?://.*", "^https?://.*$"})
ALLOW_ALL_KEYS = frozenset({"corsallowallorigins", "corsoriginallowall", "allowallorigins"})
HEADER_KEY = "accesscontrolalloworigin"
CREDENTIALS_HEADER_KEY = "accesscontrolallowcredentials"
HEADER_LINE = re.compile(r"access-control-allow-origin[\"']?\s*[:=,]?\s*[\"']?\*(?![\w*])", re.IGNORECASE)
CREDENTIALS_LINE = re.compile(r"access-control-allow-credentials[\"']?\s*[:=,]?\s*[\"']?true", re.IGNORECASE)
SKIPPED_KINDS = frozenset({"markdown", "workflow", "requirements"})


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report wildcard origins, high when the same call or file also allows credentials."""
    if ctx.kind in SKIPPED_KINDS or ctx.path.endswith(".pyi"):
        return
    context = relaxed(ctx.path)
    file_credentials = _file_allows_credentials(ctx)
    seen: set[int] = set()
    for line, what, credentials, node, flagged in _evidence(ctx):
        if line in seen:
            continue
        seen.add(line)
        with_credentials = credentials or file_credentials
        severity = context or on_branch(ctx, node) or (Severity.HIGH if with_credentials else None)
        yield RawFinding(
            RULE.code, line, f"{what} lets any web site call this application"
            + (" with the user's credentials" if with_credentials else "") + "; list the allowed origins",
            snippet=code_snippet(what, ctx.code_text(line) if flagged is None else flagged), severity=severity,
        )


# (line, what, credentials allowed by the same call, Python node, the flagged source or None for its line)
Evidence = tuple[int, str, bool, ast.AST | None, str | None]


def _evidence(ctx: FileContext) -> Iterator[Evidence]:
    """Yield the evidence of every wildcard origin."""
    if ctx.kind == "python":
        yield from _python_calls(ctx)
    for pair in pairs(ctx):
        # Python keywords are judged per call above. A parameter's default is a library's API, not a
        # configuration: falcon's `CORSMiddleware(allow_origins='*')` allows every origin only where an
        # application creates one without saying which (falconry/falcon 16d83518a5, aws/chalice 17ce0fea66).
        if pair.origin not in ("keyword", "default"):
            what = _wildcard_setting(pair)
            if what:
                yield pair.line, what, False, pair.node, None
    # Lower-casing is per character, so a line holds the words only if the whole text does: one test first.
    if ctx.kind != "python" and "llow-origin" in ctx.text.lower():
        for number, line in enumerate(ctx.lines, start=1):
            if "llow-origin" in line.lower() and HEADER_LINE.search(line):
                yield number, "`Access-Control-Allow-Origin: *`", False, None, None


def _wildcard_setting(pair: Pair) -> str:
    """Return the setting when a name/value pair allows every origin, else an empty string."""
    key = squash(pair.key)
    if key in ALLOW_ALL_KEYS and is_truthy(pair.value):
        return f"`{pair.key}`"
    if pair.value.strip() != "*":
        return ""
    words = {w.rstrip("s") for w in name_words(pair.key)}
    if key in (HEADER_KEY, "origins") or ("origin" in words and ({"allow", "allowed", "cors"} & words)):
        return f"`{pair.key}: *`"
    return ""


def _file_allows_credentials(ctx: FileContext) -> bool:
    """Return whether a setting anywhere in the file allows credentialed cross-origin requests."""
    if ctx.kind != "python" and CREDENTIALS_LINE.search(ctx.text):
        return True
    for pair in pairs(ctx):
        if pair.origin == "keyword" or not is_truthy(pair.value):
            continue
        words = {w.rstrip("s") for w in name_words(pair.key)}
        if squash(pair.key) == CREDENTIALS_HEADER_KEY or (
            "credential" in words and ({"allow", "cors", "support"} & words)
        ):
            return True
    return False


def _python_calls(ctx: FileContext) -> Iterator[Evidence]:
    """Yield wildcard origins passed to CORS set-up calls, and aiohttp-cors `"*"` defaults."""
    # Every origin keyword names `origin`, and the defaults are `ResourceOptions`: most files have neither.
    if "origin" not in ctx.text and "ResourceOptions" not in ctx.text:
        return
    for call in ctx.nodes(ast.Call):
        origins = [kw for kw in call.keywords if kw.arg in ORIGIN_KEYWORDS or kw.arg in REGEX_KEYWORDS]
        credentials = bool(origins) and any(
            kw.arg in CREDENTIAL_KEYWORDS and isinstance(kw.value, ast.Constant) and kw.value.value is True
            for kw in call.keywords
        )
        for kw in origins:
            values = [text for text, _ in literal_texts(kw.value)]
            # The keyword's own source is the fingerprint: wrapping the call differently keeps it.
            flagged = ast.get_source_segment(ctx.text, kw)
            if kw.arg in ORIGIN_KEYWORDS and "*" in values:
                yield kw.value.lineno, f"`{kw.arg}` with `*`", credentials, call, flagged
            elif kw.arg in REGEX_KEYWORDS and any(v in ANY_ORIGIN_REGEX for v in values):
                yield kw.value.lineno, f"`{kw.arg}` matching every origin", credentials, call, flagged
    for mapping in ctx.nodes(ast.Dict):
        for key, value in zip(mapping.keys, mapping.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "*" and _is_cors_options(value):
                yield key.lineno, "aiohttp-cors defaults for origin `*`", _passes_credentials(value), mapping, None


def _is_cors_options(node: ast.AST) -> bool:
    """Return whether a node builds aiohttp-cors `ResourceOptions`."""
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Attribute) and node.func.attr == "ResourceOptions")
        or (isinstance(node.func, ast.Name) and node.func.id == "ResourceOptions")
    )


def _passes_credentials(node: ast.AST) -> bool:
    """Return whether a `ResourceOptions(...)` call allows credentials."""
    return isinstance(node, ast.Call) and any(
        kw.arg == "allow_credentials" and isinstance(kw.value, ast.Constant) and kw.value.value is True
        for kw in node.keywords
    )


CHECK = FileCheck(RULE, ANY_TEXT, find)
