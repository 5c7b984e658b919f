"""The demo and scale seeds: counts, shapes valid for Graph v1.0 and the Salesforce schema, the
overlaps the first sync has to pair, scope data, and determinism."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from sandbox import seed as seeding
from sandbox.clock import parse_instant
from sandbox.salesforce import schema as sf_schema
from sandbox.seed import root_contact_folder, sf_user_by_alias
from sandbox.seed_demo import anchor_day
from sandbox.state import SandboxState

GRAPH_ENTITY = {
    "contacts": "contact",
    "events": "event",
    "todoTasks": "todoTask",
    "contactFolders": "contactFolder",
}


def seeded(spec: str = "demo", clock_offset_days: float = 0) -> SandboxState:
    state = SandboxState()
    state.clock.advance(clock_offset_days * 86400)
    seeding.apply(state, spec)
    return state


@pytest.fixture(scope="module")
def demo() -> SandboxState:
    return seeded("demo")


def sf_rows(state: SandboxState, sobject: str) -> list[dict]:
    return list(state.sf["records"][sobject].values())


def graph_items(state: SandboxState, collection: str) -> list[dict]:
    return list(state.graph[collection].values())


def graph_instant(value: dict) -> datetime:
    assert value["timeZone"] == "UTC", value
    return parse_instant(value["dateTime"])


# ------------------------------------------------------------------ schema checks
class GraphSchema:
    """Property names and enum values of the Graph v1.0 subset, walked through nested types."""

    def __init__(self, schema: dict) -> None:
        self.schema = schema

    def properties(self, type_name: str) -> dict:
        table = self.schema["entityTypes"].get(type_name) or self.schema["complexTypes"][type_name]
        props = dict(table["properties"])
        base = table.get("baseType")
        if base:
            props.update(self.properties(base.removeprefix("graph.")))
        return props

    def problems(self, type_name: str, value: dict, where: str) -> list[str]:
        out = []
        props = self.properties(type_name)
        for key, sub in value.items():
            if key.startswith("_") or key.startswith("@odata."):
                continue
            if key not in props:
                out.append(f"{where}.{key} is not a property of graph.{type_name}")
                continue
            out += self.value_problems(props[key]["type"], sub, f"{where}.{key}")
        return out

    def value_problems(self, type_ref: str, value: object, where: str) -> list[str]:
        if value is None:
            return []
        if type_ref.startswith("Collection("):
            if not isinstance(value, list):
                return [f"{where} should be a list"]
            inner = type_ref[len("Collection(") : -1]
            return [p for n, v in enumerate(value) for p in self.value_problems(inner, v, f"{where}[{n}]")]
        if not type_ref.startswith("graph."):
            return []
        name = type_ref.removeprefix("graph.")
        if name in self.schema["enumTypes"]:
            allowed = self.schema["enumTypes"][name]
            return [] if value in allowed else [f"{where}={value!r} is not a graph.{name}: {allowed}"]
        if name in self.schema["complexTypes"]:
            if not isinstance(value, dict):
                return [f"{where} should be an object of graph.{name}"]
            return self.problems(name, value, where)
        return []


def sf_problems(state: SandboxState, sobject: str, rec: dict) -> list[str]:
    out = []
    fields = sf_schema.FIELDS[sobject]
    where = f"{sobject} {rec.get('Id')}"
    for name, value in rec.items():
        if name.startswith("_"):
            continue
        f = fields.get(name)
        if f is None:
            out.append(f"{where}: unknown field {name}")
            continue
        if value is None:
            if not f.nillable and f.createable and f.default is None:
                out.append(f"{where}: required field {name} is empty")
            continue
        if isinstance(value, str) and f.length and len(value) > f.length:
            out.append(f"{where}: {name} longer than {f.length}")
        if f.picklist and value not in f.picklist:
            out.append(f"{where}: {name}={value!r} not in picklist")
        if f.type == "date":
            date.fromisoformat(value)
        if f.type == "datetime":
            assert value.endswith("+0000") and len(value) == 28, (where, name, value)
        if (
            f.type == "reference"
            and f.reference_to
            and not any(state.sf_get(t, value) for t in f.reference_to)
        ):
            out.append(f"{where}: {name} points at a missing {f.reference_to}")
    if sobject == "Event":
        start, end = parse_instant(rec["StartDateTime"]), parse_instant(rec["EndDateTime"])
        if not timedelta(0) <= end - start <= timedelta(days=14):
            out.append(f"{where}: lasts {end - start}")
    return out


# ---------------------------------------------------------------------- the demo
def test_demo_world_has_the_documented_counts(demo: SandboxState) -> None:
    me = demo.sf["me"]
    sam = sf_user_by_alias(demo, "sokafor")["Id"]
    counts = {o: len(r) for o, r in demo.sf["records"].items()}
    assert counts == {
        "User": 3,
        "Account": 8,
        "Contact": 40,
        "Event": 13,
        "Task": 11,
        "Campaign": 1,
        "CampaignMember": 6,
        "AccountTeamMember": 2,
        "TaskStatus": 0,  # the standard picklist is written on first use (task_status.rows)
    }
    contacts = sf_rows(demo, "Contact")
    assert Counter((c["OwnerId"] == me, bool(c["AccountId"])) for c in contacts) == {
        (True, True): 27,
        (True, False): 4,
        (False, True): 8,
        (False, False): 1,
    }
    assert all(c["OwnerId"] in (me, sam) for c in contacts)
    assert sum(1 for e in sf_rows(demo, "Event") if e["OwnerId"] == me) == 12
    assert sum(1 for t in sf_rows(demo, "Task") if t["OwnerId"] == me) == 10

    root = root_contact_folder(demo)["id"]
    folders = graph_items(demo, "contactFolders")
    partners = [f for f in folders if f["displayName"] == "Partners"]
    assert len(folders) == 2 and len(partners) == 1
    assert partners[0]["parentFolderId"] == root
    per_folder = Counter(c["_container"] for c in graph_items(demo, "contacts"))
    assert per_folder == {root: 25, partners[0]["id"]: 1}
    assert all(c["parentFolderId"] == c["_container"] for c in graph_items(demo, "contacts"))
    assert len(graph_items(demo, "events")) == 16
    assert len(graph_items(demo, "todoTasks")) == 10


def test_demo_outlook_items_use_only_graph_v1_property_names(demo: SandboxState, graph_schema: dict) -> None:
    schema = GraphSchema(graph_schema)
    problems = []
    for collection, entity in GRAPH_ENTITY.items():
        for item in graph_items(demo, collection):
            if item.get("_root"):
                continue  # the lead's base world folder
            problems += schema.problems(
                entity,
                item,
                f"{collection}/{item.get('subject') or item.get('title') or item.get('displayName')}",
            )
    assert problems == []


def test_demo_salesforce_rows_pass_lengths_picklists_and_references(demo: SandboxState) -> None:
    problems = [
        p
        for sobject in sf_schema.OBJECTS
        for rec in sf_rows(demo, sobject)
        for p in sf_problems(demo, sobject, rec)
    ]
    assert problems == []
    assert all(c["LastName"] for c in sf_rows(demo, "Contact"))


def test_demo_contacts_overlap_by_email_and_by_name_and_company(demo: SandboxState) -> None:
    sf_contacts = sf_rows(demo, "Contact")
    accounts = demo.sf["records"]["Account"]
    sf_by_email = {c["Email"].casefold(): c for c in sf_contacts if c["Email"]}
    root = root_contact_folder(demo)["id"]
    outlook = [c for c in graph_items(demo, "contacts") if c["_container"] == root]
    pairs = [
        (c, sf_by_email[a["address"].casefold()])
        for c in outlook
        for a in c["emailAddresses"][:1]
        if a["address"].casefold() in sf_by_email
    ]
    assert len(pairs) == 10
    # Same people with a few fields that differ, as in real life.
    assert any(o["mobilePhone"] != s["MobilePhone"] for o, s in pairs)
    assert any(o["jobTitle"] != s["Title"] for o, s in pairs)
    assert any(not o["department"] and s["Department"] for o, s in pairs)
    assert any(o["emailAddresses"][0]["address"] != s["Email"] for o, s in pairs)  # case only
    # Contacts without an email pair by first + last name + company.
    by_name = {
        (c["FirstName"], c["LastName"], accounts.get(c["AccountId"] or "", {}).get("Name")): c
        for c in sf_contacts
    }
    no_email = [c for c in outlook if not c["emailAddresses"]]
    assert len(no_email) >= 3
    matched = [c for c in no_email if (c["givenName"], c["surname"], c["companyName"]) in by_name]
    assert len(matched) == 2
    # Everyone else in Outlook is new to Salesforce.
    assert len(outlook) - len(pairs) - len(matched) == 13


def test_demo_has_private_colleague_team_and_campaign_data(demo: SandboxState) -> None:
    me = demo.sf["me"]
    sam = sf_user_by_alias(demo, "sokafor")["Id"]
    contacts = sf_rows(demo, "Contact")
    accounts = demo.sf["records"]["Account"]
    assert sum(1 for c in contacts if not c["AccountId"] and c["OwnerId"] == me) == 4
    assert sum(1 for c in contacts if not c["AccountId"] and c["OwnerId"] == sam) == 1
    # Team scope: Morgan is on the team of two of Sam's accounts.
    team = [m for m in sf_rows(demo, "AccountTeamMember") if m["UserId"] == me]
    assert len(team) == 2
    assert all(accounts[m["AccountId"]]["OwnerId"] == sam for m in team)
    team_contacts = {c["Id"] for c in contacts if c["AccountId"] in {m["AccountId"] for m in team}}
    mine = {c["Id"] for c in contacts if c["OwnerId"] == me}
    assert team_contacts and not team_contacts & mine
    # Campaign scope.
    (campaign,) = sf_rows(demo, "Campaign")
    assert campaign["Name"] == "Berlin Fintech Summit 2026"
    members = [m for m in sf_rows(demo, "CampaignMember") if m["CampaignId"] == campaign["Id"]]
    assert len(members) == 6 and all(demo.sf_get("Contact", m["ContactId"]) for m in members)
    assert {m["ContactId"] for m in members} - mine  # the campaign reaches beyond "mine"


def test_demo_events_include_a_series_an_all_day_a_private_and_pairs(demo: SandboxState) -> None:
    events = graph_items(demo, "events")
    masters = [e for e in events if e["type"] == "seriesMaster"]
    weekly = [m for m in masters if m["recurrence"]["pattern"]["interval"] == 1]
    assert len(weekly) == 1
    pattern, rng = weekly[0]["recurrence"]["pattern"], weekly[0]["recurrence"]["range"]
    assert pattern["type"] == "weekly" and pattern["firstDayOfWeek"] == "sunday"
    assert pattern["daysOfWeek"] == ["monday"] and rng["type"] in ("noEnd", "endDate")
    assert any(m["recurrence"]["range"]["type"] == "endDate" for m in masters)
    assert all(e["type"] == "singleInstance" for e in events if e not in masters)
    all_day = [e for e in events if e["isAllDay"]]
    assert len(all_day) == 1
    start, end = all_day[0]["start"], all_day[0]["end"]
    assert start["dateTime"].endswith("T00:00:00.0000000") and end["dateTime"].endswith("T00:00:00.0000000")
    assert start["timeZone"] == end["timeZone"] and start["dateTime"] < end["dateTime"]
    assert sum(1 for e in events if e["sensitivity"] == "private") == 1

    me = demo.sf["me"]
    sf_events = [e for e in sf_rows(demo, "Event") if e["OwnerId"] == me]
    assert sum(1 for e in sf_events if e["WhoId"]) >= 2
    assert any(e["IsAllDayEvent"] and e["DurationInMinutes"] == 1440 for e in sf_events)
    assert any(e["IsPrivate"] for e in sf_events)
    sf_keys = {
        (e["Subject"], parse_instant(e["StartDateTime"]), parse_instant(e["EndDateTime"])) for e in sf_events
    }
    outlook_keys = {
        (e["subject"], graph_instant(e["start"]), graph_instant(e["end"]))
        for e in events
        if not e["isAllDay"] and e["type"] == "singleInstance"
    }
    assert len(sf_keys & outlook_keys) == 3
    # Everything is around today: from three weeks back to six weeks ahead.
    today = anchor_day(demo)
    days = [parse_instant(e["StartDateTime"]).date() for e in sf_events]
    days += [graph_instant(e["start"]).date() for e in events if not e["isAllDay"]]
    assert min(days) >= today - timedelta(days=24) and max(days) <= today + timedelta(days=45)


def test_demo_tasks_have_varied_states_and_three_pairs(demo: SandboxState) -> None:
    me = demo.sf["me"]
    sf_tasks = [t for t in sf_rows(demo, "Task") if t["OwnerId"] == me]
    assert len({t["Status"] for t in sf_tasks}) >= 4
    assert len({t["Priority"] for t in sf_tasks}) == 3
    closed = [t for t in sf_tasks if t["IsClosed"]]
    assert 2 <= len(closed) < len(sf_tasks) and all(t["CompletedDateTime"] for t in closed)
    todo = graph_items(demo, "todoTasks")
    assert {t["status"] for t in todo} == {
        "notStarted",
        "inProgress",
        "completed",
        "waitingOnOthers",
        "deferred",
    }
    assert {t["importance"] for t in todo} == {"low", "normal", "high"}
    assert all("changeKey" not in t and t["@odata.etag"] for t in todo)
    assert all(t["completedDateTime"] for t in todo if t["status"] == "completed")
    assert any(t["body"]["content"] for t in todo)
    sf_keys = {(t["Subject"], t["ActivityDate"]) for t in sf_tasks}
    todo_keys = {(t["title"], t["dueDateTime"]["dateTime"][:10]) for t in todo if t.get("dueDateTime")}
    assert len(sf_keys & todo_keys) == 3


def canonical(state: SandboxState) -> str:
    """The world without what legitimately differs between two seeds: Outlook ids, change
    keys and timestamps (Salesforce ids come from a counter and must match)."""
    volatile = {
        "id",
        "changeKey",
        "@odata.etag",
        "createdDateTime",
        "lastModifiedDateTime",
        "bodyLastModifiedDateTime",
        "iCalUId",
        "parentFolderId",
        "_container",
        "_seq",
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
        "CompletedDateTime",
    }
    names = {f["id"]: f.get("displayName") for f in state.graph["contactFolders"].values()}
    out: dict = {}
    for collection in ("contactFolders", "contacts", "events", "todoTasks"):
        items = [
            dict(
                {k: v for k, v in i.items() if k not in volatile},
                folder=names.get(i.get("_container") or ""),
                parent=names.get(i.get("parentFolderId") or ""),
            )
            for i in state.graph[collection].values()
        ]
        out[collection] = sorted(json.dumps(i, sort_keys=True, ensure_ascii=False) for i in items)
    for sobject, rows in state.sf["records"].items():
        out[sobject] = sorted(
            json.dumps({k: v for k, v in r.items() if k not in volatile}, sort_keys=True)
            for r in rows.values()
        )
    return json.dumps(out, sort_keys=True)


def test_demo_seed_is_deterministic_and_follows_the_clock() -> None:
    first, second = seeded("demo"), seeded("demo")
    assert canonical(first) == canonical(second)
    assert {c["id"] for c in graph_items(first, "contacts")} != {
        c["id"] for c in graph_items(second, "contacts")
    }
    # A week later the same world happens a week later.
    later = seeded("demo", clock_offset_days=7)
    days = sorted(e["ActivityDate"] for e in sf_rows(first, "Event"))
    later_days = sorted(e["ActivityDate"] for e in sf_rows(later, "Event"))
    assert [date.fromisoformat(d) + timedelta(days=7) for d in days] == [
        date.fromisoformat(d) for d in later_days
    ]


@pytest.mark.seed("demo")
def test_the_running_sandbox_serves_the_demo_seed(sandbox) -> None:
    contacts = sandbox.control("records/salesforce/Contact")["records"]
    assert len(contacts) == 40
    outlook = sandbox.control("records/graph/contacts")["value"]
    assert any(c["displayName"] == "Lena Vogt" for c in outlook)


# --------------------------------------------------------------------- the scale
def overlap(state: SandboxState) -> tuple[int, int, int]:
    emails = {c["Email"] for c in sf_rows(state, "Contact")}
    contacts = sum(1 for c in graph_items(state, "contacts") if c["emailAddresses"][0]["address"] in emails)
    sf_events = {
        (e["Subject"], parse_instant(e["StartDateTime"]), parse_instant(e["EndDateTime"]))
        for e in sf_rows(state, "Event")
    }
    events = sum(
        1
        for e in graph_items(state, "events")
        if (e["subject"], graph_instant(e["start"]), graph_instant(e["end"])) in sf_events
    )
    sf_tasks = {(t["Subject"], t["ActivityDate"]) for t in sf_rows(state, "Task")}
    tasks = sum(
        1
        for t in graph_items(state, "todoTasks")
        if (t["title"], t["dueDateTime"]["dateTime"][:10]) in sf_tasks
    )
    return contacts, events, tasks


def test_scale_seed_makes_the_counts_per_side_with_half_overlapping() -> None:
    state = seeded("scale:10000,100,100")
    assert len(graph_items(state, "contacts")) == len(sf_rows(state, "Contact")) == 10000
    assert len(graph_items(state, "events")) == len(sf_rows(state, "Event")) == 100
    assert len(graph_items(state, "todoTasks")) == len(sf_rows(state, "Task")) == 100
    assert overlap(state) == (5000, 50, 50)
    assert len({c["Email"] for c in sf_rows(state, "Contact")}) == 10000
    assert len({c["id"] for c in graph_items(state, "contacts")}) == 10000
    me = state.sf["me"]
    assert all(c["OwnerId"] == me and c["AccountId"] for c in sf_rows(state, "Contact"))
    # Stored like any other item: versions and a change sequence for delta queries.
    seqs = [c["_seq"] for c in graph_items(state, "contacts")]
    assert len(set(seqs)) == len(seqs) and all(c["changeKey"] for c in graph_items(state, "contacts"))


def test_small_scale_seed_is_valid_and_deterministic(graph_schema: dict) -> None:
    state = seeded("scale:7,5,3")
    assert overlap(state) == (3, 2, 1)
    assert (
        len(graph_items(state, "contacts")),
        len(graph_items(state, "events")),
        len(graph_items(state, "todoTasks")),
    ) == (7, 5, 3)
    schema = GraphSchema(graph_schema)
    problems = [
        p
        for collection, entity in GRAPH_ENTITY.items()
        if collection != "contactFolders"
        for item in graph_items(state, collection)
        for p in schema.problems(entity, item, collection)
    ]
    problems += [
        p
        for sobject in sf_schema.OBJECTS
        for rec in sf_rows(state, sobject)
        for p in sf_problems(state, sobject, rec)
    ]
    assert problems == []
    assert canonical(state) == canonical(seeded("scale:7,5,3"))
    empty = seeded("scale:0,0,0")
    assert not graph_items(empty, "contacts") and not sf_rows(empty, "Contact")
