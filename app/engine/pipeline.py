"""The audit: facts for base and head, findings labelled new or fixed, scores, the gate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from app.checks.base import RATIO, Metric, MetricUnit, RepoView, matches_any
from app.checks.facts.path_roles import is_maintainer_tooling, is_migration, is_test_path
from app.checks.facts.yaml_manifest import HELM_TEMPLATE
from app.checks.quality.syntax_error import RULE as SYNTAX_RULE
from app.checks.ruff_rules import is_heuristic_ruff_code, is_ruff_code
from app.checks.security import SECRET_RULES
from app.engine.cache import FactsCache
from app.engine.collect import NEWER_SYNTAX, Progress, SnapshotFacts, collect_facts, facts_digest
from app.engine.collector import collector_paused
from app.engine.decoding import UNREADABLE
from app.engine.findings import Located, gather, label, resolve
from app.engine.model import DOMAIN_ORDER, GENERATED, Domain, FileFacts, Finding
from app.engine.repo_facts import RepoResults, repo_results
from app.engine.report import DomainResult, Effect, Explanation, Reason, Report, Suppression
from app.engine.scoring import (
    GAINED,
    LOST,
    DomainState,
    MetricChange,
    MetricJudgement,
    attribute,
    explain,
    judge,
    judged_lines,
    lines_by_kind,
    metric_states,
    units_text,
)
from app.engine.snapshot import Diff, Snapshot
from app.engine.vendored import note as vendored_note
from app.gitrepo.repo import GitRepo, GitSnapshot
from config.policy import POLICY_PATH, Policy, load_policy

# Accepted regressions, by domain: who accepted and why (slash commands fill this in).
Acceptances = Mapping[Domain, tuple[str, str]]


def load_policy_at(repo: GitRepo, sha: str) -> Policy:
    """Return the policy committed at a commit (the defaults when it has none)."""
    raw = repo.read_file(sha, POLICY_PATH)
    return load_policy(None if raw is None else raw.decode("utf-8", "replace"))


@collector_paused
def audit_commits(repo: GitRepo, base_sha: str, head_sha: str, cache: FactsCache,
                  acceptances: Acceptances | None = None, policy_text: str | None = None,
                  progress: Progress | None = None) -> Report:
    """Audit a PR as GitHub diffs it: from merge-base(base, head) to head, with the base's policy.

    `policy_text` replaces the base commit's policy file (the CLI's --config).
    """
    merge_base = repo.merge_base(base_sha, head_sha)
    policy = load_policy(policy_text) if policy_text is not None else load_policy_at(repo, merge_base)
    diff = repo.diff(merge_base, head_sha)
    return audit(GitSnapshot(repo, merge_base), GitSnapshot(repo, head_sha), diff, policy, cache, acceptances,
                 progress)


@collector_paused
def audit(base: Snapshot, head: Snapshot, diff: Diff, policy: Policy, cache: FactsCache,
          acceptances: Acceptances | None = None, progress: Progress | None = None) -> Report:
    """Audit the change from base to head under a policy; `progress` hears each side's files analysed."""
    base_facts, head_facts = collect_facts([base, head], policy, cache, progress)
    base_view, head_view = snapshot_view(base_facts, policy), snapshot_view(head_facts, policy)
    digest = facts_digest()
    base_repo = repo_results(base_view, policy, base_facts.view_id(), digest, cache)
    head_repo = repo_results(head_view, policy, head_facts.view_id(), digest, cache, (base_view, base_repo))
    path_map = _path_map(diff)
    base_lines, head_lines = lines_by_kind(base_facts.files.values()), lines_by_kind(head_facts.files.values())
    base_found, _ = resolve(gather(base_view, base_repo.findings), base_view, policy, path_map)
    head_found, head_quiet = resolve(gather(head_view, head_repo.findings), head_view, policy)
    unchanged, new, fixed = label(base_found, head_found, diff.is_added_line)
    fixed, unseen = _hold(fixed, _not_judged_at_head(head_facts, path_map))
    judged_at_last = _judged_at_last(base_facts, head_facts, path_map)
    new, seen = _hold(new, _unjudged_at_base(judged_at_last, diff.is_added_line))
    unchanged += unseen + seen
    changed = frozenset(diff.changed_paths())
    deleted = frozenset(c.path for c in diff.changes if c.status == "deleted")
    # Units new in a file the base did not judge (generated, left out) are legacy code, not the PR's own.
    owned = changed - judged_at_last
    results = [
        _domain_result(domain, policy, (base_lines, base_repo), (head_lines, head_repo), unchanged, new, fixed,
                       path_map, (acceptances or {}).get(domain), owned, deleted)
        for domain in DOMAIN_ORDER
    ]
    reasons = tuple(r for d in results if d.blocking for r in d.reasons)
    return Report(
        base=base.sha,
        head=head.sha,
        passed=not reasons,
        reasons=reasons,
        overall_base=_overall(results, policy, "base"),
        overall_head=_overall(results, policy, "head"),
        domains=tuple(results),
        findings=tuple(sorted(new, key=_order) + sorted(fixed, key=_order)),
        added_line_fingerprints=frozenset(f.fingerprint for f in new if diff.is_added_line(f.path, f.line)),
        # Every suppression standing at head is listed, so none is silent.
        suppressions=tuple(Suppression(f, why) for f, why in sorted(head_quiet, key=lambda item: _order(item[0]))),
        skipped=tuple(head_facts.skipped),
        notes=snapshot_notes(head_facts) + _rotation_notes(fixed),
        unchanged=tuple(sorted(unchanged, key=_order)),
    )




