"""Entra ID as independent clients see it: the real ``msal`` library (device flow, silent
refresh, auth-code + PKCE) and plain HTTP shaped by Microsoft's identity-platform docs."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import threading
import time
from urllib.parse import parse_qs, urlsplit

import msal
import pytest
import requests

SCOPES = ["Contacts.ReadWrite", "Calendars.ReadWrite", "Tasks.ReadWrite", "User.Read"]
CLIENT_ID = "3f1e8b1c-5d55-4a3b-9a7e-0c2f3b1e9d42"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class VerifyingSession(requests.Session):
    """A requests session that trusts exactly the sandbox CA on every call.

    ``REQUESTS_CA_BUNDLE`` in the environment overrides ``Session.verify``; passing ``verify``
    per request wins over it (API_CONTRACTS.md section 2.1)."""

    def __init__(self, ca_file: str) -> None:
        super().__init__()
        self.ca_file = ca_file

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs["verify"] = self.ca_file
        return super().request(method, url, *args, **kwargs)


_SESSIONS: list[requests.Session] = []


@pytest.fixture(autouse=True)
def _close_sessions():
    """Close MSAL's keep-alive connections so the server can stop without waiting."""
    yield
    while _SESSIONS:
        _SESSIONS.pop().close()


def make_app(sandbox, cache: msal.SerializableTokenCache | None = None) -> msal.PublicClientApplication:
    session = VerifyingSession(sandbox.ca_file)
    _SESSIONS.append(session)
    return msal.PublicClientApplication(
        CLIENT_ID,
        authority=sandbox.info["authority"],
        instance_discovery=False,
        http_client=session,
        token_cache=cache if cache is not None else msal.SerializableTokenCache(),
    )


