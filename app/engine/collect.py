"""Gather every file's facts for one or more snapshots, analysing only what the cache lacks."""

from __future__ import annotations

import ast
import functools
import hashlib
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from app.checks.base import Environment, matches_any, without_comment
from app.checks.quality.syntax_error import RULE as SYNTAX_RULE
from app.engine.cache import FactsCache, facts_key
from app.engine.collector import start_forked_worker
from app.engine.decoding import UNREADABLE, decode_file
from app.engine.facts import analyse_text, rules_digest
from app.engine.model import GENERATED, FileFacts, RawFinding
from app.engine.python_target import NEWEST_TARGET, RUNTIME_TARGET, config_entries, declared_targets, target_finder
from app.engine.ruff import SYNTAX_ERROR, graded, ruff_version, start_ruff
from app.engine.snapshot import Snapshot, TreeEntry
from app.engine.vendored import ROOT_CONFIGS, LeftOut, left_out
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
    symlinks: dict[str, str] = field(default_factory=dict)  # link path -> the repository path it names

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
    plans: list[_Plan] = []
    judged: frozenset[str] = frozenset()
    for snap in snapshots:
        # A change cannot take files its base judged out of judging (a new exclude, a planted
        # `pyvenv.cfg`): they stay judged on its head, so their new findings still count.
        plan = _plan(snap, policy, digest, judged)
        plans.append(plan)
        judged = frozenset(e.path for e in plan.keyed.values())
    wanted: dict[str, TreeEntry] = {}
    targets: dict[str, str] = {}
    for plan in plans:
        wanted.update(plan.keyed)
        targets.update(plan.targets)
    known = cache.get_many(wanted)
    missing = {k: e for k, e in wanted.items() if k not in known}
    tick = _ticker([set(plan.keyed) for plan in plans], set(known), progress)
    if missing:
        fresh = _analyse(snapshots, missing, targets, tick)
        cache.put_many(fresh)
        known.update(fresh)
    for plan in plans:
        result = plan.result
        for key, entry in plan.keyed.items():
            facts = known[key]
            if facts.skipped:
                result.skipped.append((entry.path, facts.skipped))
            else:
                result.files[entry.path] = facts
        result.skipped.sort()
    return [plan.result for plan in plans]


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


@dataclass
class _Plan:
    """What to analyse in one snapshot: cache key -> entry, and the declared Python target of each Python key."""

    result: SnapshotFacts
    keyed: dict[str, TreeEntry]
    targets: dict[str, str]


def _plan(snap: Snapshot, policy: Policy, digest: str, judged: frozenset[str] = frozenset()) -> _Plan:
    """List a snapshot's tree and decide what to analyse and what to skip; `judged` paths are never left out."""
    tree = snap.tree()
    roots = [e for e in tree if e.path in ROOT_CONFIGS and not _skip_reason(e)]
    configs = [e for e in config_entries(tree) if not _skip_reason(e)]
    links = [e for e in tree if e.is_symlink and not e.is_missing][:MAX_SYMLINKS]
    blobs = _read_configs(snap, roots + configs + links)
    gone = _left_out(tuple(e.path for e in tree), tuple((e.path, blobs[e.sha]) for e in roots if e.sha in blobs))
    reclaimed = frozenset(p for p in gone.reasons if p in judged)
    for path in reclaimed:
        del gone.reasons[path]
    installed = gone.installed()
    result = SnapshotFacts(sha=snap.sha, all_paths=frozenset(e.path for e in tree if e.path not in installed),
                           left_out=gone.reasons, environments=gone.environments, reclaimed=reclaimed,
                           symlinks=symlink_targets(links, blobs))
    target_for = target_finder(declared_targets(configs, blobs))
    plan = _Plan(result, {}, {})
    for entry in tree:
        if matches_any(entry.path, policy.paths.exclude) or entry.path in gone.reasons:
            continue
        reason = _skip_reason(entry)
        if reason:
            result.skipped.append((entry.path, reason))
            continue
        # A Python file's facts depend on the Python version its project declares: it is part of the key.
        target = target_for(entry.path) if entry.path.endswith((".py", ".pyi")) else ""
        key = facts_key(f"{digest}-{target}" if target else digest, entry.path, entry.sha)
        plan.keyed[key] = entry
        if target:
            plan.targets[key] = target
    return plan


