"""The import rules inside sync/ (ARCHITECTURE.md): the engine knows no service.

- no import circle among sync/ modules (imports inside functions count too);
- the engine modules (everything outside sync/graph and sync/salesforce) never import an
  adapter, so the engine runs on any ``Source``;
- the two adapters never import each other.

Reads every module's imports with ``ast``; a failure names the file and the module.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ADAPTERS = ("sync.graph", "sync.salesforce")


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the sync modules it imports (absolute and relative, at any depth)."""
    paths = {_module_name(root, p): p for p in sorted((root / "sync").rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base_parts = package[: len(package) - node.level + 1]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def _is_adapter(name: str) -> str | None:
    return next((a for a in ADAPTERS if name == a or name.startswith(a + ".")), None)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles, each as the path that closes it."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        for target in sorted(graph[name]):
            if target in path:
                found.append(path[path.index(target) :] + [target])
            elif target not in done:
                visit(target, path + [target])
        done.add(name)

    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    return found


def violations(root: Path) -> list[str]:
    graph = import_graph(root)
    problems = [" -> ".join(c) for c in cycles(graph)]
    for name, targets in sorted(graph.items()):
        own = _is_adapter(name)
        for target in sorted(targets):
            other = _is_adapter(target)
            if other is not None and own is None:
                problems.append(f"engine module {name} imports {target}")
            elif other is not None and own is not None and other != own:
                problems.append(f"adapter module {name} imports {target}")
    return problems


def test_sync_imports_keep_the_engine_apart_from_the_services() -> None:
    assert violations(ROOT) == []


def test_checker_catches_circles_and_adapter_imports(tmp_path: Path) -> None:
    files = {
        "sync/__init__.py": "",
        "sync/plan.py": "from .records import Record\n",
        "sync/records.py": "def f():\n    from sync import plan\n",
        "sync/engine.py": "from .graph.source import GraphContacts\n",
        "sync/graph/__init__.py": "",
        "sync/graph/source.py": "from ..salesforce import client\n",
        "sync/salesforce/__init__.py": "",
        "sync/salesforce/client.py": "import sync.records\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert violations(tmp_path) == [
        "sync.records -> sync.plan -> sync.records",
        "engine module sync.engine imports sync.graph.source",
        "adapter module sync.graph.source imports sync.salesforce",
        "adapter module sync.graph.source imports sync.salesforce.client",
    ]
