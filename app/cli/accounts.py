"""The accounts commands of the CLI: ``login``, ``logout`` and the accounts part of ``status``.

main.py parses the arguments and calls :func:`run`; each command returns the exit code
(CLI.md: 0 success, 1 failed, 2 bad usage). Human text goes to stderr; with ``--json`` one
JSON document goes to stdout (a device-code prompt, which must be seen before the command
ends, is one JSON line on stderr).

Arguments read from the namespace (missing ones take their defaults): ``profile``,
``sandbox_url`` (or ``TANDEM_SANDBOX_URL``), ``sandbox_ca`` (or ``TANDEM_SANDBOX_CA``),
``json``, ``device``, ``browser`` (Outlook), ``login_host`` (or ``TANDEM_SALESFORCE_LOGIN_HOST``), ``service``
(logout), and for tests ``open_browser`` and ``login_timeout``.

Client ids, authority, login host: an :class:`AccountSettings` passed by the caller
(``AccountSettings.from_settings(settings)``: the settings with the administrator's policy
applied) wins over ``TANDEM_OUTLOOK_CLIENT_ID`` / ``TANDEM_OUTLOOK_AUTHORITY`` /
``TANDEM_SALESFORCE_CLIENT_ID`` / ``TANDEM_SALESFORCE_LOGIN_HOST``; ``--login-host`` wins
over both for Salesforce. The sandbox accepts any client id and has defaults; against a
sandbox the endpoints always come from ``--sandbox-url``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app import redaction
from app.accounts import AccountsFile
from app.auth.outlook import CACHE_SECRET, DeviceLogin, OutlookAuth
from app.auth.salesforce import (
    CREDENTIALS_SECRET,
    DEFAULT_CALLBACK_URL,
    LOGIN_TIMEOUT_S,
    SalesforceAccount,
    SalesforceAuth,
    SalesforceDeviceLogin,
)
from app.auth.secrets import SecretStore
from app.endpoints import (
    SANDBOX_OUTLOOK_CLIENT_ID,
    SANDBOX_SALESFORCE_CLIENT_ID,
    EndpointError,
    Endpoints,
    ProfileOptions,
    salesforce_login_url,
)
from app.errors import AppError, DeviceCodeBlocked, WrongClientId
from app.paths import ProfilePaths
from app.settings import SettingValues, open_settings
from sync.errors import TandemError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SERVICES = ("outlook", "salesforce")

open_browser: Callable[[str], Any] = webbrowser.open  # replaced by tests


@dataclass(frozen=True)
class AccountSettings:
    """Sign-in settings that the settings store or an administrator's policy supply."""

    outlook_client_id: str | None = None
    outlook_authority: str | None = None
    salesforce_client_id: str | None = None
    salesforce_client_secret: str | None = None
    salesforce_login_host: str | None = None
    salesforce_callback_url: str | None = None  # None: DEFAULT_CALLBACK_URL
    proxy: str | None = None  # None: the system's proxy (sync/network.py)

    @classmethod
    def from_settings(cls, settings: SettingValues) -> AccountSettings:
        """From ``app.settings.Settings`` (policy already applied), or anything with ``get``."""

        def get(key: str) -> Any:
            # A declared default is no choice of anyone's: the environment's TANDEM_* may
            # replace it, and AccountsContext falls back to the same default.
            try:
                state = getattr(settings, "state", None)
                if state is not None and state(key).source == "default":
                    return None
                return settings.get(key) or None
            except Exception:  # an unknown key in an older settings declaration
                return None

        return cls(
            outlook_client_id=get("accounts.microsoft_client_id"),
            outlook_authority=get("accounts.microsoft_authority"),
            salesforce_client_id=get("accounts.salesforce_client_id"),
            salesforce_login_host=get("accounts.salesforce_login_host"),
            salesforce_callback_url=get("accounts.salesforce_callback_url"),
            proxy=get("network.proxy"),
        )


class UsageError(Exception):
    pass


