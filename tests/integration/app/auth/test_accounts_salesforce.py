"""Salesforce sign-in against the sandbox: PKCE with the test as the browser, device flow,
refresh, one refresh for many 401s, revocation, logout, and the loopback's refusals."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from accounts_helpers import make_browser, redirect_uri_of, state_of, token_posts

from app.auth.salesforce import CREDENTIALS_SECRET, SalesforceAuth, SalesforceTokenSource
from app.auth.token_provider import BearerAuth
from app.cli.accounts import AccountSettings
from app.errors import (
    AuthError,
    ConsentDeclined,
    InsecureEndpoint,
    NotConnected,
    SignInExpired,
    SignInTimedOut,
)


def me(sandbox) -> dict:
    return sandbox.state.sf["records"]["User"][sandbox.state.sf["me"]]


async def browser_login(ctx, sandbox) -> tuple[SalesforceAuth, object]:
    sandbox.control("config", {"auto_approve": True})
    auth = ctx.salesforce()
    account = await auth.login_browser(make_browser(sandbox), timeout_s=20)
    return auth, account


def check_account(sandbox, account) -> None:
    user = me(sandbox)
    assert account.user_id[:15] == user["Id"][:15]
    assert account.username == user["Username"]
    assert account.organization_id.startswith("00D")
    assert account.instance_url.startswith("https://")


@pytest.mark.asyncio
async def test_pkce_end_to_end_with_the_test_as_browser(ctx, sandbox) -> None:
    auth, account = await browser_login(ctx, sandbox)
    check_account(sandbox, account)
    credentials = ctx.secrets.get_json(CREDENTIALS_SECRET)
    assert sandbox.state.tokens.check("salesforce", f"Bearer {credentials['access_token']}").user
    assert credentials["refresh_token"] in sandbox.state.tokens.refresh
    assert ctx.accounts.get("salesforce")["instance_url"] == account.instance_url


@pytest.mark.asyncio
async def test_pkce_through_the_allow_page(ctx, sandbox) -> None:
    auth = ctx.salesforce()
    account = await auth.login_browser(make_browser(sandbox, decide="allow"), timeout_s=20)
    check_account(sandbox, account)


@pytest.mark.asyncio
async def test_device_flow_end_to_end(ctx, sandbox) -> None:
    auth = ctx.salesforce()
    pending = await auth.start_device_login()
    assert pending.user_code and pending.verification_uri.startswith("https://")
    sandbox.control("device/approve", {"user_code": pending.user_code})
    account = await auth.finish_device_login(pending)
    check_account(sandbox, account)


@pytest.mark.asyncio
async def test_device_flow_waits_while_pending(ctx, sandbox) -> None:
    auth = ctx.salesforce()
    pending = await auth.start_device_login()

    async def approve_later() -> None:
        await asyncio.sleep(1.5)
        await asyncio.to_thread(sandbox.control, "device/approve", {"user_code": pending.user_code})

    approver = asyncio.ensure_future(approve_later())
    account = await auth.finish_device_login(pending)
    await approver
    check_account(sandbox, account)


@pytest.mark.asyncio
async def test_refresh_after_the_access_token_expired(ctx, sandbox) -> None:
    auth, _ = await browser_login(ctx, sandbox)
    old = await auth.access_token()
    sandbox.control("tokens/expire", {"service": "salesforce"})
    new = await auth.refresh()
    assert new != old
    assert sandbox.state.tokens.check("salesforce", f"Bearer {new}").user
    assert await auth.access_token() == new  # stored


@pytest.mark.asyncio
async def test_revoked_refresh_token_gives_the_typed_error(ctx, sandbox) -> None:
    auth, _ = await browser_login(ctx, sandbox)
    sandbox.control("tokens/revoke", {"service": "salesforce"})
    with pytest.raises(SignInExpired) as info:
        await auth.refresh()
    assert info.value.message == "Your Salesforce sign-in has expired — reconnect."
    assert info.value.action == "reconnect"


@pytest.mark.asyncio
async def test_ten_concurrent_401s_trigger_one_refresh(ctx, sandbox) -> None:
    auth, _ = await browser_login(ctx, sandbox)
    sandbox.control("tokens/expire", {"service": "salesforce"})
    before = token_posts(sandbox, "salesforce_auth")
    bearer = BearerAuth(SalesforceTokenSource(auth))
    instance = await auth.instance_url()
    async with httpx.AsyncClient(verify=sandbox.ssl_context(), auth=bearer, timeout=30) as client:
        responses = await asyncio.gather(
            *(client.get(f"{instance}/services/data/v67.0/sobjects/") for _ in range(10))
        )
    assert [r.status_code for r in responses] == [200] * 10
    assert token_posts(sandbox, "salesforce_auth") == before + 1
    assert bearer.refreshes == 1


@pytest.mark.asyncio
async def test_logout_revokes_and_forgets(ctx, sandbox, memory_keyring) -> None:
    auth, _ = await browser_login(ctx, sandbox)
    credentials = ctx.secrets.get_json(CREDENTIALS_SECRET)
    result = await auth.logout()
    assert result["revoked"] and result["forgotten"]
    assert sandbox.state.tokens.refresh[credentials["refresh_token"]]["revoked"]
    assert not sandbox.state.tokens.check("salesforce", f"Bearer {credentials['access_token']}").user
    assert memory_keyring == {} and ctx.accounts.get("salesforce") is None
    with pytest.raises(NotConnected):
        await auth.access_token()


# -- the loopback listener's refusals (no Salesforce needed) ---------------------------


async def _visit(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(url)


@pytest.mark.asyncio
async def test_state_mismatch_is_refused(offline_ctx) -> None:
    responses = []

    async def forged(url: str) -> None:
        responses.append(await _visit(f"{redirect_uri_of(url)}?code=stolen&state=forged"))

    with pytest.raises(AuthError) as info:
        await offline_ctx.salesforce().login_browser(forged, timeout_s=10)
    assert info.value.ids["error"] == "state_mismatch"
    assert responses[0].status_code == 400


@pytest.mark.asyncio
async def test_declined_in_the_browser(offline_ctx) -> None:
    async def decline(url: str) -> None:
        await _visit(f"{redirect_uri_of(url)}?error=access_denied&state={state_of(url)}")

    with pytest.raises(ConsentDeclined):
        await offline_ctx.salesforce().login_browser(decline, timeout_s=10)


@pytest.mark.asyncio
async def test_timeout_has_a_clear_message_and_frees_the_port(offline_ctx) -> None:
    seen = []

    def idle_browser(url: str) -> None:
        seen.append(url)

    with pytest.raises(SignInTimedOut) as info:
        await offline_ctx.salesforce().login_browser(idle_browser, timeout_s=0.3)
    assert "browser" in info.value.message
    with pytest.raises(httpx.ConnectError):  # single use: the listener is gone
        await _visit(redirect_uri_of(seen[0]))


@pytest.mark.asyncio
async def test_stray_requests_do_not_end_the_login(offline_ctx) -> None:
    async def browser(url: str) -> None:
        base = redirect_uri_of(url).rsplit("/", 1)[0]
        assert (await _visit(f"{base}/favicon.ico")).status_code == 404
        r = await _visit(f"{redirect_uri_of(url)}?error=access_denied&state={state_of(url)}")
        assert r.status_code == 200

    with pytest.raises(ConsentDeclined):
        await offline_ctx.salesforce().login_browser(browser, timeout_s=10)


def test_instance_url_must_be_https() -> None:
    with pytest.raises(InsecureEndpoint):
        SalesforceAuth._instance_url({"instance_url": "http://evil.example"})
    with pytest.raises(InsecureEndpoint):
        SalesforceAuth._instance_url({})
    assert SalesforceAuth._instance_url({"instance_url": "https://a.example/"}) == "https://a.example"


@pytest.mark.asyncio
async def test_network_down_is_a_typed_error(offline_ctx) -> None:
    from app.errors import NetworkDown

    with pytest.raises(NetworkDown) as info:
        await offline_ctx.salesforce().start_device_login()
    assert info.value.action == "retry" and "network" in info.value.message


@pytest.mark.asyncio
async def test_prepare_refreshes_before_a_run_and_reports_expiry(ctx, sandbox) -> None:
    auth, _ = await browser_login(ctx, sandbox)
    bearer = BearerAuth(SalesforceTokenSource(auth))
    before = token_posts(sandbox, "salesforce_auth")
    await bearer.prepare()
    assert token_posts(sandbox, "salesforce_auth") == before + 1
    sandbox.control("tokens/revoke", {"service": "salesforce"})
    with pytest.raises(SignInExpired):
        await BearerAuth(SalesforceTokenSource(auth)).prepare()


@pytest.mark.asyncio
async def test_wrong_client_id_says_so(ctx, sandbox) -> None:
    from app.auth.salesforce import SalesforceAuth as Auth
    from app.errors import WrongClientId

    auth = Auth(
        client_id="bogus",
        login_url=sandbox.base_url,
        secrets=ctx.secrets,
        accounts=ctx.accounts,
        verify=sandbox.ssl_context(),
    )
    with pytest.raises(WrongClientId) as info:
        await auth.start_device_login()
    assert info.value.action == "settings" and "client id" in info.value.message


def test_the_callback_is_the_fixed_registered_one_unless_set(ctx, monkeypatch) -> None:
    monkeypatch.delenv("TANDEM_SALESFORCE_CALLBACK_URL")
    assert ctx.salesforce().callback_url == "http://localhost:1717/OauthRedirect"
    ctx.settings = AccountSettings(salesforce_callback_url="http://localhost:8443/callback")
    assert ctx.salesforce().callback_url == "http://localhost:8443/callback"
    for bad in ("https://localhost:1717/OauthRedirect", "http://example.com:1717/cb", "http://localhost/cb"):
        ctx.settings = AccountSettings(salesforce_callback_url=bad)
        with pytest.raises(AuthError) as info:
            ctx.salesforce()
        assert (
            info.value.ids["error"] == "bad_callback_url"
            and "http://localhost:1717/OauthRedirect" in info.value.message
        )


@pytest.mark.asyncio
async def test_the_sign_in_uses_the_callback_and_says_so_when_its_port_is_taken(ctx, sandbox) -> None:
    sandbox.control("config", {"auto_approve": True})
    auth = ctx.salesforce()
    seen: list[str] = []
    browser = make_browser(sandbox)

    async def recording(url: str) -> None:
        seen.append(url)
        await browser(url)

    await auth.login_browser(recording, timeout_s=20)
    assert redirect_uri_of(seen[0]) == auth.callback_url
    port = int(auth.callback_url.split(":")[2].split("/")[0])
    with socket.socket() as taken:  # another program listens there now
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the last sign-in's TIME_WAIT
        taken.bind(("127.0.0.1", port))
        taken.listen()
        with pytest.raises(AuthError) as info:
            await auth.login_browser(recording, timeout_s=5)
    assert info.value.ids["error"] == "callback_port_in_use"
    assert str(port) in info.value.message and "Settings > Accounts" in info.value.message
    assert len(seen) == 1  # no browser was opened for a sign-in that cannot finish
