"""Bearer tokens for the HTTP clients, with one refresh however many requests meet a 401.

:class:`BearerAuth` is an ``httpx.Auth`` for ``httpx.AsyncClient``: it attaches
``Authorization: Bearer <token>``; on a 401 it refreshes once and retries the request once.
Each token has a generation number; a request that got a 401 with generation *g* refreshes
only if the current generation is still *g* (under an ``asyncio.Lock``); otherwise another
request refreshed meanwhile and it just retries with the newer token. So ten parallel 401s
cause one refresh, not ten.

A *token source* is any object with ``async get_token() -> str`` (a current token, refreshed
if known expired) and ``async refresh_token() -> str`` (a new one, refused tokens are never
reused), optionally ``async prepare() -> str`` (the silent refresh before each run). The sources are ``app.auth.outlook.OutlookTokenSource`` and
``app.auth.salesforce.SalesforceTokenSource``; errors they raise (``SignInExpired`` ...) pass
through to the caller unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator
from typing import Protocol

import httpx


class TokenSource(Protocol):
    async def get_token(self) -> str: ...

    async def refresh_token(self) -> str: ...


class BearerAuth(httpx.Auth):
    requires_request_body = True  # so the request can be sent again after a refresh

    def __init__(self, source: TokenSource) -> None:
        self.source = source
        self._token: str | None = None
        self._generation = 0
        self._lock: asyncio.Lock | None = None
        self.refreshes = 0  # how many refreshes this auth caused (diagnostics, tests)

    def _get_lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def current(self) -> tuple[str, int]:
        async with self._get_lock():
            if self._token is None:
                self._token = await self.source.get_token()
                self._generation += 1
            return self._token, self._generation

    async def refreshed(self, seen_generation: int) -> tuple[str, int]:
        async with self._get_lock():
            if self._generation == seen_generation or self._token is None:
                self._token = await self.source.refresh_token()
                self._generation += 1
                self.refreshes += 1
            return self._token, self._generation

    async def prepare(self) -> None:
        """Before a run: get a usable token now (refreshing silently if needed), so an
        expired sign-in shows up as :class:`SignInExpired` before any work starts."""
        prepare = getattr(self.source, "prepare", None)
        token = await (prepare() if prepare is not None else self.source.get_token())
        async with self._get_lock():
            self._token = token
            self._generation += 1

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token, generation = await self.current()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        token, _ = await self.refreshed(generation)
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("BearerAuth works with httpx.AsyncClient only")
