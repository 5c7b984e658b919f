"""``login --check``: per service, what is configured and what is wrong, in plain words, read
from the authorities' discovery documents and the connected app's sign-in page, with nothing
signed in and no token stored."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import ssl
from pathlib import Path

import pytest

from app.auth.check import check_accounts
from app.cli.accounts import AccountsContext, AccountSettings
from app.endpoints import Endpoints
from app.paths import profile_paths


def _check(capsys, profile: Path, *extra: str) -> tuple[int, dict, str]:
    import main

    code = main.main(["login", "--check", "--json", "--profile", str(profile), *extra])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def _sandbox_env(sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("TANDEM_SANDBOX_CA", sandbox.ca_file)


def _context(sandbox, tmp_path: Path, **changes: str) -> AccountsContext:
    endpoints = dataclasses.replace(Endpoints.for_sandbox(sandbox.base_url, sandbox.ca_file), **changes)
    return AccountsContext(profile_paths(tmp_path / "p").ensure(), endpoints, AccountSettings())


def _by_what(findings) -> dict[tuple[str, str], object]:
    return {(f.service, f.what): f for f in findings}


def test_a_configured_profile_checks_clean_and_signs_nothing_in(
    sandbox, tmp_path, monkeypatch, capsys
) -> None:
    _sandbox_env(sandbox, monkeypatch)
    profile = tmp_path / "profile"
    code, report, err = _check(capsys, profile)
    assert code == 0, err
    assert report["outlook"]["ok"] and report["salesforce"]["ok"]
    whats = {c["what"] for c in report["salesforce"]["checks"]}
    assert whats == {"consumer key", "login address", "callback URL", "connected app"}
    assert "Outlook (Microsoft): ready to sign in" in err and "Salesforce: ready to sign in" in err
    assert not (profile / "accounts.json").exists() or json.loads(
        (profile / "accounts.json").read_text()
    ) in ({}, [])
    assert sandbox.state.tokens.auth_codes == {}  # the sign-in page was only looked at


def test_without_client_ids_each_service_says_what_is_missing(tmp_path, monkeypatch, capsys) -> None:
    for name in (
        "TANDEM_SANDBOX_URL",
        "TANDEM_SANDBOX_CA",
        "TANDEM_OUTLOOK_CLIENT_ID",
        "TANDEM_SALESFORCE_CLIENT_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    code, report, err = _check(capsys, tmp_path / "profile")
    assert code == 1
    (outlook,) = report["outlook"]["checks"]
    (salesforce,) = report["salesforce"]["checks"]
    assert outlook["ok"] is False and "client id" in outlook["words"] and "docs/ADMIN.md" in outlook["words"]
    assert salesforce["ok"] is False and "consumer key" in salesforce["words"]
    assert "needs attention" in err


def test_a_callback_the_connected_app_does_not_register_is_named(
    sandbox, tmp_path, monkeypatch, capsys
) -> None:
    _sandbox_env(sandbox, monkeypatch)
    profile = tmp_path / "profile"
    import main

    other = "http://localhost:1999/callback"
    assert (
        main.main(["settings", "set", "accounts.salesforce_callback_url", other, "--profile", str(profile)])
        == 0
    )
    monkeypatch.delenv("TANDEM_SALESFORCE_CALLBACK_URL", raising=False)
    capsys.readouterr()
    code, report, _ = _check(capsys, profile)
    assert code == 1
    app = next(c for c in report["salesforce"]["checks"] if c["what"] == "connected app")
    assert app["ok"] is False and other in app["words"] and "Callback URL" in app["words"]
    assert report["outlook"]["ok"]


def test_an_unknown_consumer_key_and_a_taken_port_are_named(sandbox, tmp_path, monkeypatch) -> None:
    ctx = _context(sandbox, tmp_path)
    callback = os.environ["TANDEM_SALESFORCE_CALLBACK_URL"]  # the suite's registered callback
    ctx.settings = AccountSettings(salesforce_client_id="not a key!", salesforce_callback_url=callback)
    port = int(callback.split(":")[2].split("/")[0])
    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # earlier sign-ins' TIME_WAIT
        busy.bind(("127.0.0.1", port))
        busy.listen()
        found = _by_what(check_accounts(ctx))
    assert found["salesforce", "connected app"].ok is False
    assert "does not know this consumer key" in found["salesforce", "connected app"].words
    assert found["salesforce", "callback URL"].ok is False
    assert f"port {port} is in use" in found["salesforce", "callback URL"].words


def test_an_unknown_tenant_and_a_login_address_that_is_not_salesforce(sandbox, tmp_path) -> None:
    ctx = _context(
        sandbox,
        tmp_path,
        authority=f"{sandbox.base_url}/no-such-tenant.example",
        salesforce_login_url=f"{sandbox.base_url}/not-a-login",
    )
    ctx.settings = AccountSettings(outlook_client_id="00000000-0000-0000-0000-000000000001")
    found = _by_what(check_accounts(ctx))
    assert found["outlook", "authority"].ok is False
    assert "does not know the tenant" in found["outlook", "authority"].words
    assert found["salesforce", "login address"].ok is False
    assert "did not answer as a Salesforce login (404)" in found["salesforce", "login address"].words


@pytest.mark.doc(
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_using_openid_discovery_endpoint.htm"
)
def test_the_login_host_serves_its_discovery_document_without_a_session(sandbox) -> None:
    import httpx

    with httpx.Client(verify=ssl.create_default_context(cafile=sandbox.ca_file)) as http:
        body = http.get(f"{sandbox.base_url}/.well-known/openid-configuration").json()
    assert body["authorization_endpoint"] == f"{sandbox.base_url}/services/oauth2/authorize"
    assert body["token_endpoint"] == f"{sandbox.base_url}/services/oauth2/token"
