"""A small Salesforce REST client for the sync sources (httpx only; no Qt, keyring or msal).

What it does
    * SOQL ``query`` / ``queryAll`` following ``nextRecordsUrl`` until ``done``.
    * sObject Collections create / update / delete in chunks of 200 with ``allOrNone=false``;
      per-record results are turned into ``ItemResult`` values (errors in plain words).
    * ``getDeleted`` (``/sobjects/T/deleted/?start=&end=``).
    * ``describe_fields``: the fields an object has for this user (an org can switch off
      MiddleName / Suffix, field-level security can hide any field), cached in the profile's
      store with ETag / Last-Modified and revalidated each run (304 Not Modified).
    * Parses ``Sforce-Limit-Info: api-usage=used/max`` after every response and keeps
      ``limit_used`` / ``limit_max`` for the run report and the status view.

Whole-call failures become ``SourceError`` subclasses:
    * 403 ``REQUEST_LIMIT_EXCEEDED`` -> ``SalesforceLimitReached``;
    * 401 -> ``SalesforceSignedOut``. The ``httpx.Auth`` passed in sees the 401 first (its
      ``auth_flow`` may refresh and resend); only a 401 that survives it reaches here;
    * anything else unexpected -> ``SalesforceRequestFailed``;
    * 429/503/504 and dropped connections are retried by ``sync.http.ServiceClient``.

``me`` (the user id) comes from the identity URL of the token response
(``https://login.salesforce.com/id/00D.../005...``): see ``user_id_from_identity_url``.
"""

from __future__ import annotations

import datetime as dt
import re
import ssl
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import httpx

from sync.errors import SourceError
from sync.fields import SPECS, Kind
from sync.http import ServiceClient
from sync.records import ItemResult
from sync.salesforce.timestamps import replication_datetime

T = TypeVar("T")
DESCRIBE_KEY = "salesforce.describe"  # store key (+ ".Contact"): the cached describe of an object
DEFAULT_VERSION = "v67.0"
COLLECTION_SIZE = 200
COMPOSITE_QUERIES = 5  # query subrequests Salesforce allows in one composite request
_LIMIT_RE = re.compile(r"api-usage=(\d+)/(\d+)")


class DescribeCache(Protocol):
    """Where the describe of each object is kept between runs: the profile's store (its
    ``setting`` key-value table; ``sync.store.Store`` fits)."""

    def setting(self, key: str, default: object = None) -> Any: ...

    def set_setting(self, key: str, value: object) -> None: ...


@dataclass(frozen=True)
class FieldAccess:
    """What describe says the user may do with one field."""

    createable: bool
    updateable: bool


class SalesforceError(SourceError):
    title = "Salesforce did not answer as expected"


class SalesforceLimitReached(SalesforceError):
    """The org used up its daily API requests (403 REQUEST_LIMIT_EXCEEDED)."""

    title = "Salesforce's daily API limit is used up"


class SalesforceSignedOut(SalesforceError):
    """Salesforce refused the session (401 that the auth could not fix)."""

    title = "Tandem is signed out of Salesforce"


class SalesforceRequestFailed(SalesforceError):
    title = "Salesforce refused a request"


