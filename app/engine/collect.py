"""Gather every file's facts for one or more snapshots, analysing only what the cache lacks."""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from app.checks.base import Environment, matches_any
from app.engine.cache import FactsCache, facts_key
from app.engine.decoding import UNREADABLE, decode_file
from app.engine.facts import GENERATED, analyse_text, rules_digest
from app.engine.model import FileFacts, RawFinding
from app.engine.ruff import ruff_version, start_ruff
from app.engine.snapshot import Snapshot, TreeEntry
from app.engine.vendored import ROOT_CONFIGS, left_out
from config.policy import Policy

MAX_FILE_BYTES = 1_000_000
MISSING_REASON = "blob absent from the repository (a partial clone?), never fetched"
PARALLEL_THRESHOLD = 400  # below this, forking workers costs more than it saves


@dataclass
class SnapshotFacts:
    """The facts of one snapshot: analysed files, skipped files and every path of its tree."""

    sha: str
    files: dict[str, FileFacts] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    all_paths: frozenset[str] = frozenset()
    left_out: dict[str, str] = field(default_factory=dict)  # not the project's code: path -> why
    environments: tuple[Environment, ...] = ()
    reclaimed: frozenset[str] = frozenset()  # left out by this tree, yet judged because the base judged them

    def view_id(self) -> str:
        """Return what identifies this snapshot's repo view: its commit, and what it reclaimed from leaving out."""
        if not self.reclaimed:
            return self.sha
        return f"{self.sha}+{hashlib.sha256(chr(0).join(sorted(self.reclaimed)).encode()).hexdigest()[:16]}"


# Told how many files of each snapshot are analysed: (snapshot index, done, total).
Progress = Callable[[int, int, int], None]


def collect_facts(snapshots: Sequence[Snapshot], policy: Policy, cache: FactsCache,
                  progress: Progress | None = None) -> list[SnapshotFacts]:
    """Return the facts of each snapshot; files shared by several are read and analysed once."""
    digest = facts_digest()
    plans = []
    judged: frozenset[str] = frozenset()
    for snap in snapshots:
        # A change cannot take files its base judged out of judging (a new exclude, a planted
        # `pyvenv.cfg`): they stay judged on its head, so their new findings still count.
        result, keyed = _plan(snap, policy, digest, judged)
        plans.append((result, keyed))
        judged = frozenset(e.path for e in keyed.values())
    wanted: dict[str, TreeEntry] = {}
    for _result, keyed in plans:
        wanted.update(keyed)
    known = cache.get_many(wanted)
    missing = {k: e for k, e in wanted.items() if k not in known}
    tick = _ticker([set(keyed) for _r, keyed in plans], set(known), progress)
    if missing:
        fresh = _analyse(snapshots, missing, tick)
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


def _ticker(sides: list[set[str]], known: set[str], progress: Progress | None) -> Callable[[str], None]:
    """Return what to call as each file key is analysed: it reports each snapshot's done and total files."""
    done = [len(side & known) for side in sides]

    def report_all() -> None:
        for index, side in enumerate(sides):
            if progress is not None:
                progress(index, done[index], len(side))

    report_all()

    def tick(key: str) -> None:
        for index, side in enumerate(sides):
            if key in side:
                done[index] += 1
                if progress is not None:
                    progress(index, done[index], len(side))

    return tick


def _plan(snap: Snapshot, policy: Policy, digest: str,
          judged: frozenset[str] = frozenset()) -> tuple[SnapshotFacts, dict[str, TreeEntry]]:
    """List a snapshot's tree and decide what to analyse and what to skip; `judged` paths are never left out."""
    tree = snap.tree()
    gone = left_out((e.path for e in tree), _root_configs(snap, tree))
    reclaimed = frozenset(p for p in gone.reasons if p in judged)
    for path in reclaimed:
        del gone.reasons[path]
    installed = gone.installed()
    result = SnapshotFacts(sha=snap.sha, all_paths=frozenset(e.path for e in tree if e.path not in installed),
                           left_out=gone.reasons, environments=gone.environments, reclaimed=reclaimed)
    keyed: dict[str, TreeEntry] = {}
    for entry in tree:
        if matches_any(entry.path, policy.paths.exclude) or entry.path in gone.reasons:
            continue
        reason = _skip_reason(entry)
        if reason:
            result.skipped.append((entry.path, reason))
        else:
            keyed[facts_key(digest, entry.path, entry.sha)] = entry
    return result, keyed


