"""Turn raw findings into resolved, fingerprinted findings, and label them new or fixed."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from app.checks.base import RepoView
from app.checks.registry import checks_by_code
from app.checks.ruff_rules import UNDEFINED_NAME, is_ruff_code, ruff_rule
from app.engine.collect import normalise
from app.engine.model import Domain, Finding, RawFinding, Severity
from config.policy import Policy


@dataclass(frozen=True)
class Located:
    """A raw finding with its path, before the rule is resolved."""

    path: str
    raw: RawFinding


def gather(view: RepoView, repo_found: Iterable[tuple[str, RawFinding]]) -> list[Located]:
    """Return every raw finding of a snapshot: from the cached file facts and from the repo checks."""
    found = [Located(path, raw) for path, facts in sorted(view.files.items()) for raw in facts.findings]
    found.extend(Located(path, raw) for path, raw in repo_found)
    return found


def rule_of(raw: RawFinding) -> tuple[str, Domain, Severity] | None:
    """Return (name, domain, default severity) of a Verity or ruff finding."""
    check = checks_by_code().get(raw.code)
    if check is not None:
        return check.rule.name, check.rule.domain, check.rule.severity
    if is_ruff_code(raw.code):
        domain, severity = ruff_rule(raw.code)
        return raw.name or f"ruff-{raw.code}", domain, severity
    return None


def is_ignored(code: str, policy: Policy) -> bool:
    """Return whether the policy switches a code (or a prefix of it) off."""
    return any(code == item or (code.startswith(item) and not item[-1].isdigit()) for item in policy.rules.ignore)


def resolve(
    located: Iterable[Located], view: RepoView, policy: Policy, path_map: Callable[[str], str] = lambda p: p
) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """Resolve rules, severities and suppressions; return (active findings, suppressed with reason)."""
    active: list[Finding] = []
    suppressed: list[tuple[Finding, str]] = []
    quiet_subjects: set[str] = set()
    for item in located:
        raw = item.raw
        info = rule_of(raw)
        if info is None or is_ignored(raw.code, policy):
            continue
        name, domain, default = info
        severity = policy.rules.severity_for(raw.code) or raw.severity or default
        path = path_map(item.path)
        text = normalise(raw.snippet) or normalise(raw.message)
        key = _key(raw, path, text)
        finding = Finding(
            rule=raw.code, name=name, domain=domain, severity=severity, path=item.path, line=raw.line,
            end_line=raw.end_line or raw.line, message=raw.message, fingerprint="", key=key, weighs=raw.weighs,
            declared=bool(raw.subject), **_pairing_keys(raw, severity, path, text),
        )
        reason = _suppression(view, item.path, raw)
        if not reason:
            active.append(finding)  # an object declared again is kept one per key by `label`
        elif not raw.subject or key not in quiet_subjects:
            quiet_subjects.add(key)
            suppressed.append((finding, reason))
    return active, suppressed


def _key(raw: RawFinding, path: str, text: str) -> str:
    """Return the fingerprint key: the rule, then the finding's subject or its path, then its text."""
    where = f"@{raw.subject}" if raw.subject else path
    return f"{raw.code}|{where}|{text}"


def _pairing_keys(raw: RawFinding, severity: Severity, path: str, text: str) -> dict[str, str]:
    """Return the keys that let a new finding continue a fixed one (see `label`).

    Both hold the severity: code moved from a test into shipped code, where it weighs more, is new
    there. Only findings on a source line pair: a whole-file finding's text ("does not parse") says
    nothing about which code it is, so one fixed in a file never hides one added in another.
    """
    if raw.line <= 0:
        return {}
    # In place, only ruff's findings, whose message names what is flagged, and settings (`Rule.setting`):
    # another Verity check's message may not (a secret replaced by another secret is a new secret).
    rewrite = f"{raw.code}|{severity.value}|{path}|{raw.message}" if is_ruff_code(raw.code) else ""
    check = checks_by_code().get(raw.code)
    unscoped = normalise(raw.snippet.partition(":")[2]) if check is not None and check.rule.scoped else ""
    if check is not None and check.rule.setting:
        # A workload renamed in place (`redis-slave` to `redis-replica`), a base image swapped for
        # another: one fixed and one new finding of a setting's rule in one file continue.
        rewrite = f"{raw.code}|{severity.value}|{path}|setting"
    elif unscoped:
        # `scope:code`: the same code under a renamed function (click 333c28d79c), or moved to another
        # file's class or function (diffusers 0aa743c08d moved its skips between test files), continues.
        rewrite = f"{raw.code}|{severity.value}|{path}|{unscoped}"
    return {"move_key": f"{raw.code}|{severity.value}|{unscoped or text}", "rewrite_key": rewrite}


def _suppression(view: RepoView, path: str, raw: RawFinding) -> str:
    """Return the reason of an inline suppression covering this finding, or an empty string."""
    facts = view.files.get(path)
    if facts is None or not facts.suppressions:
        return ""
    for line in (raw.line, raw.line - 1) if raw.line else (1,):
        entry = facts.suppressions.get(line)
        if entry and raw.code.upper() in entry[0] and entry[1]:
            return entry[1]
    return ""


