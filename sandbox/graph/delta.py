"""Delta queries: ``@odata.nextLink`` pages with ``$skiptoken``, then an ``@odata.deltaLink``
with an opaque ``$deltatoken`` that returns the changes since.

Every token (skip and delta) is a random key into ``state.graph["deltaTokens"]`` holding the
query's state, so the query options of the first call are baked in, a forged token is
unknown, and clearing that table (the control API's ``/_sandbox/delta/expire``) makes every
replay a ``410 SyncStateNotFound``.

Two kinds:

* **Sequence delta** (contacts per folder, To Do tasks per list, To Do lists). Each stored
  item carries the change sequence ``_seq`` of its last write and each deletion leaves a
  tombstone with its own ``_seq``. A round covers the writes in ``(from, to]``, where ``to``
  is the sequence when the round began; pages walk that range in ``_seq`` order. Writes made
  while paging land after ``to`` and come in the next round (an item may then be reported
  twice, which Graph allows).
* **Window delta** (``calendarView/delta``). Occurrences of series are computed, not stored,
  so each delta token keeps a snapshot ``{instance id: changeKey}`` of the window; the next
  round reports instances that are new or changed and ``@removed`` for those that are gone
  (deleted, cancelled, or moved out of the window) - and, like Graph, also ``@removed`` for
  items outside the window that were written or deleted since.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sandbox import ids
from sandbox.errors import GraphError
from sandbox.graph.core import GRAPH_VERSION, GraphRequest, Reply, prune_tokens
from sandbox.graph.query_options import check_options, page_size
from sandbox.state import SandboxState


def sync_state_not_found() -> GraphError:
    return GraphError(
        410,
        "SyncStateNotFound",
        "The sync state generation is not found. The delta token is expired or "
        "not valid; start a full synchronization without a delta token.",
    )


def _token(req: GraphRequest) -> tuple[str | None, str | None]:
    skip = req.option("skiptoken")
    delta = req.option("deltatoken")
    return skip, delta


def _store(state: SandboxState, record: dict) -> str:
    key = ids.opaque_token(30)
    state.graph["deltaTokens"][key] = record
    state.dirty = True
    prune_tokens(state)
    return key


def _lookup(state: SandboxState, token: str, resource: str) -> dict:
    record = state.graph["deltaTokens"].get(token)
    if record is None or record.get("resource") != resource:
        raise sync_state_not_found()
    return record


def _track_changes(req: GraphRequest) -> None:
    if "odata.track-changes" in req.prefer:
        req.apply("odata.track-changes")


def _context(req: GraphRequest, odata_type: str) -> str:
    return f"{req.base}{GRAPH_VERSION}/$metadata#Collection({odata_type.rsplit('.', 1)[-1]})"


def removed(odata_type: str, item_id: str) -> dict:
    return {"@odata.type": odata_type, "id": item_id, "@removed": {"reason": "deleted"}}


# ------------------------------------------------------------ sequence delta
def seq_delta(
    state: SandboxState,
    req: GraphRequest,
    *,
    collection: str,
    container: str | None,
    select: list[str] | None,
    odata_type: str,
    render: Callable[[dict, list[str] | None], dict],
    options: tuple[str, ...] = ("select", "skiptoken", "deltatoken"),
) -> Reply:
    resource = f"{collection}:{container}"
    skip, delta = _token(req)
    if skip or delta:
        record = _lookup(state, skip or delta or "", resource)
        select = record.get("select")
        if "to" in record:  # a page of a round in progress
            lo, hi, after, initial = record["from"], record["to"], record["after"], record["initial"]
        else:  # a delta link: a new round from where the last one ended
            lo, hi, after, initial = record["from"], state.seq, record["from"], False
    else:
        check_options(req, options)
        lo, hi, after, initial = 0, state.seq, 0, True
    _track_changes(req)
    size = page_size(state, req, delta=True)

    changes: list[tuple[int, dict | None, str]] = []
    live = state.graph[collection]
    for item in live.values():
        if (container is None or item.get("_container") == container) and after < item.get("_seq", 0) <= hi:
            changes.append((item["_seq"], item, item["id"]))
    if not initial:
        for stone in state.graph["tombstones"]:
            if (
                stone["collection"] == collection
                and stone["id"] not in live
                and (container is None or stone.get("_container") == container)
                and after < stone["_seq"] <= hi
            ):
                changes.append((stone["_seq"], None, stone["id"]))
    changes.sort(key=lambda c: c[0])
    page, rest = changes[:size], changes[size:]
    value = [
        {"@odata.type": odata_type, **render(item, select)}
        if item is not None
        else removed(odata_type, item_id)
        for _, item, item_id in page
    ]
    body: dict[str, Any] = {"@odata.context": _context(req, odata_type), "value": value}
    if rest:
        token = _store(
            state,
            {
                "resource": resource,
                "select": select,
                "from": lo,
                "to": hi,
                "after": page[-1][0],
                "initial": initial,
            },
        )
        body["@odata.nextLink"] = req.url([("$skiptoken", token)])
    else:
        token = _store(state, {"resource": resource, "select": select, "from": hi})
        body["@odata.deltaLink"] = req.url([("$deltatoken", token)])
    return Reply(200, body)


# -------------------------------------------------------------- window delta
def window_delta(
    state: SandboxState,
    req: GraphRequest,
    *,
    resource: str,
    window: Callable[[], tuple[datetime, datetime]],
    instances: Callable[[datetime, datetime], list[dict]],
    render: Callable[[dict], dict],
    odata_type: str = "#microsoft.graph.event",
    touched: Callable[[int], list[str]] | None = None,
    options: tuple[str, ...] = ("skiptoken", "deltatoken"),
) -> Reply:
    """``calendarView/delta``. ``window()`` reads the first call's startDateTime/endDateTime;
    ``instances(start, end)`` lists what the view holds now (stored form, with ``id`` and
    ``changeKey``), sorted by start. ``touched(seq)`` lists ids of items of the calendar
    written or deleted after change sequence ``seq``: those now outside the window are
    reported ``@removed`` too, as Graph does ("events outside the date range that have been
    added, deleted, or updated"), so clients must filter ``@removed`` by their range."""
    skip, delta = _token(req)
    if skip:
        page_rec = _lookup(state, skip, resource)
        round_rec = state.graph["deltaTokens"].get(page_rec.get("round", ""))
        if round_rec is None:
            raise sync_state_not_found()
        offset = page_rec["offset"]
    else:
        if delta:
            prev = _lookup(state, delta, resource)
            start, end = (datetime.fromisoformat(t) for t in prev["window"])
            before: dict[str, str] = prev["snapshot"]
        else:
            check_options(req, options)
            start, end = window()
            before = {}
        now = instances(start, end)
        snapshot = {i["id"]: i.get("changeKey") or i.get("@odata.etag") or "" for i in now}
        changed = [i["id"] for i in now if before.get(i["id"]) != snapshot[i["id"]]]
        gone = [item_id for item_id in before if item_id not in snapshot]
        if delta and touched is not None:
            seen = set(gone) | set(snapshot)
            gone += [i for i in touched(prev.get("seq", 0)) if i not in seen]
        round_key = "round:" + ids.opaque_token(18)
        round_rec = {
            "resource": resource,
            "window": [start.isoformat(), end.isoformat()],
            "changes": [[i, False] for i in changed] + [[i, True] for i in gone],
            "snapshot": snapshot,
            "seq": state.seq,
        }
        state.graph["deltaTokens"][round_key] = round_rec
        round_rec["key"] = round_key
        offset = 0
    _track_changes(req)
    size = page_size(state, req, delta=True)
    start, end = (datetime.fromisoformat(t) for t in round_rec["window"])
    entries = round_rec["changes"][offset : offset + size]
    current = {i["id"]: i for i in instances(start, end)} if entries else {}
    value = []
    for item_id, is_gone in entries:
        item = None if is_gone else current.get(item_id)
        value.append(
            {"@odata.type": odata_type, **render(item)} if item is not None else removed(odata_type, item_id)
        )
    body: dict[str, Any] = {"@odata.context": _context(req, odata_type), "value": value}
    if offset + size < len(round_rec["changes"]):
        token = _store(state, {"resource": resource, "round": round_rec["key"], "offset": offset + size})
        body["@odata.nextLink"] = req.url([("$skiptoken", token)])
    else:
        token = _store(
            state,
            {
                "resource": resource,
                "window": round_rec["window"],
                "snapshot": round_rec["snapshot"],
                "seq": round_rec["seq"],
            },
        )
        body["@odata.deltaLink"] = req.url([("$deltatoken", token)])
    return Reply(200, body)
