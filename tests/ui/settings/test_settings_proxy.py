"""The proxy field of the settings' Accounts page: saved on OK, and what Check goes through."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from forward_proxy import forward_proxy

from app.settings import Settings
from ui.settings.dialog import SettingsDialog


@pytest.fixture(autouse=True)
def _no_system_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def open_accounts(qtbot, qloop, ctx) -> SettingsDialog:
    dialog = SettingsDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qloop.until(lambda: not dialog.form.tasks)
    dialog.show_page("Accounts")
    return dialog


def test_the_proxy_typed_on_the_page_is_saved(qtbot, qloop, fresh_ctx) -> None:
    dialog = open_accounts(qtbot, qloop, fresh_ctx)
    if os.environ.get("TANDEM_SCREENSHOTS"):
        dialog.grab().save(os.environ["TANDEM_SCREENSHOTS"].replace(".png", "-empty.png"))
    dialog.fields["network.proxy"].widget.setText("http://proxy.corp.example:8080")
    dialog.ok_button.click()
    assert Settings(fresh_ctx.store, fresh_ctx.settings.policy).get("network.proxy") == (
        "http://proxy.corp.example:8080"
    )


@pytest.mark.seed("demo")
def test_check_goes_through_the_proxy_on_the_page(qtbot, qloop, demo_ctx, tmp_path: Path) -> None:
    dialog = open_accounts(qtbot, qloop, demo_ctx)
    page = dialog.accounts_page
    with forward_proxy(tmp_path / "proxy", basic_auth="alice:pw") as proxy:
        dialog.fields["network.proxy"].widget.setText(proxy.url)
        page.check_button.click()
        qloop.until(lambda: "Salesforce: " in page.check_result.text())
        assert "asks for a sign-in" in page.check_result.text(), page.check_result.text()
        if os.environ.get("TANDEM_SCREENSHOTS"):
            dialog.grab().save(os.environ["TANDEM_SCREENSHOTS"])
    assert demo_ctx.accounts.endpoints.proxy is None  # the live sign-in keeps its road
