"""The settings window: what a person changes there is saved on Apply, obeyed by the next sync,
discarded on Cancel, and refused in plain words when it cannot be; administrator locks hold."""

from __future__ import annotations

import sys
import types
import zipfile

import pytest
from PyQt6.QtWidgets import QMessageBox

from app.policy import Policy
from app.settings import Settings
from sync.plan import Decisions
from ui.controller import SyncController
from ui.settings.auto_sync import slot_to_time, window_to_slots
from ui.settings.dialog import PAGES, SettingsDialog


@pytest.fixture
def no_discovery(monkeypatch):
    """Pickers without network: discovery answers with fixed folders and campaigns."""
    module = types.ModuleType("app.discovery")

    async def outlook_folders(ctx):
        return {
            "contacts": [
                {"id": None, "name": "Contacts", "default": True},
                {"id": "folder-vip", "name": "Contacts / VIP", "default": False},
            ],
            "events": [{"id": None, "name": "Calendar", "default": True}],
            "tasks": [{"id": None, "name": "Tasks", "default": True}],
        }

    async def campaigns(ctx):
        return [{"id": "701CAMPAIGN0001", "name": "Spring launch", "active": True}]

    module.outlook_folders, module.campaigns = outlook_folders, campaigns
    monkeypatch.setitem(sys.modules, "app.discovery", module)
    import app

    monkeypatch.setattr(app, "discovery", module, raising=False)
    return module


def open_dialog(qtbot, qloop, ctx, controller=None) -> SettingsDialog:
    dialog = SettingsDialog(ctx, controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qloop.until(lambda: not dialog.form.tasks)  # folder and campaign lists arrived
    return dialog


def check(dialog, key):
    return dialog.fields[key].widget


def reread(ctx) -> Settings:
    """A new Settings over the same store: what the next start of Tandem would read."""
    return Settings(ctx.store, ctx.settings.policy)


def answer(dialog, yes: bool) -> None:
    box = dialog.question
    assert box is not None and box.isVisible()
    if yes:
        next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole).click()
    else:
        box.button(QMessageBox.StandardButton.Cancel).click()


# -- Apply, persistence, and the next sync obeys ---------------------------------------------


@pytest.mark.seed("demo")
def test_prevent_create_in_outlook_is_saved_and_the_next_preview_obeys_it(
    qtbot, qloop, demo_ctx, no_discovery
):
    controller = SyncController(demo_ctx)
    dialog = open_dialog(qtbot, qloop, demo_ctx, controller)
    assert dialog.current_page == "Sync Jobs"
    assert not dialog.apply_button.isEnabled()  # nothing changed yet

    check(dialog, "contacts.outlook_no_create").click()
    assert dialog.sync_jobs_page.preset_boxes["contacts"].currentText() == "Custom"
    assert dialog.apply_button.isEnabled()
    dialog.apply_button.click()

    assert dialog.saved.text() == "Saved." and not dialog.error.isVisible()
    assert reread(demo_ctx).get("contacts.outlook_no_create") is True
    assert reread(demo_ctx).state("contacts.outlook_no_update").source == "default"  # only changes saved

    plans, failures = [], []
    controller.preview_ready.connect(plans.append)
    controller.run_failed.connect(failures.append)
    assert controller.start_preview(["contacts"])
    qloop.until(lambda: plans or failures)
    assert not failures
    contacts = plans[0].kinds["contacts"]
    assert contacts.counts()["outlook"]["create"] == 0
    prevented = [a for a in contacts.actions if a.op == "prevented" and a.side == "outlook"]
    assert prevented, "the Salesforce-only contacts show as prevented creates in Outlook"
    controller.discard_preview()
    qloop.until(lambda: not controller.busy)


def test_cancel_discards_every_change(qtbot, qloop, fresh_ctx):
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    check(dialog, "contacts.salesforce_no_delete").click()
    check(dialog, "events.days_back").setValue(90)
    check(dialog, "notify.on_start").click()
    dialog.show_page("Summary Options")
    check(dialog, "summary.after_auto").click()
    assert set(dialog.pending()) == {
        "contacts.salesforce_no_delete",
        "events.days_back",
        "notify.on_start",
        "summary.after_auto",
    }

    dialog.cancel_button.click()

    assert not dialog.isVisible()
    settings = reread(fresh_ctx)
    for key in ("contacts.salesforce_no_delete", "events.days_back", "notify.on_start", "summary.after_auto"):
        assert settings.state(key).source == "default", key
    assert fresh_ctx.store.settings() == {}


