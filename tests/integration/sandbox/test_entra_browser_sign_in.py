"""The sandbox's Entra ID for the browser sign-in of a public client: the app registration's
redirect URIs (localhost with any port), and a tenant whose Conditional Access blocks the
device code flow."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

CLIENT_ID = "3f1e8b1c-5d55-4a3b-9a7e-0c2f3b1e9d42"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def authorize(sandbox, redirect_uri: str, **extra: str):
    with sandbox.client() as c:
        return c.get(
            "/organizations/oauth2/v2.0/authorize",
            params={
                "client_id": CLIENT_ID,
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "scope": "openid offline_access User.Read",
                "state": "st",
                "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method": "S256",
                **extra,
            },
        )


@pytest.mark.doc("https://learn.microsoft.com/en-us/entra/identity-platform/reply-url")
def test_a_registered_localhost_redirect_matches_any_port(sandbox) -> None:
    sandbox.state.config["auto_approve"] = True
    for port in (50123, 8080):
        r = authorize(sandbox, f"http://localhost:{port}")
        assert r.status_code == 302, r.text
        location = urlsplit(r.headers["location"])
        # No path registered: the redirect comes back with a trailing slash.
        assert (location.scheme, location.netloc, location.path) == ("http", f"localhost:{port}", "/")
        assert parse_qs(location.query)["state"] == ["st"] and parse_qs(location.query)["code"]


@pytest.mark.doc("https://learn.microsoft.com/en-us/entra/identity-platform/reply-url")
def test_an_unregistered_redirect_is_refused_on_entras_page(sandbox) -> None:
    sandbox.state.config["auto_approve"] = True
    for uri in (
        "http://localhost:50123/other",  # the path is part of the match
        "http://127.0.0.1:50123",  # not registered (only http://localhost is)
        "http://[::1]:50123",  # the IPv6 loopback is not supported
        "https://app.example/callback",
    ):
        r = authorize(sandbox, uri)
        assert r.status_code == 400, uri
        assert "location" not in r.headers  # the code never goes to an unregistered address
        assert "AADSTS50011" in r.text and "does not match the redirect URIs" in r.text
    sandbox.control("config", {"entra_redirect_uris": ["http://127.0.0.1/cb"]})
    assert authorize(sandbox, "http://127.0.0.1:4711/cb").status_code == 302
    assert authorize(sandbox, "http://localhost:4711").status_code == 400


def _device_code(c) -> dict:
    r = c.post(
        "/organizations/oauth2/v2.0/devicecode",
        data={"client_id": CLIENT_ID, "scope": "openid offline_access User.Read"},
    )
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.doc(
    "https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-block-authentication-flows"
)
@pytest.mark.doc("https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes")
def test_conditional_access_blocks_the_device_code_flow_with_53003(sandbox) -> None:
    sandbox.control("config", {"entra_block_device_code": True, "device_interval_s": 1})
    with sandbox.client() as c:
        code = _device_code(c)  # handing out a code asks no policy: nobody has signed in yet
        poll = {"grant_type": DEVICE_GRANT, "client_id": CLIENT_ID, "device_code": code["device_code"]}
        assert (
            c.post("/organizations/oauth2/v2.0/token", data=poll).json()["error"] == "authorization_pending"
        )
        page = c.post("/devicelogin", data={"otc": code["user_code"], "action": "allow"})
        assert page.status_code == 200
        assert "have access to this" in page.text and "Error Code: 53003" in page.text
        r = c.post("/organizations/oauth2/v2.0/token", data=poll)
    assert r.status_code == 400
    body = r.json()
    assert body["error_codes"] == [53003] and body["error"] == "interaction_required"
    assert re.match(
        r"AADSTS53003: Access has been blocked by Conditional Access policies", body["error_description"]
    )
    assert "access_token" not in body


def test_without_the_policy_the_device_code_signs_in(sandbox) -> None:
    sandbox.control("config", {"device_interval_s": 1})
    with sandbox.client() as c:
        code = _device_code(c)
        page = c.post("/devicelogin", data={"otc": code["user_code"], "action": "allow"})
        assert "signed in" in page.text and "53003" not in page.text
        r = c.post(
            "/organizations/oauth2/v2.0/token",
            data={"grant_type": DEVICE_GRANT, "client_id": CLIENT_ID, "device_code": code["device_code"]},
        )
    assert r.status_code == 200 and r.json()["access_token"]


def test_the_switch_is_a_config_key_and_a_serve_option(sandbox) -> None:
    import main

    assert sandbox.control("config", {})["entra_block_device_code"] is False
    args = main.build_parser().parse_args(["sandbox", "serve", "--entra-block-device-code"])
    assert args.entra_block_device_code is True
