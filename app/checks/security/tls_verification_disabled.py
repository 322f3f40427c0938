"""## What it does
Flags code, configuration and shell commands that switch off TLS certificate verification.

Host name checks count too. What it recognises:

- Python: `verify=False` on HTTP calls ruff's S501 cannot resolve (`session.get(...)`,
  `self.client.post(...)`, `requests.Session().get(...)`), aiohttp's `ssl=False` and
  `verify_ssl=False`, `session.verify = False`, `ssl.CERT_NONE` as a verify mode (`verify_mode =`,
  `cert_reqs=`, `ssl_cert_reqs`), `check_hostname = False`, `cert_reqs="CERT_NONE"`, keywords such as
  `verify_certs=False` or
  `validate_certs=False`, `ssl._create_default_https_context = ssl._create_unverified_context`
  (ruff's S323 reports the direct call), and `urllib3.disable_warnings()` (`low`: it hides the
  warning rather than disabling anything, but rarely travels alone).
- Environment, in any file: `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, and
  `GIT_SSL_NO_VERIFY` set to anything (git only checks that it is set).
- Settings in YAML, JSON, TOML, INI and `.npmrc`: `insecureSkipVerify: true`,
  `insecure-skip-tls-verify: true`, `sslVerify: false`, `verify_ssl: false`, `tls_verify: false`,
  `validate_certs: no`, `strict-ssl=false`, `rejectUnauthorized: false`, ...
- Shell in Dockerfiles, workflows, YAML and scripts: `curl -k`/`--insecure` (also inside `-sSk`),
  `wget --no-check-certificate`, `git config http.sslVerify false`, `npm config set strict-ssl false`,
  `--insecure-skip-tls-verify`, `--tls-verify=false`, `--no-verify-ssl`.

It stays quiet on what is not a disabled check: a comparison (`if ctx.verify_mode == ssl.CERT_NONE`),
a lookup table of modes, a server's client-certificate option (`default=int(ssl.CERT_NONE)`), a
context-like class setting its own `self.check_hostname`, type stubs, and curl or wget calls whose
every URL is `localhost` (a container health check against its own self-signed certificate). It is
`low` when the setting only applies on a branch (`if not verify: ctx.check_hostname = False` honours
the caller's choice), as a parameter default, in test code and in local development set-ups.
Markdown is not judged.

## Why is this bad?
Without certificate verification TLS still encrypts, but to whoever answers: anyone on the network
path (a café Wi-Fi, a compromised router, a container neighbour) can present their own certificate,
read the traffic, steal the credentials it carries and change the responses, including packages and
scripts that are then executed.

## Example
```python
session = requests.Session()
session.verify = False
```
```dockerfile
RUN curl -sSk https://example.com/install.sh | sh
```

## Use instead
```python
session = requests.Session()
session.verify = "/etc/ssl/certs/internal-ca.pem"  # trust the private CA instead
```
```dockerfile
COPY internal-ca.crt /usr/local/share/ca-certificates/
RUN update-ca-certificates && curl -sS https://example.com/install.sh | sh
```
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from app.checks.base import ANY_TEXT, FileCheck, FileContext, rule
from app.checks.facts.pynames import dotted, import_aliases, qualified
from app.checks.security._commands import insecure_commands
from app.checks.security._common import code_snippet, is_falsy, is_truthy, relaxed, squash
from app.checks.security._pairs import Pair, pairs
from app.checks.security._pyast import is_constant, last_name, on_branch
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC005", "tls-verification-disabled", Domain.SECURITY, Severity.HIGH, __doc__)

# Setting names (lower case, separators removed) that disable verification when false...
OFF_WHEN_FALSE = frozenset({
    "sslverify", "verifyssl", "tlsverify", "verifytls", "verifycerts", "verifycert", "verifycertificate",
    "verifycertificates", "validatecerts", "validatecert", "validatecertificate", "validatecertificates",
    "strictssl", "rejectunauthorized", "checkhostname", "sslcheckhostname", "verifyhostname", "sslverification",
    "pythonhttpsverify", "nodetlsrejectunauthorized", "sslcertverification", "tlsverification",
})
# ... when true ...
OFF_WHEN_TRUE = frozenset({
    "insecureskipverify", "insecureskiptlsverify", "skiptlsverify", "tlsskipverify", "skipsslverify",
    "sslskipverify", "skipverifyssl", "skipcertverify", "skipcertverification", "sslnoverify", "skipverify",
    "disablesslverification", "disabletlsverification", "tlsinsecureskipverify", "insecuretls", "tlsinsecure",
})
# ... when set at all, and when naming no verification.
OFF_WHEN_SET = frozenset({"gitsslnoverify"})
CERT_REQS = frozenset({"certreqs", "sslcertreqs"})
# Single-line environment settings in any syntax (`ENV X 0`, `X: "0"`, `export X=0`).
ENV_SETTING = re.compile(
    r"(?<![A-Za-z0-9_])(NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY|GIT_SSL_NO_VERIFY)[\"']?\s*[:=\s]\s*[\"']?(\w*)"
)
COMMAND_KINDS = frozenset({"dockerfile", "workflow", "yaml", "text"})
# Calls that take requests/httpx-style `verify=` (the receiver is a session or client ruff cannot resolve).
HTTP_CALLS = frozenset({
    "get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream", "Session",
    "Client", "AsyncClient", "urlopen", "fetch", "build_request", "TLSConfig", "Transport", "AsyncHTTPTransport",
    "HTTPTransport",
})
# Calls that take aiohttp-style `ssl=False`.
AIOHTTP_CALLS = frozenset({
    "TCPConnector", "get", "post", "put", "patch", "delete", "head", "options", "request", "ws_connect", "_request",
})
RUFF_S501_MODULES = ("requests", "httpx")
SESSION_WORDS = ("session", "sess", "client", "http")
SESSION_CLASSES = frozenset({"Session", "Client", "AsyncClient", "ClientSession"})
REFERENCES = frozenset({"CERT_NONE", "_create_unverified_context"})
VERIFY_MODE_NAMES = frozenset({"verify_mode", "cert_reqs", "ssl_cert_reqs"})
WARNING_FUNCTIONS = frozenset({"disable_warnings", "filterwarnings", "simplefilter"})
CALLS_OF_INTEREST = HTTP_CALLS | AIOHTTP_CALLS | WARNING_FUNCTIONS
# A word each kind of Python evidence names in the source (`verify=`, `ssl=`, `.verify =`, the warning,
# the references): a file naming none of them has none, and most files are skipped unwalked.
PYTHON_WORDS = ("verify", "ssl", "InsecureRequestWarning", "disable_warnings", *REFERENCES)
HIDDEN_WARNING = "silencing urllib3's InsecureRequestWarning"
MESSAGE = "{} disables TLS certificate verification; trust the right CA instead"
HIDDEN_MESSAGE = f"{HIDDEN_WARNING} hides requests made without certificate verification; fix those instead"


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report code, settings and commands that disable certificate verification."""
    if ctx.kind == "markdown" or ctx.path.endswith(".pyi"):
        return
    context = relaxed(ctx.path)
    seen: set[int] = set()
    for line, what, severity in _all(ctx):
        if line not in seen:
            seen.add(line)
            message = HIDDEN_MESSAGE if what == HIDDEN_WARNING else MESSAGE.format(what)
            yield RawFinding(
                RULE.code, line, message, snippet=code_snippet(what, ctx.code_text(line)), severity=severity or context
            )