def _root_configs(snap: Snapshot, tree: list[TreeEntry]) -> dict[str, bytes]:
    """Read the repository's root files that may mark files as not its own (ruff settings, .gitattributes)."""
    wanted = {e.path: e.sha for e in tree if e.path in ROOT_CONFIGS and not _skip_reason(e)}
    blobs = snap.read_blobs(wanted.values()) if wanted else {}
    return {path: blobs[sha] for path, sha in wanted.items() if sha in blobs}


def _skip_reason(entry: TreeEntry) -> str:
    """Return why a tree entry is never read, or an empty string."""
    if entry.is_symlink:
        return "symlink (never followed)"
    if entry.is_submodule:
        return "submodule"
    if not entry.mode.startswith("100"):
        return f"unsupported mode {entry.mode}"
    if entry.is_missing:
        return MISSING_REASON
    if entry.size > MAX_FILE_BYTES:
        return "over 1 MB"
    return ""


def _analyse(snapshots: Sequence[Snapshot], missing: dict[str, TreeEntry],
             tick: Callable[[str], None]) -> dict[str, FileFacts]:
    """Read and analyse the files the cache lacks: ruff in the background, Verity's checks meanwhile."""
    blobs = snapshots[-1].read_blobs({e.sha for e in missing.values()})
    texts: dict[str, tuple[str, str]] = {}
    unreadable: dict[str, str] = {}
    out: dict[str, FileFacts] = {}
    for key, entry in missing.items():
        decoded = decode_file(entry.path, blobs.get(entry.sha))
        if decoded.facts is not None:
            out[key] = decoded.facts
            tick(key)
        elif decoded.skipped:
            out[key] = FileFacts(path=entry.path, kind="binary", skipped=decoded.skipped)
            tick(key)
        else:
            texts[key] = (entry.path, decoded.text)
            if decoded.unreadable:
                unreadable[key] = decoded.unreadable
    python = {key: item for key, item in texts.items() if item[0].endswith((".py", ".pyi"))}
    batch = start_ruff(python)
    analysed = _analyse_texts(list(texts.items()), tick)
    ruff_found = batch.collect()
    for key, facts in analysed.items():
        text = texts[key][1]
        extra = [] if facts.data.get(GENERATED) else ruff_found.get(key, [])
        facts.findings = with_snippets(facts.findings + extra, text.splitlines())
        if key in unreadable:
            facts.data[UNREADABLE] = unreadable[key]
        out[key] = facts
    return out


def _analyse_one(item: tuple[str, tuple[str, str]]) -> tuple[str, FileFacts]:
    """Analyse one file (a process-pool task)."""
    key, (path, text) = item
    return key, analyse_text(path, text)


def _analyse_texts(items: list[tuple[str, tuple[str, str]]],
                   tick: Callable[[str], None] = lambda key: None) -> dict[str, FileFacts]:
    """Analyse many files, on every core when there are enough of them."""
    workers = multiprocessing.cpu_count()
    out: dict[str, FileFacts] = {}
    # A daemonic process (a Celery prefork child) may not start children: analyse serially there.
    if len(items) < PARALLEL_THRESHOLD or workers < 2 or multiprocessing.current_process().daemon:
        for item in items:
            key, facts = _analyse_one(item)
            out[key] = facts
            tick(key)
        return out
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for key, facts in pool.map(_analyse_one, items, chunksize=16):
            out[key] = facts
            tick(key)
    return out


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
