"""Which Python modules a snapshot holds, and under which dotted names code can import them.

A file is importable under several names, because what is on `sys.path` depends on how the code
runs: its path from the repository root (`backend/app/models.py` -> `backend.app.models`), its
path below a `src/` folder, and its name from the first folder up that is not a package (the folder
pytest puts on `sys.path`: `backend/app/models.py` -> `app.models` when `backend/` has no
`__init__.py`). `ModuleIndex.resolve` tries those names exactly, then, for dotted names, any file whose
path ends with the name, so resolution errs on the side of "found".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

# Files a `import a.b` can load; compiled and Cython sources only prove that a module exists.
SOURCE_SUFFIXES = (".py", ".pyi")
BUILT_SUFFIXES = (".pyx", ".pxd", ".so", ".pyd")


def module_stem(path: str) -> str | None:
    """Return the dotted path of a module file from the repository root, or None if it is not one."""
    for suffix in SOURCE_SUFFIXES + BUILT_SUFFIXES:
        if path.endswith(suffix):
            stem = path[: -len(suffix)]
            if suffix in (".so", ".pyd"):
                stem = stem.split(".", 1)[0] if "/" not in stem else stem.rsplit("/", 1)[0] + "/" + stem.rsplit("/", 1)[1].split(".", 1)[0]
            parts = stem.split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if parts and all(p.isidentifier() for p in parts):
                return ".".join(parts)
            return None
    return None


@dataclass
class ModuleIndex:
    """Every importable module and package of a snapshot, by each name it can be imported under."""

    exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    suffixes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    packages: set[str] = field(default_factory=set)  # folders holding an __init__.py
    top_packages: set[str] = field(default_factory=set)  # names of regular packages whose parent is none
    top_names: set[str] = field(default_factory=set)  # every name a first-party import may start with

    @classmethod
    def build(cls, paths: Iterable[str]) -> ModuleIndex:
        """Index the module files among a snapshot's paths."""
        index = cls()
        modules = {p: d for p in paths if (d := module_stem(p)) is not None}
        index.packages = {p.rsplit("/", 1)[0] for p in modules if p.endswith(("/__init__.py", "/__init__.pyi"))}
        for path, full in modules.items():
            index._add(path, full)
        return index

    def _add(self, path: str, full: str) -> None:
        """Register one module file under each of its names, and every folder above it."""
        parts = full.split(".")
        is_package = path.rsplit("/", 1)[-1].startswith("__init__.")
        for name in self._names(path, parts):
            self.exact[name].add(path)
        for k in range(1, len(parts) + 1):
            self.suffixes[".".join(parts[-k:])].add(path)
        folders = path.split("/")[:-1]
        for depth in range(1, len(folders) + (0 if is_package else 1)):
            folder = "/".join(folders[:depth])
            for name in self._names(folder + "/__init__.py", folders[:depth]):
                self.exact.setdefault(name, set())
        self._add_tops(path, parts, is_package)

    def _names(self, path: str, parts: list[str]) -> set[str]:
        """Return the exact dotted names of a module: from the root, below `src/`, and from its first non-package folder."""
        names = {".".join(parts)} if parts else set()
        if "src" in parts[:-1]:
            last = len(parts) - 1 - parts[::-1].index("src")
            if parts[last + 1 :]:
                names.add(".".join(parts[last + 1 :]))
        folders = path.split("/")[:-1]
        depth = len(folders)
        while depth > 0 and "/".join(folders[:depth]) in self.packages:
            depth -= 1
        start = depth if not path.rsplit("/", 1)[-1].startswith("__init__.") else depth
        tail = parts[start:] if start < len(parts) else parts[-1:]
        if tail:
            names.add(".".join(tail))
        return names

    def _add_tops(self, path: str, parts: list[str], is_package: bool) -> None:
        """Record the first names of a module's dotted names, and top-level regular packages."""
        for name in self._names(path, parts):
            self.top_names.add(name.split(".", 1)[0])
        self.top_names.update(parts[:-1] if not is_package else parts)
        if is_package:
            folder = path.rsplit("/", 1)[0]
            parent = folder.rsplit("/", 1)[0] if "/" in folder else ""
            if parent not in self.packages:
                self.top_packages.add(parts[-1])

    def resolve(self, name: str) -> set[str]:
        """Return the files a dotted import name may load (empty when none is known)."""
        found = self.exact.get(name)
        if found:
            return found
        if "." in name:
            return self.suffixes.get(name, set())
        return set()

    def exists(self, name: str) -> bool:
        """Return whether a dotted name is a known module, package or namespace folder."""
        return name in self.exact or ("." in name and name in self.suffixes) or self._is_folder_suffix(name)

    def _is_folder_suffix(self, name: str) -> bool:
        """Return whether a dotted name ends the path of a folder that holds modules."""
        tail = name.replace(".", "/")
        return any(n.replace(".", "/").endswith("/" + tail) or n == name for n in self._folder_names())

    def _folder_names(self) -> list[str]:
        """Return the exact names that are folders (no module file of their own)."""
        return [n for n, paths in self.exact.items() if not paths]
