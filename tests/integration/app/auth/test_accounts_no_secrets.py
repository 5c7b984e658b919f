"""A full login with DEBUG logging everywhere leaves no token, code or verifier in the
profile folder, in the captured logs or on the terminal."""

from __future__ import annotations

import argparse
import json
import logging

import pytest
from accounts_helpers import make_browser

from app import redaction
from app.auth import salesforce as auth_salesforce
from app.auth.secrets import SecretStore
from app.cli import accounts as accounts_cli
from app.paths import profile_paths

LOGGERS = ("", "httpx", "httpcore", "msal", "urllib3", "app", "asyncio")


@pytest.fixture
def debug_logging(profile):
    (profile / "logs").mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(profile / "logs" / "tandem.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield profile / "logs" / "tandem.log"
    root.removeHandler(handler)
    handler.close()
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)
    redaction.uninstall()


def collect(sandbox, found: set[str], memory_keyring: dict) -> None:
    tokens = sandbox.state.tokens
    found.update(tokens.access, tokens.refresh, tokens.auth_codes)
    for key, record in tokens.device_codes.items():
        found.add(key)
        if isinstance(record, dict) and record.get("device_code"):
            found.add(record["device_code"])
    for value in memory_keyring.values():  # MSAL cache secrets (incl. id_token), SF credentials
        try:
            data = json.loads(value)
        except ValueError:
            continue
        if isinstance(data, dict):
            for section in ("AccessToken", "RefreshToken", "IdToken"):
                for entry in (data.get(section) or {}).values():
                    found.add(entry["secret"])
            for key in ("access_token", "refresh_token"):
                if data.get(key):
                    found.add(data[key])


def test_full_login_with_debug_logging_leaks_nothing(
    sandbox, profile, memory_keyring, monkeypatch, caplog, capsys, debug_logging
) -> None:
    monkeypatch.setenv("TANDEM_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("TANDEM_SANDBOX_CA", sandbox.ca_file)
    sandbox.control("config", {"auto_approve": True, "device_interval_s": 1, "access_token_lifetime_s": 1})
    verifiers: list[str] = []
    real_pair = auth_salesforce.pkce_pair

    def recording_pair():
        verifier, challenge = real_pair()
        verifiers.append(verifier)
        return verifier, challenge

    monkeypatch.setattr(auth_salesforce, "pkce_pair", recording_pair)
    secrets: set[str] = set()
    ns = argparse.Namespace(
        profile=str(profile),
        json=True,
        device=False,
        service=None,
        sandbox_url=None,
        sandbox_ca=None,
        login_host=None,
        open_browser=make_browser(sandbox),
    )
    caplog.set_level(logging.DEBUG)
    assert accounts_cli.login_outlook(ns) == 0
    collect(sandbox, secrets, memory_keyring)
    assert accounts_cli.login_salesforce(ns) == 0
    collect(sandbox, secrets, memory_keyring)
    ns.device = True
    assert accounts_cli.login_salesforce(ns) == 0
    collect(sandbox, secrets, memory_keyring)

    # A later run: silent refreshes of both, with the same DEBUG logging.
    ctx = accounts_cli.context_from_args(ns)
    ctx.outlook().acquire_token()  # lifetime 1 s: MSAL refreshes (and Entra rotates the RT)
    import asyncio

    asyncio.run(ctx.salesforce().refresh())
    collect(sandbox, secrets, memory_keyring)
    ns.service = "salesforce"
    assert accounts_cli.logout(ns) == 0
    collect(sandbox, secrets, memory_keyring)

    secrets.update(verifiers)
    secrets = {s for s in secrets if s and len(s) >= 8}
    assert len(secrets) >= 8 and verifiers
    out = capsys.readouterr()
    texts = {"captured logs": caplog.text, "stdout": out.out, "stderr": out.err}
    assert "HTTP Request: POST" in caplog.text  # DEBUG/INFO logging really was on
    for path in sorted(p for p in profile.rglob("*") if p.is_file()):
        texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    assert debug_logging.stat().st_size > 0
    leaks = [(where, s[:6] + "…") for where, text in texts.items() for s in secrets if s in text]
    assert leaks == []
    # The keyring (a memory one here) is where the secrets are; the profile has none.
    assert SecretStore.for_profile(profile_paths(profile, sandbox=True)).get("outlook.token_cache")
