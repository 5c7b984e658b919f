"""The import rules of ARCHITECTURE.md: ui -> app -> sync; sandbox stands alone.

Reads every module's imports (including ones inside functions) with ``ast`` and fails with
the file, line and forbidden module when a layer reaches up or sideways.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QT = {"PyQt6", "qasync", "superqt"}
FORBIDDEN: dict[str, set[str]] = {
    "sync": {"app", "ui", "sandbox", "keyring", "msal", "main"} | QT,
    "app": {"ui", "sandbox", "main"} | QT,
    "ui": {"sandbox", "main"},
    "sandbox": {"app", "ui", "sync", "main"} | QT,
}


def imported_roots(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def violations(root: Path) -> list[str]:
    problems = []
    for layer, banned in FORBIDDEN.items():
        for path in sorted((root / layer).rglob("*.py")):
            for line, name in imported_roots(path):
                if name in banned:
                    problems.append(f"{path.relative_to(root)}:{line} imports {name}")
    return problems


def test_layers_import_only_downwards() -> None:
    assert violations(ROOT) == []


def test_checker_catches_a_layer_reaching_up(tmp_path: Path) -> None:
    (tmp_path / "sync").mkdir()
    (tmp_path / "sync" / "planner.py").write_text("import os\nfrom PyQt6 import QtCore\n")
    (tmp_path / "sandbox").mkdir()
    (tmp_path / "sandbox" / "graph.py").write_text("def f():\n    from sync.store import Store\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "auth.py").write_text("import msal\nfrom . import secrets\n")
    assert violations(tmp_path) == [
        "sync/planner.py:2 imports PyQt6",
        "sandbox/graph.py:2 imports sync",
    ]
