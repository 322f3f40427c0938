"""Gather every file's facts for one or more snapshots, analysing only what the cache lacks."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from app.checks.base import matches_any
from app.engine.cache import FactsCache, facts_key
from app.engine.facts import GENERATED, analyse_text, rules_digest
from app.engine.model import FileFacts, RawFinding
from app.engine.ruff import ruff_version, start_ruff
from app.engine.snapshot import Snapshot, TreeEntry
from config.policy import Policy

MAX_FILE_BYTES = 1_000_000
PARALLEL_THRESHOLD = 400  # below this, forking workers costs more than it saves


@dataclass
class SnapshotFacts:
    """The facts of one snapshot: analysed files, skipped files and every path of its tree."""

    sha: str
    files: dict[str, FileFacts] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    all_paths: frozenset[str] = frozenset()


def collect_facts(snapshots: Sequence[Snapshot], policy: Policy, cache: FactsCache) -> list[SnapshotFacts]:
    """Return the facts of each snapshot; files shared by several are read and analysed once."""
    digest = facts_digest()
    plans = [_plan(snap, policy, digest) for snap in snapshots]
    wanted: dict[str, TreeEntry] = {}
    for _result, keyed in plans:
        wanted.update(keyed)
    known = cache.get_many(wanted)
    missing = {k: e for k, e in wanted.items() if k not in known}
    if missing:
        fresh = _analyse(snapshots, missing)
        cache.put_many(fresh)
        known.update(fresh)
    for result, keyed in plans:
        for key, entry in keyed.items():
            facts = known[key]
            if facts.skipped:
                result.skipped.append((entry.path, facts.skipped))
            else:
                result.files[entry.path] = facts
        result.skipped.sort()
    return [result for result, _keyed in plans]


def facts_digest() -> str:
    """Return the digest of the engine, its rules and ruff: part of every cache key."""
    return rules_digest([ruff_version()])


def _plan(snap: Snapshot, policy: Policy, digest: str) -> tuple[SnapshotFacts, dict[str, TreeEntry]]:
    """List a snapshot's tree and decide, from the tree alone, what to analyse and what to skip."""
    tree = snap.tree()
    result = SnapshotFacts(sha=snap.sha, all_paths=frozenset(e.path for e in tree))
    keyed: dict[str, TreeEntry] = {}
    for entry in tree:
        if matches_any(entry.path, policy.paths.exclude):
            continue
        reason = _skip_reason(entry)
        if reason:
            result.skipped.append((entry.path, reason))
        else:
            keyed[facts_key(digest, entry.path, entry.sha)] = entry
    return result, keyed


def _skip_reason(entry: TreeEntry) -> str:
    """Return why a tree entry is never read, or an empty string."""
    if entry.is_symlink:
        return "symlink (never followed)"
    if entry.is_submodule:
        return "submodule"
    if not entry.mode.startswith("100"):
        return f"unsupported mode {entry.mode}"
    if entry.size > MAX_FILE_BYTES:
        return "over 1 MB"
    return ""


def _analyse(snapshots: Sequence[Snapshot], missing: dict[str, TreeEntry]) -> dict[str, FileFacts]:
    """Read and analyse the files the cache lacks: ruff in the background, Verity's checks meanwhile."""
    blobs = snapshots[-1].read_blobs({e.sha for e in missing.values()})
    texts: dict[str, tuple[str, str]] = {}
    out: dict[str, FileFacts] = {}
    for key, entry in missing.items():
        text, reason = decode(blobs.get(entry.sha))
        if reason:
            out[key] = FileFacts(path=entry.path, kind="binary", skipped=reason)
        else:
            texts[key] = (entry.path, text)
    python = {key: item for key, item in texts.items() if item[0].endswith((".py", ".pyi"))}
    batch = start_ruff(python)
    analysed = _analyse_texts(list(texts.items()))
    ruff_found = batch.collect()
    for key, facts in analysed.items():
        text = texts[key][1]
        extra = [] if facts.data.get(GENERATED) else ruff_found.get(key, [])
        facts.findings = with_snippets(facts.findings + extra, text.splitlines())
        out[key] = facts
    return out


def decode(blob: bytes | None) -> tuple[str, str]:
    """Return a blob's text, or why it is skipped (missing, binary, not UTF-8)."""
    if blob is None:
        return "", "blob missing"
    if b"\0" in blob[:8192]:
        return "", "binary"
    try:
        return blob.decode("utf-8"), ""
    except UnicodeDecodeError:
        return "", "not UTF-8"


def _analyse_one(item: tuple[str, tuple[str, str]]) -> tuple[str, FileFacts]:
    """Analyse one file (a process-pool task)."""
    key, (path, text) = item
    return key, analyse_text(path, text)


def _analyse_texts(items: list[tuple[str, tuple[str, str]]]) -> dict[str, FileFacts]:
    """Analyse many files, on every core when there are enough of them."""
    workers = multiprocessing.cpu_count()
    # A daemonic process (a Celery prefork child) may not start children: analyse serially there.
    if len(items) < PARALLEL_THRESHOLD or workers < 2 or multiprocessing.current_process().daemon:
        return dict(_analyse_one(item) for item in items)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return dict(pool.map(_analyse_one, items, chunksize=64))


def with_snippets(findings: Iterable[RawFinding], lines: list[str]) -> list[RawFinding]:
    """Give every finding the fingerprint text of its flagged lines, when it has none of its own."""
    out = []
    for f in findings:
        if f.snippet:
            out.append(f)
            continue
        last = min(max(f.end_line, f.line), f.line + 4)
        text = " ".join(lines[n - 1] for n in range(max(f.line, 1), last + 1) if 0 < n <= len(lines))
        out.append(replace(f, snippet=normalise(text) or f.code))
    return out


def normalise(text: str) -> str:
    """Collapse white space so re-indented or re-wrapped code keeps its fingerprint."""
    return " ".join(text.split())
