"""The wizard's "Your organisation's app registrations" page: a real-accounts profile without
client ids is asked for them (and its administrator's policy may have set some, locked), one
with ids goes straight to the sign-in. Against the sandbox: its own ids are switched off here
to stand for a real organisation that has none configured yet."""

from __future__ import annotations

import json

import pytest
from test_wizard import go_next, make_wizard, next_enabled, wait_page_ready

import app.cli.accounts
from app.policy import load_policy
from ui.wizard.window import Page

MS_ID = "11111111-2222-3333-4444-555555555555"
SF_KEY = "3MVG9acme-connected-app-key"


@pytest.fixture
def no_ids(monkeypatch):
    """No client id anywhere: not the demo's, not in the environment, not in the settings."""
    monkeypatch.setattr(app.cli.accounts, "SANDBOX_OUTLOOK_CLIENT_ID", None)
    monkeypatch.setattr(app.cli.accounts, "SANDBOX_SALESFORCE_CLIENT_ID", None)
    for name in ("TANDEM_OUTLOOK_CLIENT_ID", "TANDEM_SALESFORCE_CLIENT_ID", "TANDEM_SALESFORCE_LOGIN_HOST"):
        monkeypatch.delenv(name, raising=False)


def with_policy(ctx, tmp_path, locked: dict) -> None:
    folder = tmp_path / "install"
    folder.mkdir()
    (folder / "tandem-policy.json").write_text(json.dumps({"locked": locked}), encoding="utf-8")
    ctx.settings.policy = load_policy([folder])
    ctx.accounts.settings = app.cli.accounts.AccountSettings.from_settings(ctx.settings)


def test_a_profile_without_client_ids_is_asked_for_them_and_saving_writes_the_settings(
    qtbot, qloop, fresh_ctx, sandbox_env, no_ids
):
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env)
    wizard.welcome_page.real.setChecked(True)
    go_next(wizard, Page.REGISTRATIONS)
    page = wizard.registrations_page
    assert page.title() == "Your organisation's app registrations"
    assert "admin guide" in page.guide.text()

    # Nothing entered: Next stays on the page and says what is missing.
    wizard.next()
    assert wizard.currentId() == Page.REGISTRATIONS
    assert "application (client) id" in page.status.text()
    page.client_id.setText(MS_ID)
    page.tenant.setText("contoso.onmicrosoft.com")
    wizard.next()
    assert wizard.currentId() == Page.REGISTRATIONS and "consumer key" in page.status.text()
    page.consumer_key.setText(SF_KEY)
    page.login_host.buttons["mydomain"].setChecked(True)
    wizard.next()
    assert wizard.currentId() == Page.REGISTRATIONS and "My Domain" in page.status.text()
    page.login_host.domain.setText("acme")
    assert fresh_ctx.settings.get("accounts.microsoft_client_id") is None  # nothing saved yet

    go_next(wizard, Page.OUTLOOK)
    settings = fresh_ctx.settings
    assert settings.get("accounts.microsoft_client_id") == MS_ID
    assert (
        settings.get("accounts.microsoft_authority")
        == "https://login.microsoftonline.com/contoso.onmicrosoft.com"
    )
    assert settings.get("accounts.salesforce_client_id") == SF_KEY
    assert settings.get("accounts.salesforce_login_host") == "https://acme.my.salesforce.com"

    # The sign-in goes on with the saved id (the sandbox accepts any).
    outlook = wizard.outlook_page
    wait_page_ready(qloop, wizard)
    assert "Connected to Outlook as" in outlook.connected.text()
    assert fresh_ctx.signed_in()["outlook"] is not None

    # Back keeps what was entered.
    wizard.back()
    assert wizard.currentId() == Page.REGISTRATIONS
    assert page.client_id.text() == MS_ID and page.tenant.text() == "contoso.onmicrosoft.com"
    assert page.login_host.choice() == "mydomain"


