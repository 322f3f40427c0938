"""What a secret looks like: provider token formats, secret names, placeholders and randomness."""

from __future__ import annotations

import ast
import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from app.checks.base import FileContext, per_file
from app.checks.security._common import LineIndex, name_words

# --- provider tokens: formats precise enough to flag wherever they appear ---------------------------

_B = r"(?<![A-Za-z0-9_\-])"  # the token starts a word: not the tail of a longer random string
_E = r"(?![A-Za-z0-9_\-])"
PROVIDERS: dict[str, tuple[str, str]] = {
    # group name: (label shown to users, pattern)
    "github": ("GitHub token", r"gh[pousr]_[A-Za-z0-9]{36,251}"),
    "github_pat": ("GitHub fine-grained token", r"github_pat_[A-Za-z0-9_]{82}"),
    # Presigned URLs carry the key id in the clear by design (`X-Amz-Credential=AKIA...`, `AWSAccessKeyId=`).
    "aws_id": ("AWS access key id", r"(?<!Credential=)(?<!AccessKeyId=)(?:AKIA|ASIA)[A-Z0-9]{16}"),
    "slack": ("Slack token", r"xox[abposr]-[0-9]+-[A-Za-z0-9\-]{10,250}"),
    "slack_hook": ("Slack webhook URL",
                   r"https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,}/[A-Za-z0-9/]{20,200}"),
    "stripe": ("Stripe live secret key", r"[rs]k_live_[A-Za-z0-9]{20,247}"),
    "google": ("Google API key", r"AIza[0-9A-Za-z_\-]{35}"),
    "gitlab": ("GitLab token", r"glpat-[A-Za-z0-9_\-]{20,50}"),
    "npm": ("npm token", r"npm_[A-Za-z0-9]{36}"),
    "pypi": ("PyPI token", r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}"),
    "openai": ("OpenAI API key", r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}"),
    "anthropic": ("Anthropic API key", r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,}"),
    "sendgrid": ("SendGrid API key", r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}"),
}
PROVIDER_RE = re.compile(
    _B + "(?:" + "|".join(f"(?P<{name}>{pattern})" for name, (_, pattern) in PROVIDERS.items()) + ")" + _E
)
# The prefix shown in messages: public knowledge, never a character of the secret part.
_SHOWN_PREFIX = re.compile(r"^(?:gh[pousr]_|github_pat_|AKIA|ASIA|xox[abposr]-|https://hooks\.slack\.com/|"
                           r"[rs]k_live_|AIza|glpat-|npm_|pypi-|sk-ant-|sk-|SG\.)")
_FAKE_WORDS = re.compile(r"example|sample|dummy|fake|placeholder|redacted|your|xxxx|test|0{5}|1{5}", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    """A provider token found in a file."""

    line: int
    provider: str
    label: str
    value: str

    @property
    def shown(self) -> str:
        """Return the token masked down to its public prefix."""
        match = _SHOWN_PREFIX.match(self.value)
        return (match.group(0) if match else "") + "…"


# Every provider format holds one of these literally: a cheap test before the costly expression.
_MARKERS = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "AKIA", "ASIA", "xox", "hooks.slack.com",
            "k_live_", "AIza", "glpat-", "npm_", "pypi-", "T3BlbkFJ", "sk-ant-", "SG.")
_MARKER = re.compile("|".join(map(re.escape, _MARKERS)))  # one scan in C, not one `in` a marker


def provider_tokens(text: str) -> Iterator[Token]:
    """Yield the provider tokens of a text, skipping documented examples and obvious fakes."""
    if _MARKER.search(text) is None:
        return
    index: LineIndex | None = None
    for match in PROVIDER_RE.finditer(text):
        provider = match.lastgroup or ""
        value = match.group(0)
        if is_fake_token(value):
            continue
        index = index or LineIndex(text)
        yield Token(index.line(match.start()), provider, PROVIDERS[provider][0], value)


