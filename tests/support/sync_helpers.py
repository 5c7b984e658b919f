"""Small builders shared by the sync engine's unit tests."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from sync.engine import SyncEngine
from sync.links import Link
from sync.memory_source import MemorySource
from sync.normalise import clean_record
from sync.records import SideChanges, SourceItem
from sync.settings import KindSettings
from sync.store import Store

UTC = dt.UTC
T0 = dt.datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def contact(**fields) -> dict:
    base = {"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com", "Title": "Countess"}
    return clean_record("contacts", {**base, **fields})


def item(
    item_id: str,
    record: dict,
    *,
    version: str = "v1",
    in_range: bool = True,
    modified_at: dt.datetime | None = None,
) -> SourceItem:
    return SourceItem(item_id, version, dict(record), modified_at or T0, in_range)


def linked(
    snapshot: dict,
    *,
    state: str = "linked",
    outlook_id: str | None = "O1",
    salesforce_id: str | None = "S1",
    link_id: int = 1,
    kind: str = "contacts",
) -> Link:
    return Link(
        kind=kind,
        id=link_id,
        outlook_id=outlook_id,
        salesforce_id=salesforce_id,
        outlook_version="v0",
        salesforce_version="v0",
        snapshot=dict(snapshot),
        state=state,
    )


def changes(*items: SourceItem, deleted: tuple[str, ...] = (), full: bool = False) -> SideChanges:
    return SideChanges(items={i.id: i for i in items}, deleted=set(deleted), full=full)


class World:
    """Two memory sources of one kind, a store in ``tmp_path`` and an engine over them."""

    def __init__(
        self,
        tmp_path: Path,
        kind: str = "contacts",
        settings: KindSettings | None = None,
        batch_size: int = 20,
    ) -> None:
        self.kind = kind
        self.path = tmp_path / "tandem.db"
        self.settings = settings or KindSettings()
        ticks = iter(range(10**9))
        clock = lambda: T0 + dt.timedelta(seconds=next(ticks))  # noqa: E731
        self.outlook = MemorySource(
            "outlook", kind, settings=self.settings, clock=clock, batch_size=batch_size
        )
        self.salesforce = MemorySource(
            "salesforce", kind, settings=self.settings, clock=clock, batch_size=batch_size
        )
        self.store = Store(self.path)
        self.engine = self._engine()

    def _engine(self) -> SyncEngine:
        return SyncEngine(
            self.store,
            {self.kind: {"outlook": self.outlook, "salesforce": self.salesforce}},
            lambda kind: self.settings,
        )

    def set_settings(self, settings: KindSettings) -> None:
        self.settings = settings
        self.outlook.settings = self.salesforce.settings = settings

    def save_settings(self, settings: KindSettings) -> None:
        """The person saves new settings: what the engine reads from now on. The memory
        sources keep guarding against the settings they were given (the services know
        nothing of settings)."""
        self.settings = settings

    def restart(self) -> None:
        """A new process on the same profile file."""
        self.store.close()
        self.store = Store(self.path)
        self.engine = self._engine()

    def sync(self, **kw):
        return asyncio.run(self.engine.sync(**kw))

    def preview(self):
        return asyncio.run(self.engine.preview())

    def apply(self, plan, decisions=None, **kw):
        return asyncio.run(self.engine.apply(plan, decisions, **kw))

    def side(self, name: str) -> MemorySource:
        return self.outlook if name == "outlook" else self.salesforce

    def close(self) -> None:
        self.store.close()
