"""The ``edge`` seed's Outlook part: a weekly series with one moved occurrence (an exception)
and a private event, as a client reading the calendar sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from graph_schema_check import graph_client

from sandbox.clock import parse_instant


@pytest.mark.seed("edge")
def test_the_edge_seed_holds_a_moved_occurrence_and_a_private_event(sandbox) -> None:
    now = sandbox.state.now()
    window = {
        "startDateTime": (now - timedelta(days=30)).strftime("%Y-%m-%dT00:00:00Z"),
        "endDateTime": (now + timedelta(days=90)).strftime("%Y-%m-%dT00:00:00Z"),
        "$top": "1000",
    }
    with graph_client(sandbox, Prefer='outlook.timezone="UTC"') as graph:
        r = graph.get("me/calendarView", params=window)
        assert r.status_code == 200, r.text
        view = r.json()["value"]
        series = [e for e in view if e["subject"].startswith("Weekly key-account sync")]
        assert len(series) == 10
        [moved] = [e for e in series if e["type"] == "exception"]
        assert moved["subject"] == "Weekly key-account sync (moved)"
        assert {e["type"] for e in series} == {"occurrence", "exception"}
        assert len({e["seriesMasterId"] for e in series}) == 1
        moved_start = parse_instant(moved["start"]["dateTime"].split(".")[0] + "Z")
        assert moved_start == parse_instant(moved["originalStart"]) + timedelta(hours=2)
        [private] = [e for e in view if e["subject"] == "Doctor's appointment"]
        assert private["sensitivity"] == "private" and private["type"] == "singleInstance"
        master = graph.get(f"me/events/{moved['seriesMasterId']}").json()
        assert master["type"] == "seriesMaster" and master["recurrence"]["pattern"]["type"] == "weekly"
