"""The audit: facts for base and head, findings labelled new or fixed, scores, the gate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace

from app.checks.base import RepoView
from app.checks.facts.yaml_manifest import HELM_TEMPLATE
from app.checks.quality.syntax_error import RULE as SYNTAX_RULE
from app.checks.ruff_rules import is_ruff_code
from app.engine.cache import FactsCache
from app.engine.collect import NEWER_SYNTAX, SnapshotFacts, collect_facts, facts_digest
from app.engine.findings import Located, gather, label, resolve
from app.engine.model import DOMAIN_ORDER, Domain, Finding
from app.engine.repo_facts import RepoResults, repo_results
from app.engine.report import DomainResult, Report, Suppression
from app.engine.scoring import (
    DomainState,
    MetricChange,
    attribute,
    explain,
    judged_lines,
    lines_by_kind,
    metric_states,
)
from app.engine.snapshot import Diff, Snapshot
from app.gitrepo.repo import GitRepo, GitSnapshot
from config.policy import POLICY_PATH, Policy, load_policy

# Accepted regressions, by domain: who accepted and why (slash commands fill this in).
Acceptances = Mapping[Domain, tuple[str, str]]


def load_policy_at(repo: GitRepo, sha: str) -> Policy:
    """Return the policy committed at a commit (the defaults when it has none)."""
    raw = repo.read_file(sha, POLICY_PATH)
    return load_policy(None if raw is None else raw.decode("utf-8", "replace"))


def audit_commits(repo: GitRepo, base_sha: str, head_sha: str, cache: FactsCache,
                  acceptances: Acceptances | None = None, policy_text: str | None = None) -> Report:
    """Audit a PR as GitHub diffs it: from merge-base(base, head) to head, with the base's policy.

    `policy_text` replaces the base commit's policy file (the CLI's --config).
    """
    merge_base = repo.merge_base(base_sha, head_sha)
    policy = load_policy(policy_text) if policy_text is not None else load_policy_at(repo, merge_base)
    diff = repo.diff(merge_base, head_sha)
    return audit(GitSnapshot(repo, merge_base), GitSnapshot(repo, head_sha), diff, policy, cache, acceptances)


def audit(base: Snapshot, head: Snapshot, diff: Diff, policy: Policy, cache: FactsCache,
          acceptances: Acceptances | None = None) -> Report:
    """Audit the change from base to head under a policy."""
    base_facts, head_facts = collect_facts([base, head], policy, cache)
    base_view, head_view = snapshot_view(base_facts, policy), snapshot_view(head_facts, policy)
    digest = facts_digest()
    base_repo = repo_results(base_view, policy, base.sha, digest, cache)
    head_repo = repo_results(head_view, policy, head.sha, digest, cache)
    path_map = _path_map(diff)
    base_lines, head_lines = lines_by_kind(base_facts.files.values()), lines_by_kind(head_facts.files.values())
    base_found, _ = resolve(gather(base_view, base_repo.findings), base_view, policy, path_map)
    head_found, head_quiet = resolve(gather(head_view, head_repo.findings), head_view, policy)
    unchanged, new, fixed = label(base_found, head_found, diff.is_added_line)
    fixed, unseen = _split_unjudged(fixed, head_facts, path_map)
    unchanged += unseen
    changed = frozenset(diff.changed_paths())
    results = [
        _domain_result(domain, policy, (base_lines, base_repo), (head_lines, head_repo), unchanged, new, fixed,
                       path_map, (acceptances or {}).get(domain), changed)
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
        notes=snapshot_notes(head_facts),
    )


def snapshot_notes(facts: SnapshotFacts) -> tuple[str, ...]:
    """Return what the report must say it did not judge (so nothing is skipped silently)."""
    notes = []
    templates = sorted(p for p, f in facts.files.items() if f.data.get("yaml.manifest") == HELM_TEMPLATE)
    if templates:
        notes.append(f"{len(templates)} templated Helm files were not judged by the Kubernetes checks: "
                     f"{_shown(templates)}")
    newer = sorted(p for p, f in facts.files.items() if f.data.get(NEWER_SYNTAX))
    if newer:
        files = "1 Python file uses" if len(newer) == 1 else f"{len(newer)} Python files use"
        notes.append(f"{files} syntax newer than Python 3.11: ruff judged them, "
                     f"Verity's own AST checks did not run on them: {_shown(newer)}")
    return tuple(notes)


def _shown(paths: list[str]) -> str:
    """Return the first five paths and how many more there are."""
    return ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


def _split_unjudged(fixed: list[Finding], head: SnapshotFacts,
                    path_map: Callable[[str], str]) -> tuple[list[Finding], list[Finding]]:
    """Split fixed findings into (fixed, not judged at head): Verity's own checks did not run on a file
    of newer syntax, so its findings from them are not fixed, only unseen (ruff's were judged)."""
    unjudged = {p for p, f in head.files.items() if f.data.get(NEWER_SYNTAX)}
    if not unjudged:
        return fixed, []
    # QLT001 did run: that the file parses (at a newer Python) is judged.
    unseen = [f for f in fixed if path_map(f.path) in unjudged and not is_ruff_code(f.rule)
              and f.rule != SYNTAX_RULE.code]
    return [f for f in fixed if f not in unseen], [replace(f, status="unchanged") for f in unseen]


def snapshot_view(facts: SnapshotFacts, policy: Policy) -> RepoView:
    """Return the repo view over one snapshot's facts."""
    return RepoView(files=facts.files, all_paths=facts.all_paths, policy=policy)


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
) -> DomainResult:
    """Score one domain on both sides, explain the delta and judge the regression."""
    settings = policy.domain(domain)
    (base_lines, base_repo), (head_lines, head_repo) = base_side, head_side
    mine = [f for f in unchanged if f.domain is domain]
    new_here = sorted((f for f in new if f.domain is domain), key=_order)
    fixed_here = sorted((f for f in fixed if f.domain is domain), key=_order)
    base_state = DomainState(
        judged_lines(base_lines, domain),
        tuple(float(f.severity.weight) for f in mine + fixed_here),
        metric_states(base_repo.units, domain),
    )
    head_state = DomainState(
        judged_lines(head_lines, domain),
        tuple(float(f.severity.weight) for f in mine + new_here),
        metric_states(head_repo.units, domain),
    )
    if not settings.enabled:
        return DomainResult(domain, None, None, False, False, len(new_here), len(fixed_here),
                            reasons=(f"{domain.value}: disabled by policy",))
    changes = [attribute(b, h, path_map, changed) for b, h in zip(base_state.metrics, head_state.metrics, strict=True)]
    applicable = base_state.applicable or head_state.applicable
    # A domain with nothing to judge on either side is never regressed (its findings are still listed).
    reasons = _regressions(domain, policy, new_here, changes) if applicable else []
    regressed = bool(reasons)
    blocking = regressed and domain in policy.gate.block and accepted is None
    return DomainResult(
        domain=domain,
        base=round(base_state.score(), 1) if base_state.applicable else None,
        head=round(head_state.score(), 1) if head_state.applicable else None,
        regressed=regressed,
        blocking=blocking,
        new_findings=len(new_here),
        fixed_findings=len(fixed_here),
        explanation=explain(base_state, head_state, fixed_here, new_here),
        reasons=tuple(reasons),
        accepted_by=accepted[0] if accepted and regressed else None,
    )


def _regressions(domain: Domain, policy: Policy, new: list[Finding], changes: list[MetricChange]) -> list[str]:
    """Return why a domain regressed: new findings at or above the gate, or metrics the PR lowered."""
    reasons = []
    blocking = [f for f in new if f.severity.rank >= policy.gate.severity.rank]
    if blocking:
        where = ", ".join(f"{f.rule} in {f.location}" for f in blocking[:3])
        more = f" and {len(blocking) - 3} more" if len(blocking) > 3 else ""
        if len(blocking) == 1:
            what = f"1 new {blocking[0].severity.value} finding"
        else:
            what = f"{len(blocking)} new findings at or above {policy.gate.severity.value}"
        reasons.append(f"{domain.value}: {what} ({where}{more})")
    for change in changes:
        if -change.attributable_points > policy.gate.tolerance:
            units = ", ".join(u.unit_id for u in change.newly_bad[:3])
            more = f" and {len(change.newly_bad) - 3} more" if len(change.newly_bad) > 3 else ""
            reasons.append(
                f"{domain.value}: {change.metric.name} lost {-change.attributable_points:.1f} points "
                f"through changed files ({units}{more})"
            )
    return reasons


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
