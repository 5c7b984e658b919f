"""The first-run wizard, driven end to end against the sandbox: the way a new user walks it."""

from __future__ import annotations

import asyncio

import pytest
from accounts_helpers import make_browser
from PyQt6.QtWidgets import QWizard

from ui.controller import SyncController
from ui.wizard.window import FirstRunWizard, Page


class Launcher:
    """What the app shell gives the wizard: here both choices open the test's profile."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.opened: list[str] = []
        self.controllers: list[SyncController] = []

    def open_demo(self):
        self.opened.append("demo")
        return self.ctx

    def open_real(self):
        self.opened.append("real")
        return self.ctx

    def controller_for(self, ctx):
        controller = SyncController(ctx)
        self.controllers.append(controller)
        return controller


def make_wizard(qtbot, ctx, sandbox, **kw) -> tuple[FirstRunWizard, Launcher]:
    launcher = Launcher(ctx)
    wizard = FirstRunWizard(launcher, **kw)
    wizard.open_browser = make_browser(sandbox)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard, launcher


def next_enabled(wizard: FirstRunWizard) -> bool:
    button = wizard.button(
        QWizard.WizardButton.CommitButton
        if wizard.currentPage().isCommitPage()
        else QWizard.WizardButton.NextButton
    )
    return button.isEnabled()


def go_next(wizard: FirstRunWizard, expected: Page) -> None:
    wizard.next()
    assert wizard.currentId() == expected, wizard.currentPage().title()


def wait_page_ready(qloop, wizard: FirstRunWizard, timeout: float = 60) -> None:
    qloop.until(lambda: wizard.currentPage().isComplete(), timeout=timeout)


@pytest.mark.seed("demo")
def test_demo_walkthrough_signs_in_chooses_previews_applies_and_unlocks_auto_sync(
    qtbot, qloop, fresh_ctx, sandbox_env
):
    sandbox_env.state.config["auto_approve"] = False  # approve the Outlook code by hand
    wizard, launcher = make_wizard(qtbot, fresh_ctx, sandbox_env, demo=True)
    finished = []
    wizard.setup_finished.connect(finished.append)

    # Welcome: demo preselected.
    assert wizard.welcome_page.demo.isChecked()
    go_next(wizard, Page.OUTLOOK)
    assert launcher.opened == ["demo"]

    # Outlook: the device code is shown large; Next waits for the sign-in.
    page = wizard.outlook_page
    qloop.until(lambda: page.code.code.text())
    code = page.code.code.text()
    assert page.code.isVisible() and not next_enabled(wizard)
    sandbox_env.control("device/approve", {"user_code": code})
    wait_page_ready(qloop, wizard)
    assert next_enabled(wizard)
    assert "Morgan Reyes" in page.connected.text() and "@" in page.connected.text()
    assert not page.code.isVisible()

    # Salesforce: browser sign-in (the scripted browser approves).
    go_next(wizard, Page.SALESFORCE)
    sf = wizard.salesforce_page
    assert not next_enabled(wizard)
    sandbox_env.state.config["auto_approve"] = True
    sf.browser.click()
    wait_page_ready(qloop, wizard)
    assert "Connected to Salesforce as" in sf.connected.text()

    # What: contacts from the Partners folder, events and tasks left as they are.
    go_next(wizard, Page.WHAT)
    what = wizard.what_page
    qloop.until(lambda: what.folders_loaded and what.campaigns_loaded)
    folder = what.folder["contacts"]
    partners = folder.findText("Partners")
    assert partners > 0
    folder.setCurrentIndex(partners)
    what.days_back.setValue(14)
    what.groups["tasks"].setChecked(False)
    go_next(wizard, Page.DIRECTION)
    settings = fresh_ctx.settings
    assert settings.get("contacts.outlook_folder") == folder.itemData(partners)
    assert settings.get("events.days_back") == 14
    assert settings.enabled_kinds() == ["contacts", "events"]

    # Direction: events only from Salesforce to Outlook; tasks are not offered.
    editor = wizard.direction_page.editors["events"]
    assert not wizard.direction_page.editors["tasks"].isVisibleTo(wizard.direction_page)
    editor.preset.setCurrentIndex(editor.preset.findData("to_outlook"))
    editor.preset.activated.emit(editor.preset.currentIndex())
    assert editor.switches["salesforce_no_create"].isChecked()
    go_next(wizard, Page.PREVIEW)
    assert settings.preset("events") == "to_outlook"
    assert settings.get("contacts.salesforce_no_delete") is True  # the default kept

    # Preview: Next ("Apply") waits for the plan.
    preview = wizard.preview_page
    assert not next_enabled(wizard)
    wait_page_ready(qloop, wizard)
    assert set(preview.plan.kinds) == {"contacts", "events"}
    assert "Contacts:" in preview.summary.text()
    assert wizard.button(QWizard.WizardButton.CommitButton).text() == "Apply"

    # Apply: one row per kind, then what happened.
    go_next(wizard, Page.APPLY)
    apply = wizard.apply_page
    wait_page_ready(qloop, wizard)
    assert apply.report is not None and apply.report.ok
    assert set(apply.rows) == {"contacts", "events"}
    assert "Salesforce:" in apply.rows["contacts"][2].text() or "paired" in apply.rows["contacts"][2].text()

    # Auto sync is unlocked now.
    go_next(wizard, Page.AUTO)
    auto = wizard.auto_page
    assert auto.enabled.isEnabled() and not auto.locked_note.isVisible()
    auto.enabled.setChecked(True)
    auto.frequency.setCurrentIndex(auto.frequency.findData(60))
    auto.window_slider.setValue((16, 40))  # half-hour steps: 08:00 to 20:00
    auto.day_buttons[5].setChecked(True)  # Saturday too
    go_next(wizard, Page.DONE)
    assert "every 1 hour" in wizard.done_page.summary.text()
    wizard.accept()
    assert finished == [fresh_ctx]

    # The profile: accounts, settings, one applied manual run, auto sync on.
    who = fresh_ctx.signed_in()
    assert who["outlook"] and who["salesforce"]
    history = fresh_ctx.service.history()
    applied = [r for r in history if r["mode"] == "apply"]
    assert len(applied) == 1 and applied[0]["trigger"] == "manual"
    assert settings.auto_sync_unlocked()
    assert settings.get("auto.enabled") is True and settings.get("auto.frequency_min") == 60
    assert (settings.get("auto.window_start"), settings.get("auto.window_end")) == ("08:00", "20:00")
    assert settings.get("auto.days") == [0, 1, 2, 3, 4, 5]
    # The contacts went to the Partners folder in the sandbox's Outlook.
    partners_id = settings.get("contacts.outlook_folder")
    in_partners = [
        c for c in sandbox_env.state.graph["contacts"].values() if c.get("_container") == partners_id
    ]
    assert len(in_partners) > 1


@pytest.mark.seed("demo")
def test_skipping_the_first_sync_keeps_auto_sync_locked(qtbot, qloop, demo_ctx, sandbox_env):
    wizard, _ = make_wizard(qtbot, demo_ctx, sandbox_env, demo=True)
    go_next(wizard, Page.OUTLOOK)
    # Already signed in: the page says who, Next is open at once, no code is asked for.
    assert wizard.outlook_page.isComplete() and not wizard.outlook_page.code.isVisible()
    go_next(wizard, Page.SALESFORCE)
    assert wizard.salesforce_page.isComplete()
    go_next(wizard, Page.WHAT)
    go_next(wizard, Page.DIRECTION)
    go_next(wizard, Page.PREVIEW)
    wait_page_ready(qloop, wizard)
    wizard.preview_page.skip.click()
    assert wizard.currentId() == Page.AUTO

    auto = wizard.auto_page
    assert not auto.enabled.isEnabled() and not auto.enabled.isChecked()
    assert "first sync" in auto.locked_note.text()
    qloop.until(lambda: not wizard.controller.busy)  # the preview's session was closed
    go_next(wizard, Page.DONE)
    wizard.accept()
    assert demo_ctx.settings.get("auto.enabled") is False
    assert not demo_ctx.settings.auto_sync_unlocked()
    assert all(r["mode"] != "apply" for r in demo_ctx.service.history())


@pytest.mark.seed("demo")
def test_back_and_next_keep_what_was_entered(qtbot, qloop, demo_ctx, sandbox_env):
    wizard, launcher = make_wizard(qtbot, demo_ctx, sandbox_env, demo=True)
    go_next(wizard, Page.OUTLOOK)
    go_next(wizard, Page.SALESFORCE)
    go_next(wizard, Page.WHAT)
    what = wizard.what_page
    qloop.until(lambda: what.folders_loaded and what.campaigns_loaded)
    what.range.setCurrentIndex(what.range.findData("campaign"))
    # A campaign range needs a campaign: Next is closed and the page says why.
    assert not next_enabled(wizard)
    assert "campaign" in what.hint.text()
    summit = what.campaign.findText("Berlin Fintech Summit 2026")
    assert summit > 0
    what.campaign.setCurrentIndex(summit)
    assert next_enabled(wizard)
    what.days_ahead.setValue(90)
    go_next(wizard, Page.DIRECTION)
    wizard.direction_page.editors["contacts"].switches["outlook_no_delete"].setChecked(True)
    assert wizard.direction_page.editors["contacts"].preset.currentData() == "custom"

    # All the way back to the start, and forward again.
    wizard.back()
    wizard.back()
    wizard.back()
    wizard.back()
    assert wizard.currentId() == Page.WELCOME
    go_next(wizard, Page.OUTLOOK)
    go_next(wizard, Page.SALESFORCE)
    go_next(wizard, Page.WHAT)
    assert what.range.currentData() == "campaign"
    assert what.campaign.currentText() == "Berlin Fintech Summit 2026"
    assert what.days_ahead.value() == 90
    go_next(wizard, Page.DIRECTION)
    assert wizard.direction_page.editors["contacts"].switches["outlook_no_delete"].isChecked()
    assert launcher.opened == ["demo"]  # the profile was opened once
    assert demo_ctx.settings.get("contacts.campaign_id") == what.campaign.currentData()
    assert demo_ctx.settings.get("events.days_ahead") == 90


def test_nothing_chosen_closes_next_with_a_reason(qtbot, qloop, demo_ctx, sandbox_env):
    wizard, _ = make_wizard(qtbot, demo_ctx, sandbox_env, demo=True)
    go_next(wizard, Page.OUTLOOK)
    go_next(wizard, Page.SALESFORCE)
    go_next(wizard, Page.WHAT)
    for box in wizard.what_page.groups.values():
        box.setChecked(False)
    assert not next_enabled(wizard)
    assert wizard.what_page.hint.text().endswith("Choose at least one thing to sync.")
    wizard.next()
    assert wizard.currentId() == Page.WHAT


@pytest.mark.seed("demo")
def test_a_declined_outlook_sign_in_says_so_and_can_be_tried_again(qtbot, qloop, fresh_ctx, sandbox_env):
    sandbox_env.state.config["auto_approve"] = False
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env, demo=True)
    go_next(wizard, Page.OUTLOOK)
    page = wizard.outlook_page
    qloop.until(lambda: page.code.code.text())
    sandbox_env.control("device/decline", {"user_code": page.code.code.text()})
    qloop.until(lambda: page.retry.isVisible(), timeout=30)
    assert not next_enabled(wizard)
    message = page.status.text()
    assert "Outlook" in message or "sign" in message.lower()
    assert "Traceback" not in message and "AADSTS" not in message.split(".")[0]

    sandbox_env.state.config["auto_approve"] = True
    page.retry.click()
    wait_page_ready(qloop, wizard)
    assert fresh_ctx.signed_in()["outlook"]


@pytest.mark.seed("demo")
def test_salesforce_code_sign_in_is_the_alternative(qtbot, qloop, fresh_ctx, sandbox_env):
    sandbox_env.state.config["auto_approve"] = False
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env, demo=True)
    wizard.use_profile("demo")
    wizard.setStartId(int(Page.SALESFORCE))
    wizard.restart()
    page = wizard.salesforce_page
    page.device.click()
    seen = {}

    async def approve_when_shown() -> None:
        # One loop run from the click to the approval: the sign-in polls over HTTP meanwhile,
        # and stopping the loop mid-request is a test artefact the app never does.
        while not page.code.code.text():
            await asyncio.sleep(0.02)
        seen["next"] = next_enabled(wizard)
        seen["cancel"] = page.cancel.isVisible()
        await asyncio.to_thread(sandbox_env.control, "device/approve", {"user_code": page.code.code.text()})
        while page.waiting:
            await asyncio.sleep(0.02)

    qloop.run(approve_when_shown())
    assert seen == {"next": False, "cancel": True}
    assert page.status.text() == "" and page.isComplete()
    assert fresh_ctx.signed_in()["salesforce"]["username"]


def test_the_demo_starts_without_blocking_the_window(qtbot, qloop, fresh_ctx, sandbox_env):
    class SlowLauncher(Launcher):
        async def open_demo_async(self):
            await asyncio.sleep(0.3)  # the embedded sandbox starting
            return self.open_demo()

    launcher = SlowLauncher(fresh_ctx)
    wizard = FirstRunWizard(launcher, demo=True)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    # Still on the welcome page, saying so, with Next closed until the demo is up.
    assert wizard.currentId() == Page.WELCOME
    assert "Starting the demo" in wizard.welcome_page.status.text()
    assert not next_enabled(wizard)
    qloop.until(lambda: wizard.currentId() == Page.OUTLOOK)
    assert wizard.ctx is fresh_ctx and launcher.opened == ["demo"]
    wizard.reject()


@pytest.mark.seed("demo")
def test_back_from_the_preview_drops_it_and_the_next_preview_follows_the_new_choice(
    qtbot, qloop, demo_ctx, sandbox_env
):
    wizard, _ = make_wizard(qtbot, demo_ctx, sandbox_env, demo=True)
    for page in (Page.OUTLOOK, Page.SALESFORCE, Page.WHAT, Page.DIRECTION, Page.PREVIEW):
        go_next(wizard, page)
    wait_page_ready(qloop, wizard)
    assert set(wizard.preview_page.plan.kinds) == {"contacts", "events", "tasks"}

    wizard.back()
    wizard.back()
    assert wizard.currentId() == Page.WHAT
    wizard.what_page.groups["tasks"].setChecked(False)
    go_next(wizard, Page.DIRECTION)
    go_next(wizard, Page.PREVIEW)
    assert not next_enabled(wizard)
    wait_page_ready(qloop, wizard)
    assert set(wizard.preview_page.plan.kinds) == {"contacts", "events"}
    assert all(r["mode"] != "apply" for r in demo_ctx.service.history())
    wizard.reject()
    qloop.until(lambda: not wizard.controller.busy)


# -- reconnect: the sign-in page alone ---------------------------------------------------------


@pytest.mark.seed("demo")
def test_reconnect_salesforce_opens_its_sign_in_page_alone_and_done_ends_there(
    qtbot, qloop, demo_ctx, sandbox_env
):
    wizard, launcher = make_wizard(qtbot, demo_ctx, sandbox_env, start_at="salesforce", only_sign_in=True)
    finished = []
    wizard.setup_finished.connect(finished.append)
    # Straight to Salesforce on the profile in use: no welcome page, no Outlook page.
    assert wizard.currentId() == Page.SALESFORCE
    assert launcher.opened == ["real"]
    assert "Reconnect Salesforce" in wizard.windowTitle()
    sf = wizard.salesforce_page
    # The old sign-in does not count: the person signs in again before "Done".
    assert sf.account is None and sf.browser.isVisible()
    done = wizard.button(QWizard.WizardButton.FinishButton)
    assert done.isVisible() and done.text() == "Done" and not done.isEnabled()
    assert not wizard.button(QWizard.WizardButton.NextButton).isVisible()
    sf.browser.click()
    wait_page_ready(qloop, wizard)
    assert "Connected to Salesforce as" in sf.connected.text()
    assert done.isEnabled()
    done.click()
    assert finished == [demo_ctx] and not wizard.isVisible()
    assert wizard.currentId() == Page.SALESFORCE  # the rest of the setup was never shown


@pytest.mark.seed("demo")
def test_reconnect_outlook_starts_the_device_code_at_once(qtbot, qloop, demo_ctx, sandbox_env):
    sandbox_env.state.config["auto_approve"] = False
    wizard, _ = make_wizard(qtbot, demo_ctx, sandbox_env, start_at="outlook", only_sign_in=True)
    page = wizard.outlook_page
    assert wizard.currentId() == Page.OUTLOOK
    qloop.until(lambda: page.code.code.text())
    assert not page.isComplete()
    sandbox_env.control("device/approve", {"user_code": page.code.code.text()})
    wait_page_ready(qloop, wizard)
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()


def test_reconnect_needs_a_known_service(qtbot, demo_ctx):
    with pytest.raises(ValueError, match="start_at"):
        FirstRunWizard(Launcher(demo_ctx), start_at="exchange", only_sign_in=True)
    with pytest.raises(ValueError, match="start_at"):
        FirstRunWizard(Launcher(demo_ctx), only_sign_in=True)


@pytest.mark.seed("demo")
def test_without_an_app_registration_the_sign_in_page_asks_for_it_and_goes_on(
    qtbot, qloop, fresh_ctx, sandbox_env, monkeypatch
):
    """A real-accounts user whose organisation gave no client id is not stuck in the wizard:
    the page asks for the ids, saves them in the profile and signs in."""
    import app.cli.accounts

    monkeypatch.setattr(app.cli.accounts, "SANDBOX_OUTLOOK_CLIENT_ID", None)
    # Straight at the sign-in (a walk from Welcome asks on the registrations page first).
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env, demo=True, start_at="outlook")
    page = wizard.outlook_page
    qloop.until(lambda: page.app_form.isVisible())
    assert "app registration" in page.status.text() and not next_enabled(wizard)
    field = page.app_form.edits["accounts.microsoft_client_id"]
    page.app_form.save.click()  # empty: refused in words, nothing saved
    assert "first" in page.status.text() and fresh_ctx.settings.get("accounts.microsoft_client_id") is None
    field.setText("11111111-2222-3333-4444-555555555555")
    page.app_form.save.click()
    wait_page_ready(qloop, wizard)
    assert not page.app_form.isVisible() and "Connected to Outlook as" in page.connected.text()
    assert fresh_ctx.settings.get("accounts.microsoft_client_id") == "11111111-2222-3333-4444-555555555555"


def test_a_preset_leaves_a_switch_locked_by_policy_alone_on_the_direction_page(qtbot, fresh_ctx):
    from types import SimpleNamespace

    from app.policy import Policy
    from ui.wizard.choices import DirectionPage

    fresh_ctx.settings.policy = Policy(locked={"contacts.salesforce_no_delete": False})
    page = DirectionPage(SimpleNamespace(ctx=fresh_ctx))
    qtbot.addWidget(page)
    page.initializePage()
    editor = page.editors["contacts"]
    locked = editor.switches["salesforce_no_delete"]
    assert not locked.isEnabled() and not locked.isChecked()
    assert editor.lock_note.isVisibleTo(page)

    # "Salesforce to Outlook only" would switch on "do not delete in Salesforce": it stays off.
    editor.preset.setCurrentIndex(editor.preset.findData("to_outlook"))
    editor.preset.activated.emit(editor.preset.currentIndex())
    assert not locked.isChecked()
    assert editor.switches["salesforce_no_create"].isChecked()
    assert editor.preset.currentData() == "custom"
    assert page.validatePage()
    assert fresh_ctx.settings.get("contacts.salesforce_no_create") is True
    assert fresh_ctx.store.setting("contacts.salesforce_no_delete", "unset") == "unset"
