"""The proxy setting: what it accepts, and that the policy file's value reaches the connections."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.accounts import AccountsContext, AccountSettings
from app.endpoints import Endpoints
from app.paths import profile_paths
from app.policy import read_policy_file
from app.settings import SPECS, InvalidSetting, SettingLocked, Settings
from sync.network import NetworkContext, http_client, proxy_host, system_proxy
from sync.store import Store


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "tandem.sqlite3")
    yield s
    s.close()


@pytest.mark.parametrize(
    "raw",
    ["http://proxy.corp.example:8080", "https://proxy.corp.example:3129/", "http://u:p%40ss@10.0.0.1:3128"],
)
def test_a_proxy_address_is_accepted(raw: str) -> None:
    assert SPECS["network.proxy"].parse(raw) == raw


@pytest.mark.parametrize("raw", ["proxy.corp.example:8080", "socks5://proxy:1080", "http://proxy:8080/path"])
def test_a_proxy_that_is_not_an_http_address_is_refused_in_words(raw: str) -> None:
    with pytest.raises(InvalidSetting, match="use an address like http://proxy.example.com:8080"):
        SPECS["network.proxy"].parse(raw)


def test_empty_means_the_systems_proxy() -> None:
    assert SPECS["network.proxy"].parse("") is None and SPECS["network.proxy"].default is None


def test_the_policy_files_proxy_is_the_one_connections_use(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "tandem-policy.toml"
    path.write_text('[locked]\n"network.proxy" = "http://proxy.corp.example:8080"\n', encoding="utf-8")
    settings = Settings(store, read_policy_file(path))
    with pytest.raises(SettingLocked):
        settings.set("network.proxy", "http://elsewhere.example:3128")
    accounts = AccountsContext(
        profile_paths(tmp_path / "p"), Endpoints.production(), AccountSettings.from_settings(settings)
    )
    context = accounts.endpoints.ssl_context()
    assert isinstance(context, NetworkContext) and context.proxy == "http://proxy.corp.example:8080"


def test_no_setting_leaves_the_proxy_to_the_system(tmp_path: Path, store: Store, monkeypatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("https_proxy", "proxy.corp.example:3128")  # no scheme: http, as curl reads it
    monkeypatch.setenv("no_proxy", "localhost,.corp.example,10.1.2.3,::1")
    accounts = AccountsContext(
        profile_paths(tmp_path / "p"), Endpoints.production(), AccountSettings.from_settings(Settings(store))
    )
    assert accounts.endpoints.ssl_context().proxy is None
    assert system_proxy() == (
        "http://proxy.corp.example:3128",
        ["all://localhost", "all://*.corp.example", "all://10.1.2.3", "all://[::1]"],
    )
    monkeypatch.setenv("no_proxy", "*")
    assert system_proxy() == (None, [])
    monkeypatch.setenv("no_proxy", "")
    monkeypatch.setenv("https_proxy", "socks5://proxy.corp.example:1080")  # not an http proxy
    assert system_proxy() == (None, [])


def test_what_is_said_of_a_proxy_leaves_out_its_password() -> None:
    assert proxy_host("http://alice:s3cret@proxy.corp.example:8080") == "proxy.corp.example:8080"
    assert proxy_host("http://proxy.corp.example") == "proxy.corp.example"


def test_a_proxy_password_stays_out_of_the_logs_and_the_diagnostics(
    sandbox, tmp_path: Path, monkeypatch
) -> None:
    from app import diagnostics, redaction
    from app.context import AppContext

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "accounts_keyring.MemoryKeyring")
    ctx = AppContext.open(tmp_path / "p", sandbox_url=sandbox.base_url, sandbox_ca=sandbox.ca_file)
    try:
        ctx.settings.set("network.proxy", "http://alice:s3cret-pw@proxy.corp.example:8080")
        members = diagnostics.collect(ctx)
        assert "s3cret-pw" not in "".join(members.values())
        assert "http://alice:[redacted]@proxy.corp.example:8080" in members["settings.json"]
    finally:
        ctx.close()
        redaction.uninstall()
    assert redaction.redact("via https://bob:pw@proxy:3128/") == "via https://bob:[redacted]@proxy:3128/"


def test_real_accounts_trust_the_os_store_and_the_sandbox_ca_is_an_extra(sandbox, monkeypatch) -> None:
    import truststore

    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)

    production = Endpoints.production().ssl_context()
    assert isinstance(production, truststore.SSLContext)
    assert production.verify_mode.name == "CERT_REQUIRED" and production.check_hostname
    box = Endpoints.for_sandbox(sandbox.base_url, sandbox.ca_file)
    extra = box.ssl_context()
    assert isinstance(extra, truststore.SSLContext) and extra.verify_mode.name == "CERT_REQUIRED"
    with http_client(extra) as http:  # the sandbox's CA, on top of the store
        assert http.get(f"{sandbox.base_url}/.well-known/openid-configuration").status_code == 200
    proxied = box.with_proxy("http://proxy.corp.example:8080")
    assert proxied.ssl_context().proxy == "http://proxy.corp.example:8080"
    assert box.ssl_context().proxy is None and box.with_proxy(None) is box
