"""The words of a conflict, as a person reads them in the CLI and the Issues list: field labels,
both values, plain choices; ``changes`` stays keyed by Salesforce API names (CLI.md)."""

from __future__ import annotations

import datetime as dt

from sync_helpers import changes, contact, item, linked

from sync.plan_words import conflict_reason
from sync.planner import plan_kind
from sync.settings import KindSettings

BASE = contact()


def ask(links, outlook, salesforce):
    return plan_kind("contacts", links, outlook, salesforce, KindSettings(conflict_policy="ask"))


def test_a_conflict_names_fields_by_label_with_both_values_and_keeps_api_names_in_changes():
    o = item("O1", {**BASE, "Title": "Engineer", "MobilePhone": "+44 7700 900001"}, version="v2")
    s = item("S1", {**BASE, "Title": "Architect", "MobilePhone": "+44 7700 900002"}, version="v2")
    (action,) = ask([linked(BASE)], changes(o), changes(s)).actions
    assert action.op == "conflict"
    assert set(action.changes) == {"Title", "MobilePhone"}
    assert set(action.to_json()["changes"]) == {"Title", "MobilePhone"}
    reason = action.reason
    assert "Job title: \u201cEngineer\u201d in Outlook, \u201cArchitect\u201d in Salesforce" in reason
    assert "Mobile phone: \u201c+44 7700 900001\u201d in Outlook" in reason
    assert reason.index("Job title") < reason.index("Mobile phone")  # the order of the field list
    for api_word in ("MobilePhone", "(Title", "old value", "new one"):
        assert api_word not in reason, api_word
    assert "Choose which to keep" in reason
    assert action.issue is not None and action.issue.message == reason  # the Issues list's text


def test_a_conflict_on_a_first_sync_pair_does_not_speak_of_a_last_sync():
    o = item("O1", contact(Title="Engineer"))
    s = item("S1", contact(Title="Architect"))
    kplan = ask([], changes(o, full=True), changes(s, full=True))
    (action,) = [a for a in kplan.actions if a.op == "conflict"]
    assert action.reason.startswith("Found in both Outlook and Salesforce, with different values.")
    assert "last sync" not in action.reason
    assert "Job title" in action.reason


def test_values_read_plainly_empty_yes_no_dates_and_long_text_shortened():
    start = dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC)
    words = conflict_reason(
        "events",
        {
            "IsPrivate": (True, False),
            "StartDateTime": (start, start + dt.timedelta(hours=1)),
            "Location": (None, "Room 4"),
            "Description": ("word " * 50, "line one\nline two"),
        },
    )
    assert "Private: yes in Outlook, no in Salesforce" in words
    assert "Start: 2026-05-01 09:30 UTC in Outlook, 2026-05-01 10:30 UTC in Salesforce" in words
    assert "Location: empty in Outlook, \u201cRoom 4\u201d in Salesforce" in words
    assert "\u201cline one line two\u201d" in words  # one line
    long_value = words.split("Description: ")[1].split(" in Outlook")[0]
    assert long_value.endswith("\u2026\u201d") and len(long_value) <= 42
    assert "word word" in long_value
