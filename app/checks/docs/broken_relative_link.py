"""## What it does
Flags Markdown links and images whose relative target does not exist in the repository.

It reads inline links `[text](path)`, images `![alt](path)`, reference definitions `[label]: path` and the
`href`/`src` of HTML `<a>`, `<img>` and `<source>` tags.

The target is resolved relative to the Markdown file, after removing any `#anchor` or `?query` and
decoding `%20`-style escapes. It exists when it is a file or a directory of the commit. A target
without an extension also matches a Markdown page of that name (`guide` for `guide.md`), as
documentation sites link to pages that way. In a repository with a documentation site (MkDocs,
Docusaurus, VitePress, Jekyll, Hugo), a page is served at a folder of its own (`docs/async.md` at
`async/`), so such a target is also resolved from there (`../advanced/transports` from
`docs/async.md` is `docs/advanced/transports.md`), and `foo/` may be `foo.md` or `foo/index.md`. So
is an asset (`<img src="../../img/x.png">`): raw HTML is not rewritten by the generator.
A page that a symlink makes reachable elsewhere (`docs/rules/yaml.md` linking to
`src/pkg/rules/yaml.md`, or a linked folder, as MkDocs serves it) is also resolved from there: its
links are written for where it is served. A target naming a cross-reference label that a page of
the repository defines (MyST's `(api_v3)=`, reStructuredText's `.. _api_v3:`) is a Sphinx reference
(`[](api_v3)`), not a path.

Not checked, because they are not paths of this commit or cannot be judged from it: URLs with a
scheme (`https:`, `mailto:`), `//host` and site-absolute `/paths`, pure `#anchors`, template text
(`{{ site.url }}`), placeholders (`(link)`, `(url)`, `(#)`), `.html` pages (usually built by a
documentation generator), paths a `.gitignore` of the tree ignores (built, not committed), targets
above the repository root (GitHub's `../../issues` style), links in code blocks, inline code and HTML
comments, issue and pull request templates (GitHub renders them outside the tree), and vendored or generated
directories (`node_modules/`, `vendor/`, `build/`...).

Each link to a missing page is reported, but the defect is the missing page: a change that links once
more to a page the base already reports missing adds no new finding (pydantic-settings links to
`../api/pydantic_settings.md`, a page of the site its docs are published in).

## Why is this bad?
A broken link sends the reader of the README or the documentation to a 404 exactly when they are
looking for help; a broken image leaves a hole in the page. These links break silently when a file
is moved or renamed, and nothing else catches them.

## Example
```markdown
See the [deployment guide](docs/deploy.md) for details.   <!-- docs/deploy.md was renamed -->
```

## Use instead
```markdown
See the [deployment guide](docs/deployment.md) for details.
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from urllib.parse import unquote

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.facts.doc_labels import KEY as LABELS
from app.checks.facts.git_ignore import KEY as IGNORES
from app.checks.facts.git_ignore import is_ignored
from app.checks.facts.markdown_links import KEY as LINKS
from app.checks.facts.python_paths import GENERATED_DIRS
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("DOC001", "broken-relative-link", Domain.DOCS, Severity.MEDIUM, __doc__, shared=True)

PAGE_SUFFIXES = (".md", ".mdx", ".markdown", ".rst", ".ipynb")
BUILT_PAGES = (".html", ".htm")
# GitHub renders these in an issue or pull request, where relative links do not resolve in the tree.
TEMPLATE_PREFIXES = (".github/ISSUE_TEMPLATE/", ".github/PULL_REQUEST_TEMPLATE/", ".github/DISCUSSION_TEMPLATE/")
TEMPLATE_NAMES = frozenset({"pull_request_template.md", "issue_template.md"})


# A documentation site generator's config, by name or folder: its pages are served at URLs of their own.
SITE_CONFIGS = frozenset({"mkdocs.yml", "mkdocs.yaml", "docusaurus.config.js", "docusaurus.config.ts",
                          "docusaurus.config.mjs", "_config.yml", "hugo.toml", "hugo.yaml"})
SITE_FOLDERS = frozenset({".vitepress"})
INDEX_STEMS = frozenset({"index", "readme", "_index"})


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report every relative Markdown link whose target is missing from the snapshot."""
    directories = _directories(view.all_paths)
    site = _has_docs_site(view.all_paths, directories)
    labels: frozenset[str] | None = None
    ignores: list[tuple[str, list[str]]] | None = None
    for path, facts in sorted(view.files.items()):
        links = facts.data.get(LINKS)
        if not links or not _is_checked(path):
            continue
        aliases: list[str] | None = None
        for line, target in links:
            if _found_from(path, target, view, directories, site):
                continue
            aliases = _aliases(path, view.symlinks) if aliases is None else aliases
            if any(_found_from(alias, target, view, directories, site) for alias in aliases):
                continue  # served from a symlink's folder (`docs/rules/yaml.md` -> `src/pkg/rules/yaml.md`)
            labels = _labels(view) if labels is None else labels
            if "/" not in target and target.split("#", 1)[0].strip().lower() in labels:
                continue  # a MyST reference to a label, not a path
            missing = resolve(path, target)
            ignores = _ignores(view) if ignores is None else ignores
            if missing is not None and is_ignored(missing, ignores):
                continue  # built, not committed: pdm's docs generate `docs/reference/cli.md`
            message = f"link target `{target}` does not exist (resolved to `{missing}`)"
            yield RepoFinding(path, RawFinding(RULE.code, line, message, snippet=f"link:{missing}"))


