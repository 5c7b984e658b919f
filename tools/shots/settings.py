"""Screenshots of the settings dialog, every page, with the demo world.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/shots/settings.py
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python tools/shots/settings.py   # @2x

Starts its own sandbox (seed "demo"), signs a throw-away profile in to both services the way
tests/ui/conftest.py does (device code auto-approved, scripted browser, in-memory keyring),
and saves into docs/screenshots/:

- settings-auto-locked.png   Auto Background Sync before the first manual sync (locked)
- settings-jobs.png          Sync Jobs, contacts (folders and campaigns discovered; one
                             switch locked by an example policy)
- settings-jobs-events.png   Sync Jobs, calendar
- settings-auto.png          Auto Background Sync after one applied manual sync
- settings-notify.png, settings-summary.png, settings-accounts.png, settings-support.png
- settings-error.png         a refused Apply: the campaign range without a campaign
"""

from __future__ import annotations

import asyncio

from demo_setup import demo_world, open_context, qt, save


def main() -> None:
    server, info, profile = demo_world("demo")

    from app.policy import Policy
    from ui.controller import SyncController
    from ui.settings.dialog import SettingsDialog

    app, loop = qt()
    ctx = open_context(info, profile)
    # An example administrator's policy, so the lock notes show.
    ctx.settings.policy = Policy(
        locked={
            "contacts.salesforce_no_delete": True,
            "accounts.salesforce_login_host": "https://login.salesforce.com",
        }
    )
    controller = SyncController(ctx)

    async def settle(dialog: SettingsDialog) -> None:
        for _ in range(500):
            if not dialog.form.tasks:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)

    def shot(dialog: SettingsDialog, page: str, name: str) -> None:
        dialog.show_page(page)
        loop.run_until_complete(asyncio.sleep(0.05))
        save(dialog, name)

    try:
        dialog = SettingsDialog(ctx, controller)
        dialog.show()
        loop.run_until_complete(settle(dialog))
        shot(dialog, "Auto Background Sync", "settings-auto-locked")
        dialog.close()

        loop.run_until_complete(ctx.service.sync(["contacts", "events", "tasks"]))
        dialog = SettingsDialog(ctx, controller)
        dialog.show()
        loop.run_until_complete(settle(dialog))
        shot(dialog, "Sync Jobs", "settings-jobs")
        dialog.sync_jobs_page.kind_picker.setCurrentIndex(1)
        shot(dialog, "Sync Jobs", "settings-jobs-events")
        dialog.sync_jobs_page.kind_picker.setCurrentIndex(0)
        for page, name in (
            ("Auto Background Sync", "settings-auto"),
            ("Notification Options", "settings-notify"),
            ("Summary Options", "settings-summary"),
            ("Accounts", "settings-accounts"),
            ("Support", "settings-support"),
        ):
            shot(dialog, page, name)
        # A refused value: the campaign range without a campaign picked.
        scope = dialog.fields["contacts.range"].widget
        scope.setCurrentIndex(scope.findData("campaign"))
        dialog.apply()
        shot(dialog, "Sync Jobs", "settings-error")
        dialog.close()
    finally:
        ctx.close()
        server.stop()


if __name__ == "__main__":
    main()
