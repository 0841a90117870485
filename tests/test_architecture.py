"""The package's shape, checked on its source: packages import one way only, down the layers
the README's Architecture section names, and every module, function and branch count stays
small enough to read (issue 13: no module over 500 lines, no function over 80 lines or of
cyclomatic complexity over 20, measured with radon).

Every import statement counts, wherever it is: at the top of a module, inside a function
(the lazy imports that keep ``--help`` fast are dependencies all the same) and under
``if TYPE_CHECKING:`` (a type-only import is still a dependency a reader has to follow, and
none is needed upward: the engines take the query as ``Any``, the store is handed its
engines as :class:`insidergraph.graph.store.Engines`). What is not an import statement is
not counted: ``"module:attribute"`` names that a registry resolves when asked
(:data:`insidergraph.backends.BACKENDS`, the CLI's option choices in ``console.py``, the
Python API that the package's ``__init__`` names in ``insidergraph.API``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from radon.complexity import cc_visit
from radon.raw import analyze

PACKAGE = Path(__file__).resolve().parents[1] / "insidergraph"
#: The layers, lowest first: a package imports only packages of lower layers (and itself).
#: ``insidergraph`` is the package's own ``__init__`` (its version, and the names of the
#: Python API, which it resolves on first use); ``api`` is that API (``insidergraph/api.py``),
#: above the queries it asks and beside the CLI, which does not use it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("insidergraph", "errors"),
    ("model", "ontology", "console"),
    ("loaders",),
    ("graph",),
    ("backends",),
    ("queries", "edgar"),
    ("api", "cli"),
)
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
MAX_COMPLEXITY = 20

# Every module is within the limits: a file that needs an exception names it here, with why.
_OFFENDERS: dict[str, dict[str, str]] = {"module_lines": {}, "function_lines": {}, "complexity": {}}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(module: str) -> str:
    """``insidergraph.graph.store`` is in ``graph``; ``insidergraph.cli`` is ``cli``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import statement of the file, however deep."""
    module = _module_name(path)
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, target


def _package_imports() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> where (``file:line imports module``)."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in _modules():
        source = _package(_module_name(path))
        for line, target in _imports(path):
            if target == "insidergraph" or target.startswith("insidergraph."):
                imported = _package(target)
                if imported != source:
                    edges.setdefault((source, imported), []).append(f"{_rel(path)}:{line} imports {target}")
    return edges


def _cycles(edges: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_the_import_scanner_sees_imports_inside_functions_and_under_type_checking() -> None:
    # The scanner itself, on modules of the real package: store_build.py's lazy import of the
    # loaders sits inside build_store, store.py names the builder under TYPE_CHECKING, and the
    # engines name the Store there too.
    store_build = {t for _, t in _imports(PACKAGE / "graph" / "store_build.py")}
    assert "insidergraph.loaders.detect" in store_build
    store = {t for _, t in _imports(PACKAGE / "graph" / "store.py")}
    assert "insidergraph.graph.build" in store
    engine = {t for _, t in _imports(PACKAGE / "backends" / "networkx" / "engine.py")}
    assert {"insidergraph.graph.store", "insidergraph.backends.networkx.graph", "insidergraph.errors"} <= engine
    assert _cycles({("a", "b"): ["x"], ("b", "c"): ["y"], ("c", "a"): ["z"], ("c", "d"): ["w"]}) == [["a", "b", "c"]]


def test_the_package_names_its_python_api_without_importing_it() -> None:
    # `import insidergraph` runs before every module of the package: it imports none of them,
    # and what it names is the API layer's (resolved on first use).
    import insidergraph

    assert not [t for _, t in _imports(PACKAGE / "__init__.py") if t.startswith("insidergraph")]
    assert {t.partition(":")[0] for t in insidergraph.API.values()} == {"insidergraph.api"}
    assert all(callable(getattr(insidergraph, name)) for name in insidergraph.API)


def test_no_import_cycle_between_packages() -> None:
    edges = _package_imports()
    problems = []
    for component in _cycles(edges):
        where = [w for (a, b), ws in sorted(edges.items()) if a in component and b in component for w in ws]
        problems.append(f"{' <-> '.join(component)}: " + "; ".join(where))
    assert not problems, "\n".join(problems)


def test_each_package_imports_only_the_layers_below_it() -> None:
    layer = {name: i for i, names in enumerate(LAYERS) for name in names}
    packages = {_package(_module_name(p)) for p in _modules()}
    assert packages == set(layer), f"packages not placed in LAYERS: {sorted(packages - set(layer))}"
    upward = [w for (a, b), ws in sorted(_package_imports().items()) if layer[b] >= layer[a] for w in ws]
    assert not upward, "imports that are not of a lower layer:\n" + "\n".join(upward)


def _marked(check: str) -> list[object]:
    params: list[object] = []
    for path in _modules():
        reason = _OFFENDERS[check].get(_rel(path))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(path, id=_rel(path), marks=marks))
    return params


def _functions(path: Path) -> Iterator[tuple[str, int, int]]:
    """(name, lines, cyclomatic complexity) of every function, method and nested function."""
    blocks = [b for b in cc_visit(path.read_text(encoding="utf-8")) if hasattr(b, "closures")]
    while blocks:
        block = blocks.pop()
        blocks.extend(block.closures)
        yield block.fullname, block.endline - block.lineno + 1, block.complexity


def test_the_offenders_named_are_modules_of_the_package() -> None:
    known = {_rel(p) for p in _modules()}
    assert {f for files in _OFFENDERS.values() for f in files} <= known


@pytest.mark.parametrize("path", _marked("module_lines"))
def test_no_module_over_500_lines(path: Path) -> None:
    lines = analyze(path.read_text(encoding="utf-8")).loc
    assert lines <= MAX_MODULE_LINES, f"{_rel(path)} has {lines} lines"


@pytest.mark.parametrize("path", _marked("function_lines"))
def test_no_function_over_80_lines(path: Path) -> None:
    long = [f"{name} ({n} lines)" for name, n, _ in _functions(path) if n > MAX_FUNCTION_LINES]
    assert not long, f"{_rel(path)}: {', '.join(sorted(long))}"


@pytest.mark.parametrize("path", _marked("complexity"))
def test_no_function_of_complexity_over_20(path: Path) -> None:
    high = [f"{name} ({cc})" for name, _, cc in _functions(path) if cc > MAX_COMPLEXITY]
    assert not high, f"{_rel(path)}: {', '.join(sorted(high))}"