def snapshot_notes(facts: SnapshotFacts) -> tuple[str, ...]:
    """Return what the report must say it did not judge (so nothing is skipped silently)."""
    notes = []
    vendored = vendored_note(facts.left_out, facts.environments)
    if vendored:
        notes.append(vendored)
    templates = sorted(p for p, f in facts.files.items() if f.data.get("yaml.manifest") == HELM_TEMPLATE)
    if templates:
        notes.append(f"{len(templates)} templated Helm files were not judged by the Kubernetes checks: "
                     f"{_shown(templates)}")
    newer = sorted(p for p, f in facts.files.items() if f.data.get(NEWER_SYNTAX))
    if newer:
        files = "1 Python file uses" if len(newer) == 1 else f"{len(newer)} Python files use"
        notes.append(f"{files} syntax newer than Python 3.11: ruff judged them, "
                     f"Verity's own AST checks did not run on them: {_shown(newer)}")
    return tuple(notes) + _generated_notes(facts)


def _generated_notes(facts: SnapshotFacts) -> tuple[str, ...]:
    """Return the note naming the generated files that only the precise checks judged."""
    generated = sorted(p for p, f in facts.files.items() if f.data.get(GENERATED))
    if not generated:
        return ()
    return (f"{len(generated)} generated files were judged only for syntax, secrets and keys: {_shown(generated)}",)


def _rotation_notes(fixed: list[Finding]) -> tuple[str, ...]:
    """Return the reminder that removed secrets stay in git history and must be rotated."""
    removed = sorted({f.location for f in fixed if f.rule in SECRET_RULES})
    if not removed:
        return ()
    return (f"{len(removed)} committed secrets were removed ({_shown(removed)}); they remain in git history, "
            "so rotate them: removing a secret does not make it secret again",)


def _shown(paths: list[str]) -> str:
    """Return the first five paths and how many more there are."""
    return ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")






def _hold(findings: list[Finding], held: Callable[[Finding], bool]) -> tuple[list[Finding], list[Finding]]:
    """Split new or fixed findings into (kept, held as unchanged): the PR did not really add or fix those."""
    kept: list[Finding] = []
    unchanged: list[Finding] = []
    for finding in findings:
        if held(finding):
            unchanged.append(replace(finding, status="unchanged"))
        else:
            kept.append(finding)
    return kept, unchanged


def _not_judged_at_head(head: SnapshotFacts, path_map: Callable[[str], str]) -> Callable[[Finding], bool]:
    """Return which fixed findings head could not judge, so they are not fixed.

    A file head cannot read (skipped, left out, undecodable) fixed nothing. On a file of syntax newer
    than Verity's Python, only Verity's own AST checks did not run: ruff's findings and QLT001 were judged.
    """
    unread = _unread(head)
    newer = {path for path, facts in head.files.items() if facts.data.get(NEWER_SYNTAX)}

    def held(finding: Finding) -> bool:
        path = path_map(finding.path)
        own_check = not is_ruff_code(finding.rule) and finding.rule != SYNTAX_RULE.code
        return path in unread or (path in newer and own_check)

    return held


