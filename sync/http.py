"""The HTTP layer both service clients share: one keep-alive ``httpx.AsyncClient`` per
service, retries that honour Retry-After, an optional cap on requests in flight, and a count
of every request sent (for the run report and the API-economy tests).

Retry rules (docs/api-notes.md, "No blind retry of a request that may have been carried out")
    * A request that is safe to repeat (``idempotent``: reads, If-Match PATCHes, DELETEs,
      event creates carrying a ``transactionId``) is retried on 429, 503 and 504 and on a
      dropped connection or timeout.
    * A request that is not (a create, a ``$batch`` or collection that creates) is sent
      again only when the service says it did not carry it out: 429 (throttled requests
      fail, Graph and Salesforce alike) or 503 with a Retry-After. Any other 5xx, a
      timeout or a dropped connection leaves its outcome unknown: ``OutcomeUnknown`` goes
      up, and the executor reads back what arrived (``Executor`` "Unknown outcomes").
    * The wait is Retry-After when given (seconds or an HTTP date), else exponential
      back-off from ``backoff_base_s``; a little jitter is added and every wait is capped
      at ``backoff_cap_s``. A connection that could not be opened sent nothing: any
      request is tried again.
    * After ``retries`` attempts, ``ServiceUnavailable`` (a ``SourceError``) stops the kind.

TLS verification is always on; pass an ``ssl.SSLContext`` that trusts the right CA (the
sandbox's, or the system's); the proxy is sync.network's.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import ssl
import time
from collections.abc import Mapping

import httpx

from .errors import SourceError
from .network import async_http_client

RETRY_STATUSES = frozenset({429, 503, 504})  # retried for a request that is safe to repeat
# A failure of the service (or a gateway before it) while it may have been doing the work.
UNKNOWN_OUTCOME_STATUSES = frozenset({500, 502, 503, 504})
TRANSPORT_ERRORS = (httpx.TransportError,)  # connect/read/write errors, timeouts, protocol
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout)  # no connection: nothing was sent


class ServiceUnavailable(SourceError):
    """The service kept failing (throttled, down, or the network dropped) after retries."""

    title = "The service is not answering"


class OutcomeUnknown(ServiceUnavailable):
    """A request that is not safe to repeat may or may not have been carried out."""

    title = "A change may not have arrived"


def not_carried_out(status: int, headers: Mapping[str, str]) -> bool:
    """Whether the service says it did not do the work: 429, or 503 with a Retry-After."""
    if status == 429:
        return True
    return status == 503 and any(k.lower() == "retry-after" for k in headers)


def should_retry(status: int, headers: Mapping[str, str], idempotent: bool) -> bool:
    """Whether a reply with ``status`` is sent again (see the module docstring)."""
    if idempotent:
        return status in RETRY_STATUSES
    return not_carried_out(status, headers)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class ServiceClient:
    """Requests to one service with retries, a concurrency cap and counting."""

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        verify: ssl.SSLContext,
        auth: httpx.Auth | None = None,
        max_in_flight: int | None = None,
        retries: int = 6,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        timeout_s: float = 60.0,
        headers: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not isinstance(verify, ssl.SSLContext):  # never a bool: verification stays on
            raise TypeError("verify must be an ssl.SSLContext")
        self.service = service
        self.retries = retries
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.api_calls = 0
        self.retried = 0
        self._rng = rng or random.Random()
        self._slots = asyncio.Semaphore(max_in_flight) if max_in_flight else None
        self.http = async_http_client(  # the TLS trust and the proxy of sync.network
            verify,
            base_url=base_url,
            auth=auth,
            timeout=timeout_s,
            headers=dict(headers or {}),
            limits=httpx.Limits(max_keepalive_connections=8, max_connections=max_in_flight or 16),
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> ServiceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        hinted = retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None
        base = hinted if hinted is not None else self.backoff_base_s * (2**attempt)
        return min(self.backoff_cap_s, base + self._rng.uniform(0, 0.25 * max(base, 0.1)))

    async def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool | None = None,
        params: Mapping[str, str] | None = None,
        json: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; return the final response (any status the caller must read).

        ``idempotent`` defaults to True for GET/HEAD/PUT/DELETE/PATCH and False for POST.
        """
        if idempotent is None:
            idempotent = method.upper() != "POST"
        last_error: Exception | None = None
        for attempt in range(self.retries):
            response: httpx.Response | None = None
            try:
                if self._slots is not None:
                    async with self._slots:
                        self.api_calls += 1
                        response = await self.http.request(
                            method, url, params=params, json=json, headers=headers
                        )
                else:
                    self.api_calls += 1
                    response = await self.http.request(method, url, params=params, json=json, headers=headers)
            except TRANSPORT_ERRORS as exc:
                last_error = exc
                if not idempotent and not isinstance(exc, NOT_SENT_ERRORS):
                    raise OutcomeUnknown(
                        message=f"The connection to {self.service} dropped while a change was "
                        "being sent. Tandem looks whether it arrived before sending it again.",
                        service=self.service,
                        error=type(exc).__name__,
                    ) from exc
            else:
                if should_retry(response.status_code, response.headers, idempotent):
                    last_error = None
                elif not idempotent and response.status_code in UNKNOWN_OUTCOME_STATUSES:
                    raise OutcomeUnknown(
                        message=f"{self.service} failed ({response.status_code}) while a change was "
                        "being sent. Tandem looks whether it arrived before sending it again.",
                        service=self.service,
                        error=str(response.status_code),
                    )
                else:
                    return response
            if attempt + 1 < self.retries:
                self.retried += 1
                await asyncio.sleep(self._wait(attempt, response))
        if last_error is not None:
            raise ServiceUnavailable(
                message=f"Tandem could not reach {self.service} ({type(last_error).__name__}). "
                "Check the network connection; the next run will try again.",
                service=self.service,
                error=type(last_error).__name__,
            ) from last_error
        raise ServiceUnavailable(
            message=f"{self.service} is busy or down and kept asking Tandem to wait. "
            "The next run will try again.",
            service=self.service,
            error="throttled",
        )