def test_ok_saves_and_closes(qtbot, qloop, fresh_ctx):
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    dialog.show_page("Notification Options")
    check(dialog, "notify.on_success").click()
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert reread(fresh_ctx).get("notify.on_success") is True


# -- administrator's policy --------------------------------------------------------------------


def test_a_setting_locked_by_policy_shows_locked_and_cannot_be_changed(qtbot, qloop, fresh_ctx):
    fresh_ctx.settings.policy = Policy(
        locked={
            "contacts.salesforce_no_delete": False,
            "auto.frequency_min": 60,
            "accounts.salesforce_login_host": "https://acme.my.salesforce.com",
        }
    )
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    box = check(dialog, "contacts.salesforce_no_delete")
    assert not box.isEnabled() and not box.isChecked()
    assert "Set by your administrator" in box.toolTip()
    assert dialog.sync_jobs_page.directions["contacts"].lock_note.isVisible()
    dialog.show_page("Accounts")
    host = dialog.fields["accounts.salesforce_login_host"]
    assert host.widget.text() == "https://acme.my.salesforce.com" and not host.widget.isEnabled()
    assert host.note.isVisible() and host.note.text() == "Set by your administrator"
    frequency = dialog.fields["auto.frequency_min"]
    assert frequency.widget.currentData() == 60 and not frequency.widget.isEnabled()

    box.click()  # a disabled box does not toggle
    assert not box.isChecked()
    # A preset leaves the locked switch alone: "Salesforce to Outlook only" cannot be reached.
    preset = dialog.sync_jobs_page.preset_boxes["contacts"]
    preset.setCurrentIndex(preset.findData("to_outlook"))
    preset.activated.emit(preset.currentIndex())
    assert not box.isChecked()
    assert check(dialog, "contacts.salesforce_no_create").isChecked()
    assert preset.currentData() == "custom"
    assert dialog.apply()
    settings = reread(fresh_ctx)
    assert settings.get("contacts.salesforce_no_delete") is False
    assert fresh_ctx.store.setting("contacts.salesforce_no_delete", "unset") == "unset"
    assert settings.get("contacts.salesforce_no_create") is True


# -- auto sync lock ----------------------------------------------------------------------------


@pytest.mark.seed("demo")
def test_auto_sync_page_is_locked_until_a_manual_sync_was_applied(qtbot, qloop, demo_ctx, no_discovery):
    controller = SyncController(demo_ctx)
    dialog = open_dialog(qtbot, qloop, demo_ctx, controller)
    dialog.show_page("Auto Background Sync")
    enabled = check(dialog, "auto.enabled")
    assert dialog.auto_page.auto_sync_locked
    assert dialog.auto_page.auto_locked_note.isVisible()
    assert "first manual sync" in dialog.auto_page.auto_locked_note.text()
    assert not enabled.isEnabled() and not dialog.auto_page.window_slider.isEnabled()
    enabled.click()
    assert not enabled.isChecked()

    plans, reports = [], []
    controller.preview_ready.connect(plans.append)
    controller.run_finished.connect(reports.append)
    controller.start_preview(["tasks"])
    qloop.until(lambda: plans)
    controller.apply_preview(Decisions())
    qloop.until(lambda: reports and not controller.busy)

    assert not dialog.auto_page.auto_sync_locked  # the open window noticed
    assert not dialog.auto_page.auto_locked_note.isVisible()
    enabled.click()
    frequency = check(dialog, "auto.frequency_min")
    frequency.setCurrentIndex(frequency.findData(60))
    assert dialog.apply()
    settings = reread(demo_ctx)
    assert settings.get("auto.enabled") is True and settings.get("auto.frequency_min") == 60


# -- presets and switches ------------------------------------------------------------------------


