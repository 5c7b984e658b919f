"""Secrets in the system keyring only: per-profile namespace, chunking, typed errors.

* Entries live under the service name ``Tandem/<profile id>`` (see ``app.paths``), one
  username per secret (``outlook.token_cache``, ``salesforce.credentials``).
* Some platforms cap an entry's size (Windows Credential Manager: 2,560 bytes of
  ``CredentialBlob``, which keyring writes as UTF-16). A value that does not fit is split
  into chunk entries ``NAME#1`` ... ``NAME#N``; the main entry then holds a manifest
  ``tandem-chunks:v1:N:<sha256 prefix>``. A manifest whose chunks do not add up reads as
  missing (the user signs in again), never as garbage.
* The standard ``PYTHON_KEYRING_BACKEND`` variable is honoured. Without it, a sandbox profile
  uses :class:`SandboxFileKeyring` (``<profile>/sandbox-secrets.json``, mode 0600, named as
  such) and any other profile the platform's keyring. There is no silent plain-text fallback:
  a missing or locked keyring raises :class:`app.errors.KeyringUnavailable` or
  :class:`app.errors.KeyringLocked` with words that tell the user what to do.
* The calls block (D-Bus, Keychain); from async code use the ``a*`` methods, which run in
  a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.core
import keyring.errors

from app.errors import KeyringLocked, KeyringUnavailable, SecretsError
from app.paths import ProfilePaths

log = logging.getLogger(__name__)


WINDOWS_MAX_BLOB_BYTES = 2560
MANIFEST_PREFIX = "tandem-chunks:v1:"

_UNAVAILABLE_MESSAGE = (
    "Tandem keeps sign-ins only in the system keyring, and none is available. Set one up "
    "(on Linux: GNOME Keyring or KWallet with the Secret Service running; on Windows and macOS "
    "it is built in) or choose one with PYTHON_KEYRING_BACKEND, then try again."
)
_LOCKED_MESSAGE = (
    "The system keyring is locked, so Tandem cannot read or save your sign-ins. Unlock it "
    "(sign in to your desktop session or open your keyring app and unlock it), then try again."
)


@contextlib.contextmanager
def keyring_errors(operation: str) -> Iterator[None]:
    """Convert keyring's exceptions into Tandem's typed errors (the one boundary)."""
    try:
        yield
    except keyring.errors.KeyringLocked as exc:
        raise KeyringLocked(message=_LOCKED_MESSAGE, operation=operation) from exc
    except (keyring.errors.NoKeyringError, keyring.errors.InitError) as exc:
        raise KeyringUnavailable(message=_UNAVAILABLE_MESSAGE, operation=operation) from exc
    except keyring.errors.KeyringError as exc:
        raise SecretsError(
            message=f"The system keyring refused to {operation} a sign-in "
            f"({type(exc).__name__}). Check that it is unlocked and working, "
            "then try again.",
            operation=operation,
        ) from exc


class SandboxFileKeyring(keyring.backend.KeyringBackend):
    """A file store for **sandbox profiles only**: ``<profile>/sandbox-secrets.json``, 0600.

    The sandbox's tokens are worthless outside the emulator; keeping them out of the
    developer's real keyring is the point. Never selected for a real profile.
    """

    priority = -1  # never chosen by keyring's own discovery

    def __init__(self, path: str | os.PathLike) -> None:
        # ``path`` has no default on purpose: keyring's discovery instantiates every backend
        # class without arguments and skips only those that raise TypeError. Any other error
        # (InitError, say) ends the discovery, and a real profile would find no keyring.
        super().__init__()
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError:
            log.warning("sandbox secret file %s is damaged; starting empty", self.path)
            return {}

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sandbox-secrets.", dir=self.path.parent)
        try:
            if os.name == "posix":
                os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            data = self._read()
            data.setdefault(service, {})[username] = password
            self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            data = self._read()
            if username not in data.get(service, {}):
                raise keyring.errors.PasswordDeleteError("no such secret")
            del data[service][username]
            self._write(data)


def select_backend(paths: ProfilePaths) -> keyring.backend.KeyringBackend:
    """The keyring backend for a profile (see the module docstring for the order)."""
    with keyring_errors("open"):
        if os.environ.get("PYTHON_KEYRING_BACKEND"):
            chosen = keyring.core.load_env()  # None only when the variable is unset
            if chosen is not None:
                return chosen
        if paths.sandbox:
            return SandboxFileKeyring(paths.sandbox_secrets_file)
        return keyring.get_keyring()


def platform_entry_cap(backend: keyring.backend.KeyringBackend) -> tuple[int | None, str]:
    """(max bytes per entry, the encoding the platform stores) for a backend."""
    module = type(backend).__module__
    # On Windows every keyring ends in Credential Manager (also through keyring's chainer).
    if module.startswith("keyring.backends.Windows") or (
        sys.platform == "win32" and not isinstance(backend, SandboxFileKeyring)
    ):
        return WINDOWS_MAX_BLOB_BYTES, "utf-16-le"
    return None, "utf-8"


def split_chunks(value: str, max_bytes: int, encoding: str) -> list[str]:
    """Split ``value`` into pieces whose encoded size is at most ``max_bytes`` each."""
    if max_bytes < 8:
        raise ValueError("max_bytes is too small")
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for ch in value:
        n = len(ch.encode(encoding, "surrogatepass"))
        if size + n > max_bytes:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += n
    if current or not chunks:
        chunks.append("".join(current))
    return chunks


class SecretStore:
    """Named secrets of one profile in one keyring backend."""

    def __init__(
        self,
        service: str,
        backend: keyring.backend.KeyringBackend,
        *,
        max_entry_bytes: int | None = None,
        encoding: str | None = None,
    ) -> None:
        self.service = service
        self.backend = backend
        cap, enc = platform_entry_cap(backend)
        self.max_entry_bytes = max_entry_bytes if max_entry_bytes is not None else cap
        self.encoding = encoding or enc
        if type(backend).__module__ == "keyring.backends.null":
            raise KeyringUnavailable(message=_UNAVAILABLE_MESSAGE, operation="open")

    @classmethod
    def for_profile(cls, paths: ProfilePaths) -> SecretStore:
        return cls(paths.keyring_service, select_backend(paths))

    # -- blocking API ----------------------------------------------------------------
    def _fits(self, value: str) -> bool:
        return (
            self.max_entry_bytes is None
            or len(value.encode(self.encoding, "surrogatepass")) <= self.max_entry_bytes
        )

    def _chunk_count(self, main: str | None) -> int:
        if main and main.startswith(MANIFEST_PREFIX):
            try:
                return int(main[len(MANIFEST_PREFIX) :].split(":", 1)[0])
            except ValueError:
                return 0
        return 0

    def get(self, name: str) -> str | None:
        with keyring_errors("read"):
            main = self.backend.get_password(self.service, name)
            if main is None or not main.startswith(MANIFEST_PREFIX):
                return main
            count_s, _, digest = main[len(MANIFEST_PREFIX) :].partition(":")
            parts = []
            for i in range(1, int(count_s) + 1):
                part = self.backend.get_password(self.service, f"{name}#{i}")
                if part is None:
                    log.warning("secret %s is incomplete (chunk %d missing); treating it as absent", name, i)
                    return None
                parts.append(part)
        value = "".join(parts)
        if hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16] != digest:
            log.warning("secret %s does not match its checksum; treating it as absent", name)
            return None
        return value

    def set(self, name: str, value: str) -> None:
        with keyring_errors("save"):
            old_count = self._chunk_count(self.backend.get_password(self.service, name))
            if self._fits(value) and not value.startswith(MANIFEST_PREFIX):
                self.backend.set_password(self.service, name, value)
                new_count = 0
            else:
                assert self.max_entry_bytes is not None or value.startswith(MANIFEST_PREFIX)
                cap = self.max_entry_bytes or len(value.encode(self.encoding)) + 1
                chunks = split_chunks(value, cap, self.encoding)
                for i, chunk in enumerate(chunks, 1):
                    self.backend.set_password(self.service, f"{name}#{i}", chunk)
                digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
                self.backend.set_password(self.service, name, f"{MANIFEST_PREFIX}{len(chunks)}:{digest}")
                new_count = len(chunks)
            for i in range(new_count + 1, old_count + 1):
                with contextlib.suppress(keyring.errors.PasswordDeleteError):
                    self.backend.delete_password(self.service, f"{name}#{i}")

    def delete(self, name: str) -> bool:
        """Forget a secret and its chunks. True when something was there."""
        with keyring_errors("delete"):
            main = self.backend.get_password(self.service, name)
            if main is None:
                return False
            for i in range(1, self._chunk_count(main) + 1):
                with contextlib.suppress(keyring.errors.PasswordDeleteError):
                    self.backend.delete_password(self.service, f"{name}#{i}")
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self.backend.delete_password(self.service, name)
            return True

    def get_json(self, name: str) -> Any:
        raw = self.get(name)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            log.warning("secret %s is not valid JSON; treating it as absent", name)
            return None

    def set_json(self, name: str, value: Any) -> None:
        self.set(name, json.dumps(value, separators=(",", ":")))

    # -- async API (blocking calls in a thread) -------------------------------------
    async def aget(self, name: str) -> str | None:
        return await asyncio.to_thread(self.get, name)

    async def adelete(self, name: str) -> bool:
        return await asyncio.to_thread(self.delete, name)

    async def aget_json(self, name: str) -> Any:
        return await asyncio.to_thread(self.get_json, name)

    async def aset_json(self, name: str, value: Any) -> None:
        await asyncio.to_thread(self.set_json, name, value)
