"""One profile's services, built once: what the desktop app (ui/) and its tests hold on to.

    ctx = AppContext.open(profile=None, sandbox_url=None, sandbox_ca=None)
    ctx.paths          # app.paths.ProfilePaths
    ctx.endpoints      # app.endpoints.Endpoints (production or the sandbox's)
    ctx.settings       # app.settings.Settings (policy file applied)
    ctx.store          # sync.store.Store of the profile
    ctx.accounts       # app.cli.accounts.AccountsContext: .outlook() / .salesforce() sign-ins
    ctx.service        # app.sync_service.SyncService
    ctx.close()

The CLI builds the same objects per command (app.cli.sync.make_service); this class keeps them
for the life of a window. It imports no Qt.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any

from app.cli.accounts import AccountsContext, AccountSettings, context_from_args
from app.policy import load_policy
from app.settings import Settings
from app.sync_service import SyncService


@dataclass
class AppContext:
    accounts: AccountsContext
    settings: Settings
    service: SyncService

    @property
    def paths(self):
        return self.accounts.paths

    @property
    def endpoints(self):
        return self.accounts.endpoints

    @property
    def store(self):
        return self.settings.store

    @property
    def sandbox(self) -> bool:
        return bool(self.endpoints.sandbox)

    @classmethod
    def open(
        cls,
        profile: str | os.PathLike | None = None,
        *,
        sandbox_url: str | None = None,
        sandbox_ca: str | None = None,
        client_options: dict[str, Any] | None = None,
    ) -> AppContext:
        """Open a profile. Raises app.cli.accounts.UsageError (bad sandbox options) or
        sync.errors.TandemError (the database cannot be opened) with plain words."""
        from app.paths import profile_paths
        from sync.store import Store

        args = argparse.Namespace(
            profile=str(profile) if profile else None, sandbox_url=sandbox_url, sandbox_ca=sandbox_ca
        )
        is_sandbox = bool(sandbox_url or os.environ.get("TANDEM_SANDBOX_URL"))
        paths = profile_paths(args.profile, sandbox=is_sandbox).ensure()
        settings = Settings(Store(paths.database), load_policy())
        accounts = context_from_args(args, AccountSettings.from_settings(settings))
        service = SyncService(accounts, settings, client_options=client_options)
        return cls(accounts=accounts, settings=settings, service=service)

    def signed_in(self) -> dict[str, dict[str, Any] | None]:
        """Who is connected: {"outlook": {...} | None, "salesforce": {...} | None} (no secrets)."""
        facts = self.accounts.accounts.load()
        return {"outlook": facts.get("outlook"), "salesforce": facts.get("salesforce")}

    def close(self) -> None:
        close = getattr(self.store, "close", None)
        if close:
            close()
