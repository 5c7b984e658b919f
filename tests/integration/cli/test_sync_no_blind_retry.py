"""No blind retry of a create that may have been carried out: on every create path of both
services (Graph ``$batch`` of contacts, events and To Do tasks; Salesforce sObject
Collections of contacts, events and tasks), the sandbox carries the create out and then loses
the reply (``drop_after``) or answers a gateway's 504 (``504_after``), for the envelope and,
in Graph, for the one sub-request. Tandem reads back what arrived instead of sending the
create again: every new record exists exactly once on the other side, and the next sync has
nothing left to do."""

from __future__ import annotations

import collections
from collections.abc import Callable
from datetime import timedelta

import pytest

from sandbox.seed import default_calendar, default_todo_list, root_contact_folder
from sandbox.seed_demo import anchor_day, at, outlook_contact, outlook_event, outlook_task, workday

pytestmark = pytest.mark.seed("demo")

GRAPH_FAULTS = [
    {"path": "/$batch", "kind": "drop_after"},
    {"path": "/$batch", "kind": "504_after"},
    {"in_batch": True, "kind": "504_after"},  # path: the collection, set per kind
]
SF_FAULTS = [
    {"path": "/composite/sobjects", "kind": "drop_after"},
    {"path": "/composite/sobjects", "kind": "504_after"},
    {"path": "/composite/sobjects", "kind": "504"},  # refused before the work: made next run
]


def _sync(cli, kind: str) -> int:
    code, doc, err = cli.run("sync", "--kind", kind, "--yes", "--json")
    assert doc is not None and "Traceback" not in err, err
    assert code in (0, 1, 3), err
    return code


def _nothing_left(cli, kind: str) -> None:
    code, plan, err = cli.run("sync", "--kind", kind, "--preview", "--json")
    assert code in (0, 3) and plan is not None, err
    assert [a for a in plan["kinds"][kind]["actions"] if a["op"] != "held"] == []


def _hits(box) -> int:
    return sum(t["hit"] for t in box.state.faults["targets"])


def _made_in_salesforce(kind: str) -> Callable[[object, str], None]:
    def make(box, name: str) -> None:
        me = box.state.sf["me"]
        day = workday(anchor_day(box.state), 3)
        if kind == "contacts":
            fields = {"FirstName": "Nova", "LastName": name, "Email": f"{name.lower()}@example.com"}
        elif kind == "events":
            start = at(day, "10:00")
            fields = {
                "Subject": name,
                "StartDateTime": start.astimezone().isoformat(),
                "EndDateTime": (start + timedelta(hours=1)).astimezone().isoformat(),
                "DurationInMinutes": 60,
            }
        else:
            fields = {"Subject": name, "ActivityDate": day.isoformat(), "Status": "Not Started"}
        box.state.sf_create(
            {"contacts": "Contact", "events": "Event", "tasks": "Task"}[kind], {**fields, "OwnerId": me}
        )

    return make


def _made_in_outlook(kind: str) -> Callable[[object, str], None]:
    def make(box, name: str) -> None:
        day = workday(anchor_day(box.state), 4)
        if kind == "contacts":
            item = outlook_contact(
                given="Nova",
                surname=name,
                emails=[f"{name.lower()}@example.com"],
                folder_id=root_contact_folder(box.state)["id"],
            )
            box.state.graph_create("contacts", item, container=root_contact_folder(box.state)["id"])
        elif kind == "events":
            start = at(day, "14:00")
            item = outlook_event(subject=name, start=start, end=start + timedelta(hours=1))
            box.state.graph_create("events", item, container=default_calendar(box.state)["id"])
        else:
            item = outlook_task(title=name, due=day)
            box.state.graph_create("todoTasks", item, container=default_todo_list(box.state)["id"])

    return make


def _names_outlook(box, kind: str) -> collections.Counter:
    if kind == "contacts":
        return collections.Counter(c.get("surname") for c in box.state.graph_items("contacts"))
    if kind == "events":
        return collections.Counter(e.get("subject") for e in box.state.graph_items("events"))
    return collections.Counter(t.get("title") for t in box.state.graph_items("todoTasks"))


def _names_salesforce(box, kind: str) -> collections.Counter:
    sobject = {"contacts": "Contact", "events": "Event", "tasks": "Task"}[kind]
    field = "LastName" if kind == "contacts" else "Subject"
    return collections.Counter(r.get(field) for r in box.state.sf["records"][sobject].values())


SUB_PATHS = {"contacts": "/contacts", "events": "/events", "tasks": "/tasks"}


@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/json-batching")
@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/api/resources/event")
@pytest.mark.parametrize("kind", ["contacts", "events", "tasks"])
def test_creates_towards_outlook_that_lost_their_reply_are_made_once(cli, kind) -> None:
    box = cli.sandbox
    _sync(cli, kind)  # the demo world in step first: the faults then meet only the new creates
    for n, fault in enumerate(GRAPH_FAULTS):
        names = [f"Lost{kind.title()}{n}a", f"Lost{kind.title()}{n}b"]
        for name in names:
            _made_in_salesforce(kind)(box, name)
        target = {"service": "graph", "method": "POST", "path": SUB_PATHS[kind], **fault}
        box.control("faults", {"targets": [target]})
        _sync(cli, kind)
        assert _hits(box) == 1, fault  # the fault really met this kind's create
        box.control("faults", {"targets": []})
        if fault["kind"].endswith("_after"):  # done, reply lost: read back in the same run
            assert [_names_outlook(box, kind)[name] for name in names] == [1, 1], fault
            _nothing_left(cli, kind)
        _sync(cli, kind)
        found = _names_outlook(box, kind)
        assert [found[name] for name in names] == [1, 1], (fault, found)
        _nothing_left(cli, kind)


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm"
)
@pytest.mark.parametrize("kind", ["contacts", "events", "tasks"])
def test_creates_towards_salesforce_that_lost_their_reply_are_made_once(cli, kind) -> None:
    box = cli.sandbox
    _sync(cli, kind)
    for n, fault in enumerate(SF_FAULTS):
        names = [f"Gone{kind.title()}{n}a", f"Gone{kind.title()}{n}b"]
        for name in names:
            _made_in_outlook(kind)(box, name)
        box.control("faults", {"targets": [{"service": "salesforce", "method": "POST", **fault}]})
        _sync(cli, kind)
        assert _hits(box) == 1, fault
        box.control("faults", {"targets": []})
        if fault["kind"].endswith("_after"):  # done, reply lost: read back in the same run
            assert [_names_salesforce(box, kind)[name] for name in names] == [1, 1], fault
            _nothing_left(cli, kind)
        _sync(cli, kind)
        found = _names_salesforce(box, kind)
        assert [found[name] for name in names] == [1, 1], (fault, found)
        _nothing_left(cli, kind)
