"""The Salesforce sources against the sandbox: conformance, ranges, deltas, errors, economy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sf_world import KINDS, _Bearer, _World

from sync.errors import CursorExpired
from sync.normalise import clean_record
from sync.records import Update
from sync.salesforce.client import SalesforceLimitReached, user_id_from_identity_url
from sync.testing.conformance import CHECKS, sample

# -- conformance ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_conformance(world: _World, check: Any, kind: str) -> None:
    world.run(lambda: check(world.make, "salesforce", kind))


# -- ranges --------------------------------------------------------------------------------


@pytest.mark.seed("demo")
def test_contact_scopes_differ(world: _World) -> None:
    campaign = world.rest("GET", "query", params={"q": "SELECT Id FROM Campaign"}).json()["records"][0]["Id"]

    async def body() -> dict[str, set[str]]:
        out = {}
        for scope in ("mine", "all", "team", "campaign"):
            src = world.source("contacts", scope=scope, campaign_id=campaign if scope == "campaign" else None)
            listing = await src.list_changes(None)
            assert listing.full and all(i.in_range for i in listing.items)
            out[scope] = {i.id for i in listing.items}
        return out

    sets = world.run(body)
    state = world.sandbox.state
    contacts = state.sf["records"]["Contact"]
    assert sets["mine"] and sets["team"] and sets["campaign"]
    assert len({frozenset(s) for s in (sets["mine"], sets["team"], sets["campaign"])}) == 3
    assert all(contacts[i]["OwnerId"] == world.me for i in sets["mine"])
    team_accounts = {
        r["AccountId"] for r in state.sf["records"]["AccountTeamMember"].values() if r["UserId"] == world.me
    }
    # Team and campaign also take in my private contacts (mine, on no account): how a contact
    # created from Outlook arrives in Salesforce.
    private = {i for i, c in contacts.items() if c["OwnerId"] == world.me and not c.get("AccountId")}
    assert private, "the demo world has private contacts of mine"
    assert {contacts[i]["AccountId"] for i in sets["team"] - private} <= team_accounts
    assert private <= sets["team"]
    members = {
        r["ContactId"] for r in state.sf["records"]["CampaignMember"].values() if r["CampaignId"] == campaign
    }
    assert sets["campaign"] == members | private
    assert sets["mine"] | sets["team"] | sets["campaign"] <= sets["all"]


@pytest.mark.seed("demo")
def test_contact_read_carries_account_name(world: _World) -> None:
    async def body() -> None:
        listing = await world.source("contacts", scope="all").list_changes(None)
        named = [i for i in listing.items if i.record["AccountName"]]
        assert named, "Account.Name must be read into AccountName"
        accounts = {a["Name"] for a in world.sandbox.state.sf["records"]["Account"].values()}
        assert {i.record["AccountName"] for i in named} <= accounts

    world.run(body)


def test_task_range_open_or_recent(world: _World) -> None:
    async def body() -> None:
        src = world.source("tasks")
        today = dt.date.today()
        open_old = clean_record(
            "tasks",
            {"Subject": "open old", "Status": "Not Started", "ActivityDate": today - dt.timedelta(days=200)},
        )
        done_old = clean_record(
            "tasks",
            {"Subject": "done old", "Status": "Completed", "ActivityDate": today - dt.timedelta(days=200)},
        )
        done_recent = clean_record(
            "tasks",
            {"Subject": "done recent", "Status": "Completed", "ActivityDate": today - dt.timedelta(days=3)},
        )
        created = await src.create_many([open_old, done_old, done_recent])
        assert all(r.ok for r in created)
        ids = [r.id for r in created]
        old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        with world.sandbox.state.lock:  # completed 200 days ago (CompletedDateTime is read-only)
            world.sandbox.state.sf["records"]["Task"][ids[1]]["CompletedDateTime"] = old
        listing = await src.list_changes(None)
        listed = {i.id for i in listing.items}
        assert ids[0] in listed and ids[1] not in listed and ids[2] in listed
        got = await src.get_many(ids)
        assert [got[i].in_range for i in ids] == [True, False, True]

    world.run(body)


# -- deltas --------------------------------------------------------------------------------


@pytest.mark.seed("demo")
def test_incremental_read_sees_only_the_edit(world: _World) -> None:
    async def body() -> None:
        src = world.source("contacts", scope="all")
        full = await src.list_changes(None)
        target = full.items[3]
        r = world.rest("PATCH", f"sobjects/Contact/{target.id}", json={"Title": "Edited elsewhere"})
        assert r.status_code == 204, r.text
        delta = await src.list_changes(full.cursor)
        assert not delta.full
        assert [i.id for i in delta.items] == [target.id]
        assert delta.items[0].record["Title"] == "Edited elsewhere"
        assert delta.items[0].version != target.version and delta.deleted_ids == []
        again = await src.list_changes(delta.cursor)
        assert again.items == [] and again.deleted_ids == []

    world.run(body)


def test_record_leaving_the_range_is_reported_out_of_range(world: _World) -> None:
    async def body() -> None:
        src = world.source("tasks")
        (res,) = await src.create_many([sample("tasks", 1)])
        full = await src.list_changes(None)
        other = next(
            u
            for u in world.sandbox.state.sf["records"]["User"].values()
            if u["Id"] != world.me and u.get("IsActive")
        )
        r = world.rest("PATCH", f"sobjects/Task/{res.id}", json={"OwnerId": other["Id"]})
        assert r.status_code == 204, r.text
        delta = await src.list_changes(full.cursor)
        items = {i.id: i for i in delta.items}
        assert res.id in items and items[res.id].in_range is False

    world.run(body)


def test_a_delete_within_two_minutes_is_read_from_the_recycle_bin(world: _World) -> None:
    """getDeleted refuses a window of two minutes or less (its end must be more than a minute
    after its start, and not in the future): a delta that soon after the last asks queryAll
    for the recycle bin instead, and the next getDeleted does not report it again."""

    async def body() -> None:
        src = world.source("contacts")
        a, b = await src.create_many([sample("contacts", 1), sample("contacts", 2)])
        full = await src.list_changes(None)
        assert world.rest("DELETE", f"sobjects/Contact/{a.id}").status_code == 204
        world.sandbox.control("POST requests/reset")
        delta = await src.list_changes(full.cursor)
        assert delta.deleted_ids == [a.id] and delta.items == []
        asked = world.sf_requests()
        assert "GET /services/data/v{version}/queryAll" in asked and not any("/deleted" in e for e in asked)
        again = await src.list_changes(delta.cursor)
        assert again.deleted_ids == [] and again.items == []
        # three minutes on (a new run: Salesforce's clock is read from its replies), the same
        # window goes to getDeleted, which knows the deletion and does not report it twice
        world.sandbox.control("POST clock", {"advance_s": 180})
        world.sandbox.control("POST requests/reset")
        later_src = world.source("contacts")
        later = await later_src.list_changes(again.cursor)
        assert later.deleted_ids == [] and later.items == []
        assert any("/deleted" in e for e in world.sf_requests()), world.sf_requests()

    world.run(body)


def test_delete_appears_via_get_deleted(world: _World) -> None:
    async def body() -> None:
        src = world.source("contacts")
        a, b = await src.create_many([sample("contacts", 1), sample("contacts", 2)])
        full = await src.list_changes(None)
        world.sandbox.control("POST clock", {"advance_s": 600})
        assert world.rest("DELETE", f"sobjects/Contact/{a.id}").status_code == 204
        world.sandbox.control("POST clock", {"advance_s": 180})
        world.sandbox.control("POST requests/reset")
        later_src = world.source("contacts")
        delta = await later_src.list_changes(full.cursor)
        assert delta.deleted_ids == [a.id] and delta.items == []
        assert any("/deleted" in e for e in world.sf_requests()), world.sf_requests()
        # reported once: the next delta (same minute) does not repeat it
        again = await later_src.list_changes(delta.cursor)
        assert again.deleted_ids == [] and again.items == []

    world.run(body)


def test_expired_cursor(world: _World) -> None:
    async def body() -> None:
        src = world.source("tasks")
        full = await src.list_changes(None)
        world.sandbox.control("POST clock", {"advance_s": 16 * 86400})
        src = world.source("tasks")  # a new run: it reads Salesforce's clock from its replies
        with pytest.raises(CursorExpired):
            await src.list_changes(full.cursor)
        # the engine then asks for a full listing, which must work on the moved clock too
        again = await src.list_changes(None)
        assert again.full
        (res,) = await src.create_many([sample("tasks", 2)])
        delta = await src.list_changes(again.cursor)
        assert [i.id for i in delta.items] == [res.id]

    world.run(body)


def test_no_change_delta_costs_at_most_two_requests(world: _World) -> None:
    async def body() -> dict[str, int]:
        out = {}
        for kind in KINDS:
            src = world.source(kind)
            await src.create_many([sample(kind, 1)])
            full = await src.list_changes(None)
            before = src.api_calls
            delta = await src.list_changes(full.cursor)
            assert delta.items == [] and delta.deleted_ids == []
            out[kind] = src.api_calls - before
        return out

    costs = world.run(body)
    assert all(n <= 2 for n in costs.values()), costs


# -- writes --------------------------------------------------------------------------------


def test_created_contact_is_private_and_mine(world: _World) -> None:
    async def body() -> str:
        (res,) = await world.source("contacts").create_many([sample("contacts", 1)])
        assert res.ok
        return res.id

    rid = world.run(body)
    rec = world.sandbox.state.sf["records"]["Contact"][rid]
    assert rec.get("AccountId") is None and rec["OwnerId"] == world.me


def test_too_long_last_name_names_the_field(world: _World) -> None:
    async def body() -> None:
        src = world.source("contacts")
        good, bad = sample("contacts", 1), sample("contacts", 2)
        bad["LastName"] = "L" * 81
        r_good, r_bad = await src.create_many([good, bad])
        assert r_good.ok
        assert not r_bad.ok and r_bad.error.code == "too_long" and r_bad.error.field == "LastName"
        assert "Last name" in r_bad.error.message and "80" in r_bad.error.message
        upd = await src.update_many([Update(r_good.id, r_good.version, {"Email": "not an email"})])
        assert not upd[0].ok and upd[0].error.field == "Email", upd[0]
        assert upd[0].error.code == "invalid" and "Email" in upd[0].error.message
        no_name = dict(sample("contacts", 3), LastName=None)
        (r_req,) = await src.create_many([no_name])
        assert not r_req.ok and (r_req.error.code, r_req.error.field) == ("required", "LastName"), r_req

    world.run(body)


def test_limit_exhaustion_raises_typed_error(world: _World) -> None:
    async def body() -> None:
        src = world.source("contacts")
        await src.list_changes(None)
        assert src.client.api_usage is not None and src.client.api_usage[1] > 0
        world.sandbox.control("POST limits", {"api_limit": 100, "api_usage": 100})
        with pytest.raises(SalesforceLimitReached) as err:
            await src.list_changes(None)
        assert "API requests" in err.value.message
        assert src.client.api_usage == (100, 100)

    world.run(body)


def test_250_creates_use_two_collection_requests(world: _World) -> None:
    async def body() -> int:
        src = world.source("contacts")
        world.sandbox.control("POST requests/reset")
        before = src.api_calls
        results = await src.create_many([sample("contacts", n) for n in range(250)])
        assert len(results) == 250 and all(r.ok and r.version for r in results)
        return src.api_calls - before

    calls = world.run(body)
    endpoints = world.sf_requests()
    posts = sum(n for e, n in endpoints.items() if e.startswith("POST") and e.endswith("/composite/sobjects"))
    assert posts == 2, endpoints
    assert calls == 4, (calls, endpoints)  # the describe, 2 creates + 1 version read


def test_update_sends_only_changed_fields_and_who_id(world: _World) -> None:
    async def body() -> None:
        contacts, events = world.source("contacts"), world.source("events")
        (c,) = await contacts.create_many([sample("contacts", 1)])
        ev = dict(sample("events", 1), WhoEmail="ADA1@example.com")
        (e,) = await events.create_many([ev])
        assert e.ok, e.error
        assert world.sandbox.state.sf["records"]["Event"][e.id]["WhoId"] == c.id
        got = (await events.get_many([e.id]))[e.id]
        assert got.record["WhoEmail"] == "ada1@example.com"

    world.run(body)


def test_identity_url() -> None:
    assert (
        user_id_from_identity_url("https://login.salesforce.com/id/00Dxx0000001gEREAY/005xx000001SvPoAAK")
        == "005xx000001SvPoAAK"
    )


def test_same_millisecond_change_is_not_skipped(world: _World) -> None:
    async def body() -> None:
        src = world.source("contacts")
        first = await src.create_many([sample("contacts", n) for n in range(3)])  # one stamp, likely
        full = await src.list_changes(None)
        newest = max(full.items, key=lambda i: i.version)
        # a record saved later in the very millisecond of the newest one already listed
        rec = world.sandbox.state.sf_create(
            "Contact", {"LastName": "Late", "OwnerId": world.me}, user_id=world.me
        )
        with world.sandbox.state.lock:
            rec["SystemModstamp"] = newest.version
        delta = await src.list_changes(full.cursor)
        assert [i.id for i in delta.items] == [rec["Id"]], (first, delta.items)
        again = await src.list_changes(delta.cursor)
        assert again.items == []

    world.run(body)


def test_event_window_and_private(world: _World) -> None:
    async def body() -> None:
        src = world.source("events", days_back=30, days_ahead=365)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)

        def ev(subject: str, start: dt.datetime, private: bool = False) -> dict:
            return clean_record(
                "events",
                {
                    "Subject": subject,
                    "StartDateTime": start,
                    "EndDateTime": start + dt.timedelta(hours=1),
                    "IsPrivate": private,
                },
            )

        results = await src.create_many(
            [
                ev("soon", now + dt.timedelta(days=2)),
                ev("long ago", now - dt.timedelta(days=90)),
                ev("secret", now + dt.timedelta(days=3), private=True),
            ]
        )
        ids = [r.id for r in results]
        listed = {i.id for i in (await src.list_changes(None)).items}
        assert listed == {ids[0]}
        got = await src.get_many(ids)
        assert [got[i].in_range for i in ids] == [True, False, False]
        with_private = world.source("events", include_private=True)
        assert ids[2] in {i.id for i in (await with_private.list_changes(None)).items}

    world.run(body)


def test_signed_out_is_typed(world: _World) -> None:
    async def body() -> None:
        from sync.salesforce.client import SalesforceSignedOut

        src = world.source("tasks")
        src.client.service.http.auth = _Bearer("not-a-token")
        with pytest.raises(SalesforceSignedOut):
            await src.list_changes(None)

    world.run(body)


def test_request_counts(world: _World) -> None:
    """The cost of each operation, in requests (also the numbers quoted in the report)."""

    async def body() -> dict[str, int]:
        src = world.source("tasks")
        costs: dict[str, int] = {}

        async def cost(name: str, coro: Any) -> Any:
            before = src.api_calls
            out = await coro
            costs[name] = src.api_calls - before
            return out

        created = await cost("create 3", src.create_many([sample("tasks", n) for n in range(3)]))
        full = await cost("full listing", src.list_changes(None))
        await cost("get_many 3", src.get_many([r.id for r in created]))
        ups = [Update(r.id, r.version, {"Priority": "Low"}) for r in created]
        await cost("update 3", src.update_many(ups))
        delta = await cost("delta with 3 changes", src.list_changes(full.cursor))
        assert len(delta.items) == 3
        await cost("no-change delta", src.list_changes(delta.cursor))
        await cost(
            "delete 3",
            src.delete_many([__import__("sync.records").records.Delete(r.id, "") for r in created]),
        )
        await cost("find_matches", src.find_matches(sample("tasks", 1)))
        return costs

    costs = world.run(body)
    print(costs)
    assert costs == {
        "create 3": 1 + 1 + 2,  # first: the describe, and the org's statuses (a Status is written)
        "full listing": 1,  # the delete window starts at the describe's Date: no getDeleted
        "get_many 3": 2,
        "update 3": 3,
        "delta with 3 changes": 3,
        "no-change delta": 2,
        "delete 3": 1,
        "find_matches": 1,
    }, costs


def test_event_all_day_and_back(world: _World) -> None:
    async def body() -> None:
        src = world.source("events")
        (res,) = await src.create_many([sample("events", 1)])
        day = sample("events", 1)["StartDateTime"].date()
        all_day = {
            "IsAllDayEvent": True,
            "ActivityDate": day,
            "DurationInMinutes": 2880,
            "StartDateTime": None,
            "EndDateTime": None,
        }
        (r1,) = await src.update_many([Update(res.id, res.version, all_day)])
        assert r1.ok, r1.error
        got = (await src.get_many([res.id]))[res.id].record
        assert got["IsAllDayEvent"] and got["ActivityDate"] == day and got["DurationInMinutes"] == 2880
        start = dt.datetime(2026, 10, 9, 14, 0, tzinfo=dt.UTC)
        timed = {
            "IsAllDayEvent": False,
            "ActivityDate": None,
            "DurationInMinutes": None,
            "StartDateTime": start,
            "EndDateTime": start + dt.timedelta(minutes=45),
        }
        (r2,) = await src.update_many([Update(res.id, r1.version, timed)])
        assert r2.ok, r2.error
        got = (await src.get_many([res.id]))[res.id].record
        assert not got["IsAllDayEvent"] and got["StartDateTime"] == start
        assert got["EndDateTime"] == start + dt.timedelta(minutes=45) and got["Location"] == "Room 1"

    world.run(body)
