"""Graph's limits as the sandbox enforces them: 4 concurrent requests per app per mailbox,
``$batch`` sub-requests counted one by one (each over the limit gets its own 429 with
Retry-After), undocumented delta paths refused, and ``transactionId`` keeping a repeated
event create from making a second event."""

from __future__ import annotations

import threading
import time

import pytest
from graph_schema_check import graph_client

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def graph(sandbox):
    with graph_client(sandbox) as client:
        yield client


def in_flight(sandbox) -> int:
    return sandbox.control("requests")["graph_concurrency"]["in_flight"].get("me", 0)


def hold_slots(sandbox, n: int) -> list[threading.Thread]:
    """``n`` slow GETs against the mailbox, returned once the sandbox counts them running."""
    sandbox.state.set_faults(latency_ms=3000)
    statuses: list[int] = []

    def one() -> None:
        with graph_client(sandbox) as c:
            statuses.append(c.get("me/contacts").status_code)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30  # a safety net against a hang, not an ordering wait
    while in_flight(sandbox) < n and time.monotonic() < deadline:
        pass
    assert in_flight(sandbox) == n
    return threads


def assert_mailbox_concurrency(status: int, headers: dict, body: dict) -> None:
    assert status == 429
    assert float({k.lower(): v for k, v in headers.items()}["retry-after"]) > 0
    assert body["error"]["code"] == "ApplicationThrottled"
    assert "MailboxConcurrency" in body["error"]["message"]


@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/throttling-limits")
def test_a_fifth_concurrent_request_to_one_mailbox_gets_429(sandbox, graph) -> None:
    threads = hold_slots(sandbox, 4)
    sandbox.state.set_faults(latency_ms=0)
    fifth = graph.get("me/contacts")
    assert_mailbox_concurrency(fifth.status_code, dict(fifth.headers), fifth.json())
    for t in threads:
        t.join()
    assert graph.get("me/contacts").status_code == 200  # the slots are free again


@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/json-batching")
@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/throttling-limits")
def test_batch_sub_requests_count_one_by_one_against_the_mailbox(sandbox, graph) -> None:
    threads = hold_slots(sandbox, 2)
    r = graph.post(
        "$batch", json={"requests": [{"id": str(n), "method": "GET", "url": "/me"} for n in range(20)]}
    )
    for t in threads:
        t.join()
    assert r.status_code == 200
    replies = r.json()["responses"]
    ok = [x for x in replies if x["status"] == 200]
    refused = [x for x in replies if x["status"] == 429]
    assert len(ok) == 2 and len(refused) == 18
    for x in refused:
        assert_mailbox_concurrency(x["status"], x["headers"], x["body"])


@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/json-batching")
def test_a_batch_runs_its_requests_in_parallel_unless_depends_on_orders_them(sandbox, graph) -> None:
    five = [{"id": str(n), "method": "GET", "url": "/me"} for n in range(5)]
    r = graph.post("$batch", json={"requests": five})
    assert sorted(x["status"] for x in r.json()["responses"]) == [200, 200, 200, 200, 429]
    # Four chains of five, each ordered by dependsOn: never more than four at once.
    lanes = [
        {"id": str(n), "method": "GET", "url": "/me", **({"dependsOn": [str(n - 4)]} if n >= 4 else {})}
        for n in range(20)
    ]
    r = graph.post("$batch", json={"requests": lanes})
    assert [x["status"] for x in r.json()["responses"]] == [200] * 20


@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/api/contact-delta")
def test_contacts_delta_is_only_served_per_folder(sandbox, graph) -> None:
    refused = graph.get("me/contacts/delta")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "BadRequest"
    root = graph.get("me/contacts", params={"$top": "1", "$select": "parentFolderId"})
    assert root.status_code == 200
    folder = graph.post("me/contactFolders", json={"displayName": "Partners"}).json()
    parent = graph.get("me/contactFolders", params={"$select": "parentFolderId"}).json()["value"][0]
    served = graph.get(f"me/contactFolders/{parent['parentFolderId']}/contacts/delta")
    assert served.status_code == 200 and "@odata.deltaLink" in served.json()
    assert graph.get(f"me/contactFolders/{folder['id']}/contacts/delta").status_code == 200


@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/api/event-delta")
@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/delta-query-events")
def test_calendar_view_delta_paths(sandbox, graph) -> None:
    window = {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-02-01T00:00:00Z"}
    assert graph.get("me/calendarView/delta", params=window).status_code == 200
    undocumented = graph.get("me/calendar/calendarView/delta", params=window)
    assert undocumented.status_code == 400 and undocumented.json()["error"]["code"] == "BadRequest"
    cal = graph.post("me/calendars", json={"name": "Projects"}).json()
    assert graph.get(f"me/calendars/{cal['id']}/calendarView/delta", params=window).status_code == 200
    sandbox.control("POST config", {"graph_calendar_delta_per_calendar": False})
    refused = graph.get(f"me/calendars/{cal['id']}/calendarView/delta", params=window)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "BadRequest"
    assert graph.get(f"me/calendars/{cal['id']}/calendarView", params=window).status_code == 200


@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/api/resources/event")
def test_a_repeated_create_with_the_same_transaction_id_makes_one_event(sandbox, graph) -> None:
    event = {
        "subject": "Quarterly review",
        "start": {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-02T11:00:00", "timeZone": "UTC"},
        "transactionId": "tandem-review-1",
    }
    first = graph.post("me/events", json=event)
    again = graph.post("me/calendar/events", json=event)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    in_batch = graph.post(
        "$batch",
        json={
            "requests": [{"id": "1", "method": "POST", "url": "/me/events", "headers": JSON, "body": event}]
        },
    ).json()["responses"][0]
    assert in_batch["status"] == 201 and in_batch["body"]["id"] == first.json()["id"]
    other = graph.post("me/events", json={**event, "transactionId": "tandem-review-2"})
    assert other.json()["id"] != first.json()["id"]
    subjects = [e["subject"] for e in graph.get("me/events").json()["value"]]
    assert subjects == ["Quarterly review", "Quarterly review"]
