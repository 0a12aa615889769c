"""The structure drawn from the imports of ``src/mupass_forum`` has no cycle.

Every import counts: at module level, inside functions and under ``TYPE_CHECKING``. An import
moved into a function still says that one module needs the other; it is the usual way a cycle
is hidden rather than removed, so it is counted like any other. A package's ``__init__`` that a
submodule's import runs first is not an edge of its own: the arrows are the ones written.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import mupass_forum

PACKAGE = "mupass_forum"
ROOT = Path(mupass_forum.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, modules: Mapping[str, Path]) -> Iterator[str]:
    """The project's modules ``name`` imports anywhere in its text."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                yield submodule if submodule in modules else source


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {
            target
            for target in _imported(name, path, modules)
            if target in modules and target != name
        }
        for name, path in modules.items()
    }


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _path_within(graph: Mapping[str, set[str]], component: list[str]) -> list[str]:
    """One circle through the component, to show in the failure: a -> b -> ... -> a."""
    members = set(component)
    start = component[0]
    trail = [start]
    seen = {start}
    while True:
        nxt = sorted(graph[trail[-1]] & members)
        closing = start in nxt
        if closing and len(trail) > 1:
            return [*trail, start]
        unseen = [module for module in nxt if module not in seen]
        if not unseen:
            return [*trail, nxt[0]]
        trail.append(unseen[0])
        seen.add(unseen[0])


def test_the_graph_is_read() -> None:
    graph = import_graph()
    assert "mupass_forum.errors" in graph["mupass_forum.request_context"]
    assert "mupass_forum.board.moderation" in graph["mupass_forum.board.services"]
    # A function-level import is an edge like any other.
    assert "mupass_forum.app" in graph["mupass_forum.cli"]


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert _path_within(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    graph = import_graph()
    found = [" -> ".join(_path_within(graph, component)) for component in cycles(graph)]
    assert not found, "import cycles:\n" + "\n".join(found)
