"""Bad input gets Graph's 4xx answers, never a 500: random JSON bodies and query options
(Hypothesis) against contacts, events and tasks. Whatever is accepted must read back valid."""

from __future__ import annotations

import pytest
from graph_schema_check import assert_valid, graph_client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox import seed as seeding
from sandbox.graph.model import ENTITIES

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(
        ["2027-03-01T10:00:00", "UTC", "W. Europe Standard Time", "weekly", "monday", "high", "completed"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "dateTime",
                    "timeZone",
                    "address",
                    "name",
                    "pattern",
                    "range",
                    "type",
                    "content",
                    "contentType",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def bodies(entity: str):
    keys = st.sampled_from(sorted(ENTITIES[entity]) + ["bogus", "@odata.type"])
    return st.dictionaries(keys, values, max_size=5)


@pytest.fixture
def graph(sandbox):
    with graph_client(sandbox) as client:
        yield client


OK = {200, 201, 204, 400, 404, 409, 412}


def _check(graph_schema, entity: str, r) -> None:
    assert r.status_code in OK, r.text
    if r.status_code in (200, 201):
        assert_valid(graph_schema, entity, r.json())
    else:
        assert r.json()["error"]["code"]


@SETTINGS
@given(body=bodies("contact"))
def test_random_contact_bodies(sandbox, graph, graph_schema, body) -> None:
    _check(graph_schema, "contact", graph.post("me/contacts", json=body))


@SETTINGS
@given(body=bodies("event"))
def test_random_event_bodies(sandbox, graph, graph_schema, body) -> None:
    body = {
        "start": {"dateTime": "2027-03-01T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2027-03-01T11:00:00", "timeZone": "UTC"},
        **body,
    }
    r = graph.post("me/events", json=body)
    _check(graph_schema, "event", r)
    if r.status_code == 201:
        view = graph.get(
            "me/calendarView",
            params={"startDateTime": "2027-01-01T00:00:00Z", "endDateTime": "2027-06-01T00:00:00Z"},
        )
        assert view.status_code == 200
        for item in view.json()["value"]:
            assert_valid(graph_schema, "event", item)


@SETTINGS
@given(body=bodies("todoTask"))
def test_random_task_patches(sandbox, graph, graph_schema, body) -> None:
    lst = seeding.default_todo_list(sandbox.state)["id"]
    task = graph.post(f"me/todo/lists/{lst}/tasks", json={"title": "t"}).json()
    _check(graph_schema, "todoTask", graph.patch(f"me/todo/lists/{lst}/tasks/{task['id']}", json=body))


@SETTINGS
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "$top",
                "$skip",
                "$select",
                "$filter",
                "$orderby",
                "$count",
                "$expand",
                "$foo",
                "startDateTime",
                "endDateTime",
                "$deltatoken",
                "$skiptoken",
            ]
        ),
        st.one_of(
            st.text(max_size=15),
            st.sampled_from(
                [
                    "-1",
                    "0",
                    "5",
                    "2000",
                    "subject",
                    "start/dateTime desc",
                    "2027-03-01T00:00:00Z",
                    "displayName eq 'x'",
                ]
            ),
        ),
        max_size=4,
    ),
    url=st.sampled_from(
        [
            "me/contacts",
            "me/events",
            "me/calendarView",
            "me/calendarView/delta",
            "me/todo/lists",
            "me/contactFolders",
        ]
    ),
)
def test_random_query_options(sandbox, graph, params, url) -> None:
    r = graph.get(url, params=params)
    assert r.status_code in {200, 400, 410}, r.text
