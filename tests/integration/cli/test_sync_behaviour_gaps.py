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


# -- 2. the empty-side guard on an incremental read ------------------------------------------------


def test_a_delta_that_empties_a_side_stops_the_kind_with_the_empty_side_message(cli) -> None:
    from sandbox.seed import default_todo_list

    box = cli.sandbox
    code, first, err = sync(cli, "--kind", "tasks")
    assert code == 0, err
    linked = cli.run("status", "--json")[1]["kinds"]["tasks"]["linked"]
    tasks = box.state.graph_items("todoTasks", default_todo_list(box.state)["id"])
    assert linked > 0 and tasks
    for task in tasks:
        box.state.graph_delete("todoTasks", task["id"])
    sf_before = dict(box.state.sf["records"]["Task"])
    code, result, err = sync(cli, "--kind", "tasks")
    assert code == 3, err
    kind = result["kinds"]["tasks"]
    assert [(a["op"], a["label"]) for a in kind["actions"]] == [("held", "All tasks")], kind["actions"][:3]
    assert kind["actions"][0]["reason"].startswith(
        f"Outlook returned no tasks at all, while {linked} are linked"
    )
    assert "Outlook returned no tasks at all" in err and "nothing was changed" in err
    assert "would delete" not in err  # not the mass-delete explanation
    assert kind["counts"]["salesforce"] == {"create": 0, "update": 0, "delete": 0}
    assert box.state.sf["records"]["Task"] == sf_before
