"""The emulator's world: one Microsoft 365 mailbox and one Salesforce org, plus sign-in state.

Everything a request can see or change lives in one ``SandboxState``. Route modules read and
write it through the small set of primitives here, which keep the bookkeeping every service
does for free in real life: ids, change keys and etags, SystemModstamp, a change sequence for
Graph delta queries, tombstones for deletions, and the Salesforce recycle bin.

Internal bookkeeping keys on stored items start with ``_`` and are never sent on the wire
(see ``public``).

The state is JSON-serialisable so ``--state FILE`` can keep it across restarts.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import random
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox import ids
from sandbox.clock import Clock, graph_instant, sf_datetime
from sandbox.salesforce import schema as sf_schema
from sandbox.salesforce.derived import derive
from sandbox.tokens import TokenStore

STATE_VERSION = 1

GRAPH_COLLECTIONS = ("contactFolders", "contacts", "calendars", "events", "todoLists", "todoTasks")
SF_OBJECTS = (
    "User",
    "Account",
    "Contact",
    "Event",
    "Task",
    "Campaign",
    "CampaignMember",
    "AccountTeamMember",
    "TaskStatus",
)


DEFAULT_CONFIG: dict[str, Any] = {
    "access_token_lifetime_s": 3600,
    "auto_approve": False,
    "query_batch_size": 2000,
    "graph_page_default": 10,
    "graph_page_max": 1000,
    "graph_delta_page_max": 200,
    "graph_concurrency": 4,
    # Whether /me/calendars/{id}/calendarView/delta is served (the delta-query guide shows it;
    # the v1.0 reference documents only /me/calendarView/delta): false refuses it with 400.
    "graph_calendar_delta_per_calendar": True,
    "device_interval_s": 5,
    # The Entra app registration's redirect URIs (sandbox.entra.authorize.redirect_uri_registered):
    # http://localhost matches any port, as Entra's localhost exception says.
    "entra_redirect_uris": [
        "http://localhost",
        "https://login.microsoftonline.com/common/oauth2/nativeclient",
    ],
    # A Conditional Access policy that blocks the device code flow (AADSTS53003 once signed in).
    "entra_block_device_code": False,
    # The Salesforce org's switches (sandbox.org_features): all on, nothing hidden.
    "sf_org_features": {"middle-name": True, "suffix": True, "multiday-events": True},
    "sf_hidden_fields": [],
    # The connected app's registered callback URLs: a redirect_uri must be one of them exactly.
    "sf_callback_urls": ["http://localhost:1717/OauthRedirect"],
    # getDeleted / getUpdated list at most this many ids (EXCEEDED_ID_LIMIT above it).
    "sf_replication_id_limit": 600_000,
}


def public(item: dict) -> dict:
    """A stored item without the emulator's internal ``_`` keys."""
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _empty_graph() -> dict:
    return {
        "tenant_id": "",
        "user": {},
        **{name: {} for name in GRAPH_COLLECTIONS},
        "tombstones": [],
        "deltaTokens": {},
    }


def _empty_sf() -> dict:
    return {
        "org_id": "",
        "me": "",  # the Id of the user the demo signs in as
        "records": {name: {} for name in SF_OBJECTS},
        "deleted": {name: {} for name in SF_OBJECTS},
        "counter": 0,
        "api_usage": 0,
        "api_limit": 15000,
        "api_usage_day": "",
    }


