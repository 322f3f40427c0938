"""The repository policy (`.github/verity.toml`): typed, validated, with defaults."""

from __future__ import annotations

import functools
import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.engine.model import DOMAIN_ORDER, Domain, Severity

POLICY_PATH = ".github/verity.toml"
ON_ERROR_CHOICES = ("neutral", "failure")


class PolicyError(ValueError):
    """The policy file is invalid; the message names the problem and, when known, its line."""


@dataclass(frozen=True)
class GatePolicy:
    """When a domain's regression fails the check."""

    block: tuple[Domain, ...] = DOMAIN_ORDER
    severity: Severity = Severity.MEDIUM
    tolerance: float = 0.5
    on_error: str = "neutral"


@dataclass(frozen=True)
class DomainPolicy:
    """Per-domain switches."""

    enabled: bool = True
    weight: float = 1.0


@dataclass(frozen=True)
class PathsPolicy:
    """Which paths are excluded and which are tests."""

    exclude: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class RulesPolicy:
    """Rules switched off or re-graded."""

    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()

    def severity_for(self, code: str) -> Severity | None:
        """Return the policy's severity override for a rule code, if any."""
        for rule_code, sev in self.severity:
            if rule_code == code:
                return sev
        return None


@dataclass(frozen=True)
class ReviewPolicy:
    """How review comments are posted."""

    comments: bool = True
    max_comments: int = 20


@dataclass(frozen=True)
class ArchitecturePolicy:
    """The layer order, top first: a module may import only from layers below it."""

    layers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportPolicy:
    """Who may see the repository's badge and trend page."""

    public: bool = False  # serve them even when the repository is private


@dataclass(frozen=True)
class Policy:
    """A repository's whole policy."""

    gate: GatePolicy = field(default_factory=GatePolicy)
    domains: tuple[tuple[Domain, DomainPolicy], ...] = ()
    paths: PathsPolicy = field(default_factory=PathsPolicy)
    rules: RulesPolicy = field(default_factory=RulesPolicy)
    review: ReviewPolicy = field(default_factory=ReviewPolicy)
    architecture: ArchitecturePolicy = field(default_factory=ArchitecturePolicy)
    report: ReportPolicy = field(default_factory=ReportPolicy)

    def domain(self, domain: Domain) -> DomainPolicy:
        """Return the settings of one domain."""
        for name, settings in self.domains:
            if name is domain:
                return settings
        return DomainPolicy()

    def digest(self) -> str:
        """Return a stable hash of the policy, for job idempotency keys."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()[:16]


def default_policy() -> Policy:
    """Return the policy that applies when a repository has none."""
    return _build(_default_data())


def load_policy(text: str | None) -> Policy:
    """Return the policy from a verity.toml text, or the defaults when there is none."""
    if text is None:
        return default_policy()
    return parse_policy(text)


def parse_policy(text: str) -> Policy:
    """Parse and validate a verity.toml; raise PolicyError with the line on bad input."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{POLICY_PATH}: {exc}") from exc
    merged = _merge(_default_data(), data)
    try:
        return _build(merged)
    except (TypeError, ValueError, KeyError) as exc:
        raise PolicyError(f"{POLICY_PATH}: {exc}") from exc


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge two policy tables, the override winning key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


_SECTIONS = {"gate", "domains", "paths", "rules", "review", "architecture", "report"}


def _build(data: dict[str, Any]) -> Policy:
    """Turn a merged policy table into a typed Policy, rejecting unknown keys."""
    unknown = set(data) - _SECTIONS
    if unknown:
        raise ValueError(f"unknown section [{sorted(unknown)[0]}]")
    gate = data.get("gate", {})
    paths = data.get("paths", {})
    rules = data.get("rules", {})
    review = data.get("review", {})
    return Policy(
        gate=_gate(gate),
        domains=_domains(data.get("domains", {})),
        paths=PathsPolicy(
            exclude=_strings(paths.get("exclude", []), "paths.exclude"),
            tests=_strings(paths.get("tests", []), "paths.tests"),
        ),
        rules=RulesPolicy(
            ignore=_strings(rules.get("ignore", []), "rules.ignore"),
            severity=tuple(
                (str(k), _severity(v)) for k, v in _table(rules.get("severity", {}), "rules.severity").items()
            ),
        ),
        review=ReviewPolicy(
            comments=_bool(review.get("comments", True), "review.comments"),
            max_comments=_int(review.get("max_comments", 20), "review.max_comments"),
        ),
        architecture=ArchitecturePolicy(
            layers=_strings(data.get("architecture", {}).get("layers", []), "architecture.layers")
        ),
        report=_report(_table(data.get("report", {}), "report")),
    )


def _report(report: dict[str, Any]) -> ReportPolicy:
    """Build the report section."""
    return ReportPolicy(public=_bool(report.get("public", False), "report.public"))


def _gate(gate: dict[str, Any]) -> GatePolicy:
    """Build the gate section."""
    block_raw = gate.get("block", "all")
    if block_raw == "all":
        block = DOMAIN_ORDER
    elif block_raw == "none":
        block = ()
    else:
        block = tuple(_domain(name) for name in _strings(block_raw, "gate.block"))
    on_error = gate.get("on_error", "neutral")
    if on_error not in ON_ERROR_CHOICES:
        raise ValueError(f"gate.on_error must be one of {', '.join(ON_ERROR_CHOICES)}, not {on_error!r}")
    tolerance = gate.get("tolerance", 0.5)
    if not isinstance(tolerance, (int, float)) or isinstance(tolerance, bool) or tolerance < 0:
        raise ValueError("gate.tolerance must be a number >= 0")
    return GatePolicy(
        block=block, severity=_severity(gate.get("severity", "medium")), tolerance=float(tolerance), on_error=on_error
    )


def _domains(table: Any) -> tuple[tuple[Domain, DomainPolicy], ...]:
    """Build the per-domain section."""
    out = []
    for name, settings in _table(table, "domains").items():
        settings = _table(settings, f"domains.{name}")
        weight = settings.get("weight", 1.0)
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
            raise ValueError(f"domains.{name}.weight must be a number >= 0")
        enabled = _bool(settings.get("enabled", True), f"domains.{name}.enabled")
        out.append((_domain(name), DomainPolicy(enabled=enabled, weight=float(weight))))
    return tuple(out)


def _domain(name: str) -> Domain:
    """Return the domain of that name or raise a clear error."""
    try:
        return Domain(name)
    except ValueError:
        raise ValueError(f"unknown domain {name!r}") from None


def _severity(value: Any) -> Severity:
    """Return the severity of that name or raise a clear error."""
    try:
        return Severity(value)
    except ValueError:
        raise ValueError(f"unknown severity {value!r}") from None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    """Return a list of strings or raise naming the key."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of strings")
    return tuple(value)


def _table(value: Any, where: str) -> dict[str, Any]:
    """Return a table or raise naming the key."""
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a table")
    return value


def _bool(value: Any, where: str) -> bool:
    """Return a boolean or raise naming the key."""
    if not isinstance(value, bool):
        raise ValueError(f"{where} must be true or false")
    return value


def _int(value: Any, where: str) -> int:
    """Return a non-negative integer or raise naming the key."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{where} must be a whole number >= 0")
    return value


@functools.cache
def _default_data() -> dict[str, Any]:
    """Return the default policy table, read once from the packaged file."""
    # Beside this module in the package (a plain path: importlib.resources costs every command 15-odd ms).
    return tomllib.loads(Path(__file__).with_name("default_policy.toml").read_text(encoding="utf-8"))