def _aliases(path: str, symlinks: Mapping[str, str]) -> list[str]:
    """Return the other paths a file is reachable at: through a symlink to it or to a folder above it."""
    found = []
    for link, target in symlinks.items():
        if path == target:
            found.append(link)
        elif path.startswith(target + "/"):
            found.append(link + path[len(target):])
    return found


def _found_from(source: str, target: str, view: RepoView, directories: frozenset[str], site: bool) -> bool:
    """Return whether a link target exists (or cannot be judged) when resolved from a page at `source`."""
    resolved = resolve(source, target)
    if resolved is None or _exists(resolved, view.all_paths, directories):
        return True
    return site and _exists_as_page_url(source, target, view.all_paths, directories)


def _labels(view: RepoView) -> frozenset[str]:
    """Return the cross-reference labels the repository's pages define (lower-cased)."""
    return frozenset(label for facts in view.files.values() for label in facts.data.get(LABELS) or ())


def _ignores(view: RepoView) -> list[tuple[str, list[str]]]:
    """Return the snapshot's `.gitignore` patterns, each with the folder its file is in."""
    return [(path.rpartition("/")[0], patterns) for path, facts in sorted(view.files.items())
            if (patterns := facts.data.get(IGNORES))]


def _has_docs_site(paths: frozenset[str], directories: frozenset[str]) -> bool:
    """Return whether the repository builds a documentation site from its Markdown."""
    return any(p.rsplit("/", 1)[-1] in SITE_CONFIGS for p in paths) or any(
        d.rsplit("/", 1)[-1] in SITE_FOLDERS for d in directories)


def _exists_as_page_url(source: str, target: str, files: frozenset[str], directories: frozenset[str]) -> bool:
    """Return whether a page-style target (no extension, or ending in `/`), or an asset a page's raw HTML
    names, exists from the source's URL.

    A site serves `docs/async.md` at `async/` (and `docs/index.md` at `./`), so its links are
    relative to that folder.
    """
    bare = unquote(target.split("#", 1)[0].split("?", 1)[0]).strip()
    last = bare.rstrip("/").rsplit("/", 1)[-1].lstrip(".")
    if "." in last and last.lower().endswith(PAGE_SUFFIXES):
        # A page's file name: the generator rewrites it relative to the file, so it is judged as a path.
        # An asset (`img/x.png`) in raw HTML is not rewritten: it is relative to the page's URL
        # (mkdocs 59a295f5f9: `<img src="../../img/x.png">`).
        return False
    folder, _, name = source.rpartition("/")
    stem = name.rsplit(".", 1)[0]
    page_folder = folder if stem.lower() in INDEX_STEMS else posixpath.join(folder, stem)
    joined = posixpath.normpath(posixpath.join(page_folder, bare))
    if joined in (".", "..") or joined.startswith(("../", "/")):
        return True  # outside the repository: a URL of the site, not something this commit can show
    return _exists(joined, files, directories)


def _is_checked(path: str) -> bool:
    """Return whether a Markdown file's links are judged: not a GitHub template, not vendored or built."""
    if path.startswith(TEMPLATE_PREFIXES) or path.rsplit("/", 1)[-1].lower() in TEMPLATE_NAMES:
        return False
    return not any(part in GENERATED_DIRS for part in path.split("/")[:-1])


def resolve(source: str, target: str) -> str | None:
    """Return the repository path a link target names, or None when it cannot be judged."""
    bare = unquote(target.split("#", 1)[0].split("?", 1)[0]).strip()
    if not bare or bare.lower().endswith(BUILT_PAGES):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), bare))
    if joined in (".", "..") or joined.startswith(("../", "/")):
        return None  # the repository root itself, or above it: nothing this commit can show
    return joined


def _exists(path: str, files: frozenset[str], directories: frozenset[str]) -> bool:
    """Return whether a resolved target is a file or directory, or names a page without its suffix."""
    if path in files or path in directories or _inside_link_or_submodule(path, files):
        return True
    if "." in path.rsplit("/", 1)[-1]:
        return False
    return any(path + suffix in files or f"{path}/index{suffix}" in files for suffix in PAGE_SUFFIXES)


def _inside_link_or_submodule(path: str, files: frozenset[str]) -> bool:
    """Return whether a path lies under a tree entry that is not a directory (a submodule or a symlink)."""
    cut = path.rfind("/")
    while cut > 0:
        if path[:cut] in files:
            return True
        cut = path.rfind("/", 0, cut)
    return False


def _directories(paths: frozenset[str]) -> frozenset[str]:
    """Return every directory that holds a path of the snapshot."""
    found: set[str] = set()
    for path in paths:
        cut = path.rfind("/")
        while cut > 0:
            directory = path[:cut]
            if directory in found:
                break
            found.add(directory)
            cut = directory.rfind("/")
    return frozenset(found)


CHECK = RepoCheck(RULE, find)
