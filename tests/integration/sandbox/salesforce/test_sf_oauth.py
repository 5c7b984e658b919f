"""Salesforce OAuth on the sandbox, end to end over HTTPS: the web-server flow with PKCE (the
test plays the browser), the device flow, refresh, revoke, userinfo and the identity URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from salesforce_support import API, CLIENT_ID, sf_client, user_id

from sandbox.salesforce.oauth_tokens import SIGNATURE_SECRET

REDIRECT = "http://localhost:1717/OauthRedirect"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


class FormReader(HTMLParser):
    """The first form of a page: action, hidden/text inputs and the select's options."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.options: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and not self.action:
            self.action = a.get("action", "")
        elif tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "option":
            self.options.append(a.get("value", ""))


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def authorize_params(challenge: str, **extra) -> dict:
    return {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "api refresh_token openid",
        "state": "xyz 42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def browser_sign_in(c: httpx.Client, challenge: str, user: str, action: str = "allow", **extra) -> dict:
    """Open the authorize page, submit its form as ``user``; return the redirect's parameters."""
    page = c.get("/services/oauth2/authorize", params=authorize_params(challenge, **extra))
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    form = read_form(page.text)
    assert user in form.options
    reply = c.post(form.action, data={**form.fields, "user": user, "action": action})
    assert reply.status_code == 302
    location = reply.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def exchange(c: httpx.Client, code: str, verifier: str | None, redirect: str = REDIRECT) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT_ID,
        "redirect_uri": redirect,
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    return c.post("/services/oauth2/token", data=data)


def oauth_error(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert response.headers["cache-control"] == "no-store"
    return body["error"]


def test_web_server_flow_with_pkce_end_to_end(sandbox) -> None:
    colleague = user_id(sandbox, "sokafor")
    verifier, challenge = pkce_pair()
    with sandbox.client() as c:
        back = browser_sign_in(c, challenge, colleague)
        assert back["state"] == "xyz 42" and back["code"]
        before_ms = int(sandbox.state.now().timestamp() * 1000)
        reply = exchange(c, back["code"], verifier)
        assert reply.status_code == 200, reply.text
        assert reply.headers["cache-control"] == "no-store"
        tok = reply.json()
        assert list(tok) == [
            "access_token",
            "refresh_token",
            "signature",
            "scope",
            "id_token",
            "instance_url",
            "id",
            "token_type",
            "issued_at",
        ]
        org = sandbox.state.sf["org_id"]
        assert (
            re.fullmatch(rf"{org[:15]}![A-Za-z0-9._]+", tok["access_token"]) and "!AQ" in tok["access_token"]
        )
        assert tok["refresh_token"].startswith("5Aep")
        assert tok["instance_url"] == sandbox.base_url
        assert tok["id"] == f"{sandbox.base_url}/id/{org}/{colleague}"
        assert tok["token_type"] == "Bearer" and tok["scope"] == "api refresh_token openid"
        assert tok["issued_at"].isdigit() and abs(int(tok["issued_at"]) - before_ms) < 5000
        expected = base64.b64encode(
            hmac.new(SIGNATURE_SECRET, (tok["id"] + tok["issued_at"]).encode(), hashlib.sha256).digest()
        )
        assert tok["signature"] == expected.decode()
        assert tok["id_token"].count(".") == 2

        bearer = {"Authorization": f"Bearer {tok['access_token']}"}
        info = c.get("/services/oauth2/userinfo", headers=bearer).json()
        assert info["user_id"] == colleague and info["organization_id"] == org
        assert info["preferred_username"] == "sam.okafor@northwind-demo.example.sfdc"
        ident = c.get(urlsplit(tok["id"]).path, headers=bearer).json()
        assert ident["user_id"] == colleague and ident["asserted_user"] is True
        assert ident["urls"]["rest"] == f"{sandbox.base_url}/services/data/v{{version}}/"
        assert ident["urls"]["query"].endswith("/services/data/v{version}/query/")
        # The token works on the REST API as the user who signed in.
        me = c.get(
            f"{API}/query", params={"q": "SELECT Id FROM User WHERE Alias = 'sokafor'"}, headers=bearer
        )
        assert me.status_code == 200 and me.json()["records"][0]["Id"] == colleague


def test_authorization_code_works_once_and_only_with_its_redirect_uri(sandbox) -> None:
    verifier, challenge = pkce_pair()
    with sandbox.client() as c:
        code = browser_sign_in(c, challenge, sandbox.state.sf["me"])["code"]
        assert (
            oauth_error(exchange(c, code, verifier, redirect="http://localhost:9999/cb"))
            == "redirect_uri_mismatch"
        )
        assert exchange(c, code, verifier).status_code == 200
        assert oauth_error(exchange(c, code, verifier)) == "invalid_grant"
        code = browser_sign_in(c, challenge, sandbox.state.sf["me"])["code"]
        sandbox.state.clock.advance(16 * 60)
        assert oauth_error(exchange(c, code, verifier)) == "invalid_grant"


def test_pkce_mismatch_is_invalid_request_and_missing_verifier_is_invalid_grant(sandbox) -> None:
    verifier, challenge = pkce_pair()
    with sandbox.client() as c:
        code = browser_sign_in(c, challenge, sandbox.state.sf["me"])["code"]
        assert oauth_error(exchange(c, code, "not-the-verifier-" + "x" * 40)) == "invalid_request"
        assert oauth_error(exchange(c, code, None)) == "invalid_grant"
        assert exchange(c, code, verifier).status_code == 200  # failed attempts do not use the code up


def test_deny_redirects_with_access_denied_and_the_state(sandbox) -> None:
    _, challenge = pkce_pair()
    with sandbox.client() as c:
        back = browser_sign_in(c, challenge, sandbox.state.sf["me"], action="deny")
    assert back == {
        "error": "access_denied",
        "error_description": "end-user denied authorization",
        "state": "xyz 42",
    }


def test_bad_client_or_redirect_uri_get_an_error_page_not_a_redirect(sandbox) -> None:
    _, challenge = pkce_pair()
    with sandbox.client() as c:
        r = c.get("/services/oauth2/authorize", params=authorize_params(challenge, client_id="bogus"))
        assert r.status_code == 400 and "location" not in r.headers
        assert "error=invalid_client_id" in r.text
        for bad in ("http://evil.example/cb", "", "/relative"):
            r = c.get("/services/oauth2/authorize", params=authorize_params(challenge, redirect_uri=bad))
            assert r.status_code == 400 and "location" not in r.headers
            assert "redirect_uri_mismatch" in r.text


@pytest.mark.parametrize(
    "extra, error",
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
    ],
)
def test_request_errors_go_back_to_the_redirect_uri(sandbox, extra: dict, error: str) -> None:
    _, challenge = pkce_pair()
    with sandbox.client() as c:
        r = c.get("/services/oauth2/authorize", params=authorize_params(challenge, **extra))
    assert r.status_code == 302
    back = parse_qs(urlsplit(r.headers["location"]).query)
    assert back["error"] == [error] and back["state"] == ["xyz 42"]


def test_auto_approve_redirects_at_once_as_the_default_user(sandbox) -> None:
    sandbox.state.config["auto_approve"] = True
    verifier, challenge = pkce_pair()
    with sandbox.client() as c:
        r = c.get("/services/oauth2/authorize", params=authorize_params(challenge))
        assert r.status_code == 302
        code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
        tok = exchange(c, code, verifier).json()
    assert tok["id"].endswith("/" + sandbox.state.sf["me"])


def start_device(c: httpx.Client, client_id: str = CLIENT_ID) -> httpx.Response:
    return c.post(
        "/services/oauth2/token",
        data={"response_type": "device_code", "client_id": client_id, "scope": "api refresh_token"},
    )


def poll(c: httpx.Client, device_code: str) -> httpx.Response:
    return c.post(
        "/services/oauth2/token", data={"grant_type": "device", "client_id": CLIENT_ID, "code": device_code}
    )


def test_device_flow_pending_slow_down_then_approved(sandbox) -> None:
    with sandbox.client() as c:
        start = start_device(c)
        assert start.status_code == 200
        flow = start.json()
        assert set(flow) == {"device_code", "user_code", "verification_uri", "interval"}
        assert flow["verification_uri"] == f"{sandbox.base_url}/setup/connect"
        assert flow["interval"] == sandbox.state.config["device_interval_s"]
        assert oauth_error(poll(c, flow["device_code"])) == "authorization_pending"
        assert oauth_error(poll(c, flow["device_code"])) == "slow_down"
        sandbox.state.clock.advance(flow["interval"])
        assert oauth_error(poll(c, flow["device_code"])) == "authorization_pending"
        colleague = user_id(sandbox, "sokafor")
        sandbox.state.tokens.device_codes[flow["device_code"]]["approved_user"] = colleague
        tok = poll(c, flow["device_code"])
        assert tok.status_code == 200 and tok.json()["id"].endswith("/" + colleague)
        assert "refresh_token" in tok.json()
        assert oauth_error(poll(c, flow["device_code"])) == "invalid_grant"  # used up


def test_device_flow_through_the_connect_page(sandbox) -> None:
    with sandbox.client() as c:
        flow = start_device(c).json()
        page = c.get("/setup/connect")
        assert page.status_code == 200
        form = read_form(page.text)
        wrong = c.post(
            form.action, data={"user_code": "NOPE1234", "user": sandbox.state.sf["me"], "action": "allow"}
        )
        assert wrong.status_code == 400 and "not valid" in wrong.text
        ok = c.post(
            form.action,
            data={"user_code": flow["user_code"].lower(), "user": sandbox.state.sf["me"], "action": "allow"},
        )
        assert ok.status_code == 200 and "connected" in ok.text
        assert poll(c, flow["device_code"]).status_code == 200


def test_device_flow_denied_expired_and_auto_approved(sandbox) -> None:
    with sandbox.client() as c:
        denied = start_device(c).json()
        c.post(
            "/setup/connect",
            data={"user_code": denied["user_code"], "user": sandbox.state.sf["me"], "action": "deny"},
        )
        assert oauth_error(poll(c, denied["device_code"])) == "access_denied"
        late = start_device(c).json()
        sandbox.state.clock.advance(11 * 60)
        assert oauth_error(poll(c, late["device_code"])) == "expired_token"
        assert oauth_error(start_device(c, client_id="bogus")) == "invalid_client_id"
        sandbox.state.config["auto_approve"] = True
        auto = start_device(c).json()
        assert poll(c, auto["device_code"]).status_code == 200


def test_refresh_gives_no_new_refresh_token_and_revoke_ends_the_grant(sandbox) -> None:
    verifier, challenge = pkce_pair()
    with sandbox.client() as c:
        tok = exchange(c, browser_sign_in(c, challenge, sandbox.state.sf["me"])["code"], verifier).json()
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": tok["refresh_token"],
            "client_id": CLIENT_ID,
        }
        again = c.post("/services/oauth2/token", data=refresh)
        assert again.status_code == 200
        fresh = again.json()
        assert "refresh_token" not in fresh and fresh["access_token"] != tok["access_token"]
        assert fresh["instance_url"] == sandbox.base_url
        with sf_client(sandbox, token=fresh["access_token"]) as api:
            assert api.get("limits").status_code == 200
        assert c.post("/services/oauth2/revoke", data={"token": tok["refresh_token"]}).status_code == 200
        assert oauth_error(c.post("/services/oauth2/token", data=refresh)) == "invalid_grant"
        assert (
            c.post("/services/oauth2/token", data=refresh).json()["error_description"]
            == "expired access/refresh token"
        )
        with sf_client(sandbox, token=fresh["access_token"]) as api:  # revoking took its access tokens
            assert api.get("limits").status_code == 401


