"""``GraphTasks``: the Microsoft To Do side of the sync (one list, ``tasks/delta``).

See ``sync.graph.source`` for what every Outlook source shares.
"""

from __future__ import annotations

from sync.errors import SourceError
from sync.fields import Kind
from sync.graph.client import GraphClient
from sync.graph.source import TEXT_PREF, GraphSource, _q
from sync.records import ChangeSet, Record, SourceItem


class GraphTasks(GraphSource):
    """Tasks of one Microsoft To Do list (``list_id=None``: the default list)."""

    kind: Kind = "tasks"
    what = "your To Do tasks"
    preferences = (TEXT_PREF,)

    def __init__(self, client: GraphClient, list_id: str | None = None, *, time_zone: str = "UTC") -> None:
        super().__init__(client, time_zone=time_zone)
        self.list_id = list_id
        self.range_key = f"list={list_id or ''}"  # set before the default list is looked up

    async def _list_id(self) -> str:
        if self.list_id is None:
            lists = await self.client.todo_lists()
            default = next((t for t in lists if t["is_default"]), None)
            if default is None:
                raise SourceError(message="Your Microsoft To Do has no default task list.")
            self.list_id = default["id"]
        return self.list_id

    async def collection_url(self) -> str:
        return f"/me/todo/lists/{_q(await self._list_id())}/tasks"

    async def item_url(self, item_id: str) -> str:
        return f"{await self.collection_url()}/{_q(item_id)}"

    async def list_changes(self, cursor: str | None) -> ChangeSet:
        base = (await self.collection_url()).lstrip("/")
        return await self._delta(base + "/delta", None, cursor)

    async def find_matches(self, record: Record) -> list[SourceItem]:
        items = await self._list((await self.collection_url()).lstrip("/"), {"$top": "1000"})
        return self._matching(self.kind, record, items)
