"""What the signed-in accounts offer to sync: Outlook folders, calendars, To Do lists, and
Salesforce campaigns. The first-run wizard and the settings dialog fill their pickers from here.

    folders = await outlook_folders(ctx)   # {"contacts": [...], "events": [...], "tasks": [...]}
    found = await campaigns(ctx)           # [{"id", "name"}]

``ctx`` is an :class:`app.context.AppContext` (or anything with ``.accounts`` (an
``AccountsContext``) and ``.endpoints``). The clients are built the way
:meth:`app.sync_service.SyncSession.open` builds them (a :class:`BearerAuth` that refreshes
silently, the profile's TLS context) and closed before returning. Errors are the typed ones of
the sign-in (``NotConnected``, ``SignInExpired``: ``action`` = connect / reconnect) and of the
clients (``sync.errors.SourceError``), all with a message for people. No Qt here.

Each entry is ``{"id": str | None, "name": str, "default": bool}``; ``id`` None is "the
default one" (the setting ``<kind>.outlook_folder`` left empty), so the default always comes
first and picking it stores nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.auth.token_provider import BearerAuth
from app.errors import not_connected

if TYPE_CHECKING:
    from app.context import AppContext
    from sync.graph.client import GraphClient

CAMPAIGN_SOQL = "SELECT Id, Name, IsActive FROM Campaign ORDER BY Name LIMIT 2000"


def _graph_client(ctx: AppContext) -> tuple[GraphClient, BearerAuth]:
    from app.auth.outlook import OutlookTokenSource
    from sync.graph.client import GraphClient

    accounts = ctx.accounts
    if not accounts.accounts.get("outlook"):
        raise not_connected("outlook")
    auth = BearerAuth(OutlookTokenSource(accounts.outlook()))
    root = ctx.endpoints.graph_url.rstrip("/").removesuffix("/v1.0")
    return GraphClient(root, verify=ctx.endpoints.ssl_context(), auth=auth), auth


async def outlook_folders(ctx: AppContext) -> dict[str, list[dict[str, Any]]]:
    """The contact folders, calendars and To Do lists of the signed-in mailbox.

    The default of each comes first with ``id`` None (contacts: the standard "Contacts"
    folder; events: the default calendar; tasks: the default To Do list), then the others by
    name (contact sub-folders as "Parent / Child").
    """
    client, auth = _graph_client(ctx)
    try:
        await auth.prepare()
        folders = await client.contact_folders()
        calendars = await client.calendars()
        lists = await client.todo_lists()
    finally:
        await client.aclose()

    names = {f["id"]: f["name"] for f in folders if f["id"]}
    contacts: list[dict[str, Any]] = [{"id": None, "name": "Contacts", "default": True}]
    others: list[dict[str, Any]] = []
    for f in folders:
        if not f["id"]:
            continue
        parent = names.get(f.get("parent_id"))
        others.append(
            {"id": f["id"], "name": f"{parent} / {f['name']}" if parent else f["name"], "default": False}
        )
    contacts += sorted(others, key=lambda f: f["name"].casefold())

    def with_default(items: list[dict[str, Any]], fallback: str) -> list[dict[str, Any]]:
        default = next((i for i in items if i.get("is_default")), None)
        out = [{"id": None, "name": default["name"] if default else fallback, "default": True}]
        rest = [{"id": i["id"], "name": i["name"], "default": False} for i in items if i is not default]
        return out + sorted(rest, key=lambda i: i["name"].casefold())

    return {
        "contacts": contacts,
        "events": with_default([c for c in calendars if c.get("can_edit", True)], "Calendar"),
        "tasks": with_default(lists, "Tasks"),
    }


async def campaigns(ctx: AppContext) -> list[dict[str, Any]]:
    """The Salesforce campaigns the user can see, by name: ``[{"id", "name", "active"}]``."""
    from app.auth.salesforce import SalesforceTokenSource
    from sync.salesforce.client import SalesforceClient

    accounts = ctx.accounts
    facts = accounts.accounts.get("salesforce")
    if not facts:
        raise not_connected("salesforce")
    login = accounts.salesforce()
    auth = BearerAuth(SalesforceTokenSource(login))
    await auth.prepare()
    instance_url = await login.instance_url()
    client = SalesforceClient(instance_url, auth, verify=ctx.endpoints.ssl_context())
    try:
        rows = await client.query(CAMPAIGN_SOQL)
    finally:
        await client.aclose()
    return [
        {"id": r["Id"], "name": r.get("Name") or r["Id"], "active": r.get("IsActive", True)}
        for r in rows
        if r.get("Id")
    ]


__all__ = ["campaigns", "outlook_folders"]