def _all(ctx: FileContext) -> Iterator[tuple[int, str, Severity | None]]:
    """Yield (line, what, severity override) from every kind of evidence that applies to the file."""
    if ctx.kind == "python":
        yield from _python(ctx)
    for pair in pairs(ctx):
        what = _setting(pair)
        if what and not _initialises_self(ctx, pair):
            yield pair.line, what, Severity.LOW if pair.origin == "default" else on_branch(ctx, pair.node)
    if ctx.kind != "python":
        yield from _env_settings(ctx)
    if ctx.kind in COMMAND_KINDS:
        for command in insecure_commands(ctx.lines):
            yield command.line, command.what, None


def _setting(pair: Pair) -> str:
    """Return the setting when a name/value pair turns verification off, else an empty string."""
    key, value = squash(pair.key), pair.value
    off = (
        (key in OFF_WHEN_FALSE and is_falsy(value))
        or (key in OFF_WHEN_TRUE and is_truthy(value))
        or (key in OFF_WHEN_SET and value.strip() != "")
        or (key in CERT_REQS and squash(value) in ("certnone", "none"))
    )
    return f"`{pair.key}`" if off else ""


def _initialises_self(ctx: FileContext, pair: Pair) -> bool:
    """Return whether a Python pair is `self.check_hostname = False`: a context-like class's own field."""
    if pair.origin != "attr" or pair.node is None:
        return False
    statement = ctx.parent(pair.node)
    targets = statement.targets if isinstance(statement, ast.Assign) else []
    return any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self" for t in targets)


def _env_settings(ctx: FileContext) -> Iterator[tuple[int, str, Severity | None]]:
    """Yield the TLS environment variables a non-Python file sets on one line."""
    for number, line in enumerate(ctx.lines, start=1):
        if "TLS_REJECT" not in line and "HTTPSVERIFY" not in line and "SSL_NO_VERIFY" not in line:
            continue
        for match in ENV_SETTING.finditer(line):
            name, value = match[1], match[2]
            if (name == "GIT_SSL_NO_VERIFY" and value) or value == "0":
                yield number, f"`{name}`", None


# --- Python -------------------------------------------------------------------------------------


