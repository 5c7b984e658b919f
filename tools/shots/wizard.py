"""Screenshots of the first-run wizard, every page, walked with the demo world.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/shots/wizard.py
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python tools/shots/wizard.py   # @2x

Starts its own sandbox (seed "demo") and a throw-away, not signed-in profile (in-memory
keyring), then walks the wizard the way a person would: demo data, the Outlook device code
(approved through the sandbox's control API once the shot is taken), the Salesforce browser
sign-in (a scripted browser), contacts from the "Partners" folder, events one way, the preview,
the apply, auto sync switched on, done. A second profile skips the first sync to show the
locked auto sync page. Saves into docs/screenshots/:

wizard-welcome, wizard-outlook-code, wizard-outlook-error, wizard-outlook, wizard-salesforce,
wizard-salesforce-code, wizard-salesforce-browser, wizard-salesforce-done, wizard-what,
wizard-direction, wizard-preview, wizard-applying, wizard-apply, wizard-auto,
wizard-auto-locked, wizard-done (.png / @2x.png)
"""

from __future__ import annotations

import argparse
import asyncio

from demo_setup import browser, control, new_profile, open_context, qt, save, start_sandbox, until

SIZE = (860, 660)


class Launcher:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def open_demo(self):
        return self.ctx

    def open_real(self):
        return self.ctx

    def controller_for(self, ctx):
        from ui.controller import SyncController

        return SyncController(ctx)


def main() -> None:
    server, info = start_sandbox("demo", auto_approve=False)

    from ui.wizard.window import FirstRunWizard, Page

    app, loop = qt()
    app.setQuitOnLastWindowClosed(False)  # closing a wizard must not stop the loop
    tmp = new_profile("tandem-wizard-shots-").parent

    async def shot(wizard, name: str) -> None:
        await asyncio.sleep(0.2)  # let layouts settle
        app.processEvents()
        save(wizard, name)

    def make(ctx) -> FirstRunWizard:
        wizard = FirstRunWizard(Launcher(ctx), demo=True)
        wizard.open_browser = browser(info)
        wizard.resize(*SIZE)
        wizard.show()
        return wizard

    async def walk() -> None:
        ctx = open_context(info, tmp / "profile")
        wizard = make(ctx)
        await shot(wizard, "wizard-welcome")

        wizard.next()
        page = wizard.outlook_page
        await until(lambda: page.code.code.text())
        await shot(wizard, "wizard-outlook-code")
        # Declined first (the error and Try again), then approved.
        await asyncio.to_thread(control, info, "device/decline", {"user_code": page.code.code.text()})
        await until(page.retry.isVisible)
        await shot(wizard, "wizard-outlook-error")
        page.retry.click()
        await until(lambda: page.code.code.text())
        await asyncio.to_thread(control, info, "device/approve", {"user_code": page.code.code.text()})
        await until(page.isComplete)
        await shot(wizard, "wizard-outlook")

        wizard.next()
        sf = wizard.salesforce_page
        await shot(wizard, "wizard-salesforce")
        sf.start_device()
        await until(lambda: sf.code.code.text())
        await shot(wizard, "wizard-salesforce-code")
        sf.cancel_sign_in()

        async def browser_that_waits(url: str) -> None:  # the person is still in the browser
            await asyncio.sleep(3600)

        wizard.open_browser = browser_that_waits
        sf.browser.click()
        await until(sf.link.isVisible)
        await shot(wizard, "wizard-salesforce-browser")
        sf.cancel_sign_in()
        wizard.open_browser = browser(info)
        server.state.config["auto_approve"] = True
        sf.browser.click()
        await until(sf.isComplete)
        await shot(wizard, "wizard-salesforce-done")

        wizard.next()
        what = wizard.what_page
        await until(lambda: what.folders_loaded and what.campaigns_loaded)
        what.folder["contacts"].setCurrentIndex(what.folder["contacts"].findText("Partners"))
        what.range.setCurrentIndex(what.range.findData("campaign"))
        what.campaign.setCurrentIndex(what.campaign.findText("Berlin Fintech Summit 2026"))
        await shot(wizard, "wizard-what")

        wizard.next()
        editor = wizard.direction_page.editors["events"]
        editor.preset.setCurrentIndex(editor.preset.findData("to_outlook"))
        editor._preset_chosen(editor.preset.currentIndex())
        await shot(wizard, "wizard-direction")

        wizard.next()
        await until(wizard.preview_page.isComplete)
        await shot(wizard, "wizard-preview")

        server.state.set_faults(latency_ms=400)  # slow enough to see the progress
        wizard.next()
        await asyncio.sleep(1.0)
        await shot(wizard, "wizard-applying")
        server.state.set_faults(latency_ms=0)
        await until(wizard.apply_page.isComplete)
        await shot(wizard, "wizard-apply")

        wizard.next()
        wizard.auto_page.enabled.setChecked(True)
        await shot(wizard, "wizard-auto")

        wizard.next()
        await shot(wizard, "wizard-done")
        wizard.accept()
        ctx.close()

        # A second profile that skips the first sync: auto sync stays locked.
        ctx2 = open_context(info, tmp / "profile2")
        wizard = make(ctx2)
        wizard.next()
        await until(wizard.outlook_page.isComplete)  # auto-approved by now
        wizard.next()
        wizard.salesforce_page.browser.click()
        await until(wizard.salesforce_page.isComplete)
        wizard.next()
        await until(lambda: wizard.what_page.folders_loaded)
        wizard.next()
        wizard.next()
        await until(wizard.preview_page.isComplete)
        wizard.preview_page.skip.click()
        assert wizard.currentId() == Page.AUTO
        await shot(wizard, "wizard-auto-locked")
        wizard.reject()
        await until(lambda: not wizard.controller.busy)
        ctx2.close()

    try:
        with loop:
            loop.run_until_complete(walk())
    finally:
        server.stop()


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    main()
