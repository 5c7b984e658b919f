"""Microsoft Graph over httpx: paging, delta links, ``$batch`` and error conversion.

One ``GraphClient`` per account (shared by the three Graph sources). It sits on a
``sync.http.ServiceClient`` (retries honouring Retry-After, at most ``max_in_flight``
requests in flight - Outlook allows about 4 per mailbox - and the request count).

* Every request carries ``Prefer: IdType="ImmutableId"`` (ids survive folder moves); callers
  add more preferences (``odata.maxpagesize``, ``outlook.timezone``...) per call, merged into
  one ``Prefer`` header. ``$batch`` sub-requests carry their own ``Prefer`` (the envelope's
  headers do not stand for them).
* ``pages`` follows ``@odata.nextLink`` verbatim and returns the final ``@odata.deltaLink``.
  410 (``SyncStateNotFound`` / ``resyncRequired``) raises ``CursorExpired``.
* Outlook lets an app run 4 requests at once against one mailbox, and counts the
  sub-requests of a ``$batch`` one by one (Graph runs them in parallel unless ``dependsOn``
  orders them). The client keeps a budget of ``max_in_flight`` request slots: a plain call
  takes one; an envelope takes one per sub-request that can run at once. ``batch`` sends
  envelopes of up to 20 one at a time, their sub-requests in ``max_in_flight`` lanes, each
  lane ordered by ``dependsOn`` (sub-request n depends on n - lanes), so at most
  ``max_in_flight`` of them run at once. A sub-request whose lane predecessor failed comes
  back ``424`` (not carried out) and is sent again in the next envelope, with those that
  came back 429/503/504 (after their Retry-After). Returns one response per request, in
  request order.
* A failure of a whole call (401, 403, 5xx after retries, a malformed reply) raises a
  ``SourceError`` with words for people.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from sync.errors import CursorExpired, SourceError
from sync.http import (
    RETRY_STATUSES,
    UNKNOWN_OUTCOME_STATUSES,
    ServiceClient,
    not_carried_out,
    retry_after_seconds,
    should_retry,
)

GRAPH_SERVICE = "Microsoft Graph"
BATCH_LIMIT = 20
IMMUTABLE_ID = 'IdType="ImmutableId"'


class GraphAuthError(SourceError):
    title = "Tandem is signed out of Outlook"


class GraphPermissionError(SourceError):
    title = "Outlook refused access"


def prefer(*preferences: str) -> str:
    """One ``Prefer`` header value holding ``IdType="ImmutableId"`` and ``preferences``."""
    return ", ".join((IMMUTABLE_ID, *preferences))


def error_code(body: object) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code") or "")
    return ""


def error_message(body: object) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message") or "")
    return ""


def raise_for_call(status: int, body: object, what: str) -> None:
    """Convert a failed whole call into the matching ``SourceError``."""
    if status < 400:
        return
    code, message = error_code(body), error_message(body)
    if status == 410 or code.lower() in ("syncstatenotfound", "resyncrequired", "syncstateinvalid"):
        raise CursorExpired(
            message="Outlook no longer accepts the saved change marker; Tandem reads everything again.",
            code=code,
            status=status,
        )
    if status == 401:
        raise GraphAuthError(
            message="Outlook did not accept Tandem's sign-in. Sign in to Outlook again, then sync.",
            code=code,
            status=status,
        )
    if status == 403:
        raise GraphPermissionError(
            message="Outlook refused access to " + what + ". Check that "
            "Tandem was granted the permissions it asks for.",
            code=code,
            status=status,
        )
    raise SourceError(
        message=f"Outlook answered {status} ({code or 'no code'}) while Tandem was reading {what}: {message}",
        code=code,
        status=status,
    )


@dataclass
class SubResponse:
    """One ``$batch`` reply: status, headers and parsed body."""

    status: int
    headers: dict[str, str]
    body: Any

    @property
    def code(self) -> str:
        return error_code(self.body)

    @property
    def message(self) -> str:
        return error_message(self.body) or f"Outlook answered {self.status}"

    @property
    def outcome_unknown(self) -> bool:
        """A failure after which the work may have been done (not a refusal before it)."""
        return self.status in UNKNOWN_OUTCOME_STATUSES and not not_carried_out(self.status, self.headers)


class GraphClient:
    """Graph v1.0 calls for one signed-in mailbox.

    ``base_url`` is the Graph root without the version (``https://graph.microsoft.com`` or
    the sandbox's base URL). ``auth`` sets the bearer token (app/ supplies one that refreshes).
    """

    def __init__(
        self,
        base_url: str,
        *,
        verify: ssl.SSLContext,
        auth: httpx.Auth | None,
        max_in_flight: int = 4,
        retries: int = 6,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        timeout_s: float = 60.0,
        batch_retries: int = 5,
    ) -> None:
        self.root = base_url.rstrip("/") + "/v1.0"
        self.service = ServiceClient(
            GRAPH_SERVICE,
            self.root,
            verify=verify,
            auth=auth,
            max_in_flight=None,  # the slot budget below caps requests in flight, sub-requests counted
            retries=retries,
            backoff_base_s=backoff_base_s,
            backoff_cap_s=backoff_cap_s,
            timeout_s=timeout_s,
            headers={"Prefer": prefer()},
        )
        self.batch_retries = batch_retries
        self.lanes = max(1, max_in_flight)
        self.slots = SlotBudget(self.lanes)

    @property
    def api_calls(self) -> int:
        return self.service.api_calls

    async def aclose(self) -> None:
        await self.service.aclose()

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- plain calls -------------------------------------------------------------------

    def _url(self, url: str) -> str:
        return url if "://" in url else self.root + "/" + url.lstrip("/")

    async def call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        preferences: Iterable[str] = (),
        json: object = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        slots: int = 1,
    ) -> tuple[int, Any]:
        """One request; returns (status, parsed body or None). Transport trouble raises.
        ``slots``: how many of the mailbox's concurrent requests it stands for."""
        hdrs = {"Prefer": prefer(*preferences)}
        hdrs.update(headers or {})
        async with self.slots.hold(slots):
            response = await self.service.request(
                method,
                self._url(url),
                idempotent=idempotent,
                headers=hdrs,
                params=dict(params) if params else None,
                json=json,
            )
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        if response.status_code in RETRY_STATUSES:  # retries exhausted inside ServiceClient
            raise SourceError(
                message="Outlook kept asking Tandem to wait; the next run will try again.",
                status=response.status_code,
            )
        return response.status_code, body

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        preferences: Iterable[str] = (),
        what: str = "Outlook",
    ) -> dict:
        status, body = await self.call("GET", url, params=params, preferences=preferences)
        raise_for_call(status, body, what)
        if not isinstance(body, dict):
            raise SourceError(
                message=f"Outlook sent an unreadable answer while Tandem was reading {what}.", status=status
            )
        return body

    async def pages(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        preferences: Iterable[str] = (),
        what: str = "Outlook",
    ) -> tuple[list[dict], str | None]:
        """All items of a collection (following nextLinks) and the final deltaLink, if any."""
        prefs = tuple(preferences)
        items: list[dict] = []
        body = await self.get(url, params=params, preferences=prefs, what=what)
        while True:
            items.extend(v for v in body.get("value") or [] if isinstance(v, dict))
            next_link = body.get("@odata.nextLink")
            if not next_link:
                return items, body.get("@odata.deltaLink")
            body = await self.get(next_link, preferences=prefs, what=what)

    # -- $batch ------------------------------------------------------------------------

    async def batch(self, requests: list[dict]) -> list[SubResponse]:
        """Send sub-requests (``method``, ``url`` relative to /v1.0, optional ``headers``,
        ``body``); one ``SubResponse`` per request, in request order. Throttled sub-requests
        are re-sent; when they stay throttled they come back with their last status."""
        if not requests:
            return []
        chunks = [
            list(range(i, min(i + BATCH_LIMIT, len(requests)))) for i in range(0, len(requests), BATCH_LIMIT)
        ]
        results: list[SubResponse | None] = [None] * len(requests)
        for idx in chunks:  # one envelope at a time: each takes the whole budget
            await self._send_chunk(requests, idx, results)
        return [r for r in results if r is not None]

    async def _send_chunk(
        self, requests: list[dict], indexes: list[int], results: list[SubResponse | None]
    ) -> None:
        pending = list(indexes)
        attempt = 0  # rounds that were throttled; a round of 424s only always makes progress
        while True:
            envelope = {"requests": [_sub(str(n), requests[i], self.lanes) for n, i in enumerate(pending)]}
            # An envelope (and a sub-request) is sent again after a lost reply only when
            # repeating it creates nothing twice (``repeatable``); otherwise the executor
            # reads back what arrived (sync.http, "Retry rules").
            safe = all(repeatable(requests[i]) for i in pending)
            status, body = await self.call(
                "POST", "$batch", json=envelope, idempotent=safe, slots=min(len(pending), self.lanes)
            )
            if status >= 400:
                raise_for_call(status, body, "a batch of changes")
            replies = {
                str(r.get("id")): r for r in (body or {}).get("responses") or [] if isinstance(r, dict)
            }
            throttled: list[int] = []
            wait: float | None = None
            for n, i in enumerate(pending):
                reply = replies.get(str(n))
                if reply is None:
                    raise SourceError(
                        message="Outlook's answer to a batch of changes was "
                        "incomplete; the next run will try again."
                    )
                headers = {str(k).lower(): str(v) for k, v in (reply.get("headers") or {}).items()}
                sub = SubResponse(int(reply.get("status") or 0), headers, reply.get("body"))
                results[i] = sub
                if sub.status == 424:  # its lane predecessor failed: not carried out
                    throttled.append(i)
                elif should_retry(sub.status, headers, repeatable(requests[i])):
                    throttled.append(i)
                    hinted = retry_after_seconds(headers.get("retry-after"))
                    wait = max(
                        wait or 0.0,
                        hinted if hinted is not None else self.service.backoff_base_s * (2**attempt),
                    )
            if not throttled:
                return
            if wait is not None:
                attempt += 1
                if attempt >= self.batch_retries:
                    return
                self.service.retried += 1
                await asyncio.sleep(min(wait, self.service.backoff_cap_s))
            pending = throttled

    # -- discovery for the settings ----------------------------------------------------

    async def contact_folders(self) -> list[dict]:
        """``[{"id", "name", "parent_id"}]``: the child folders of the default Contacts
        folder and their sub-folders. The default folder itself is ``id=None``."""
        out: list[dict] = [{"id": None, "name": "Contacts", "parent_id": None}]
        items, _ = await self.pages("me/contactFolders", params={"$top": "1000"}, what="your contact folders")
        queue = list(items)
        while queue:
            folder = queue.pop(0)
            out.append(
                {
                    "id": folder["id"],
                    "name": folder.get("displayName") or "",
                    "parent_id": folder.get("parentFolderId"),
                }
            )
            children, _ = await self.pages(
                f"me/contactFolders/{folder['id']}/childFolders",
                params={"$top": "1000"},
                what="your contact folders",
            )
            queue.extend(children)
        return out

    async def calendars(self) -> list[dict]:
        """``[{"id", "name", "is_default", "can_edit"}]``."""
        items, _ = await self.pages("me/calendars", params={"$top": "1000"}, what="your calendars")
        return [
            {
                "id": c["id"],
                "name": c.get("name") or "",
                "is_default": bool(c.get("isDefaultCalendar")),
                "can_edit": c.get("canEdit", True),
            }
            for c in items
        ]

    async def todo_lists(self) -> list[dict]:
        """``[{"id", "name", "is_default"}]`` (the default list has wellknownListName
        ``defaultList``)."""
        items, _ = await self.pages("me/todo/lists", params={"$top": "1000"}, what="your To Do lists")
        return [
            {
                "id": t["id"],
                "name": t.get("displayName") or "",
                "is_default": t.get("wellknownListName") == "defaultList",
                "well_known": t.get("wellknownListName") or "none",
            }
            for t in items
        ]