def is_fake_token(value: str) -> bool:
    """Return whether a token-shaped string is a documentation example or a filler."""
    body = _SHOWN_PREFIX.sub("", value)
    if _FAKE_WORDS.search(body) or re.search(r"(.)\1{4}", body):
        return True
    return len(set(body)) < min(10, len(body) // 2)


# AWS secret access keys have no prefix: 40 base64 characters under an AWS secret name.
_AWS_SECRET = re.compile(r"^[A-Za-z0-9/+]{40}$")


def is_aws_secret(key: str, value: str) -> bool:
    """Return whether a setting holds an AWS secret access key."""
    words = name_words(key)
    if "secret" not in words or not ({"aws", "access"} & set(words)) or not _AWS_SECRET.match(value):
        return False
    return not is_fake_token(value) and char_classes(value.replace("/", "").replace("+", "")) == 3


# --- names that say they hold a secret -----------------------------------------------------------

SECRET_LAST_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "apitoken", "authtoken",
     "accesstoken", "secretkey", "privatekey", "accesskey", "clientsecret", "credential", "credentials", "auth",
     "authorization"}
)
# `..._KEY` names a secret only after one of these (`API_KEY`, `SECRET_KEY`, `STRIPE_KEY`), never
# alone: dict, cache, sort and primary keys are everywhere.
KEY_QUALIFIERS = frozenset(
    {"api", "access", "secret", "private", "signing", "sign", "encryption", "encrypt", "crypt", "crypto",
     "master", "auth", "client", "app", "account", "hmac", "webhook", "subscription", "admin", "deploy",
     "ssh", "jwt", "cipher", "aes", "fernet", "stripe", "openai", "anthropic", "sendgrid", "mailgun", "twilio",
     "github", "gitlab", "aws"}
)
# Opaque values that are not credentials even though their name ends in `token`.
NOT_SECRET_QUALIFIERS = frozenset(
    {"page", "next", "continuation", "pagination", "cursor", "csrf", "xsrf", "sync", "resume", "idempotency",
     "public", "publishable", "anon", "site", "cancellation"}
)


def is_secret_name(name: str) -> bool:
    """Return whether a variable or key name says it holds a secret (its last word decides)."""
    words = name_words(name)
    if not words:
        return False
    last, before = words[-1], words[:-1]
    if NOT_SECRET_QUALIFIERS & set(before):
        return False
    if last == "pwd":
        return bool(before)  # $PWD is the shell's working directory
    if last == "pass":
        return bool(before)  # DB_PASS, SMTP_PASS; a lone `pass` is rarely a setting
    if last in SECRET_LAST_WORDS:
        return True
    return last == "key" and any(w in KEY_QUALIFIERS for w in before)


def is_password_name(name: str) -> bool:
    """Return whether a name holds a password (the subset of secret names default credentials use)."""
    words = name_words(name)
    return bool(words) and (words[-1] in {"password", "passwd", "passphrase"} or (
        words[-1] in {"pass", "pwd"} and len(words) > 1))


def is_user_name(name: str) -> bool:
    """Return whether a name holds a user or login name."""
    words = name_words(name)
    return bool(words) and words[-1] in {"user", "username", "login", "usr", "userid"}


# --- values that are real secrets ------------------------------------------------------------------

