"""The Graph sources (sync.graph.source) against the sandbox over real HTTPS.

The conformance suite of ``sync.testing.conformance`` for all three kinds, then what is
particular to Outlook: delta round trips, expired delta tokens, collection slots kept on
update, series occurrences, all-day dates, the event window and request economy.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from sync.errors import CursorExpired
from sync.fields import fields_to
from sync.graph.client import GraphClient
from sync.graph.source import GraphContacts, GraphEvents, GraphSource
from sync.graph.tasks import GraphTasks
from sync.normalise import clean_record
from sync.records import Update
from sync.source import Source
from sync.testing.conformance import CHECKS, sample

UTC = dt.UTC
SCOPES = "Contacts.ReadWrite Calendars.ReadWrite Tasks.ReadWrite User.Read"
# The conformance samples are dated October 2026 to January 2027; the window covers them.
DAYS_BACK, DAYS_AHEAD = 400, 400


class Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def _token(sandbox: Any) -> str:
    access, _ = sandbox.state.tokens.issue(
        "microsoft", sandbox.state.graph["user"]["id"], "tandem-test", SCOPES, 3600
    )
    return access


def _client(sandbox: Any, **kw: Any) -> GraphClient:
    return GraphClient(
        sandbox.base_url,
        verify=sandbox.ssl_context(),
        auth=Bearer(_token(sandbox)),
        backoff_base_s=0.01,
        backoff_cap_s=0.5,
        **kw,
    )


def _source(client: GraphClient, kind: str, **kw: Any) -> GraphSource:
    if kind == "contacts":
        return GraphContacts(client, **kw)
    if kind == "events":
        return GraphEvents(client, kw.pop("days_back", DAYS_BACK), kw.pop("days_ahead", DAYS_AHEAD), **kw)
    return GraphTasks(client, **kw)


def run(sandbox: Any, body: Callable[[Callable[..., Awaitable[GraphSource]]], Awaitable[Any]]) -> Any:
    """Run ``body(make)`` on a fresh loop; ``make(kind, **kw)`` builds a source on a new
    client; every client is closed at the end."""

    async def main() -> Any:
        clients: list[GraphClient] = []

        async def make(kind: str, **kw: Any) -> GraphSource:
            client = _client(sandbox)
            clients.append(client)
            return _source(client, kind, **kw)

        try:
            return await body(make)
        finally:
            for c in clients:
                await c.aclose()

    return asyncio.run(main())


def outlook(sandbox: Any) -> httpx.Client:
    """A plain client acting as the user in Outlook (not through Tandem)."""
    return httpx.Client(
        base_url=sandbox.base_url + "/v1.0",
        verify=sandbox.ssl_context(),
        headers={"Authorization": f"Bearer {_token(sandbox)}"},
        timeout=30,
    )


def _ok(response: httpx.Response) -> dict:
    assert response.status_code < 300, response.text
    return response.json() if response.content else {}


# -- conformance --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["contacts", "events", "tasks"])
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_conformance(sandbox, check, kind):
    async def body(make):
        async def factory(side, k):
            assert side == "outlook"
            return await make(k)

        await check(factory, "outlook", kind)

    run(sandbox, body)


def test_sources_satisfy_the_protocol(sandbox):
    async def body(make):
        for kind in ("contacts", "events", "tasks"):
            source = await make(kind)
            assert isinstance(source, Source)
            assert source.side == "outlook" and source.kind == kind
            # events: writes to one series go in rounds, so a call holds several envelopes
            assert source.batch_size == (100 if kind == "events" else 20)

    run(sandbox, body)


# -- delta ---------------------------------------------------------------------------------


def test_contacts_delta_round_trip(sandbox):
    async def body(make):
        source = await make("contacts")
        with outlook(sandbox) as o:  # the default folder's id is learnt from a contact in it
            first = _ok(o.post("/me/contacts", json={"givenName": "Ada", "surname": "Lovelace"}))
        full = await source.list_changes(None)
        assert full.full and [i.id for i in full.items] == [first["id"]]
        with outlook(sandbox) as o:
            made = _ok(
                o.post(
                    "/me/contacts",
                    json={
                        "givenName": "Grace",
                        "surname": "Hopper",
                        "emailAddresses": [{"address": "grace@example.com", "name": "Grace"}],
                    },
                )
            )
        delta = await source.list_changes(full.cursor)
        assert not delta.full
        [item] = delta.items
        assert item.id == made["id"]
        assert item.record["LastName"] == "Hopper" and item.record["Email"] == "grace@example.com"
        assert item.in_range
        with outlook(sandbox) as o:
            assert o.delete(f"/me/contacts/{made['id']}").status_code == 204
        gone = await source.list_changes(delta.cursor)
        assert gone.deleted_ids == [made["id"]] and gone.items == []
        assert await source.get_many([made["id"]]) == {}

    run(sandbox, body)


def test_contacts_of_another_folder(sandbox):
    async def body(make):
        with outlook(sandbox) as o:
            folder = _ok(o.post("/me/contactFolders", json={"displayName": "Customers"}))
            _ok(o.post("/me/contacts", json={"givenName": "In", "surname": "Default"}))
            _ok(
                o.post(
                    f"/me/contactFolders/{folder['id']}/contacts",
                    json={"givenName": "In", "surname": "Folder"},
                )
            )
        source = await make("contacts", folder_id=folder["id"])
        full = await source.list_changes(None)
        assert [i.record["LastName"] for i in full.items] == ["Folder"]
        [created] = await source.create_many([clean_record("contacts", {"LastName": "New"})])
        with outlook(sandbox) as o:
            assert _ok(o.get(f"/me/contacts/{created.id}"))["parentFolderId"] == folder["id"]
        folders = await source.client.contact_folders()
        assert {f["name"] for f in folders} == {"Contacts", "Customers"}

    run(sandbox, body)


@pytest.mark.parametrize("kind", ["contacts", "events", "tasks"])
def test_expired_delta_token_raises_cursor_expired(sandbox, kind):
    async def body(make):
        source = await make(kind)
        if kind == "contacts":  # a contact names the default folder the delta is read from
            with outlook(sandbox) as o:
                _ok(o.post("/me/contacts", json={"givenName": "Ada"}))
        full = await source.list_changes(None)
        sandbox.control("POST delta/expire")
        with pytest.raises(CursorExpired):
            await source.list_changes(full.cursor)
        again = await source.list_changes(None)
        assert again.full

    run(sandbox, body)


@pytest.mark.parametrize("kind", ["contacts", "events", "tasks"])
def test_no_change_delta_costs_one_request(sandbox, kind):
    async def body(make):
        source = await make(kind)
        await source.create_many(
            [dict((k, v) for k, v in sample(kind, 1).items() if k in fields_to(kind, "outlook"))]
        )
        full = await source.list_changes(None)
        assert len(full.items) == 1
        sandbox.control("POST requests/reset")
        before = source.api_calls
        delta = await source.list_changes(full.cursor)
        assert delta.items == [] and delta.deleted_ids == []
        assert source.api_calls - before == 1
        assert sandbox.control("requests")["services"]["graph"]["total"] == 1

    run(sandbox, body)


def test_writes_are_batched(sandbox):
    async def body(make):
        source = await make("contacts")
        records = [
            dict((k, v) for k, v in sample("contacts", n).items() if k in fields_to("contacts", "outlook"))
            for n in range(45)
        ]
        before = source.api_calls
        results = await source.create_many(records)
        assert all(r.ok for r in results) and len({r.id for r in results}) == 45
        assert source.api_calls - before == 3  # 20 + 20 + 5
        got = await source.get_many([r.id for r in results])
        assert len(got) == 45 and source.api_calls - before == 6
        assert [got[r.id].record["Email"] for r in results] == [f"ada{n}@example.com" for n in range(45)]

    run(sandbox, body)


# -- contacts: collections and unmapped fields are kept -------------------------------------


def test_contact_update_keeps_other_entries_and_unmapped_fields(sandbox):
    async def body(make):
        with outlook(sandbox) as o:
            made = _ok(
                o.post(
                    "/me/contacts",
                    json={
                        "givenName": "Ada",
                        "surname": "Lovelace",
                        "nickName": "Enchantress",
                        "emailAddresses": [
                            {"address": "ada@work.example", "name": "Ada"},
                            {"address": "ada@home.example", "name": "Ada at home"},
                        ],
                        "businessPhones": ["+44 20 1111 1111", "+44 20 2222 2222"],
                        "homePhones": ["+44 20 3333 3333", "+44 20 4444 4444"],
                        "businessAddress": {
                            "street": "1 Engine Way",
                            "city": "London",
                            "countryOrRegion": "United Kingdom",
                        },
                        "homeAddress": {"city": "Marylebone"},
                        "imAddresses": ["ada@im"],
                        "categories": ["VIP"],
                    },
                )
            )
        for warm in (True, False):  # with the item read by the source, and without
            source = await make("contacts")
            if warm:
                item = (await source.list_changes(None)).items[0]
            else:
                item = (await source.get_many([made["id"]]))[made["id"]]
                source._raw.clear()
            n = "1" if warm else "2"
            [res] = await source.update_many(
                [
                    Update(
                        made["id"],
                        item.version,
                        {
                            "Email": f"ada{n}@new.example",
                            "Phone": f"+44 20 5555 555{n}",
                            "HomePhone": f"+44 20 6666 666{n}",
                            "MailingCity": "Cambridge",
                        },
                    )
                ]
            )
            assert res.ok, res.error
            with outlook(sandbox) as o:
                now = _ok(o.get(f"/me/contacts/{made['id']}"))
            assert [e["address"] for e in now["emailAddresses"]] == [
                f"ada{n}@new.example",
                "ada@home.example",
            ]
            assert now["businessPhones"] == [f"+44 20 5555 555{n}", "+44 20 2222 2222"]
            assert now["homePhones"] == [f"+44 20 6666 666{n}", "+44 20 4444 4444"]
            assert now["businessAddress"]["street"] == "1 Engine Way"
            assert now["businessAddress"]["city"] == "Cambridge"
            assert now["nickName"] == "Enchantress" and now["imAddresses"] == ["ada@im"]
            assert now["homeAddress"]["city"] == "Marylebone" and now["categories"] == ["VIP"]
            assert now["givenName"] == "Ada" and now["surname"] == "Lovelace"

    run(sandbox, body)


def test_contact_without_surname_gets_a_last_name(sandbox):
    async def body(make):
        with outlook(sandbox) as o:
            _ok(o.post("/me/contacts", json={"displayName": "Acme Front Desk"}))
            _ok(
                o.post(
                    "/me/contacts",
                    json={"displayName": "", "emailAddresses": [{"address": "info@acme.example"}]},
                )
            )
        source = await make("contacts")
        names = sorted(i.record["LastName"] for i in (await source.list_changes(None)).items)
        assert names == ["Acme Front Desk", "info"]

    run(sandbox, body)


# -- events -------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(UTC).replace(microsecond=0)


def test_recurring_occurrences_are_separate_items(sandbox):
    start = (_now() + dt.timedelta(days=7)).replace(hour=9, minute=0, second=0)

    async def body(make):
        with outlook(sandbox) as o:
            _ok(
                o.post(
                    "/me/events",
                    json={
                        "subject": "Weekly sync",
                        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
                        "end": {
                            "dateTime": (start + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S"),
                            "timeZone": "UTC",
                        },
                        "recurrence": {
                            "pattern": {
                                "type": "weekly",
                                "interval": 1,
                                "daysOfWeek": [start.strftime("%A").lower()],
                            },
                            "range": {
                                "type": "numbered",
                                "startDate": start.date().isoformat(),
                                "numberOfOccurrences": 4,
                            },
                        },
                    },
                )
            )
        source = await make("events", days_back=30, days_ahead=90)
        full = await source.list_changes(None)
        subjects = [i.record["Subject"] for i in full.items]
        assert subjects == ["Weekly sync"] * 4
        assert len({i.id for i in full.items}) == 4
        starts = sorted(i.record["StartDateTime"] for i in full.items)
        assert starts == [start + dt.timedelta(weeks=w) for w in range(4)]
        # editing one occurrence edits one item
        second = next(i for i in full.items if i.record["StartDateTime"] == starts[1])
        [res] = await source.update_many([Update(second.id, second.version, {"Location": "Room 9"})])
        assert res.ok, res.error
        delta = await source.list_changes(full.cursor)
        # The series has a new shared changeKey, so the other occurrences come again too,
        # at a new version with their content as it was.
        edited = [i for i in delta.items if i.record["Location"] == "Room 9"]
        assert [i.id for i in edited] == [second.id]
        assert all(i.record["Location"] is None for i in delta.items if i.id != second.id)
        others = await source.get_many([i.id for i in full.items if i.id != second.id])
        assert all(i.record["Location"] is None for i in others.values())

    run(sandbox, body)


def test_all_day_event_keeps_its_calendar_day(sandbox):
    day = (_now() + dt.timedelta(days=10)).date()

    async def body(make):
        with outlook(sandbox) as o:
            _ok(
                o.post(
                    "/me/events",
                    json={
                        "subject": "Offsite",
                        "isAllDay": True,
                        "start": {"dateTime": f"{day}T00:00:00", "timeZone": "W. Europe Standard Time"},
                        "end": {
                            "dateTime": f"{day + dt.timedelta(days=2)}T00:00:00",
                            "timeZone": "W. Europe Standard Time",
                        },
                    },
                )
            )
        source = await make("events", days_back=30, days_ahead=90, time_zone="Europe/Berlin")
        [item] = (await source.list_changes(None)).items
        assert item.record["IsAllDayEvent"] is True
        assert item.record["ActivityDate"] == day and item.record["DurationInMinutes"] == 2880
        assert item.record["StartDateTime"] is None
        # written from a record: midnight to midnight in the user's zone
        rec = clean_record(
            "events",
            {"Subject": "Holiday", "IsAllDayEvent": True, "ActivityDate": day, "DurationInMinutes": 1440},
        )
        [res] = await source.create_many([rec])
        assert res.ok, res.error
        with outlook(sandbox) as o:
            raw = _ok(o.get(f"/me/events/{res.id}"))
        assert raw["isAllDay"] and raw["start"]["dateTime"].startswith(f"{day}T00:00:00")
        got = (await source.get_many([res.id]))[res.id]
        assert got.record["ActivityDate"] == day and got.record["DurationInMinutes"] == 1440

    run(sandbox, body)


def test_private_event_is_marked(sandbox):
    start = (_now() + dt.timedelta(days=3)).replace(hour=8, minute=0, second=0)

    async def body(make):
        with outlook(sandbox) as o:
            _ok(
                o.post(
                    "/me/events",
                    json={
                        "subject": "Doctor",
                        "sensitivity": "private",
                        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
                        "end": {
                            "dateTime": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
                            "timeZone": "UTC",
                        },
                        "attendees": [{"emailAddress": {"address": "dr@clinic.example"}}],
                    },
                )
            )
        source = await make("events", days_back=30, days_ahead=90)
        [item] = (await source.list_changes(None)).items
        assert item.record["IsPrivate"] is True
        assert item.record["WhoEmail"] == "dr@clinic.example"

    run(sandbox, body)


def test_event_moved_out_of_window_is_reported_and_out_of_range(sandbox):
    start = (_now() + dt.timedelta(days=5)).replace(hour=10, minute=0, second=0)

    async def body(make):
        source = await make("events", days_back=7, days_ahead=30)
        [made] = await source.create_many(
            [
                clean_record(
                    "events",
                    {
                        "Subject": "Review",
                        "StartDateTime": start,
                        "EndDateTime": start + dt.timedelta(hours=1),
                    },
                )
            ]
        )
        assert made.ok, made.error
        full = await source.list_changes(None)
        assert [i.id for i in full.items] == [made.id]
        later = start + dt.timedelta(days=60)
        [res] = await source.update_many(
            [
                Update(
                    made.id,
                    made.version,
                    {
                        "IsAllDayEvent": False,
                        "StartDateTime": later,
                        "EndDateTime": later + dt.timedelta(hours=1),
                        "ActivityDate": None,
                        "DurationInMinutes": None,
                    },
                )
            ]
        )
        assert res.ok, res.error
        delta = await source.list_changes(full.cursor)
        assert made.id in delta.deleted_ids
        got = await source.get_many([made.id])
        assert got[made.id].in_range is False
        assert got[made.id].record["StartDateTime"] == later

    run(sandbox, body)


def test_event_window_moving_on_gives_a_full_listing(sandbox):
    async def body(make):
        today = _now()
        source = await make("events", days_back=7, days_ahead=30)
        full = await source.list_changes(None)
        source.clock = lambda: today + dt.timedelta(days=1)
        again = await source.list_changes(full.cursor)
        assert again.full
        same = await source.list_changes(again.cursor)
        assert not same.full

    run(sandbox, body)


# -- tasks --------------------------------------------------------------------------------


def test_task_mapping_both_ways(sandbox):
    async def body(make):
        source = await make("tasks")
        lists = await source.client.todo_lists()
        default = next(t for t in lists if t["is_default"])
        with outlook(sandbox) as o:
            made = _ok(
                o.post(
                    f"/me/todo/lists/{default['id']}/tasks",
                    json={
                        "title": "Send contract",
                        "status": "waitingOnOthers",
                        "importance": "high",
                        "body": {"content": "by Friday", "contentType": "text"},
                        "dueDateTime": {"dateTime": "2026-12-04T00:00:00", "timeZone": "UTC"},
                        "isReminderOn": True,
                        "reminderDateTime": {"dateTime": "2026-12-03T09:00:00", "timeZone": "UTC"},
                    },
                )
            )
        [item] = (await source.list_changes(None)).items
        assert item.id == made["id"]
        assert item.record == clean_record(
            "tasks",
            {
                "Subject": "Send contract",
                "Description": "by Friday",
                "Status": "Waiting on someone else",
                "Priority": "High",
                "ActivityDate": dt.date(2026, 12, 4),
                "IsReminderSet": True,
                "ReminderDateTime": dt.datetime(2026, 12, 3, 9, tzinfo=UTC),
            },
        )
        [res] = await source.update_many(
            [Update(item.id, item.version, {"Status": "Completed", "ActivityDate": None})]
        )
        assert res.ok, res.error
        with outlook(sandbox) as o:
            now = _ok(o.get(f"/me/todo/lists/{default['id']}/tasks/{item.id}"))
        assert now["status"] == "completed" and "dueDateTime" not in now
        assert now["title"] == "Send contract" and now["importance"] == "high"

    run(sandbox, body)


def test_discovery_helpers(sandbox):
    async def body(make):
        source = await make("events")
        cals = await source.client.calendars()
        assert any(c["is_default"] for c in cals)
        lists = await source.client.todo_lists()
        assert [t["is_default"] for t in lists] == [True]
        folders = await source.client.contact_folders()
        assert folders == [{"id": None, "name": "Contacts", "parent_id": None}]

    run(sandbox, body)


# -- batch throttling ----------------------------------------------------------------------


def test_throttled_sub_requests_are_resent(sandbox):
    """A 429 on one sub-request of a $batch is re-sent alone after its Retry-After (the
    sandbox throttles whole requests only, so the first envelope reply is rewritten)."""

    async def body(make):
        source = await make("contacts")
        http = source.client.service.http
        real_send = http.send
        seen: list[int] = []

        async def send(request: httpx.Request, **kw: Any) -> httpx.Response:
            response = await real_send(request, **kw)
            if request.url.path.endswith("/$batch"):
                import json

                sent = json.loads(request.content)
                seen.append(len(sent["requests"]))
                if len(seen) == 1:
                    await response.aread()
                    data = response.json()
                    for r in data["responses"]:
                        if r["id"] == "1":
                            # the sandbox did create it; the re-send makes a second
                            # contact, which this test does not look at
                            r.update(
                                {
                                    "status": 429,
                                    "headers": {"Retry-After": "0"},
                                    "body": {
                                        "error": {
                                            "code": "ApplicationThrottled",
                                            "message": "MailboxConcurrency",
                                        }
                                    },
                                }
                            )
                    return httpx.Response(200, json=data, request=request)
            return response

        http.send = send  # type: ignore[method-assign]
        records = [
            dict((k, v) for k, v in sample("contacts", n).items() if k in fields_to("contacts", "outlook"))
            for n in range(3)
        ]
        results = await source.create_many(records)
        assert all(r.ok for r in results)
        assert seen == [3, 1]
        assert source.client.api_calls == 2

    run(sandbox, body)


# -- headers, paging, versions ----------------------------------------------------------------


def test_headers_and_paging(sandbox):
    """ImmutableId on every request (batch sub-requests included), maxpagesize and $select on
    contacts delta, UTC on events; nextLinks are followed."""
    sandbox.control("POST config", {"graph_delta_page_max": 10})

    async def body(make):
        source = await make("contacts")
        sent: list[httpx.Request] = []
        http = source.client.service.http
        real_send = http.send

        async def send(request: httpx.Request, **kw: Any) -> httpx.Response:
            sent.append(request)
            return await real_send(request, **kw)

        http.send = send  # type: ignore[method-assign]
        records = [
            dict((k, v) for k, v in sample("contacts", n).items() if k in fields_to("contacts", "outlook"))
            for n in range(25)
        ]
        assert all(r.ok for r in await source.create_many(records))
        full = await source.list_changes(None)
        assert len(full.items) == 25
        delta_calls = [r for r in sent if "/delta" in r.url.path]
        assert len(delta_calls) == 3  # 10 + 10 + 5
        assert "emailAddresses" in delta_calls[0].url.params["$select"]
        for r in sent:
            assert 'IdType="ImmutableId"' in r.headers["Prefer"]
        for r in delta_calls:
            assert "odata.maxpagesize=200" in r.headers["Prefer"]
        import json

        batch = json.loads(sent[0].content)
        assert len(batch["requests"]) == 20
        for sub in batch["requests"]:
            assert sub["headers"]["Content-Type"] == "application/json"
            assert 'IdType="ImmutableId"' in sub["headers"]["Prefer"]
        events = await make("events")
        ehttp = events.client.service.http
        ereal = ehttp.send
        esent: list[httpx.Request] = []

        async def esend(request: httpx.Request, **kw: Any) -> httpx.Response:
            esent.append(request)
            return await ereal(request, **kw)

        ehttp.send = esend  # type: ignore[method-assign]
        await events.list_changes(None)
        assert 'outlook.timezone="UTC"' in esent[0].headers["Prefer"]
        assert {"startDateTime", "endDateTime"} <= set(esent[0].url.params)

    run(sandbox, body)


def test_changekey_bumped_by_exchange_is_retried_once(sandbox):
    """Exchange may bump a changeKey by itself right after a create: the update is re-sent
    once when the mapped content is still what was read at that version."""

    async def body(make):
        source = await make("contacts")
        [made] = await source.create_many([clean_record("contacts", {"LastName": "Babbage"})])
        with outlook(sandbox) as o:
            bumped = _ok(o.patch(f"/me/contacts/{made.id}", json={"nickName": "Charlie"}))
        assert bumped["@odata.etag"] != made.version
        [res] = await source.update_many([Update(made.id, made.version, {"Title": "Inventor"})])
        assert res.ok, res.error
        with outlook(sandbox) as o:
            now = _ok(o.get(f"/me/contacts/{made.id}"))
        assert now["jobTitle"] == "Inventor" and now["nickName"] == "Charlie"
        # a real change of a mapped field stays stale
        with outlook(sandbox) as o:
            _ok(o.patch(f"/me/contacts/{made.id}", json={"surname": "Babbage-Lovelace"}))
        [stale] = await source.update_many([Update(made.id, res.version, {"Title": "Engineer"})])
        assert not stale.ok and stale.error.code == "stale"

    run(sandbox, body)


def test_contact_find_matches_by_name(sandbox):
    async def body(make):
        source = await make("contacts")
        created = await source.create_many(
            [
                clean_record("contacts", {"FirstName": "Alan", "LastName": "O'Turing"}),
                clean_record("contacts", {"FirstName": "Alan", "LastName": "Kay"}),
            ]
        )
        found = await source.find_matches(
            clean_record("contacts", {"FirstName": "alan", "LastName": "O'Turing"})
        )
        assert [i.id for i in found] == [created[0].id]

    run(sandbox, body)


def test_task_find_matches_and_delete_missing(sandbox):
    async def body(make):
        source = await make("tasks")
        recs = [
            clean_record(
                "tasks", {"Subject": "Call", "Status": "Not Started", "ActivityDate": dt.date(2026, 12, d)}
            )
            for d in (1, 2)
        ]
        a, b = await source.create_many(recs)
        found = await source.find_matches(recs[1])
        assert [i.id for i in found] == [b.id]
        from sync.records import Delete

        first = await source.delete_many([Delete(a.id, a.version)])
        second = await source.delete_many([Delete(a.id, a.version)])
        assert first[0].ok and second[0].ok

    run(sandbox, body)


@pytest.mark.seed("demo")
def test_demo_mailbox_maps_and_reads_stable(sandbox):
    """Every item of the demo mailbox maps to a clean record, and a second read (full listing
    and get_many) gives the same content."""
    from sync.normalise import content_hash

    async def body(make):
        for kind in ("contacts", "events", "tasks"):
            source = await make(kind, **({"days_back": 60, "days_ahead": 120} if kind == "events" else {}))
            first = await source.list_changes(None)
            assert first.items, f"the demo mailbox has {kind}"
            for item in first.items:
                assert item.record == clean_record(kind, item.record)
                assert item.version and item.in_range
            again = await source.get_many([i.id for i in first.items])
            assert set(again) == {i.id for i in first.items}
            for item in first.items:
                assert content_hash(kind, item.record) == content_hash(kind, again[item.id].record)
            delta = await source.list_changes(first.cursor)
            assert delta.items == [] and delta.deleted_ids == []

    run(sandbox, body)
