"""Who is connected: the non-secret facts about each account, in ``<profile>/accounts.json``.

Names, usernames, org and tenant ids and the Salesforce instance URL are not secrets; they
are kept here so ``status`` and the UI can say "connected as …" without opening the keyring.
Tokens never go here (they live in the keyring, see ``app.auth.secrets``).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

_lock = threading.Lock()


class AccountsFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, service: str) -> dict[str, Any] | None:
        return self.load().get(service)

    def put(self, service: str, facts: dict[str, Any] | None) -> None:
        with _lock:
            data = self.load()
            if facts is None:
                data.pop(service, None)
            else:
                data[service] = facts
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".accounts.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, indent=2, sort_keys=True)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