class SandboxState:
    """All data of the emulated services. Thread-safe through one re-entrant lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.config: dict[str, Any] = copy.deepcopy(DEFAULT_CONFIG)
        self.seq = 0
        self.graph: dict = _empty_graph()
        self.sf: dict = _empty_sf()
        self.tokens = TokenStore(self.clock)
        self.faults: dict[str, Any] = {
            "latency_ms": 0,
            "fault_rate": 0.0,
            "seed": 0,
            "kinds": ["429", "503", "drop"],
            "targets": [],
        }
        self.rng = random.Random(0)
        self.requests: Counter[tuple[str, str]] = Counter()
        # Graph's concurrent requests per mailbox (sandbox.graph.concurrency).
        self.graph_in_flight: dict[str, int] = {}
        self.graph_peak_demand: dict[str, int] = {}
        self.graph_refused: dict[str, int] = {}
        self.dirty = False

    # ----------------------------------------------------------------- general
    def sf_feature(self, name: str) -> bool:
        """Whether the org has the named feature on (``sandbox.org_features.FEATURES``)."""
        return bool(self.config.get("sf_org_features", {}).get(name, True))

    def sf_field_hidden(self, sobject: str, field: str) -> bool:
        """Whether field-level security hides ``sobject.field`` from the signed-in user."""
        wanted = f"{sobject}.{field}".lower()
        return any(h.lower() == wanted for h in self.config.get("sf_hidden_fields", []))

    def now(self) -> datetime:
        return self.clock.now()

    def next_seq(self) -> int:
        self.seq += 1
        self.dirty = True
        return self.seq

    def set_faults(
        self,
        latency_ms: int | None = None,
        fault_rate: float | None = None,
        seed: int | None = None,
        kinds: Iterable[str] | None = None,
        targets: list[dict] | None = None,
    ) -> None:
        with self.lock:
            if targets is not None:
                self.faults["targets"] = targets
            if latency_ms is not None:
                self.faults["latency_ms"] = int(latency_ms)
            if fault_rate is not None:
                self.faults["fault_rate"] = float(fault_rate)
            if kinds is not None:
                self.faults["kinds"] = list(kinds)
            if seed is not None:
                self.faults["seed"] = int(seed)
            self.rng = random.Random(self.faults["seed"])

    def take_fault(self, service: str, method: str, path: str, *, in_batch: bool = False) -> dict | None:
        """The first targeted fault (``POST /_sandbox/faults`` ``targets``: service, method and
        the end of the path) this request meets, spending one of its ``times``; ``in_batch``
        for a Graph ``$batch`` sub-request."""
        with self.lock:
            for target in self.faults.get("targets") or []:
                if (
                    target["times"] > 0
                    and target["service"] == service
                    and target["method"] == method.upper()
                    and target["in_batch"] == in_batch
                    and path.lower().endswith(target["path"].lower())
                ):
                    target["times"] -= 1
                    target["hit"] += 1
                    return dict(target)
        return None

    def reset(self) -> None:
        """Forget all data and sign-ins (config and faults stay)."""
        with self.lock:
            self.seq = 0
            self.graph = _empty_graph()
            self.sf = _empty_sf()
            self.tokens.clear()
            self.requests.clear()
            self.dirty = True

    # ------------------------------------------------------------------- Graph
    def graph_create(self, collection: str, item: dict, container: str | None = None) -> dict:
        """Store a new Outlook item, stamping id, timestamps, change key and etag."""
        with self.lock:
            now = graph_instant(self.now())
            stored = copy.deepcopy(item)
            stored.setdefault("id", ids.graph_id())
            stored["createdDateTime"] = now
            stored["lastModifiedDateTime"] = now
            self._stamp_version(collection, stored)
            stored["_container"] = container
            stored["_seq"] = self.next_seq()
            self.graph[collection][stored["id"]] = stored
            return stored

    def graph_update(self, collection: str, item_id: str, changes: dict) -> dict:
        """Apply a PATCH-like change (top-level keys replaced whole) and bump the version."""
        with self.lock:
            stored = self.graph[collection][item_id]
            for key, value in changes.items():
                if key in ("id", "createdDateTime", "changeKey", "@odata.etag") or key.startswith("_"):
                    continue
                stored[key] = copy.deepcopy(value)
            stored["lastModifiedDateTime"] = graph_instant(self.now())
            self._stamp_version(collection, stored)
            stored["_seq"] = self.next_seq()
            return stored

    def graph_delete(self, collection: str, item_id: str) -> dict | None:
        """Remove an Outlook item and leave a tombstone for delta queries."""
        with self.lock:
            stored = self.graph[collection].pop(item_id, None)
            if stored is None:
                return None
            self.graph["tombstones"].append(
                {
                    "collection": collection,
                    "id": item_id,
                    "_container": stored.get("_container"),
                    "_seq": self.next_seq(),
                    "_item": stored,
                }
            )
            return stored

    def graph_items(self, collection: str, container: str | None = None) -> list[dict]:
        with self.lock:
            items = self.graph[collection].values()
            if container is not None:
                items = [i for i in items if i.get("_container") == container]
            return list(items)

    @staticmethod
    def _stamp_version(collection: str, stored: dict) -> None:
        key = ids.change_key()
        if collection != "todoTasks":  # To Do tasks have an etag but no changeKey
            stored["changeKey"] = key
        stored["@odata.etag"] = f'W/"{key}"'

    # -------------------------------------------------------------- Salesforce
    def sf_new_id(self, sobject: str) -> str:
        self.sf["counter"] += 1
        return ids.sf_id(ids.SF_PREFIXES[sobject], self.sf["counter"])

    def sf_create(self, sobject: str, fields: dict, user_id: str | None = None) -> dict:
        """Insert a Salesforce row with system fields set; derived fields filled in."""
        with self.lock:
            now = sf_datetime(self.now())
            user_id = user_id or self.sf["me"]
            rec: dict[str, Any] = {f: None for f in sf_schema.field_names(sobject)}
            rec.update(copy.deepcopy(fields))
            rec["Id"] = fields.get("Id") or self.sf_new_id(sobject)
            rec.update(
                CreatedDate=now,
                LastModifiedDate=now,
                SystemModstamp=now,
                CreatedById=user_id,
                LastModifiedById=user_id,
                IsDeleted=False,
            )
            if "OwnerId" in rec and not rec.get("OwnerId"):
                rec["OwnerId"] = user_id
            derive(sobject, rec, self)
            self.sf["records"][sobject][rec["Id"]] = rec
            self.dirty = True
            return rec

    def sf_update(self, sobject: str, record_id: str, fields: dict, user_id: str | None = None) -> dict:
        with self.lock:
            rec = self.sf["records"][sobject][record_id]
            rec.update(copy.deepcopy({k: v for k, v in fields.items() if k != "Id"}))
            now = sf_datetime(self.now())
            rec.update(LastModifiedDate=now, SystemModstamp=now, LastModifiedById=user_id or self.sf["me"])
            derive(sobject, rec, self)
            self.dirty = True
            return rec

    def sf_delete(self, sobject: str, record_id: str) -> dict | None:
        """Move a row to the recycle bin (queryAll and getDeleted still see it)."""
        with self.lock:
            rec = self.sf["records"][sobject].pop(record_id, None)
            if rec is None:
                return None
            now = sf_datetime(self.now())
            rec.update(IsDeleted=True, SystemModstamp=now)
            rec["_deletedDate"] = now
            self.sf["deleted"][sobject][record_id] = rec
            self.dirty = True
            return rec

    def sf_get(self, sobject: str, record_id: str) -> dict | None:
        return self.sf["records"].get(sobject, {}).get(record_id)

    def sf_user(self, user_id: str) -> dict | None:
        return self.sf["records"]["User"].get(user_id)

    # ------------------------------------------------------------ persistence
    def to_json(self) -> dict:
        with self.lock:
            return {
                "version": STATE_VERSION,
                "seq": self.seq,
                "clock_offset_s": self.clock.offset.total_seconds(),
                "config": self.config,
                "graph": self.graph,
                "sf": self.sf,
                "tokens": self.tokens.to_json(),
            }

    def load_json(self, data: dict) -> None:
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported sandbox state version {data.get('version')!r}")
        with self.lock:
            self.seq = int(data["seq"])
            self.clock.offset = timedelta(seconds=float(data.get("clock_offset_s", 0)))
            self.config.update(data.get("config", {}))
            self.graph = data["graph"]
            self.sf = data["sf"]
            self.tokens.load_json(data.get("tokens", {}))
            self.dirty = False

    def save(self, path: Path) -> None:
        """Write the state atomically (temp file + rename), so a crash never leaves half a file."""
        with self.lock:
            text = json.dumps(self.to_json(), separators=(",", ":"))
            self.dirty = False
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path: Path) -> SandboxState:
        state = cls()
        state.load_json(json.loads(Path(path).read_text(encoding="utf-8")))
        return state
