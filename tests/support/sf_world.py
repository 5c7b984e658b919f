"""A Salesforce source world for the source tests: a signed-in client on the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from sync.salesforce.client import SalesforceClient
from sync.salesforce.events import SalesforceEvents
from sync.salesforce.source import SalesforceContacts, SalesforceSource, SalesforceTasks

KINDS = ("contacts", "events", "tasks")


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class _World:
    """Builds sources on the sandbox inside one event loop and closes their clients."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.me = sandbox.state.sf["me"]
        self.token, _ = sandbox.state.tokens.issue(
            "salesforce", self.me, "tandem-test", "api refresh_token", 3600 * 24 * 400
        )
        self.clients: list[SalesforceClient] = []

    def client(self) -> SalesforceClient:
        c = SalesforceClient(
            self.sandbox.base_url,
            _Bearer(self.token),
            verify=self.sandbox.ssl_context(),
            backoff_base_s=0.01,
            backoff_cap_s=0.05,
        )
        self.clients.append(c)
        return c

    def source(self, kind: str, **kw: Any) -> SalesforceSource:
        if kind == "contacts":
            return SalesforceContacts(self.client(), self.me, **kw)
        if kind == "events":
            # conformance samples sit in October 2026: a window wide enough for them
            kw.setdefault("days_back", 400)
            return SalesforceEvents(self.client(), self.me, **kw)
        return SalesforceTasks(self.client(), self.me, **kw)

    async def make(self, side: str, kind: str) -> SalesforceSource:
        assert side == "salesforce"
        return self.source(kind)

    def run(self, body: Callable[[], Awaitable[Any]]) -> Any:
        async def go() -> Any:
            try:
                return await body()
            finally:
                for c in self.clients:
                    await c.aclose()
                self.clients.clear()

        return asyncio.run(go())

    # direct REST calls that are not the source's (someone else editing Salesforce)
    def rest(self, method: str, path: str, **kw: Any) -> httpx.Response:
        with self.sandbox.client(headers={"Authorization": f"Bearer {self.token}"}) as c:
            return c.request(method, f"/services/data/v67.0/{path}", **kw)

    def sf_requests(self) -> dict[str, int]:
        return self.sandbox.control("requests")["services"].get("salesforce", {}).get("endpoints", {})