PLACEHOLDER_WORDS = re.compile(
    r"example|sample|dummy|fake|placeholder|changeme|change[-_.]?me|replace|redacted|your[-_.]?|xxx|\*\*\*|"
    r"\.\.\.|todo|tbd|test|mock|insecure|secret|passw|token|foobar|lorem|not[-_.]?a[-_.]?real|"
    r"12345|abcdef|qwerty|default|generated|none|null|undefined",
    re.IGNORECASE,
)
# References to where a secret lives: template and shell variables, secret managers, URLs, code.
REFERENCE = re.compile(
    r"^(?:\$[A-Za-z_{(]|%[A-Za-z_]\w*%|<.*>$|ENC\[|vault:|arn:|op://|secret://|sm://|ref\+|projects/|file:|env:|"
    r"\./|~/|\.\./)|\$\{|\{\{|\}\}|\$\(|%\(|#\{|<%|\{[A-Za-z_]\w*\}|\w\(|://",
)
# Password hashes (`$2b$12$...`, `$argon2id$...`, `pbkdf2_sha256$...`) are not the secret itself.
_HASH = re.compile(r"^\$(?:\d[a-z]?|apr1|argon2\w*|pbkdf2[\w-]*|scrypt|sha\d+|y|gy)\$|^pbkdf2_\w+\$|^\{S?SHA\w*\}")
# Regular expressions (`[^\W\d]\w*`, `[-!#$%&'*+.^_`|~0-9a-zA-Z]+`) and `module.path:attr` entry points.
_PATTERN = re.compile(r"\\[wdsbWDSB]|\[\^|\(\?|\.\*|\.\+|\][+*?{]|^\.?[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_VERSION = re.compile(r"^v?\d+(?:\.\d+)+(?:[-+][0-9A-Za-z.\-]+)?$")
# `settings.DB_PASSWORD`, `GITHUB_TOKEN`: the name of a variable, not a value.
_IDENTIFIER = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]+$"
)
_NAME_PART = re.compile(r"[A-Za-z]+\d{0,3}|\d+")  # a word, a number, or a word numbered (`pyasn1`, `oauth2`)
_CASE_CHANGE = re.compile(r"[a-z][A-Z]")
_FILE_NAME = re.compile(r"\.(?:pem|key|crt|cer|p12|pfx|jks|json|ya?ml|txt|env|ini|cfg|conf|toml|gpg|asc)$", re.I)
_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4}){2,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")
MIN_LENGTH = 8
MAX_LENGTH = 512


def entropy(value: str) -> float:
    """Return the Shannon entropy of a string in bits per character."""
    counts = Counter(value)
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def char_classes(value: str) -> int:
    """Return how many of lower case, upper case, digits and symbols a string mixes."""
    return sum((
        any(c.islower() for c in value), any(c.isupper() for c in value),
        any(c.isdigit() for c in value), any(not c.isalnum() for c in value),
    ))


def is_reference(value: str) -> bool:
    """Return whether a value points at a secret (variable, path, URL, code, hash) rather than being one."""
    if REFERENCE.search(value) or _HASH.match(value) or _IDENTIFIER.match(value) or _FILE_NAME.search(value):
        return True
    if _PATTERN.search(value) or _VERSION.match(value):
        return True
    return value.startswith("/") and all(_is_word_name(part) for part in value.strip("/").split("/"))


# Token-replacement placeholders of deploy scripts and build tools (`__DB_PASSWORD__`, `@db_password@`).
_TOKEN_PLACEHOLDER = re.compile(r"^(?:__[A-Za-z]\w*__|@[A-Za-z][\w.-]*@)$")


def is_template_placeholder(value: str) -> bool:
    """Return whether a value is a slot a template, shell or build tool fills in, not a literal credential.

    `{{ password }}`, `${PASSWORD}`, `$PASSWORD`, `%(password)s`, `{password}`, `<password>`,
    `#{password}`, `<%= password %>`, `__PASSWORD__`, `@password@`. A default inside one, as in
    `${PASSWORD:-changeme}`, is not read here: what is filled in is unknown, and the rule judges literals.
    """
    stripped = value.strip()
    return bool(stripped) and (REFERENCE.search(stripped) is not None or _TOKEN_PLACEHOLDER.match(stripped) is not None)


def is_placeholder(value: str) -> bool:
    """Return whether a value is filler: empty, an obvious example, or a repeated character."""
    stripped = value.strip()
    if not stripped or PLACEHOLDER_WORDS.search(stripped):
        return True
    return bool(re.search(r"(.)\1{4}", stripped))


def looks_random(value: str) -> bool:
    """Return whether a value has the length, mix and entropy of a generated or strong secret."""
    if not MIN_LENGTH <= len(value) <= MAX_LENGTH or any(c.isspace() for c in value):
        return False
    if _is_word_name(value):
        return False  # `db-credentials`, `app_tls_2024`: a resource name, not a secret
    score = entropy(value)
    # Short strings cannot reach 3 bits per character: ask for 85% of the most their length allows.
    if char_classes(value) >= 3 and score >= min(3.0, 0.85 * math.log2(len(value))):
        return True
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    return len(value) >= 16 and has_digit and has_alpha and score >= 3.3


def _is_word_name(value: str) -> bool:
    """Return whether a value is words and numbers joined by `-`, `_` or `.` (a name, not random).

    A word may end in a short number (`pyasn1-modules`, `oauth2-proxy`, `redis7-cache`); a part that
    mixes letters and digits any other way (`Tr0ub4dor3`) is not a word.
    """
    parts = re.split(r"[-_.]", value)
    return all(
        _NAME_PART.fullmatch(part) and len(_CASE_CHANGE.findall(part)) <= 2 for part in parts
    )


def decoded(value: str) -> str:
    """Return the text a base64 value encodes (Kubernetes Secret data), or the value itself."""
    if not _BASE64.match(value):
        return value
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return value
    return text if text.isprintable() and text.strip() else value


def is_secret_value(value: str) -> bool:
    """Return whether a literal value is a real secret: random-looking, not a placeholder or reference."""
    for candidate in dict.fromkeys((value, decoded(value))):
        text = candidate.strip()
        if is_placeholder(text) or is_reference(text):
            return False
    plain = decoded(value).strip()
    return looks_random(plain)


def strip_scheme(value: str) -> str:
    """Return an authorization value without its `Bearer `/`Basic `/`token ` scheme word."""
    return re.sub(r"^(?:bearer|basic|token|bot)\s+", "", value.strip(), flags=re.IGNORECASE)


# --- credentials inside URLs -----------------------------------------------------------------------

# Found from each `://`: the scheme before it, then `user:password@host` after it.
_SCHEME = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,20}$")
_URL_TAIL = re.compile(
    r"(?P<user>[^\s:/@'\"`<>{}$]{1,64}):(?P<password>[^\s/@'\"`<>]{1,128})@(?P<host>[A-Za-z0-9.\-\[\]:_]{1,253})"
)
# Hosts of this machine, to recognise in URLs (not addresses to bind to).
LOOPBACK = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]", "host.docker.internal"})  # noqa: S104


