"""The layering of the code: the engine (``autograder/``) never imports a course's reference
code, and its modules import each other without cycles (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

ENGINE = REPO / "autograder"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_imports_of(path: Path) -> set[str]:
    """``module.name`` for every ``from autograder... import _name`` in ``path``."""
    return {
        f"{node.module}.{alias.name}"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograder")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    }


def imports_of(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports, anywhere in it (also inside functions)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def engine_graph() -> dict[str, set[str]]:
    """autograder module -> the autograder modules it imports (a package counts as its __init__)."""
    modules = {module_name(p): p for p in ENGINE.rglob("*.py") if "_resources" not in p.parts}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), set()

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_engine_imports_no_reference_code():
    offenders = {
        str(p.relative_to(REPO)): sorted(m for m in imports_of(p) if m == "reference" or m.startswith(("reference.", "assignment.")))
        for p in ENGINE.rglob("*.py")
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {frozenset("abc")}
    assert cycles({"a": {"b"}, "b": set()}) == set()


def test_no_import_cycles_between_engine_modules():
    assert cycles(engine_graph()) == set()


GRADING_LAYERS = ("autograder.grading.batch", "autograder.grading.executors", "autograder.grading.grade")
"""Top to bottom: a folder of submissions -> results folder, the executors, one submission."""


def layer_of(module: str) -> int | None:
    return next((i for i, top in enumerate(GRADING_LAYERS) if module == top or module.startswith(top + ".")), None)


def test_the_grading_layers_import_only_downward():
    upward = {
        (module, imported)
        for module, imported_set in engine_graph().items()
        for imported in imported_set
        if layer_of(module) is not None and layer_of(imported) is not None and layer_of(imported) < layer_of(module)
    }
    assert not upward


def test_no_engine_module_imports_another_ones_private_names():
    assert not {str(p.relative_to(REPO)): found for p in ENGINE.rglob("*.py") if (found := private_imports_of(p))}
