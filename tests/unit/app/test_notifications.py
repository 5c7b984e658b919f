"""Which toast a finished run gets, in which words, and when the summary window opens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.notifications import NotifyPrefs, RunOutcome, Target, finish_toast, show_summary, start_toast
from app.settings import Settings
from sync.report import KindReport, RunReport
from sync.store import Store

DEFAULTS = NotifyPrefs()
NO_SUMMARY = NotifyPrefs(summary_after_manual=False, summary_after_auto=False)


def counts(
    outlook: dict[str, int] | None = None, salesforce: dict[str, int] | None = None, **other: int
) -> dict[str, Any]:
    c: dict[str, Any] = {
        "outlook": {"create": 0, "update": 0, "delete": 0},
        "salesforce": {"create": 0, "update": 0, "delete": 0},
        "conflict": 0,
        "prevented": 0,
        "held": 0,
        "matched": 0,
        "errors": 0,
    }
    c["outlook"].update(outlook or {})
    c["salesforce"].update(salesforce or {})
    c.update(other)
    return c


def report(trigger: str = "auto", run_id: int = 7, **kinds: KindReport) -> RunReport:
    return RunReport(
        run_id=run_id,
        trigger=trigger,
        mode="apply",
        kinds=dict(kinds),
        api_calls={"graph": 3, "salesforce": 2},
        duration_s=1.0,
    )


def outcome(trigger: str = "auto", issue_ids: tuple[int, ...] = (), **kinds: KindReport) -> RunOutcome:
    return RunOutcome.from_report(report(trigger, **kinds), issue_ids=issue_ids)


QUIET = outcome(contacts=KindReport(counts()), events=KindReport(counts()))
CHANGED = outcome(contacts=KindReport(counts({"create": 2, "update": 1}, {"update": 1})))


def test_by_default_a_quiet_successful_auto_sync_shows_nothing() -> None:
    assert finish_toast(QUIET, DEFAULTS) is None and finish_toast(CHANGED, DEFAULTS) is None
    assert not show_summary(CHANGED, DEFAULTS)


def test_success_toast_says_what_changed_in_plain_words_and_opens_the_run() -> None:
    toast = finish_toast(CHANGED, NotifyPrefs(on_success=True))
    assert toast is not None and toast.severity == "info"
    assert toast.title == "Sync finished"
    assert toast.body == "2 created and 1 updated in Outlook; 1 updated in Salesforce."
    assert toast.target == Target("run", 7)
    quiet = finish_toast(QUIET, NotifyPrefs(on_success=True))
    assert quiet is not None and quiet.body == "Everything was already up to date."


def test_prevented_or_held_items_are_a_warning_by_default() -> None:
    o = outcome(contacts=KindReport(counts({"update": 1}, prevented=2, held=1)))
    toast = finish_toast(o, DEFAULTS)
    assert toast is not None and toast.severity == "warning"
    assert toast.body == (
        "1 change held for you to confirm and 2 changes prevented by your direction "
        "settings. 1 updated in Outlook."
    )
    assert finish_toast(o, NotifyPrefs(on_warnings=False)) is None


def test_items_that_failed_are_an_error_and_a_single_issue_opens_that_issue() -> None:
    o = outcome(issue_ids=(41,), tasks=KindReport(counts(errors=1)))
    toast = finish_toast(o, DEFAULTS)
    assert toast is not None and toast.severity == "error"
    assert toast.title == "Sync finished with problems"
    assert toast.body.startswith("1 item could not be synced.")
    assert toast.target == Target("issue", 41)
    assert finish_toast(o, NotifyPrefs(on_errors=False)) is None


def test_a_kind_that_stopped_is_named_and_the_others_still_count() -> None:
    o = outcome(
        contacts=KindReport(
            counts(),
            error={
                "title": "Salesforce sign-in expired",
                "message": "Your Salesforce sign-in has expired — reconnect.",
            },
        ),
        events=KindReport(counts({"create": 1})),
        tasks=KindReport(counts(), stopped="Outlook returned no tasks; nothing was deleted."),
    )
    toast = finish_toast(o, DEFAULTS)
    assert toast is not None and toast.title == "Sync finished with problems"
    assert (
        "Contacts stopped: Salesforce sign-in expired. Your Salesforce sign-in has expired — reconnect."
        in toast.body
    )
    assert "Tasks stopped: Outlook returned no tasks; nothing was deleted." in toast.body
    assert toast.body.endswith("1 created in Outlook.")
    assert toast.target == Target("run", 7)


def test_when_every_kind_stopped_the_sync_failed() -> None:
    o = outcome(
        contacts=KindReport(counts(), stopped="Salesforce returned no contacts; nothing was deleted.")
    )
    toast = finish_toast(o, DEFAULTS)
    assert toast is not None and toast.title == "Sync failed"
    assert (
        toast.body
        == "Contacts stopped: Salesforce returned no contacts; nothing was deleted. Nothing else changed."
    )


def test_a_run_that_failed_outright_shows_its_error() -> None:
    o = RunOutcome.failed(
        "auto",
        "Salesforce API limit reached",
        "Your company has used today's Salesforce API calls. Auto sync waits.",
    )
    toast = finish_toast(o, DEFAULTS)
    assert toast is not None and toast.severity == "error"
    assert (toast.title, toast.body) == (
        "Salesforce API limit reached",
        "Your company has used today's Salesforce API calls. Auto sync waits.",
    )
    assert toast.target == Target("dashboard")


def test_after_a_manual_sync_the_summary_opens_instead_of_a_toast() -> None:
    o = outcome("manual", tasks=KindReport(counts(errors=2)))
    assert show_summary(o, DEFAULTS)
    assert finish_toast(o, DEFAULTS) is None
    assert finish_toast(o, NO_SUMMARY) is not None


@pytest.mark.parametrize(
    "o, shown",
    [
        (QUIET, False),
        (CHANGED, True),
        (outcome(contacts=KindReport(counts(matched=12))), False),
        (outcome(contacts=KindReport(counts(prevented=3))), False),
        (outcome(contacts=KindReport(counts(conflict=1))), True),
        (outcome(contacts=KindReport(counts(errors=1))), True),
    ],
)
def test_only_when_changed_skips_the_summary_of_a_run_that_changed_nothing(
    o: RunOutcome, shown: bool
) -> None:
    prefs = NotifyPrefs(summary_after_auto=True, summary_only_when_changed=True)
    assert show_summary(o, prefs) is shown


def test_summary_after_auto_sync_follows_its_own_setting() -> None:
    assert show_summary(CHANGED, NotifyPrefs(summary_after_auto=True))
    manual = outcome("manual", contacts=KindReport(counts()))
    assert show_summary(manual, DEFAULTS)
    assert not show_summary(manual, NotifyPrefs(summary_after_manual=False))


def test_start_toast_only_when_asked() -> None:
    assert start_toast("auto", ["contacts", "events"], DEFAULTS) is None
    toast = start_toast("auto", ["contacts", "events", "tasks"], NotifyPrefs(on_start=True), run_id=9)
    assert toast is not None and toast.title == "Auto sync started"
    assert toast.body == "Syncing contacts, events and tasks." and toast.target == Target("run", 9)


def test_the_stored_run_report_works_as_well_as_the_object() -> None:
    r = report(contacts=KindReport(counts({"delete": 1})))
    assert RunOutcome.from_report(r.to_json()) == RunOutcome.from_report(r)


def test_preferences_come_from_the_settings(tmp_path: Path) -> None:
    store = Store(tmp_path / "tandem.sqlite3")
    try:
        settings = Settings(store)
        assert NotifyPrefs.from_settings(settings) == DEFAULTS
        settings.set("notify.on_success", "true")
        settings.set("summary.only_when_changed", "on")
        prefs = NotifyPrefs.from_settings(settings)
        assert prefs.on_success and prefs.summary_only_when_changed
    finally:
        store.close()
