"""Outlook's browser sign-in against the sandbox's Entra ID (the test is the browser), and the
device code refused by a Conditional Access policy, through the app and through the CLI."""

from __future__ import annotations

import argparse
import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from accounts_helpers import make_browser

from app import redaction
from app.auth.outlook import CACHE_SECRET
from app.cli import accounts as accounts_cli
from app.errors import ConsentDeclined, DeviceCodeBlocked, SignInTimedOut

EMAIL = "morgan.reyes@northwind-demo.example"


def files_under(folder) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


@pytest.mark.asyncio
@pytest.mark.doc("https://learn.microsoft.com/en-us/entra/identity-platform/reply-url")
async def test_browser_sign_in_keeps_the_token_in_the_keyring_only(
    ctx, sandbox, memory_keyring, profile
) -> None:
    seen: list[httpx.Response] = []
    urls: list[str] = []
    auth = ctx.outlook()
    account = await auth.login_browser(make_browser(sandbox, seen=seen), timeout_s=30, on_url=urls.append)
    assert account.username.lower() == EMAIL and account.name == "Morgan Reyes"
    query = parse_qs(urlsplit(urls[0]).query)
    assert re.fullmatch(r"http://localhost:\d+", query["redirect_uri"][0])  # any port: Entra ignores it
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["response_mode"] == ["form_post"]  # the code stays out of the browser's history
    assert seen[-1].status_code == 200 and "Signed in to Outlook" in seen[-1].text  # Tandem's page
    assert ctx.secrets.get(CACHE_SECRET)
    token = auth.acquire_token()
    assert sandbox.state.tokens.access[token]["service"] == "microsoft"
    assert ctx.outlook().acquire_token() == token  # a later run works from the keyring alone
    on_disk = files_under(profile)
    assert token not in on_disk and not any(r in on_disk for r in sandbox.state.tokens.refresh)
    assert ctx.accounts.get("outlook")["username"].lower() == EMAIL


@pytest.mark.asyncio
async def test_cancel_on_the_page_is_a_declined_sign_in(ctx, sandbox) -> None:
    with pytest.raises(ConsentDeclined):
        await ctx.outlook().login_browser(make_browser(sandbox, decide="deny"), timeout_s=30)
    assert ctx.accounts.get("outlook") is None and ctx.secrets.get(CACHE_SECRET) is None


@pytest.mark.asyncio
@pytest.mark.doc("https://learn.microsoft.com/en-us/entra/identity-platform/reply-url")
async def test_an_unregistered_redirect_is_refused_with_aadsts50011(ctx, sandbox) -> None:
    # The app registration lacks http://localhost: Entra stops on its own page, nothing comes back.
    sandbox.control(
        "config", {"entra_redirect_uris": ["https://login.microsoftonline.com/common/oauth2/nativeclient"]}
    )
    seen: list[httpx.Response] = []
    with pytest.raises(SignInTimedOut):
        await ctx.outlook().login_browser(make_browser(sandbox, seen=seen), timeout_s=2)
    assert seen[0].status_code == 400 and "AADSTS50011" in seen[0].text
    assert ctx.secrets.get(CACHE_SECRET) is None


@pytest.mark.asyncio
@pytest.mark.doc(
    "https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-block-authentication-flows"
)
@pytest.mark.doc("https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes")
async def test_a_blocked_device_code_says_so_and_the_browser_signs_in(ctx, sandbox) -> None:
    sandbox.control("config", {"entra_block_device_code": True})
    auth = ctx.outlook()
    pending = auth.start_login()
    sandbox.control("device/approve", {"user_code": pending.user_code})
    with pytest.raises(DeviceCodeBlocked) as info:
        auth.finish_login(pending)
    assert "browser" in info.value.message and "access policy" in info.value.message
    assert info.value.ids["service"] == "outlook"
    assert ctx.secrets.get(CACHE_SECRET) is None
    sandbox.control("config", {"auto_approve": True})
    account = await ctx.outlook().login_browser(make_browser(sandbox), timeout_s=30)
    assert account.username.lower() == EMAIL and ctx.secrets.get(CACHE_SECRET)


# -- the command line ----------------------------------------------------------------------


@pytest.fixture
def cli_env(sandbox, profile, memory_keyring, monkeypatch):
    monkeypatch.setenv("TANDEM_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("TANDEM_SANDBOX_CA", sandbox.ca_file)
    sandbox.control("config", {"auto_approve": True, "device_interval_s": 1, "entra_block_device_code": True})
    yield sandbox
    redaction.uninstall()


def cli_args(profile, **kw) -> argparse.Namespace:
    return argparse.Namespace(
        **{
            "profile": str(profile),
            "sandbox_url": None,
            "sandbox_ca": None,
            "json": True,
            "browser": False,
            **kw,
        }
    )


@pytest.mark.doc(
    "https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-block-authentication-flows"
)
def test_cli_a_blocked_device_code_exits_with_plain_words_and_browser_signs_in(
    cli_env, profile, capsys
) -> None:
    assert accounts_cli.login_outlook(cli_args(profile, json=False)) == 1
    err = capsys.readouterr().err
    assert "does not allow signing in to Outlook with a code" in err
    assert "tandem login outlook --browser" in err and "Traceback" not in err

    assert accounts_cli.login_outlook(cli_args(profile)) == 1
    failed = json.loads(capsys.readouterr().out)
    assert failed["ok"] is False and failed["error"]["error"] == "DeviceCodeBlocked"

    browser = make_browser(cli_env)
    assert accounts_cli.login_outlook(cli_args(profile, browser=True, open_browser=browser)) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert set(result) == {"service", "ok", "connected", "account"}  # as the device code login
    assert result["ok"] and result["account"]["username"].lower() == EMAIL
    prompt = json.loads(captured.err.splitlines()[0])
    assert prompt["event"] == "authorize" and prompt["service"] == "outlook"
    assert accounts_cli.accounts_status(cli_args(profile)) == 0
    assert json.loads(capsys.readouterr().out)["accounts"]["outlook"]["connected"] is True


def test_cli_browser_option_is_parsed() -> None:
    import main

    args = main.build_parser().parse_args(["login", "outlook", "--browser", "--json"])
    assert args.browser is True and args.service == "outlook"
    assert main.build_parser().parse_args(["login", "outlook"]).browser is False


@pytest.mark.doc("https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes")
def test_a_policy_block_elsewhere_is_not_called_an_expired_sign_in() -> None:
    from app.errors import AccessBlocked, SignInExpired, oauth_error

    body = {"error": "interaction_required", "error_codes": [53003], "suberror": "message_only"}
    error = oauth_error("outlook", body, during="login")
    assert isinstance(error, AccessBlocked) and not isinstance(error, SignInExpired)
    assert "access policy" in error.message and "administrator" in error.message