def test_a_microsoft_client_id_must_look_like_one_for_real_accounts(qtbot, fresh_ctx, sandbox_env, no_ids):
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env)
    wizard.welcome_page.real.setChecked(True)
    go_next(wizard, Page.REGISTRATIONS)
    page = wizard.registrations_page
    fresh_ctx.accounts.endpoints = type(fresh_ctx.endpoints)()  # real Microsoft: ids are GUIDs
    page.client_id.setText("tandem")
    page.consumer_key.setText(SF_KEY)
    wizard.next()
    assert wizard.currentId() == Page.REGISTRATIONS
    assert "is not an application (client) id" in page.status.text()
    assert fresh_ctx.settings.get("accounts.microsoft_client_id") is None


def test_with_a_policy_file_carrying_the_ids_the_wizard_goes_straight_to_sign_in(
    qtbot, qloop, fresh_ctx, sandbox_env, no_ids, tmp_path
):
    with_policy(
        fresh_ctx,
        tmp_path,
        {"accounts.microsoft_client_id": MS_ID, "accounts.salesforce_client_id": SF_KEY},
    )
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env)
    wizard.welcome_page.real.setChecked(True)
    go_next(wizard, Page.OUTLOOK)
    wait_page_ready(qloop, wizard)
    assert "Connected to Outlook as" in wizard.outlook_page.connected.text()


def test_values_from_the_policy_file_show_locked_and_only_the_rest_is_saved(
    qtbot, fresh_ctx, sandbox_env, no_ids, tmp_path
):
    with_policy(
        fresh_ctx,
        tmp_path,
        {
            "accounts.microsoft_client_id": MS_ID,
            "accounts.microsoft_authority": "https://login.microsoftonline.com/contoso.onmicrosoft.com",
            "accounts.salesforce_login_host": "https://test.salesforce.com",
        },
    )
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env)
    wizard.welcome_page.real.setChecked(True)
    go_next(wizard, Page.REGISTRATIONS)  # the Salesforce consumer key is still missing
    page = wizard.registrations_page
    assert page.client_id.text() == MS_ID and page.client_id.isReadOnly()
    assert page.tenant.text() == "contoso.onmicrosoft.com" and page.tenant.isReadOnly()
    assert page.notes["accounts.microsoft_client_id"].isVisibleTo(page)
    assert "administrator" in page.notes["accounts.microsoft_client_id"].text()
    assert page.login_host.choice() == "test" and page.login_host.locked
    assert not page.login_host.buttons["production"].isEnabled()
    assert "administrator" in page.login_host.note.text()
    assert not page.consumer_key.isReadOnly()
    assert not page.notes["accounts.salesforce_client_id"].isVisibleTo(page)

    page.consumer_key.setText(SF_KEY)
    go_next(wizard, Page.OUTLOOK)
    assert fresh_ctx.settings.get("accounts.salesforce_client_id") == SF_KEY
    stored = fresh_ctx.store.setting("accounts.microsoft_client_id", "unset")
    assert stored == "unset"  # the locked value stays the policy's, nothing written for it


def test_an_id_from_the_environment_counts_and_shows_where_it_comes_from(
    qtbot, fresh_ctx, sandbox_env, no_ids, monkeypatch
):
    monkeypatch.setenv("TANDEM_SALESFORCE_CLIENT_ID", SF_KEY)
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env)
    wizard.welcome_page.real.setChecked(True)
    go_next(wizard, Page.REGISTRATIONS)  # Outlook's is missing
    page = wizard.registrations_page
    assert page.consumer_key.text() == SF_KEY and page.consumer_key.isReadOnly()
    assert "TANDEM_SALESFORCE_CLIENT_ID" in page.notes["accounts.salesforce_client_id"].text()
    page.client_id.setText(MS_ID)
    go_next(wizard, Page.OUTLOOK)
    assert fresh_ctx.settings.get("accounts.salesforce_client_id") is None  # the environment's stays there


@pytest.mark.seed("demo")
def test_the_demo_has_its_own_ids_and_goes_straight_to_sign_in(qtbot, fresh_ctx, sandbox_env):
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env, demo=True)
    go_next(wizard, Page.OUTLOOK)


