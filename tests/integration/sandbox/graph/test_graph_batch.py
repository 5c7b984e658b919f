"""JSON batching at ``/v1.0/$batch`` as ``concepts/json-batching.md`` describes it: up to 20
requests with unique ids and relative urls, Content-Type with every body, dependsOn with
424 on a failed dependency, one 200 envelope with a response per request."""

from __future__ import annotations

import pytest
from graph_schema_check import assert_valid, graph_client

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def graph(sandbox):
    with graph_client(sandbox) as client:
        yield client


def batch(graph, requests: list[dict]):
    return graph.post("$batch", json={"requests": requests})


def by_id(response) -> dict[str, dict]:
    assert response.status_code == 200, response.text
    return {r["id"]: r for r in response.json()["responses"]}


def test_mixed_batch_runs_every_request(sandbox, graph, graph_schema) -> None:
    existing = graph.post("me/contacts", json={"givenName": "Existing"}).json()
    sandbox.state.requests.clear()
    # More than 4 run at once here: the mailbox's concurrency limit is tested in test_graph_limits.
    sandbox.control("POST config", {"graph_concurrency": 20})
    r = batch(
        graph,
        [
            {
                "id": "1",
                "method": "POST",
                "url": "/me/contacts",
                "headers": JSON,
                "body": {"givenName": "Batched", "emailAddresses": [{"address": "b@x.org"}]},
            },
            {
                "id": "2",
                "method": "PATCH",
                "url": f"/me/contacts/{existing['id']}",
                "headers": {**JSON, "If-Match": existing["@odata.etag"]},
                "body": {"jobTitle": "CFO"},
            },
            {"id": "3", "method": "GET", "url": "me/contacts?$select=givenName&$top=5"},
            {"id": "4", "method": "DELETE", "url": "/me/contacts/AAMkDoesNotExist="},
            {
                "id": "5",
                "method": "PATCH",
                "url": f"/me/contacts/{existing['id']}",
                "headers": {**JSON, "If-Match": 'W/"stale"'},
                "body": {"jobTitle": "CEO"},
                "dependsOn": ["2"],
            },
            {"id": "6", "method": "GET", "url": "/me/nowhere"},
            {
                "id": "7",
                "method": "GET",
                "url": "/me",
                "headers": {"Prefer": 'outlook.timezone="Pacific Standard Time"'},
            },
        ],
    )
    responses = by_id(r)
    assert set(responses) == {"1", "2", "3", "4", "5", "6", "7"}
    created = responses["1"]
    assert created["status"] == 201
    assert created["headers"]["Content-Type"].startswith("application/json")
    assert_valid(graph_schema, "contact", created["body"])
    assert created["body"]["emailAddresses"] == [{"name": "b@x.org", "address": "b@x.org"}]
    assert responses["2"]["status"] == 200 and responses["2"]["body"]["jobTitle"] == "CFO"
    names = {c["givenName"] for c in responses["3"]["body"]["value"]}
    assert "Existing" in names
    assert responses["4"]["status"] == 404
    assert responses["4"]["body"]["error"]["code"] == "ErrorItemNotFound"
    assert responses["5"]["status"] == 412
    assert responses["6"]["status"] == 400
    assert responses["7"]["status"] == 200
    # Sub-requests run inside the sandbox: the network saw one Graph call.
    graph_calls = {k: v for k, v in sandbox.state.requests.items() if k[0] == "graph"}
    assert sum(graph_calls.values()) == 1 and list(graph_calls) == [("graph", "POST /v1.0/$batch")]


def test_failed_dependency_gives_424(sandbox, graph) -> None:
    r = batch(
        graph,
        [
            {
                "id": "a",
                "method": "POST",
                "url": "/me/contacts",
                "headers": JSON,
                "body": {"givenName": "Bad", "shoeSize": 44},
            },
            {"id": "b", "method": "GET", "url": "/me", "dependsOn": ["a"]},
            {"id": "c", "method": "GET", "url": "/me", "dependsOn": ["b"]},
            {"id": "d", "method": "GET", "url": "/me"},
        ],
    )
    responses = by_id(r)
    assert responses["a"]["status"] == 400
    assert responses["b"]["status"] == 424 and responses["c"]["status"] == 424
    assert responses["d"]["status"] == 200


