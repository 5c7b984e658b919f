"""app.discovery against the sandbox over real HTTPS: what the wizard's pickers offer."""

from __future__ import annotations

import argparse
import asyncio

import pytest
from accounts_helpers import make_browser
from accounts_keyring import MemoryKeyring

from app import discovery
from app.errors import NotConnected


@pytest.fixture
def profile_ctx(sandbox, tmp_path, monkeypatch):
    """A profile on the sandbox (not signed in) with a throwaway keyring."""
    from app import redaction
    from app.context import AppContext

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "accounts_keyring.MemoryKeyring")
    monkeypatch.setenv("TANDEM_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("TANDEM_SANDBOX_CA", sandbox.ca_file)
    MemoryKeyring.store.clear()
    sandbox.state.config["auto_approve"] = True
    sandbox.state.config["device_interval_s"] = 1
    ctx = AppContext.open(tmp_path / "profile", sandbox_url=sandbox.base_url, sandbox_ca=sandbox.ca_file)
    yield ctx
    ctx.close()
    redaction.uninstall()
    MemoryKeyring.store.clear()


def _sign_in(ctx, sandbox, *services: str) -> None:
    from app.cli import accounts as accounts_cli

    base = dict(
        profile=str(ctx.paths.root),
        sandbox_url=None,
        sandbox_ca=None,
        json=True,
        device=False,
        service=None,
        login_host=None,
    )
    if "outlook" in services:
        assert accounts_cli.login_outlook(argparse.Namespace(**base)) == 0
    if "salesforce" in services:
        assert (
            accounts_cli.login_salesforce(argparse.Namespace(**base, open_browser=make_browser(sandbox))) == 0
        )


@pytest.mark.seed("demo")
def test_outlook_folders_lists_the_partners_folder_after_the_default(sandbox, profile_ctx):
    _sign_in(profile_ctx, sandbox, "outlook")
    found = asyncio.run(discovery.outlook_folders(profile_ctx))

    contacts = found["contacts"]
    assert contacts[0] == {"id": None, "name": "Contacts", "default": True}
    partners = [f for f in contacts if f["name"] == "Partners"]
    assert len(partners) == 1 and partners[0]["id"] and not partners[0]["default"]
    # The id is the one Graph uses: the sandbox knows a folder by it.
    assert partners[0]["id"] in sandbox.state.graph["contactFolders"]

    assert found["events"][0]["id"] is None and found["events"][0]["default"]
    assert found["events"][0]["name"] == "Calendar"
    assert found["tasks"][0]["id"] is None and found["tasks"][0]["name"] == "Tasks"
    # Defaults are not listed twice.
    for kind in ("contacts", "events", "tasks"):
        assert sum(1 for f in found[kind] if f["default"]) == 1


@pytest.mark.seed("demo")
def test_campaigns_lists_the_demo_campaign(sandbox, profile_ctx):
    _sign_in(profile_ctx, sandbox, "salesforce")
    found = asyncio.run(discovery.campaigns(profile_ctx))

    assert [c["name"] for c in found] == ["Berlin Fintech Summit 2026"]
    campaign_id = found[0]["id"]
    assert campaign_id.startswith("701")  # Salesforce's key prefix of Campaign
    assert found[0]["active"] is True


@pytest.mark.seed("demo")
def test_a_second_calendar_and_list_come_after_the_defaults(sandbox, profile_ctx):
    _sign_in(profile_ctx, sandbox, "outlook")
    sandbox.state.graph_create(
        "calendars", {"name": "Team trips", "isDefaultCalendar": False, "canEdit": True}
    )
    sandbox.state.graph_create("todoLists", {"displayName": "Account plans", "wellknownListName": "none"})
    found = asyncio.run(discovery.outlook_folders(profile_ctx))
    assert [c["name"] for c in found["events"]] == ["Calendar", "Team trips"]
    assert [t["name"] for t in found["tasks"]] == ["Tasks", "Account plans"]
    assert found["events"][1]["id"] in sandbox.state.graph["calendars"]


def test_not_signed_in_says_which_account_to_connect(sandbox, profile_ctx):
    with pytest.raises(NotConnected) as outlook:
        asyncio.run(discovery.outlook_folders(profile_ctx))
    assert outlook.value.ids.get("service") == "outlook"
    assert outlook.value.action == "connect"
    with pytest.raises(NotConnected) as salesforce:
        asyncio.run(discovery.campaigns(profile_ctx))
    assert salesforce.value.ids.get("service") == "salesforce"