class AccountsContext:
    """Everything the accounts commands need for one profile, built once from the args."""

    def __init__(
        self,
        paths: ProfilePaths,
        endpoints: Endpoints,
        settings: AccountSettings,
        secrets: SecretStore | None = None,
    ) -> None:
        self.paths = paths
        self.endpoints = endpoints.with_proxy(settings.proxy)
        self.settings = settings
        self.accounts = AccountsFile(paths.accounts_file)
        self._secrets = secrets

    @property
    def secrets(self) -> SecretStore:
        if self._secrets is None:
            self._secrets = SecretStore.for_profile(self.paths)
        return self._secrets

    def outlook(self) -> OutlookAuth:
        client_id = (
            self.settings.outlook_client_id
            or os.environ.get("TANDEM_OUTLOOK_CLIENT_ID")
            or (SANDBOX_OUTLOOK_CLIENT_ID if self.endpoints.sandbox else None)
        )
        if not client_id:
            raise WrongClientId(
                "No Outlook app registration is configured",
                "Tandem needs the client id of your organisation's app registration to sign in "
                "to Outlook. Ask your administrator for it and enter it in the settings (or set "
                "TANDEM_OUTLOOK_CLIENT_ID).",
                service="outlook",
                error="no_client_id",
            )
        authority = self.endpoints.authority
        if not self.endpoints.sandbox:
            authority = (
                self.settings.outlook_authority or os.environ.get("TANDEM_OUTLOOK_AUTHORITY") or authority
            )
        return OutlookAuth(
            client_id=client_id,
            authority=authority,
            secrets=self.secrets,
            accounts=self.accounts,
            verify=self.endpoints.ssl_context(),
            sandbox=self.endpoints.sandbox,
        )

    def salesforce(self, login_host: str | None = None) -> SalesforceAuth:
        client_id = (
            self.settings.salesforce_client_id
            or os.environ.get("TANDEM_SALESFORCE_CLIENT_ID")
            or (SANDBOX_SALESFORCE_CLIENT_ID if self.endpoints.sandbox else None)
        )
        if not client_id:
            raise WrongClientId(
                "No Salesforce connected app is configured",
                "Tandem needs the consumer key of your organisation's connected app to sign in "
                "to Salesforce. Ask your administrator for it and enter it in the settings (or "
                "set TANDEM_SALESFORCE_CLIENT_ID).",
                service="salesforce",
                error="no_client_id",
            )
        login_url = self.endpoints.salesforce_login_url
        if not self.endpoints.sandbox:
            host = (
                login_host
                or self.settings.salesforce_login_host
                or os.environ.get("TANDEM_SALESFORCE_LOGIN_HOST")
            )
            if host:
                login_url = salesforce_login_url(host)
        return SalesforceAuth(
            client_id=client_id,
            login_url=login_url,
            secrets=self.secrets,
            accounts=self.accounts,
            verify=self.endpoints.ssl_context(),
            client_secret=self.settings.salesforce_client_secret,
            callback_url=self.settings.salesforce_callback_url
            or os.environ.get("TANDEM_SALESFORCE_CALLBACK_URL")
            or DEFAULT_CALLBACK_URL,
        )


def open_accounts(
    profile: str | os.PathLike[str] | None,
    options: ProfileOptions,
    settings: AccountSettings | None = None,
    secrets: SecretStore | None = None,
) -> AccountsContext:
    """Paths, endpoints and sign-ins of a profile, without its database (raises UsageError).
    The accounts half of ``app.context.open_profile``."""
    redaction.install()
    try:
        endpoints = options.endpoints()
    except EndpointError as exc:
        raise UsageError(str(exc)) from exc
    return AccountsContext(options.paths(profile), endpoints, settings or AccountSettings(), secrets)


def profile_options(args: argparse.Namespace) -> ProfileOptions:
    """The command line's ``--sandbox-url`` / ``--sandbox-ca`` (tests: ``client_options``)."""
    return ProfileOptions(
        sandbox_url=getattr(args, "sandbox_url", None),
        sandbox_ca=getattr(args, "sandbox_ca", None),
        client_options=getattr(args, "client_options", None) or {},
    )


def context_from_args(
    args: argparse.Namespace, settings: AccountSettings | None = None, secrets: SecretStore | None = None
) -> AccountsContext:
    """The sign-ins of the profile the arguments name (raises UsageError)."""
    return open_accounts(getattr(args, "profile", None), profile_options(args), settings, secrets)


# -- output ---------------------------------------------------------------------------


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _emit(args: argparse.Namespace, document: dict[str, Any]) -> None:
    if getattr(args, "json", False):
        print(json.dumps(document, ensure_ascii=False), flush=True)


def _fail(args: argparse.Namespace, service: str | None, error: BaseException) -> int:
    if isinstance(error, UsageError):
        _say(f"tandem: {error}")
        if getattr(args, "json", False):
            _emit(
                args,
                {"service": service, "ok": False, "error": {"error": "UsageError", "message": str(error)}},
            )
        return EXIT_USAGE
    assert isinstance(error, TandemError)
    _say(f"tandem: {error.title}. {error.message}".rstrip())
    detail = (
        error.to_json()
        if isinstance(error, AppError)
        else {"error": type(error).__name__, "title": error.title, "message": error.message}
    )
    _emit(args, {"service": service, "ok": False, "error": detail})
    return EXIT_FAILED


