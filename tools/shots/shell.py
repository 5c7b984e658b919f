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

import asyncio

from demo_setup import control, demo_world, open_context, qt, run, save


def main() -> None:
    server, info, profile = demo_world("demo")

    from PyQt6.QtCore import QPoint

    from ui import shell as gui
    from ui.controller import SyncController
    from ui.summary import SummaryWindow

    app, loop = qt(app=gui.make_application())
    ctx = open_context(info, profile)
    controller = SyncController(ctx)

    async def settle() -> None:
        for _ in range(10):
            app.processEvents()
            await asyncio.sleep(0.02)

    async def shot(widget, name: str) -> None:
        await settle()
        save(widget, name)

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
        control(info, "limits", {"api_limit": 1000, "api_usage": 1000})
        report = await ctx.service.sync(trigger="manual")
        summary = SummaryWindow(report, settings=ctx.settings, open_run=lambda _id: None)
        summary.show()
        await shot(summary, "summary-problems")
        summary.close()
        shell.quit()

    run(loop, script(), close=(ctx,), server=server)


if __name__ == "__main__":
    main()
