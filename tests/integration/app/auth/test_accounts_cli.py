"""The accounts commands as main.py calls them: login, logout and status, with --json."""

from __future__ import annotations

import argparse
import json

import pytest
from accounts_helpers import make_browser

from app import redaction
from app.cli import accounts as accounts_cli


@pytest.fixture
def cli_env(sandbox, profile, memory_keyring, monkeypatch):
    monkeypatch.setenv("TANDEM_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("TANDEM_SANDBOX_CA", sandbox.ca_file)
    sandbox.control("config", {"auto_approve": True, "device_interval_s": 1})
    yield sandbox
    redaction.uninstall()


def args(profile, **kw) -> argparse.Namespace:
    base = dict(
        profile=str(profile),
        sandbox_url=None,
        sandbox_ca=None,
        json=True,
        device=False,
        service=None,
        login_host=None,
    )
    base.update(kw)
    return argparse.Namespace(**base)


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_login_status_logout_round_trip(cli_env, profile, capsys) -> None:
    sandbox = cli_env
    assert accounts_cli.login_outlook(args(profile)) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["ok"] and result["account"]["username"].lower().startswith("morgan.reyes")
    prompt = json.loads(captured.err.splitlines()[0])
    assert prompt["event"] == "device_code" and prompt["user_code"]

    assert accounts_cli.login_salesforce(args(profile, open_browser=make_browser(sandbox))) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["account"]["instance_url"].startswith("https://")

    assert accounts_cli.accounts_status(args(profile)) == 0
    captured = capsys.readouterr()
    status = json.loads(captured.out)["accounts"]
    assert status["outlook"]["connected"] and status["salesforce"]["connected"]
    assert status["salesforce"]["account"]["organization_id"].startswith("00D")
    assert "Salesforce: connected as Morgan Reyes" in captured.err

    assert accounts_cli.logout(args(profile, service="salesforce")) == 0
    assert json.loads(capsys.readouterr().out)["revoked"] is True
    assert accounts_cli.logout(args(profile, service="outlook")) == 0
    assert json.loads(capsys.readouterr().out)["forgotten"] is True
    assert accounts_cli.accounts_status(args(profile, json=False)) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Outlook: not connected" in captured.err and "Salesforce: not connected" in captured.err


def test_salesforce_device_login_human_output(cli_env, profile, capsys) -> None:
    assert accounts_cli.login_salesforce(args(profile, device=True, json=False)) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "enter the code" in captured.err and "Connected to Salesforce as Morgan Reyes" in captured.err


def test_sandbox_without_its_ca_is_a_usage_error(cli_env, profile, monkeypatch, capsys) -> None:
    monkeypatch.delenv("TANDEM_SANDBOX_CA")
    assert accounts_cli.login_outlook(args(profile)) == 2
    assert "--sandbox-ca" in capsys.readouterr().err


def test_no_keyring_is_a_typed_failure_before_the_user_acts(cli_env, profile, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    assert accounts_cli.login_salesforce(args(profile, device=True)) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"]["error"] == "KeyringUnavailable"
    assert "keyring" in captured.err and "device_code" not in captured.err
    assert not (profile / "sandbox-secrets.json").exists()


def test_production_without_a_client_id_says_what_to_do(profile, memory_keyring, monkeypatch, capsys) -> None:
    for name in ("TANDEM_SANDBOX_URL", "TANDEM_OUTLOOK_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    assert accounts_cli.login_outlook(args(profile, json=False)) == 1
    err = capsys.readouterr().err
    assert "administrator" in err and "client id" in err
    redaction.uninstall()


def test_logout_needs_a_service(profile, capsys) -> None:
    assert accounts_cli.logout(args(profile, service="gmail")) == 2


def test_sandbox_profile_uses_the_named_file_store(sandbox, profile, monkeypatch, capsys) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("TANDEM_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("TANDEM_SANDBOX_CA", sandbox.ca_file)
    sandbox.control("config", {"auto_approve": True, "device_interval_s": 1})
    try:
        assert accounts_cli.login_salesforce(args(profile, device=True)) == 0
    finally:
        redaction.uninstall()
    secrets_file = profile / "sandbox-secrets.json"
    assert secrets_file.exists() and (secrets_file.stat().st_mode & 0o077) == 0


@pytest.mark.parametrize(
    "target",
    [
        {"service": "entra", "method": "GET", "path": "/.well-known/openid-configuration"},
        {"service": "entra", "method": "POST", "path": "/devicecode"},
        {"service": "entra", "method": "GET", "path": "/.well-known/openid-configuration", "kind": "drop"},
    ],
    ids=["discovery-503", "devicecode-503", "discovery-drop"],
)
def test_an_outlook_sign_in_service_that_fails_gets_plain_words(cli_env, profile, capsys, target) -> None:
    """Entra's discovery document or device-code endpoint answering 503 (or not at all) used
    to end in a raw MsalServiceError traceback."""
    cli_env.control("faults", {"targets": [{"kind": "503", "times": 50, **target}]})
    code = accounts_cli.login_outlook(args(profile))
    captured = capsys.readouterr()
    assert code == 1
    error = last_json(captured.out)["error"]
    assert error["message"] and "Traceback" not in captured.err
    assert error["error"] in ("ServiceUnavailable", "NetworkDown"), error
    assert error["action"] == "retry"