def test_the_admin_guide_link_opens_the_guide(qtbot, fresh_ctx, sandbox_env, no_ids, monkeypatch):
    import ui.wizard.registrations as registrations

    opened = []

    class Desktop:
        @staticmethod
        def openUrl(url):  # noqa: N802 (Qt)
            opened.append(url.toLocalFile())
            return True

    monkeypatch.setattr(registrations, "QDesktopServices", Desktop)
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env)
    wizard.welcome_page.real.setChecked(True)
    go_next(wizard, Page.REGISTRATIONS)
    wizard.registrations_page.guide.linkActivated.emit("guide")
    assert len(opened) == 1 and opened[0].endswith("docs/ADMIN.md")


@pytest.mark.seed("demo")
def test_the_salesforce_page_offers_the_login_address_and_saves_the_choice_on_sign_in(
    qtbot, qloop, demo_ctx, sandbox_env
):
    wizard, _ = make_wizard(qtbot, demo_ctx, sandbox_env, start_at="salesforce", only_sign_in=True)
    wizard.choice = "real"  # the demo has one address of its own; a real profile chooses
    page = wizard.salesforce_page
    page.refresh()
    assert page.login_box.isVisible() and page.login_host.choice() == "production"
    page.login_host.buttons["mydomain"].setChecked(True)
    page.browser.click()
    assert "My Domain" in page.status.text() and not page.waiting
    page.login_host.buttons["test"].setChecked(True)
    page.browser.click()
    assert demo_ctx.settings.get("accounts.salesforce_login_host") == "https://test.salesforce.com"
    wait_page_ready(qloop, wizard)
    assert next_enabled(wizard) or wizard.button(wizard.WizardButton.FinishButton).isEnabled()


def test_the_login_address_choice_reads_and_writes_the_three_kinds_of_address(qtbot):
    from ui.wizard.common import LoginHostChoice

    choice = LoginHostChoice()
    qtbot.addWidget(choice)
    assert choice.choice() == "production" and choice.value() == "https://login.salesforce.com"
    choice.set_value("https://test.salesforce.com")
    assert choice.choice() == "test" and not choice.domain.isEnabled()
    choice.set_value("https://acme.my.salesforce.com/")
    assert choice.choice() == "mydomain" and choice.domain.text() == "acme.my.salesforce.com"
    choice.domain.clear()
    assert choice.value() is None and "My Domain" in (choice.problem() or "")
    choice.domain.setText("https://acme--uat.sandbox.my.salesforce.com/")
    assert choice.value() == "https://acme--uat.sandbox.my.salesforce.com"
    choice.domain.setText("acme")
    assert choice.value() == "https://acme.my.salesforce.com"  # the short form of a My Domain


def test_the_tenant_field_takes_an_id_a_domain_or_a_whole_authority():
    from ui.wizard.registrations import authority_of, tenant_of

    assert authority_of("") is None
    assert (
        authority_of(" contoso.onmicrosoft.com ")
        == "https://login.microsoftonline.com/contoso.onmicrosoft.com"
    )
    tenant = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert tenant_of(authority_of(tenant)) == tenant
    assert authority_of("https://login.microsoftonline.us/x") == "https://login.microsoftonline.us/x"
    assert tenant_of("https://login.microsoftonline.us/x") == "https://login.microsoftonline.us/x"
    with pytest.raises(ValueError, match="not a tenant"):
        authority_of("contoso tenant")


def test_missing_registrations_names_each_service_without_an_id(fresh_ctx, no_ids, monkeypatch):
    from app.auth.check import missing_registrations
    from app.cli.accounts import AccountSettings

    assert missing_registrations(fresh_ctx.accounts) == ["outlook", "salesforce"]
    monkeypatch.setenv("TANDEM_SALESFORCE_CLIENT_ID", SF_KEY)
    assert missing_registrations(fresh_ctx.accounts) == ["outlook"]
    assert missing_registrations(fresh_ctx.accounts, AccountSettings(outlook_client_id=MS_ID)) == []