def _unjudged_at_base(judged_at_last: frozenset[str],
                      is_added: Callable[[str, int], bool]) -> Callable[[Finding], bool]:
    """Return which new findings the base held unjudged, so they are not new.

    A file the base did not judge and head does (`_judged_at_last`) shows code that was there before:
    only findings on lines the PR added are new.
    """
    return lambda finding: finding.path in judged_at_last and not is_added(finding.path, finding.line)


def _judged_at_last(base: SnapshotFacts, head: SnapshotFacts, path_map: Callable[[str], str]) -> frozenset[str]:
    """Return the head paths of files head judges and the base did not, at their base path.

    The base did not judge a file it held generated (its banner since removed), left out (a ruff
    `exclude`, a vendored tree: pydantic 98a08d3e4b moved excluded tests back into a judged folder),
    skipped or could not read.
    """
    unjudged = _unread(base) | {path for path, facts in base.files.items() if facts.data.get(GENERATED)}
    mapped = {path_map(p) for p in unjudged}
    return frozenset(p for p in mapped if p in head.files and not _unjudged(head.files[p]))


def _unread(snapshot: SnapshotFacts) -> set[str]:
    """Return the paths of a snapshot whose code was not read: skipped, left out or undecodable."""
    unread = {path for path, _reason in snapshot.skipped} | set(snapshot.left_out)
    unread.update(path for path, facts in snapshot.files.items() if facts.data.get(UNREADABLE))
    return unread


def _unjudged(facts: FileFacts) -> bool:
    """Return whether a file's facts hold no judgement of its code (generated or unreadable)."""
    return bool(facts.data.get(GENERATED) or facts.data.get(UNREADABLE))


def snapshot_view(facts: SnapshotFacts, policy: Policy) -> RepoView:
    """Return the repo view over one snapshot's facts."""
    return RepoView(files=facts.files, all_paths=facts.all_paths, policy=policy, environments=facts.environments,
                    symlinks=facts.symlinks)


def _path_map(diff: Diff) -> Callable[[str], str]:
    """Return a function that maps a base path to its head path across renames."""
    renames = dict(diff.renames)
    return lambda path: renames.get(path, path)


def _order(finding: Finding) -> tuple[int, str, int, str]:
    """Sort findings by severity, then location."""
    return (-finding.severity.rank, finding.path, finding.line, finding.rule)


def _domain_result(
    domain: Domain, policy: Policy, base_side: tuple[Counter[str], RepoResults],
    head_side: tuple[Counter[str], RepoResults],
    unchanged: list[Finding],
    new: list[Finding], fixed: list[Finding], path_map: Callable[[str], str], accepted: tuple[str, str] | None,
    changed: frozenset[str],
    deleted: frozenset[str] = frozenset(),
) -> DomainResult:
    """Score one domain on both sides, explain the delta and judge the regression."""
    settings = policy.domain(domain)
    (base_lines, base_repo), (head_lines, head_repo) = base_side, head_side
    mine = [f for f in unchanged if f.domain is domain]
    new_here = sorted((f for f in new if f.domain is domain), key=_order)
    fixed_here = sorted((f for f in fixed if f.domain is domain), key=_order)
    base_state = DomainState(
        judged_lines(base_lines, domain),
        tuple(f.weight for f in mine + fixed_here),
        metric_states(base_repo.units, domain),
    )
    head_state = DomainState(
        judged_lines(head_lines, domain),
        tuple(f.weight for f in mine + new_here),
        metric_states(head_repo.units, domain),
    )
    if not settings.enabled:
        return DomainResult(domain, None, None, False, False, len(new_here), len(fixed_here),
                            reasons=(f"{domain.value}: disabled by policy",))
    changes = [attribute(b, h, path_map, changed) for b, h in zip(base_state.metrics, head_state.metrics, strict=True)]
    # Findings that left with a deleted file do not offset what the deletion took away (a deleted
    # security workflow's unpinned actions must not turn the lost scans into an improvement).
    gone = [f for f in fixed_here if f.path in deleted] if any(c.newly_bad for c in changes) else []
    if gone:
        fixed_here = [f for f in fixed_here if f.path not in deleted]
        head_state = DomainState(head_state.lines, head_state.weights + tuple(f.weight for f in gone),
                                 head_state.metrics)
    judged = [judge(c, b, policy.gate.tolerance) for c, b in zip(changes, base_state.metrics, strict=True)]
    explanation = explain(base_state, head_state, fixed_here, new_here, changes)
    applicable = base_state.applicable or head_state.applicable
    # A domain with nothing to judge on either side is never regressed (its findings are still listed).
    structured = _regressions(domain, policy, new_here, judged, explanation) if applicable else []
    regressed = bool(structured)
    gated = domain in policy.gate.block
    blocking = regressed and gated and accepted is None
    return DomainResult(
        domain=domain,
        base=round(base_state.score(), 1) if base_state.applicable else None,
        head=round(head_state.score(), 1) if head_state.applicable else None,
        regressed=regressed,
        blocking=blocking,
        new_findings=len(new_here),
        fixed_findings=len(fixed_here) + len(gone),
        explanation=explanation,
        reasons=tuple(r.text for r in structured),
        accepted_by=accepted[0] if accepted and regressed else None,
        accepted_reason=accepted[1] if accepted and regressed else None,
        structured=tuple(structured),
        effect=_effect(new_here, fixed_here, changes, explanation) if applicable else Effect(),
        gated=gated,
    )


