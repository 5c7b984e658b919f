"""Every user setting, declared once (app/setting_specs.py); and the service that reads and
writes them.

The settings dialog, the CLI (``settings get/set KEY VALUE``) and the administrator's policy
file (app/policy.py) all read :data:`SPECS`: one :class:`SettingSpec` per dotted key, with its
type, default, label, help text and allowed values (STYLE.md habit 11, after vorta's
``store/settings.py``). Keys are stable: the CLI and policy files use them.

Values are stored as JSON in the store's generic ``setting`` table (user intent, kept apart
from machine state: STYLE.md habit 10). Only values the user set are stored; everything else
comes from the policy defaults or the declared defaults.

Resolution order of :meth:`Settings.get`:
    locked by policy  >  set by the user  >  policy default  >  declared default.
A stored value that no longer validates (an older version, a hand-edited file) is ignored,
never a crash.

Types (``SettingSpec.type``):

=========  ==================================================================  ============
type       stored as / accepted from the CLI                                    example
=========  ==================================================================  ============
bool       JSON bool; CLI: true/false, yes/no, on/off, 1/0                      ``true``
int        JSON int; CLI: digits. ``choices`` or ``minimum``/``maximum`` apply  ``30``
str        JSON string (or null when ``nullable``; CLI: ``none`` or empty)      ``abc``
choice     one of ``choices``                                                   ``mine``
time       ``"HH:MM"`` 24-hour local wall time; CLI also takes ``7:00``         ``07:00``
days       sorted list of week-day numbers, 0 = Monday ... 6 = Sunday
           (Python's ``date.weekday()``); CLI/policy also take names and
           ranges: ``mon-fri``, ``mon,wed,fri``, ``weekdays``, ``every day``    ``[0,1,2,3,4]``
url        an ``https://`` address                                              ``https://..``
region     a two-letter country code in capitals (phone numbers); CLI: ``gb``   ``GB``
=========  ==================================================================  ============
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from dataclasses import fields as dc_fields
from typing import Any, Literal, Protocol

from sync.fields import KINDS, Kind
from sync.settings import KindSettings
from sync.store import Store

from .endpoints import ProfileOptions
from .policy import Policy, load_policy
from .setting_errors import AutoSyncLocked, InvalidSetting, SettingLocked, SettingsError, UnknownSetting
from .setting_specs import (
    DAY_NAMES,
    LOCKED_MESSAGE,
    PRESETS,
    SPECS,
    SWITCHES,
    Preset,
    SettingSpec,
    SettingType,
    Source,
    parse_days,
    spec,
)

__all__ = [
    "DAY_NAMES",
    "LOCKED_MESSAGE",
    "PRESETS",
    "SPECS",
    "SWITCHES",
    "AutoSyncLocked",
    "ContactRange",
    "ContactSources",
    "EventSources",
    "TaskSources",
    "InvalidSetting",
    "Preset",
    "SettingLocked",
    "SettingSpec",
    "SettingState",
    "SettingType",
    "SettingValues",
    "Settings",
    "SettingsError",
    "UnknownSetting",
    "auto_sync_unlocked",
    "detect_preset",
    "keys",
    "open_settings",
    "parse_days",
    "spec",
]


class SettingValues(Protocol):
    """What reads resolved values by key: :class:`Settings`, or a fake in a test."""

    def get(self, key: str) -> Any: ...


ContactRange = Literal["mine", "all", "team", "campaign"]  # as sync.salesforce.source.Scope


@dataclass(frozen=True)
class ContactSources:
    """What the contacts sources read: the Outlook folder and the Salesforce range."""

    outlook_folder: str | None
    range: ContactRange
    campaign_id: str | None


@dataclass(frozen=True)
class EventSources:
    """What the events sources read: the calendar and the days around today."""

    outlook_folder: str | None
    days_back: int
    days_ahead: int
    include_private: bool


@dataclass(frozen=True)
class TaskSources:
    """What the tasks sources read: the To Do list and the closed tasks of the last days."""

    outlook_folder: str | None
    closed_days: int


# -- machine facts the settings depend on ------------------------------------------------


def auto_sync_unlocked(store: Store) -> bool:
    """True once a manual sync has been previewed and applied (BEHAVIOUR.md, Auto sync).

    Read from the runs, never from a setting (it is machine state, and a policy must not
    switch it): a run that applied a change, or a manual apply run that finished cleanly
    (a first sync that only paired existing records changes nothing but still counts).
    """
    if store.last_applied_run() is not None:
        return True
    return any(
        r.get("trigger") == "manual" and r.get("mode") == "apply" and r.get("status") == "applied"
        for r in store.runs(limit=500)
    )


# -- the service ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingState:
    """One row of the settings dialog / ``settings get``."""

    spec: SettingSpec
    value: Any
    source: Source
    locked: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.spec.key,
            "value": self.value,
            "source": self.source,
            "locked": self.locked,
            "label": self.spec.label,
            "type": self.spec.type,
            "default": self.spec.default,
            "choices": list(self.spec.choices) if self.spec.choices else None,
        }


@dataclass
class Settings:
    """User settings of one profile over a :class:`sync.store.Store`, with the policy applied."""

    store: Store
    policy: Policy | None = None
    _listeners: list[Callable[[list[str]], None]] = field(default_factory=list, repr=False)

    # -- reading -------------------------------------------------------------------------

    def _policy(self, part: str) -> dict[str, Any]:
        return getattr(self.policy, part, None) or {} if self.policy is not None else {}

    def state(self, key: str) -> SettingState:
        s = spec(key)
        locked = self._policy("locked")
        if key in locked:
            return SettingState(s, locked[key], "locked", True)
        stored = self.store.setting(key, _MISSING)
        if stored is not _MISSING and s.is_valid(stored):
            return SettingState(s, stored, "user", False)
        defaults = self._policy("defaults")
        if key in defaults:
            return SettingState(s, defaults[key], "policy", False)
        return SettingState(s, _copy(s.default), "default", False)

    def get(self, key: str) -> Any:
        return self.state(key).value

    def all(self) -> dict[str, Any]:
        return {key: self.get(key) for key in SPECS}

    def describe(self, group: str | None = None) -> list[SettingState]:
        return [self.state(k) for k, s in SPECS.items() if group is None or s.group == group]

    def is_locked(self, key: str) -> bool:
        spec(key)
        return key in self._policy("locked")

    # -- writing -------------------------------------------------------------------------

    def check(self, key: str, value: object) -> Any:
        """Parse and validate without saving; raises the same errors :meth:`set` raises."""
        s = spec(key)
        parsed = s.parse(value)
        if self.is_locked(key):
            if parsed == self.get(key):
                return parsed  # setting a locked key to its locked value is harmless
            raise SettingLocked(message=LOCKED_MESSAGE + ".", key=key)
        if key == "auto.enabled" and parsed and not auto_sync_unlocked(self.store):
            raise AutoSyncLocked(
                message="Auto sync can be switched on after your first manual sync "
                "has been previewed and applied.",
                key=key,
            )
        return parsed

    def set(self, key: str, value: object) -> Any:
        """Parse (CLI strings too), validate and save; returns the stored value."""
        parsed = self.check(key, value)
        if not self.is_locked(key):
            self.store.set_setting(key, parsed)
            self._changed([key])
        return parsed

    def set_many(self, values: dict[str, Any]) -> dict[str, Any]:
        """All or nothing: every value is checked before any is saved (the settings dialog)."""
        parsed = {k: self.check(k, v) for k, v in values.items()}
        with self.store.transaction():
            for k, v in parsed.items():
                if not self.is_locked(k):
                    self.store.set_setting(k, v)
        self._changed(list(parsed))
        return parsed

    def reset(self, key: str) -> None:
        """Forget the user's value: back to the policy default or the declared default."""
        spec(key)
        if self.is_locked(key):
            raise SettingLocked(message=LOCKED_MESSAGE + ".", key=key)
        self.store.delete_setting(key)
        self._changed([key])

    def on_change(self, callback: Callable[[list[str]], None]) -> None:
        """``callback(keys)`` after a change (the scheduler re-reads its configuration)."""
        self._listeners.append(callback)

    def _changed(self, keys: list[str]) -> None:
        for cb in list(self._listeners):
            cb(keys)

    # -- resolved views for the engine and the scheduler ---------------------------------

    def kind_settings(self, kind: Kind) -> KindSettings:
        """The engine's switches of ``kind``: every field of KindSettings that has a setting
        (``contacts.phone_region`` included); the others keep the engine's defaults."""
        names = {f.name for f in dc_fields(KindSettings)}
        values = {name: self.get(f"{kind}.{name}") for name in names if f"{kind}.{name}" in SPECS}
        return replace(KindSettings.default(kind), **values)

    def contact_sources(self) -> ContactSources:
        return ContactSources(
            outlook_folder=self.get("contacts.outlook_folder") or None,
            range=self.get("contacts.range"),
            campaign_id=self.get("contacts.campaign_id") or None,
        )

    def event_sources(self) -> EventSources:
        return EventSources(
            outlook_folder=self.get("events.outlook_folder") or None,
            days_back=int(self.get("events.days_back")),
            days_ahead=int(self.get("events.days_ahead")),
            include_private=bool(self.get("events.include_private")),
        )

    def task_sources(self) -> TaskSources:
        return TaskSources(
            outlook_folder=self.get("tasks.outlook_folder") or None,
            closed_days=int(self.get("tasks.closed_days")),
        )

    def enabled_kinds(self) -> list[Kind]:
        return [k for k in KINDS if self.get(f"{k}.enabled")]

    def background_kinds(self) -> list[Kind]:
        """Kinds that auto sync includes: enabled and included in background sync."""
        return [k for k in KINDS if self.get(f"{k}.enabled") and self.get(f"{k}.background")]

    def auto_sync_unlocked(self) -> bool:
        return auto_sync_unlocked(self.store)

    # -- direction presets ---------------------------------------------------------------

    def preset(self, kind: Kind) -> Preset:
        return detect_preset(kind, {s: self.get(f"{kind}.{s}") for s in SWITCHES})

    def preset_switches(self, kind: Kind, name: str) -> dict[str, bool]:
        """The six switches the direction preset ``name`` sets for ``kind``, keyed
        ``"kind.switch"``. A switch the administrator's policy locks keeps its locked value:
        this is the one lock check of presets (the direction editor of the wizard and of the
        settings dialog shows these values; :meth:`apply_preset` saves them)."""
        if name not in PRESETS:
            raise InvalidSetting(
                message=f"'{name}' is not a direction; choose one of: {', '.join(PRESETS)}.",
                key=f"{kind}.direction",
            )
        target = KindSettings.preset(kind, name)
        values: dict[str, bool] = {}
        for switch in SWITCHES:
            key = f"{kind}.{switch}"
            values[key] = bool(self.get(key)) if self.is_locked(key) else bool(getattr(target, switch))
        return values

    def apply_preset(self, kind: Kind, name: str) -> None:
        """Save the preset's switches; all or nothing: a preset that a locked switch keeps
        from being reached is refused (SettingLocked) and nothing is saved."""
        values = self.preset_switches(kind, name)  # refuses an unknown name
        target = KindSettings.preset(kind, next(p for p in PRESETS if p == name))
        for key, value in values.items():
            if value != getattr(target, key.partition(".")[2]):
                raise SettingLocked(message=LOCKED_MESSAGE + ".", key=key)
        self.set_many(values)


_MISSING = object()


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def detect_preset(kind: Kind, switches: dict[str, bool]) -> Preset:
    """Both ways / Salesforce to Outlook only / Outlook to Salesforce only, or custom.

    For contacts, "Both ways" and "Outlook to Salesforce only" are recognised with the
    "do not delete in Salesforce" safety switch on (the default) or off.
    """
    for name in PRESETS:
        # The preset as the kind's defaults shape it (contacts: "do not delete in Salesforce"
        # on) and as plain switches: both count, so switching that safety off keeps "Both ways".
        shapes: tuple[Kind, ...] = (kind, "events")
        for shape in shapes:
            target = KindSettings.preset(shape, name)
            if all(bool(switches.get(s, False)) == getattr(target, s) for s in SWITCHES):
                return name
    return "custom"


def keys(prefix: str | None = None) -> Iterable[str]:
    return [k for k in SPECS if prefix is None or k.startswith(prefix)]


def open_settings(profile: str | os.PathLike[str] | None, options: ProfileOptions) -> Settings:
    """The settings of a profile over its database, with the administrator's policy applied
    (the settings half of ``app.context.open_profile``). Raises sync.errors.TandemError when
    the database cannot be opened."""
    return Settings(Store(options.paths(profile).database), load_policy())
