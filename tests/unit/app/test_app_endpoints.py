"""Endpoints, the sandbox's CA choice, login hosts and profile paths."""

from __future__ import annotations

import argparse

import pytest
import trustme

from app import redaction
from app.cli.accounts import UsageError, context_from_args
from app.endpoints import EndpointError, Endpoints, salesforce_login_url


def test_login_hosts() -> None:
    assert salesforce_login_url(None) == "https://login.salesforce.com"
    assert salesforce_login_url("test") == "https://test.salesforce.com"
    assert salesforce_login_url("acme.my.salesforce.com") == "https://acme.my.salesforce.com"
    with pytest.raises(EndpointError):
        salesforce_login_url("http://acme.my.salesforce.com")


def test_sandbox_needs_https_and_a_ca_file(tmp_path) -> None:
    ca = tmp_path / "ca.pem"
    with pytest.raises(EndpointError, match="--sandbox-ca"):
        Endpoints.for_sandbox("https://127.0.0.1:8443", None)
    with pytest.raises(EndpointError, match="does not exist"):
        Endpoints.for_sandbox("https://127.0.0.1:8443", ca)
    trustme.CA().cert_pem.write_to_path(str(ca))  # a real certificate: an empty file is refused
    with pytest.raises(EndpointError, match="https"):
        Endpoints.for_sandbox("http://127.0.0.1:8443", ca)
    e = Endpoints.for_sandbox("https://127.0.0.1:8443/", ca)
    assert (e.authority, e.graph_url, e.salesforce_login_url) == (
        "https://127.0.0.1:8443/common",
        "https://127.0.0.1:8443/v1.0",
        "https://127.0.0.1:8443",
    )
    assert e.sandbox and e.ca_file == str(ca)


def test_production_defaults() -> None:
    e = Endpoints.production()
    assert e.authority == "https://login.microsoftonline.com/common" and not e.sandbox
    assert e.ssl_context().verify_mode.name == "CERT_REQUIRED"


def test_context_reads_flags_then_environment(tmp_path, monkeypatch) -> None:
    ca = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))  # a real certificate: an empty file is refused
    monkeypatch.setenv("TANDEM_SANDBOX_URL", "https://127.0.0.1:1")
    monkeypatch.setenv("TANDEM_SANDBOX_CA", str(ca))
    try:
        ctx = context_from_args(argparse.Namespace(profile=str(tmp_path / "p")))
        assert ctx.endpoints.sandbox and ctx.paths.sandbox
        assert ctx.endpoints.salesforce_login_url == "https://127.0.0.1:1"
        ctx = context_from_args(
            argparse.Namespace(
                profile=str(tmp_path / "p"), sandbox_url="https://127.0.0.1:2", sandbox_ca=str(ca)
            )
        )
        assert ctx.endpoints.salesforce_login_url == "https://127.0.0.1:2"
        monkeypatch.delenv("TANDEM_SANDBOX_CA")
        with pytest.raises(UsageError):
            context_from_args(argparse.Namespace(profile=str(tmp_path / "p")))
        monkeypatch.delenv("TANDEM_SANDBOX_URL")
        ctx = context_from_args(argparse.Namespace(profile=str(tmp_path / "p")))
        assert not ctx.endpoints.sandbox and not ctx.paths.sandbox
        assert ctx.paths.root == (tmp_path / "p").resolve() and ctx.paths.root.is_dir()
    finally:
        redaction.uninstall()


def test_salesforce_login_host_setting(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TANDEM_SANDBOX_URL", raising=False)
    monkeypatch.setenv("TANDEM_SALESFORCE_CLIENT_ID", "3MVG9real.consumer.key")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    try:
        ctx = context_from_args(argparse.Namespace(profile=str(tmp_path / "p")))
        assert ctx.salesforce("test").login_url == "https://test.salesforce.com"
        assert ctx.salesforce("acme.my.salesforce.com").login_url == "https://acme.my.salesforce.com"
        assert ctx.salesforce().login_url == "https://login.salesforce.com"
    finally:
        redaction.uninstall()


def test_account_settings_from_the_settings_service() -> None:
    from app.cli.accounts import AccountSettings

    values = {
        "accounts.microsoft_client_id": "11111111-2222-3333-4444-555555555555",
        "accounts.microsoft_authority": None,
        "accounts.salesforce_login_host": "https://acme.my.salesforce.com",
        "accounts.salesforce_client_id": "",
    }

    class FakeSettings:
        def get(self, key):
            return values[key]

    s = AccountSettings.from_settings(FakeSettings())
    assert s.outlook_client_id == values["accounts.microsoft_client_id"]
    assert s.outlook_authority is None and s.salesforce_client_id is None
    assert s.salesforce_login_host == "https://acme.my.salesforce.com"
