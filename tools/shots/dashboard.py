"""Screenshots of the dashboard (main window) with the demo world.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/shots/dashboard.py
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python tools/shots/dashboard.py   # @2x

Starts its own sandbox (seed "demo"), signs a throw-away profile in to both services the way
tests/ui/conftest.py does (device code auto-approved, scripted browser, in-memory keyring),
adds one Outlook contact whose job title is too long for Salesforce (an item issue), runs
the first sync through the window (the preview is applied as shown), edits a few records on
both sides, syncs again, and saves into docs/screenshots/:

- dashboard.png           after the first sync: status cards, budget, history, its changes
- dashboard-run.png       the second run's item-level changes (field by field)
- dashboard-issues.png    the Issues tab with the explanation and the open-in links
- dashboard-private.png   the Private contacts tab: a contact picked, an account found
"""

from __future__ import annotations

import asyncio
import sys
import types

import demo_setup
from demo_setup import demo_world, open_context, qt, run, save


def start_world():
    """A demo sandbox and a profile signed in to it (before any Qt object exists), plus one
    Outlook contact whose job title is too long for Salesforce."""
    from sandbox.seed import root_contact_folder
    from sandbox.seed_demo import outlook_contact

    server, info, profile = demo_world("demo")
    root = root_contact_folder(server.state)["id"]
    server.state.graph_create(
        "contacts",
        outlook_contact(
            given="Lena",
            surname="Langtitel",
            emails=["lena.langtitel@example.org"],
            job_title="Head of Cross-Border Payment Partnerships, Strategic Alliances and Ecosystem "
            "Development for the Nordics, Baltics and Central Eastern Europe",
            folder_id=root,
        ),
        container=root,
    )
    return server, info, profile


def edit_both_sides(state) -> None:
    """A few edits between the runs, so the second run has updates to show."""
    me = state.sf["me"]
    contacts = [
        c for c in state.sf["records"]["Contact"].values() if c.get("OwnerId") == me and c.get("AccountId")
    ]
    for contact, title in zip(contacts[:2], ("VP Finance", "Head of Procurement"), strict=False):
        state.sf_update("Contact", contact["Id"], {"Title": title}, user_id=me)
    for task in list(state.graph["todoTasks"].values())[:1]:
        state.graph_update(
            "todoTasks", task["id"], {"importance": "high" if task.get("importance") != "high" else "low"}
        )


def main() -> None:
    server, info, profile = start_world()

    from PyQt6.QtCore import QObject, QTimer, pyqtSignal

    from sync.plan import Decisions
    from ui.controller import SyncController
    from ui.dashboard.window import MainWindow

    class AutoApply(QObject):
        """The preview, applied as shown (the preview dialog has its own screenshots)."""

        apply_requested = pyqtSignal(object)
        cancelled = pyqtSignal()

        def __init__(self, plan, parent=None) -> None:
            super().__init__(parent)

        def show(self) -> None:
            QTimer.singleShot(0, lambda: self.apply_requested.emit(Decisions()))

    module = types.ModuleType("ui.preview.widget")
    module.PreviewDialog = AutoApply
    sys.modules["ui.preview.widget"] = module

    app, loop = qt()
    ctx = open_context(info, profile)
    controller = SyncController(ctx)
    window = MainWindow(ctx, controller)
    window.resize(1100, 760)
    window.show()

    async def until(predicate, timeout: float = 60) -> None:
        try:
            await demo_setup.until(predicate, timeout)
        except TimeoutError:
            print(
                f"timed out; busy={controller.busy} runs={window.history.model.rowCount()} "
                f"banner={window.banner.text.text()!r} status={window.busy_label.text()!r}",
                flush=True,
            )
            raise

    async def settle() -> None:
        for _ in range(10):
            app.processEvents()
            await asyncio.sleep(0.02)

    async def shot(name: str) -> None:
        await settle()
        save(window, name)

    async def script() -> None:
        window.sync_now(None)
        await until(lambda: window.history.model.rowCount() == 1 and not controller.busy)
        window.hide_banner()
        window.tabs.setCurrentIndex(0)
        window.select_run(window.history.model.runs[0]["id"])
        await shot("dashboard")

        edit_both_sides(server.state)
        window.sync_now(None)
        await until(lambda: window.history.model.rowCount() == 2 and not controller.busy)
        window.tabs.setCurrentIndex(0)
        window.select_run(window.history.model.runs[0]["id"])
        window.history.splitter.setSizes([150, 400])
        await shot("dashboard-run")

        issues = window.issues.model.issues
        if issues:
            window.open_issue(issues[0]["id"])
        await shot("dashboard-issues")
        window.hide_banner()

        panel = window.private_panel
        window.tabs.setCurrentWidget(panel)
        await until(lambda: panel.loaded)
        panel.table.selectRow(0)
        panel.search_edit.setText("gmbh")
        panel.search()
        await until(lambda: not panel.searching)
        panel.results.setCurrentRow(1)
        await shot("dashboard-private")

    run(loop, script(), close=(window, ctx), server=server)


if __name__ == "__main__":
    main()
