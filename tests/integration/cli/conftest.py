"""Fixtures of the sync CLI tests: a throwaway keyring, a profile signed in to both services
of the sandbox through the real app sign-in, and a helper that runs ``main.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from accounts_helpers import sign_in_profile
from accounts_keyring import MemoryKeyring

from app import redaction


@pytest.fixture
def cli(sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    """A signed-in profile on the sandbox; ``cli.run(*argv)`` -> (exit code, json or None, stderr)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "accounts_keyring.MemoryKeyring")
    MemoryKeyring.store.clear()
    profile = tmp_path / "profile"
    sign_in_profile(sandbox, profile, monkeypatch)
    capsys.readouterr()
    yield CliRunner(sandbox, profile, capsys)
    redaction.uninstall()
    MemoryKeyring.store.clear()


class CliRunner:
    def __init__(self, sandbox, profile: Path, capsys) -> None:
        self.sandbox = sandbox
        self.profile = profile
        self.capsys = capsys

    def run(self, *argv: str) -> tuple[int, dict | None, str]:
        import main

        code = main.main([*argv, "--profile", str(self.profile)])
        captured = self.capsys.readouterr()
        doc = json.loads(captured.out) if captured.out.strip() else None
        return code, doc, captured.err

    def api_requests(self) -> dict[str, int]:
        """Requests per service since the last reset, token endpoints left out."""
        services = self.sandbox.control("requests")["services"]
        out: dict[str, int] = {}
        for service, entry in services.items():
            n = sum(
                count
                for name, count in entry["endpoints"].items()
                if not name.split(" ")[1].endswith("/token")
            )
            if n:
                out[service] = n
        return out