MAX_SYMLINKS = 10_000  # a tree of more links is hostile: the first ones are read, the rest stay unnamed


def symlink_targets(links: list[TreeEntry], blobs: Mapping[str, bytes]) -> dict[str, str]:
    """Return the repository path each symlink names, read as text from its blob and never followed.

    A target that is absolute, climbs out of the tree or is not a short line of text names nothing here.
    """
    targets: dict[str, str] = {}
    for entry in links:
        raw = blobs.get(entry.sha)
        if raw is None or len(raw) > 1024 or b"\0" in raw or raw.startswith(b"/"):
            continue
        text = raw.decode("utf-8", "replace").strip()
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), text))
        if text and joined not in (".", "..") and not joined.startswith(("../", "/")):
            targets[entry.path] = joined
    return targets


def _left_out(paths: tuple[str, ...], configs: tuple[tuple[str, bytes], ...]) -> LeftOut:
    """Return what `left_out` says of a tree, a copy the caller may change (a PR's base and head list the
    same paths but for the few it adds or deletes, so the second is often the first's)."""
    found = _left_out_of(paths, configs)
    return LeftOut(dict(found.reasons), found.environments)


@functools.lru_cache(maxsize=2)
def _left_out_of(paths: tuple[str, ...], configs: tuple[tuple[str, bytes], ...]) -> LeftOut:
    """Return `left_out` of a tree, remembered for the last two trees."""
    return left_out(paths, dict(configs))


def _read_configs(snap: Snapshot, entries: list[TreeEntry]) -> Mapping[str, bytes]:
    """Read, in one pass, the config files that decide what is the project's code and its Python version."""
    return snap.read_blobs({e.sha for e in entries}) if entries else {}


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


def _analyse(snapshots: Sequence[Snapshot], missing: dict[str, TreeEntry], targets: Mapping[str, str],
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
    batches = [start_ruff(group, python=target) for target, group in _by_target(python, targets).items()]
    analysed = _analyse_texts(list(texts.items()), tick)
    ruff_found: dict[str, list[RawFinding]] = {}
    for batch in batches:
        ruff_found.update(batch.collect())
    newer = _newer_syntax(analysed, ruff_found, texts, targets)
    for key, facts in analysed.items():
        text = texts[key][1]
        extra = [] if facts.data.get(GENERATED) else [f for f in ruff_found.get(key, []) if f.code != SYNTAX_ERROR]
        extra = graded(extra, text)
        if key in newer:
            facts.findings = [f for f in facts.findings if f.code != SYNTAX_RULE.code]
            facts.data[NEWER_SYNTAX] = newer[key]
        facts.findings = with_snippets(facts.findings + extra, text.splitlines(), python=facts.kind == "python")
        if key in unreadable:
            facts.data[UNREADABLE] = unreadable[key]
        out[key] = facts
    return out


_Text = tuple[str, str]  # (repository path, text)
NEWER_SYNTAX = "python.newer_syntax"  # facts data: why `ast` refused a file that a newer Python parses


def _by_target(python: Mapping[str, _Text], targets: Mapping[str, str]) -> dict[str, dict[str, _Text]]:
    """Group Python files by the ruff target they are linted at: their project's, else Verity's own."""
    groups: dict[str, dict[str, _Text]] = {}
    for key, item in python.items():
        groups.setdefault(targets.get(key) or RUNTIME_TARGET, {})[key] = item
    return groups


def _newer_syntax(analysed: Mapping[str, FileFacts], ruff_found: Mapping[str, list[RawFinding]],
                  texts: Mapping[str, tuple[str, str]], targets: Mapping[str, str]) -> dict[str, str]:
    """Return {key: ast's complaint} for files `ast` refused that are valid Python of a newer version.

    A project that declares its Python version is held to it (ruff already parsed at that version);
    one that does not is given the newest Python ruff knows.
    """
    refused = {k for k, f in analysed.items()
               if any(x.code == SYNTAX_RULE.code for x in f.findings) and _grammar_error(texts[k][1])}
    undeclared = {k: texts[k] for k in refused if not targets.get(k)}
    newest = start_ruff(undeclared, python=NEWEST_TARGET).collect() if undeclared else {}
    newer: dict[str, str] = {}
    for key in refused:
        found = ruff_found.get(key, []) if targets.get(key) else newest.get(key, [])
        if not any(f.code == SYNTAX_ERROR for f in found):
            newer[key] = _grammar_error(texts[key][1])
    return newer


def _grammar_error(text: str) -> str:
    """Return the message of `ast`'s syntax error on a text, or "" when it parses or fails otherwise."""
    try:
        ast.parse(text)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError):
        return ""
    return ""


