"""The import rules of docs/ARCHITECTURE.md, read from the code with ``ast``.

- Layers: ui -> app -> sync; sandbox stands alone.
- Inside sync/: the engine never imports an adapter (sync.graph, sync.salesforce) and the two
  adapters never import each other; only the composition place (app/) puts them together.
- No import circles between modules, counting imports inside functions too.
- No source file over 600 lines, except the SOQL grammar and the demo seed data.

Each rule has a test that proves its checker catches a violation.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sync", "app", "ui", "sandbox")

QT = {"PyQt6", "qasync", "superqt"}
FORBIDDEN: dict[str, set[str]] = {
    "sync": {"app", "ui", "sandbox", "keyring", "msal", "main"} | QT,
    "app": {"ui", "sandbox", "main"} | QT,
    "ui": {"sandbox", "main"},
    "sandbox": {"app", "ui", "sync", "main"} | QT,
}
ADAPTERS = ("sync.graph", "sync.salesforce")
MAX_LINES = 600
LONG_ALLOWED = {"sandbox/salesforce/soql.py", "sandbox/seed_demo.py"}  # a grammar, seed data


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path, path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module) of every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(root, path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # ``from pkg import module``
                yield node.lineno, f"{module}.{alias.name}"


def sources(root: Path) -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((root / package).rglob("*.py"))


def violations(root: Path) -> list[str]:
    problems = []
    for layer, banned in FORBIDDEN.items():
        for path in sorted((root / layer).rglob("*.py")):
            for line, name in imports(root, path):
                if name.split(".")[0] in banned:
                    problems.append(f"{path.relative_to(root)}:{line} imports {name.split('.')[0]}")
    return sorted(set(problems), key=problems.index)


def adapter_violations(root: Path) -> list[str]:
    problems = []
    for path in sorted((root / "sync").rglob("*.py")):
        here = module_name(root, path)
        own = next((a for a in ADAPTERS if here == a or here.startswith(a + ".")), None)
        for line, name in imports(root, path):
            target = next((a for a in ADAPTERS if name == a or name.startswith(a + ".")), None)
            if target is not None and target != own:
                who = "the engine" if own is None else own
                problems.append(f"{path.relative_to(root)}:{line} ({who}) imports {target}")
    return sorted(set(problems))


def graph(root: Path) -> dict[str, set[str]]:
    """Module -> the project modules it imports (by module, not by package __init__)."""
    paths = {module_name(root, p): p for p in sources(root)}
    edges: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets = set()
        for _line, imported in imports(root, path):
            if imported in paths and imported != name and paths[imported].name != "__init__.py":
                targets.add(imported)
        edges[name] = targets
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def long_files(root: Path, allowed: Iterable[str] = LONG_ALLOWED) -> list[str]:
    out = []
    for path in sources(root):
        rel = path.relative_to(root).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and rel not in allowed:
            out.append(f"{rel} ({lines} lines)")
    return out


# -- the rules, on the real tree ------------------------------------------------------------


def test_layers_import_only_downwards() -> None:
    assert violations(ROOT) == []


def test_the_engine_reaches_the_adapters_only_through_the_source_protocol() -> None:
    assert adapter_violations(ROOT) == []


def test_no_import_circles() -> None:
    assert cycles(graph(ROOT)) == []


def test_no_source_file_over_600_lines() -> None:
    assert long_files(ROOT) == []


# -- the checkers catch what they look for ---------------------------------------------------


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_checker_catches_a_layer_reaching_up(tmp_path: Path) -> None:
    write(tmp_path, "sync/planner.py", "import os\nfrom PyQt6 import QtCore\n")
    write(tmp_path, "sandbox/graph.py", "def f():\n    from sync.store import Store\n")
    write(tmp_path, "app/auth.py", "import msal\nfrom . import secrets\n")
    assert violations(tmp_path) == [
        "sync/planner.py:2 imports PyQt6",
        "sandbox/graph.py:2 imports sync",
    ]


def test_checker_catches_the_engine_or_an_adapter_reaching_another_adapter(tmp_path: Path) -> None:
    write(tmp_path, "sync/__init__.py", "")
    write(tmp_path, "sync/planner.py", "from .graph.mapping import to_record\n")
    write(tmp_path, "sync/graph/__init__.py", "")
    write(tmp_path, "sync/graph/source.py", "from sync.records import Record\nfrom ..graph.client import C\n")
    write(tmp_path, "sync/salesforce/__init__.py", "")
    write(tmp_path, "sync/salesforce/source.py", "def f():\n    from sync.graph import client\n")
    assert adapter_violations(tmp_path) == [
        "sync/planner.py:1 (the engine) imports sync.graph",
        "sync/salesforce/source.py:2 (sync.salesforce) imports sync.graph",
    ]


def test_checker_catches_an_import_circle_even_inside_a_function(tmp_path: Path) -> None:
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/policy.py", "from app.settings import SPECS\n")
    write(tmp_path, "app/settings.py", "def load():\n    from . import policy\n")
    write(tmp_path, "app/paths.py", "from app import settings\n")
    assert cycles(graph(tmp_path)) == [["app.policy", "app.settings"]]


def test_checker_catches_a_long_file(tmp_path: Path) -> None:
    write(tmp_path, "ui/preview.py", "x = 1\n" * 601)
    write(tmp_path, "ui/ok.py", "x = 1\n" * 600)
    write(tmp_path, "sandbox/salesforce/soql.py", "x = 1\n" * 900)
    assert long_files(tmp_path) == ["ui/preview.py (601 lines)"]