def decode_jwt(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def approve(sandbox, user_code: str) -> None:
    with sandbox.state.lock:
        for record in sandbox.state.tokens.device_codes.values():
            if record["user_code"] == user_code:
                record["approved_user"] = sandbox.state.graph["user"]["id"]
                return
    raise AssertionError(f"no device code {user_code}")


def device_sign_in(sandbox, app: msal.PublicClientApplication) -> dict:
    sandbox.state.config["auto_approve"] = True
    flow = app.initiate_device_flow(scopes=SCOPES)
    result = app.acquire_token_by_device_flow(flow)
    sandbox.state.config["auto_approve"] = False
    assert "access_token" in result, result
    return result


def graph_me(sandbox, access_token: str):
    with sandbox.client() as c:
        return c.get("/v1.0/me", headers={"Authorization": f"Bearer {access_token}"})


# ------------------------------------------------------------------ discovery
def test_discovery_document_has_what_msal_needs(sandbox) -> None:
    base = sandbox.base_url
    with sandbox.client() as c:
        doc = c.get("/common/v2.0/.well-known/openid-configuration").json()
        tid = sandbox.state.graph["tenant_id"]
        own = c.get(f"/{tid}/v2.0/.well-known/openid-configuration").json()
        bad = c.get("/not-a-tenant/v2.0/.well-known/openid-configuration")
    assert doc["token_endpoint"] == f"{base}/common/oauth2/v2.0/token"
    assert doc["authorization_endpoint"] == f"{base}/common/oauth2/v2.0/authorize"
    assert doc["device_authorization_endpoint"] == f"{base}/common/oauth2/v2.0/devicecode"
    assert doc["end_session_endpoint"] == f"{base}/common/oauth2/v2.0/logout"
    assert doc["jwks_uri"].startswith(base)
    assert "code" in doc["response_types_supported"]
    assert doc["issuer"] == f"{base}/{{tenantid}}/v2.0"  # multi-tenant: a template, as Entra
    assert own["issuer"] == f"{base}/{tid}/v2.0"
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_tenant"


# ---------------------------------------------------------------- device flow
def test_msal_device_flow_then_silent_refresh(sandbox) -> None:
    sandbox.state.config["device_interval_s"] = 1
    app = make_app(sandbox)
    flow = app.initiate_device_flow(scopes=SCOPES)
    assert flow["interval"] == 1 and flow["expires_in"] == 900
    assert len(flow["user_code"]) == 9 and flow["user_code"].isalnum()
    assert "verification_uri_complete" not in flow
    assert flow["verification_uri"].startswith(sandbox.base_url)
    assert flow["message"] == (
        f"To sign in, use a web browser to open the page "
        f"{flow['verification_uri']} and enter the code "
        f"{flow['user_code']} to authenticate."
    )
    timer = threading.Timer(1.2, approve, args=(sandbox, flow["user_code"]))
    timer.start()
    try:
        started = time.monotonic()
        result = app.acquire_token_by_device_flow(flow)
    finally:
        timer.cancel()
    assert "access_token" in result, result
    assert time.monotonic() - started < 6
    assert result["token_type"] == "Bearer"
    assert set(SCOPES) <= set(result["scope"].split())
    claims = result["id_token_claims"]
    user = sandbox.state.graph["user"]
    assert claims["aud"] == CLIENT_ID and claims["oid"] == user["id"]
    assert claims["tid"] == sandbox.state.graph["tenant_id"]
    assert claims["preferred_username"] == user["userPrincipalName"]
    assert claims["iss"] == f"{sandbox.base_url}/{claims['tid']}/v2.0"
    assert graph_me(sandbox, result["access_token"]).json()["id"] == user["id"]

    accounts = app.get_accounts()
    assert [a["username"] for a in accounts] == [user["userPrincipalName"]]
    assert accounts[0]["home_account_id"] == f"{user['id']}.{sandbox.state.graph['tenant_id']}"
    cached = app.acquire_token_silent(SCOPES, account=accounts[0])
    assert cached["access_token"] == result["access_token"]  # served from MSAL's cache

    # The server forgets the access token early; a forced refresh gets a working one and
    # rotates the refresh token.
    refresh_before = set(sandbox.state.tokens.refresh)
    sandbox.state.tokens.expire_access("microsoft")
    assert graph_me(sandbox, result["access_token"]).status_code == 401
    fresh = app.acquire_token_silent(SCOPES, account=accounts[0], force_refresh=True)
    assert fresh and "access_token" in fresh, fresh
    assert fresh["access_token"] != result["access_token"]
    assert graph_me(sandbox, fresh["access_token"]).status_code == 200
    assert not (set(sandbox.state.tokens.refresh) & refresh_before)  # rotated


def test_short_lived_tokens_are_refreshed_by_msal_on_its_own(sandbox) -> None:
    sandbox.state.config["access_token_lifetime_s"] = 120  # MSAL refreshes within 5 minutes
    app = make_app(sandbox)
    first = device_sign_in(sandbox, app)
    assert first["expires_in"] == 120
    account = app.get_accounts()[0]
    second = app.acquire_token_silent(SCOPES, account=account)
    assert second["access_token"] != first["access_token"]
    assert graph_me(sandbox, second["access_token"]).status_code == 200


def test_cache_survives_serialisation_into_a_new_app(sandbox) -> None:
    cache = msal.SerializableTokenCache()
    device_sign_in(sandbox, make_app(sandbox, cache))
    restored = msal.SerializableTokenCache()
    restored.deserialize(cache.serialize())
    app = make_app(sandbox, restored)
    account = app.get_accounts()[0]
    result = app.acquire_token_silent(SCOPES, account=account, force_refresh=True)
    assert result and "access_token" in result


def test_revoked_refresh_token_gives_invalid_grant(sandbox) -> None:
    app = make_app(sandbox)
    device_sign_in(sandbox, app)
    sandbox.state.tokens.revoke_all_refresh("microsoft")
    result = app.acquire_token_silent_with_error(SCOPES, account=app.get_accounts()[0], force_refresh=True)
    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [50173]
    assert result["error_description"].startswith("AADSTS50173:")


def test_device_flow_declined(sandbox) -> None:
    app = make_app(sandbox)
    flow = app.initiate_device_flow(scopes=SCOPES)
    with sandbox.state.lock:
        for record in sandbox.state.tokens.device_codes.values():
            record["declined"] = True
    result = app.acquire_token_by_device_flow(flow)
    assert result["error"] == "authorization_declined"
    assert app.get_accounts() == []


def test_device_flow_expired(sandbox) -> None:
    app = make_app(sandbox)
    flow = app.initiate_device_flow(scopes=SCOPES)
    sandbox.state.clock.advance(901)
    result = app.acquire_token_by_device_flow(flow)
    assert result["error"] == "expired_token"
    assert result["error_codes"] == [70019]


def test_device_poll_errors_over_plain_http(sandbox) -> None:
    sandbox.state.config["device_interval_s"] = 5
    with sandbox.client() as c:
        dc = c.post(
            "/organizations/oauth2/v2.0/devicecode",
            data={"client_id": CLIENT_ID, "scope": "User.Read offline_access openid profile"},
        ).json()
        assert dc["interval"] == 5
        poll = {"grant_type": DEVICE_GRANT, "client_id": CLIENT_ID, "device_code": dc["device_code"]}
        first = c.post("/organizations/oauth2/v2.0/token", data=poll)
        assert first.status_code == 400
        body = first.json()
        assert body["error"] == "authorization_pending"
        assert body["error_codes"] == [70016]
        assert body["error_description"].startswith("AADSTS70016:")
        assert {"timestamp", "trace_id", "correlation_id", "error_uri"} <= set(body)
        assert first.headers["cache-control"] == "no-store"
        # Polling again at once is too fast.
        assert c.post("/organizations/oauth2/v2.0/token", data=poll).json()["error"] == "slow_down"
        unknown = c.post("/organizations/oauth2/v2.0/token", data={**poll, "device_code": "nope"}).json()
        assert unknown["error"] == "bad_verification_code"
        approve(sandbox, dc["user_code"])
        sandbox.state.clock.advance(10)
        ok = c.post("/organizations/oauth2/v2.0/token", data=poll)
        assert ok.status_code == 200, ok.text
        tokens = ok.json()
        assert {
            "token_type",
            "scope",
            "expires_in",
            "ext_expires_in",
            "access_token",
            "refresh_token",
            "id_token",
            "client_info",
        } <= set(tokens)
        info = json.loads(base64.urlsafe_b64decode(tokens["client_info"] + "=="))
        assert info == {"uid": sandbox.state.graph["user"]["id"], "utid": sandbox.state.graph["tenant_id"]}
        again = c.post("/organizations/oauth2/v2.0/token", data=poll).json()
        assert again["error"] == "invalid_grant"  # a device code is redeemed once


def test_token_endpoint_request_errors(sandbox) -> None:
    with sandbox.client() as c:
        url = "/common/oauth2/v2.0/token"
        r = c.post(url, data={"client_id": CLIENT_ID})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"
        assert "'grant_type'" in r.json()["error_description"]
        r = c.post(url, data={"client_id": CLIENT_ID, "grant_type": "password"})
        assert r.json()["error"] == "unsupported_grant_type" and r.json()["error_codes"] == [70003]
        r = c.post(
            url, data={"client_id": CLIENT_ID, "grant_type": "refresh_token", "refresh_token": "forged"}
        )
        assert r.json()["error"] == "invalid_grant"
        r = c.post(url, data={"grant_type": "refresh_token", "refresh_token": "x"})
        assert r.json()["error"] == "invalid_request"  # no client_id
        r = c.post(url, json={"grant_type": "refresh_token"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"
        r = c.post("/common/oauth2/v2.0/devicecode", data={"client_id": CLIENT_ID})
        assert r.json()["error"] == "invalid_request" and "'scope'" in r.json()["error_description"]


def test_refresh_rotates_and_old_refresh_token_stops_working(sandbox) -> None:
    sandbox.state.config["auto_approve"] = True
    with sandbox.client() as c:
        dc = c.post(
            "/common/oauth2/v2.0/devicecode",
            data={"client_id": CLIENT_ID, "scope": "User.Read offline_access openid"},
        ).json()
        tokens = c.post(
            "/common/oauth2/v2.0/token",
            data={"grant_type": DEVICE_GRANT, "client_id": CLIENT_ID, "device_code": dc["device_code"]},
        ).json()
        refresh = {
            "grant_type": "refresh_token",
            "client_id": CLIENT_ID,
            "refresh_token": tokens["refresh_token"],
            "scope": "User.Read offline_access",
        }
        new = c.post("/common/oauth2/v2.0/token", data=refresh)
        assert new.status_code == 200
        assert new.json()["refresh_token"] != tokens["refresh_token"]
        old = c.post("/common/oauth2/v2.0/token", data=refresh)
        assert old.json()["error"] == "invalid_grant"
        other = c.post(
            "/common/oauth2/v2.0/token",
            data={**refresh, "refresh_token": new.json()["refresh_token"], "client_id": "another-app"},
        )
        assert other.json()["error"] == "invalid_grant"


# ------------------------------------------------------- device page (a person)
def test_device_page_lets_a_person_allow_or_decline(sandbox) -> None:
    with sandbox.client() as c:
        dc = c.post(
            "/common/oauth2/v2.0/devicecode", data={"client_id": CLIENT_ID, "scope": "User.Read openid"}
        ).json()
        page = c.get(urlsplit(dc["verification_uri"]).path)
        assert page.status_code == 200 and "<form" in page.text and 'name="otc"' in page.text
        wrong = c.post(urlsplit(dc["verification_uri"]).path, data={"otc": "WRONGCODE", "action": "allow"})
        assert wrong.status_code == 400 and "recognised" in wrong.text
        code = dc["user_code"].lower()  # people type codes in any case
        ok = c.post("/common/oauth2/deviceauth", data={"otc": code, "action": "allow"})
        assert ok.status_code == 200 and "signed in" in ok.text
        tokens = c.post(
            "/common/oauth2/v2.0/token",
            data={
                "grant_type": DEVICE_GRANT,
                "client_id": CLIENT_ID,
                "device_code": dc["device_code"],
                "code": dc["device_code"],
            },
        )
        assert tokens.status_code == 200
        dc2 = c.post(
            "/common/oauth2/v2.0/devicecode", data={"client_id": CLIENT_ID, "scope": "User.Read"}
        ).json()
        c.post("/devicelogin", data={"otc": dc2["user_code"], "action": "deny"})
        declined = c.post(
            "/common/oauth2/v2.0/token",
            data={"grant_type": DEVICE_GRANT, "client_id": CLIENT_ID, "device_code": dc2["device_code"]},
        ).json()
        assert declined["error"] == "authorization_declined"


# ------------------------------------------------------------ auth code + PKCE
def _hidden_fields(page: str) -> dict[str, str]:
    return {
        html.unescape(k): html.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }


def _browser_allow(sandbox, auth_uri: str) -> dict:
    """Act as the person's browser: open the sign-in page, press Accept, and hand back what
    reaches the redirect URI (from a 302's query, or a form_post page's fields)."""
    with sandbox.client() as c:
        page = c.get(auth_uri)
        assert page.status_code == 200 and 'value="allow"' in page.text
        resp = c.post(urlsplit(auth_uri).path, data={**_hidden_fields(page.text), "action": "allow"})
    if resp.status_code == 302:
        return {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["location"]).query).items()}
    assert resp.status_code == 200 and 'method="post"' in resp.text, resp.text
    return _hidden_fields(resp.text)


def test_msal_auth_code_flow_with_pkce(sandbox) -> None:
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(
        SCOPES, redirect_uri="http://localhost:53117", response_mode="form_post"
    )
    assert flow["code_verifier"]
    auth_response = _browser_allow(sandbox, flow["auth_uri"])
    assert auth_response["state"] == flow["state"]
    assert "client_info" in auth_response
    result = app.acquire_token_by_auth_code_flow(flow, auth_response)
    assert "access_token" in result, result
    assert result["id_token_claims"]["nonce"]  # MSAL checked it against its own
    assert app.get_accounts()
    assert graph_me(sandbox, result["access_token"]).status_code == 200
    again = app.acquire_token_silent(SCOPES, account=app.get_accounts()[0], force_refresh=True)
    assert again and "access_token" in again


def test_auth_code_is_single_use_and_checks_verifier_and_redirect(sandbox) -> None:
    sandbox.state.config["auto_approve"] = True
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    redirect = "http://127.0.0.1:8400/callback"
    sandbox.state.config["entra_redirect_uris"] = ["http://127.0.0.1/callback"]  # any port matches
    with sandbox.client() as c:

        def authorize(**extra):
            params = {
                "client_id": CLIENT_ID,
                "response_type": "code",
                "redirect_uri": redirect,
                "scope": "openid offline_access User.Read",
                "state": "s1",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                **extra,
            }
            r = c.get("/common/oauth2/v2.0/authorize", params=params)
            assert r.status_code == 302, r.text
            return {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}

        code = authorize()["code"]
        token = {
            "grant_type": "authorization_code",
            "client_id": CLIENT_ID,
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        }
        bad_verifier = c.post("/common/oauth2/v2.0/token", data={**token, "code_verifier": "x" * 43})
        assert bad_verifier.json()["error"] == "invalid_grant"
        assert bad_verifier.json()["error_codes"] == [501481]
        bad_redirect = c.post(
            "/common/oauth2/v2.0/token", data={**token, "redirect_uri": "http://127.0.0.1:9999/other"}
        )
        assert bad_redirect.json()["error"] == "invalid_grant"
        ok = c.post("/common/oauth2/v2.0/token", data=token)
        assert ok.status_code == 200, ok.text
        assert "refresh_token" in ok.json()
        reused = c.post("/common/oauth2/v2.0/token", data=token).json()
        assert reused["error"] == "invalid_grant" and reused["error_codes"] == [54005]

        # The plain method: the verifier is the challenge.
        plain = authorize(
            code_challenge="plainplainplainplainplainplainplainplainplain", code_challenge_method="plain"
        )["code"]
        ok = c.post(
            "/common/oauth2/v2.0/token",
            data={**token, "code": plain, "code_verifier": "plainplainplainplainplainplainplainplainplain"},
        )
        assert ok.status_code == 200, ok.text

        # Unsupported response types come back on the redirect, bad redirect URIs do not.
        r = c.get(
            "/common/oauth2/v2.0/authorize",
            params={
                "client_id": CLIENT_ID,
                "response_type": "token",
                "redirect_uri": redirect,
                "scope": "User.Read",
                "state": "s2",
            },
        )
        assert r.status_code == 302
        q = parse_qs(urlsplit(r.headers["location"]).query)
        assert q["error"] == ["unsupported_response_type"] and q["state"] == ["s2"]
        r = c.get(
            "/common/oauth2/v2.0/authorize",
            params={
                "client_id": CLIENT_ID,
                "response_type": "code",
                "redirect_uri": "http://evil.example/cb",
                "scope": "User.Read",
            },
        )
        assert r.status_code == 400 and "AADSTS50011" in r.text


def test_authorize_cancel_redirects_with_access_denied(sandbox) -> None:
    with sandbox.client() as c:
        r = c.post(
            "/common/oauth2/v2.0/authorize",
            data={
                "client_id": CLIENT_ID,
                "response_type": "code",
                "redirect_uri": "http://localhost:8123",
                "scope": "User.Read",
                "state": "xyz",
                "action": "deny",
            },
        )
    assert r.status_code == 302
    q = parse_qs(urlsplit(r.headers["location"]).query)
    assert q["error"] == ["access_denied"] and q["state"] == ["xyz"]
    assert q["error_description"][0].startswith("AADSTS65004")


def test_logout_page_and_redirect(sandbox) -> None:
    with sandbox.client() as c:
        assert c.get("/common/oauth2/v2.0/logout").status_code == 200
        r = c.get(
            "/common/oauth2/v2.0/logout", params={"post_logout_redirect_uri": "http://localhost:8123/bye"}
        )
        assert r.status_code == 302 and r.headers["location"] == "http://localhost:8123/bye"


def test_id_token_is_a_decodable_jwt(sandbox) -> None:
    app = make_app(sandbox)
    result = device_sign_in(sandbox, app)
    header = json.loads(base64.urlsafe_b64decode(result["id_token"].split(".")[0] + "=="))
    assert header["typ"] == "JWT"
    claims = decode_jwt(result["id_token"])
    assert claims["exp"] > claims["iat"] >= claims["nbf"] - 1
    assert claims["ver"] == "2.0" and claims["sub"]
