"""Outlook sign-in against the sandbox's Entra ID: device flow, refresh, revocation, logout."""

from __future__ import annotations

import threading

import pytest
from accounts_helpers import token_posts

from app.auth.outlook import CACHE_SECRET, OutlookAuth
from app.errors import ConsentDeclined, NotConnected, SignInExpired

EMAIL = "morgan.reyes@northwind-demo.example"


def login(ctx, sandbox) -> tuple[OutlookAuth, object]:
    auth = ctx.outlook()
    pending = auth.start_login()
    assert pending.user_code and pending.verification_uri.startswith("https://")
    sandbox.control("device/approve", {"user_code": pending.user_code})
    return auth, auth.finish_login(pending)


def test_device_flow_end_to_end(ctx, sandbox, memory_keyring) -> None:
    auth, account = login(ctx, sandbox)
    assert account.username.lower() == EMAIL
    assert account.name == "Morgan Reyes"
    assert ctx.accounts.get("outlook")["username"].lower() == EMAIL
    assert ctx.secrets.get(CACHE_SECRET)  # the serialised MSAL cache is in the keyring
    token = auth.acquire_token()
    assert sandbox.state.tokens.access[token]["service"] == "microsoft"
    # A new OutlookAuth (a later run) works from the keyring alone.
    assert ctx.outlook().acquire_token() == token


def test_silent_refresh_when_the_access_token_has_expired(ctx, sandbox) -> None:
    sandbox.control("config", {"access_token_lifetime_s": 1})  # MSAL sees it as stale at once
    auth, _ = login(ctx, sandbox)
    before = token_posts(sandbox, "entra")
    token = ctx.outlook().acquire_token()
    assert token_posts(sandbox, "entra") == before + 1
    grant = sandbox.state.tokens.access[token]
    assert grant["service"] == "microsoft" and grant["refresh"] in sandbox.state.tokens.refresh


def test_force_refresh_after_the_service_expired_the_token(ctx, sandbox) -> None:
    auth, _ = login(ctx, sandbox)
    old = auth.acquire_token()
    sandbox.control("tokens/expire", {"service": "microsoft"})
    new = auth.acquire_token(force_refresh=True)
    assert new != old and sandbox.state.tokens.check("microsoft", f"Bearer {new}").user


def test_revoked_refresh_token_gives_the_typed_error(ctx, sandbox) -> None:
    auth, _ = login(ctx, sandbox)
    sandbox.control("tokens/revoke", {"service": "microsoft"})
    with pytest.raises(SignInExpired) as info:
        ctx.outlook().acquire_token(force_refresh=True)
    assert info.value.message == "Your Outlook sign-in has expired — reconnect."
    assert info.value.action == "reconnect" and info.value.ids["service"] == "outlook"


def test_declined_consent(ctx, sandbox) -> None:
    auth = ctx.outlook()
    pending = auth.start_login()
    sandbox.control("device/decline", {"user_code": pending.user_code})
    with pytest.raises(ConsentDeclined):
        auth.finish_login(pending)
    assert ctx.accounts.get("outlook") is None


def test_cancelled_wait_ends_the_login(ctx, sandbox) -> None:
    auth = ctx.outlook()
    pending = auth.start_login()
    stop = threading.Event()
    stop.set()
    with pytest.raises(Exception) as info:
        auth.finish_login(pending, cancelled=stop.is_set)
    assert getattr(info.value, "ids", {}).get("service") == "outlook"


def test_logout_forgets(ctx, sandbox, memory_keyring) -> None:
    auth, _ = login(ctx, sandbox)
    assert memory_keyring
    assert auth.logout() is True
    assert memory_keyring == {}
    assert ctx.accounts.get("outlook") is None
    with pytest.raises(NotConnected):
        ctx.outlook().acquire_token()


def test_network_down_is_a_typed_error(offline_ctx) -> None:
    from app.errors import NetworkDown

    with pytest.raises(NetworkDown) as info:
        offline_ctx.outlook().start_login()
    assert info.value.ids["service"] == "outlook"


def test_token_cache_survives_a_2560_byte_keyring_cap(ctx, sandbox) -> None:
    from app.auth.secrets import SecretStore

    capped = SecretStore(
        ctx.paths.keyring_service, ctx.secrets.backend, max_entry_bytes=2560, encoding="utf-16-le"
    )
    ctx._secrets = capped
    auth, _ = login(ctx, sandbox)
    from accounts_keyring import MemoryKeyring

    entries = [k for k in MemoryKeyring.store if k[1].startswith(CACHE_SECRET)]
    assert len(entries) > 1  # really chunked
    assert all(len(v.encode("utf-16-le")) <= 2560 for v in MemoryKeyring.store.values())
    ctx2_auth = ctx.outlook()
    assert sandbox.state.tokens.check("microsoft", f"Bearer {ctx2_auth.acquire_token()}").user


@pytest.mark.asyncio
async def test_ten_concurrent_graph_401s_trigger_one_refresh(ctx, sandbox) -> None:
    import asyncio

    import httpx

    from app.auth.outlook import OutlookTokenSource
    from app.auth.token_provider import BearerAuth

    auth, _ = await asyncio.to_thread(login, ctx, sandbox)
    bearer = BearerAuth(OutlookTokenSource(auth))
    await bearer.prepare()
    sandbox.control("tokens/expire", {"service": "microsoft"})
    before = token_posts(sandbox, "entra")
    sandbox.control("config", {"graph_concurrency": 20})
    async with httpx.AsyncClient(verify=sandbox.ssl_context(), auth=bearer, timeout=30) as client:
        responses = await asyncio.gather(*(client.get(f"{sandbox.info['graph_url']}/me") for _ in range(10)))
    assert [r.status_code for r in responses] == [200] * 10
    assert token_posts(sandbox, "entra") == before + 1 and bearer.refreshes == 1
