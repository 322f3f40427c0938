"""The shared data model: domains, severities, rules and findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Domain(str, enum.Enum):
    """The ten audit domains, in report order."""

    QUALITY = "quality"
    SECURITY = "security"
    TESTS = "tests"
    DOCS = "docs"
    ARCHITECTURE = "architecture"
    CI = "ci"
    INFRASTRUCTURE = "infrastructure"
    OBSERVABILITY = "observability"
    PERFORMANCE = "performance"
    DEPENDENCIES = "dependencies"


DOMAIN_ORDER: tuple[Domain, ...] = tuple(Domain)

# The code prefix each domain's own checks use; a registry test enforces it.
DOMAIN_PREFIX: dict[Domain, str] = {
    Domain.QUALITY: "QLT",
    Domain.SECURITY: "SEC",
    Domain.TESTS: "TST",
    Domain.DOCS: "DOC",
    Domain.ARCHITECTURE: "ARC",
    Domain.CI: "CI",
    Domain.INFRASTRUCTURE: "INF",
    Domain.OBSERVABILITY: "OBS",
    Domain.PERFORMANCE: "PRF",
    Domain.DEPENDENCIES: "DEP",
}


class Severity(str, enum.Enum):
    """How bad a finding is; the order is low < medium < high < critical."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Return the position of this severity, low being 0."""
        return _SEVERITY_RANK[self]

    @property
    def weight(self) -> int:
        """Return the score weight of one finding of this severity."""
        return SEVERITY_WEIGHT[self]


# Set in a file's data when it is a code generator's output (heuristic checks and ruff skip it).
GENERATED = "generated"

_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
SEVERITY_WEIGHT = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 5, Severity.CRITICAL: 10}


@dataclass(frozen=True)
class Rule:
    """A check's identity and its documentation."""

    code: str
    name: str
    domain: Domain
    severity: Severity
    doc: str
    # A finding about how its file sets something up (a base image, a container's context), never a
    # secret: one fixed and one new in the same file is that setting rewritten in place, not a new defect.
    setting: bool = False
    # Its findings' snippet is `scope:code` (the enclosing function, then the flagged code): the same
    # code in another function of the same file (a function renamed, code moved between functions) is
    # one finding that continues, not one fixed and one new.
    scoped: bool = False
    # Its findings are about one shared thing named by the snippet (a dependency no list declares), seen
    # at each place that uses it: a new place of a thing the base already reports is no new defect.
    shared: bool = False

    @property
    def summary(self) -> str:
        """Return the first line of the documentation."""
        for line in self.doc.strip().splitlines():
            text = line.strip().lstrip("#").strip()
            if text and not text.lower().startswith("what it does"):
                return text
        return self.name


@dataclass(frozen=True)
class RawFinding:
    """A finding as a check reports it, before the engine labels it.

    `snippet` is the text the fingerprint is built from; when empty the engine
    uses the flagged source lines. `line` 0 means the finding is about the file
    or the repository as a whole.
    """

    code: str
    line: int
    message: str
    end_line: int = 0
    snippet: str = ""
    severity: Severity | None = None
    name: str = ""  # set for ruff findings: ruff's own rule name
    # The object the finding is about when it is not the file (a Kubernetes `Kind/ns/name/container`):
    # such findings are identified by it, so the same object re-declared in another file is one finding.
    subject: str = ""
    # False for findings that are listed but do not weigh on the score (fixture credentials in tests).
    weighs: bool = True

    column: int = 0  # 1-based columns of the flagged node, when the tool gives them (ruff does)
    end_column: int = 0

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-able dict for the facts cache."""
        out: dict[str, Any] = {"code": self.code, "line": self.line, "message": self.message}
        if self.subject:
            out["subject"] = self.subject
        if not self.weighs:
            out["weighs"] = False
        if self.end_line:
            out["end_line"] = self.end_line
        if self.column:
            out["column"], out["end_column"] = self.column, self.end_column
        if self.snippet:
            out["snippet"] = self.snippet
        if self.severity is not None:
            out["severity"] = self.severity.value
        if self.name:
            out["name"] = self.name
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RawFinding:
        """Rebuild a finding stored by `to_json`."""
        sev = data.get("severity")
        return cls(
            code=data["code"],
            line=data["line"],
            message=data["message"],
            end_line=data.get("end_line", 0),
            snippet=data.get("snippet", ""),
            severity=Severity(sev) if sev else None,
            name=data.get("name", ""),
            subject=data.get("subject", ""),
            weighs=data.get("weighs", True),

            column=data.get("column", 0),
            end_column=data.get("end_column", 0),
        )


@dataclass(frozen=True)
class Finding:
    """A finding located in one snapshot, with its rule resolved and its fingerprint."""

    rule: str
    name: str
    domain: Domain
    severity: Severity
    path: str
    line: int
    end_line: int
    message: str
    fingerprint: str
    key: str = ""
    status: str = "unchanged"
    suppressed_reason: str | None = None
    weighs: bool = True
    # Keys that pair a new finding with a fixed one it continues ("" never pairs; see findings.label):
    move_key: str = ""  # rule and flagged text, any path: the code was moved to another file
    rewrite_key: str = ""  # rule, path and message: the flagged code was rewritten in place
    # Its key names an object (a Kubernetes object, a compose service) that several files may declare,
    # an overlay or a hotfix copy: such findings are matched file by file, then kept one per key.
    declared: bool = False

    @property
    def weight(self) -> float:
        """Return what the finding weighs on its domain's score (0 for findings listed only)."""
        return float(self.severity.weight) if self.weighs else 0.0

    @property
    def location(self) -> str:
        """Return `path:line`, or the path alone for whole-file findings."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_json(self) -> dict[str, Any]:
        """Return the finding as the JSON report lists it."""
        return {
            "rule": self.rule,
            "name": self.name,
            "domain": self.domain.value,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line or self.line,
            "message": self.message,
            "status": self.status,
            "fingerprint": self.fingerprint,
        }


@dataclass
class FileFacts:
    """What the engine knows about one file: a pure function of (engine, rules, path, blob)."""

    path: str
    kind: str
    loc: int = 0
    findings: list[RawFinding] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    suppressions: dict[int, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    skipped: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-able dict for the facts cache."""
        return {
            "path": self.path,
            "kind": self.kind,
            "loc": self.loc,
            "findings": [f.to_json() for f in self.findings],
            "data": self.data,
            "suppressions": {str(k): [list(v[0]), v[1]] for k, v in self.suppressions.items()},
            "skipped": self.skipped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFacts:
        """Rebuild facts stored by `to_json`."""
        return cls(
            path=data["path"],
            kind=data["kind"],
            loc=data["loc"],
            findings=[RawFinding.from_json(f) for f in data["findings"]],
            data=data["data"],
            suppressions={int(k): (tuple(v[0]), v[1]) for k, v in data["suppressions"].items()},
            skipped=data["skipped"],
        )