def label(
    base: list[Finding], head: list[Finding], is_added: Callable[[str, int], bool]
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """Match findings by fingerprint key; return (unchanged head, new head, fixed base) with fingerprints.

    Identical keys are matched as a multiset, so a copy of an existing line is new while the
    original is not; among identical candidates, those on added lines are the new ones. Then
    what is left pairs one to one, as code moved to another file (same rule and flagged text)
    or rewritten in place (same ruff rule, file and message): such a finding continues. Last, an
    object declared in several files keeps one finding a key (`_one_per_object`).
    """
    base_by_key: Mapping[str, list[Finding]] = _group(base)
    head_by_key: Mapping[str, list[Finding]] = _group(head)
    unchanged: list[Finding] = []
    new: list[Finding] = []
    fixed: list[Finding] = []
    for key in sorted(set(base_by_key) | set(head_by_key)):
        olds = base_by_key.get(key, [])
        news = sorted(head_by_key.get(key, []), key=lambda f: (is_added(f.path, f.line), f.line))
        kept = min(len(olds), len(news))
        for index, finding in enumerate(sorted(news[:kept], key=lambda f: f.line)):
            unchanged.append(replace(finding, fingerprint=_fingerprint(key, index), status="unchanged"))
        for offset, finding in enumerate(news[kept:]):
            new.append(replace(finding, fingerprint=_fingerprint(key, len(olds) + offset), status="new"))
        for index, finding in enumerate(sorted(olds, key=lambda f: f.line)[kept:], start=kept):
            fixed.append(replace(finding, fingerprint=_fingerprint(key, index), status="fixed"))
    for attribute in ("move_key", "rewrite_key"):
        continued, new, fixed = _pair_left(new, fixed, attribute)
        unchanged.extend(continued)
    continued, new = _known_at_base(new, base)
    unchanged.extend(continued)
    return _one_per_object(unchanged, new, fixed)


def _known_at_base(new: list[Finding], base: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """Continue the new findings of a shared thing the base already reports (`Rule.shared`), and the undefined
    names of a folder whose files the base reports them in (`_injected_names`); return (continued, new).

    A new file importing `plumbum`, which the base already imports elsewhere with no list declaring it,
    adds a place, not a defect: declaring it once fixes both (jupyter/docker-stacks 92e38afb87).
    """
    known = {f.move_key for f in base if f.move_key and _is_shared(f.rule)}
    injected = _injected_names(base)
    continued: list[Finding] = []
    still_new: list[Finding] = []
    for finding in new:
        if (finding.move_key in known and _is_shared(finding.rule)) or (
                finding.rule == UNDEFINED_NAME and _folder_name(finding) in injected):
            continued.append(replace(finding, status="unchanged"))
        else:
            still_new.append(finding)
    return continued, still_new


# In how many files of one folder the base must report a name undefined for it to be the folder's convention.
INJECTED_AT = 2


def _folder_name(finding: Finding) -> tuple[str, str]:
    """Return (folder, message) of a finding: an undefined name's message names the name."""
    return finding.path.rpartition("/")[0], finding.message


def _injected_names(base: list[Finding]) -> set[tuple[str, str]]:
    """Return the (folder, undefined name) the base reports in several files of the folder: names a loader gives.

    gunicorn's `tests/requests/valid/*.py` are run by a loader that sets `uri` and `cfg` first: each new
    file of the folder uses them as its 90 siblings do, which ruff reports as undefined names.
    """
    files: dict[tuple[str, str], set[str]] = defaultdict(set)
    for finding in base:
        if finding.rule == UNDEFINED_NAME:
            files[_folder_name(finding)].add(finding.path)
    return {key for key, paths in files.items() if len(paths) >= INJECTED_AT}


def _is_shared(code: str) -> bool:
    """Return whether a rule's findings are places of one shared thing (`Rule.shared`)."""
    check = checks_by_code().get(code)
    return check is not None and check.rule.shared


def _one_per_object(
    unchanged: list[Finding], new: list[Finding], fixed: list[Finding]
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """Keep one finding a key of an object declared in several files (an overlay, a hotfix copy).

    Matched file by file first, so a workload renamed in several files continues in each. Then a
    new copy of an object still found unchanged is a declaration more, not a new finding, and a
    fixed copy of an object still found at head is a declaration less, not a fix.
    """
    kept = _first_per_key(unchanged)
    at_head = {f.key for f in unchanged}
    new = _first_per_key([f for f in new if not (f.declared and f.key in at_head)])
    at_head |= {f.key for f in new}
    return kept, new, _first_per_key([f for f in fixed if not (f.declared and f.key in at_head)])


def _first_per_key(findings: list[Finding]) -> list[Finding]:
    """Return the findings, keeping of a declared object's copies only the first by place (order kept)."""
    first: dict[str, Finding] = {}
    for finding in findings:
        if finding.declared:
            held = first.get(finding.key)
            if held is None or (finding.path, finding.line) < (held.path, held.line):
                first[finding.key] = finding
    return [f for f in findings if not f.declared or first[f.key] is f]


def _pair_left(new: list[Finding], fixed: list[Finding], attribute: str) -> tuple[list[Finding], ...]:
    """Pair new and fixed findings one to one on a key; return (continued, still new, still fixed)."""
    olds: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(fixed, key=lambda f: (f.path, f.line)):
        if getattr(finding, attribute):
            olds[getattr(finding, attribute)].append(finding)
    continued: list[Finding] = []
    still_new: list[Finding] = []
    for finding in sorted(new, key=lambda f: (f.path, f.line)):
        candidates = olds.get(getattr(finding, attribute)) if getattr(finding, attribute) else None
        if candidates:
            candidates.pop(0)
            continued.append(replace(finding, status="unchanged"))
        else:
            still_new.append(finding)
    left = {id(f) for group in olds.values() for f in group}
    still_fixed = [f for f in fixed if id(f) in left or not getattr(f, attribute)]
    return continued, still_new, still_fixed


def _group(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Group findings by fingerprint key."""
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.key].append(finding)
    return grouped


def _fingerprint(key: str, index: int) -> str:
    """Return the fingerprint of the index-th finding with this key."""
    return hashlib.sha256(f"{key}#{index}".encode()).hexdigest()[:20]
