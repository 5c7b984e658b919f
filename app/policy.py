"""The administrator's policy file: defaults for every user, and settings locked for them.

Where (BEHAVIOUR.md, Administration), read in this order, later files winning per key:

1. beside the installation: the folder of the executable when frozen (PyInstaller), else the
   folder holding ``main.py``;
2. the system config dir: ``platformdirs.site_config_dir("Tandem")`` (``/etc/xdg/Tandem``,
   ``C:\\ProgramData\\Tandem``, ``/Library/Application Support/Tandem``).

In each folder ``tandem-policy.json`` and ``tandem-policy.toml`` are read (JSON first). A key
locked by any file stays locked.

Shape (keys are the dotted keys of app/settings.py; nested tables are the same keys)::

    # tandem-policy.toml
    [defaults]                 # what a new user starts with; the user may change it
    "events.days_ahead" = 180
    auto.frequency_min = 60     # a TOML dotted key: the same as "auto.frequency_min"

    [locked]                   # the value every user gets; the UI shows it locked
    contacts.salesforce_no_delete = true
    accounts.salesforce_login_host = "https://acme.my.salesforce.com"
    auto.days = "mon-fri"      # values take the same words as the CLI

    {"defaults": {"events.days_ahead": 180},
     "locked": {"contacts": {"salesforce_no_delete": true}}}

Problems never crash Tandem: :func:`load_policy` collects them (file, line, words) in
``Policy.problems`` for the dashboard, the log and the diagnostics bundle. A file that cannot
be parsed at all is ignored as a whole (an error problem); an unknown key or a bad value is
ignored on its own (a warning problem) and the rest of the file applies. :func:`read_policy_file`
raises :class:`PolicyError` instead, for an administrator checking a file.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import platformdirs

from .errors import AppError
from .setting_errors import InvalidSetting
from .setting_specs import SPECS

POLICY_FILES = ("tandem-policy.json", "tandem-policy.toml")
SECTIONS = ("defaults", "locked")


class PolicyError(AppError):
    title = "The administrator's policy file cannot be read"
    action = "settings"


@dataclass(frozen=True)
class PolicyProblem:
    path: Path
    line: int | None
    message: str
    key: str | None = None
    severity: Literal["error", "warning"] = "warning"

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "line": self.line,
            "key": self.key,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass
class Policy:
    defaults: dict[str, Any] = field(default_factory=dict)
    locked: dict[str, Any] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)
    problems: list[PolicyProblem] = field(default_factory=list)

    def is_locked(self, key: str) -> bool:
        return key in self.locked

    def update(self, other: Policy) -> None:
        """Lay ``other`` over this policy (``other`` wins per key)."""
        self.defaults.update(other.defaults)
        self.locked.update(other.locked)
        self.sources += other.sources
        self.problems += other.problems


def installation_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def policy_dirs() -> list[Path]:
    return [installation_dir(), Path(platformdirs.site_config_dir("Tandem", appauthor=False))]


def load_policy(dirs: Iterable[Path] | None = None) -> Policy:
    """Read every policy file found; never raises (problems are collected)."""
    policy = Policy()
    for folder in policy_dirs() if dirs is None else dirs:
        for name in POLICY_FILES:
            path = Path(folder) / name
            if not path.is_file():
                continue
            try:
                policy.update(read_policy_file(path))
            except PolicyError as exc:
                policy.problems.append(
                    PolicyProblem(path, exc.ids.get("line"), exc.message, severity="error")
                )
    return policy


def read_policy_file(path: str | Path) -> Policy:
    """One policy file; raises :class:`PolicyError` (naming file and line) when unreadable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            message=f"Tandem cannot read {path} ({exc}). Ask your administrator "
            "to fix the file; built-in settings are used meanwhile.",
            path=str(path),
        ) from exc
    data = _parse(path, text)
    if not isinstance(data, dict):
        raise _error(path, 1, 'the file must hold an object with "defaults" and/or "locked"')
    policy = Policy(sources=[path])
    for section, body in data.items():
        if section not in SECTIONS:
            policy.problems.append(
                PolicyProblem(
                    path,
                    _line_of(text, section),
                    f'unknown section \'{section}\' (ignored); use "defaults" or "locked"',
                    key=section,
                )
            )
            continue
        if not isinstance(body, dict):
            raise _error(path, _line_of(text, section), f'"{section}" must map setting keys to values')
        target = getattr(policy, section)
        for key, value in _flatten(body):
            line = _line_of(text, key)
            spec = SPECS.get(key)
            if spec is None:
                policy.problems.append(
                    PolicyProblem(path, line, f"unknown setting '{key}' in \"{section}\" (ignored)", key=key)
                )
                continue
            try:
                target[key] = spec.parse(value)
            except InvalidSetting as exc:
                policy.problems.append(PolicyProblem(path, line, f"{exc.message} (ignored)", key=key))
    for key in set(policy.defaults) & set(policy.locked):
        del policy.defaults[key]  # locked wins
    return policy


def _parse(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            raise _error(
                path,
                int(m.group(1)) if m else None,
                f"it is not valid TOML ({re.sub(r' [(]at .*[)]$', '', str(exc))})",
            ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(path, exc.lineno, f"it is not valid JSON ({exc.msg})") from exc


def _error(path: Path, line: int | None, what: str) -> PolicyError:
    where = f"{path}, line {line}" if line else str(path)
    return PolicyError(
        message=f"The policy file {where} cannot be used: {what}. Ask your "
        "administrator to fix it; Tandem uses its built-in settings meanwhile.",
        path=str(path),
        line=line,
    )


def _flatten(body: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in body.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out += _flatten(value, full + ".")
        else:
            out.append((full, value))
    return out


def _line_of(text: str, key: str) -> int | None:
    """Best-effort line of ``key`` (quoted dotted, TOML dotted, or its last part)."""
    last = key.rsplit(".", 1)[-1]
    patterns = [
        re.escape(f'"{key}"'),
        r"^\s*" + re.escape(key) + r"\s*=",
        r"^\s*\"?" + re.escape(last) + r"\"?\s*[=:]",
        r"^\s*\[\s*" + re.escape(key) + r"\s*\]",
    ]
    lines = text.splitlines()
    for pattern in patterns:
        for number, line in enumerate(lines, 1):
            if re.search(pattern, line):
                return number
    return None