def _analyse_one(item: tuple[str, tuple[str, str]]) -> tuple[str, FileFacts]:
    """Analyse one file (a process-pool task)."""
    key, (path, text) = item
    return key, analyse_text(path, text)


def _analyse_texts(items: list[tuple[str, tuple[str, str]]],
                   tick: Callable[[str], None] = lambda key: None) -> dict[str, FileFacts]:
    """Analyse many files, on every core when there are enough of them."""
    if len(items) < PARALLEL_THRESHOLD:
        return _analyse_serially(items, tick)
    # Imported here: only a big change (a cold audit) starts a pool, and multiprocessing with
    # concurrent.futures (pickle, socket, logging, ...) cost every other command ~10 ms to import.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = multiprocessing.cpu_count()
    # A daemonic process (a Celery prefork child) may not start children: analyse serially there.
    if workers < 2 or multiprocessing.current_process().daemon:
        return _analyse_serially(items, tick)
    out: dict[str, FileFacts] = {}
    context = multiprocessing.get_context("fork")
    # Largest files first, in small chunks: no big file is left to run alone on one core at the end.
    ordered = sorted(items, key=lambda item: -len(item[1][1]))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=start_forked_worker) as pool:
        for key, facts in pool.map(_analyse_one, ordered, chunksize=8):
            out[key] = facts
            tick(key)
    return out


def _analyse_serially(items: list[tuple[str, tuple[str, str]]], tick: Callable[[str], None]) -> dict[str, FileFacts]:
    """Analyse files one after the other, in this process."""
    out: dict[str, FileFacts] = {}
    for item in items:
        key, facts = _analyse_one(item)
        out[key] = facts
        tick(key)
    return out


MAX_SNIPPET_LINES = 5


def with_snippets(findings: Iterable[RawFinding], lines: list[str], python: bool = False) -> list[RawFinding]:
    """Give every finding the fingerprint text of its flagged node (or lines), when it has none of its own."""
    out = []
    for f in findings:
        if f.snippet:
            out.append(f)
            continue
        out.append(replace(f, snippet=normalise(flagged_text(f, lines, python)) or f.code))
    return out


def flagged_text(finding: RawFinding, lines: list[str], python: bool = False) -> str:
    """Return the source the finding flags: its node's span when the columns are known, else its lines.

    Whole Python lines lose their trailing comments: a rewritten suppression or a note is not the finding.
    """
    first = max(finding.line, 1)
    last = min(max(finding.end_line, finding.line), first + MAX_SNIPPET_LINES - 1)
    chosen = [lines[n - 1] if 0 < n <= len(lines) else "" for n in range(first, last + 1)]
    if finding.column and chosen:
        # Only the flagged node: code beside it on the same lines is not the finding.
        if last == max(finding.end_line, finding.line) and finding.end_column:
            chosen[-1] = chosen[-1][: finding.end_column - 1]
        chosen[0] = chosen[0][finding.column - 1:]
    elif python:
        chosen = [without_comment(line) for line in chosen]
    return "\n".join(chosen)


_TRAILING_COMMA = re.compile(r",(?=[)\]}])")


def normalise(text: str) -> str:
    """Drop white space and trailing commas, so re-indented, re-wrapped or collapsed code keeps its fingerprint."""
    return _TRAILING_COMMA.sub("", "".join(text.split()))