def test_revoke_an_access_token_and_an_unknown_one(sandbox) -> None:
    verifier, challenge = pkce_pair()
    with sandbox.client() as c:
        tok = exchange(c, browser_sign_in(c, challenge, sandbox.state.sf["me"])["code"], verifier).json()
        r = c.post("/services/oauth2/revoke", data={"token": tok["access_token"]})
        assert r.status_code == 200 and r.content == b""
        with sf_client(sandbox, token=tok["access_token"]) as api:
            assert api.get("limits").status_code == 401
        assert (
            oauth_error(c.post("/services/oauth2/revoke", data={"token": "nope"})) == "unsupported_token_type"
        )


def test_token_endpoint_errors(sandbox) -> None:
    with sandbox.client() as c:
        assert (
            oauth_error(c.post("/services/oauth2/token", data={"grant_type": "password"}))
            == "unsupported_grant_type"
        )
        assert (
            oauth_error(
                c.post(
                    "/services/oauth2/token",
                    data={"grant_type": "refresh_token", "refresh_token": "5Aepnope", "client_id": CLIENT_ID},
                )
            )
            == "invalid_grant"
        )
        assert (
            oauth_error(
                c.post(
                    "/services/oauth2/token",
                    data={
                        "grant_type": "authorization_code",
                        "code": "nope",
                        "client_id": CLIENT_ID,
                        "redirect_uri": REDIRECT,
                    },
                )
            )
            == "invalid_grant"
        )
        assert c.get("/services/oauth2/userinfo", headers={"Authorization": "Bearer nope"}).status_code == 403