class SlotBudget:
    """``size`` request slots shared by one client's calls (a call may take several)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.free = size
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def hold(self, n: int) -> AsyncIterator[None]:
        n = max(1, min(n, self.size))
        async with self._changed:
            await self._changed.wait_for(lambda: self.free >= n)
            self.free -= n
        try:
            yield
        finally:
            async with self._changed:
                self.free += n
                self._changed.notify_all()


def repeatable(request: Mapping[str, Any]) -> bool:
    """Whether sending a sub-request twice does it once: anything but a POST, and an event
    create that carries its ``transactionId`` (Graph then returns the event made the first
    time instead of a second one)."""
    if str(request.get("method") or "").upper() != "POST":
        return True
    body = request.get("body")
    return isinstance(body, dict) and bool(body.get("transactionId"))


def _sub(rid: str, request: Mapping[str, Any], lanes: int) -> dict:
    sub: dict[str, Any] = {
        "id": rid,
        "method": request["method"],
        "url": "/" + str(request["url"]).lstrip("/"),
    }
    if int(rid) >= lanes:  # one lane runs in order: Graph runs the lanes side by side
        sub["dependsOn"] = [str(int(rid) - lanes)]
    headers = dict(request.get("headers") or {})
    if request.get("body") is not None:
        sub["body"] = request["body"]
        headers.setdefault("Content-Type", "application/json")
    if headers:
        sub["headers"] = headers
    return sub
