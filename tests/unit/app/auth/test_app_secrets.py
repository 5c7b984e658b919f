"""The keyring wrapper: chunking under a 2,560-byte cap, typed errors, backend choice."""

from __future__ import annotations

import json
import os
import stat

import keyring.backend
import keyring.errors
import pytest

from app.auth.secrets import MANIFEST_PREFIX, SandboxFileKeyring, SecretStore, select_backend, split_chunks
from app.errors import KeyringLocked, KeyringUnavailable, SecretsError
from app.paths import profile_paths


class DictKeyring(keyring.backend.KeyringBackend):
    """A throwaway keyring that enforces an entry cap like Windows Credential Manager."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, cap_bytes: int | None = None, encoding: str = "utf-16-le") -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}
        self.cap, self.encoding = cap_bytes, encoding

    def get_password(self, service, username):
        return self.data.get((service, username))

    def set_password(self, service, username, password):
        if self.cap is not None and len(password.encode(self.encoding)) > self.cap:
            raise keyring.errors.PasswordSetError("entry too large")
        self.data[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.data:
            raise keyring.errors.PasswordDeleteError("missing")
        del self.data[(service, username)]


class RaisingKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service, username):
        raise self.exc

    def set_password(self, service, username, password):
        raise self.exc

    def delete_password(self, service, username):
        raise self.exc


def big_cache(n: int = 40) -> str:
    """Something shaped like a serialised MSAL cache, well over 2,560 bytes, with non-ASCII."""
    return json.dumps(
        {"AccessToken": {f"k{i}": {"secret": "x" * 80, "name": "Zoë Ångström 😀"} for i in range(n)}},
        ensure_ascii=False,
        indent=4,
    )


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-8"])
def test_chunked_round_trip_under_the_windows_cap(encoding: str) -> None:
    backend = DictKeyring(cap_bytes=2560, encoding=encoding)
    store = SecretStore("Tandem/test", backend, max_entry_bytes=2560, encoding=encoding)
    value = big_cache(80)
    assert len(value.encode(encoding)) > 4 * 2560
    store.set("outlook.token_cache", value)
    main = backend.data[("Tandem/test", "outlook.token_cache")]
    assert main.startswith(MANIFEST_PREFIX)
    assert all(len(v.encode(encoding)) <= 2560 for v in backend.data.values())
    assert store.get("outlook.token_cache") == value


def test_shrinking_a_secret_removes_old_chunks_and_delete_removes_all() -> None:
    backend = DictKeyring(cap_bytes=2560)
    store = SecretStore("S", backend, max_entry_bytes=2560, encoding="utf-16-le")
    store.set("cache", big_cache(60))
    assert len(backend.data) > 5
    store.set("cache", big_cache(20))
    count = int(backend.data[("S", "cache")][len(MANIFEST_PREFIX) :].split(":")[0])
    assert len(backend.data) == count + 1
    store.set("cache", "small")
    assert backend.data == {("S", "cache"): "small"}
    assert store.get("cache") == "small"
    store.set("cache", big_cache(10))
    assert store.delete("cache") is True
    assert backend.data == {}
    assert store.get("cache") is None
    assert store.delete("cache") is False


def test_a_damaged_chunk_reads_as_absent() -> None:
    backend = DictKeyring(cap_bytes=2560)
    store = SecretStore("S", backend, max_entry_bytes=2560, encoding="utf-16-le")
    store.set("cache", big_cache())
    backend.data[("S", "cache#2")] = "tampered"
    assert store.get("cache") is None
    del backend.data[("S", "cache#2")]
    assert store.get("cache") is None


def test_split_chunks_never_breaks_a_character() -> None:
    text = "a😀b" * 500
    chunks = split_chunks(text, 10, "utf-16-le")
    assert "".join(chunks) == text
    assert all(len(c.encode("utf-16-le")) <= 10 for c in chunks)


def test_json_helpers_and_no_cap_keeps_one_entry() -> None:
    backend = DictKeyring()
    store = SecretStore("S", backend)
    store.set_json("salesforce.credentials", {"refresh_token": "r" * 5000})
    assert len(backend.data) == 1
    assert store.get_json("salesforce.credentials") == {"refresh_token": "r" * 5000}


@pytest.mark.parametrize(
    "exc, expected, words",
    [
        (keyring.errors.KeyringLocked("locked"), KeyringLocked, "Unlock it"),
        (keyring.errors.NoKeyringError("none"), KeyringUnavailable, "Set one up"),
        (keyring.errors.InitError("init"), KeyringUnavailable, "Set one up"),
        (keyring.errors.PasswordSetError("refused"), SecretsError, "refused"),
    ],
)
def test_keyring_failures_become_typed_errors_with_plain_words(exc, expected, words) -> None:
    store = SecretStore("S", RaisingKeyring(exc))
    for call in (lambda: store.get("x"), lambda: store.set("x", "y"), lambda: store.delete("x")):
        with pytest.raises(expected) as info:
            call()
        assert words in info.value.message
        assert info.value.title
        assert info.value.action in {"unlock_keyring", "install_keyring", "retry"}
        assert "Traceback" not in str(info.value)


def test_the_null_keyring_is_refused_not_used_silently() -> None:
    from keyring.backends import null

    with pytest.raises(KeyringUnavailable):
        SecretStore("S", null.Keyring())


def test_locked_error_is_typed_in_async_calls_too() -> None:
    import asyncio

    store = SecretStore("S", RaisingKeyring(keyring.errors.KeyringLocked("locked")))
    with pytest.raises(KeyringLocked):
        asyncio.run(store.aget("x"))


def test_backend_choice(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    sandbox_paths = profile_paths(tmp_path / "sb", sandbox=True)
    backend = select_backend(sandbox_paths)
    assert isinstance(backend, SandboxFileKeyring)
    assert backend.path == tmp_path / "sb" / "sandbox-secrets.json"

    real_paths = profile_paths(tmp_path / "real")
    monkeypatch.setattr("keyring.get_keyring", lambda: DictKeyring())
    assert isinstance(select_backend(real_paths), DictKeyring)  # never the file store

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    store = SecretStore.for_profile(sandbox_paths)  # the standard variable wins
    with pytest.raises(KeyringUnavailable):
        store.get("outlook.token_cache")


def test_sandbox_file_keyring_is_private(tmp_path) -> None:
    path = tmp_path / "profile" / "sandbox-secrets.json"
    store = SecretStore("Tandem/p", SandboxFileKeyring(path))
    store.set("salesforce.credentials", "secret-value")
    assert store.get("salesforce.credentials") == "secret-value"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.delete("salesforce.credentials")
    assert store.get("salesforce.credentials") is None


def test_profiles_have_separate_namespaces(tmp_path) -> None:
    a, b = profile_paths(tmp_path / "a"), profile_paths(tmp_path / "b")
    assert a.keyring_service != b.keyring_service
    assert a.keyring_service.startswith("Tandem/")
    assert profile_paths(None).keyring_service == "Tandem/default"
    assert profile_paths(None, sandbox=True).keyring_service == "Tandem/sandbox"
    assert a.database.parent == a.root == (tmp_path / "a").resolve()
    assert a.log_dir.is_relative_to(a.root) and a.cache_dir.is_relative_to(a.root)


def test_the_demo_and_an_external_sandbox_never_share_a_profile(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "data"))
    demo, external = profile_paths(demo=True), profile_paths(sandbox=True)
    assert demo.root != external.root and demo.profile_id != external.profile_id
    assert demo.sandbox and external.sandbox
    assert SecretStore.for_profile(demo).service != SecretStore.for_profile(external).service


def test_keyring_discovery_passes_over_the_sandbox_backend() -> None:
    """keyring builds every backend class without arguments to find the platform's, and skips
    only those that raise TypeError: the sandbox's file keyring must be one of them, or a real
    profile would find no keyring at all (seen against GNOME Keyring in tests/system)."""
    import keyring.backend

    with pytest.raises(TypeError):
        SandboxFileKeyring()  # type: ignore[call-arg]
    assert not any(isinstance(k, SandboxFileKeyring) for k in keyring.backend.get_all_keyring())