def user_id_from_identity_url(url: str) -> str:
    """``https://login.salesforce.com/id/00Dxx.../005xx...`` -> ``005xx...``."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def soql_quote(value: str) -> str:
    """A SOQL string literal (quotes and backslashes escaped)."""
    escaped = (
        value.replace("\\", "\\\\")
        .replace("'", "\\'")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f"'{escaped}'"


def soql_ids(ids: Iterable[str]) -> str:
    return "(" + ",".join(soql_quote(i) for i in ids) + ")"


def chunks_by_length(values: Sequence[str], most: int, chars: int) -> list[list[str]]:
    """``values`` in chunks of at most ``most`` items whose quoted literals, URL-encoded, fit
    in ``chars`` (a query travels in a URL: Salesforce refuses URLs over 16 KB)."""
    out: list[list[str]] = []
    size = 0
    for value in values:
        cost = len(quote(soql_quote(value) + ",", safe=""))
        if not out or len(out[-1]) >= most or size + cost > chars:
            out.append([])
            size = 0
        out[-1].append(value)
        size += cost
    return out


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- per-record errors in plain words ------------------------------------------------------

_CODES = {
    "STRING_TOO_LONG": "too_long",
    "REQUIRED_FIELD_MISSING": "required",
    "INVALID_EMAIL_ADDRESS": "invalid",
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": "invalid",
    "INVALID_TYPE_ON_FIELD_IN_RECORD": "invalid",
    "FIELD_INTEGRITY_EXCEPTION": "invalid",
    "ENTITY_IS_DELETED": "not_found",
    "INVALID_CROSS_REFERENCE_KEY": "not_found",
    "INSUFFICIENT_ACCESS_OR_READONLY": "forbidden",
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": "forbidden",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": "rejected",
    "DUPLICATES_DETECTED": "duplicate",
    "UNABLE_TO_LOCK_ROW": "busy",
}


def _label(kind: Kind | None, field: str | None) -> str:
    if field and kind and field in SPECS[kind]:
        return SPECS[kind][field].label or field
    return field or "A field"


def item_error(kind: Kind | None, error: dict[str, Any], record_id: str | None = None) -> ItemResult:
    """One ``{"statusCode","message","fields"}`` entry of a collection result as an ItemResult."""
    status = str(error.get("statusCode") or error.get("errorCode") or "UNKNOWN")
    message = str(error.get("message") or "")
    fields = [f for f in (error.get("fields") or []) if isinstance(f, str)]
    field = fields[0] if fields else None
    code = _CODES.get(status, "rejected")
    label = _label(kind, field)
    if status == "STRING_TOO_LONG":
        spec = SPECS[kind].get(field) if kind and field else None
        limit = f" (max {spec.max_length} characters)" if spec and spec.max_length else ""
        text = f"{label} is too long for Salesforce{limit}."
    elif status == "REQUIRED_FIELD_MISSING":
        text = f"{label} is empty, and Salesforce requires it. Fill it in, then sync again."
    elif status == "INVALID_EMAIL_ADDRESS":
        text = f"{label} is not an email address Salesforce accepts."
    elif status == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST":
        text = f"{label} has a value Salesforce does not allow here."
    elif code == "not_found":
        text = "This record was deleted in Salesforce."
    elif code == "forbidden":
        text = "Salesforce does not let you change this record (no access)."
    elif status == "FIELD_CUSTOM_VALIDATION_EXCEPTION":
        text = f"A Salesforce validation rule refused this record: {message}"
    else:
        text = f"Salesforce refused this record: {message or status}"
    return ItemResult.failure(code, text, field, id=record_id)


def _whole_error(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("errorCode") or ""), str(body[0].get("message") or "")
    if isinstance(body, dict):
        return str(body.get("errorCode") or body.get("error") or ""), str(body.get("message") or "")
    return "", ""


class SalesforceClient:
    """Requests to one Salesforce org as one user."""

    def __init__(
        self,
        instance_url: str,
        auth: httpx.Auth,
        *,
        verify: ssl.SSLContext,
        version: str = DEFAULT_VERSION,
        max_in_flight: int | None = None,
        retries: int = 6,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        timeout_s: float = 60.0,
        describe_cache: DescribeCache | None = None,
    ) -> None:
        self.instance_url = instance_url.rstrip("/")
        self.version = version if version.startswith("v") else f"v{version}"
        self.service = ServiceClient(
            "Salesforce",
            self.instance_url,
            verify=verify,
            auth=auth,
            max_in_flight=max_in_flight,
            retries=retries,
            backoff_base_s=backoff_base_s,
            backoff_cap_s=backoff_cap_s,
            timeout_s=timeout_s,
        )
        self.limit_used: int | None = None
        self.limit_max: int | None = None
        self.describe_cache = describe_cache
        self._described: dict[str, dict[str, FieldAccess]] = {}
        self._clock: tuple[dt.datetime, float] | None = None

    @property
    def api_calls(self) -> int:
        return self.service.api_calls

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """``(used, max)`` of the org's daily API requests, from the last response."""
        if self.limit_used is None or self.limit_max is None:
            return None
        return self.limit_used, self.limit_max

    async def aclose(self) -> None:
        await self.service.aclose()

    async def __aenter__(self) -> SalesforceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def base(self) -> str:
        return f"/services/data/{self.version}"

    # -- raw requests ------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        ok: tuple[int, ...] = (200,),
        idempotent: bool | None = None,
        params: Mapping[str, str] | None = None,
        json: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send ``method path`` (relative to the API base unless it starts with /services)."""
        url = path if path.startswith("/services/") else f"{self.base}/{path.lstrip('/')}"
        response = await self.service.request(
            method, url, idempotent=idempotent, params=params, json=json, headers=headers
        )
        self._note_limits(response)
        self._note_clock(response)
        if response.status_code in ok:
            return response
        code, message = _whole_error(response)
        if response.status_code == 403 and code == "REQUEST_LIMIT_EXCEEDED":
            usage = f" ({self.limit_used} of {self.limit_max} requests used)" if self.api_usage else ""
            raise SalesforceLimitReached(
                message=f"Your Salesforce org has used all the API requests it is allowed today{usage}. "
                "Tandem will try again later; nothing was lost.",
                service="salesforce",
                code=code,
            )
        if response.status_code == 401:
            raise SalesforceSignedOut(
                message="Salesforce ended the session. Sign in to Salesforce again, then sync.",
                service="salesforce",
                code=code or "INVALID_SESSION_ID",
            )
        raise SalesforceRequestFailed(
            message=f"Salesforce answered {response.status_code} {code}: {message}".rstrip(": "),
            service="salesforce",
            status=response.status_code,
            code=code,
            detail=message,
        )

    def _note_limits(self, response: httpx.Response) -> None:
        m = _LIMIT_RE.search(response.headers.get("Sforce-Limit-Info", ""))
        if m:
            self.limit_used, self.limit_max = int(m.group(1)), int(m.group(2))

    def _note_clock(self, response: httpx.Response) -> None:
        try:
            when = parsedate_to_datetime(response.headers.get("Date", ""))
        except (TypeError, ValueError):
            return
        if when.tzinfo is not None:
            self._clock = (when.astimezone(dt.UTC), time.monotonic())

    async def server_now(self) -> dt.datetime:
        """Salesforce's clock now, never ahead of it: the ``Date`` of its latest reply (whole
        seconds, so at or before the moment it was sent) plus the time since on our clock.
        With no reply yet, one ``GET /services/data/`` (the versions list) asks for it; with
        no ``Date`` at all (a proxy that strips it), our clock less a minute."""
        if self._clock is None:
            await self.request("GET", "/services/data/")
        if self._clock is None:
            return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        when, at = self._clock
        return when + dt.timedelta(seconds=time.monotonic() - at)

    # -- reads -------------------------------------------------------------------------

    async def query(self, soql: str, *, all_rows: bool = False) -> list[dict[str, Any]]:
        """Every row of ``soql`` (follows ``nextRecordsUrl``)."""
        resource = "queryAll" if all_rows else "query"
        response = await self.request("GET", f"{resource}?q={quote(soql, safe='')}")
        body = response.json()
        records = list(body.get("records", []))
        while not body.get("done", True) and body.get("nextRecordsUrl"):
            body = (await self.request("GET", body["nextRecordsUrl"])).json()
            records.extend(body.get("records", []))
        return records

    async def query_many(self, soqls: Sequence[str]) -> list[list[dict[str, Any]]]:
        """Every row of each of ``soqls``, up to ``COMPOSITE_QUERIES`` of them per request
        (``POST /composite``: one request and one API call for the group). A query that
        fails raises ``SalesforceRequestFailed``; more rows than a page follow
        ``nextRecordsUrl``."""
        out: list[list[dict[str, Any]]] = []
        for group in chunks(list(soqls), COMPOSITE_QUERIES):
            if len(group) == 1:
                out.append(await self.query(group[0]))
                continue
            subs = [
                {
                    "method": "GET",
                    "referenceId": f"q{n}",
                    "url": f"{self.base}/query?q={quote(soql, safe='')}",
                }
                for n, soql in enumerate(group)
            ]
            response = await self.request(
                "POST", "composite", idempotent=True, json={"allOrNone": False, "compositeRequest": subs}
            )
            replies = {r.get("referenceId"): r for r in (response.json().get("compositeResponse") or [])}
            for n in range(len(group)):
                reply = replies.get(f"q{n}") or {}
                body = reply.get("body")
                if reply.get("httpStatusCode") != 200 or not isinstance(body, dict):
                    code, message = "", ""
                    if isinstance(body, list) and body and isinstance(body[0], dict):
                        code, message = str(body[0].get("errorCode") or ""), str(body[0].get("message") or "")
                    raise SalesforceRequestFailed(
                        message=f"Salesforce refused a query: {code} {message}".strip(),
                        service="salesforce",
                        status=reply.get("httpStatusCode"),
                        code=code,
                        detail=message,
                    )
                records = list(body.get("records", []))
                while not body.get("done", True) and body.get("nextRecordsUrl"):
                    body = (await self.request("GET", body["nextRecordsUrl"])).json()
                    records.extend(body.get("records", []))
                out.append(records)
        return out

    async def describe_fields(self, sobject: str) -> dict[str, FieldAccess]:
        """The fields of ``sobject`` the user can see, each with whether it can be written on
        create and on update (``GET sobjects/T/describe``).

        Asked once per client (one run); the answer is kept in ``describe_cache`` (the
        profile's store) with its ETag and Last-Modified, and the next run revalidates it
        with ``If-None-Match`` / ``If-Modified-Since``: a 304 reuses the cached fields."""
        if sobject in self._described:
            return self._described[sobject]
        key = f"{DESCRIBE_KEY}.{sobject}"
        cached = self.describe_cache.setting(key, None) if self.describe_cache is not None else None
        headers: dict[str, str] = {}
        if isinstance(cached, dict) and isinstance(cached.get("fields"), dict):
            if cached.get("etag"):
                headers["If-None-Match"] = str(cached["etag"])
            if cached.get("last_modified"):
                headers["If-Modified-Since"] = str(cached["last_modified"])
        else:
            cached = None
        response = await self.request(
            "GET", f"sobjects/{sobject}/describe", ok=(200, 304), headers=headers or None
        )
        if response.status_code == 304 and cached is not None:
            fields = {n: FieldAccess(bool(a[0]), bool(a[1])) for n, a in cached["fields"].items()}
        else:
            body = response.json()
            fields = {
                str(f["name"]): FieldAccess(bool(f.get("createable")), bool(f.get("updateable")))
                for f in body.get("fields", [])
                if isinstance(f, dict) and f.get("name")
            }
            if self.describe_cache is not None:
                self.describe_cache.set_setting(
                    key,
                    {
                        "etag": response.headers.get("ETag"),
                        "last_modified": response.headers.get("Last-Modified"),
                        "fields": {n: [a.createable, a.updateable] for n, a in fields.items()},
                    },
                )
        self._described[sobject] = fields
        return fields

    async def get_deleted(self, sobject: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        """``getDeleted``: ``{"deletedRecords": [{"id","deletedDate"}], "latestDateCovered", ...}``.

        ``start`` and ``end`` go out as the REST page's example has them (ISO 8601 with an
        offset, ``2026-12-04T10:00:00+00:00``, to the minute: Salesforce ignores seconds).
        A refused window raises ``SalesforceRequestFailed`` with ``ids["code"]``:
        ``INVALID_REPLICATION_DATE`` (start older than the delete log, or the window shorter
        than a minute) or ``EXCEEDED_ID_LIMIT`` (more than 600,000 ids in the window).
        """
        response = await self.request(
            "GET",
            f"sobjects/{sobject}/deleted/",
            params={"start": replication_datetime(start), "end": replication_datetime(end)},
        )
        return response.json()

    # -- writes (sObject Collections, allOrNone=false) -----------------------------------

    async def create_records(
        self, kind: Kind, sobject: str, bodies: Sequence[dict[str, Any]]
    ) -> list[ItemResult]:
        """Create ``bodies``; results in order (``version`` still empty: the caller reads it)."""
        out: list[ItemResult] = []
        for chunk in chunks(bodies, COLLECTION_SIZE):
            payload = {"allOrNone": False, "records": [{"attributes": {"type": sobject}, **b} for b in chunk]}
            response = await self.request("POST", "composite/sobjects", json=payload)
            out.extend(self._results(kind, response.json(), [None] * len(chunk)))
        return out

    async def update_records(
        self, kind: Kind, sobject: str, bodies: Sequence[dict[str, Any]]
    ) -> list[ItemResult]:
        """Update ``bodies`` (each with ``Id``); results in order."""
        out: list[ItemResult] = []
        for chunk in chunks(bodies, COLLECTION_SIZE):
            payload = {"allOrNone": False, "records": [{"attributes": {"type": sobject}, **b} for b in chunk]}
            response = await self.request("PATCH", "composite/sobjects", json=payload)
            out.extend(self._results(kind, response.json(), [b["Id"] for b in chunk]))
        return out

    async def delete_records(self, ids: Sequence[str]) -> list[ItemResult]:
        """Delete ``ids``; an already deleted record counts as deleted (ok)."""
        out: list[ItemResult] = []
        for chunk in chunks(ids, COLLECTION_SIZE):
            response = await self.request(
                "DELETE", "composite/sobjects", params={"ids": ",".join(chunk), "allOrNone": "false"}
            )
            for record_id, result in zip(
                chunk, self._results(None, response.json(), list(chunk)), strict=False
            ):
                if not result.ok and result.error and result.error.code == "not_found":
                    result = ItemResult.success(record_id, "")
                out.append(result)
        return out

    def _results(self, kind: Kind | None, body: object, ids: list[str | None]) -> list[ItemResult]:
        if not isinstance(body, list) or len(body) != len(ids):
            raise SalesforceRequestFailed(
                message="Salesforce sent an answer Tandem could not read for a batch of changes.",
                service="salesforce",
            )
        out = []
        for sent_id, row in zip(ids, body, strict=False):
            rid = row.get("id") or sent_id
            if row.get("success"):
                out.append(ItemResult(True, rid, ""))  # Salesforce always sends the id of a created record
            else:
                errors = row.get("errors") or [{}]
                out.append(item_error(kind, errors[0], rid))
        return out
