"""## What it does
Flags private key blocks committed in any text file.

Every kind of block counts (`-----BEGIN RSA PRIVATE KEY-----`, `OPENSSH`, `EC`, `DSA`, `ENCRYPTED`,
`PGP PRIVATE KEY BLOCK`, ...), wherever it is: `.pem` and `.key` files, keys pasted into Python
strings, YAML values or `.env` files.

A header alone is not enough: the block must carry key material (at least 64 base64 characters
right after the header, up to its end line, also when written with `\\n` escapes inside a string or
split over concatenated strings), so code that merely checks for the header, and documentation
showing `MIIE...` placeholders, are not flagged. What follows a header that is not a key's body (the
rest of a test file after `assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----")`) is never read as
its material. The fingerprint holds a hash of the material, never the key, so a key moved in its file
keeps its fingerprint.

A key under a test path (`tests/certs/server.key.pem`) is taken for a fixture, as test code's
credentials are: listed at low severity, not scored. Projects regenerate their test certificates
when they expire (MagicStack/asyncpg 3aa98944a8), and such a key unlocks nothing but a test server.

## Why is this bad?
A private key proves identity: with it, anyone can impersonate the server whose certificate it backs,
log in over SSH, sign releases or decrypt recorded traffic. Once committed it is in every clone and in
history for good.

## Example
```python
SIGNING_KEY = '''-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpY...
-----END EC PRIVATE KEY-----'''
```

## Use instead
```python
SIGNING_KEY = Path(os.environ["SIGNING_KEY_PATH"]).read_text()
```
Generate a new key pair, and revoke or stop trusting the committed one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import ANY_TEXT, FileCheck, FileContext, rule
from app.checks.security._common import FIXTURE_NOTE, HISTORY_NOTE, LineIndex, is_test_path, secret_snippet
from app.checks.security._encoded import with_encoded
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC003", "hardcoded-private-key", Domain.SECURITY, Severity.HIGH, __doc__)

BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?)-----")
END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
# Base64 runs of key material; `\n` escapes inside strings are removed before counting.
MATERIAL = re.compile(r"[A-Za-z0-9+/=]{16,}")
# A block's body, right after its BEGIN line: PEM header fields first (`Proc-Type: 4,ENCRYPTED`,
# PGP's `Version:`), then base64 lines with the white space and string punctuation that hold them in
# code (quotes, `+`, parentheses, `\` continuations). It ends at the first other character: the END
# line, or code after a header that a program merely names.
HEADER_FIELDS = re.compile(r"(?:\s*[A-Za-z][\w-]*: [^\n]*\n)*")
BODY = re.compile(r"""[A-Za-z0-9+/=\s"'`(),\\]*""")
MIN_MATERIAL = 64
MAX_BLOCK = 20000


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report each private key block that carries key material."""
    if "PRIVATE KEY" not in ctx.text:
        return
    index = LineIndex(ctx.text)
    # A cloud service-account file is a login with the account's roles, not only a key.
    what = "service-account key file with a " if '"service_account"' in ctx.text else ""
    in_tests = is_test_path(ctx.path)
    for match in BEGIN.finditer(ctx.text):
        body = _body(ctx.text, match.end())
        material = "".join(MATERIAL.findall(body))
        if len(material) < MIN_MATERIAL or re.search(r"(.)\1{7}", material):
            continue
        yield RawFinding(
            RULE.code, index.line(match.start()), f"{what}{match.group(1).lower()} committed; generate a new key and "
            f"keep it out of the repository. {FIXTURE_NOTE if in_tests else HISTORY_NOTE}",
            snippet=secret_snippet(f"private-key:{match.group(1)}", material),
            severity=Severity.LOW if in_tests else None, weighs=not in_tests,
        )


def _body(text: str, start: int) -> str:
    """Return the key body after a BEGIN line: up to its END line, and only as far as key material runs on."""
    end = END.search(text, start, start + MAX_BLOCK)
    stretch = text[start:end.start()] if end else text[start:start + MAX_BLOCK]
    stretch = stretch.replace("\\n", "\n").replace("\\r", "\n")
    fields = HEADER_FIELDS.match(stretch)
    first = fields.end() if fields else 0
    body = BODY.match(stretch, first)
    return stretch[first:body.end() if body else first]


CHECK = FileCheck(RULE, ANY_TEXT, with_encoded(find), judges_generated=True)
