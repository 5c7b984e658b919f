"""The diagnostics bundle of a signed-in demo profile: the expected parts, and no secret."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path

import pytest
from accounts_helpers import sign_in_profile

from app import diagnostics, redaction
from app.context import AppContext
from app.policy import Policy


@pytest.fixture
def signed_in(sandbox, tmp_path, monkeypatch):
    """A sandbox profile signed in to both services, its secrets in sandbox-secrets.json."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    profile = tmp_path / "profile"
    sign_in_profile(sandbox, profile, monkeypatch)
    ctx = AppContext.open(profile, sandbox_url=sandbox.base_url, sandbox_ca=sandbox.ca_file)
    yield ctx
    ctx.close()
    redaction.uninstall()


def secret_values(sandbox, ctx) -> set[str]:
    """Every token the sandbox issued, and every secret the profile's keyring file holds."""
    tokens = sandbox.state.tokens
    found = set(tokens.access) | set(tokens.refresh) | set(tokens.auth_codes)
    for key, record in tokens.device_codes.items():
        found.add(key)
        if isinstance(record, dict) and record.get("device_code"):
            found.add(record["device_code"])
    secrets_file = ctx.paths.sandbox_secrets_file
    assert secrets_file.is_file(), "the test expects the sandbox file keyring"
    for entries in json.loads(secrets_file.read_text()).values():
        for value in entries.values():
            found.add(value)
            try:
                data = json.loads(value)
            except ValueError:
                continue
            for section in ("AccessToken", "RefreshToken", "IdToken"):
                for entry in (data.get(section) or {}).values():
                    found.add(entry["secret"])
            for key in ("access_token", "refresh_token"):
                if data.get(key):
                    found.add(data[key])
    return {s for s in found if s and len(s) >= 8}


def leaky_log(ctx, secrets: set[str]) -> Path:
    """A log written without the redaction filter (an old version, a library's own file)."""
    log = ctx.paths.log_dir / "tandem.log"
    lines = []
    for value in sorted(secrets):
        lines += [
            f"2026-11-30 10:00:00 httpx DEBUG headers={{'authorization': 'Bearer {value}'}}",
            f"2026-11-30 10:00:01 msal DEBUG body refresh_token={value}&grant_type=refresh_token",
            f'2026-11-30 10:00:02 app DEBUG {{"access_token": "{value}", "token_type": "Bearer"}}',
        ]
    lines.append("2026-11-30 10:00:03 app INFO contacts: 3 created in Outlook")
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return log


@pytest.mark.seed("demo")
def test_bundle_of_a_signed_in_profile_has_every_part_and_no_token(sandbox, signed_in, tmp_path):
    ctx = signed_in
    report = asyncio.run(ctx.service.sync(["contacts"]))
    assert report.ok
    secrets = secret_values(sandbox, ctx)
    assert len(secrets) >= 3
    leaky_log(ctx, secrets)
    # A copy of the keyring file that ended up beside the logs is still never bundled.
    (ctx.paths.log_dir / "sandbox-secrets.json").write_text(ctx.paths.sandbox_secrets_file.read_text())

    path = diagnostics.export(ctx, tmp_path / "support", qt_version="6.11.0")

    assert path == tmp_path / "support.zip" and path.is_file()
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        texts = {name: zf.read(name).decode("utf-8") for name in names}
    assert {
        "README.txt",
        "environment.json",
        "settings.json",
        "runs.json",
        "issues.json",
        "accounts.json",
        "status.json",
        "logs/tandem.log",
    } <= names
    assert not any("secret" in name for name in names)
    for name, text in texts.items():
        leaked = [line for s in secrets if s in text for line in text.splitlines() if s in line][:3]
        assert not leaked, f"{name} holds a token: {leaked}"
    # The parts say what support needs.
    env = json.loads(texts["environment.json"])
    assert env["qt"] == "6.11.0" and env["python"] and env["packages"]["httpx"]
    assert env["profile"]["schema_version"] == ctx.store.schema_version >= 1  # the database's version
    runs = json.loads(texts["runs.json"])
    assert runs and runs[0]["mode"] == "apply" and runs[0]["kinds"] == ["contacts"]
    settings = {row["key"]: row for row in json.loads(texts["settings.json"])["settings"]}
    assert settings["contacts.salesforce_no_delete"]["value"] is True
    accounts = json.loads(texts["accounts.json"])
    assert accounts["outlook"]["username"] and accounts["salesforce"]["organization_id"]
    assert "contacts: 3 created in Outlook" in texts["logs/tandem.log"]
    assert "[redacted]" in texts["logs/tandem.log"]
    assert "sandbox-secrets.json" in texts["README.txt"]  # says what was left out


def test_bundle_shows_policy_locks_and_open_issues(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "accounts_keyring.MemoryKeyring")
    ctx = AppContext.open(tmp_path / "p", sandbox_url=sandbox.base_url, sandbox_ca=sandbox.ca_file)
    try:
        ctx.settings.policy = Policy(locked={"auto.frequency_min": 60})
        ctx.store.record_issue(
            kind="tasks",
            category="error",
            code="invalid",
            run_id=None,
            message="The subject is too long for Salesforce.",
            label="Call Bob",
        )
        path = diagnostics.export(ctx, tmp_path)  # a folder: a dated name inside it
        assert path.parent == tmp_path and path.name.startswith("tandem-diagnostics-")
        with zipfile.ZipFile(path) as zf:
            settings = json.loads(zf.read("settings.json"))
            issues = json.loads(zf.read("issues.json"))
            accounts = json.loads(zf.read("accounts.json"))
        row = next(r for r in settings["settings"] if r["key"] == "auto.frequency_min")
        assert row == {"key": "auto.frequency_min", "value": 60, "source": "locked", "locked": True}
        assert settings["auto_sync_unlocked"] is False
        assert issues[0]["label"] == "Call Bob"
        assert accounts == {"outlook": None, "salesforce": None}
    finally:
        ctx.close()
        redaction.uninstall()


def test_a_missing_folder_is_a_plain_message(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "accounts_keyring.MemoryKeyring")
    ctx = AppContext.open(tmp_path / "p", sandbox_url=sandbox.base_url, sandbox_ca=sandbox.ca_file)
    try:
        with pytest.raises(diagnostics.DiagnosticsError, match="does not exist"):
            diagnostics.export(ctx, tmp_path / "no" / "such" / "bundle.zip")
    finally:
        ctx.close()
        redaction.uninstall()


def test_redaction_covers_log_lines_beyond_the_tail_limit(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "accounts_keyring.MemoryKeyring")
    monkeypatch.setattr(diagnostics, "LOG_TAIL_BYTES", 200)
    ctx = AppContext.open(tmp_path / "p", sandbox_url=sandbox.base_url, sandbox_ca=sandbox.ca_file)
    try:
        log = ctx.paths.log_dir / "tandem.log"
        log.write_text("old line\n" * 100 + "Authorization: Bearer abcdefghijklmnop\nnewest line\n")
        members = diagnostics.log_members(ctx)
        text = members["logs/tandem.log"]
        assert "newest line" in text and "abcdefghijklmnop" not in text
        assert text.startswith("[only the newest")
    finally:
        ctx.close()
        redaction.uninstall()
