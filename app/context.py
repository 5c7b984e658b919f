"""One profile's services, built once: what the desktop app (ui/), the CLI and their tests hold.

    ctx = open_profile(profile, ProfileOptions(sandbox_url=..., sandbox_ca=...))
    ctx = AppContext.open(profile=None, sandbox_url=None, sandbox_ca=None)  # the same
    ctx.paths          # app.paths.ProfilePaths
    ctx.endpoints      # app.endpoints.Endpoints (production or the sandbox's)
    ctx.settings       # app.settings.Settings (policy file applied)
    ctx.store          # sync.store.Store of the profile
    ctx.accounts       # app.cli.accounts.AccountsContext: .outlook() / .salesforce() sign-ins
    ctx.service        # app.sync_service.SyncService
    ctx.close()

:func:`open_profile` is the one way a profile is opened. Its two halves are there for the
commands that need only one of them: :func:`open_settings` (the database and the policy file:
``settings get/set``, the sign-in settings of ``login``) and :func:`open_accounts` (the
endpoints and the sign-ins, no database: ``login``, ``logout``, ``status`` without a database).
The command line turns its options into :class:`ProfileOptions` (app/cli/); nothing here
reads an argparse namespace. It imports no Qt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from app.cli.accounts import AccountsContext, AccountSettings, UsageError, open_accounts
from app.endpoints import Endpoints, ProfileOptions
from app.paths import ProfilePaths
from app.settings import Settings, open_settings
from app.sync_service import SyncService
from sync.store import Store

__all__ = ["AppContext", "ProfileOptions", "open_accounts", "open_profile", "open_settings"]

Profile = str | os.PathLike[str] | None  # a profile folder, or None for the per-user default


def open_profile(
    profile: Profile, options: ProfileOptions, *, settings: Settings | None = None
) -> AppContext:
    """Open a profile: its settings (or ``settings``, already opened by :func:`open_settings`),
    sign-ins and sync service. Raises sync.errors.TandemError (the database cannot be opened)
    or app.cli.accounts.UsageError (bad sandbox options), both with plain words."""
    opened = settings is None
    settings = open_settings(profile, options) if settings is None else settings
    try:
        accounts = open_accounts(profile, options, AccountSettings.from_settings(settings))
    except UsageError:
        if opened:
            settings.store.close()
        raise
    service = SyncService(accounts, settings, client_options=dict(options.client_options))
    return AppContext(accounts=accounts, settings=settings, service=service)


@dataclass
class AppContext:
    accounts: AccountsContext
    settings: Settings
    service: SyncService

    @property
    def paths(self) -> ProfilePaths:
        return self.accounts.paths

    @property
    def endpoints(self) -> Endpoints:
        return self.accounts.endpoints

    @property
    def store(self) -> Store:
        return self.settings.store

    @property
    def sandbox(self) -> bool:
        return bool(self.endpoints.sandbox)

    @classmethod
    def open(
        cls,
        profile: Profile = None,
        *,
        sandbox_url: str | None = None,
        sandbox_ca: str | None = None,
        client_options: dict[str, Any] | None = None,
    ) -> AppContext:
        """:func:`open_profile` with the options as keywords (what ui/ calls)."""
        options = ProfileOptions(sandbox_url, sandbox_ca, client_options or {})
        return open_profile(profile, options)

    def signed_in(self) -> dict[str, dict[str, Any] | None]:
        """Who is connected: {"outlook": {...} | None, "salesforce": {...} | None} (no secrets)."""
        facts = self.accounts.accounts.load()
        return {"outlook": facts.get("outlook"), "salesforce": facts.get("salesforce")}

    def close(self) -> None:
        self.store.close()
