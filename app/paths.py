"""Where one profile keeps its state, and how its keyring entries are named.

Without ``--profile`` the folders come from platformdirs (per user, per OS). With
``--profile DIR`` everything of that profile lives under ``DIR`` (database, settings,
logs, caches, and for sandbox profiles the sandbox secret file). A sandbox run without
``--profile`` gets its own profile folder (``<user data dir>/sandbox``) so that it never
mixes with the real profile.

Keyring entries are namespaced per profile: the service name is ``Tandem/<profile id>``
where the id is ``default`` for the default profile and a short hash of the resolved folder
otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Tandem"


@dataclass(frozen=True)
class ProfilePaths:
    root: Path  # the profile's own folder (data)
    config_dir: Path
    log_dir: Path
    cache_dir: Path
    profile_id: str  # "default", "sandbox", "demo" or "p-<hash>"
    sandbox: bool = False

    @property
    def database(self) -> Path:
        return self.root / "tandem.sqlite3"

    @property
    def accounts_file(self) -> Path:
        """Who is connected (names, org, instance URL) — never a secret."""
        return self.root / "accounts.json"

    @property
    def sandbox_secrets_file(self) -> Path:
        return self.root / "sandbox-secrets.json"

    @property
    def keyring_service(self) -> str:
        return f"{APP_NAME}/{self.profile_id}"

    def ensure(self) -> ProfilePaths:
        for folder in (self.root, self.config_dir, self.log_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                with contextlib.suppress(OSError):
                    folder.chmod(0o700)
        return self


def _hash_id(folder: Path) -> str:
    return "p-" + hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:12]


def profile_paths(
    profile: str | os.PathLike | None = None, *, sandbox: bool = False, demo: bool = False
) -> ProfilePaths:
    """The folders of a profile (not created; call :meth:`ProfilePaths.ensure`). ``demo``: the
    desktop demo's own profile (``<user data dir>/demo``, with its embedded sandbox's world),
    apart from the profile of an external sandbox (``--sandbox-url``: ``<user data dir>/sandbox``)."""
    if profile:
        root = Path(profile).expanduser().resolve()
        return ProfilePaths(
            root=root,
            config_dir=root,
            log_dir=root / "logs",
            cache_dir=root / "cache",
            profile_id=_hash_id(root),
            sandbox=sandbox,
        )
    data = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if sandbox or demo:
        name = "demo" if demo else "sandbox"
        root = data / name
        return ProfilePaths(
            root=root,
            config_dir=root,
            log_dir=root / "logs",
            cache_dir=root / "cache",
            profile_id=name,
            sandbox=True,
        )
    return ProfilePaths(
        root=data,
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        profile_id="default",
        sandbox=False,
    )
