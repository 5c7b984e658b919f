"""Screenshots of the H2 follow-ups: a large run's first page with "Show more", and the
reconnect window (the wizard's sign-in page alone) for Outlook and Salesforce.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/shots/reconnect.py
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python tools/shots/reconnect.py   # @2x

Saves docs/screenshots/dashboard-large-run.png, reconnect-outlook.png, reconnect-salesforce.png.
"""

from __future__ import annotations

import asyncio

from demo_setup import demo_world, open_context, qt, run, save, until


def main() -> None:
    server, info, profile = demo_world("scale:3000,0,0")

    from sync.plan import Decisions
    from ui.controller import SyncController
    from ui.dashboard.window import MainWindow
    from ui.wizard.window import FirstRunWizard

    app, loop = qt()
    ctx = open_context(info, profile)
    controller = SyncController(ctx)

    class Launcher:
        def open_demo(self):
            return ctx

        open_real = open_demo

        def controller_for(self, _ctx):
            return controller

    async def settle() -> None:
        for _ in range(10):
            await asyncio.sleep(0.03)

    async def shot(widget, name: str) -> None:
        await settle()
        save(widget, name)

    async def script() -> None:
        done = asyncio.Event()
        controller.run_finished.connect(lambda *_: done.set())
        assert controller.start_preview(["contacts"])
        await until(lambda: controller.pending_plan is not None, 120)
        assert controller.apply_preview(Decisions())
        await done.wait()
        window = MainWindow(ctx, controller)
        window.resize(1100, 760)
        window.show()
        window.select_run(ctx.store.runs(limit=1)[0]["id"])
        window.history.splitter.setSizes([150, 480])
        window.history.changes_view.scrollToBottom()
        await shot(window, "dashboard-large-run")
        window.close()

        server.state.tokens.revoke_all_refresh("microsoft")
        server.state.config["auto_approve"] = False
        wizard = FirstRunWizard(Launcher(), start_at="outlook", only_sign_in=True)
        wizard.show()
        await until(lambda: wizard.outlook_page.code.code.text(), 120)
        await shot(wizard, "reconnect-outlook")
        wizard.reject()
        wizard = FirstRunWizard(Launcher(), start_at="salesforce", only_sign_in=True)
        wizard.show()
        await shot(wizard, "reconnect-salesforce")
        wizard.reject()

    run(loop, script(), close=(ctx,), server=server)


if __name__ == "__main__":
    main()
