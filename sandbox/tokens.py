"""Sign-in state shared by the Entra ID and Salesforce OAuth emulators.

Access tokens, refresh tokens, device codes and authorization codes are opaque random
strings mapped to what they grant. ``service`` is ``"microsoft"`` or ``"salesforce"``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sandbox import ids
from sandbox.clock import Clock


@dataclass
class TokenCheck:
    """The outcome of checking a bearer token: ``user`` when valid, else ``reason``."""

    user: str | None
    reason: str = ""  # "missing" | "unknown" | "expired" | "revoked"
    grant: dict | None = None


class TokenStore:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.access: dict[str, dict[str, Any]] = {}
        self.refresh: dict[str, dict[str, Any]] = {}
        self.device_codes: dict[str, dict[str, Any]] = {}
        self.auth_codes: dict[str, dict[str, Any]] = {}

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # ------------------------------------------------------------- issuing
    def issue(
        self,
        service: str,
        user: str,
        client_id: str,
        scope: str,
        lifetime_s: float,
        refresh_token: str | None = None,
        with_refresh: bool = True,
    ) -> tuple[str, str | None]:
        """Issue an access token (and a refresh token unless one is being reused)."""
        access = ids.opaque_token(48)
        if refresh_token is None and with_refresh:
            refresh_token = ids.opaque_token(48)
            self.refresh[refresh_token] = {
                "service": service,
                "user": user,
                "client_id": client_id,
                "scope": scope,
                "revoked": False,
                "issued": self._now(),
            }
        self.access[access] = {
            "service": service,
            "user": user,
            "client_id": client_id,
            "scope": scope,
            "expires": self._now() + lifetime_s,
            "refresh": refresh_token,
        }
        return access, refresh_token

    def check(self, service: str, authorization: str | None) -> TokenCheck:
        """Check an ``Authorization: Bearer ...`` header value for ``service``."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return TokenCheck(None, "missing")
        token = authorization[7:].strip()
        grant = self.access.get(token)
        if grant is None or grant["service"] != service:
            return TokenCheck(None, "unknown")
        if grant.get("revoked"):
            return TokenCheck(None, "revoked")
        if grant["expires"] <= self._now():
            return TokenCheck(None, "expired")
        return TokenCheck(grant["user"], "", grant)

    # ------------------------------------------------------------ refresh
    def use_refresh(self, service: str, token: str, client_id: str | None) -> dict | None:
        grant = self.refresh.get(token)
        if grant is None or grant["service"] != service or grant["revoked"]:
            return None
        if client_id and grant["client_id"] != client_id:
            return None
        return grant

    def rotate_refresh(self, old: str) -> str:
        """Replace a refresh token by a new one (Entra does this on every refresh)."""
        grant = self.refresh.pop(old)
        new = ids.opaque_token(48)
        self.refresh[new] = grant
        for acc in self.access.values():
            if acc.get("refresh") == old:
                acc["refresh"] = new
        return new

    def revoke(self, token: str) -> bool:
        """Revoke an access or refresh token; a refresh token takes its access tokens along."""
        if token in self.refresh:
            self.refresh[token]["revoked"] = True
            for acc in self.access.values():
                if acc.get("refresh") == token:
                    acc["revoked"] = True
            return True
        if token in self.access:
            self.access[token]["revoked"] = True
            return True
        return False

    def expire_access(self, service: str | None = None) -> int:
        """Make every access token (of one service) expired now. Returns how many."""
        n = 0
        for grant in self.access.values():
            if service is None or grant["service"] == service:
                grant["expires"] = self._now() - 1
                n += 1
        return n

    def revoke_all_refresh(self, service: str | None = None) -> int:
        n = 0
        for token, grant in self.refresh.items():
            if service is None or grant["service"] == service:
                self.revoke(token)
                n += 1
        return n

    # -------------------------------------------------------- persistence
    def clear(self) -> None:
        self.access.clear()
        self.refresh.clear()
        self.device_codes.clear()
        self.auth_codes.clear()

    def to_json(self) -> dict:
        return copy.deepcopy(
            {
                "access": self.access,
                "refresh": self.refresh,
                "device_codes": self.device_codes,
                "auth_codes": self.auth_codes,
            }
        )

    def load_json(self, data: dict) -> None:
        self.access = data.get("access", {})
        self.refresh = data.get("refresh", {})
        self.device_codes = data.get("device_codes", {})
        self.auth_codes = data.get("auth_codes", {})