def _effect(new: list[Finding], fixed: list[Finding], changes: list[MetricChange],
            explanation: tuple[Explanation, ...]) -> Effect:
    """Return the PR's own effect on a domain: new findings by severity, fixed ones, metric units moved."""
    counts = Counter(f.severity for f in new)
    by_severity = tuple((s.value, counts[s]) for s in sorted(counts, key=lambda s: -s.rank))
    lost = tuple(_units_summary(c.metric, c.newly_bad) for c in changes if c.newly_bad)
    gained = tuple(c.metric.describe_fixed(c.newly_good[0]) if len(c.newly_good) == 1
                   else f"fixed {c.metric.count_bad(len(c.newly_good))}" for c in changes if c.newly_good)
    lost_points = sum(e.points for e in explanation if e.key.startswith(LOST))
    gained_points = sum(e.points for e in explanation if e.key.startswith(GAINED))
    own = sum(e.points for e in explanation if e.key != "metric")
    net = sum(f.weight for f in fixed) - sum(f.weight for f in new)
    net += sum(len(c.newly_good) - len(c.newly_bad) for c in changes)
    return Effect(by_severity, len(fixed), lost, gained, round(lost_points, 1), round(gained_points, 1),
                  round(own, 1), net)


def _units_summary(metric: Metric, units: tuple[MetricUnit, ...]) -> str:
    """Return a few words for the table: the one unit named, or how many."""
    return metric.describe_bad(units[0]) if len(units) == 1 else metric.count_bad(len(units))


def _regressions(domain: Domain, policy: Policy, new: list[Finding], judged: list[MetricJudgement],
                 explanation: tuple[Explanation, ...]) -> list[Reason]:
    """Return why a domain regressed: new findings at or above the gate, or metrics the PR lowered."""
    reasons = [_finding_reason(domain, rule, found) for rule, found in _blocking_by_rule(new, policy)]
    points = {e.key: e.points for e in explanation}
    for judgement in judged:
        if judgement.regressed:
            change = judgement.change
            explained = points.get(f"{LOST}{change.metric.name}", 0.0)
            reasons.append(_metric_reason(domain, judgement, _blamed_points(change, explained),
                                          policy.gate.tolerance))
    return reasons


def _blamed_points(change: MetricChange, explained: float) -> float:
    """Return the blamed units' part of the points the explanation shows the PR's bad units losing."""
    if len(change.blamed) == len(change.newly_bad):
        return explained
    # Every unit of a metric is worth the same, so the lost capabilities' part is their share.
    return round(explained * len(change.blamed) / len(change.newly_bad), 1)


def _blocking_by_rule(new: list[Finding], policy: Policy) -> list[tuple[str, list[Finding]]]:
    """Group the new findings at or above the gate by rule, most severe rule first."""
    grouped: dict[str, list[Finding]] = {}
    for finding in sorted(new, key=_order):
        if finding.severity.rank >= policy.gate.severity.rank and not _advisory(finding, policy):
            grouped.setdefault(finding.rule, []).append(finding)
    return list(grouped.items())


