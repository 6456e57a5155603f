"""The shape of the code: the import graph of a package has no cycles, counting every import
(module level, inside functions and under TYPE_CHECKING alike)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACYCLIC_PACKAGES = ["worker.template"]


def _module_imports(path: Path, package: str) -> set[str]:
    """The modules of `package` that the module at `path` imports, by name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the package (one level deep)
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # `from . import x`
    prefix = package + "."
    return {name[len(prefix) :].split(".")[0] for name in found if name.startswith(prefix)}


def import_graph(package: str) -> dict[str, set[str]]:
    folder = ROOT.joinpath(*package.split("."))
    modules = {path.stem: path for path in folder.glob("*.py")}
    return {
        name: {imported for imported in _module_imports(path, package) if imported in modules}
        - {name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (its modules, the first repeated at the end), or None."""
    done: set[str] = set()
    for start in sorted(graph):
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        if start in done:
            continue
        path.append(start)
        on_path.add(start)
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            following = pending.pop()
            if following in on_path:
                return [*path[path.index(following) :], following]
            if following not in done:
                path.append(following)
                on_path.add(following)
                stack.append((following, sorted(graph[following])))
    return None


def test_the_cycle_finder_finds_a_cycle_through_three_modules() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]


def test_the_import_graph_counts_function_local_and_type_checking_imports(
    tmp_path: Path,
) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import a\n"
        "if TYPE_CHECKING:\n    from .b import B\n"
        "def f():\n    from .c import g\n"
        "import pkg.d\n"
    )
    assert _module_imports(module, "pkg") == {"a", "b", "c", "d"}


@pytest.mark.parametrize("package", ACYCLIC_PACKAGES)
def test_no_module_imports_one_that_imports_it_back(package: str) -> None:
    graph = import_graph(package)
    assert len(graph) > 10
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])
