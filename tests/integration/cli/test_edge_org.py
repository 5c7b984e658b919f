"""Issue 14's acceptance: ``main.py sync`` against the edge world (child, recurring, private and
multi-day events, custom task statuses, a series with a moved occurrence in Outlook) in an
org without Middle name, Suffix and multi-day events finishes with exit 0 or 3 (held items,
each with a reason), writes nothing it must not, duplicates nothing, and a second sync finds
nothing to do."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
from cli_run import signed_in_profile, tandem

pytestmark = pytest.mark.seed("edge")
FEATURES = "no-middle-name,no-suffix,no-multiday-events"


def sf_rows(box, sobject: str) -> list[dict]:
    return box.control(f"records/salesforce/{sobject}")["records"]


def graph_items(box, collection: str) -> list[dict]:
    return box.control(f"records/graph/{collection}")["value"]


def keys(box) -> dict[str, collections.Counter]:
    """How many records share each identity, per side and kind: a duplicate raises a count."""
    me = box.state.sf["me"]
    mine = [r for r in sf_rows(box, "Event") if r.get("OwnerId") == me]
    return {
        "outlook contacts": collections.Counter(
            (c.get("emailAddresses") or [{}])[0].get("address", "").lower() or c.get("displayName")
            for c in graph_items(box, "contacts")
        ),
        "outlook events": collections.Counter(
            (e.get("subject"), (e.get("start") or {}).get("dateTime"), e.get("type"))
            for e in graph_items(box, "events")
        ),
        "outlook tasks": collections.Counter(t.get("title") for t in graph_items(box, "todoTasks")),
        "salesforce contacts": collections.Counter(
            (r.get("Email") or "").lower() or (r.get("FirstName"), r.get("LastName"))
            for r in sf_rows(box, "Contact")
        ),
        "salesforce events": collections.Counter(
            (r.get("Subject"), r.get("StartDateTime") or r.get("ActivityDate"), bool(r.get("IsChild")))
            for r in mine
        ),
        "salesforce tasks": collections.Counter(r.get("Subject") for r in sf_rows(box, "Task")),
    }


def new_duplicates(before: dict[str, collections.Counter], after: dict[str, collections.Counter]) -> dict:
    return {
        what: {key: n for key, n in counts.items() if n > 1 and n > before[what].get(key, 0)}
        for what, counts in after.items()
        if any(n > 1 and n > before[what].get(key, 0) for key, n in counts.items())
    }


def special_events(box) -> dict[str, str]:
    """Salesforce events Tandem may not change as a whole: invitees' copies and series rows."""
    return {
        r["Id"]: r["SystemModstamp"]
        for r in sf_rows(box, "Event")
        if r.get("IsChild")
        or r.get("IsRecurrence")
        or r.get("IsRecurrence2")
        or r.get("RecurrenceActivityId")
    }


def test_edge_world_in_a_lean_org_syncs_with_reasons_and_then_settles(sandbox, tmp_path: Path) -> None:
    sandbox.control("POST config", {"sf_org_features": FEATURES})
    profile = signed_in_profile(sandbox, tmp_path / "profile")
    before, series_before = keys(sandbox), special_events(sandbox)
    contacts_before = {c["Id"] for c in sf_rows(sandbox, "Contact")}
    assert series_before, "the edge seed holds child and recurring events"

    first = tandem(sandbox, profile, "sync", "--yes", "--json")
    assert first.returncode in (0, 3), first.stderr
    assert "Traceback" not in first.stderr
    report = json.loads(first.stdout)
    held = [a for kind in report["kinds"].values() for a in kind["actions"] if a["op"] == "held"]
    assert all(a.get("reason") for a in held), held

    events = report["kinds"]["events"]
    notes = " ".join(events.get("notes") or [])
    assert "copies of meetings someone else organises" in notes and "Lightning recurring series" in notes
    assert events["counts"]["held"] >= 1, "the multi-day event is held, not a failed run"
    longer = [r for r in sf_rows(sandbox, "Event") if (r.get("DurationInMinutes") or 0) > 1440]
    assert [r["Subject"] for r in longer] == ["Edge: three-day trade fair"], "no multi-day event sent"

    assert new_duplicates(before, keys(sandbox)) == {}
    series_after = special_events(sandbox)
    assert {i: s for i, s in series_before.items() if series_after.get(i) != s} == {}
    made = [c for c in sf_rows(sandbox, "Contact") if c["Id"] not in contacts_before]
    assert made, "Outlook's contacts reach Salesforce"
    assert not any(c.get("MiddleName") or c.get("Suffix") for c in made)

    second = tandem(sandbox, profile, "sync", "--preview", "--json")
    assert second.returncode in (0, 3), second.stderr
    plan = json.loads(second.stdout)
    pending = {
        kind: {
            side: ops for side, ops in data["counts"].items() if isinstance(ops, dict) and any(ops.values())
        }
        for kind, data in plan["kinds"].items()
    }
    assert {kind: sides for kind, sides in pending.items() if sides} == {}
    held_now = [a for a in plan["kinds"]["events"]["actions"] if a["op"] == "held"]
    assert any("multi-day events" in a["reason"] for a in held_now), held_now
