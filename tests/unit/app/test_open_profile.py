"""One way to open a profile: the CLI, the desktop app and the tests all go through
app.context.open_profile with ProfileOptions (no command-line namespace)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.accounts import UsageError
from app.context import AppContext, ProfileOptions, open_profile
from app.settings import open_settings


def test_open_profile_builds_every_service_of_the_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TANDEM_SANDBOX_URL", raising=False)
    monkeypatch.delenv("TANDEM_SALESFORCE_LOGIN_HOST", raising=False)
    ctx = open_profile(tmp_path / "p", ProfileOptions(client_options={"retries": 1}))
    try:
        assert ctx.paths.root == (tmp_path / "p").resolve()
        assert Path(ctx.store.path) == ctx.paths.database
        assert not ctx.sandbox
        assert ctx.service.client_options == {"retries": 1}
        # Nobody chose a login host: the default is no setting, and signs in at login.
        assert ctx.accounts.settings.salesforce_login_host is None
        assert ctx.accounts.endpoints.salesforce_login_url.startswith("https://login.salesforce.com")
    finally:
        ctx.close()


def test_a_setting_saved_through_one_opening_is_seen_by_the_next(tmp_path: Path) -> None:
    settings = open_settings(tmp_path / "p", ProfileOptions())
    settings.set("accounts.microsoft_client_id", "11111111-2222-3333-4444-555555555555")
    settings.store.close()
    ctx = AppContext.open(tmp_path / "p")  # what the desktop app calls
    try:
        assert ctx.accounts.settings.outlook_client_id == "11111111-2222-3333-4444-555555555555"
    finally:
        ctx.close()


def test_bad_sandbox_options_are_refused_in_plain_words(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TANDEM_SANDBOX_CA", raising=False)
    with pytest.raises(UsageError, match="CA file"):
        open_profile(tmp_path / "p", ProfileOptions(sandbox_url="https://127.0.0.1:9"))


@pytest.mark.parametrize("content", ["", "not a certificate\n", "\x00\xff binary"])
def test_a_ca_file_without_a_certificate_is_refused_in_plain_words(tmp_path: Path, content: str) -> None:
    """It used to end in a raw ssl.SSLError traceback the first time a connection was made."""
    ca = tmp_path / "ca.pem"
    ca.write_text(content, encoding="latin-1")
    with pytest.raises(UsageError, match="holds no certificate"):
        open_profile(tmp_path / "p", ProfileOptions(sandbox_url="https://127.0.0.1:9", sandbox_ca=str(ca)))
