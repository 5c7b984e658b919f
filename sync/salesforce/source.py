"""The Salesforce sources of the sync engine: ``SalesforceContacts``, ``SalesforceTasks`` and
the base of ``SalesforceEvents`` (``sync.salesforce.events``) (protocol: ``sync.source``).

Ranges (BEHAVIOUR.md), as SOQL conditions evaluated by Salesforce
    contacts  mine: ``OwnerId = me``; all: every contact I can see; team: ``AccountId IN
              (SELECT AccountId FROM AccountTeamMember WHERE UserId = me)``; campaign:
              ``Id IN (SELECT ContactId FROM CampaignMember WHERE CampaignId = X)``.
              Team and campaign also take in **my private contacts** (``OwnerId = me AND
              AccountId = null``): a contact created from Outlook goes to Salesforce that way
              (below), on no account and in no campaign, and must not leave the range (be
              unlinked, then held by the twin guard) the first time it changes in Salesforce.
              So every private contact of mine is kept in step under these ranges, also one
              made in Salesforce; once related to an account it follows the team rule (relating
              it to an account whose team I am not on takes it out of the range: unlinked).
              Salesforce refuses a semi-join under ``OR`` ("Semi join sub-selects are not
              allowed with the 'OR' operator"), so such a range is a union of conditions
              (``range_conditions``), each asked in its own query and the rows merged by Id:
              one more query for a listing or an in-range check under team / campaign.
    events    ``OwnerId = me`` and ``ActivityDate`` from ``days_back`` ago to ``days_ahead``
              ahead (server "today"); private events (IsPrivate) only with ``include_private``;
              child events and recurring series are left alone (``sync.salesforce.events``).
    tasks     ``OwnerId = me`` and (open, or due / completed in the last ``closed_days`` days).

Incremental reads (the cursor): see ``sync.salesforce.cursor`` (change query, getDeleted
    window and its limits, the fallback to a full listing).

Writes
    Collections of 200, ``allOrNone=false``. Creates set ``OwnerId = me``; contacts get no
    ``AccountId`` (a private contact). ``WhoEmail`` of an event becomes ``WhoId`` (the first
    Contact with that email; none -> no WhoId).
    Optimistic locking: sObject Collections PATCH has no per-record If-Unmodified-Since, so
    ``update_many`` first reads the ``SystemModstamp`` of the whole batch in one request
    (``POST /composite/sobjects/T`` with ids), answers ``stale`` for a changed record and
    ``not_found`` for a gone one, and sends only the others. The window between that read and
    the PATCH (milliseconds) is not covered; a change landing in it is overwritten for the
    fields sent, and the next delta shows the result. After a create or update the new
    versions are read the same way (one request per 2000 records).
    ``delete_many`` does not check versions (the protocol does not ask it to); deleting a
    record already gone is ok.
    Twins out of range (contacts): a scoped range ("mine", "team", "campaign") cannot list a
    colleague's contact, so before creating, ``existing_twins`` looks the new contacts' emails
    up without the range filter (queries of 200 emails, five per composite request) and the
    engine holds the creates whose email exists, with the owner's name in the reason.

``api_calls`` is the client's count: give each source its own ``SalesforceClient`` for
per-kind numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal
from urllib.parse import quote

from sync.fields import Kind, Side
from sync.matching import match_keys
from sync.pace import Pacer, paced_map
from sync.records import ChangeSet, Delete, ItemResult, Record, SourceItem, Update
from sync.salesforce.client import (
    COLLECTION_SIZE,
    SalesforceClient,
    chunks,
    chunks_by_length,
    soql_ids,
    soql_quote,
)
from sync.salesforce.cursor import (
    decode_cursor,
    delete_window_start,
    deleted_since,
    encode_cursor,
    listing_window_start,
    seen_in_second,
    stamp_second,
)
from sync.salesforce.described import DescribedFields
from sync.salesforce.mapping import SOBJECTS, encode, from_row, parse_sf_datetime, select_fields, to_body
from sync.salesforce.task_status import TaskStatusWrites
from sync.salesforce.timestamps import soql_datetime

UTC = dt.UTC
IDS_PER_QUERY = 200
READ_IDS_PER_CALL = 2000
TWIN_QUERY_CHARS = 14000  # URL-encoded SOQL per email lookup: below Salesforce's 16 KB URLs
Scope = Literal["mine", "all", "team", "campaign"]


class SalesforceSource(DescribedFields):
    """Common part of the three Salesforce sources (fields from describe: ``described``)."""

    side: Side = "salesforce"
    kind: Kind
    # The executor hands over up to 1,000 writes at a time (its intent journal covers them all
    # before anything is sent); the client sends them as collections of 200, and the versions
    # of the batch are read back in one retrieve, not one per collection.
    batch_size = 5 * COLLECTION_SIZE

    def __init__(self, client: SalesforceClient, user_id: str) -> None:
        self.client = client
        self.user_id = user_id
        self.sobject = SOBJECTS[self.kind]
        self._select = ", ".join(select_fields(self.kind))
        self._known: dict[str, str] = {}

    def remember_versions(self, versions: dict[str, str | None]) -> None:
        """The versions the engine stored for linked ids (its last read or write of each)."""
        self._known = {k: v for k, v in versions.items() if v}

    @property
    def api_calls(self) -> int:
        return self.client.api_calls

    @property
    def range_key(self) -> str:
        """What the range depends on: a cursor read under another range is not reused (the
        engine reads everything again, so a wider range pairs what it now sees)."""
        conditions = self.range_conditions()
        return " OR ".join(f"({c})" for c in conditions) if conditions else ""

    # -- range -------------------------------------------------------------------------

    def range_condition(self) -> str | None:
        """The SOQL condition of "in range" (None: everything visible is in range)."""
        raise NotImplementedError

    def range_conditions(self) -> list[str] | None:
        """ "In range" as a union: a record is in range when it meets any of these SOQL
        conditions, each asked in its own query (Salesforce allows no semi-join under OR).
        None: everything visible is in range."""
        where = self.range_condition()
        return None if where is None else [where]

    # -- reading -----------------------------------------------------------------------

    async def list_changes(self, cursor: str | None) -> ChangeSet:
        await self._described()
        if cursor is None:
            return await self._full_listing()
        state = decode_cursor(cursor)
        start = delete_window_start(state, await self.client.server_now())
        deleted, d, dids = await self._deleted_since(start, set(state.get("dids", [])))
        rows = await self.client.query(
            f"SELECT {self._select} FROM {self.sobject} "
            f"WHERE SystemModstamp >= {soql_datetime(stamp_second(state['m']))} ORDER BY SystemModstamp, Id"
        )
        seen = {(i, stamp) for i, stamp in state.get("seen", [])}
        fresh = [r for r in rows if (r["Id"], r["SystemModstamp"]) not in seen]
        m = rows[-1]["SystemModstamp"] if rows else state["m"]
        seen_now = seen_in_second(rows, m) if rows else [list(p) for p in seen]
        # Rows at the version Tandem stored for them are its own writes read back: in range
        # when written, so the range query is not asked about them again.
        known = [r for r in fresh if r["Id"] in self._known and self._known[r["Id"]] == r["SystemModstamp"]]
        known_ids = {r["Id"] for r in known}
        items = await paced_map(lambda r: self._item(r, True), known) + await self._items(
            [r for r in fresh if r["Id"] not in known_ids]
        )
        fresh_ids = {i.id for i in items}
        return ChangeSet(
            items=items,
            deleted_ids=[i for i in deleted if i not in fresh_ids],
            cursor=encode_cursor({"v": 2, "m": m, "seen": seen_now, "d": d, "dids": dids}),
            full=False,
        )

    async def _full_listing(self) -> ChangeSet:
        # The delete window starts before the listing, so nothing deleted during it is missed.
        d, dids = await listing_window_start(self.client), list[str]()
        conditions = self.range_conditions()
        rows: list[dict[str, Any]] = []
        wheres: list[str | None] = list(conditions) if conditions else [None]
        for where in wheres:
            rows.extend(
                await self.client.query(
                    f"SELECT {self._select} FROM {self.sobject}"
                    + (f" WHERE {where}" if where else "")
                    + " ORDER BY SystemModstamp, Id"
                )
            )
        if conditions and len(conditions) > 1:  # one row per record, in the cursor's order
            rows = sorted({r["Id"]: r for r in rows}.values(), key=lambda r: (r["SystemModstamp"], r["Id"]))
        if rows:  # changes after the listing get a later stamp than its newest row
            m = rows[-1]["SystemModstamp"]
            seen = seen_in_second(rows, m)
        else:
            m, seen = d, []
        items = await paced_map(lambda r: self._item(r, True), rows)
        return ChangeSet(
            items=items,
            deleted_ids=[],
            cursor=encode_cursor({"v": 2, "m": m, "seen": seen, "d": d, "dids": dids}),
            full=True,
        )

    async def _deleted_since(self, start: dt.datetime, known: set[str]) -> tuple[list[str], str, list[str]]:
        return await deleted_since(self.client, self.sobject, start, known)

    def _item(self, row: dict[str, Any], in_range: bool) -> SourceItem:
        return SourceItem(
            id=row["Id"],
            version=row["SystemModstamp"],
            record=from_row(self.kind, row),
            modified_at=parse_sf_datetime(row.get("LastModifiedDate")),
            in_range=in_range,
        )

    async def _in_range_ids(self, ids: Sequence[str]) -> set[str]:
        conditions = self.range_conditions()
        if conditions is None or not ids:
            return set(ids)
        out: set[str] = set()
        for chunk in chunks(list(ids), IDS_PER_QUERY):
            for where in conditions:
                rest = [i for i in chunk if i not in out]  # already in: not asked again
                if not rest:
                    break
                rows = await self.client.query(
                    f"SELECT Id FROM {self.sobject} WHERE Id IN {soql_ids(rest)} AND ({where})"
                )
                out.update(r["Id"] for r in rows)
        return out

    async def _items(self, rows: list[dict[str, Any]]) -> list[SourceItem]:
        inside = await self._in_range_ids([r["Id"] for r in rows])
        return await paced_map(lambda r: self._item(r, r["Id"] in inside), rows)

    async def get_many(self, ids: Sequence[str]) -> dict[str, SourceItem]:
        await self._described()
        rows: list[dict[str, Any]] = []
        for chunk in chunks(list(dict.fromkeys(ids)), IDS_PER_QUERY):
            rows.extend(
                await self.client.query(
                    f"SELECT {self._select} FROM {self.sobject} WHERE Id IN {soql_ids(chunk)}"
                )
            )
        return {item.id: item for item in await self._items(rows)}

    async def find_matches(self, record: Record) -> list[SourceItem]:
        keys = set(match_keys(self.kind, record))
        if not keys:
            return []
        where = self._match_condition(record)
        if where is None:
            return []
        await self._described()
        rows = await self.client.query(f"SELECT {self._select} FROM {self.sobject} WHERE {where}")
        items = await self._items(rows)
        return [i for i in items if keys & set(match_keys(self.kind, i.record))]

    def _match_condition(self, record: Record) -> str | None:
        raise NotImplementedError

    # -- writing -----------------------------------------------------------------------

    async def _lookups(self, records: Sequence[Record]) -> dict[str, str]:
        """What the bodies of ``records`` need from the org, asked once per batch of writes
        (events: a WhoId per email; tasks: the org's statuses, kept on the source)."""
        return {}

    def _body(self, fields: Record, lookups: dict[str, str], creating: bool) -> dict[str, Any]:
        body = to_body(self.kind, fields, self._allowed(creating))
        if creating:
            body["OwnerId"] = self.user_id
        return body

    async def create_many(self, records: Sequence[Record]) -> list[ItemResult]:
        if not records:
            return []
        await self._described()
        lookups = await self._lookups(records)
        bodies = await paced_map(lambda r: self._body(r, lookups, creating=True), records)
        results = await self.client.create_records(self.kind, self.sobject, bodies)
        return await self._with_versions(results)

    async def update_many(self, updates: Sequence[Update]) -> list[ItemResult]:
        if not updates:
            return []
        await self._described()
        current = await self._versions([u.id for u in updates])
        results: list[ItemResult | None] = [None] * len(updates)
        send: list[tuple[int, dict[str, Any]]] = []
        lookups = await self._lookups([u.fields for u in updates])
        pace = Pacer()
        for n, update in enumerate(updates):
            await pace()
            now = current.get(update.id)
            if now is None:
                results[n] = ItemResult.failure(
                    "not_found", "This record was deleted in Salesforce.", id=update.id
                )
            elif now != update.version:
                results[n] = ItemResult.failure(
                    "stale",
                    "This record changed in Salesforce since Tandem read it; the next sync "
                    "looks at it again.",
                    id=update.id,
                )
            else:
                send.append((n, {"Id": update.id, **self._body(update.fields, lookups, creating=False)}))
        if send:
            sent = await self.client.update_records(self.kind, self.sobject, [b for _, b in send])
            for (n, _), result in zip(send, await self._with_versions(sent), strict=False):
                results[n] = result
        return [r for r in results if r is not None]

    async def delete_many(self, deletes: Sequence[Delete]) -> list[ItemResult]:
        if not deletes:
            return []
        return await self.client.delete_records([d.id for d in deletes])

    async def _versions(self, ids: Sequence[str]) -> dict[str, str]:
        """Current SystemModstamp of each id that still exists (retrieve collection)."""
        out: dict[str, str] = {}
        for chunk in chunks(list(ids), READ_IDS_PER_CALL):
            response = await self.client.request(
                "POST",
                f"composite/sobjects/{self.sobject}",
                idempotent=True,
                json={"ids": list(chunk), "fields": ["Id", "SystemModstamp"]},
            )
            for row in response.json():
                if row:
                    out[row["Id"]] = row["SystemModstamp"]
        return out

    async def _with_versions(self, results: list[ItemResult]) -> list[ItemResult]:
        ok = [r.id for r in results if r.ok and r.id]
        versions = await self._versions(ok) if ok else {}
        return [replace(r, version=versions.get(r.id, "")) if r.ok and r.id else r for r in results]


class SalesforceContacts(SalesforceSource):
    kind: Kind = "contacts"

    def __init__(
        self, client: SalesforceClient, user_id: str, *, scope: Scope = "mine", campaign_id: str | None = None
    ) -> None:
        if scope not in ("mine", "all", "team", "campaign"):
            raise ValueError(f"unknown contact scope {scope!r}")
        if scope == "campaign" and not campaign_id:
            raise ValueError("the campaign scope needs a campaign_id")
        super().__init__(client, user_id)
        self.scope = scope
        self.campaign_id = campaign_id

    def range_condition(self) -> str | None:
        """The scope's own condition (team, campaign: without my private contacts; see
        ``range_conditions``)."""
        me = soql_quote(self.user_id)
        if self.scope == "mine":
            return f"OwnerId = {me}"
        if self.scope == "team":
            return f"AccountId IN (SELECT AccountId FROM AccountTeamMember WHERE UserId = {me})"
        if self.scope == "campaign":
            return (
                f"Id IN (SELECT ContactId FROM CampaignMember WHERE CampaignId = "
                f"{soql_quote(self.campaign_id or '')})"
            )
        return None

    def range_conditions(self) -> list[str] | None:
        """Team and campaign: the scope's condition, or one of my private contacts (owned by
        me, on no account), which is how a contact created from Outlook arrives."""
        where = self.range_condition()
        if self.scope in ("team", "campaign") and where is not None:
            return [where, f"OwnerId = {soql_quote(self.user_id)} AND AccountId = null"]
        return None if where is None else [where]

    def _match_condition(self, record: Record) -> str | None:
        parts = []
        if record.get("Email"):
            parts.append(f"Email = {soql_quote(str(record['Email']))}")
        if record.get("LastName"):
            parts.append(f"LastName = {soql_quote(str(record['LastName']))}")
        return " OR ".join(parts) or None

    def _body(self, fields: Record, lookups: dict[str, str], creating: bool) -> dict[str, Any]:
        body = super()._body(fields, lookups, creating)
        body.pop("AccountId", None)  # created from Outlook: a private contact, no account
        return body

    async def existing_twins(self, records: Sequence[Record]) -> list[str | None]:
        """Before creating ``records``: for each, why it must not be created (a contact with
        its email already exists in Salesforce outside the range, where the listing could not
        see it), or None. Only a scoped range needs this (with "all" every visible contact was
        listed and matched). Emails are looked up without the range filter, in queries of at
        most ``IDS_PER_QUERY`` emails and ``TWIN_QUERY_CHARS`` characters; nothing is asked
        when no record has an email."""
        if self.scope == "all":
            return [None] * len(records)
        emails = sorted({str(r["Email"]).strip().casefold() for r in records if r.get("Email")})
        head = "SELECT Id, Email, OwnerId, Owner.Name FROM Contact WHERE Email IN "
        tail = " ORDER BY CreatedDate, Id"
        soqls = [
            f"{head}{soql_ids(chunk)}{tail}"
            for chunk in chunks_by_length(
                emails, IDS_PER_QUERY, TWIN_QUERY_CHARS - len(quote(head + tail, safe=""))
            )
        ]
        rows = [row for found in await self.client.query_many(soqls) for row in found]
        if not rows:
            return [None] * len(records)
        if self.scope == "mine":
            inside = {r["Id"] for r in rows if r.get("OwnerId") == self.user_id}
        else:
            inside = await self._in_range_ids([r["Id"] for r in rows])
        by_email: dict[str, dict[str, Any]] = {}
        for row in rows:  # one found twin is enough; prefer one outside the range
            key = str(row.get("Email") or "").casefold()
            if key not in by_email or (by_email[key]["Id"] in inside and row["Id"] not in inside):
                by_email[key] = row
        out: list[str | None] = []
        for record in records:
            twin = by_email.get(str(record.get("Email") or "").strip().casefold())
            if twin is None:
                out.append(None)
                continue
            owner = (twin.get("Owner") or {}).get("Name") or "someone else"
            if twin["Id"] not in inside:
                out.append(
                    "A contact with this email already exists in Salesforce but is outside "
                    f"your range (owned by {owner}), so Tandem did not create a second one. "
                    "Widen the contact range in the settings to keep the two in step."
                )
            else:
                out.append(
                    "A contact with this email already exists in your range in Salesforce "
                    f"(owned by {owner}), and it is kept in step with another Outlook "
                    "contact, so Tandem did not create a second one. Merge the two Outlook "
                    "contacts, or give this one another email."
                )
        return out


class SalesforceTasks(TaskStatusWrites, SalesforceSource):  # Status: sync.salesforce.task_status
    kind: Kind = "tasks"

    def __init__(self, client: SalesforceClient, user_id: str, *, closed_days: int = 30) -> None:
        super().__init__(client, user_id)
        self.closed_days = closed_days

    def range_condition(self) -> str | None:
        n = self.closed_days
        return (
            f"OwnerId = {soql_quote(self.user_id)} AND (IsClosed = false OR "
            f"ActivityDate >= N_DAYS_AGO:{n} OR CompletedDateTime >= N_DAYS_AGO:{n})"
        )

    def _match_condition(self, record: Record) -> str | None:
        me = f"OwnerId = {soql_quote(self.user_id)}"
        if record.get("Subject"):
            return f"{me} AND Subject = {soql_quote(str(record['Subject']))}"
        if record.get("ActivityDate"):
            return f"{me} AND ActivityDate = {encode(record['ActivityDate'])}"
        return None