def test_scope_decides_refresh_and_id_tokens(sandbox) -> None:
    verifier, challenge = pkce_pair()
    with sandbox.client() as c:
        code = browser_sign_in(c, challenge, sandbox.state.sf["me"], scope="api")["code"]
        tok = exchange(c, code, verifier).json()
    assert "refresh_token" not in tok and "id_token" not in tok and tok["scope"] == "api"


def test_instance_url_follows_the_host_the_client_used(sandbox) -> None:
    port = urlsplit(sandbox.base_url).port
    verifier, challenge = pkce_pair()
    with httpx.Client(base_url=f"https://localhost:{port}", verify=sandbox.ssl_context()) as c:
        code = browser_sign_in(c, challenge, sandbox.state.sf["me"])["code"]
        tok = exchange(c, code, verifier).json()
    assert tok["instance_url"] == f"https://localhost:{port}"
    assert tok["id"].startswith(f"https://localhost:{port}/id/")


def test_expired_access_token_gets_401_and_refresh_recovers(sandbox) -> None:
    verifier, challenge = pkce_pair()
    with sandbox.client() as c:
        tok = exchange(c, browser_sign_in(c, challenge, sandbox.state.sf["me"])["code"], verifier).json()
        sandbox.state.tokens.expire_access("salesforce")
        with sf_client(sandbox, token=tok["access_token"]) as api:
            r = api.get("limits")
        assert r.status_code == 401
        assert r.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        fresh = c.post(
            "/services/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": CLIENT_ID,
                "refresh_token": tok["refresh_token"],
            },
        ).json()
        with sf_client(sandbox, token=fresh["access_token"]) as api:
            assert api.get("limits").status_code == 200


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_defining_remote_access_applications.htm"
)
@pytest.mark.doc("https://help.salesforce.com/s/articleView?id=001122778&language=en_US&type=1")
def test_only_the_connected_apps_registered_callback_urls_are_accepted(sandbox) -> None:
    _, challenge = pkce_pair()
    sandbox.control("config", {"sf_callback_urls": [REDIRECT]})
    with sandbox.client() as c:
        for other in (
            "http://localhost:1718/OauthRedirect",  # another port
            "http://127.0.0.1:1717/OauthRedirect",  # another host name for the same loopback
            "http://localhost:1717/oauth",  # another path
            "https://localhost:1717/OauthRedirect",
        ):
            r = c.get("/services/oauth2/authorize", params=authorize_params(challenge, redirect_uri=other))
            assert r.status_code == 400 and "location" not in r.headers, other
            assert "redirect_uri_mismatch" in r.text
        r = c.get("/services/oauth2/authorize", params=authorize_params(challenge))
        assert r.status_code == 200  # the registered one: the sign-in page
        sandbox.control("config", {"sf_callback_urls": [REDIRECT, "http://localhost:1718/OauthRedirect"]})
        r = c.get(
            "/services/oauth2/authorize",
            params=authorize_params(challenge, redirect_uri="http://localhost:1718/OauthRedirect"),
        )
        assert r.status_code == 200