def _python(ctx: FileContext) -> Iterator[tuple[int, str, Severity | None]]:
    """Yield the Python evidence: calls, attribute assignments, CERT_NONE and unverified contexts."""
    if not any(word in ctx.text for word in PYTHON_WORDS):
        return
    aliases = import_aliases(ctx)
    for call in ctx.nodes(ast.Call):
        if last_name(call.func) not in CALLS_OF_INTEREST:
            continue  # `_call` and `_hides_warning` judge no other call
        what = _call(call, aliases)
        if what:
            yield call.lineno, what, on_branch(ctx, call)
        if _hides_warning(call):
            yield call.lineno, HIDDEN_WARNING, Severity.LOW
    sessions = _session_names(ctx)
    for assign in ctx.nodes(ast.Assign):
        if _session_verify_off(assign, sessions):
            yield assign.lineno, "`.verify = False` on a session", on_branch(ctx, assign)
    references: list[ast.Attribute | ast.Name] = [
        *ctx.nodes_where(ast.Attribute, lambda n: n.attr in REFERENCES),
        *ctx.nodes_where(ast.Name, lambda n: n.id in REFERENCES),
    ]
    for node in references:
        what = _reference(ctx, node)
        if what:
            yield node.lineno, what, on_branch(ctx, node)


def _call(call: ast.Call, aliases: dict[str, str]) -> str:
    """Return the keyword of a call that disables verification where ruff's S501 does not look."""
    name = last_name(call.func)
    for kw in call.keywords:
        if not is_constant(kw.value, False):
            continue
        if kw.arg == "verify" and name in HTTP_CALLS and not _ruff_resolves(call, aliases):
            return f"`{name}(verify=False)`"
        if kw.arg == "ssl" and name in AIOHTTP_CALLS:
            return f"`{name}(ssl=False)`"
    return ""


def _ruff_resolves(call: ast.Call, aliases: dict[str, str]) -> bool:
    """Return whether ruff's S501 sees this call (a requests or httpx function reached by import)."""
    name = qualified(call.func, aliases)
    return name is not None and name.split(".", 1)[0] in RUFF_S501_MODULES

def _hides_warning(call: ast.Call) -> bool:
    """Return whether a call silences urllib3's warning about unverified requests."""
    if last_name(call.func) not in WARNING_FUNCTIONS:
        return False
    name = dotted(call.func) or ""
    mentions = "InsecureRequestWarning" in {last_name(a) for a in [*call.args, *(k.value for k in call.keywords)]}
    if name.endswith("disable_warnings"):
        return "urllib3" in name or mentions
    return name.endswith(("filterwarnings", "simplefilter")) and mentions


def _session_names(ctx: FileContext) -> set[str]:
    """Return the names the file binds to HTTP sessions or clients (`s = requests.Session()`)."""
    return {
        target.id
        for assign in ctx.nodes(ast.Assign)
        if isinstance(assign.value, ast.Call) and last_name(assign.value.func) in SESSION_CLASSES
        for target in assign.targets if isinstance(target, ast.Name)
    }


def _session_verify_off(assign: ast.Assign, sessions: set[str]) -> bool:
    """Return whether a statement sets `<session or client>.verify = False`."""
    if not is_constant(assign.value, False):
        return False
    for target in assign.targets:
        if isinstance(target, ast.Attribute) and target.attr == "verify":
            owner = last_name(target.value)
            if owner in sessions or any(word in owner.lower() for word in SESSION_WORDS):
                return True
    return False


def _reference(ctx: FileContext, node: ast.Attribute | ast.Name) -> str:
    """Return what a use of `CERT_NONE` or `_create_unverified_context` disables, if it is a real use."""
    name = node.attr if isinstance(node, ast.Attribute) else node.id
    parent = ctx.parent(node)
    if name == "_create_unverified_context":
        # The direct call is ruff's S323; installing it as the default context is not.
        called = isinstance(parent, ast.Call) and parent.func is node
        is_import_part = isinstance(parent, ast.Attribute)
        return "" if called or is_import_part else "installing `ssl._create_unverified_context`"
    if name != "CERT_NONE":
        return ""
    # Only where it sets a client's verify mode: a server's `cert_reqs` option or a re-export is no switch.
    if isinstance(parent, ast.keyword):
        return "`ssl.CERT_NONE`" if parent.arg in VERIFY_MODE_NAMES else ""
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return "`ssl.CERT_NONE`" if any(last_name(t) in VERIFY_MODE_NAMES for t in targets) else ""
    if isinstance(parent, ast.Dict):  # celery's `broker_use_ssl = {"ssl_cert_reqs": ssl.CERT_NONE}`
        keys = [k for k, v in zip(parent.keys, parent.values, strict=True) if v is node]
        names = {k.value for k in keys if isinstance(k, ast.Constant)}
        return "`ssl.CERT_NONE`" if names & VERIFY_MODE_NAMES else ""
    return ""



CHECK = FileCheck(RULE, ANY_TEXT, find)
