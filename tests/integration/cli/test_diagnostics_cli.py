"""`diagnostics export FILE.zip` from the command line (CLI.md)."""

from __future__ import annotations

import zipfile

import pytest


@pytest.mark.seed("demo")
def test_diagnostics_export_writes_a_zip_without_the_profiles_tokens(cli, tmp_path):
    assert cli.run("sync", "--kind", "tasks", "--yes", "--json")[0] in (0, 3)
    target = tmp_path / "support.zip"
    code, doc, err = cli.run("diagnostics", "export", str(target), "--json")
    assert code == 0 and doc == {"ok": True, "file": str(target)}
    assert "Tokens and passwords are not in it" in err
    with zipfile.ZipFile(target) as bundle:
        names = bundle.namelist()
        text = "\n".join(bundle.read(n).decode("utf-8", "replace") for n in names)
    assert "runs.json" in names and "settings.json" in names
    # Every secret the profile keeps in its keyring (tokens, the MSAL cache) stays out.
    from accounts_keyring import MemoryKeyring

    public = (cli.profile / "accounts.json").read_text()  # ids and names are not secrets
    pieces = [
        piece
        for value in MemoryKeyring.store.values()
        for piece in str(value).replace("'", '"').split('"')
        if len(piece) >= 24 and piece not in public
    ]
    assert pieces, "the signed-in profile should hold secrets in its keyring"
    assert not [p for p in pieces if p in text]


@pytest.mark.seed("demo")
def test_a_command_line_sync_leaves_its_support_log_in_the_diagnostics(cli, tmp_path):
    # BEHAVIOUR.md: the bundle holds the logs (redacted). A profile used only from the command
    # line had no log file at all, so its bundle had none.
    assert cli.run("sync", "--kind", "tasks", "--yes", "--json")[0] in (0, 3)
    target = tmp_path / "support.zip"
    assert cli.run("diagnostics", "export", str(target), "--json")[0] == 0
    with zipfile.ZipFile(target) as bundle:
        logs = [n for n in bundle.namelist() if n.startswith("logs/")]
        assert logs, bundle.namelist()
        text = "\n".join(bundle.read(n).decode("utf-8") for n in logs)
    assert "tasks" in text and "run" in text.lower()
    from accounts_keyring import MemoryKeyring

    secrets = [v for v in map(str, MemoryKeyring.store.values()) if len(v) >= 24]
    assert secrets and not [s for s in secrets if s in text]


def test_diagnostics_export_to_a_missing_folder_fails_in_plain_words(cli, tmp_path):
    code, _, err = cli.run("diagnostics", "export", str(tmp_path / "nope" / "x.zip"))
    assert code == 1 and "tandem:" in err
