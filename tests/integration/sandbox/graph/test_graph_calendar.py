"""Graph calendars and events over HTTPS: CRUD, time zones, recurring series expanded into
occurrences, exceptions and cancellations, calendarView (+ delta) and instances, shaped by
``api-reference/v1.0/api/user-list-calendarview.md``, ``event-delta.md`` and
``resources/patternedrecurrence.md``. Payloads are checked against the v1.0 schema subset."""

from __future__ import annotations

from datetime import timedelta

import pytest
from graph_schema_check import assert_page, assert_valid, follow, graph_client

from sandbox import seed as seeding

BERLIN = "W. Europe Standard Time"
WINDOW = {"startDateTime": "2027-03-01T00:00:00Z", "endDateTime": "2027-05-01T00:00:00Z"}


@pytest.fixture
def graph(sandbox):
    with graph_client(sandbox) as client:
        yield client


def event(subject: str, start: str, end: str, zone: str = BERLIN, **extra) -> dict:
    return {
        "subject": subject,
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
        **extra,
    }


def weekly(
    start_date: str, days: list[str], *, end: str | None = None, count: int = 0, interval: int = 1
) -> dict:
    rng: dict = {"type": "noEnd", "startDate": start_date}
    if end:
        rng = {"type": "endDate", "startDate": start_date, "endDate": end}
    elif count:
        rng = {"type": "numbered", "startDate": start_date, "numberOfOccurrences": count}
    return {"pattern": {"type": "weekly", "interval": interval, "daysOfWeek": days}, "range": rng}


