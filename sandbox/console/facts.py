"""What the console pages need to know about the world: the user's zone, users, folders, lists."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sandbox.console.kinds import COLLECTION, SOBJECT
from sandbox.console.moments import zone_named
from sandbox.state import SandboxState


class ConsoleFacts:
    """Reads facts from one ``SandboxState``; the console's other parts build on it."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    @property
    def zone(self) -> ZoneInfo:
        me = self.state.sf_user(self.state.sf.get("me", "")) or {}
        return zone_named(me.get("TimeZoneSidKey") or "Europe/Berlin")

    def local(self, moment: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
        return moment.astimezone(self.zone).strftime(fmt) if moment else ""

    def mailbox_name(self) -> str:
        return self.state.graph.get("user", {}).get("displayName") or "the user"

    def users(self) -> list[dict]:
        return sorted(
            self.state.sf["records"]["User"].values(),
            key=lambda u: (u["Id"] != self.state.sf["me"], u.get("Name") or ""),
        )

    def user_name(self, user_id: str | None) -> str:
        user = self.state.sf_user(user_id) if user_id else None
        if not user:
            return user_id or ""
        return str(user.get("Name") or user.get("Username") or user_id)

    def colleague_id(self) -> str:
        for user in self.state.sf["records"]["User"].values():
            if user.get("Alias") == "sokafor":
                return user["Id"]
        return self.state.sf["me"]

    def user_options(self, *, detailed: bool = False) -> tuple[tuple[str, str], ...]:
        """Salesforce users for a select; ``detailed`` adds who each one is."""
        me = self.state.sf["me"]

        def label(u: dict) -> str:
            if not detailed:
                return u.get("Name") or u["Id"]
            role = "the signed-in user" if u["Id"] == me else (u.get("ProfileName") or "user")
            return f"{u.get('Name')} ({role})"

        return tuple((u["Id"], label(u)) for u in self.users())

    def account_options(self) -> tuple[tuple[str, str], ...]:
        accounts = sorted(self.state.sf["records"]["Account"].values(), key=lambda a: a["Name"])
        return (("", "— none (a private contact) —"),) + tuple((a["Id"], a["Name"]) for a in accounts)

    def folders(self) -> list[dict]:
        return sorted(
            self.state.graph["contactFolders"].values(),
            key=lambda f: (not f.get("_root"), f.get("displayName") or ""),
        )

    def todo_lists(self) -> list[dict]:
        return sorted(
            self.state.graph["todoLists"].values(),
            key=lambda t: (t.get("wellknownListName") != "defaultList", t.get("displayName") or ""),
        )

    def container_name(self, kind: str, container: str | None) -> str:
        table = {
            "contacts": self.state.graph["contactFolders"],
            "events": self.state.graph["calendars"],
            "tasks": self.state.graph["todoLists"],
        }[kind]
        item = table.get(container or "")
        return (item.get("displayName") or item.get("name") or "") if item else ""

    def day_format(self, moment: datetime | date) -> str:
        """``Mon 26 Oct``, with the year only when it is not this year."""
        this_year = self.state.now().astimezone(self.zone).year
        return "%a %d %b" if moment.year == this_year else "%a %d %b %Y"

    def find(self, side: str, kind: str, item_id: str) -> dict | None:
        if side == "outlook":
            return self.state.graph[COLLECTION[kind]].get(item_id)
        return self.state.sf_get(SOBJECT[kind], item_id)
