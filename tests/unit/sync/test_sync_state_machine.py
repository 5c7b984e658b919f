"""A Hypothesis state machine over two memory sources and the real engine and store.

People create, edit and delete records on both sides; settings (prevent switches, conflict
policy, restore, truncation, private items, mass-delete limit) and ranges change; services
fail item by item or whole calls, expire cursors, and the process dies in the middle of
apply (before or after a write reached the service) and starts again on the same file;
kinds are rebuilt and runs undone. After every step:

- links are one-to-one;
- no record exists twice on a side;
- no record is lost, unless a person deleted it somewhere;
- (checked by the memory sources) a prevented operation is never sent.

After a sync that held nothing, prevented nothing and failed nothing: every record in range
is linked, linked pairs hold the same mapped content, and a second sync plans nothing.
After an undo of the run just made (no edits in between): both sides hold exactly the
content they held before that run.

Each record carries an identity token in a field no rule edits (contacts: LastName, events
and tasks: Subject); match keys are unique per token, so pairing never joins two people.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import shutil
import tempfile
from collections import Counter

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sync.engine import SyncEngine
from sync.errors import NothingToUndo
from sync.fields import FIELDS, KINDS, PICKLISTS, SIDES
from sync.memory_source import MemorySource, SimulatedCrash
from sync.normalise import same_value
from sync.records import encode_record
from sync.settings import CONFLICT_POLICIES, KindSettings
from sync.store import Store

UTC = dt.UTC
TOKEN_FIELD = {"contacts": "LastName", "events": "Subject", "tasks": "Subject"}
RANGE_FIELD = {"contacts": "Department", "events": "Location", "tasks": "Description"}
KEY_FIELDS = {
    "contacts": {"Email", "AccountName", "FirstName"},
    "events": {"StartDateTime", "EndDateTime", "IsAllDayEvent", "ActivityDate"},
    "tasks": {"ActivityDate"},
}
BASE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def token_of(kind: str, record: dict) -> str:
    return str(record[TOKEN_FIELD[kind]]).split()[-1]


def new_record(kind: str, token: str, draw) -> dict:
    n = int(token[1:])
    if kind == "contacts":
        return {
            "FirstName": draw(st.sampled_from(["Ada", "Alan", None])),
            "LastName": f"Person {token}",
            "Email": draw(st.sampled_from([f"{token}@example.com", f"{token.upper()}@Example.com", None])),
            "Title": draw(st.sampled_from([None, "CEO", "Buyer"])),
            "Phone": draw(st.sampled_from([None, "+1 732 555 0102", "(732) 555-0102"])),
            "Department": draw(st.sampled_from([None, "Sales", "OUT"])),
            "AccountName": draw(st.sampled_from([None, None, "Acme"])),
        }
    if kind == "events":
        start = BASE + dt.timedelta(hours=n)
        return {
            "Subject": f"Meeting {token}",
            "StartDateTime": start,
            "EndDateTime": start + dt.timedelta(hours=1),
            "IsAllDayEvent": draw(st.booleans()),
            "ActivityDate": start.date(),
            "Location": draw(st.sampled_from([None, "Room 1", "OUT"])),
            "ShowAs": draw(st.sampled_from(["Busy", "Free"])),
            "IsPrivate": draw(st.sampled_from([False, False, True])),
            "WhoEmail": draw(st.sampled_from([None, "ada@example.com"])),
        }
    return {
        "Subject": f"Task {token}",
        "Status": draw(st.sampled_from(PICKLISTS["Status"])),
        "Priority": draw(st.sampled_from(PICKLISTS["Priority"])),
        "ActivityDate": (BASE + dt.timedelta(days=n)).date(),
        "Description": draw(st.sampled_from([None, "todo", "OUT"])),
    }


def edit_values(kind: str, token: str, record: dict, draw) -> dict:
    """A random edit of one or two fields (never the identity token)."""
    n = draw(st.integers(1, 3))
    if kind == "contacts":
        field = draw(
            st.sampled_from(
                [
                    "Title",
                    "Department",
                    "Phone",
                    "MobilePhone",
                    "MailingCity",
                    "Birthdate",
                    "Description",
                    "Email",
                    "AccountName",
                    "FirstName",
                ]
            )
        )
        values = {
            "Title": [None, "CTO", " Engineer ", "x" * 130],
            "Department": [None, "Sales", "OUT", "R&D"],
            "Phone": [None, "+44 20 7946 0000", "(732) 555-0102"],
            "MobilePhone": [None, "+33 1 23 45 67 89"],
            "MailingCity": [None, "Paris", "  London "],
            "Birthdate": [None, dt.date(1990, 1, n)],
            "Description": [None, f"note {n}", "multi\r\nline"],
            "Email": [None, f"{token}.{n}@example.com"],
            "AccountName": [None, "Acme", "Globex"],
            "FirstName": [None, "Grace"],
        }[field]
        return {field: draw(st.sampled_from(values))}
    if kind == "events":
        field = draw(
            st.sampled_from(
                [
                    "Location",
                    "ShowAs",
                    "IsPrivate",
                    "Description",
                    "StartDateTime",
                    "IsAllDayEvent",
                    "WhoEmail",
                ]
            )
        )
        if field == "StartDateTime":
            if record["IsAllDayEvent"]:
                return {"ActivityDate": record["ActivityDate"] + dt.timedelta(days=n)}
            return {
                "StartDateTime": record["StartDateTime"] + dt.timedelta(hours=n),
                "EndDateTime": record["EndDateTime"] + dt.timedelta(hours=n),
            }
        if field == "IsAllDayEvent":
            start = BASE + dt.timedelta(hours=int(token[1:]))
            return {
                "IsAllDayEvent": not record["IsAllDayEvent"],
                "StartDateTime": start,
                "EndDateTime": start + dt.timedelta(hours=1),
                "ActivityDate": start.date(),
                "DurationInMinutes": None,
            }
        values = {
            "Location": [None, "Room 2", "OUT"],
            "ShowAs": ["Busy", "Free", "OutOfOffice"],
            "IsPrivate": [True, False],
            "Description": [None, f"agenda {n}", "y" * 40],
            "WhoEmail": [None, "grace@example.com"],
        }[field]
        return {field: draw(st.sampled_from(values))}
    field = draw(st.sampled_from(["Status", "Priority", "Reminder", "Description", "ActivityDate"]))
    if field == "Reminder":
        on = draw(st.booleans())
        return {"IsReminderSet": on, "ReminderDateTime": BASE + dt.timedelta(minutes=15 * n) if on else None}
    if field == "ActivityDate":
        return {"ActivityDate": draw(st.sampled_from([None, BASE.date() + dt.timedelta(days=40 + n)]))}
    values = {
        "Status": PICKLISTS["Status"],
        "Priority": PICKLISTS["Priority"],
        "Description": [None, f"todo {n}", "OUT"],
    }[field]
    return {field: draw(st.sampled_from(values))}


def synced_equal(kind: str, o: dict, s: dict) -> bool:
    for spec in FIELDS[kind]:
        if spec.direction != "both":
            continue
        a, b = o.get(spec.name), s.get(spec.name)
        if spec.max_length and isinstance(a, str) and isinstance(b, str):
            a, b = a[: spec.max_length].rstrip(), b[: spec.max_length].rstrip()
        if not same_value(kind, spec.name, a, b):
            return False
    return True


def content(records: dict) -> Counter:
    return Counter(tuple(sorted((k, str(v)) for k, v in encode_record(r).items())) for r in records.values())


def run(coro):
    return asyncio.run(coro)


prevent = st.sampled_from([False, False, False, True])


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="tandem-sm-")
        self.store: Store | None = None
        self.tokens = itertools.count(1)
        self.created: set[str] = set()
        self.user_deleted: set[str] = set()
        self.keys_edited: set[str] = set()
        self.undo_baseline: dict | None = None
        self.ranged = False

    # -- set-up -------------------------------------------------------------------------------

    @initialize(kind=st.sampled_from(KINDS), as_deleted=st.booleans())
    def setup(self, kind, as_deleted):
        self.kind = kind
        self.settings = KindSettings.default(kind)
        ticks = itertools.count()
        clock = lambda: BASE + dt.timedelta(seconds=next(ticks))  # noqa: E731  (shared by both sides)
        self.sources = {
            side: MemorySource(
                side,
                kind,
                settings=self.settings,
                clock=clock,
                batch_size=3,
                out_of_range_as_deleted=as_deleted,
            )
            for side in SIDES
        }
        self.restart()

    def restart(self) -> None:
        """A new process: the store is opened again from its file; the services stay."""
        if self.store is not None:
            self.store.close()
        self.store = Store(f"{self.dir}/tandem.db")
        self.engine = SyncEngine(self.store, {self.kind: self.sources}, lambda kind: self.settings)

    def teardown(self) -> None:
        if self.store is not None:
            self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def in_range(self, side: str, record: dict) -> bool:
        if not self.sources[side].in_range(record):
            return False
        return self.settings.include_private or not record.get("IsPrivate")

    # -- people ---------------------------------------------------------------------------------

    @rule(data=st.data(), side=st.sampled_from(SIDES))
    def create(self, data, side):
        token = f"t{next(self.tokens)}"
        record = new_record(self.kind, token, data.draw)
        if side == "outlook" and self.kind == "contacts":
            record["AccountName"] = None  # Outlook's company is not synced to Salesforce
        self.sources[side].put(record)
        self.created.add(token)
        self.undo_baseline = None

    @rule(data=st.data())
    def create_on_both(self, data):
        """The same contact/event/task typed on both sides before a sync: must be paired."""
        token = f"t{next(self.tokens)}"
        record = new_record(self.kind, token, data.draw)
        for side in SIDES:
            self.sources[side].put(record)
        self.created.add(token)
        self.undo_baseline = None

    @precondition(lambda self: any(s.records() for s in self.sources.values()))
    @rule(data=st.data(), side=st.sampled_from(SIDES))
    def edit(self, data, side):
        records = self.sources[side].records()
        if not records:
            return
        item_id = data.draw(st.sampled_from(sorted(records)))
        token = token_of(self.kind, records[item_id])
        changes = edit_values(self.kind, token, records[item_id], data.draw)
        if (KEY_FIELDS[self.kind] | {RANGE_FIELD[self.kind], "IsPrivate"}) & set(changes):
            # A record whose match keys changed, or that was outside the range while its twin
            # was inside, may be copied before it can be paired: not a duplicate the engine made.
            self.keys_edited.add(token)
        self.sources[side].edit(item_id, **changes)
        self.undo_baseline = None

    @precondition(lambda self: any(s.records() for s in self.sources.values()))
    @rule(data=st.data(), side=st.sampled_from(SIDES))
    def delete(self, data, side):
        records = self.sources[side].records()
        if not records:
            return
        item_id = data.draw(st.sampled_from(sorted(records)))
        self.user_deleted.add(token_of(self.kind, records[item_id]))
        self.sources[side].remove(item_id)
        self.undo_baseline = None

    # -- settings and services ------------------------------------------------------------------------

    @rule(
        o_c=prevent,
        o_u=prevent,
        o_d=prevent,
        s_c=prevent,
        s_u=prevent,
        s_d=prevent,
        policy=st.sampled_from(CONFLICT_POLICIES),
        restore=st.booleans(),
        truncate=st.booleans(),
        private=st.booleans(),
        mass_min=st.sampled_from([1, 3, 10]),
    )
    def change_settings(self, o_c, o_u, o_d, s_c, s_u, s_d, policy, restore, truncate, private, mass_min):
        self.settings = KindSettings(
            o_c,
            o_u,
            o_d,
            s_c,
            s_u,
            s_d,
            conflict_policy=policy,
            restore_deleted=restore,
            truncate_long_values=truncate,
            include_private=private,
            mass_delete_min=mass_min,
        )
        for source in self.sources.values():
            source.settings = self.settings

    @rule()
    def toggle_range(self):
        """Both sides narrow (or widen) their range the same way, like a shared time window."""
        field = RANGE_FIELD[self.kind]
        self.ranged = not self.ranged
        for source in self.sources.values():
            source.set_range((lambda r: r.get(field) != "OUT") if self.ranged else None)

    @rule(side=st.sampled_from(SIDES))
    def expire_cursor(self, side):
        self.sources[side].expire_cursors()

    @rule()
    def rebuild(self):
        self.engine.rebuild(self.kind)

    # -- syncing ----------------------------------------------------------------------------------------

    @rule(data=st.data(), fault=st.sampled_from(["none", "none", "item", "call", "crash"]))
    def sync(self, data, fault):
        baseline = {side: content(s.records()) for side, s in self.sources.items()}
        side = data.draw(st.sampled_from(SIDES))
        source = self.sources[side]
        if fault == "item":
            source.fail_items[data.draw(st.sampled_from(["create", "update", "delete"]))] = data.draw(
                st.integers(1, 3)
            )
        elif fault == "call":
            source.fail_calls[data.draw(st.sampled_from(["list", "get", "create", "update", "delete"]))] = 1
        elif fault == "crash":
            source.crash_after_items = data.draw(st.integers(0, 4))
            source.crash_applies_write = data.draw(st.booleans())
        crashed = False
        report = None
        try:
            report = run(self.engine.sync())
        except SimulatedCrash:
            crashed = True
        finally:
            source.fail_items.clear()
            source.fail_calls.clear()
            source.crash_after_items = None
        if crashed:
            event("process died during apply")
            self.restart()
        last = self.store.last_applied_run()
        latest = self.store.runs(limit=1)
        self.undo_baseline = baseline if last and latest and last["id"] == latest[0]["id"] else None
        clean = (
            report is not None
            and fault == "none"
            and report.ok
            and not report.needs_attention()
            and report.total("prevented") == 0
        )
        if clean:
            self.check_converged()
            event("checked: clean sync converged and a second sync planned nothing")

    def check_converged(self) -> None:
        kind = self.kind
        records = {side: s.records() for side, s in self.sources.items()}
        linked_ids = {"outlook": set(), "salesforce": set()}
        for link in self.store.links(kind):
            for side in SIDES:
                if link.id_on(side):
                    linked_ids[side].add(link.id_on(side))
            if link.state == "linked":
                o, s = records["outlook"].get(link.outlook_id), records["salesforce"].get(link.salesforce_id)
                assert o is not None and s is not None, f"linked pair lost a record: {link}"
                assert synced_equal(kind, o, s), f"pair differs after a clean sync: {link}\n{o}\n{s}"
        for side in SIDES:
            for item_id, record in records[side].items():
                if self.in_range(side, record):
                    assert item_id in linked_ids[side], f"{side} {item_id} in range but not linked: {record}"
        again = run(self.engine.preview())
        assert again.is_empty(), f"second sync plans {again.to_json()}"

    @rule()
    def undo(self):
        baseline = self.undo_baseline
        self.undo_baseline = None
        try:
            plan = run(self.engine.preview_undo())
        except NothingToUndo:
            return
        report = run(self.engine.apply(plan, trigger="undo"))
        if baseline is None:
            return
        if any(a.op in ("prevented", "held") for a in plan.actions()) or not report.ok:
            return
        for side, source in self.sources.items():
            assert content(source.records()) == baseline[side], f"undo did not restore {side}"
        event("checked: undo restored the content from before the run")

    # -- invariants ------------------------------------------------------------------------------------

    @invariant()
    def links_are_one_to_one(self):
        if self.store is None:
            return
        seen = {"outlook": set(), "salesforce": set()}
        for link in self.store.links(self.kind):
            assert link.outlook_id or link.salesforce_id
            for side in SIDES:
                item_id = link.id_on(side)
                if item_id is not None:
                    assert item_id not in seen[side], f"{side} {item_id} in two links"
                    seen[side].add(item_id)

    @invariant()
    def no_record_twice(self):
        if self.store is None:
            return
        for side, source in self.sources.items():
            # Records out of range are invisible to the engine (another folder, outside the
            # window): a copy of one of them in range is not a duplicate the engine made.
            tokens = Counter(
                token_of(self.kind, r) for r in source.records().values() if self.in_range(side, r)
            )
            dups = {t: n for t, n in tokens.items() if n > 1 and t not in self.keys_edited}
            assert not dups, f"duplicates in {side}: {dups}"

    @invariant()
    def nothing_lost(self):
        if self.store is None:
            return
        alive = {token_of(self.kind, r) for s in self.sources.values() for r in s.records().values()}
        lost = self.created - alive - self.user_deleted
        assert not lost, f"lost without a delete: {sorted(lost)}"


TestSyncMachine = SyncMachine.TestCase
TestSyncMachine.settings = settings.get_profile(os.environ.get("TANDEM_HYPOTHESIS_PROFILE", "ci"))
