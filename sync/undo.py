"""Undo of the last applied run, as a new plan built from the journal.

Undo puts both sides and Tandem's links back as they were before the run, as far as that
run changed them: a record it created is deleted, a record it updated gets the values it
had before (only the fields the run wrote), a record it deleted is created again from its
before-image, and every link the run touched gets its earlier state back (a pair it found
is unpaired, a tombstone is lifted). Records changed by someone since the run are still
reverted to their pre-run values for the fields the run wrote; the preview shows it.

The undo plan is previewed and applied like any plan (prevent switches still hold: a
prevented undo step is listed as prevented and not sent). After it, the records involved
are read again on the next sync, which then sees the same situation as the undone run did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import NothingToUndo
from .fields import SIDES, Kind, Side
from .pace import Pacer
from .plan import Action, KindPlan, LinkEffect, Plan
from .records import SourceItem, decode_record
from .settings import KindSettings
from .source import Source
from .store import Store


def _restore_effect(kind: Kind, image: dict[str, Any] | None, link_id: int | None) -> LinkEffect:
    if image is None:
        return LinkEffect(link_id, drop=True)
    return LinkEffect(
        image.get("id"),
        state=image["state"],
        snapshot=decode_record(kind, image["snapshot"]),
        other={
            "outlook": (image["outlook_id"], image.get("outlook_version")),
            "salesforce": (image["salesforce_id"], image.get("salesforce_version")),
        },
    )


async def build_undo_plan(
    store: Store, sources: Mapping[str, Mapping[str, Source]], settings: Callable[[Kind], KindSettings]
) -> Plan:
    run = store.last_applied_run()
    if run is None or run["mode"] == "undo" or run["undone_by"] is not None:
        raise NothingToUndo(
            message="The last sync has already been undone, or no sync has changed anything yet."
        )
    rows = [r for r in await store.journal_paced(run_id=run["id"]) if r["status"] == "applied"]
    plan = Plan(kinds={}, undo_of=run["id"])
    for kind in dict.fromkeys(r["kind"] for r in rows):
        plan.kinds[kind] = await _undo_kind(
            kind, [r for r in rows if r["kind"] == kind], store, sources[kind], settings(kind)
        )
    return plan


async def _undo_kind(
    kind: Kind,
    rows: list[dict[str, Any]],
    store: Store,
    sources: Mapping[str, Source],
    settings: KindSettings,
) -> KindPlan:
    kplan = KindPlan(kind, settings=settings)
    n = 0
    # The state of each link before the run: the before-image of the first row touching it.
    first_image: dict[int, dict[str, Any] | None] = {}
    link_ids: dict[int, tuple[str | None, str | None]] = {}
    for r in rows:
        link_id = r["link_id"] or (r["link_before"] or {}).get("id") or (r["link_after"] or {}).get("id")
        if link_id is not None and link_id not in first_image:
            first_image[link_id] = r["link_before"]
            link_ids[link_id] = (r["outlook_id"], r["salesforce_id"])
    writes = [r for r in rows if r["op"] in ("create", "update", "delete")]
    current: dict[str, dict[str, SourceItem]] = {}
    for read_side in SIDES:
        ids = [
            r["target_id"]
            for r in writes
            if r["side"] == read_side and r["op"] != "delete" and r["target_id"]
        ]
        current[read_side] = await sources[read_side].get_many(ids) if ids else {}
    handled_links: set[int] = set()  # links set back by a write, or kept because the write is prevented
    pace = Pacer()
    for r in reversed(writes):
        await pace()
        n += 1
        side: Side = r["side"]
        link_id = r["link_id"] or (r["link_after"] or {}).get("id")
        aid = f"undo-{kind}-{n}"
        outlook_id: str | None = r["outlook_id"]
        salesforce_id: str | None = r["salesforce_id"]
        if r["op"] == "create":
            item = current[side].get(r["target_id"])
            if side == "outlook":
                outlook_id = r["target_id"]
            else:
                salesforce_id = r["target_id"]
            if item is None:
                continue
            action = Action(
                aid,
                kind,
                "delete",
                side,
                label=r["label"] or "",
                record=item.record,
                before=item.record,
                version=item.version,
                reason="Created by the run being undone.",
                changes={k: (v, None) for k, v in item.record.items() if v not in (None, False)},
                outlook_id=outlook_id,
                salesforce_id=salesforce_id,
            )
        elif r["op"] == "update":
            item = current[side].get(r["target_id"])
            if item is None:
                continue
            before = decode_record(kind, r["before"] or {})
            sent = decode_record(kind, (r["payload"] or {}).get("fields") or {})
            fields = {k: before.get(k) for k in sent}
            action = Action(
                aid,
                kind,
                "update",
                side,
                label=r["label"] or "",
                fields=fields,
                before=item.record,
                version=item.version,
                reason="Changed by the run being undone.",
                changes={k: (item.record.get(k), v) for k, v in fields.items()},
                outlook_id=outlook_id,
                salesforce_id=salesforce_id,
            )
        else:
            record = decode_record(kind, r["before"] or {})  # all of it: the service keeps what it can
            image = first_image.get(link_id) if link_id is not None else None
            action = Action(
                aid,
                kind,
                "create",
                side,
                label=r["label"] or "",
                record=record,
                reason="Deleted by the run being undone.",
                changes={k: (None, v) for k, v in record.items() if v not in (None, False)},
                link=_restore_effect(kind, image, link_id) if image else None,
                outlook_id=outlook_id,
                salesforce_id=salesforce_id,
            )
            if link_id is not None and image is not None:
                handled_links.add(link_id)
        if settings.prevents(side, action.op):  # type: ignore[arg-type]  # op is create, update or delete here
            action.op = "prevented"
            action.link = None
            if link_id is not None:
                handled_links.add(link_id)  # the record stays as it is, so does its link
            action.reason = (
                f"Undoing this would {r['op'] == 'create' and 'delete' or 'change'} it in "
                f"{side.title()}, which your direction settings switch off."
            )
        kplan.actions.append(action)
        kplan.revisit.append((r["outlook_id"], r["salesforce_id"]))
        if r["op"] == "create":
            kplan.revisit.append((None, r["target_id"]) if side == "salesforce" else (r["target_id"], None))
    for link_id, image in first_image.items():
        if link_id in handled_links:
            continue
        n += 1
        effect = _restore_effect(kind, image, link_id)
        kplan.internal.append(
            Action(f"undo-{kind}-{n}", kind, "refresh", "both", None, None, "", link=effect)
        )
        kplan.revisit.append(link_ids[link_id])
        if image is not None:
            kplan.revisit.append((image["outlook_id"], image["salesforce_id"]))
    return kplan
