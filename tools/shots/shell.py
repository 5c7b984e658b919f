"""Screenshots of the app shell with the demo world: the tray menu, the in-window banner that
replaces a toast where there is no tray, and the summary window.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/shots/shell.py
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python tools/shots/shell.py   # @2x

Starts its own sandbox (seed "demo"), signs a throw-away profile in to both services the way
tests/ui/conftest.py does (device code auto-approved, scripted browser, in-memory keyring),
runs the first manual sync, and saves into docs/screenshots/:

- summary.png            the summary after that first sync (one contact held for the person)
- summary-problems.png   the summary of a run whose kinds stopped (Salesforce API limit used up)
- tray-menu.png          the tray menu after the sync (auto sync on)
- tray-banner.png        no tray: a background sync with prevented changes, shown as a banner
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
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
    return server, info, profile


def main() -> None:
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    suffix = "" if scale in ("", "1") else f"@{scale}x"
    server, info, profile = start_world()

    import httpx
    import qasync
    import ssl
    from PyQt6.QtCore import QPoint

    from app.context import AppContext
    from ui import gui
    from ui.controller import SyncController
    from ui.summary import SummaryWindow

    app = gui.make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    OUT.mkdir(parents=True, exist_ok=True)
    ctx = AppContext.open(profile, sandbox_url=info["base_url"], sandbox_ca=info["ca_file"])
    controller = SyncController(ctx)

    async def settle() -> None:
        for _ in range(10):
            app.processEvents()
            await asyncio.sleep(0.02)

    async def shot(widget, name: str) -> None:
        await settle()
        path = OUT / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        print(path)

    def control(path: str, payload: dict) -> None:
        with httpx.Client(base_url=info["base_url"],
                          verify=ssl.create_default_context(cafile=info["ca_file"])) as client:
            client.post(f"/_sandbox/{path}", json=payload).raise_for_status()

    async def script() -> None:
        report = await ctx.service.sync(trigger="manual")
        summary = SummaryWindow(report, settings=ctx.settings, open_run=lambda _id: None)
        summary.show()
        await shot(summary, "summary")
        summary.close()

        ctx.settings.set("auto.enabled", True)
        shell = gui.Shell(ctx, controller, use_tray=False, start_autosync=False)
        shell.window.resize(1100, 760)
        shell.tray.refresh()
        shell.tray.menu.popup(QPoint(40, 40))
        await settle()
        await shot(shell.tray.menu, "tray-menu")
        shell.tray.menu.hide()

        # No tray: a background sync whose changes to Salesforce are prevented -> a banner.
        ctx.settings.apply_preset("tasks", "to_outlook")
        task = next(iter(server.state.graph["todoTasks"].values()))
        server.state.graph_update("todoTasks", task["id"], {"title": task.get("title", "Task") + " (moved)"})
        shell.open_window()
        future = controller.run_auto(["tasks"])
        await future
        while controller.busy:
            await asyncio.sleep(0.05)
        await shot(shell.window, "tray-banner")

        # The daily API limit used up: every kind stops; the summary says so.
        control("limits", {"api_limit": 1000, "api_usage": 1000})
        report = await ctx.service.sync(trigger="manual")
        summary = SummaryWindow(report, settings=ctx.settings, open_run=lambda _id: None)
        summary.show()
        await shot(summary, "summary-problems")
        summary.close()
        shell.quit()

    try:
        loop.run_until_complete(script())
    finally:
        ctx.close()
        server.stop()


if __name__ == "__main__":
    main()
