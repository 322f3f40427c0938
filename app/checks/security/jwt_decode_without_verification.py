"""## What it does
Flags JSON Web Tokens decoded without checking their signature, or accepting any algorithm.

It reads PyJWT (`jwt`) and python-jose (`jose.jwt`) calls, however imported:

- `jwt.decode(token, options={"verify_signature": False})` and PyJWT 1's `jwt.decode(token, verify=False)`;
- the `none` algorithm: `algorithms=["none"]` when decoding, `algorithm="none"` when encoding;
- python-jose's `jwt.get_unverified_claims(token)`;
- `medium`: `jwt.decode(token, key)` with no `algorithms` argument. python-jose and PyJWT 1 then accept
  whatever algorithm the token names, which allows algorithm confusion (an attacker signs with HMAC
  using your RSA public key as the secret).

Reading unverified claims is legitimate when it only picks the key for a verifying decode (the
issuer or `kid` of a multi-tenant set-up): when the same function also calls a decode that verifies,
nothing is reported. When the claims read are only timing or key metadata (`exp`, `iat`, `nbf`,
`iss`, `kid`, ...: a client checking when its own token expires) the finding is `low`.
`get_unverified_header` is never flagged. Test code is `low`. Authlib's `jwt.decode`, which always
verifies, is not PyJWT's and is left alone.

## Why is this bad?
A JWT is only as trustworthy as its signature. Without verification anyone can write
`{"sub": "admin"}`, encode it in base64 and be believed: the token becomes a user-supplied string.

## Example
```python
claims = jwt.decode(token, options={"verify_signature": False})
user = User.get(claims["sub"])
```

## Use instead
```python
claims = jwt.decode(token, public_key, algorithms=["RS256"], audience="my-api")
user = User.get(claims["sub"])
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.checks.facts.pynames import enclosing_scope, import_aliases, qualified
from app.checks.security._common import code_snippet, is_test_path
from app.checks.security._pairs import literal_texts
from app.checks.security._pyast import last_name
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC008", "jwt-decode-without-verification", Domain.SECURITY, Severity.HIGH, __doc__)

JWT_MODULES = frozenset({"jwt", "jwt.api_jwt", "jose.jwt"})
DECODE = "decode"
UNVERIFIED = "get_unverified_claims"
NONE_DECODE = "`jwt.decode` accepting the `none` algorithm"
NONE_ENCODE = "`jwt.encode` with the `none` algorithm"
UNVERIFIED_CLAIMS = "`get_unverified_claims`"
UNVERIFIED_DECODE = "`jwt.decode` with signature verification off"
ANY_ALGORITHM = "`jwt.decode` without `algorithms`"
# Claims that say when a token expires or which key signed it, not who the caller is.
META_CLAIMS = frozenset({"exp", "iat", "nbf", "iss", "kid", "alg", "typ", "jti"})
MESSAGES = {
    NONE_DECODE: f"{NONE_DECODE} believes unsigned tokens anyone can write; pin the real algorithms",
    NONE_ENCODE: f"{NONE_ENCODE} issues unsigned tokens anyone can forge; sign them",
    UNVERIFIED_CLAIMS: f"{UNVERIFIED_CLAIMS} believes the token's claims without checking its signature",
    UNVERIFIED_DECODE: f"{UNVERIFIED_DECODE} believes the token's claims without checking its signature",
    ANY_ALGORITHM: f"{ANY_ALGORITHM} accepts whatever algorithm the token names; pass `algorithms=[...]`",
}


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report JWT decodes that skip or weaken signature verification."""
    if ctx.path.endswith(".pyi"):
        return
    aliases = import_aliases(ctx)
    calls = [(call, name) for call in ctx.nodes(ast.Call) if (name := _jwt_function(call, aliases))]
    verifying = {id(enclosing_scope(ctx, call)) for call, name in calls if name == DECODE and not _unverified(call)}
    context = Severity.LOW if is_test_path(ctx.path) else None
    for call, name in calls:
        what, severity = _judge(call, name)
        if not what:
            continue
        if what in (UNVERIFIED_DECODE, UNVERIFIED_CLAIMS):
            if id(enclosing_scope(ctx, call)) in verifying:
                continue  # the unverified read only picks the key of a verifying decode
            if _reads_only_metadata(ctx, call):
                severity = Severity.LOW  # a client reading its own token's expiry
        yield RawFinding(
            RULE.code, call.lineno, MESSAGES[what], snippet=code_snippet(what, ctx.code_text(call.lineno)),
            severity=context or severity,
        )


