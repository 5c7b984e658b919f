"""Screenshots of the H2 follow-ups: a large run's first page with "Show more", and the
reconnect window (the wizard's sign-in page alone) for Outlook and Salesforce.

    QT_QPA_PLATFORM=offscreen .venv/bin/python /tmp/h2/shots_h2.py
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python /tmp/h2/shots_h2.py   # @2x

Saves docs/screenshots/dashboard-large-run.png, reconnect-outlook.png, reconnect-salesforce.png.
"""
from __future__ import annotations

import argparse, asyncio, os, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration" / "accounts"))
os.environ["PYTHON_KEYRING_BACKEND"] = "accounts_keyring.MemoryKeyring"
OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    suffix = "" if scale in ("", "1") else f"@{scale}x"
    from accounts_helpers import make_browser
    from app import accounts_cli
    from sandbox.runner import SandboxServer

    server = SandboxServer(seed="scale:3000,0,0", auto_approve=True)
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

    import qasync
    from PyQt6.QtWidgets import QApplication
    from app.context import AppContext
    from sync.plan import Decisions
    from ui.controller import SyncController
    from ui.dashboard import MainWindow
    from ui.wizard import FirstRunWizard

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    OUT.mkdir(parents=True, exist_ok=True)
    ctx = AppContext.open(profile, sandbox_url=info["base_url"], sandbox_ca=info["ca_file"])
    controller = SyncController(ctx)

    class Launcher:
        def open_demo(self):
            return ctx

        open_real = open_demo

        def controller_for(self, _ctx):
            return controller

    async def until(predicate, timeout: float = 120) -> None:
        async def wait() -> None:
            while not predicate():
                await asyncio.sleep(0.05)
        await asyncio.wait_for(wait(), timeout)

    async def settle() -> None:
        for _ in range(10):
            await asyncio.sleep(0.03)

    async def shot(widget, name: str) -> None:
        await settle()
        path = OUT / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        print(path, flush=True)

    async def script() -> None:
        done = asyncio.Event()
        controller.run_finished.connect(lambda *_: done.set())
        assert controller.start_preview(["contacts"])
        await until(lambda: controller.pending_plan is not None)
        assert controller.apply_preview(Decisions())
        await done.wait()
        window = MainWindow(ctx, controller)
        window.resize(1100, 760)
        window.show()
        window.select_run(ctx.store.runs(limit=1)[0]["id"])
        window.history_splitter.setSizes([150, 480])
        window.changes_view.scrollToBottom()
        await shot(window, "dashboard-large-run")
        window.close()

        server.state.tokens.revoke_all_refresh("microsoft")
        server.state.config["auto_approve"] = False
        wizard = FirstRunWizard(Launcher(), start_at="outlook", only_sign_in=True)
        wizard.show()
        await until(lambda: wizard.outlook_page.code.code.text())
        await shot(wizard, "reconnect-outlook")
        wizard.reject()
        wizard = FirstRunWizard(Launcher(), start_at="salesforce", only_sign_in=True)
        wizard.show()
        await shot(wizard, "reconnect-salesforce")
        wizard.reject()

    try:
        loop.run_until_complete(script())
    finally:
        ctx.close()
        server.stop()


if __name__ == "__main__":
    main()