@dataclass(frozen=True)
class UrlCredential:
    """A user and password written into a URL."""

    line: int
    scheme: str
    user: str
    password: str
    host: str

    @property
    def is_loopback(self) -> bool:
        """Return whether the URL points at this machine."""
        return self.host.rsplit(":", 1)[0].lower() in LOOPBACK or self.host.lower() in LOOPBACK


@per_file
def url_credentials(ctx: FileContext) -> list[UrlCredential]:
    """Return the `scheme://user:password@host` credentials of a file (computed once: two checks ask).

    In Python only string literals count: docstrings and comments are where URLs are explained.
    """
    if "://" not in ctx.text or "@" not in ctx.text:
        return []
    if ctx.kind == "python":
        return [c for line, text in code_strings(ctx) for c in _scan_urls(text, line)]
    return _scan_urls(ctx.text, 1)


def code_strings(ctx: FileContext) -> list[tuple[int, str]]:
    """Return (line, text) of a Python file's string literals, docstrings and bare strings left out."""
    bare = {id(stmt.value) for stmt in ctx.nodes(ast.Expr) if isinstance(stmt.value, ast.Constant)}
    urls = ctx.nodes_where(ast.Constant, lambda c: isinstance(c.value, str) and "://" in c.value)
    return [(const.lineno, const.value) for const in urls if isinstance(const.value, str) and id(const) not in bare]


def _scan_urls(text: str, first_line: int) -> list[UrlCredential]:
    """Return the URL credentials of a text whose first line is `first_line`."""
    if "@" not in text:
        return []
    found: list[UrlCredential] = []
    index: LineIndex | None = None
    position = text.find("://")
    while position >= 0:
        scheme = _SCHEME.search(text, max(0, position - 21), position)
        tail = _URL_TAIL.match(text, position + 3)
        if scheme is not None and tail is not None:
            index = index or LineIndex(text)
            line = first_line + index.line(position) - 1
            found.append(UrlCredential(line, scheme[0].lower(), tail["user"], tail["password"], tail["host"]))
        position = text.find("://", position + 3)
    return found
