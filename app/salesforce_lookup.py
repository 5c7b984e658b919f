"""Salesforce look-ups for the dashboard: private contacts, account search, relate to account.

Contacts made in Outlook land in Salesforce as *private contacts* (no AccountId, owned by the
user; BEHAVIOUR.md). The dashboard lists them and lets the person relate each one to an
account found by name. No Qt here: async functions over one
:class:`sync.salesforce.client.SalesforceClient`, built the way ``app.sync_service`` builds
it (``BearerAuth`` over the Salesforce token source, the endpoints' SSL context)::

    contacts = await private_contacts(ctx)            # [PrivateContact]
    hits = await search_accounts(ctx, "Nordlicht")    # [AccountHit], name LIKE '%Nordlicht%'
    await relate_contact(ctx, contacts[0].id, hits[0].id)

``ctx`` is an ``app.context.AppContext`` (``.accounts``, ``.endpoints``, ``.store``,
``.service``). Search text goes into SOQL only through :func:`soql_like`, which escapes
quotes, backslashes and the LIKE wildcards, so no text can change the query.

Which private contacts are listed: every contact the signed-in user owns without an account
(``OwnerId = me AND AccountId = null``), not only the ones Tandem created, because a private
contact made by hand in Salesforce needs the same fix; ``created_by_tandem`` says which ones
Tandem created (from the change journal), and the dashboard shows that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.auth.token_provider import BearerAuth
from app.errors import AppError, not_connected

if TYPE_CHECKING:
    from app.context import AppContext

MIN_SEARCH = 2
MAX_SEARCH = 80
SEARCH_LIMIT = 50
PRIVATE_LIMIT = 500
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


class LookupInputError(AppError):
    """The person typed something Tandem cannot search for or use (said in plain words)."""

    title = "Check what you typed"
    action = None


@dataclass(frozen=True)
class PrivateContact:
    id: str
    name: str
    email: str | None
    title: str | None
    created: str | None  # Salesforce CreatedDate
    created_by_tandem: bool


@dataclass(frozen=True)
class AccountHit:
    id: str
    name: str
    city: str | None
    country: str | None
    industry: str | None


def soql_like(text: str) -> str:
    """A quoted SOQL LIKE pattern matching ``text`` anywhere: ``'%<escaped text>%'``.

    Backslash, quote, ``%`` and ``_`` are escaped (``\\%`` and ``\\_`` are literal in LIKE),
    and control characters are written as SOQL escapes.
    """
    escaped = (
        text.replace("\\", "\\\\")
        .replace("'", "\\'")
        .replace('"', '\\"')
        .replace("%", "\\%")
        .replace("_", "\\_")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f"'%{escaped}%'"


def _quote(value: str) -> str:
    from sync.salesforce.client import soql_quote

    return soql_quote(value)


class _Client:
    """``async with _Client(ctx) as (client, me):`` a signed-in SalesforceClient."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.client: Any = None

    async def __aenter__(self) -> tuple[Any, str]:
        from app.auth.salesforce import SalesforceTokenSource
        from sync.salesforce.client import SalesforceClient

        facts = self.ctx.accounts.accounts.get("salesforce")
        if not facts or not facts.get("user_id"):
            raise not_connected("salesforce")
        login = self.ctx.accounts.salesforce()
        auth = BearerAuth(SalesforceTokenSource(login))
        instance_url = await login.instance_url()
        options = dict(getattr(self.ctx.service, "client_options", {}) or {})
        self.client = SalesforceClient(instance_url, auth, verify=self.ctx.endpoints.ssl_context(), **options)
        return self.client, facts["user_id"]

    async def __aexit__(self, *exc: object) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None


def _tandem_created_ids(ctx: AppContext) -> set[str]:
    """Salesforce contact ids Tandem created (applied creates in the change journal)."""
    try:
        rows = ctx.store.journal(kind="contacts", status="applied")
    except Exception:  # the journal is a nicety here; never fail the list over it
        return set()
    return {
        str(sf_id)
        for r in rows
        if r["op"] == "create"
        and r["side"] == "salesforce"
        and (sf_id := r["target_id"] or r.get("salesforce_id"))
    }


def _name(row: dict[str, Any]) -> str:
    name = row.get("Name") or " ".join(p for p in (row.get("FirstName"), row.get("LastName")) if p)
    return name or row.get("Email") or row["Id"]


async def private_contacts(ctx: AppContext) -> list[PrivateContact]:
    """Contacts the signed-in user owns that have no account, by name."""
    async with _Client(ctx) as (client, me):
        rows = await client.query(
            "SELECT Id, Name, FirstName, LastName, Email, Title, CreatedDate FROM Contact "
            f"WHERE OwnerId = {_quote(me)} AND AccountId = null "
            f"ORDER BY LastName, FirstName LIMIT {PRIVATE_LIMIT}"
        )
    made = _tandem_created_ids(ctx)
    return [
        PrivateContact(
            id=r["Id"],
            name=_name(r),
            email=r.get("Email"),
            title=r.get("Title"),
            created=r.get("CreatedDate"),
            created_by_tandem=r["Id"] in made,
        )
        for r in rows
    ]


def check_search_text(text: str) -> str:
    """The search text, trimmed; :class:`LookupInputError` when it cannot be searched for."""
    cleaned = " ".join((text or "").split())
    if len(cleaned) < MIN_SEARCH:
        raise LookupInputError(message=f"Type at least {MIN_SEARCH} letters of the account's name.")
    if len(cleaned) > MAX_SEARCH:
        raise LookupInputError(
            message=f"That is too long for an account name; type at most {MAX_SEARCH} characters."
        )
    return cleaned


async def search_accounts(ctx: AppContext, text: str) -> list[AccountHit]:
    """Accounts whose name contains ``text`` (case-insensitive), at most 50, by name."""
    cleaned = check_search_text(text)
    async with _Client(ctx) as (client, _me):
        rows = await client.query(
            "SELECT Id, Name, BillingCity, BillingCountry, Industry FROM Account "
            f"WHERE Name LIKE {soql_like(cleaned)} ORDER BY Name LIMIT {SEARCH_LIMIT}"
        )
    return [
        AccountHit(
            id=r["Id"],
            name=r.get("Name") or r["Id"],
            city=r.get("BillingCity"),
            country=r.get("BillingCountry"),
            industry=r.get("Industry"),
        )
        for r in rows
    ]


def _check_id(value: str, prefix: str, what: str) -> str:
    value = (value or "").strip()
    if not _ID.match(value) or not value.startswith(prefix):
        raise LookupInputError(message=f"{value or 'An empty value'} is not a Salesforce {what} id.")
    return value


async def relate_contact(ctx: AppContext, contact_id: str, account_id: str) -> None:
    """Set the contact's AccountId (it stops being private). Salesforce's refusal (contact
    deleted meanwhile, no access to the account) raises ``SalesforceRequestFailed`` with its
    message."""
    contact_id = _check_id(contact_id, "003", "contact")
    account_id = _check_id(account_id, "001", "account")
    async with _Client(ctx) as (client, _me):
        await client.request(
            "PATCH", f"sobjects/Contact/{contact_id}", ok=(200, 204), json={"AccountId": account_id}
        )


__all__ = [
    "AccountHit",
    "LookupInputError",
    "PrivateContact",
    "check_search_text",
    "private_contacts",
    "relate_contact",
    "search_accounts",
    "soql_like",
]
