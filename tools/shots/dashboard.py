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

import argparse
import asyncio
import os
import sys
import tempfile
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration" / "accounts"))
os.environ["PYTHON_KEYRING_BACKEND"] = "accounts_keyring.MemoryKeyring"
OUT = ROOT / "docs" / "screenshots"


def start_world():
    """A demo sandbox and a profile signed in to it (before any Qt object exists)."""
    from accounts_helpers import make_browser
    from app import accounts_cli
    from sandbox.runner import SandboxServer
    from sandbox.seed import root_contact_folder
    from sandbox.seed_demo import outlook_contact

    server = SandboxServer(seed="demo", auto_approve=True)
    info = server.start()
    server.state.config["device_interval_s"] = 1
    os.environ["TANDEM_SANDBOX_URL"] = info["base_url"]
    os.environ["TANDEM_SANDBOX_CA"] = info["ca_file"]

    class Box:
        ca_file = info["ca_file"]

    profile = Path(tempfile.mkdtemp(prefix="tandem-shots-")) / "profile"
    base = dict(profile=str(profile), sandbox_url=None, sandbox_ca=None, json=True, device=False,
                service=None, login_host=None)
    assert accounts_cli.login_outlook(argparse.Namespace(**base)) == 0
    assert accounts_cli.login_salesforce(argparse.Namespace(**base, open_browser=make_browser(Box))) == 0
    root = root_contact_folder(server.state)["id"]
    server.state.graph_create("contacts", outlook_contact(
        given="Lena", surname="Langtitel", emails=["lena.langtitel@example.org"],
        job_title="Head of Cross-Border Payment Partnerships, Strategic Alliances and Ecosystem "
                  "Development for the Nordics, Baltics and Central Eastern Europe",
        folder_id=root), container=root)
    return server, info, profile


def edit_both_sides(state) -> None:
    """A few edits between the runs, so the second run has updates to show."""
    me = state.sf["me"]
    contacts = [c for c in state.sf["records"]["Contact"].values() if c.get("OwnerId") == me and c.get("AccountId")]
    for contact, title in zip(contacts[:2], ("VP Finance", "Head of Procurement")):
        state.sf_update("Contact", contact["Id"], {"Title": title}, user_id=me)
    for task in list(state.graph["todoTasks"].values())[:1]:
        state.graph_update("todoTasks", task["id"], {"importance": "high" if task.get("importance") != "high" else "low"})


def main() -> None:
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    suffix = "" if scale in ("", "1") else f"@{scale}x"
    server, info, profile = start_world()

    import qasync
    from PyQt6.QtCore import QObject, QTimer, pyqtSignal
    from PyQt6.QtWidgets import QApplication

    from app.context import AppContext
    from sync.plan import Decisions
    from ui.controller import SyncController
    from ui.dashboard import MainWindow

    class AutoApply(QObject):
        """The preview, applied as shown (the preview dialog has its own screenshots)."""

        apply_requested = pyqtSignal(object)
        cancelled = pyqtSignal()

        def __init__(self, plan, parent=None) -> None:
            super().__init__(parent)

        def show(self) -> None:
            QTimer.singleShot(0, lambda: self.apply_requested.emit(Decisions()))

    module = types.ModuleType("ui.preview")
    module.PreviewDialog = AutoApply
    sys.modules["ui.preview"] = module

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    OUT.mkdir(parents=True, exist_ok=True)
    ctx = AppContext.open(profile, sandbox_url=info["base_url"], sandbox_ca=info["ca_file"])
    controller = SyncController(ctx)
    window = MainWindow(ctx, controller)
    window.resize(1100, 760)
    window.show()

    async def until(predicate, timeout: float = 60) -> None:
        async def wait() -> None:
            while not predicate():
                await asyncio.sleep(0.05)
        try:
            await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:
            print(f"timed out; busy={controller.busy} runs={window.history_model.rowCount()} "
                  f"banner={window.banner.text.text()!r} status={window.busy_label.text()!r}", flush=True)
            raise

    async def settle() -> None:
        for _ in range(10):
            app.processEvents()
            await asyncio.sleep(0.02)

    async def shot(name: str) -> None:
        await settle()
        path = OUT / f"{name}{suffix}.png"
        window.grab().save(str(path))
        print(path)

    async def script() -> None:
        window.sync_now(None)
        await until(lambda: window.history_model.rowCount() == 1 and not controller.busy)
        window.hide_banner()
        window.tabs.setCurrentIndex(0)
        window.select_run(window.history_model.runs[0]["id"])
        await shot("dashboard")

        edit_both_sides(server.state)
        window.sync_now(None)
        await until(lambda: window.history_model.rowCount() == 2 and not controller.busy)
        window.tabs.setCurrentIndex(0)
        window.select_run(window.history_model.runs[0]["id"])
        window.history_splitter.setSizes([150, 400])
        await shot("dashboard-run")

        issues = window.issues_model.issues
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

    try:
        loop.run_until_complete(script())
    finally:
        window.close()
        ctx.close()
        server.stop()


if __name__ == "__main__":
    main()