def test_presets_and_the_six_switches_stay_in_step(qtbot, qloop, fresh_ctx):
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    dialog.sync_jobs_page.kind_picker.setCurrentIndex(1)  # Calendar
    preset = dialog.sync_jobs_page.preset_boxes["events"]
    switches = {
        op: check(dialog, f"events.{op}")
        for op in (
            "outlook_no_create",
            "outlook_no_update",
            "outlook_no_delete",
            "salesforce_no_create",
            "salesforce_no_update",
            "salesforce_no_delete",
        )
    }
    assert preset.currentText() == "Both ways"
    assert not any(b.isChecked() for b in switches.values())

    preset.setCurrentIndex(preset.findData("to_outlook"))
    preset.activated.emit(preset.currentIndex())
    assert preset.currentText() == "Salesforce to Outlook only"
    assert [k for k, b in switches.items() if b.isChecked()] == [
        "salesforce_no_create",
        "salesforce_no_update",
        "salesforce_no_delete",
    ]

    switches["salesforce_no_update"].click()  # one switch off: no longer a preset
    assert preset.currentText() == "Custom"
    switches["salesforce_no_update"].click()
    assert preset.currentText() == "Salesforce to Outlook only"

    preset.setCurrentIndex(preset.findData("custom"))  # "Custom" itself changes nothing
    preset.activated.emit(preset.currentIndex())
    assert switches["salesforce_no_create"].isChecked()

    assert dialog.apply()
    assert reread(fresh_ctx).preset("events") == "to_outlook"
    # Contacts keep "do not delete in Salesforce" on in Both ways (the safe default).
    contacts = dialog.sync_jobs_page.preset_boxes["contacts"]
    assert contacts.currentText() == "Both ways"
    assert check(dialog, "contacts.salesforce_no_delete").isChecked()


# -- the daily window ------------------------------------------------------------------------------


def test_the_time_window_slider_maps_to_the_window_settings(qtbot, qloop, fresh_ctx):
    fresh_ctx.settings.set("auto.window_start", "08:00")
    fresh_ctx.settings.set("auto.window_end", "17:30")
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    slider = dialog.auto_page.window_slider
    assert slider.value() == (32, 70)  # 15-minute steps
    assert dialog.auto_page.window_label.text() == "From 08:00 until 17:30"

    slider.setValue((30, 72))
    assert dialog.auto_page.window_label.text() == "From 07:30 until 18:00"
    assert dialog.pending() == {"auto.window_start": "07:30", "auto.window_end": "18:00"}
    assert dialog.apply()
    settings = reread(fresh_ctx)
    assert (settings.get("auto.window_start"), settings.get("auto.window_end")) == ("07:30", "18:00")

    slider.setValue((0, 96))  # the whole bar: all day
    assert dialog.auto_page.window_label.text() == "All day"
    assert dialog.apply()
    assert (reread(fresh_ctx).get("auto.window_start"), reread(fresh_ctx).get("auto.window_end")) == (
        "00:00",
        "00:00",
    )

    slider.setValue((40, 40))  # nothing left between the handles
    assert not dialog.apply()
    assert "window is empty" in dialog.error.text() and dialog.error.isVisible()
    assert reread(fresh_ctx).get("auto.window_start") == "00:00"


def test_window_mapping_round_trips_and_keeps_a_window_across_midnight():
    assert window_to_slots("07:00", "19:00") == (28, 76)
    assert window_to_slots("07:00", "00:00") == (28, 96)  # until midnight
    assert window_to_slots("00:00", "00:00") == (0, 96)
    assert window_to_slots("22:00", "06:00") is None  # the slider cannot show it
    assert [slot_to_time(s) for s in (0, 30, 95, 96)] == ["00:00", "07:30", "23:45", "00:00"]


def test_a_window_across_midnight_is_kept_unless_the_slider_moves(qtbot, qloop, fresh_ctx):
    fresh_ctx.settings.set("auto.window_start", "22:00")
    fresh_ctx.settings.set("auto.window_end", "06:00")
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    dialog.show_page("Auto Background Sync")
    assert "across midnight" in dialog.auto_page.window_label.text()
    assert dialog.auto_page.window_note.isVisible()
    assert dialog.pending() == {}
    dialog.auto_page.window_slider.setValue((36, 68))
    assert dialog.pending() == {"auto.window_start": "09:00", "auto.window_end": "17:00"}


# -- invalid input -------------------------------------------------------------------------------


def test_invalid_input_gets_a_plain_message_and_nothing_is_saved(qtbot, qloop, fresh_ctx, no_discovery):
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    check(dialog, "notify.on_start").click()
    dialog.show_page("Accounts")
    check(dialog, "accounts.salesforce_login_host").setText("acme.my.salesforce.com")
    dialog.show_page("Support")

    assert not dialog.apply()

    assert dialog.error.isVisible()
    assert "https://" in dialog.error.text() and "Salesforce login address" in dialog.error.text()
    assert dialog.current_page == "Accounts"  # the page with the problem opens
    assert fresh_ctx.store.settings() == {}  # all or nothing: notify.on_start neither

    check(dialog, "accounts.salesforce_login_host").setText("https://acme.my.salesforce.com")
    assert dialog.apply() and not dialog.error.isVisible()
    assert reread(fresh_ctx).get("accounts.salesforce_login_host") == "https://acme.my.salesforce.com"
    assert reread(fresh_ctx).get("notify.on_start") is True


