"""The package's shape, measured: modules, import arrows, cycles, and the rules of the layers.

Run ``python3 tools/architecture.py`` for a report; ``tests/test_architecture.py`` asserts the rules.
An arrow is one module importing another module of the package (once per pair), wherever
the import stands: at the top, inside a function, or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "kztm_timeline"
ROOT = Path(__file__).resolve().parent.parent / "src" / PACKAGE
FRAMEWORKS = ("typer", "click")


@dataclass(frozen=True)
class Module:
    name: str  # dotted, without the package: "cli", "datafile.validate"
    path: Path
    tree: ast.Module


def modules(root: Path = ROOT) -> list[Module]:
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1] or ["__init__"]
        found.append(Module(".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _package_of(module: Module) -> list[str]:
    parts = module.name.split(".") if module.name != "__init__" else []
    return parts if module.path.name == "__init__.py" else parts[:-1]


def imports(module: Module, names: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every module of the package (dotted, without the package) or third-party top name that ``module`` imports.

    ``names`` are the package's modules, to tell ``from . import cache`` (a module) from ``from .model import Event``.
    """
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0] if not alias.name.startswith(PACKAGE) else alias.name[len(PACKAGE) + 1 :]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                name = node.module or ""
                if name == PACKAGE or name.startswith(PACKAGE + "."):
                    base = name[len(PACKAGE) + 1 :]
                    yield from _targets(base, node, names)
                else:
                    yield name.split(".")[0]
                continue
            package = _package_of(module)
            if node.level > 1:
                package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, *(node.module.split(".") if node.module else [])])
            yield from _targets(base, node, names)


def _targets(base: str, node: ast.ImportFrom, names: frozenset[str]) -> Iterator[str]:
    # `from . import cache` names a module; `from .model import Event` names the module model.
    hit = False
    for alias in node.names:
        candidate = f"{base}.{alias.name}" if base else alias.name
        if candidate in names:
            hit = True
            yield candidate
    if not hit:
        yield base or "__init__"


def arrows(found: list[Module] | None = None, *, units: bool = False) -> set[tuple[str, str]]:
    """Import arrows between modules; with ``units``, between top-level units (a subpackage counts as one)."""
    found = modules() if found is None else found
    names = frozenset(module.name for module in found)
    edges = set()
    for module in found:
        for target in imports(module, names):
            if target in names and target != module.name:
                edge = (module.name.split(".")[0], target.split(".")[0]) if units else (module.name, target)
                if edge[0] != edge[1]:
                    edges.add(edge)
    return edges


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    found: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                found.append([*trail[trail.index(target) :], target] if target in trail else [node, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def framework_users(found: list[Module] | None = None) -> list[str]:
    """Modules other than the CLI that import Typer or Click."""
    found = modules() if found is None else found
    below = [module for module in found if module.name.split(".")[0] != "cli"]
    return sorted(module.name for module in below if set(imports(module)) & set(FRAMEWORKS))


def public_definitions(found: list[Module] | None = None) -> dict[str, list[str]]:
    """Each public top-level function or class name, with the modules that define it."""
    found = modules() if found is None else found
    defined: dict[str, list[str]] = {}
    for module in found:
        for node in module.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                defined.setdefault(node.name, []).append(module.name)
    return defined


def flag_spellers(found: list[Module] | None = None) -> list[tuple[str, int, str]]:
    """String constants below the CLI that spell an option (``--data``)."""
    found = modules() if found is None else found
    hits = []
    for module in found:
        if module.name.split(".")[0] == "cli":
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for word in node.value.split():
                    # ``--name`` spells an option; ``--name:`` is a CSS custom property, ``--name-`` the start of
                    # one's name (``--kind-`` + a kind): no option name ends in a colon or a hyphen
                    if word.startswith("--") and len(word) > 2 and word[2].isalpha() and not word.endswith((":", "-")):
                        hits.append((module.name, node.lineno, word))
    return hits


def main() -> int:
    root = Path(sys.argv[1]) / "src" / PACKAGE if len(sys.argv) > 1 else ROOT  # another checkout, to compare
    found = modules(root)
    edges = arrows(found)
    top = sorted({module.name.split(".")[0] for module in found})
    print(f"modules: {len(found)} in all, {len(top)} at the top level ({', '.join(top)})")
    print(f"import arrows: {len(edges)} between modules, {len(arrows(found, units=True))} between top-level units")
    print(f"cycles: {cycles(edges) or 'none'}")
    print(f"Typer or Click below the CLI: {framework_users(found) or 'none'}")
    twice = {name: where for name, where in public_definitions(found).items() if len(where) > 1}
    print(f"public names defined twice: {twice or 'none'}")
    print(f"flag names spelled below the CLI: {flag_spellers(found) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
