"""Benchmark: load a plan of 10,000 and 50,000 actions into the preview.

Run by hand: ``QT_QPA_PLATFORM=offscreen python tests/bench/bench_preview.py [--n 10000 50000]``.
Prints the wall time of ``PlanModel.set_plan`` alone, of ``PreviewWidget.set_plan`` (model,
tree view, notices, details pane and totals, on a shown widget), of unticking the biggest
group (one click on its checkbox), of reading the totals and the decisions, and of painting
the view scrolled to the end (``grab``). The plan is synthetic: contacts, events and tasks,
creates, updates (two changed fields each), deletes on both sides, matched pairs and a few
conflicts. Not part of the unit tests: ``make bench`` runs ``test_preview_50k_actions``
below, which prints the same numbers and checks only that every action is in the tree.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtCore import Qt  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from sync.plan import Action, KindPlan, Plan  # noqa: E402
from ui.preview.model import PlanModel  # noqa: E402
from ui.preview.widget import PreviewWidget  # noqa: E402

OPS = [
    ("create", "salesforce"),
    ("create", "outlook"),
    ("update", "salesforce"),
    ("update", "outlook"),
    ("update", "outlook"),
    ("delete", "outlook"),
    ("match", "both"),
]


def build(n: int) -> Plan:
    kinds = {}
    per_kind = n // 3
    for k, kind in enumerate(("contacts", "events", "tasks")):
        count = per_kind if k < 2 else n - 2 * per_kind
        actions = []
        for i in range(count):
            op, side = OPS[i % len(OPS)]
            if i % 1000 == 999:
                op, side = "conflict", "both"
            if op == "update":
                changes = {"Subject": (f"Old {i}", f"New {i}"), "Description": (None, "Notes")}
            elif op == "conflict":
                changes = {"Subject": (f"Outlook {i}", f"Salesforce {i}")}
            else:
                changes = {"Subject": (None, f"Item {i}")}
            actions.append(
                Action(
                    id=f"{kind}-{i}",
                    kind=kind,
                    op=op,
                    side=side,  # type: ignore[arg-type]
                    outlook_id=f"O{i}",
                    salesforce_id=f"S{i}",
                    label=f"Item {i} of {kind}",
                    changes=changes,
                    choices={"keep_outlook": [], "keep_salesforce": []} if op == "conflict" else {},
                )
            )
        kinds[kind] = KindPlan(kind, actions=actions)
    return Plan(kinds=kinds)


def timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def measure(app: QApplication, n: int) -> dict:
    plan = build(n)
    model = PlanModel()
    model_s, _ = timed(lambda: model.set_plan(plan))
    widget = PreviewWidget()
    widget.resize(1100, 640)
    widget.show()
    app.processEvents()
    widget_s, _ = timed(lambda: (widget.set_plan(plan), app.processEvents()))
    wm = widget.model
    biggest = max(
        ((k, g) for k in wm.kinds() for g in ("salesforce.create", "outlook.update")),
        key=lambda kg: wm.rowCount(wm.group_index(*kg)),
    )
    group = wm.group_index(*biggest)
    widget.view.expand(group)
    toggle_s, _ = timed(
        lambda: (
            wm.setData(group, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole),
            app.processEvents(),
        )
    )
    totals_s, totals = timed(wm.totals)
    decisions_s, decisions = timed(widget.decisions)
    widget.view.scrollToBottom()
    paint_s, _ = timed(lambda: widget.grab())
    rows = sum(
        wm.rowCount(wm.index(g, 0, wm.kind_index(k)))
        for k in wm.kinds()
        for g in range(wm.rowCount(wm.kind_index(k)))
    )
    print(
        f"{n:>7} actions: model.set_plan {model_s * 1000:7.1f} ms   widget.set_plan {widget_s * 1000:7.1f} ms   "
        f"untick {wm.rowCount(group):>5} {toggle_s * 1000:6.1f} ms   totals {totals_s * 1000:5.1f} ms   "
        f"decisions {decisions_s * 1000:5.1f} ms   paint {paint_s * 1000:6.1f} ms"
    )
    widget.close()
    widget.deleteLater()
    return {
        "rows": rows,
        "excluded": len(decisions.excluded),
        "group_rows": wm.rowCount(group),
        "totals": totals,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 50_000])
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    for n in args.n:
        result = measure(app, n)
        assert result["rows"] == n and result["excluded"] == result["group_rows"]
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def test_preview_50k_actions(qapp) -> None:
    result = measure(qapp, 50_000)
    assert result["rows"] == 50_000
    assert result["excluded"] == result["group_rows"]


if __name__ == "__main__":
    main()