def post(graph, body: dict, url: str = "me/events") -> dict:
    r = graph.post(url, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def view(graph, window: dict = WINDOW, url: str = "me/calendarView", **headers) -> list[dict]:
    items, _ = follow(graph, url, params={**window, "$top": "100"}, headers=headers)
    return items


# ------------------------------------------------------------------ calendars
def test_calendars(sandbox, graph, graph_schema) -> None:
    default = seeding.default_calendar(sandbox.state)
    cals = graph.get("me/calendars").json()
    assert [c["id"] for c in assert_page(graph_schema, "calendar", cals)] == [default["id"]]
    me_cal = graph.get("me/calendar").json()
    assert me_cal["id"] == default["id"] and me_cal["isDefaultCalendar"] is True
    assert_valid(graph_schema, "calendar", me_cal)
    made = graph.post("me/calendars", json={"name": "Travel"})
    assert made.status_code == 201 and made.json()["isDefaultCalendar"] is False
    assert graph.post("me/calendars", json={"name": "travel"}).status_code == 409
    other = made.json()["id"]
    post(graph, event("Flight", "2027-03-02T07:00:00", "2027-03-02T09:00:00"), f"me/calendars/{other}/events")
    post(graph, event("Desk", "2027-03-02T10:00:00", "2027-03-02T11:00:00"))
    assert [e["subject"] for e in graph.get(f"me/calendars/{other}/events").json()["value"]] == ["Flight"]
    assert [e["subject"] for e in graph.get("me/events").json()["value"]] == ["Desk"]
    assert [e["subject"] for e in view(graph, url=f"me/calendars/{other}/calendarView")] == ["Flight"]
    assert [e["subject"] for e in view(graph)] == ["Desk"]


# ---------------------------------------------------------------- single events
def test_event_crud_and_time_zones(sandbox, graph, graph_schema) -> None:
    body = event(
        "QBR",
        "2026-10-05T09:00:00",
        "2026-10-05T10:00:00",
        body={"contentType": "text", "content": "agenda"},
        isAllDay=False,
        location={"displayName": "Room 1"},
        attendees=[{"type": "required", "emailAddress": {"address": "a@b.com", "name": "A B"}}],
    )
    made = post(graph, body)
    assert_valid(graph_schema, "event", made)
    assert made["type"] == "singleInstance" and made["seriesMasterId"] is None
    # Without a Prefer header Graph shows times in UTC, 7 fractional digits, no offset.
    assert made["start"] == {"dateTime": "2026-10-05T07:00:00.0000000", "timeZone": "UTC"}
    assert made["end"] == {"dateTime": "2026-10-05T08:00:00.0000000", "timeZone": "UTC"}
    assert made["originalStartTimeZone"] == BERLIN
    assert made["attendees"][0]["status"]["response"] == "none"
    assert made["location"]["displayName"] == "Room 1" and made["bodyPreview"] == "agenda"
    assert made["isOrganizer"] is True and made["iCalUId"] and made["webLink"]

    pacific = graph.get(
        f"me/events/{made['id']}", headers={"Prefer": 'outlook.timezone="Pacific Standard Time"'}
    )
    assert pacific.headers["preference-applied"] == 'outlook.timezone="Pacific Standard Time"'
    assert pacific.json()["start"] == {
        "dateTime": "2026-10-05T00:00:00.0000000",
        "timeZone": "Pacific Standard Time",
    }
    eastern = graph.get(
        f"me/events/{made['id']}", headers={"Prefer": 'outlook.timezone="America/New_York"'}
    ).json()
    assert eastern["start"]["dateTime"] == "2026-10-05T03:00:00.0000000"
    html = graph.get(f"me/events/{made['id']}", headers={"Prefer": 'outlook.body-content-type="html"'})
    assert html.json()["body"]["contentType"] == "html" and "agenda" in html.json()["body"]["content"]
    assert 'outlook.body-content-type="html"' in html.headers["preference-applied"]

    moved = graph.patch(
        f"me/events/{made['id']}",
        json={
            "start": {"dateTime": "2026-10-05T11:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-10-05T12:00:00", "timeZone": "UTC"},
        },
        headers={"If-Match": made["@odata.etag"], "Prefer": f'outlook.timezone="{BERLIN}"'},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["start"] == {"dateTime": "2026-10-05T13:00:00.0000000", "timeZone": BERLIN}
    assert moved.json()["changeKey"] != made["changeKey"]
    stale = graph.patch(
        f"me/events/{made['id']}", json={"subject": "x"}, headers={"If-Match": made["@odata.etag"]}
    )
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "ErrorIrresolvableConflict"
    assert graph.delete(f"me/events/{made['id']}").status_code == 204
    assert graph.get(f"me/events/{made['id']}").json()["error"]["code"] == "ErrorItemNotFound"


def test_all_day_events_keep_their_own_zone(sandbox, graph, graph_schema) -> None:
    made = post(
        graph,
        event(
            "Summit",
            "2027-03-10T00:00:00",
            "2027-03-12T00:00:00",
            zone="W. Europe Standard Time",
            isAllDay=True,
        ),
    )
    for prefer in ({}, {"Prefer": 'outlook.timezone="Pacific Standard Time"'}):
        got = graph.get(f"me/events/{made['id']}", headers=prefer).json()
        assert got["isAllDay"] is True
        assert got["start"] == {"dateTime": "2027-03-10T00:00:00.0000000", "timeZone": BERLIN}
        assert got["end"] == {"dateTime": "2027-03-12T00:00:00.0000000", "timeZone": BERLIN}
    in_view = view(graph, {"startDateTime": "2027-03-11T00:00:00Z", "endDateTime": "2027-03-11T01:00:00Z"})
    assert [e["subject"] for e in in_view] == ["Summit"]
    assert_valid(graph_schema, "event", in_view[0])


@pytest.mark.parametrize(
    "body,code",
    [
        (
            event("x", "2027-03-01T10:00:00", "2027-03-01T11:00:00", zone="Mars/Olympus"),
            "TimeZoneNotSupportedException",
        ),
        (event("x", "2027-03-01T10:00:00", "2027-03-01T09:00:00"), "ErrorInvalidRequest"),
        (event("x", "2027-03-01T10:00:00", "2027-03-02T10:00:00", isAllDay=True), "ErrorInvalidRequest"),
        (event("x", "not a time", "2027-03-01T11:00:00"), "ErrorInvalidRequest"),
        ({"subject": "no times"}, "ErrorInvalidRequest"),
        (event("x", "2027-03-01T10:00:00", "2027-03-01T11:00:00", showAs="sleeping"), "RequestBodyRead"),
        (
            event("x", "2027-03-01T10:00:00", "2027-03-01T11:00:00", reminderMinutesBeforeStart="15"),
            "RequestBodyRead",
        ),
        (
            event(
                "x",
                "2027-03-01T10:00:00",
                "2027-03-01T11:00:00",
                recurrence={
                    "pattern": {"type": "weekly", "interval": 1},
                    "range": {"type": "noEnd", "startDate": "2027-03-01"},
                },
            ),
            "ErrorPropertyValidationFailure",
        ),
        (
            event(
                "x",
                "2027-03-01T10:00:00",
                "2027-03-01T11:00:00",
                recurrence={"pattern": {"type": "fortnightly"}, "range": {"type": "noEnd"}},
            ),
            "RequestBodyRead",
        ),
        (
            event(
                "x",
                "2027-03-01T10:00:00",
                "2027-03-01T11:00:00",
                attendees=[{"emailAddress": {"address": "a@b.c"}, "role": "chair"}],
            ),
            "RequestBodyRead",
        ),
    ],
)
def test_event_validation(sandbox, graph, body, code) -> None:
    r = graph.post("me/events", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == code
    assert sandbox.state.graph["events"] == {}


def test_calendar_view_needs_a_window(sandbox, graph) -> None:
    for params in ({}, {"startDateTime": "2027-03-01T00:00:00Z"}, {"endDateTime": "2027-03-01T00:00:00Z"}):
        r = graph.get("me/calendarView", params=params)
        assert r.status_code == 400 and r.json()["error"]["code"] == "ErrorInvalidParameter"
    bad = graph.get("me/calendarView", params={"startDateTime": "soon", "endDateTime": "later"})
    assert bad.status_code == 400
    # Without an offset the window is UTC; the Prefer zone does not apply to it.
    post(graph, event("Late", "2027-03-01T23:30:00", "2027-03-01T23:45:00", zone="UTC"))
    got = graph.get(
        "me/calendarView",
        params={"startDateTime": "2027-03-01T23:00:00", "endDateTime": "2027-03-02T00:00:00"},
        headers={"Prefer": 'outlook.timezone="Pacific Standard Time"'},
    ).json()
    assert [e["subject"] for e in got["value"]] == ["Late"]
    offset = graph.get(
        "me/calendarView",
        params={"startDateTime": "2027-03-02T00:00:00+01:00", "endDateTime": "2027-03-02T01:00:00+01:00"},
    )
    assert [e["subject"] for e in offset.json()["value"]] == ["Late"]


# ------------------------------------------------------------ recurring series
def test_weekly_series_expands_into_occurrences(sandbox, graph, graph_schema) -> None:
    master = post(
        graph,
        event(
            "Pipeline review",
            "2027-03-15T09:00:00",
            "2027-03-15T09:30:00",
            recurrence=weekly("2027-03-15", ["monday"], count=4),
        ),
    )
    assert master["type"] == "seriesMaster"
    rec = master["recurrence"]
    assert rec["range"]["recurrenceTimeZone"] == BERLIN and rec["pattern"]["interval"] == 1
    assert_valid(graph_schema, "event", master)

    occurrences = view(graph)
    for o in occurrences:
        assert_valid(graph_schema, "event", o)
    assert [o["type"] for o in occurrences] == ["occurrence"] * 4
    assert {o["seriesMasterId"] for o in occurrences} == {master["id"]}
    # 09:00 in Berlin on both sides of the change to summer time (2027-03-28).
    assert [o["start"]["dateTime"] for o in occurrences] == [
        "2027-03-15T08:00:00.0000000",
        "2027-03-22T08:00:00.0000000",
        "2027-03-29T07:00:00.0000000",
        "2027-04-05T07:00:00.0000000",
    ]
    assert [o["originalStart"] for o in occurrences] == [
        "2027-03-15T08:00:00Z",
        "2027-03-22T08:00:00Z",
        "2027-03-29T07:00:00Z",
        "2027-04-05T07:00:00Z",
    ]
    local = view(graph, **{"Prefer": f'outlook.timezone="{BERLIN}"'})
    assert {o["start"]["dateTime"][11:16] for o in local} == {"09:00"}
    assert {o["end"]["dateTime"][11:16] for o in local} == {"09:30"}
    assert len({o["id"] for o in occurrences}) == 4 and master["id"] not in {o["id"] for o in occurrences}
    assert len({o["iCalUId"] for o in occurrences}) == 4

    # /me/events lists the master only; instances lists the occurrences.
    listed = graph.get("me/events").json()["value"]
    assert [(e["id"], e["type"]) for e in listed] == [(master["id"], "seriesMaster")]
    inst = graph.get(f"me/events/{master['id']}/instances", params=WINDOW).json()["value"]
    assert [i["id"] for i in inst] == [o["id"] for o in occurrences]
    assert graph.get(f"me/events/{master['id']}/instances").status_code == 400
    one = graph.get(f"me/events/{occurrences[1]['id']}").json()
    assert one["type"] == "occurrence" and one["originalStart"] == "2027-03-22T08:00:00Z"


@pytest.mark.parametrize(
    "recurrence,expected",
    [
        (
            {
                "pattern": {"type": "daily", "interval": 2},
                "range": {"type": "numbered", "startDate": "2027-03-01", "numberOfOccurrences": 3},
            },
            ["2027-03-01", "2027-03-03", "2027-03-05"],
        ),
        (
            {
                "pattern": {
                    "type": "weekly",
                    "interval": 2,
                    "daysOfWeek": ["tuesday", "thursday"],
                    "firstDayOfWeek": "monday",
                },
                "range": {"type": "endDate", "startDate": "2027-03-04", "endDate": "2027-03-25"},
            },
            ["2027-03-04", "2027-03-16", "2027-03-18"],
        ),
        (
            {
                "pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31},
                "range": {"type": "numbered", "startDate": "2027-03-01", "numberOfOccurrences": 2},
            },
            ["2027-03-31", "2027-04-30"],
        ),
        (
            {
                "pattern": {
                    "type": "relativeMonthly",
                    "interval": 1,
                    "daysOfWeek": ["friday"],
                    "index": "last",
                },
                "range": {"type": "endDate", "startDate": "2027-03-01", "endDate": "2027-04-30"},
            },
            ["2027-03-26", "2027-04-30"],
        ),
        (
            {
                "pattern": {"type": "absoluteYearly", "interval": 1, "dayOfMonth": 17, "month": 3},
                "range": {"type": "noEnd", "startDate": "2027-01-01"},
            },
            ["2027-03-17"],
        ),
        (
            {
                "pattern": {
                    "type": "relativeYearly",
                    "interval": 1,
                    "daysOfWeek": ["monday"],
                    "index": "first",
                    "month": 4,
                },
                "range": {"type": "noEnd", "startDate": "2027-01-01"},
            },
            ["2027-04-05"],
        ),
    ],
)
def test_recurrence_patterns(sandbox, graph, recurrence, expected) -> None:
    post(
        graph,
        event("Series", "2027-03-01T12:00:00", "2027-03-01T13:00:00", zone="UTC", recurrence=recurrence),
    )
    assert [o["start"]["dateTime"][:10] for o in view(graph)] == expected


def test_no_end_series_is_bounded_by_the_window(sandbox, graph) -> None:
    post(
        graph,
        event(
            "Daily",
            "2020-01-01T08:00:00",
            "2020-01-01T08:15:00",
            zone="UTC",
            recurrence={
                "pattern": {"type": "daily", "interval": 1},
                "range": {"type": "noEnd", "startDate": "2020-01-01"},
            },
        ),
    )
    got = view(graph, {"startDateTime": "2027-03-01T00:00:00Z", "endDateTime": "2027-03-08T00:00:00Z"})
    assert len(got) == 7
    page = graph.get("me/calendarView", params={**WINDOW, "$top": "5"}).json()
    assert len(page["value"]) == 5 and "$skip=5" in page["@odata.nextLink"]
    default = graph.get("me/calendarView", params=WINDOW).json()
    assert len(default["value"]) == 10


def test_editing_an_occurrence_makes_an_exception(sandbox, graph, graph_schema) -> None:
    master = post(
        graph,
        event(
            "Standup",
            "2027-03-01T09:00:00",
            "2027-03-01T09:15:00",
            recurrence=weekly("2027-03-01", ["monday"], count=3),
        ),
    )
    occ = view(graph)
    assert len(occ) == 3
    stale = graph.patch(f"me/events/{occ[1]['id']}", json={"subject": "x"}, headers={"If-Match": 'W/"stale"'})
    assert stale.status_code == 412
    r = graph.patch(
        f"me/events/{occ[1]['id']}",
        json={
            "subject": "Standup (moved)",
            "start": {"dateTime": "2027-03-09T09:00:00", "timeZone": BERLIN},
            "end": {"dateTime": "2027-03-09T09:15:00", "timeZone": BERLIN},
        },
        headers={"If-Match": occ[1]["@odata.etag"]},
    )
    assert r.status_code == 200, r.text
    exc = r.json()
    assert_valid(graph_schema, "event", exc)
    assert exc["id"] == occ[1]["id"] and exc["type"] == "exception"
    assert exc["seriesMasterId"] == master["id"] and exc["originalStart"] == occ[1]["originalStart"]
    after = view(graph)
    assert [(o["type"], o["subject"], o["start"]["dateTime"][:10]) for o in after] == [
        ("occurrence", "Standup", "2027-03-01"),
        ("exception", "Standup (moved)", "2027-03-09"),
        ("occurrence", "Standup", "2027-03-15"),
    ]
    assert graph.get(f"me/events/{exc['id']}").json()["type"] == "exception"
    assert [e["type"] for e in graph.get("me/events").json()["value"]] == ["seriesMaster"]
    assert graph.get(f"me/events/{master['id']}").json()["subject"] == "Standup"
    bad = graph.patch(f"me/events/{exc['id']}", json={"recurrence": weekly("2027-03-01", ["monday"])})
    assert bad.status_code == 400


def test_editing_one_occurrence_gives_the_series_a_new_shared_change_key(sandbox, graph) -> None:
    # Exchange: the master and its occurrences share one changeKey, which changes when any
    # occurrence changes; so the version read for another occurrence is stale afterwards.
    master = post(
        graph,
        event(
            "Sync",
            "2027-03-01T09:00:00",
            "2027-03-01T09:15:00",
            recurrence=weekly("2027-03-01", ["monday"], count=3),
        ),
    )
    occ = view(graph)
    assert len({o["changeKey"] for o in occ} | {master["changeKey"]}) == 1
    r = graph.patch(
        f"me/events/{occ[0]['id']}",
        json={"subject": "Sync (moved)"},
        headers={"If-Match": occ[0]["@odata.etag"]},
    )
    assert r.status_code == 200, r.text
    now = graph.get(f"me/events/{master['id']}").json()
    assert now["changeKey"] != master["changeKey"]
    assert graph.get(f"me/events/{occ[1]['id']}").json()["changeKey"] == now["changeKey"]
    stale = graph.patch(
        f"me/events/{occ[1]['id']}", json={"subject": "x"}, headers={"If-Match": occ[1]["@odata.etag"]}
    )
    assert stale.status_code == 412


def test_deleting_an_occurrence_cancels_it(sandbox, graph) -> None:
    master = post(
        graph,
        event(
            "Gym",
            "2027-03-02T18:00:00",
            "2027-03-02T19:00:00",
            recurrence=weekly("2027-03-02", ["tuesday"], end="2027-03-16"),
        ),
    )
    occ = view(graph)
    assert len(occ) == 3
    assert graph.delete(f"me/events/{occ[0]['id']}").status_code == 204
    exc = graph.patch(f"me/events/{occ[2]['id']}", json={"subject": "Gym (late)"}).json()
    assert graph.delete(f"me/events/{exc['id']}").status_code == 204
    assert [o["id"] for o in view(graph)] == [occ[1]["id"]]
    assert graph.get(f"me/events/{occ[0]['id']}").status_code == 404
    assert graph.get(f"me/events/{occ[2]['id']}").status_code == 404
    got = graph.get(f"me/events/{master['id']}", params={"$select": "subject,cancelledOccurrences"})
    assert len(got.json()["cancelledOccurrences"]) == 2
    # Deleting the master takes the series with it.
    assert graph.delete(f"me/events/{master['id']}").status_code == 204
    assert view(graph) == []


def test_retiming_a_series_drops_its_exceptions(sandbox, graph) -> None:
    master = post(
        graph,
        event(
            "Sync",
            "2027-03-03T10:00:00",
            "2027-03-03T10:30:00",
            recurrence=weekly("2027-03-03", ["wednesday"], count=3),
        ),
    )
    occ = view(graph)
    graph.patch(f"me/events/{occ[0]['id']}", json={"subject": "Sync (special)"})
    graph.patch(
        f"me/events/{master['id']}",
        json={
            "start": {"dateTime": "2027-03-03T11:00:00", "timeZone": BERLIN},
            "end": {"dateTime": "2027-03-03T11:30:00", "timeZone": BERLIN},
        },
    )
    after = view(graph, **{"Prefer": f'outlook.timezone="{BERLIN}"'})
    assert [(o["type"], o["start"]["dateTime"][11:16]) for o in after] == [("occurrence", "11:00")] * 3


def test_seeded_all_day_and_weekly_meeting(sandbox, graph) -> None:
    """The storage shape the demo seed uses (see sandbox.graph.routes's docstring) reads back right."""
    state = sandbox.state
    cal = seeding.default_calendar(state)["id"]
    state.graph_create(
        "events",
        {
            "subject": "Seeded weekly",
            "type": "seriesMaster",
            "isAllDay": False,
            "start": {"dateTime": "2027-03-01T08:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2027-03-01T08:30:00.0000000", "timeZone": "UTC"},
            "recurrence": {
                "pattern": {
                    "type": "weekly",
                    "interval": 1,
                    "month": 0,
                    "dayOfMonth": 0,
                    "daysOfWeek": ["monday"],
                    "firstDayOfWeek": "sunday",
                    "index": "first",
                },
                "range": {
                    "type": "noEnd",
                    "startDate": "2027-03-01",
                    "endDate": "0001-01-01",
                    "recurrenceTimeZone": BERLIN,
                    "numberOfOccurrences": 0,
                },
            },
        },
        container=cal,
    )
    state.graph_create(
        "events",
        {
            "subject": "Seeded all-day",
            "type": "singleInstance",
            "isAllDay": True,
            "start": {"dateTime": "2027-03-10T00:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2027-03-11T00:00:00.0000000", "timeZone": "UTC"},
        },
        container=cal,
    )
    got = view(
        graph,
        {"startDateTime": "2027-03-01T00:00:00Z", "endDateTime": "2027-04-06T00:00:00Z"},
        **{"Prefer": f'outlook.timezone="{BERLIN}"'},
    )
    weekly_starts = [e["start"]["dateTime"][:16] for e in got if e["subject"] == "Seeded weekly"]
    assert weekly_starts == [
        "2027-03-01T09:00",
        "2027-03-08T09:00",
        "2027-03-15T09:00",
        "2027-03-22T09:00",
        "2027-03-29T09:00",
        "2027-04-05T09:00",
    ]
    day = [e for e in got if e["subject"] == "Seeded all-day"]
    assert day[0]["start"] == {"dateTime": "2027-03-10T00:00:00.0000000", "timeZone": "UTC"}


@pytest.mark.seed("demo")
def test_demo_world_reads_back_valid(sandbox, graph, graph_schema) -> None:
    events, _ = follow(graph, "me/events?$top=50")
    assert {e["type"] for e in events} == {"singleInstance", "seriesMaster"}
    now = sandbox.state.now().replace(microsecond=0)
    window = {
        "startDateTime": (now - timedelta(days=60)).isoformat().replace("+00:00", "Z"),
        "endDateTime": (now + timedelta(days=365)).isoformat().replace("+00:00", "Z"),
    }
    items, pages = follow(graph, "me/calendarView", params={**window, "$top": "50"})
    for p in pages:
        assert_page(graph_schema, "event", p)
    assert any(i["type"] == "occurrence" for i in items)


# ---------------------------------------------------------- calendarView delta
def test_calendar_view_delta(sandbox, graph, graph_schema) -> None:
    window = {"startDateTime": "2027-03-01T00:00:00Z", "endDateTime": "2027-03-31T00:00:00Z"}
    single = post(graph, event("One-off", "2027-03-05T10:00:00", "2027-03-05T11:00:00"))
    doomed = post(graph, event("Doomed", "2027-03-06T10:00:00", "2027-03-06T11:00:00"))
    leaving = post(graph, event("Leaving", "2027-03-07T10:00:00", "2027-03-07T11:00:00"))
    outside = post(graph, event("Outside", "2027-06-01T10:00:00", "2027-06-01T11:00:00"))
    master = post(
        graph,
        event(
            "Weekly",
            "2027-03-01T09:00:00",
            "2027-03-01T09:30:00",
            recurrence=weekly("2027-03-01", ["monday"], count=3),
        ),
    )

    first = graph.get(
        "me/calendarView/delta", params=window, headers={"Prefer": "odata.maxpagesize=3, odata.track-changes"}
    )
    assert first.status_code == 200
    assert "odata.maxpagesize=3" in first.headers["preference-applied"]
    assert "odata.track-changes" in first.headers["preference-applied"]
    items, pages = follow(graph, first.json()["@odata.nextLink"], headers={"Prefer": "odata.maxpagesize=3"})
    items = first.json()["value"] + items
    for p in [first.json(), *pages]:
        assert_page(graph_schema, "event", p)
    assert "startDateTime" not in first.json()["@odata.nextLink"]  # the window is in the token
    assert sorted(i["subject"] for i in items) == [
        "Doomed",
        "Leaving",
        "One-off",
        "Weekly",
        "Weekly",
        "Weekly",
    ]
    assert {i["type"] for i in items} == {"singleInstance", "occurrence"}
    delta_link = pages[-1]["@odata.deltaLink"]

    occurrences = [i for i in items if i["type"] == "occurrence"]
    graph.patch(f"me/events/{single['id']}", json={"subject": "One-off (renamed)"})
    graph.delete(f"me/events/{doomed['id']}")
    graph.patch(
        f"me/events/{leaving['id']}",
        json={
            "start": {"dateTime": "2027-05-07T10:00:00", "timeZone": BERLIN},
            "end": {"dateTime": "2027-05-07T11:00:00", "timeZone": BERLIN},
        },
    )
    graph.patch(
        f"me/events/{outside['id']}",
        json={
            "start": {"dateTime": "2027-03-20T10:00:00", "timeZone": BERLIN},
            "end": {"dateTime": "2027-03-20T11:00:00", "timeZone": BERLIN},
        },
    )
    graph.delete(f"me/events/{occurrences[0]['id']}")
    new = post(graph, event("New", "2027-03-10T10:00:00", "2027-03-10T11:00:00"))

    changes, pages = follow(graph, delta_link)
    for p in pages:
        assert_page(graph_schema, "event", p)
    removed = {c["id"] for c in changes if "@removed" in c}
    present = {c["id"]: c for c in changes if "@removed" not in c}
    assert removed == {doomed["id"], leaving["id"], occurrences[0]["id"]}
    assert all(c["@removed"] == {"reason": "deleted"} for c in changes if "@removed" in c)
    assert present[single["id"]]["subject"] == "One-off (renamed)"
    assert outside["id"] in present and new["id"] in present
    assert master["id"] not in present  # masters are not instances of a view

    quiet = graph.get(pages[-1]["@odata.deltaLink"]).json()
    assert quiet["value"] == [] and "@odata.deltaLink" in quiet
    # Like Graph, changes outside the window come as @removed: clients filter by range.
    far = post(graph, event("Far away", "2027-09-01T10:00:00", "2027-09-01T11:00:00"))
    outside_change = graph.get(quiet["@odata.deltaLink"]).json()
    assert outside_change["value"] == [
        {"@odata.type": "#microsoft.graph.event", "id": far["id"], "@removed": {"reason": "deleted"}}
    ]
    sandbox.state.graph["deltaTokens"].clear()
    gone = graph.get(outside_change["@odata.deltaLink"])
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "SyncStateNotFound"
    assert graph.get("me/calendarView/delta").status_code == 400  # a first call needs a window