def test_campaign_range_needs_a_campaign_picked_from_salesforce(qtbot, qloop, fresh_ctx, no_discovery):
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    scope = check(dialog, "contacts.range")
    campaign = check(dialog, "contacts.campaign_id")
    assert not campaign.isEnabled()
    scope.setCurrentIndex(scope.findData("campaign"))
    assert campaign.isEnabled()
    assert not dialog.apply()
    assert "Choose the campaign" in dialog.error.text()
    assert fresh_ctx.store.settings() == {}

    campaign.setCurrentIndex(campaign.findText("Spring launch"))
    assert dialog.apply()
    settings = reread(fresh_ctx)
    assert settings.get("contacts.range") == "campaign"
    assert settings.get("contacts.campaign_id") == "701CAMPAIGN0001"


def test_outlook_folder_picker_is_filled_from_discovery_and_saves_the_id(
    qtbot, qloop, fresh_ctx, no_discovery
):
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    folders = dialog.sync_jobs_page.folder_boxes["contacts"]
    assert [folders.itemText(i) for i in range(folders.count())] == ["Contacts (default)", "Contacts / VIP"]
    folders.setCurrentIndex(1)
    assert dialog.apply()
    assert reread(fresh_ctx).get("contacts.outlook_folder") == "folder-vip"


def test_folder_picker_falls_back_to_the_default_when_outlook_is_not_connected(qtbot, qloop, fresh_ctx):
    dialog = open_dialog(qtbot, qloop, fresh_ctx)  # the real discovery: not signed in
    folders = dialog.sync_jobs_page.folder_boxes["tasks"]
    assert folders.count() == 1 and folders.currentData() is None
    assert "could not list your Outlook folders" in dialog.sync_jobs_page.folder_notes["tasks"].text()
    assert dialog.pending() == {}


# -- accounts ----------------------------------------------------------------------------------


@pytest.mark.seed("demo")
def test_accounts_show_who_is_connected_reconnect_asks_the_window_and_sign_out_confirms(
    qtbot, qloop, demo_ctx, no_discovery
):
    dialog = open_dialog(qtbot, qloop, demo_ctx)
    dialog.show_page("Accounts")
    outlook = dialog.accounts_page.account_labels["outlook"]
    assert outlook.text().startswith("Connected as Morgan Reyes")
    assert dialog.accounts_page.account_labels["salesforce"].text().startswith("Connected as Morgan Reyes")

    with qtbot.waitSignal(dialog.reconnect_requested) as asked:
        dialog.accounts_page.reconnect_buttons["salesforce"].click()
    assert asked.args == ["salesforce"]

    dialog.accounts_page.signout_buttons["outlook"].click()
    answer(dialog, yes=False)  # changed their mind
    assert demo_ctx.signed_in()["outlook"] is not None

    signed_out = []
    dialog.signed_out.connect(signed_out.append)
    dialog.accounts_page.signout_buttons["outlook"].click()
    assert "Sign out of Outlook?" in dialog.question.text()
    answer(dialog, yes=True)
    qloop.until(lambda: signed_out)
    assert demo_ctx.signed_in()["outlook"] is None
    assert outlook.text() == "Not connected"
    assert dialog.accounts_page.reconnect_buttons["outlook"].text() == "Connect"
    assert not dialog.accounts_page.signout_buttons["outlook"].isEnabled()
    assert demo_ctx.signed_in()["salesforce"] is not None


@pytest.mark.seed("demo")
def test_check_reports_per_service_and_names_an_unregistered_callback(qtbot, qloop, demo_ctx, no_discovery):
    dialog = open_dialog(qtbot, qloop, demo_ctx)
    dialog.show_page("Accounts")
    page = dialog.accounts_page
    page.check_button.click()
    qloop.until(lambda: "Salesforce: " in page.check_result.text())
    assert "Outlook: ready to sign in" in page.check_result.text()
    assert "Salesforce: ready to sign in" in page.check_result.text(), page.check_result.text()

    # an edited, unsaved callback URL is what gets checked; the live sign-in stays as it was
    check(dialog, "accounts.salesforce_callback_url").setText("http://localhost:1999/elsewhere")
    page.check_button.click()
    qloop.until(lambda: "needs attention" in page.check_result.text())
    assert "does not list http://localhost:1999/elsewhere as a Callback URL" in page.check_result.text()
    assert demo_ctx.accounts.settings.salesforce_callback_url != "http://localhost:1999/elsewhere"


