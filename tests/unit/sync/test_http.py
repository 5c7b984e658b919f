"""The shared HTTP layer against the real sandbox: retries honour Retry-After, creates are
never sent twice blindly, requests are counted, and TLS verification cannot be switched off."""

from __future__ import annotations

import random

import pytest

from sync.http import ServiceClient, ServiceUnavailable, retry_after_seconds


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_verification_cannot_be_switched_off() -> None:
    with pytest.raises(TypeError):
        ServiceClient("graph", "https://127.0.0.1", verify=True)  # type: ignore[arg-type]


def _client(sandbox, **kw) -> ServiceClient:
    return ServiceClient(
        "sandbox",
        sandbox.base_url,
        verify=sandbox.ssl_context(),
        backoff_base_s=0.01,
        backoff_cap_s=0.05,
        rng=random.Random(1),
        **kw,
    )


@pytest.mark.asyncio
async def test_throttled_reads_are_retried_until_they_pass(sandbox) -> None:
    sandbox.control("faults", {"fault_rate": 0.5, "kinds": ["429", "503"], "seed": 7})
    async with _client(sandbox) as client:
        statuses = [(await client.request("GET", "/services/data/")).status_code for _ in range(10)]
    assert statuses == [200] * 10
    assert client.retried > 0
    assert client.api_calls == 10 + client.retried


@pytest.mark.asyncio
async def test_gives_up_with_a_plain_error_after_the_retries(sandbox) -> None:
    sandbox.control("faults", {"fault_rate": 1.0, "kinds": ["503"]})
    async with _client(sandbox, retries=3) as client:
        with pytest.raises(ServiceUnavailable) as err:
            await client.request("GET", "/services/data/")
    assert client.api_calls == 3
    assert "next run will try again" in err.value.message


@pytest.mark.asyncio
async def test_a_dropped_create_is_not_sent_again(sandbox) -> None:
    sandbox.control("faults", {"fault_rate": 1.0, "kinds": ["drop"]})
    async with _client(sandbox) as client:
        with pytest.raises(ServiceUnavailable) as err:
            await client.request("POST", "/services/data/v67.0/sobjects/Account", json={"Name": "X"})
    assert client.api_calls == 1
    assert "check on the next run" in err.value.message


@pytest.mark.asyncio
async def test_dropped_reads_are_retried(sandbox) -> None:
    sandbox.control("faults", {"fault_rate": 0.5, "kinds": ["drop"], "seed": 3})
    async with _client(sandbox) as client:
        responses = [await client.request("GET", "/services/data/") for _ in range(6)]
    assert all(r.status_code == 200 for r in responses)
    assert client.retried > 0
