"""Proofs of the connected sync through the command line over the sandbox's demo world: edits
arrive, conflicts follow the policy, deletes are not resurrected, guards hold, ranges unlink,
events keep their instants, task status round-trips, undo and rebuild."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from test_sync_cli import assert_only_name_holds, contacts, duplicates, linked_pair, outlook_key, sf_key

from sandbox.clock import sf_datetime
from sandbox.seed import default_calendar, default_todo_list
from sandbox.seed_demo import ALL_DAY_ZONE, anchor_day, day_dtz, outlook_event, outlook_task

pytestmark = pytest.mark.seed("demo")
UTC = dt.UTC
NO_CHANGES = {"create": 0, "update": 0, "delete": 0}


def sync(cli, *extra: str) -> tuple[int, dict, str]:
    code, doc, err = cli.run("sync", "--yes", "--json", *extra)
    assert doc is not None, err
    return code, doc, err


def first_sync(cli, *extra: str) -> dict:
    assert cli.run("settings", "set", "contacts.range", "all", "--json")[0] == 0
    code, result, err = sync(cli, *extra)
    assert code == 0, err
    return result


def settle(cli, *extra: str) -> None:
    """One more run after a change: the plan is empty afterwards (converged)."""
    code, plan, err = cli.run("sync", "--preview", "--json", *extra)
    assert code == 0, err
    for kind, kplan in plan["kinds"].items():
        assert kplan["actions"] == [], (kind, kplan["actions"][:3])


def parse_sf(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC)


def graph_instant(value: dict) -> dt.datetime:
    """A Graph dateTimeTimeZone as an aware UTC instant (the sandbox's stored zone)."""
    from sandbox.graph.core import resolve_tz

    wall = dt.datetime.fromisoformat(value["dateTime"][:19])
    return wall.replace(tzinfo=resolve_tz(value["timeZone"]) or UTC).astimezone(UTC)


# -- edits and conflicts ------------------------------------------------------------------------


def test_an_edit_in_outlook_arrives_in_salesforce_and_unmapped_fields_stay(cli) -> None:
    first_sync(cli, "--kind", "contacts")
    box = cli.sandbox
    outlook, sf = linked_pair(box)
    before = dict(box.state.sf_get("Contact", sf["Id"]))
    box.state.graph_update("contacts", outlook["id"], {"department": "Field Research"})
    code, result, err = sync(cli, "--kind", "contacts")
    assert code == 0, err
    counts = result["kinds"]["contacts"]["counts"]
    assert counts["salesforce"]["update"] == 1 and counts["outlook"] == NO_CHANGES, counts
    after = box.state.sf_get("Contact", sf["Id"])
    assert after["Department"] == "Field Research"
    for field in ("AccountId", "OwnerId", "LeadSource", "Title", "Email"):
        assert after.get(field) == before.get(field), field
    settle(cli, "--kind", "contacts")


@pytest.mark.parametrize("policy, winner", [(None, "salesforce"), ("outlook_wins", "outlook")])
def test_a_same_field_conflict_follows_the_policy(cli, policy, winner) -> None:
    if policy:
        assert cli.run("settings", "set", "contacts.conflict_policy", policy, "--json")[0] == 0
    first_sync(cli, "--kind", "contacts")
    box = cli.sandbox
    outlook, sf = linked_pair(box)
    box.state.graph_update("contacts", outlook["id"], {"jobTitle": "Title from Outlook"})
    box.state.sf_update("Contact", sf["Id"], {"Title": "Title from Salesforce"})
    code, result, err = sync(cli, "--kind", "contacts")
    assert code == 0, err
    expected = f"Title from {'Outlook' if winner == 'outlook' else 'Salesforce'}"
    assert box.state.graph["contacts"][outlook["id"]]["jobTitle"] == expected
    assert box.state.sf_get("Contact", sf["Id"])["Title"] == expected
    counts = result["kinds"]["contacts"]["counts"]
    loser = "outlook" if winner == "salesforce" else "salesforce"
    assert counts[loser]["update"] == 1 and counts[winner] == NO_CHANGES, counts
    settle(cli, "--kind", "contacts")


def test_ask_me_holds_a_conflict_with_exit_3_and_changes_neither_side(cli) -> None:
    first_sync(cli, "--kind", "contacts")
    assert cli.run("settings", "set", "contacts.conflict_policy", "ask", "--json")[0] == 0
    box = cli.sandbox
    outlook, sf = linked_pair(box)
    box.state.graph_update("contacts", outlook["id"], {"jobTitle": "Title from Outlook"})
    box.state.sf_update("Contact", sf["Id"], {"Title": "Title from Salesforce"})
    code, result, err = sync(cli, "--kind", "contacts")
    assert code == 3, err
    (conflict,) = [a for a in result["kinds"]["contacts"]["actions"] if a["op"] == "conflict"]
    assert conflict["changes"]["Title"] == {"old": "Title from Outlook", "new": "Title from Salesforce"}
    assert "Choose which to keep" in conflict["reason"]
    assert result["kinds"]["contacts"]["counts"]["conflict"] == 1
    assert box.state.graph["contacts"][outlook["id"]]["jobTitle"] == "Title from Outlook"
    assert box.state.sf_get("Contact", sf["Id"])["Title"] == "Title from Salesforce"
    # Still held on the next run (an open issue), until the person decides.
    code, again, err = sync(cli, "--kind", "contacts")
    assert code == 3 and again["kinds"]["contacts"]["counts"]["conflict"] == 1, err


# -- deletes and guards -------------------------------------------------------------------------


def test_a_delete_in_outlook_is_not_undone_on_later_runs(cli) -> None:
    first_sync(cli, "--kind", "contacts")
    box = cli.sandbox
    outlook, sf = linked_pair(box)
    box.state.graph_delete("contacts", outlook["id"])
    code, result, err = sync(cli, "--kind", "contacts")
    assert code == 0, err
    (prevented,) = [a for a in result["kinds"]["contacts"]["actions"] if a["op"] == "prevented"]
    assert "will not be brought back" in prevented["reason"]
    for _ in range(2):  # no resurrection, and nothing left to do
        code, again, err = sync(cli, "--kind", "contacts")
        assert code == 0, err
        assert again["kinds"]["contacts"]["actions"] == []
    assert box.state.sf_get("Contact", sf["Id"]) is not None
    emails = {
        e["address"].lower() for c in box.state.graph_items("contacts") for e in c.get("emailAddresses") or []
    }
    assert sf["Email"].lower() not in emails
    # Later edits of the Salesforce contact do not bring it back either.
    box.state.sf_update("Contact", sf["Id"], {"Title": "Still here"})
    code, again, err = sync(cli, "--kind", "contacts")
    assert code == 0 and again["kinds"]["contacts"]["counts"]["outlook"]["create"] == 0, err


def test_a_held_mass_delete_can_be_confirmed(cli) -> None:
    from app.context import ProfileOptions, open_profile
    from sync.plan import Decisions

    assert cli.run("settings", "set", "contacts.salesforce_no_delete", "false", "--json")[0] == 0
    first_sync(cli, "--kind", "contacts")
    box = cli.sandbox
    gone = [c for c in box.state.graph_items("contacts") if c.get("emailAddresses")][:12]
    emails = {c["emailAddresses"][0]["address"].lower() for c in gone}
    for item in gone:
        box.state.graph_delete("contacts", item["id"])
    sf_before = len(box.state.sf["records"]["Contact"])
    code, preview, err = cli.run("sync", "--kind", "contacts", "--preview", "--json")
    assert code == 3, err
    held = [a for a in preview["kinds"]["contacts"]["actions"] if a["op"] == "held"]
    assert len(held) == 12 and "Confirm them in the preview" in held[0]["reason"]
    assert len(box.state.sf["records"]["Contact"]) == sf_before

    # The person confirms in the preview (what the desktop app does through the service).
    service = open_profile(cli.profile, ProfileOptions()).service

    async def confirm():
        async with service.session(["contacts"]) as run:
            plan = await run.preview()
            return await run.apply(plan, Decisions(confirm_mass_delete={"contacts"}))

    report = asyncio.run(confirm())
    assert report.kinds["contacts"].counts["salesforce"]["delete"] == 12
    left = {(c.get("Email") or "").lower() for c in box.state.sf["records"]["Contact"].values()}
    assert not emails & left
    assert len(box.state.sf["records"]["Contact"]) == sf_before - 12
    settle(cli, "--kind", "contacts")


def test_narrowing_the_range_unlinks_without_deleting(cli) -> None:
    first_sync(cli, "--kind", "contacts")
    box = cli.sandbox
    sam = box.state.sf["records"]["User"]
    sam_id = next(u["Id"] for u in sam.values() if u.get("Alias") == "sokafor")
    sams = [c for c in box.state.sf["records"]["Contact"].values() if c.get("OwnerId") == sam_id]
    assert sams
    outlook_before, sf_before = contacts(box)
    assert cli.run("settings", "set", "contacts.range", "mine", "--json")[0] == 0
    code, result, err = sync(cli, "--kind", "contacts")
    assert code == 0, err
    counts = result["kinds"]["contacts"]["counts"]
    assert counts["outlook"]["delete"] == counts["salesforce"]["delete"] == 0, counts
    outlook_after, sf_after = contacts(box)
    assert len(outlook_after) == len(outlook_before) and len(sf_after) == len(sf_before)
    code, doc, err = cli.run("history", "--limit", "1", "--json")
    assert doc["runs"][0]["counts"]["contacts"]["outlook"]["delete"] == 0
    # No longer kept in step: an edit of Sam's contact stays in Salesforce.
    box.state.sf_update("Contact", sams[0]["Id"], {"Title": "Sam's own edit"}, user_id=sam_id)
    code, again, err = sync(cli, "--kind", "contacts")
    assert code in (0, 3), err
    titles = {c.get("jobTitle") for c in box.state.graph_items("contacts")}
    assert "Sam's own edit" not in titles
    assert duplicates(contacts(box)[1], sf_key) == [] and duplicates(contacts(box)[0], outlook_key) == []


# -- events ------------------------------------------------------------------------------------


def sf_events(box) -> dict[str, dict]:
    return {e["Subject"]: e for e in box.state.sf["records"]["Event"].values()}


def outlook_events(box) -> dict[str, dict]:
    return {e["subject"]: e for e in box.state.graph_items("events")}


def test_events_keep_their_instants_across_time_zones(cli) -> None:
    box = cli.sandbox
    d0 = anchor_day(box.state)
    cal = default_calendar(box.state)["id"]
    pacific = ZoneInfo("America/Los_Angeles")
    start = dt.datetime.combine(d0 + dt.timedelta(days=9), dt.time(9, 30), pacific)
    end = start + dt.timedelta(minutes=45)
    event = outlook_event(
        subject="Call with the Portland office",
        start={"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "Pacific Standard Time"},
        end={"dateTime": end.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "Pacific Standard Time"},
    )
    event["originalStartTimeZone"] = event["originalEndTimeZone"] = "Pacific Standard Time"
    box.state.graph_create("events", event, container=cal)
    tokyo = dt.datetime.combine(d0 + dt.timedelta(days=12), dt.time(8, 0), ZoneInfo("Asia/Tokyo"))
    me = box.state.sf["me"]
    box.state.sf_create(
        "Event",
        {
            "Subject": "Tokyo partner sync",
            "StartDateTime": sf_datetime(tokyo),
            "EndDateTime": sf_datetime(tokyo + dt.timedelta(hours=1)),
            "IsAllDayEvent": False,
            "OwnerId": me,
        },
        user_id=me,
    )
    code, result, err = sync(cli, "--kind", "events")
    assert code in (0, 3), err
    sf = sf_events(box)["Call with the Portland office"]
    assert parse_sf(sf["StartDateTime"]) == start.astimezone(UTC)
    assert parse_sf(sf["EndDateTime"]) == end.astimezone(UTC)
    ol = outlook_events(box)["Tokyo partner sync"]
    assert graph_instant(ol["start"]) == tokyo.astimezone(UTC)
    assert graph_instant(ol["end"]) == (tokyo + dt.timedelta(hours=1)).astimezone(UTC)
    settle(cli, "--kind", "events")


def test_all_day_events_stay_on_the_same_calendar_day_both_ways(cli) -> None:
    box = cli.sandbox
    d0 = anchor_day(box.state)
    cal = default_calendar(box.state)["id"]
    offsite = d0 + dt.timedelta(days=20)
    box.state.graph_create(
        "events",
        outlook_event(
            subject="Team offsite",
            start=day_dtz(offsite, ALL_DAY_ZONE),
            end=day_dtz(offsite + dt.timedelta(days=2), ALL_DAY_ZONE),
            all_day=True,
        ),
        container=cal,
    )
    holiday = d0 + dt.timedelta(days=15)
    me = box.state.sf["me"]
    box.state.sf_create(
        "Event",
        {
            "Subject": "Company holiday",
            "IsAllDayEvent": True,
            "ActivityDate": holiday.isoformat(),
            "DurationInMinutes": 1440,
            "OwnerId": me,
        },
        user_id=me,
    )
    code, result, err = sync(cli, "--kind", "events")
    assert code in (0, 3), err
    sf = sf_events(box)["Team offsite"]
    assert sf["IsAllDayEvent"] is True
    assert sf["ActivityDate"] == offsite.isoformat()
    assert sf["DurationInMinutes"] == 2 * 1440
    ol = outlook_events(box)["Company holiday"]
    assert ol["isAllDay"] is True
    assert ol["start"]["dateTime"][:10] == holiday.isoformat()
    assert ol["end"]["dateTime"][:10] == (holiday + dt.timedelta(days=1)).isoformat()
    assert ol["start"]["dateTime"][11:19] == "00:00:00"
    settle(cli, "--kind", "events")


# -- tasks -------------------------------------------------------------------------------------


def test_a_task_status_round_trips(cli) -> None:
    box = cli.sandbox
    lst = default_todo_list(box.state)["id"]
    due = anchor_day(box.state) + dt.timedelta(days=3)
    task = box.state.graph_create(
        "todoTasks", outlook_task(title="Send the signed NDA", due=due), container=lst
    )
    code, result, err = sync(cli, "--kind", "tasks")
    assert code in (0, 3), err
    sf = next(t for t in box.state.sf["records"]["Task"].values() if t["Subject"] == "Send the signed NDA")
    assert sf["Status"] == "Not Started" and sf["ActivityDate"] == due.isoformat()

    box.state.graph_update("todoTasks", task["id"], {"status": "completed"})
    code, result, err = sync(cli, "--kind", "tasks")
    assert result["kinds"]["tasks"]["counts"]["salesforce"]["update"] == 1, err
    assert box.state.sf_get("Task", sf["Id"])["Status"] == "Completed"
    assert box.state.sf_get("Task", sf["Id"])["IsClosed"] is True

    box.state.sf_update("Task", sf["Id"], {"Status": "In Progress"})
    code, result, err = sync(cli, "--kind", "tasks")
    assert result["kinds"]["tasks"]["counts"]["outlook"]["update"] == 1, err
    assert box.state.graph["todoTasks"][task["id"]]["status"] == "inProgress"

    box.state.sf_update("Task", sf["Id"], {"Status": "Completed"})
    sync(cli, "--kind", "tasks")
    assert box.state.graph["todoTasks"][task["id"]]["status"] == "completed"
    settle(cli, "--kind", "tasks")


# -- undo and rebuild ----------------------------------------------------------------------------


def test_undo_of_a_first_sync_removes_what_it_created_and_a_sync_brings_nothing_twice(cli) -> None:
    box = cli.sandbox
    # Undo obeys the direction switches: let it delete the contacts it created in Salesforce.
    assert cli.run("settings", "set", "contacts.salesforce_no_delete", "false", "--json")[0] == 0
    outlook0, sf0 = contacts(box)
    first_sync(cli, "--kind", "contacts")
    code, result, err = cli.run("undo", "--yes", "--json")
    assert code == 0, err
    outlook1, sf1 = contacts(box)
    assert {c["id"] for c in outlook1} == {c["id"] for c in outlook0}
    assert {c["Id"] for c in sf1} == {c["Id"] for c in sf0}
    code, doc, err = cli.run("history", "--limit", "2", "--json")
    assert doc["runs"][0]["mode"] == "undo" and doc["runs"][1]["undone_by"] == doc["runs"][0]["id"]
    code, result, err = sync(cli, "--kind", "contacts")
    assert code == 0, err
    assert duplicates(contacts(box)[1], sf_key) == [] and duplicates(contacts(box)[0], outlook_key) == []
    settle(cli, "--kind", "contacts")


def test_rebuild_of_every_kind_then_sync_creates_nothing(cli) -> None:
    first_sync(cli)
    box = cli.sandbox
    before = {k: len(v) for k, v in box.state.sf["records"].items()}
    graph_before = {k: len(box.state.graph_items(k)) for k in ("contacts", "events", "todoTasks")}
    for kind in ("contacts", "events", "tasks"):
        code, doc, err = cli.run("rebuild", "--kind", kind, "--json")
        assert code == 0 and doc["forgotten"] > 0, err
    code, result, err = sync(cli)
    assert code in (0, 3), err
    assert_only_name_holds(result, code)
    for kind, kplan in result["kinds"].items():
        c = kplan["counts"]
        assert c["outlook"]["create"] == c["salesforce"]["create"] == 0, (kind, c)
        assert c["matched"] > 0, (kind, c)
    assert {k: len(v) for k, v in box.state.sf["records"].items()} == before
    assert {k: len(box.state.graph_items(k)) for k in ("contacts", "events", "todoTasks")} == graph_before
    code, plan, err = cli.run("sync", "--preview", "--json")  # converged: only the same holds
    assert_only_name_holds(plan, code)
    assert all(a["op"] == "held" for kplan in plan["kinds"].values() for a in kplan["actions"])


@pytest.mark.parametrize("confirm", [True, False])
def test_in_a_terminal_held_mass_deletes_are_carried_out_only_after_a_second_yes(
    cli, monkeypatch, confirm
) -> None:
    assert cli.run("settings", "set", "contacts.salesforce_no_delete", "false", "--json")[0] == 0
    first_sync(cli, "--kind", "contacts")
    box = cli.sandbox
    for item in [c for c in box.state.graph_items("contacts") if c.get("emailAddresses")][:12]:
        box.state.graph_delete("contacts", item["id"])
    sf_before = len(box.state.sf["records"]["Contact"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    questions: list[str] = []
    answers = iter(["y", "y" if confirm else "n"])
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or next(answers))
    code, result, err = cli.run("sync", "--kind", "contacts", "--json")
    assert len(questions) == 2 and "12 contacts are held" in questions[1]
    deleted = result["kinds"]["contacts"]["counts"]["salesforce"]["delete"]
    if confirm:
        assert code == 0 and deleted == 12, err
        assert len(box.state.sf["records"]["Contact"]) == sf_before - 12
    else:
        assert code == 3 and deleted == 0, err
        assert len(box.state.sf["records"]["Contact"]) == sf_before
