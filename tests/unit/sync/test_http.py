"""The shared HTTP layer against the real sandbox: retries honour Retry-After, creates are
never sent twice blindly, requests are counted, and TLS verification cannot be switched off."""

from __future__ import annotations

import random

import pytest
from support.salesforce_support import token_for

from sync.http import OutcomeUnknown, ServiceClient, ServiceUnavailable, retry_after_seconds


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
        with pytest.raises(OutcomeUnknown) as err:
            await client.request("POST", "/services/data/v67.0/sobjects/Account", json={"Name": "X"})
    assert client.api_calls == 1
    assert "looks whether it arrived" in err.value.message


@pytest.mark.asyncio
async def test_dropped_reads_are_retried(sandbox) -> None:
    sandbox.control("faults", {"fault_rate": 0.5, "kinds": ["drop"], "seed": 3})
    async with _client(sandbox) as client:
        responses = [await client.request("GET", "/services/data/") for _ in range(6)]
    assert all(r.status_code == 200 for r in responses)
    assert client.retried > 0


ACCOUNTS = "/services/data/v67.0/sobjects/Account"


def _signed_in(sandbox) -> ServiceClient:
    token = token_for(sandbox)["access_token"]
    return _client(sandbox, headers={"Authorization": f"Bearer {token}"})


def _aim(sandbox, kind: str, method: str = "POST", *, retry_after: bool = True, times: int = 1) -> None:
    target = {"service": "salesforce", "method": method, "path": "/sobjects/Account", "kind": kind}
    sandbox.control("faults", {"targets": [{**target, "retry_after": retry_after, "times": times}]})


def _accounts(sandbox, name: str) -> int:
    return sum(1 for a in sandbox.state.sf["records"]["Account"].values() if a.get("Name") == name)


@pytest.mark.asyncio
@pytest.mark.seed("demo")
@pytest.mark.parametrize("kind", ["504_after", "504"])
async def test_a_create_that_timed_out_at_the_gateway_is_not_sent_again(sandbox, kind) -> None:
    """RFC 9110 (9.2.2): a client must not retry a non-idempotent request by itself unless it knows
    the request was not applied; a 504 says nothing of the kind (the work may be done)."""
    _aim(sandbox, kind)
    async with _signed_in(sandbox) as client:
        with pytest.raises(OutcomeUnknown):
            await client.request("POST", ACCOUNTS, json={"Name": f"Gateway {kind}"})
    assert client.api_calls == 1
    assert _accounts(sandbox, f"Gateway {kind}") == (1 if kind == "504_after" else 0)


@pytest.mark.doc("https://learn.microsoft.com/en-us/graph/throttling")
@pytest.mark.asyncio
@pytest.mark.seed("demo")
@pytest.mark.parametrize(("kind", "retry_after"), [("429", False), ("503", True)])
async def test_a_create_refused_before_the_work_is_sent_again(sandbox, kind, retry_after) -> None:
    """Throttled requests fail (429); a 503 naming a Retry-After did not handle the request:
    both are sent again, and the record exists once."""
    _aim(sandbox, kind, retry_after=retry_after, times=2)
    async with _signed_in(sandbox) as client:
        response = await client.request("POST", ACCOUNTS, json={"Name": f"Refused {kind}"})
    assert response.status_code == 201
    assert client.api_calls == 3
    assert _accounts(sandbox, f"Refused {kind}") == 1


@pytest.mark.asyncio
@pytest.mark.seed("demo")
async def test_a_bare_503_to_a_create_is_an_unknown_outcome_but_a_read_is_retried(sandbox) -> None:
    """Salesforce's 503 names no Retry-After: for a create Tandem cannot tell whether the
    work was done, so it reads back instead; a read is simply asked again."""
    _aim(sandbox, "503", retry_after=False)
    async with _signed_in(sandbox) as client:
        with pytest.raises(OutcomeUnknown):
            await client.request("POST", ACCOUNTS, json={"Name": "Bare 503"})
    _aim(sandbox, "504", "GET", times=2)
    async with _signed_in(sandbox) as client:
        response = await client.request("GET", ACCOUNTS)
    assert response.status_code == 200 and client.api_calls == 3
