"""A throwaway in-memory keyring for the accounts tests (never the developer's real keyring).

Selected with the standard ``PYTHON_KEYRING_BACKEND=accounts_keyring.MemoryKeyring``; the
storage is class-level so every instance keyring creates sees the same entries.
"""

from __future__ import annotations

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]
    store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("missing")
        del self.store[(service, username)]