def test_depends_on_orders_execution(sandbox, graph) -> None:
    # "2" is listed first but depends on "1": it must see the contact "1" made.
    r = batch(
        graph,
        [
            {
                "id": "2",
                "method": "GET",
                "url": "/me/contacts?$filter=emailAddresses/any(a:a/address eq 'order@x.org')",
                "dependsOn": ["1"],
            },
            {
                "id": "1",
                "method": "POST",
                "url": "/me/contacts",
                "headers": JSON,
                "body": {"givenName": "Ordered", "emailAddresses": [{"address": "order@x.org"}]},
            },
        ],
    )
    responses = by_id(r)
    assert [c["givenName"] for c in responses["2"]["body"]["value"]] == ["Ordered"]


@pytest.mark.parametrize(
    "requests,fragment",
    [
        ([{"id": str(i), "method": "GET", "url": "/me"} for i in range(21)], "20"),
        (
            [{"id": "x", "method": "GET", "url": "/me"}, {"id": "X", "method": "GET", "url": "/me"}],
            "duplicate",
        ),
        ([{"id": "1", "method": "POST", "url": "/me/contacts", "body": {"givenName": "A"}}], "Content-Type"),
        ([{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}], "depends"),
        ([{"id": "1", "method": "GET"}], "url"),
        ([{"method": "GET", "url": "/me"}], "id"),
        (
            [
                {"id": "1", "method": "GET", "url": "/me", "dependsOn": ["2"]},
                {"id": "2", "method": "GET", "url": "/me", "dependsOn": ["1"]},
            ],
            "cycle",
        ),
        ([], "no requests"),
    ],
)
def test_malformed_batches_are_400(sandbox, graph, requests, fragment) -> None:
    r = batch(graph, requests)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "BadRequest" and fragment in error["message"]
    assert sandbox.state.graph["contacts"] == {}


def test_batch_limits_and_auth(sandbox, graph) -> None:
    twenty = batch(graph, [{"id": str(i), "method": "GET", "url": "/me"} for i in range(20)])
    assert len(twenty.json()["responses"]) == 20
    not_json = graph.post("$batch", content=b"nope", headers=JSON)
    assert not_json.status_code == 400
    absolute = by_id(batch(graph, [{"id": "1", "method": "GET", "url": f"{sandbox.base_url}/v1.0/me"}]))
    assert absolute["1"]["status"] == 400
    nested = by_id(
        batch(
            graph,
            [{"id": "1", "method": "POST", "url": "/$batch", "headers": JSON, "body": {"requests": []}}],
        )
    )
    assert nested["1"]["status"] == 400
    with sandbox.client() as anonymous:
        r = anonymous.post("/v1.0/$batch", json={"requests": [{"id": "1", "method": "GET", "url": "/me"}]})
        assert r.status_code == 401


def test_sub_requests_are_throttled_one_by_one(sandbox, graph) -> None:
    requests = [{"id": str(i), "method": "GET", "url": "/me"} for i in range(20)]
    sandbox.control("POST config", {"graph_concurrency": 20})  # only the injected faults here
    sandbox.state.set_faults(fault_rate=0.5, seed=7, kinds=["429"])
    for _ in range(5):  # the envelope itself may be throttled by the same fault source
        r = batch(graph, requests)
        if r.status_code == 200:
            break
    sandbox.state.set_faults(fault_rate=0.0)
    statuses = [x["status"] for x in r.json()["responses"]]
    assert set(statuses) == {200, 429}
    throttled = next(x for x in r.json()["responses"] if x["status"] == 429)
    assert throttled["headers"]["Retry-After"] == "1"
    assert throttled["body"]["error"]["code"] == "ApplicationThrottled"
