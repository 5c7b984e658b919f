"""The Outlook side of the sync: ``GraphContacts``, ``GraphEvents``, ``GraphTasks``.

Each implements ``sync.source.Source`` for one kind over a shared ``GraphClient``:

* ``GraphContacts(client, folder_id=None)``: one contacts folder (``None`` = the default
  Contacts folder, addressed by its id: ``sync.graph.paths``); ``contacts/delta`` of that
  folder with ``$select`` and ``Prefer: odata.maxpagesize=200``; the cursor is the deltaLink.
* ``GraphEvents(client, days_back=30, days_ahead=90, calendar_id=None, time_zone="UTC")``:
  ``calendarView/delta`` (a chosen calendar falls back to listing: ``sync.graph.paths``)
  over [today - days_back, today + days_ahead] (whole UTC days), read
  in UTC; occurrences of series are separate items. Graph fixes the window at the first
  call, so the cursor remembers it; when the window has moved on (a new day), the next
  ``list_changes`` quietly makes a full listing over the new window. ``@removed`` entries
  (deleted, or moved out of the window) become ``deleted_ids``; the engine tells them apart
  with ``get_many`` (``in_range=False`` outside the window).
* ``GraphTasks`` (``sync.graph.tasks``): one To Do list, ``tasks/delta``.

Writes go through ``$batch`` (20 per envelope); PATCH and DELETE carry ``If-Match`` with the
stored version: 412 -> ``ItemError("stale")``, 404 -> ``"not_found"`` (a DELETE of a missing
item is ok). A 412 right after Exchange bumped the changeKey by itself (the mapped content is
still what we read at that version) is retried once with the new version. Occurrences of a
series share one changeKey with their master, so a write to one of them makes the others'
versions stale: several writes to one series are sent in rounds, one per series per round,
and each later round first reads its items again and uses their new version when their mapped
content is unchanged. Updates send only
the mapped fields; collection slots (``emailAddresses[0]``...) are merged into the item's
current collections, which the source remembers from its last read at that version, or
fetches in one batch first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar
from urllib.parse import quote

from sync.errors import SourceError
from sync.fields import Kind, Side
from sync.graph import paths
from sync.graph.client import GraphClient, SubResponse, prefer, raise_for_call
from sync.graph.mapping import (
    CONTACT_SELECT,
    EVENT_SELECT,
    dtz_instant,
    etag,
    needs_current,
    parse_instant,
    to_body,
    to_record,
)
from sync.matching import match_keys
from sync.pace import Pacer, paced_map
from sync.records import OUTCOME_UNKNOWN, ChangeSet, Delete, ItemResult, Record, SourceItem, Update

UTC = dt.UTC
WriteT = TypeVar("WriteT", Update, Delete)
PAGE_PREF = "odata.maxpagesize=200"
UTC_PREF = 'outlook.timezone="UTC"'
TEXT_PREF = 'outlook.body-content-type="text"'


def _q(item_id: str) -> str:
    return quote(item_id, safe="")


def _odata_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class GraphSource:
    """What the three Graph sources share: batches, versions, get/create/update/delete."""

    side: Side = "outlook"
    kind: Kind
    batch_size: int = 20
    what: str = "Outlook"

    range_key = ""  # what the range depends on: a cursor read under another key is not reused

    def __init__(self, client: GraphClient, *, time_zone: str = "UTC") -> None:
        self.client = client
        self.time_zone = time_zone
        self._raw: dict[str, dict] = {}  # id -> the item as last read (its etag inside)

    # -- the parts each kind supplies ----------------------------------------------------

    preferences: tuple[str, ...] = ()

    async def collection_url(self) -> str:
        raise NotImplementedError

    async def item_url(self, item_id: str) -> str:
        raise NotImplementedError

    def select(self) -> str | None:
        return None

    def in_range(self, item: Mapping[str, Any]) -> bool:
        return True

    # -- shared ----------------------------------------------------------------------------

    @property
    def api_calls(self) -> int:
        return self.client.api_calls

    def _headers(self, **extra: str) -> dict[str, str]:
        headers = {"Prefer": prefer(*self.preferences)}
        headers.update(extra)
        return headers

    def _item(self, raw: Mapping[str, Any]) -> SourceItem:
        self._raw[raw["id"]] = dict(raw)
        return SourceItem(
            id=raw["id"],
            version=etag(raw),
            record=to_record(self.kind, raw, self.time_zone),
            modified_at=parse_instant(raw.get("lastModifiedDateTime")),
            in_range=self.in_range(raw),
        )

    async def _get_url(self, item_id: str) -> str:
        url = await self.item_url(item_id)
        sel = self.select()
        return f"{url}?$select={sel}" if sel else url

    async def _fetch(self, ids: Sequence[str]) -> dict[str, SubResponse]:
        requests = [{"method": "GET", "url": await self._get_url(i), "headers": self._headers()} for i in ids]
        replies = await self.client.batch(requests)
        return dict(zip(ids, replies, strict=False))

    async def get_many(self, ids: Sequence[str]) -> dict[str, SourceItem]:
        out: dict[str, SourceItem] = {}
        unique = list(dict.fromkeys(ids))
        for item_id, reply in (await self._fetch(unique)).items():
            if reply.status == 200 and isinstance(reply.body, dict):
                if reply.body.get("isCancelled"):
                    continue
                out[item_id] = self._item(reply.body)
            elif (
                reply.status in (400, 404)
                and reply.code.lower()
                in ("erroritemnotfound", "itemnotfound", "errorinvalidid", "notfound", "")
                or reply.status == 404
            ):
                self._raw.pop(item_id, None)
            else:
                raise_for_call(reply.status, reply.body, self.what)
        return out

    def _create_bodies(self, records: Sequence[Record]) -> list[dict]:
        return [to_body(self.kind, r, None, self.time_zone) for r in records]

    async def create_many(self, records: Sequence[Record]) -> list[ItemResult]:
        url = await self.collection_url()
        requests = [
            {"method": "POST", "url": url, "headers": self._headers(), "body": body}
            for body in self._create_bodies(records)
        ]
        results = []
        for reply in await self.client.batch(requests):
            if reply.status in (200, 201) and isinstance(reply.body, dict) and reply.body.get("id"):
                item = self._item(reply.body)
                results.append(ItemResult.success(item.id, item.version))
            elif reply.outcome_unknown:
                results.append(ItemResult.failure(OUTCOME_UNKNOWN, f"Outlook failed ({reply.status})."))
            else:
                results.append(self._failure(reply))
        return results

    async def update_many(self, updates: Sequence[Update]) -> list[ItemResult]:
        return await self._series_rounds(updates, self._update_round)

    async def delete_many(self, deletes: Sequence[Delete]) -> list[ItemResult]:
        return await self._series_rounds(deletes, self._delete_round)

    async def _series_rounds(
        self, writes: Sequence[WriteT], send: Callable[[list[WriteT]], Awaitable[list[ItemResult]]]
    ) -> list[ItemResult]:
        """Writes in rounds with at most one write per recurring series each: a write to one
        occurrence gives the whole series a new changeKey (Exchange keeps one for the master
        and all its occurrences), so a second write to the series in the same envelope would
        fail as stale. Before each later round the items are read again, and one whose mapped
        content is still what was read at the planned version is sent with its new version."""
        rounds: list[list[int]] = []
        depth: dict[str, int] = {}
        for n, w in enumerate(writes):
            series = self._series_of(w.id)
            k = 0
            if series is not None:
                k = depth.get(series, 0)
                depth[series] = k + 1
            while len(rounds) <= k:
                rounds.append([])
            rounds[k].append(n)
        if len(rounds) <= 1:
            return await send(list(writes))
        results: list[ItemResult | None] = [None] * len(writes)
        for k, indexes in enumerate(rounds):
            batch = [writes[i] for i in indexes]
            if k:
                batch = await self._fresh_versions(batch)
            for i, result in zip(indexes, await send(batch), strict=True):
                results[i] = result
        return [r for r in results if r is not None]

    def _series_of(self, item_id: str) -> str | None:
        raw = self._raw.get(item_id)
        return raw.get("seriesMasterId") or None if raw else None

    async def _fresh_versions(self, writes: list[WriteT]) -> list[WriteT]:
        """``writes`` with the current version of each item whose mapped content has not
        changed since it was read at the planned version (only this run's own writes to its
        series moved the version on); any other is left as it was (the service decides)."""
        known = [w for w in writes if w.id in self._raw and etag(self._raw[w.id]) == w.version]
        if not known:
            return writes
        fetched = await self._fetch([w.id for w in known])
        fresh: dict[str, str] = {}
        for w in known:
            reply = fetched.get(w.id)
            if reply is None or reply.status != 200 or not isinstance(reply.body, dict):
                continue
            now = dict(reply.body)
            before = to_record(self.kind, self._raw[w.id], self.time_zone)
            if to_record(self.kind, now, self.time_zone) == before:
                self._raw[w.id] = now
                fresh[w.id] = etag(now)
        return [replace(w, version=fresh[w.id]) if w.id in fresh else w for w in writes]

    async def _update_round(self, updates: Sequence[Update]) -> list[ItemResult]:
        current: dict[str, dict] = {}
        fetch = []
        for u in updates:
            cached = self._raw.get(u.id)
            if needs_current(self.kind, u.fields):
                if cached is not None and etag(cached) == u.version:
                    current[u.id] = cached
                else:
                    fetch.append(u.id)
        missing: set[str] = set()
        if fetch:
            for item_id, reply in (await self._fetch(list(dict.fromkeys(fetch)))).items():
                if reply.status == 200 and isinstance(reply.body, dict):
                    current[item_id] = dict(reply.body)
                    self._raw[item_id] = dict(reply.body)
                elif reply.status == 404:
                    missing.add(item_id)
        results: list[ItemResult | None] = [None] * len(updates)
        requests, index = [], []
        for n, u in enumerate(updates):
            if u.id in missing:
                results[n] = ItemResult.failure("not_found", "This Outlook item was deleted.", id=u.id)
                continue
            base = current.get(u.id)
            if base is not None and etag(base) != u.version:
                results[n] = ItemResult.failure(
                    "stale", "This Outlook item changed since Tandem read it.", id=u.id
                )
                continue
            body = to_body(self.kind, u.fields, base, self.time_zone)
            requests.append(self._patch(await self.item_url(u.id), u.version, body))
            index.append(n)
        replies = await self.client.batch(requests)
        retry: list[tuple[int, Update]] = []
        for n, reply in zip(index, replies, strict=False):
            u = updates[n]
            if reply.status == 200 and isinstance(reply.body, dict):
                item = self._item(reply.body)
                results[n] = ItemResult.success(item.id, item.version)
            elif (
                reply.status == 412 and self._raw.get(u.id) is not None and etag(self._raw[u.id]) == u.version
            ):
                retry.append((n, u))
            else:
                results[n] = self._failure(reply, u.id)
        if retry:
            await self._retry_bumped(retry, results)
        return [r for r in results if r is not None]

    async def _retry_bumped(self, retry: list[tuple[int, Update]], results: list[ItemResult | None]) -> None:
        """412 although we read this version: if the mapped content is unchanged, Exchange
        bumped the changeKey by itself; send the update once more with the new version."""
        before = {u.id: to_record(self.kind, self._raw[u.id], self.time_zone) for _, u in retry}
        fetched = await self._fetch([u.id for _, u in retry])
        requests, index = [], []
        for n, u in retry:
            reply = fetched.get(u.id)
            if reply is None or reply.status != 200 or not isinstance(reply.body, dict):
                results[n] = (
                    self._failure(reply, u.id)
                    if reply and reply.status != 200
                    else ItemResult.failure(
                        "stale", "This Outlook item changed since Tandem read it.", id=u.id
                    )
                )
                continue
            now = dict(reply.body)
            self._raw[u.id] = now
            if to_record(self.kind, now, self.time_zone) != before[u.id]:
                results[n] = ItemResult.failure(
                    "stale", "This Outlook item changed since Tandem read it.", id=u.id
                )
                continue
            body = to_body(self.kind, u.fields, now, self.time_zone)
            requests.append(self._patch(await self.item_url(u.id), etag(now), body))
            index.append(n)
        ids = {n: u.id for n, u in retry}
        for n, reply in zip(index, await self.client.batch(requests), strict=False):
            if reply.status == 200 and isinstance(reply.body, dict):
                item = self._item(reply.body)
                results[n] = ItemResult.success(item.id, item.version)
            else:
                results[n] = self._failure(reply, ids[n])

    def _patch(self, url: str, version: str, body: dict) -> dict:
        headers = self._headers()
        if version:
            headers["If-Match"] = version
        return {"method": "PATCH", "url": url, "headers": headers, "body": body}

    async def _delete_round(self, deletes: Sequence[Delete]) -> list[ItemResult]:
        requests = []
        for d in deletes:
            headers = self._headers()
            if d.version:
                headers["If-Match"] = d.version
            requests.append({"method": "DELETE", "url": await self.item_url(d.id), "headers": headers})
        results = []
        for d, reply in zip(deletes, await self.client.batch(requests), strict=False):
            if reply.status in (200, 204, 404):
                self._raw.pop(d.id, None)
                results.append(ItemResult.success(d.id, d.version))
            else:
                results.append(self._failure(reply, d.id))
        return results

    def _failure(self, reply: SubResponse | None, item_id: str | None = None) -> ItemResult:
        if reply is None:
            return ItemResult.failure("rejected", "Outlook did not answer for this item.", id=item_id)
        status, code = reply.status, reply.code
        if status == 412:
            return ItemResult.failure("stale", "This Outlook item changed since Tandem read it.", id=item_id)
        if status == 404:
            return ItemResult.failure("not_found", "This Outlook item was deleted.", id=item_id)
        if status in (429, 503, 504):
            return ItemResult.failure(
                "throttled", "Outlook was busy; Tandem will try again next run.", id=item_id
            )
        if status == 401:
            raise_for_call(status, reply.body, self.what)
        return ItemResult.failure(
            "rejected", f"Outlook refused this change: {reply.message} ({code or status})", id=item_id
        )

    # -- listing ---------------------------------------------------------------------------

    async def _delta(self, first_url: str, params: Mapping[str, str] | None, cursor: str | None) -> ChangeSet:
        prefs = (*self.preferences, PAGE_PREF)
        if cursor is None:
            raw_items, link = await self.client.pages(
                first_url, params=params, preferences=prefs, what=self.what
            )
        else:
            raw_items, link = await self.client.pages(cursor, preferences=prefs, what=self.what)
        if not link:
            raise SourceError(message="Outlook ended a list of changes without a marker for the next run.")
        items: dict[str, SourceItem] = {}
        deleted: list[str] = []
        pace = Pacer()
        for raw in raw_items:
            await pace()
            item_id = raw.get("id")
            if not item_id:
                continue
            if "@removed" in raw or raw.get("isCancelled"):
                items.pop(item_id, None)
                if item_id not in deleted:
                    deleted.append(item_id)
                self._raw.pop(item_id, None)
                continue
            if item_id in deleted:
                deleted.remove(item_id)
            items[item_id] = self._item(raw)
        return ChangeSet(items=list(items.values()), deleted_ids=deleted, cursor=link, full=cursor is None)

    async def _list(self, url: str, params: Mapping[str, str] | None = None) -> list[SourceItem]:
        raw_items, _ = await self.client.pages(
            url, params=params, preferences=self.preferences, what=self.what
        )
        return await paced_map(self._item, [r for r in raw_items if r.get("id") and not r.get("isCancelled")])

    @staticmethod
    def _matching(kind: Kind, record: Record, items: list[SourceItem]) -> list[SourceItem]:
        keys = set(match_keys(kind, record))
        return [i for i in items if keys & set(match_keys(kind, i.record))]


class GraphContacts(GraphSource):
    """Contacts of one Outlook contacts folder (``folder_id=None``: the default folder)."""

    kind: Kind = "contacts"
    what = "your Outlook contacts"

    def __init__(self, client: GraphClient, folder_id: str | None = None, *, time_zone: str = "UTC") -> None:
        super().__init__(client, time_zone=time_zone)
        self.folder_id = folder_id
        self._root_id: str | None = None  # the default folder's id, learnt from items
        self.range_key = f"folder={folder_id or ''}"

    def _base(self) -> str:
        return f"me/contactFolders/{_q(self.folder_id)}/contacts" if self.folder_id else "me/contacts"

    async def collection_url(self) -> str:
        return "/" + self._base()

    async def item_url(self, item_id: str) -> str:
        return f"/me/contacts/{_q(item_id)}"

    def select(self) -> str | None:
        return CONTACT_SELECT

    def in_range(self, item: Mapping[str, Any]) -> bool:
        parent = item.get("parentFolderId")
        if not parent:
            return True
        if self.folder_id:
            return parent == self.folder_id
        return self._root_id is None or parent == self._root_id

    async def list_changes(self, cursor: str | None) -> ChangeSet:
        cursor = None if paths.stale_cursor(cursor) else cursor
        folder = self.folder_id or self._root_id
        if folder is None and cursor is None:
            folder = self._root_id = await paths.default_contact_folder_id(self.client)
            if folder is None:  # no contact and no folder: the default folder is empty
                return ChangeSet(items=[], deleted_ids=[], cursor=paths.NO_FOLDER, full=True)
        delta = f"me/contactFolders/{_q(folder or '')}/contacts/delta"
        changes = await self._delta(delta, {"$select": CONTACT_SELECT}, cursor)
        if not self.folder_id and self._root_id is None:
            parents = {self._raw[i.id].get("parentFolderId") for i in changes.items if i.id in self._raw}
            if len(parents) == 1:
                self._root_id = parents.pop()
        return changes

    async def create_many(self, records: Sequence[Record]) -> list[ItemResult]:
        results = await super().create_many(records)
        if not self.folder_id and self._root_id is None:
            for r in results:
                if r.ok and r.id in self._raw:
                    self._root_id = self._raw[r.id].get("parentFolderId") or None
                    break
        return results

    async def find_matches(self, record: Record) -> list[SourceItem]:
        found: dict[str, SourceItem] = {}
        email = record.get("Email")
        if email:
            flt = f"emailAddresses/any(a:a/address eq {_odata_literal(str(email))})"
            for item in await self._list(
                self._base(), {"$filter": flt, "$select": CONTACT_SELECT, "$top": "100"}
            ):
                found[item.id] = item
        last, first = record.get("LastName"), record.get("FirstName")
        if last:
            flt = f"surname eq {_odata_literal(str(last))}"
            if first:
                flt += f" and givenName eq {_odata_literal(str(first))}"
            for item in await self._list(
                self._base(), {"$filter": flt, "$select": CONTACT_SELECT, "$top": "100"}
            ):
                found[item.id] = item
        return self._matching(self.kind, record, list(found.values()))


class GraphEvents(GraphSource):
    """Events (occurrences included) of one calendar inside a moving window."""

    kind: Kind = "events"
    what = "your Outlook calendar"
    preferences = (UTC_PREF, TEXT_PREF)
    # Writes to one series go one per round (see ``_series_rounds``); a larger call lets the
    # rounds of a whole series' worth of occurrences share their envelopes within one run.
    batch_size = 100

    def __init__(
        self,
        client: GraphClient,
        days_back: int = 30,
        days_ahead: int = 90,
        *,
        calendar_id: str | None = None,
        time_zone: str = "UTC",
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(client, time_zone=time_zone)
        self.days_back = days_back
        self.days_ahead = days_ahead
        self.calendar_id = calendar_id
        self.clock = clock or (lambda: dt.datetime.now(UTC))
        self.range_key = f"calendar={calendar_id or ''};{days_back};{days_ahead}"

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        today = self.clock().astimezone(UTC).date()
        start = dt.datetime.combine(today - dt.timedelta(days=self.days_back), dt.time(), UTC)
        end = dt.datetime.combine(today + dt.timedelta(days=self.days_ahead + 1), dt.time(), UTC)
        return start, end

    def _cal(self) -> str:
        return f"me/calendars/{_q(self.calendar_id)}" if self.calendar_id else "me/calendar"

    async def collection_url(self) -> str:
        return f"/{self._cal()}/events"

    async def item_url(self, item_id: str) -> str:
        return f"/me/events/{_q(item_id)}"

    def select(self) -> str | None:
        return EVENT_SELECT

    def in_range(self, item: Mapping[str, Any]) -> bool:
        start, end = dtz_instant(item.get("start")), dtz_instant(item.get("end"))
        if start is None or end is None:
            return True
        wstart, wend = self.window()
        return start < wend and (end > wstart or (start == end and start >= wstart))

    @staticmethod
    def _fmt(moment: dt.datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    async def list_changes(self, cursor: str | None) -> ChangeSet:
        start, end = self.window()
        stamp = f"{self._fmt(start)}/{self._fmt(end)}"
        link = None
        if cursor is not None:
            held, _, link = cursor.partition("|")
            if held != stamp or not link:
                cursor = None  # the window moved on: list everything in the new window
        if paths.stale_cursor(link):
            cursor = None
        window = {"startDateTime": self._fmt(start), "endDateTime": self._fmt(end)}
        if self.calendar_id and (cursor is None or link == paths.LISTED):
            changes = await self._delta_or_listing(window, cursor is not None)
        else:
            changes = await self._delta(self._view() + "/delta", window, link if cursor is not None else None)
        changes.cursor = f"{stamp}|{changes.cursor}"
        changes.items = [i for i in changes.items if i.in_range] if changes.full else changes.items
        return changes

    def _view(self) -> str:
        """The documented calendarView path (the primary calendar: ``/me/calendarView``)."""
        return f"me/calendars/{_q(self.calendar_id)}/calendarView" if self.calendar_id else "me/calendarView"

    async def _delta_or_listing(self, window: dict[str, str], listed: bool) -> ChangeSet:
        """A chosen calendar: its calendarView delta, or (refused) a full listing each run."""
        if not listed:
            try:
                return await self._delta(self._view() + "/delta", window, None)
            except SourceError as exc:
                if not paths.refused(exc):
                    raise
        items = await self._list(self._view(), {**window, "$select": EVENT_SELECT, "$top": "1000"})
        return ChangeSet(
            items=[i for i in items if i.in_range], deleted_ids=[], cursor=paths.LISTED, full=True
        )

    def _create_bodies(self, records: Sequence[Record]) -> list[dict]:
        bodies = super()._create_bodies(records)
        seen: dict[str, int] = {}
        for body in bodies:  # the same intent gets the same transactionId (sync.graph.paths)
            key = repr(sorted(body.items()))
            body["transactionId"] = paths.transaction_id(self.calendar_id or "", body, seen.get(key, 0))
            seen[key] = seen.get(key, 0) + 1
        return bodies

    async def find_matches(self, record: Record) -> list[SourceItem]:
        when = record.get("StartDateTime") if not record.get("IsAllDayEvent") else record.get("ActivityDate")
        if isinstance(when, dt.datetime):
            day = when.astimezone(UTC).date()
        elif isinstance(when, dt.date):
            day = when
        else:
            return []
        lo = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(), UTC)
        hi = dt.datetime.combine(day + dt.timedelta(days=2), dt.time(), UTC)
        items = await self._list(
            f"{self._cal()}/calendarView",
            {
                "startDateTime": self._fmt(lo),
                "endDateTime": self._fmt(hi),
                "$select": EVENT_SELECT,
                "$top": "1000",
            },
        )
        return self._matching(self.kind, record, items)
