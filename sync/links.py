"""A link: what Tandem remembers about one pair of records (or one half of a pair).

``snapshot`` holds the mapped values as of the last sync, the base of the three-way merge:
for fields synced both ways it is the value both sides agreed on; for one-way fields it is
the value of the side that owns the field. ``outlook_hash`` / ``salesforce_hash`` are the
content hashes of the snapshot restricted to the fields each side sends; a side counts as
changed exactly when the hash of its current record over those fields differs, so a version
bump without a content change costs nothing.

States:
- ``linked``: both records exist and are kept in step.
- ``outlook_out_of_range`` / ``salesforce_out_of_range``: that side left the range (owner,
  campaign, window, private); the pair is *unlinked* for syncing - nothing is copied or
  deleted - but remembered, so the record left behind is not created again as a duplicate.
  If the record comes back into range the pair is linked again.
- ``outlook_deleted`` / ``salesforce_deleted``: the person deleted the record on that side
  and deleting it on the other side was prevented. The other record is kept and not brought
  back (no resurrection) unless "restore items deleted on the other side" is on.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from .fields import Kind, Side, fields_from
from .normalise import content_hash
from .records import Record, decode_record, encode_record

LinkState = Literal[
    "linked", "outlook_out_of_range", "salesforce_out_of_range", "outlook_deleted", "salesforce_deleted"
]


def out_of_range_state(side: Side) -> LinkState:
    """The state of a pair whose record on ``side`` left the range."""
    return "outlook_out_of_range" if side == "outlook" else "salesforce_out_of_range"


def deleted_state(side: Side) -> LinkState:
    """The state of a pair whose record on ``side`` was deleted (the delete was not copied)."""
    return "outlook_deleted" if side == "outlook" else "salesforce_deleted"


class Link:
    """One row of the links table. The snapshot JSON is decoded on first use only."""

    __slots__ = (
        "id",
        "kind",
        "outlook_id",
        "salesforce_id",
        "outlook_version",
        "salesforce_version",
        "state",
        "outlook_hash",
        "salesforce_hash",
        "_snapshot",
        "_snapshot_json",
    )

    def __init__(
        self,
        *,
        kind: Kind,
        outlook_id: str | None,
        salesforce_id: str | None,
        outlook_version: str | None = None,
        salesforce_version: str | None = None,
        snapshot: Record | None = None,
        snapshot_json: str | None = None,
        state: LinkState = "linked",
        outlook_hash: str | None = None,
        salesforce_hash: str | None = None,
        id: int | None = None,
    ) -> None:
        self.id = id
        self.kind = kind
        self.outlook_id = outlook_id
        self.salesforce_id = salesforce_id
        self.outlook_version = outlook_version
        self.salesforce_version = salesforce_version
        self.state = state
        self._snapshot = snapshot
        self._snapshot_json = snapshot_json
        if snapshot is not None and (outlook_hash is None or salesforce_hash is None):
            outlook_hash, salesforce_hash = side_hashes(kind, snapshot)
        self.outlook_hash = outlook_hash or ""
        self.salesforce_hash = salesforce_hash or ""

    @property
    def snapshot(self) -> Record:
        if self._snapshot is None:
            self._snapshot = decode_record(self.kind, json.loads(self._snapshot_json or "{}"))
        return self._snapshot

    def set_snapshot(self, snapshot: Record, region: str | None = None) -> None:
        self._snapshot = dict(snapshot)
        self._snapshot_json = None
        self.outlook_hash, self.salesforce_hash = side_hashes(self.kind, self._snapshot, region)

    def snapshot_json(self) -> str:
        if self._snapshot is None:
            return self._snapshot_json or "{}"
        return json.dumps(encode_record(self._snapshot), sort_keys=True, ensure_ascii=False)

    def id_on(self, side: Side) -> str | None:
        return self.outlook_id if side == "outlook" else self.salesforce_id

    def version_on(self, side: Side) -> str | None:
        return self.outlook_version if side == "outlook" else self.salesforce_version

    def hash_on(self, side: Side) -> str:
        return self.outlook_hash if side == "outlook" else self.salesforce_hash

    def set_side(self, side: Side, id: str | None, version: str | None) -> None:
        if side == "outlook":
            self.outlook_id, self.outlook_version = id, version
        else:
            self.salesforce_id, self.salesforce_version = id, version

    def image(self) -> dict[str, Any]:
        """A JSON-able picture of the row (journal before-images, undo)."""
        return {
            "id": self.id,
            "outlook_id": self.outlook_id,
            "salesforce_id": self.salesforce_id,
            "outlook_version": self.outlook_version,
            "salesforce_version": self.salesforce_version,
            "state": self.state,
            "snapshot": json.loads(self.snapshot_json()),
        }

    def __repr__(self) -> str:
        return (
            f"Link(id={self.id}, {self.kind}, outlook={self.outlook_id}, "
            f"salesforce={self.salesforce_id}, {self.state})"
        )


def side_hashes(kind: Kind, record: Record, region: str | None = None) -> tuple[str, str]:
    return (
        content_hash(kind, record, fields_from(kind, "outlook"), region),
        content_hash(kind, record, fields_from(kind, "salesforce"), region),
    )


def side_hash(kind: Kind, side: Side, record: Record, region: str | None = None) -> str:
    return content_hash(kind, record, fields_from(kind, side), region)