def _reads_only_metadata(ctx: FileContext, call: ast.Call) -> bool:
    """Return whether unverified claims are only read for timing or key metadata (`exp`, `iss`, `kid`)."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        name, scope = parent.targets[0].id, enclosing_scope(ctx, call)
        uses = [
            n for n in ctx.nodes(ast.Name)
            if n.id == name and isinstance(n.ctx, ast.Load) and enclosing_scope(ctx, n) is scope
        ]
        return bool(uses) and all(_claim_read(ctx, use) in META_CLAIMS for use in uses)
    return _claim_read(ctx, call) in META_CLAIMS


def _claim_read(ctx: FileContext, node: ast.AST) -> str:
    """Return the claim read from a claims expression (`claims["exp"]`, `claims.get("exp")`), or ""."""
    parent = ctx.parent(node)
    key: ast.AST | None = None
    if isinstance(parent, ast.Subscript) and parent.value is node:
        key = parent.slice
    elif isinstance(parent, ast.Attribute) and parent.attr == "get":
        call = ctx.parent(parent)
        key = call.args[0] if isinstance(call, ast.Call) and call.args else None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""


def _jwt_function(call: ast.Call, aliases: dict[str, str]) -> str:
    """Return `decode`, `encode` or `get_unverified_claims` for calls into PyJWT or python-jose."""
    if last_name(call.func) not in (DECODE, "encode", UNVERIFIED):
        return ""
    name = qualified(call.func, aliases) or ""
    module, _, function = name.rpartition(".")
    if module in JWT_MODULES:
        return function if function in (DECODE, "encode", UNVERIFIED) else ""
    return ""


def _judge(call: ast.Call, name: str) -> tuple[str, Severity | None]:
    """Return what is wrong with one JWT call and its severity override, or an empty string."""
    if _names_none_algorithm(call):
        return (NONE_DECODE if name == DECODE else NONE_ENCODE), None
    if name == UNVERIFIED:
        return UNVERIFIED_CLAIMS, None
    if name != DECODE:
        return "", None
    if _unverified(call):
        return UNVERIFIED_DECODE, None
    if not _has_algorithms(call):
        return ANY_ALGORITHM, Severity.MEDIUM
    return "", None


def _unverified(call: ast.Call) -> bool:
    """Return whether a decode call switches signature verification off."""
    for kw in call.keywords:
        if kw.arg == "verify" and isinstance(kw.value, ast.Constant) and kw.value.value is False:
            return True
        if kw.arg == "options" and isinstance(kw.value, ast.Dict):
            for key, value in zip(kw.value.keys, kw.value.values, strict=True):
                off = isinstance(value, ast.Constant) and value.value is False
                if off and isinstance(key, ast.Constant) and key.value == "verify_signature":
                    return True
    return False


def _has_algorithms(call: ast.Call) -> bool:
    """Return whether a decode call pins its algorithms (third positional argument or keyword)."""
    if len(call.args) >= 3 or any(isinstance(a, ast.Starred) for a in call.args):
        return True
    return any(kw.arg in ("algorithms", None) for kw in call.keywords)


def _names_none_algorithm(call: ast.Call) -> bool:
    """Return whether a call asks for the unsigned `none` algorithm."""
    return any(
        text.lower() == "none"
        for kw in call.keywords if kw.arg in ("algorithms", "algorithm")
        for text, is_string in literal_texts(kw.value) if is_string
    )


CHECK = FileCheck(RULE, PYTHON, find)
