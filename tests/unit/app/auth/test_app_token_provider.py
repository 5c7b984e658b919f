"""BearerAuth: attaches the token; a 401 refreshes once; parallel 401s cause one refresh."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.auth.token_provider import BearerAuth
from app.errors import sign_in_expired


class FakeSource:
    def __init__(self) -> None:
        self.valid = "token-1"
        self.current = "token-1"
        self.refresh_calls = 0
        self.fail_refresh = False

    async def get_token(self) -> str:
        return self.current

    async def refresh_token(self) -> str:
        self.refresh_calls += 1
        await asyncio.sleep(0.05)  # let every other request meet its 401 meanwhile
        if self.fail_refresh:
            raise sign_in_expired("salesforce")
        self.current = self.valid = f"token-{self.refresh_calls + 1}"
        return self.current


def server(source: FakeSource, seen: list[str]) -> httpx.MockTransport:
    async def handler(request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("Authorization", "")
        seen.append(auth)
        await asyncio.sleep(0.01)
        if auth != f"Bearer {source.valid}":
            return httpx.Response(401, json=[{"errorCode": "INVALID_SESSION_ID"}])
        return httpx.Response(200, json={"ok": True}, request=request)

    return httpx.MockTransport(handler)


@pytest.mark.asyncio
async def test_attaches_the_bearer_token() -> None:
    source, seen = FakeSource(), []
    async with httpx.AsyncClient(transport=server(source, seen), auth=BearerAuth(source)) as c:
        r = await c.get("https://api.example/x")
    assert r.status_code == 200 and seen == ["Bearer token-1"]


@pytest.mark.asyncio
async def test_ten_parallel_401s_cause_one_refresh() -> None:
    source, seen = FakeSource(), []
    auth = BearerAuth(source)
    async with httpx.AsyncClient(transport=server(source, seen), auth=auth) as c:
        await c.get("https://api.example/warm")  # holds token-1
        source.valid = "server-expired-it"  # the service now refuses token-1
        source.current = "token-1"
        results = await asyncio.gather(*(c.post("https://api.example/x", json={"i": i}) for i in range(10)))
    assert [r.status_code for r in results] == [200] * 10
    assert source.refresh_calls == 1 and auth.refreshes == 1
    assert seen.count("Bearer token-1") == 11 and seen.count("Bearer token-2") == 10


@pytest.mark.asyncio
async def test_a_second_401_after_refresh_is_returned_not_looped() -> None:
    source, seen = FakeSource(), []

    async def always_401(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(401)

    async with httpx.AsyncClient(transport=httpx.MockTransport(always_401), auth=BearerAuth(source)) as c:
        r = await c.get("https://api.example/x")
    assert r.status_code == 401 and len(seen) == 2 and source.refresh_calls == 1


@pytest.mark.asyncio
async def test_refused_refresh_raises_the_typed_error() -> None:
    source, seen = FakeSource(), []
    source.valid = "other"
    source.fail_refresh = True
    async with httpx.AsyncClient(transport=server(source, seen), auth=BearerAuth(source)) as c:
        with pytest.raises(Exception) as info:
            await c.get("https://api.example/x")
    assert info.value.message == "Your Salesforce sign-in has expired — reconnect."


def test_a_blocking_client_is_refused_in_plain_words() -> None:
    """The token refresh is async: a blocking httpx.Client says so instead of sending."""
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200))
    with (
        httpx.Client(transport=transport, auth=BearerAuth(FakeSource())) as client,
        pytest.raises(RuntimeError, match="AsyncClient only"),
    ):
        client.get("https://example.invalid/")
    assert not sent
