"""The package's layers run one way: data in -> domain -> national -> report -> batch -> cli.

Every ``import`` and ``from ... import`` in ``npo_analysis/`` (at module level and inside
functions alike) is read with :mod:`ast`. A module may import its own layer and the layers below
it, never one above; and the modules import no cycle, not even through function-local imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "npo_analysis"

# Lowest first. A module belongs to the first layer whose prefix it starts with (longest wins);
# the top-level modules not listed are the base every layer may use.
LAYERS = ["base", "data", "domain", "national", "report", "batch", "cli"]
PREFIXES = {
    "npo_analysis.data": "data",
    "npo_analysis.domain": "domain",
    "npo_analysis.national": "national",
    "npo_analysis.report": "report",
    "npo_analysis.templates": "report",
    "npo_analysis.batch": "batch",
    "npo_analysis.cli": "cli",
}
BASE = {
    "npo_analysis",
    "npo_analysis.errors",
    "npo_analysis.atomic",
    "npo_analysis.hashing",
    "npo_analysis.formatting",
    "npo_analysis.table_cache",
    "npo_analysis.safe_text",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    name = ".".join(parts)
    return name.removesuffix(".__init__")


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def layer_of(module: str) -> str:
    matches = [prefix for prefix in PREFIXES if module == prefix or module.startswith(prefix + ".")]
    if matches:
        return PREFIXES[max(matches, key=len)]
    if module in BASE:
        return "base"
    raise AssertionError(f"{module} belongs to no layer: put it in a layer folder or in BASE")


def imported_modules(module: str) -> set[str]:
    """The package modules ``module`` imports (``from pkg import name`` counts ``pkg.name`` when
    that is a module, else ``pkg``)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("npo_analysis"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("npo_analysis"):
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imported_modules(module) for module in MODULES}


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for module, targets in sorted(GRAPH.items()):
        rank = LAYERS.index(layer_of(module))
        for target in sorted(targets):
            if LAYERS.index(layer_of(target)) > rank:
                upward.append(f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in ``graph`` as a list of modules, or None (iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


def test_no_import_cycle():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"a2"}, "a2": set(), "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert find_cycle(graph) == expected
