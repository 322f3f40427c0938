"""Directed graphs of modules: strongly connected components and a concrete cycle through a member."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping

Graph = Mapping[str, Mapping[str, int]]  # node -> successor -> the line of the edge

MAX_WALK = 64  # longest cycle spelled out in full
ELIDED_ENDS = 3  # modules kept at each end of a longer one


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Return the strongly connected components of a graph (Tarjan's algorithm, iterative), members sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph.get(start, {})))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            if successors:
                nxt = successors.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, {}))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                components.append(_pop_component(node, stack, on_stack))
    return components


def _pop_component(root: str, stack: list[str], on_stack: set[str]) -> list[str]:
    """Pop one finished component off Tarjan's stack."""
    members: list[str] = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        members.append(member)
        if member == root:
            return sorted(members)


def cycles_through(graph: Graph, members: list[str]) -> dict[str, list[str | None]]:
    """Return, for each member of a component, a cycle that starts and ends at it.

    Two breadth-first trees rooted at the smallest member (one along the edges, one against them) give
    every member a short walk through the root and back; erasing its loops leaves a simple cycle. It
    costs linear time per component, where a search from every member would be quadratic. A walk
    longer than MAX_WALK is shortened to its two ends, with None where modules are left out, so that a
    ring of thousands of modules still costs little.
    """
    inside = set(members)
    root = members[0]
    forward, forward_depth = _bfs(root, lambda n: sorted(graph.get(n, {})), inside)
    reverse = _reversed(graph, members, inside)
    backward, backward_depth = _bfs(root, lambda n: sorted(reverse[n]), inside)
    cycles: dict[str, list[str | None]] = {}
    for node in members:
        succs = [s for s in sorted(graph.get(node, {})) if s in inside]
        step = min(succs, key=lambda s: (backward_depth[s], s))
        if backward_depth[step] + forward_depth[node] + 2 > MAX_WALK:
            head = _walk_up(backward, step, ELIDED_ENDS)
            tail = _walk_up(forward, node, ELIDED_ENDS + 1)[1:]
            cycles[node] = [node, *head, None, *reversed(tail), node]
            continue
        walk = [node, *_walk_up(backward, step), *reversed(_walk_up(forward, node)[:-1])]
        cycles[node] = list(_erase_loops(walk))
    return cycles


def _reversed(graph: Graph, members: list[str], inside: set[str]) -> dict[str, list[str]]:
    """Return the edges of a component pointing backwards: node -> the members that import it."""
    reverse: dict[str, list[str]] = {m: [] for m in members}
    for node in members:
        for succ in graph.get(node, {}):
            if succ in inside:
                reverse[succ].append(node)
    return reverse


def _bfs(
    root: str, successors: Callable[[str], Iterable[str]], inside: set[str]
) -> tuple[dict[str, str | None], dict[str, int]]:
    """Return the parent and depth of every node reached from `root` breadth first, staying inside a set."""
    parents: dict[str, str | None] = {root: None}
    depth = {root: 0}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for succ in successors(node):
            if succ in inside and succ not in parents:
                parents[succ] = node
                depth[succ] = depth[node] + 1
                queue.append(succ)
    return parents, depth


def _walk_up(parents: dict[str, str | None], node: str, limit: int = 0) -> list[str]:
    """Return the tree path from a node up to the root, both included (its first `limit` nodes if set)."""
    path = [node]
    parent = parents.get(node)
    while parent is not None and (not limit or len(path) < limit):
        path.append(parent)
        parent = parents.get(parent)
    return path


def _erase_loops(walk: list[str]) -> list[str]:
    """Turn a closed walk from its first node into a simple cycle through that node (first step kept)."""
    start = walk[0]
    cycle: list[str] = [start]
    seen = {start: 0}
    for node in walk[1:]:
        if node == start:
            break
        if node in seen:
            del cycle[seen[node] + 1 :]
            seen = {n: i for i, n in enumerate(cycle)}
            continue
        seen[node] = len(cycle)
        cycle.append(node)
    return [*cycle, start]