def _finding_reason(domain: Domain, rule: str, found: list[Finding]) -> Reason:
    """Return the reason of one rule's new findings at or above the gate (every location named)."""
    first = found[0]
    severity = first.severity.value
    where = ", ".join(f.location for f in found)
    noun = "finding" if len(found) == 1 else "findings"
    text = f"{domain.value}: {len(found)} new {severity} {noun} {rule} {first.name} ({where})"
    data: dict[str, Any] = {
        "rule": rule, "name": first.name, "severity": severity, "count": len(found),
        "path": first.path, "line": first.line,
        "locations": [{"path": f.path, "line": f.line, "severity": f.severity.value} for f in found],
    }
    return Reason("finding", f"{len(found)} new {severity} ({first.name})", text, data,
                  fingerprints=tuple(f.fingerprint for f in found))


def _metric_reason(domain: Domain, judgement: MetricJudgement, points: float, tolerance: float) -> Reason:
    """Return the reason of a metric the PR lowered through its own units, with the figure the explanation shows."""
    change = judgement.change
    metric = change.metric
    label = metric.name.replace("-", " ")
    units = units_text(metric, change.blamed)
    if judgement.shortfall_points > tolerance and change.patch_ratio is not None:
        good = change.patch_units - len(change.newly_bad)
        rule = (f"{label} of the code this change added or changed is {change.patch_ratio:.0f}% "
                f"({good} of {change.patch_units}), below the repository's {judgement.base_ratio:.0f}% "
                f"less the {tolerance:g} tolerance")
    elif change.metric.kind == RATIO:
        rule = (f"{label}: this change broke {change.stripped} existing {_units(change.stripped)} "
                f"and fixed {len(change.newly_good)}")
    else:
        rule = f"{label} lost {-points:.1f} points, more than the {tolerance:g} tolerance"
    hint = f"; {metric.on_loss}" if metric.on_loss else ""
    text = f"{domain.value}: {rule}; {units} ({points:+.1f} points){hint}"
    data: dict[str, Any] = {
        "metric": metric.name, "metric_kind": metric.kind, "points": points,
        "patch_ratio": _percent(change.patch_ratio), "base_ratio": _percent(judgement.base_ratio),
        "threshold": _percent(judgement.threshold), "tolerance": tolerance,
        "shortfall_points": judgement.shortfall_points,
        "units": [{"path": u.path, "label": u.label, "text": metric.describe_bad(u)} for u in change.blamed],
    }
    summary = f"{_units_summary(metric, change.blamed)} ({points:+.1f} points)"
    return Reason("metric", summary, text, data,
                  units=tuple((u.path, metric.describe_bad(u)) for u in change.blamed))


def _units(count: int) -> str:
    """Return `unit` or `units`."""
    return "unit" if count == 1 else "units"


def _percent(value: float | None) -> float | None:
    """Round a percentage for the JSON report."""
    return None if value is None else round(value, 1)


# Domains whose findings never block from test code: a slow or quiet test harms no user.
_NEVER_BLOCK_IN_TESTS = frozenset({Domain.PERFORMANCE, Domain.OBSERVABILITY})


def _advisory(finding: Finding, policy: Policy) -> bool:
    """Return whether a finding in test code, maintainers' tooling or a schema migration is listed but never blocks.

    That is every performance and observability finding, and ruff's heuristic families (bandit, bugbear, ...;
    see `BLOCKING_IN_TESTS`): a `shell=True` in a table generator under `tools/` (rich f000c31491) harms
    no user, nor does SQL a migration builds from its own table names (wger-project/wger f1b64f7947).
    Ruff's correctness families and Verity's own checks (secrets above all) still block there.
    """
    if finding.domain not in _NEVER_BLOCK_IN_TESTS and not is_heuristic_ruff_code(finding.rule):
        return False
    path = finding.path
    return (matches_any(path, policy.paths.tests) or is_test_path(path) or is_maintainer_tooling(path)
            or is_migration(path))


def _overall(results: list[DomainResult], policy: Policy, side: str) -> float | None:
    """Return the weighted mean of the applicable domains' scores on one side."""
    total = weight = 0.0
    for result in results:
        score = result.base if side == "base" else result.head
        if score is None:
            continue
        w = policy.domain(result.domain).weight
        total += score * w
        weight += w
    return round(total / weight, 1) if weight else None


__all__ = ["Acceptances", "Located", "audit", "audit_commits", "load_policy_at", "snapshot_notes", "snapshot_view"]
