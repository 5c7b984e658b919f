"""Microsoft To Do over Graph: lists (with wellknownListName), tasks CRUD, etags without change
keys, time zones of due dates, and tasks delta (``api-reference/v1.0/api/todotask-delta.md``)."""

from __future__ import annotations

import pytest
from graph_schema_check import assert_page, assert_valid, follow, graph_client

from sandbox import seed as seeding


@pytest.fixture
def graph(sandbox):
    with graph_client(sandbox) as client:
        yield client


@pytest.fixture
def default_list(sandbox) -> str:
    return seeding.default_todo_list(sandbox.state)["id"]


def test_lists(sandbox, graph, graph_schema, default_list) -> None:
    lists = assert_page(graph_schema, "todoTaskList", graph.get("me/todo/lists").json())
    assert [(lst["id"], lst["wellknownListName"]) for lst in lists] == [(default_list, "defaultList")]
    assert lists[0]["@odata.etag"]
    made = graph.post("me/todo/lists", json={"displayName": "Salesforce"})
    assert made.status_code == 201
    assert_valid(graph_schema, "todoTaskList", made.json())
    assert made.json()["wellknownListName"] == "none"
    by_name = graph.get("me/todo/lists", params={"$filter": "wellknownListName eq 'defaultList'"}).json()[
        "value"
    ]
    assert [lst["id"] for lst in by_name] == [default_list]
    assert graph.delete(f"me/todo/lists/{default_list}").status_code == 400
    assert graph.delete(f"me/todo/lists/{made.json()['id']}").status_code == 204
    bad = graph.post("me/todo/lists", json={"displayName": "x", "colour": "red"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "RequestBodyRead"
    assert "microsoft.graph.todoTaskList" in bad.json()["error"]["message"]


def test_task_crud(sandbox, graph, graph_schema, default_list) -> None:
    url = f"me/todo/lists/{default_list}/tasks"
    body = {
        "title": "Call back",
        "status": "notStarted",
        "importance": "high",
        "dueDateTime": {"dateTime": "2026-10-07T00:00:00.0000000", "timeZone": "UTC"},
        "body": {"content": "from SF", "contentType": "text"},
    }
    made = graph.post(url, json=body)
    assert made.status_code == 201, made.text
    task = made.json()
    assert_valid(graph_schema, "todoTask", task)
    assert "changeKey" not in task and task["@odata.etag"].startswith('W/"')
    assert task["dueDateTime"] == {"dateTime": "2026-10-07T00:00:00.0000000", "timeZone": "UTC"}
    assert task["isReminderOn"] is False and task["createdDateTime"].endswith("Z")
    assert "completedDateTime" not in task

    got = graph.get(f"{url}/{task['id']}", headers={"Prefer": 'outlook.timezone="Pacific Standard Time"'})
    assert got.json()["dueDateTime"] == {
        "dateTime": "2026-10-06T17:00:00.0000000",
        "timeZone": "Pacific Standard Time",
    }

    done = graph.patch(
        f"{url}/{task['id']}", json={"status": "completed"}, headers={"If-Match": task["@odata.etag"]}
    )
    assert done.status_code == 200
    assert done.json()["completedDateTime"]["timeZone"] == "UTC"
    assert done.json()["@odata.etag"] != task["@odata.etag"]
    stale = graph.patch(f"{url}/{task['id']}", json={"title": "x"}, headers={"If-Match": task["@odata.etag"]})
    assert stale.status_code == 412
    reopened = graph.patch(f"{url}/{task['id']}", json={"status": "inProgress", "dueDateTime": None}).json()
    assert "completedDateTime" not in reopened and "dueDateTime" not in reopened
    assert_valid(graph_schema, "todoTask", reopened)

    for bad, code in (
        ({"status": "done"}, "RequestBodyRead"),
        ({"importance": 3}, "RequestBodyRead"),
        (
            {"dueDateTime": {"dateTime": "2026-10-07T00:00:00", "timeZone": "Nowhere"}},
            "TimeZoneNotSupportedException",
        ),
    ):
        r = graph.patch(f"{url}/{task['id']}", json=bad)
        assert r.status_code == 400 and r.json()["error"]["code"] == code

    other = graph.post("me/todo/lists", json={"displayName": "Other"}).json()
    assert graph.get(f"me/todo/lists/{other['id']}/tasks/{task['id']}").status_code == 404
    assert graph.delete(f"{url}/{task['id']}").status_code == 204
    assert graph.get(f"{url}/{task['id']}").json()["error"]["code"] == "ErrorItemNotFound"


def test_task_paging(sandbox, graph, default_list) -> None:
    for i in range(12):
        sandbox.state.graph_create(
            "todoTasks", {"title": f"T{i}", "status": "notStarted"}, container=default_list
        )
    items, pages = follow(graph, f"me/todo/lists/{default_list}/tasks")
    assert [len(p["value"]) for p in pages] == [10, 2] and len({i["id"] for i in items}) == 12
    open_ = graph.get(
        f"me/todo/lists/{default_list}/tasks", params={"$filter": "status ne 'completed'", "$top": "50"}
    ).json()
    assert len(open_["value"]) == 12


def test_tasks_delta(sandbox, graph, graph_schema, default_list) -> None:
    url = f"me/todo/lists/{default_list}/tasks"
    ids = [graph.post(url, json={"title": f"Task {i}"}).json()["id"] for i in range(3)]
    items, pages = follow(graph, f"{url}/delta?$top=2")
    assert [len(p["value"]) for p in pages] == [2, 1]
    for p in pages:
        assert_page(graph_schema, "todoTask", p)
    assert sorted(i["id"] for i in items) == sorted(ids)
    link = pages[-1]["@odata.deltaLink"]
    graph.patch(f"{url}/{ids[0]}", json={"status": "completed"})
    graph.delete(f"{url}/{ids[1]}")
    changes, pages = follow(graph, link)
    for p in pages:
        assert_page(graph_schema, "todoTask", p)
    by_id = {c["id"]: c for c in changes}
    assert by_id[ids[0]]["status"] == "completed"
    assert by_id[ids[1]]["@removed"] == {"reason": "deleted"}
    assert ids[2] not in by_id
    forged = link.split("$deltatoken=")[0] + "$deltatoken=AAAAAAAA"
    r = graph.get(forged)
    assert r.status_code == 410 and r.json()["error"]["code"] == "SyncStateNotFound"


def test_lists_delta(sandbox, graph, default_list) -> None:
    first = graph.get("me/todo/lists/delta").json()
    assert [lst["id"] for lst in first["value"]] == [default_list]
    made = graph.post("me/todo/lists", json={"displayName": "New"}).json()
    later = graph.get(first["@odata.deltaLink"]).json()
    assert [lst["id"] for lst in later["value"]] == [made["id"]]