# -- support -----------------------------------------------------------------------------------


@pytest.mark.seed("demo")
def test_rebuild_asks_first_then_forgets_the_links_of_that_kind(qtbot, qloop, demo_ctx, no_discovery):
    qloop.run(demo_ctx.service.sync(["contacts", "tasks"]))
    linked = demo_ctx.store.link_count("contacts")
    assert linked > 0 and demo_ctx.store.link_count("tasks") > 0
    controller = SyncController(demo_ctx)
    changed = []
    controller.history_changed.connect(lambda: changed.append(True))
    dialog = open_dialog(qtbot, qloop, demo_ctx, controller)
    dialog.show_page("Support")
    dialog.support_page.rebuild_kind.setCurrentIndex(dialog.support_page.rebuild_kind.findData("contacts"))

    dialog.support_page.rebuild_button.click()
    assert "Nothing is changed or deleted in Outlook or Salesforce" in dialog.question.informativeText()
    answer(dialog, yes=False)
    qloop.sleep(0.1)
    assert demo_ctx.store.link_count("contacts") == linked

    dialog.support_page.rebuild_button.click()
    answer(dialog, yes=True)
    qloop.until(lambda: "forgot" in dialog.support_page.support_status.text())
    assert demo_ctx.store.link_count("contacts") == 0
    assert demo_ctx.store.link_count("tasks") > 0  # only the chosen kind
    assert f"forgot {linked} pairs of contacts" in dialog.support_page.support_status.text()
    assert changed  # the dashboard hears about it


@pytest.mark.seed("demo")
def test_export_diagnostics_asks_where_and_writes_the_zip(qtbot, qloop, demo_ctx, no_discovery, tmp_path):
    dialog = open_dialog(qtbot, qloop, demo_ctx)
    dialog.show_page("Support")
    dialog.support_page.export_button.click()
    picker = dialog.support_page.file_dialog
    assert picker is not None and picker.isVisible()
    target = tmp_path / "for-support.zip"
    picker.selectFile(str(target))
    picker.accept()
    qloop.until(lambda: "saved to" in dialog.support_page.support_status.text())
    assert str(target) in dialog.support_page.support_status.text()
    with zipfile.ZipFile(target) as zf:
        assert {"settings.json", "environment.json", "accounts.json"} <= set(zf.namelist())
        assert b"Morgan Reyes" in zf.read("accounts.json")


def test_every_page_is_listed_and_reachable(qtbot, qloop, fresh_ctx):
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    assert [dialog.pages.item(i).text() for i in range(dialog.pages.count())] == list(PAGES)
    for name in PAGES:
        dialog.show_page(name)
        assert dialog.current_page == name
        assert dialog.stack.currentIndex() == PAGES.index(name)


def test_open_log_folder_opens_the_profile_logs_or_says_where_they_are(qtbot, qloop, fresh_ctx, monkeypatch):
    import ui.settings.support as module

    opened, answer_with = [], [True]

    def open_url(url):
        opened.append(url.toLocalFile())
        return answer_with[0]

    monkeypatch.setattr(module.QDesktopServices, "openUrl", staticmethod(open_url))
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    dialog.show_page("Support")
    dialog.findChild(module.QPushButton, "openLogs").click()
    assert opened == [str(fresh_ctx.paths.log_dir)]
    assert dialog.support_page.support_status.text() == ""

    answer_with[0] = False  # no file manager on this desktop
    dialog.findChild(module.QPushButton, "openLogs").click()
    assert str(fresh_ctx.paths.log_dir) in dialog.support_page.support_status.text()


def test_start_at_login_writes_and_removes_the_autostart_entry(
    qtbot, qloop, fresh_ctx, no_discovery, tmp_path, monkeypatch
):
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    dialog = open_dialog(qtbot, qloop, fresh_ctx)
    check(dialog, "general.start_at_login").setChecked(True)
    assert dialog.apply()
    entries = list((tmp_path / "config" / "autostart").glob("*.desktop"))
    assert len(entries) == 1 and "Exec=" in entries[0].read_text()
    assert reread(fresh_ctx).get("general.start_at_login") is True
    check(dialog, "general.start_at_login").setChecked(False)
    assert dialog.apply()
    assert not list((tmp_path / "config" / "autostart").glob("*.desktop"))
