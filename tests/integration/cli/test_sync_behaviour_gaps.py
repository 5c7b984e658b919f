"""Issue 22: four places where the sync departed from BEHAVIOUR.md, proven through the command
line over the sandbox's demo world."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.seed("demo")

SERIES = "Weekly pipeline review"


def sync(cli, *extra: str) -> tuple[int, dict, str]:
    code, doc, err = cli.run("sync", "--yes", "--json", *extra)
    assert doc is not None, err
    return code, doc, err


def outlook_occurrences(box, subject: str) -> list[dict]:
    """The occurrences of the Outlook series named ``subject`` in the sync's window."""
    from sandbox.graph.calendar import view_instances
    from sandbox.seed import default_calendar

    now = box.state.now()
    import datetime as dt

    items = view_instances(
        box.state,
        default_calendar(box.state)["id"],
        now - dt.timedelta(days=40),
        now + dt.timedelta(days=400),
    )
    return [i for i in items if i.get("subject") == subject and i.get("type") == "occurrence"]


def sf_events(box, subject: str) -> list[dict]:
    return sorted(
        (e for e in box.state.sf["records"]["Event"].values() if e.get("Subject") == subject),
        key=lambda e: e["StartDateTime"],
    )


# -- 1. several occurrences of one series in one run -----------------------------------------------


def test_deleting_many_occurrences_of_one_series_works_in_one_run(cli) -> None:
    box = cli.sandbox
    code, first, err = sync(cli, "--kind", "events")
    assert code == 0, err
    linked = sf_events(box, SERIES)
    before = len(outlook_occurrences(box, SERIES))
    assert before >= len(linked) >= 20, (len(linked), before)
    for event in linked[:25]:  # more than one $batch envelope
        box.state.sf_delete("Event", event["Id"])
    code, result, err = sync(cli, "--kind", "events", "--confirm-deletes")
    assert code == 0, err
    counts = result["kinds"]["events"]["counts"]
    assert counts["outlook"]["delete"] == 25, counts
    failed = [a for a in result["kinds"]["events"]["actions"] if a.get("error")]
    assert failed == [], failed[:3]
    assert len(outlook_occurrences(box, SERIES)) == before - 25


def test_changing_many_occurrences_of_one_series_works_in_one_run(cli) -> None:
    box = cli.sandbox
    code, first, err = sync(cli, "--kind", "events")
    assert code == 0, err
    linked = sf_events(box, SERIES)[2:7]
    for event in linked:
        box.state.sf_update("Event", event["Id"], {"Location": "Room 4.12"})
    code, result, err = sync(cli, "--kind", "events")
    assert code == 0, err
    counts = result["kinds"]["events"]["counts"]
    assert counts["outlook"]["update"] == 5 and counts["errors"] == 0, counts
    moved = [
        o
        for o in outlook_occurrences(box, SERIES)
        if (o.get("location") or {}).get("displayName") == "Room 4.12"
    ]
    assert len(moved) == 0  # they are exceptions now
    rooms = [
        e
        for e in box.state.graph_items("events")
        if e.get("type") == "exception" and (e.get("location") or {}).get("displayName") == "Room 4.12"
    ]
    assert len(rooms) == 5