def _who(facts: dict[str, Any] | None) -> str:
    if not facts:
        return "unknown"
    name, user = facts.get("name") or "", facts.get("username") or ""
    return f"{name} <{user}>" if name and user else (name or user or "unknown")


# -- commands -------------------------------------------------------------------------


def account_settings(args: argparse.Namespace) -> AccountSettings | None:
    """Sign-in settings of the profile (client ids, hosts), with the policy file applied;
    None when its database cannot be opened (signing in works without it)."""
    try:
        settings = open_settings(getattr(args, "profile", None), profile_options(args))
    except TandemError:
        return None
    return AccountSettings.from_settings(settings)


def run(args: argparse.Namespace) -> int:
    """``login outlook``, ``login salesforce`` or ``logout SERVICE`` (``args.command``)."""
    if args.command == "logout":
        return logout(args, settings=account_settings(args))
    login = login_salesforce if getattr(args, "service", "") == "salesforce" else login_outlook
    return login(args, settings=account_settings(args))


def login_outlook(args: argparse.Namespace, *, settings: AccountSettings | None = None) -> int:
    """``login outlook [--browser]``: the device code (prints the code and URL, waits for
    approval), or the authorization code flow with PKCE in the browser."""
    try:
        ctx = context_from_args(args, settings)
        auth = ctx.outlook()
        ctx.secrets.get(CACHE_SECRET)  # a locked or missing keyring fails before the user acts
        if getattr(args, "browser", False):
            account = asyncio.run(
                auth.login_browser(
                    _browser(args), timeout_s=_login_timeout(args), on_url=_show_authorize(args, "outlook")
                )
            )
        else:
            login = auth.start_login()
            _show_code(args, "Outlook", login)
            account = auth.finish_login(login)
    except KeyboardInterrupt:
        _say("tandem: sign-in cancelled.")
        return EXIT_FAILED
    except DeviceCodeBlocked as exc:
        exc.message += " Run: tandem login outlook --browser"
        return _fail(args, "outlook", exc)
    except (TandemError, UsageError) as exc:
        return _fail(args, "outlook", exc)
    _say(f"Connected to Outlook as {_who(account.to_json())}.")
    _emit(args, {"service": "outlook", "ok": True, "connected": True, "account": account.to_json()})
    return EXIT_OK


def _browser(args: argparse.Namespace) -> Callable[[str], Any]:
    return getattr(args, "open_browser", None) or open_browser


def _login_timeout(args: argparse.Namespace) -> float:
    return getattr(args, "login_timeout", None) or LOGIN_TIMEOUT_S


def _show_authorize(args: argparse.Namespace, service: str) -> Callable[[str], None]:
    """What the browser sign-in says before it waits: the address, in case no browser opens."""
    name = "Outlook" if service == "outlook" else "Salesforce"

    def show(url: str) -> None:
        if getattr(args, "json", False):
            print(
                json.dumps({"event": "authorize", "service": service, "url": url}),
                file=sys.stderr,
                flush=True,
            )
        else:
            _say(
                f"Opening your browser to sign in to {name}. If it does not open, "
                f"visit:\n{url}\nWaiting for you to finish signing in…"
            )

    return show


def login_salesforce(args: argparse.Namespace, *, settings: AccountSettings | None = None) -> int:
    """``login salesforce [--device]``: PKCE in the browser, or the device flow."""
    try:
        ctx = context_from_args(args, settings)
        auth = ctx.salesforce(getattr(args, "login_host", None))
        ctx.secrets.get(CREDENTIALS_SECRET)  # a locked or missing keyring fails first
        if getattr(args, "device", False):
            account = asyncio.run(_salesforce_device(args, auth))
        else:
            account = asyncio.run(
                auth.login_browser(
                    _browser(args), timeout_s=_login_timeout(args), on_url=_show_authorize(args, "salesforce")
                )
            )
    except KeyboardInterrupt:
        _say("tandem: sign-in cancelled.")
        return EXIT_FAILED
    except (TandemError, UsageError) as exc:
        return _fail(args, "salesforce", exc)
    _say(
        f"Connected to Salesforce as {_who(account.to_json())}, org {account.organization_id}, "
        f"instance {account.instance_url}."
    )
    _emit(args, {"service": "salesforce", "ok": True, "connected": True, "account": account.to_json()})
    return EXIT_OK


