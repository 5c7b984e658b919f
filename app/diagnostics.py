"""The diagnostics bundle: one zip a person can send to support (BEHAVIOUR.md, Administration).

    path = export(ctx, "~/Desktop/tandem-diagnostics.zip", qt_version="6.11.0")

``ctx`` is an :class:`app.context.AppContext` (anything with ``paths``, ``settings``,
``service``, ``store`` and ``signed_in()``). The zip holds:

=====================  =================================================================
member                 what
=====================  =================================================================
``README.txt``         what the bundle is and what was left out
``environment.json``   Tandem, Python, OS and library versions (Qt passed in: app/ has no Qt)
``settings.json``      every setting: value, where it comes from, locked or not; the policy
                       files read and their problems
``runs.json``          recent runs (``SyncService.history``)
``issues.json``        open item issues
``accounts.json``      who is connected: names, usernames, org / tenant, instance (no tokens)
``status.json``        per-kind state, next run and the API budget
``logs/<file>``        the profile's log files, every line run through app.redaction
=====================  =================================================================

Never in it: the keyring (this module does not open it), ``sandbox-secrets.json`` or any
file whose name says it holds secrets, tokens. Everything text goes through
:func:`app.redaction.redact` as a last guard, and fact dictionaries drop keys that name a
credential. Logs are capped (the newest :data:`LOG_TAIL_BYTES` of each file).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import redaction

if TYPE_CHECKING:
    from app.context import AppContext

LOG_TAIL_BYTES = 4 * 1024 * 1024  # per log file
MAX_LOG_FILES = 20
RUN_LIMIT = 50
PACKAGES = (
    "PyQt6",
    "qasync",
    "superqt",
    "httpx",
    "msal",
    "keyring",
    "peewee",
    "schedule",
    "platformdirs",
    "tzdata",
)
# Key fragments that mark a credential in a facts dictionary.
SECRET_FRAGMENTS = ("token", "secret", "password", "verifier", "assertion", "credential", "cookie", "session")
SECRET_FILE_HINTS = ("secret", "keyring", "credential", "token")


# Beyond app.redaction: any quoted key naming a secret ("secret", "client_secret",
# "refresh_token_x", ...) keeps its name and loses its string value (an MSAL cache dumped
# into a log, a library's debug output).
_SECRET_JSON_VALUE = re.compile(
    r"""(?i)(["'][\w.-]*(?:secret|token|password|verifier|assertion)[\w.-]*["']\s*:\s*["'])"""
    r"""((?:[^"'\\]|\\.)*)"""
)


def redact(text: str) -> str:
    """app.redaction, then the extra pass above."""
    return _SECRET_JSON_VALUE.sub(
        lambda m: m.group(1) + (redaction.MASK if m.group(2) else ""), redaction.redact(text)
    )


class DiagnosticsError(Exception):
    """The bundle could not be written; ``str()`` is a sentence for people."""


def default_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return f"tandem-diagnostics-{now:%Y%m%d-%H%M%S}.zip"


def export(
    ctx: AppContext,
    path: str | os.PathLike,
    *,
    qt_version: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write the bundle to ``path`` (a folder gets a dated file name; ``.zip`` is added when
    missing) and return where it went. Raises :class:`DiagnosticsError` with plain words."""
    target = Path(path).expanduser()
    if target.is_dir():
        target = target / default_name()
    elif target.suffix.lower() != ".zip":
        target = target.with_name(target.name + ".zip")
    if not target.parent.is_dir():
        raise DiagnosticsError(
            f"The folder {target.parent} does not exist. Choose another place for the diagnostics file."
        )
    members = collect(ctx, qt_version=qt_version, extra=extra)
    fd, tmp = tempfile.mkstemp(prefix=".tandem-diagnostics.", suffix=".zip", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in members.items():
                zf.writestr(name, text)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise DiagnosticsError(
            f"Tandem could not write {target} ({exc.strerror or exc}). Choose "
            "a folder you can write to and try again."
        ) from exc
    return target


def collect(
    ctx: AppContext, *, qt_version: str | None = None, extra: dict[str, Any] | None = None
) -> dict[str, str]:
    """The members of the bundle as ``{name: text}``, already redacted."""
    members: dict[str, str] = {}
    left_out: list[str] = []

    def add_json(name: str, build: Callable[[], Any]) -> None:
        try:
            data = build()
        except Exception as exc:  # one broken part must not lose the others
            data = {"error": f"{type(exc).__name__}: {exc}"}
        members[name] = redact(json.dumps(_scrub(data), indent=2, ensure_ascii=False, default=str))

    add_json("environment.json", lambda: environment(ctx, qt_version, extra))
    add_json("settings.json", lambda: settings_facts(ctx))
    add_json("runs.json", lambda: ctx.service.history(limit=RUN_LIMIT))
    add_json("issues.json", lambda: ctx.store.open_issues())
    add_json("accounts.json", lambda: ctx.signed_in())
    add_json("status.json", lambda: ctx.service.status())
    for name, text in log_members(ctx, left_out).items():
        members[name] = text
    members["README.txt"] = _readme(left_out)
    return dict(sorted(members.items()))


# -- the parts ------------------------------------------------------------------------------


def environment(
    ctx: AppContext, qt_version: str | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    try:
        schema = ctx.store.schema_version
    except Exception:
        schema = None
    paths = ctx.paths
    facts = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tandem": _tandem_version(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "os": platform.platform(),
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "qt": qt_version,
        "packages": versions,
        "profile": {"id": paths.profile_id, "sandbox": bool(paths.sandbox), "schema_version": schema},
        "locale": os.environ.get("LANG"),
        "timezone": dt.datetime.now().astimezone().tzname(),
    }
    if extra:
        facts["extra"] = extra
    return facts


def settings_facts(ctx: AppContext) -> dict[str, Any]:
    settings = ctx.settings
    rows = [
        {"key": s.spec.key, "value": s.value, "source": s.source, "locked": s.locked}
        for s in settings.describe()
    ]
    policy = getattr(settings, "policy", None)
    return {
        "settings": rows,
        "auto_sync_unlocked": bool(settings.auto_sync_unlocked()),
        "policy": {
            "files": [str(p) for p in getattr(policy, "sources", [])],
            "problems": [p.to_json() for p in getattr(policy, "problems", [])],
        },
    }


def log_members(ctx: AppContext, left_out: list[str] | None = None) -> dict[str, str]:
    """``logs/<relative path>`` -> redacted text, for the newest log files of the profile."""
    left_out = left_out if left_out is not None else []
    folder = Path(ctx.paths.log_dir)
    if not folder.is_dir():
        return {}
    secrets_file = Path(ctx.paths.sandbox_secrets_file).resolve()
    files = []
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        if path.resolve() == secrets_file or any(h in path.name.lower() for h in SECRET_FILE_HINTS):
            left_out.append(f"{path.name} (its name says it holds secrets)")
            continue
        if path.suffix.lower() in (".sqlite3", ".db", ".zip", ".json") and ".log" not in path.name:
            continue  # only logs belong here; the database and bundles do not
        files.append(path)
    files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for skipped in files[MAX_LOG_FILES:]:
        left_out.append(f"{skipped.name} (older than the newest {MAX_LOG_FILES} log files)")
    out: dict[str, str] = {}
    for path in files[:MAX_LOG_FILES]:
        size = path.stat().st_size
        with path.open("rb") as handle:
            if size > LOG_TAIL_BYTES:
                handle.seek(size - LOG_TAIL_BYTES)
                handle.readline()  # start at a whole line
            raw = handle.read()
        text = raw.decode("utf-8", errors="replace")
        if size > LOG_TAIL_BYTES:
            text = f"[only the newest {LOG_TAIL_BYTES} of {size} bytes of this log]\n" + text
        out["logs/" + path.relative_to(folder).as_posix()] = "\n".join(
            redact(line) for line in text.split("\n")
        )
    return out


# -- helpers --------------------------------------------------------------------------------


def _scrub(value: Any) -> Any:
    """Drop dictionary entries whose key names a credential (any depth)."""
    if isinstance(value, dict):
        return {
            k: ("[removed]" if isinstance(k, str) and _secret_key(k) else _scrub(v)) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    return value


def _secret_key(key: str) -> bool:
    low = key.lower()
    return any(fragment in low for fragment in SECRET_FRAGMENTS) and low not in ("session_count",)


def _tandem_version() -> str | None:
    for name in ("tandem", "Tandem"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            return importlib.metadata.version(name)
    return None


def _readme(left_out: list[str]) -> str:
    lines = [
        "Tandem diagnostics",
        "==================",
        "",
        "This file helps support understand a problem. It holds your settings, recent runs,",
        "open item issues, who is connected (names and usernames, no passwords or tokens),",
        "version facts and the log files of this profile, with every token removed.",
        "It holds no keyring content, no sign-in secrets and no contact, event or task data",
        "beyond what the logs and issue messages mention (names of items that had problems).",
    ]
    if left_out:
        lines += ["", "Left out:"] + [f"- {item}" for item in left_out]
    return "\n".join(lines) + "\n"