async def _salesforce_device(args: argparse.Namespace, auth: SalesforceAuth) -> SalesforceAccount:
    login = await auth.start_device_login()
    _show_code(args, "Salesforce", login)
    return await auth.finish_device_login(login)


def _show_code(args: argparse.Namespace, name: str, login: DeviceLogin | SalesforceDeviceLogin) -> None:
    """What a device code sign-in says before it waits: the code and where to enter it."""
    if getattr(args, "json", False):
        print(json.dumps(dict(login.prompt_json(), event="device_code")), file=sys.stderr, flush=True)
    else:
        _say(
            f"To connect {name}, open {login.verification_uri} and enter the code "
            f"{login.user_code}\nWaiting for you to finish signing in…"
        )


def logout(args: argparse.Namespace, *, settings: AccountSettings | None = None) -> int:
    """``logout outlook|salesforce``: revoke where the service allows, forget the tokens."""
    service = getattr(args, "service", None)
    if service not in SERVICES:
        _say("tandem: logout needs outlook or salesforce")
        return EXIT_USAGE
    try:
        ctx = context_from_args(args, settings)
        if service == "outlook":
            forgotten = ctx.outlook().logout()
            result = {
                "revoked": False,
                "forgotten": forgotten,
                "warning": None,
                "note": "Microsoft offers no revocation to this app; "
                "the sign-in was forgotten on this computer.",
            }
        else:
            result = asyncio.run(ctx.salesforce().logout())
    except (TandemError, UsageError) as exc:
        return _fail(args, service, exc)
    name = "Outlook" if service == "outlook" else "Salesforce"
    if result["revoked"]:
        _say(f"Signed out of {name}; the sign-in was revoked and forgotten.")
    elif result["forgotten"]:
        _say(
            f"Signed out of {name}; the sign-in was forgotten on this computer."
            + (f" {result['warning']}" if result.get("warning") else "")
        )
    else:
        _say(f"{name} was not connected.")
    _emit(args, dict(result, service=service, ok=True))
    return EXIT_OK


def accounts_status_json(ctx: AccountsContext) -> dict[str, Any]:
    """The accounts part of ``status``: who is connected, org and instance (no network)."""
    out: dict[str, Any] = {}
    secret_names = {"outlook": CACHE_SECRET, "salesforce": CREDENTIALS_SECRET}
    for service in SERVICES:
        facts = ctx.accounts.get(service)
        entry: dict[str, Any] = {"connected": False, "account": facts}
        try:
            has_secret = ctx.secrets.get(secret_names[service]) is not None
            entry["connected"] = bool(facts) and has_secret
            if facts and not has_secret:
                entry["problem"] = "The sign-in is missing from the keyring — reconnect."
        except AppError as exc:
            entry["connected"] = None
            entry["problem"] = exc.message
            entry["error"] = exc.to_json()
        out[service] = entry
    return out


def accounts_status(
    args: argparse.Namespace,
    *,
    settings: AccountSettings | None = None,
    database: TandemError | None = None,
) -> int:
    """The accounts' part of ``status``; with ``database`` (the profile's database could not
    be opened) that problem is said too and the exit code is 1: nothing about the sync state
    can be told."""
    try:
        ctx = context_from_args(args, settings)
    except UsageError as exc:
        return _fail(args, None, exc)
    status = accounts_status_json(ctx)
    say_accounts(status)
    if database is None:
        _emit(args, {"accounts": status})
        return EXIT_OK
    print(f"Sync state: unknown. {database.title}. {database.message}", file=sys.stderr)
    problem = {"error": type(database).__name__, "title": database.title, "message": database.message}
    _emit(args, {"accounts": status, "kinds": None, "database": problem})
    return EXIT_FAILED


def say_accounts(status: dict[str, Any]) -> None:
    """One human line per account on stderr: who is connected, or why not."""
    for service, entry in status.items():
        name = "Outlook" if service == "outlook" else "Salesforce"
        facts = entry.get("account") or {}
        if entry["connected"]:
            line = f"{name}: connected as {_who(facts)}"
            if service == "salesforce":
                line += f", org {facts.get('organization_id')}, instance {facts.get('instance_url')}"
            else:
                line += f", tenant {facts.get('tenant_id')}"
        else:
            line = f"{name}: not connected"
        if entry.get("problem"):
            line += f" ({entry['problem']})"
        _say(line)
