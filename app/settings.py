"""Every user setting, declared once; and the service that reads and writes them.

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
=========  ==================================================================  ============
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from dataclasses import fields as dc_fields
from typing import TYPE_CHECKING, Any, Literal

from sync.fields import KINDS, Kind
from sync.settings import CONFLICT_POLICIES, KindSettings

from .errors import AppError

if TYPE_CHECKING:  # pragma: no cover
    from sync.store import Store

    from .policy import Policy

SettingType = Literal["bool", "int", "str", "choice", "time", "days", "url"]
Source = Literal["default", "policy", "user", "locked"]

LOCKED_MESSAGE = "This setting is managed by your administrator"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SWITCHES = (
    "outlook_no_create",
    "outlook_no_update",
    "outlook_no_delete",
    "salesforce_no_create",
    "salesforce_no_update",
    "salesforce_no_delete",
)
PRESETS = ("both", "to_outlook", "to_salesforce")
Preset = Literal["both", "to_outlook", "to_salesforce", "custom"]


# -- errors ------------------------------------------------------------------------------


class SettingsError(AppError):
    title = "This setting cannot be changed"
    action = "settings"


class UnknownSetting(SettingsError):
    title = "Unknown setting"


class InvalidSetting(SettingsError):
    title = "This value is not allowed"


class SettingLocked(SettingsError):
    """The key is locked by the administrator's policy file."""

    title = "Managed by your administrator"


class AutoSyncLocked(SettingsError):
    title = "Auto sync is not available yet"


# -- the declaration ---------------------------------------------------------------------


@dataclass(frozen=True)
class SettingSpec:
    key: str
    type: SettingType
    default: Any
    label: str
    help: str = ""
    choices: tuple[Any, ...] | None = None
    choice_labels: tuple[str, ...] | None = None  # words for the UI, same order as choices
    minimum: int | None = None
    maximum: int | None = None
    nullable: bool = False

    @property
    def group(self) -> str:
        return self.key.split(".", 1)[0]

    def parse(self, raw: Any) -> Any:
        """``raw`` (a CLI string or a JSON/TOML value) -> the stored value; raises InvalidSetting."""
        value = _convert(self, raw)
        self._check(value)
        return value

    def is_valid(self, value: Any) -> bool:
        try:
            return self.parse(value) == value
        except InvalidSetting:
            return False

    def format(self, value: Any) -> str:
        """The value as the CLI prints it (and would accept it back)."""
        if value is None:
            return "none"
        if self.type == "bool":
            return "true" if value else "false"
        if self.type == "days":
            return ",".join(DAY_NAMES[d][:3].lower() for d in value)
        return str(value)

    def _check(self, value: Any) -> None:
        if value is None:
            if self.nullable:
                return
            raise _invalid(self, value, "a value is required")
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(str(c) for c in self.choices)
            raise _invalid(self, value, f"choose one of: {allowed}")
        if self.minimum is not None and value < self.minimum:
            raise _invalid(self, value, f"the smallest allowed value is {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise _invalid(self, value, f"the largest allowed value is {self.maximum}")


def _invalid(spec: SettingSpec, value: Any, why: str) -> InvalidSetting:
    return InvalidSetting(
        message=f"{value!r} is not a valid value for '{spec.label}' ({spec.key}): {why}.", key=spec.key
    )


_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}
_NONE = {"", "none", "null", "default"}
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_DAY_ALIASES = {
    "weekdays": [0, 1, 2, 3, 4],
    "weekends": [5, 6],
    "weekend": [5, 6],
    "every day": list(range(7)),
    "daily": list(range(7)),
    "all": list(range(7)),
    "none": [],
    "": [],
}


def _convert(spec: SettingSpec, raw: Any) -> Any:
    t = spec.type
    if isinstance(raw, str) and spec.nullable and raw.strip().lower() in _NONE and t != "days":
        return None
    if raw is None:
        return None
    if t == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise _invalid(spec, raw, "use true or false")
    if t == "int":
        if isinstance(raw, bool):
            raise _invalid(spec, raw, "use a whole number")
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str) and re.fullmatch(r"\s*-?\d+\s*", raw):
            return int(raw)
        raise _invalid(spec, raw, "use a whole number")
    if t in ("str", "choice", "url"):
        if not isinstance(raw, str):
            raise _invalid(spec, raw, "use text")
        value = raw.strip()
        if t == "url":
            if not re.fullmatch(r"https://[^\s/]+(/[^\s]*)?", value):
                raise _invalid(spec, raw, "use an address starting with https://")
            value = value.rstrip("/")
        elif t == "str" and not value and spec.nullable:
            return None
        return value
    if t == "time":
        m = _TIME.match(raw) if isinstance(raw, str) else None
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise _invalid(spec, raw, "use a time like 07:00 (24-hour clock)")
        return f"{int(m.group(1)):02d}:{m.group(2)}"
    if t == "days":
        return parse_days(raw, spec)
    raise AssertionError(t)  # pragma: no cover


def _day_number(token: Any, spec: SettingSpec) -> int:
    if isinstance(token, bool):
        raise _invalid(spec, token, "use day names like mon-fri or numbers 0 (Monday) to 6 (Sunday)")
    if isinstance(token, int) and 0 <= token <= 6:
        return token
    if isinstance(token, str):
        t = token.strip().lower()
        if t.isdigit() and 0 <= int(t) <= 6:
            return int(t)
        for i, name in enumerate(DAY_NAMES):
            if len(t) >= 2 and name.lower().startswith(t):
                return i
    raise _invalid(spec, token, "use day names like mon-fri or numbers 0 (Monday) to 6 (Sunday)")


def parse_days(raw: Any, spec: SettingSpec | None = None) -> list[int]:
    """``"mon-fri"``, ``"mon,wed"``, ``[0, 1]``, ``["sat", "sun"]`` -> sorted week-day numbers."""
    spec = spec or SPECS["auto.days"]
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text.startswith("["):
            try:
                return parse_days(json.loads(text), spec)
            except json.JSONDecodeError:
                raise _invalid(spec, raw, "use day names like mon-fri") from None
        if text in _DAY_ALIASES:
            return list(_DAY_ALIASES[text])
        days: set[int] = set()
        for part in re.split(r"[,\s]+", text):
            if not part:
                continue
            if "-" in part:
                first, last = (_day_number(p, spec) for p in part.split("-", 1))
                days.update(
                    range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
                )
            else:
                days.add(_day_number(part, spec))
        return sorted(days)
    if isinstance(raw, (list, tuple, set, frozenset)):
        return sorted({_day_number(d, spec) for d in raw})
    raise _invalid(spec, raw, "use day names like mon-fri")


def _declare() -> dict[str, SettingSpec]:
    specs: list[SettingSpec] = []
    add = specs.append
    names = {"contacts": "contacts", "events": "events", "tasks": "tasks"}
    folder = {"contacts": "contacts folder", "events": "calendar", "tasks": "To Do list"}
    for kind in KINDS:
        n = names[kind]
        add(
            SettingSpec(
                f"{kind}.enabled",
                "bool",
                True,
                f"Sync {n}",
                f"Keep {n} in step between Outlook and Salesforce.",
            )
        )
        add(
            SettingSpec(
                f"{kind}.background",
                "bool",
                True,
                "Include in background sync",
                f"Auto sync also syncs {n}. When off, {n} sync only when you press Sync now.",
            )
        )
        add(
            SettingSpec(
                f"{kind}.outlook_folder",
                "str",
                None,
                f"Outlook {folder[kind]}",
                f"The Outlook {folder[kind]} to sync (its id). Empty means the default one.",
                nullable=True,
            )
        )
        for side, side_name in (("outlook", "Outlook"), ("salesforce", "Salesforce")):
            for op in ("create", "update", "delete"):
                add(
                    SettingSpec(
                        f"{kind}.{side}_no_{op}",
                        "bool",
                        kind == "contacts" and side == "salesforce" and op == "delete",
                        f"Do not {op} in {side_name}",
                        f"Tandem never {op}s {n} in {side_name}; such changes are counted "
                        "as prevented and listed in the summary.",
                    )
                )
        add(
            SettingSpec(
                f"{kind}.conflict_policy",
                "choice",
                "salesforce_wins",
                "When both sides changed the same field",
                "Which value is kept when a field was changed in Outlook and in Salesforce "
                'since the last sync. "Ask me" holds the item for you to decide.',
                choices=CONFLICT_POLICIES,
                choice_labels=("Salesforce wins", "Outlook wins", "Most recent change wins", "Ask me"),
            )
        )
        add(
            SettingSpec(
                f"{kind}.restore_deleted",
                "bool",
                False,
                "Restore items deleted on the other side",
                "When a delete was prevented by your direction settings, re-create the item "
                "on the side where it was deleted.",
            )
        )
        add(
            SettingSpec(
                f"{kind}.truncate_long_values",
                "bool",
                False,
                "Shorten values that are too long",
                "Cut values longer than the other side allows (and note it in the summary) "
                "instead of reporting the item as an issue.",
            )
        )
        add(
            SettingSpec(
                f"{kind}.include_private",
                "bool",
                False,
                f"Include private {n}",
                f"Also sync {n} marked private in Outlook or Salesforce.",
            )
        )
    add(
        SettingSpec(
            "contacts.range",
            "choice",
            "mine",
            "Which Salesforce contacts",
            "mine: contacts you own; all: every contact you can see; team: contacts on "
            "accounts where you are on the account team; campaign: members of one campaign. "
            "Team and campaign also include your own private contacts (no account), "
            "which is how contacts made in Outlook arrive in Salesforce.",
            choices=("mine", "all", "team", "campaign"),
            choice_labels=(
                "Contacts I own",
                "All contacts I can see",
                "Contacts on my account teams",
                "Members of a campaign",
            ),
        )
    )
    add(
        SettingSpec(
            "contacts.campaign_id",
            "str",
            None,
            "Campaign",
            "The Salesforce campaign whose members are synced when the range is campaign.",
            nullable=True,
        )
    )
    add(
        SettingSpec(
            "events.days_back",
            "int",
            30,
            "Days back",
            "Sync events that started up to this many days ago.",
            minimum=0,
            maximum=3650,
        )
    )
    add(
        SettingSpec(
            "events.days_ahead",
            "int",
            365,
            "Days ahead",
            "Sync events starting up to this many days from now.",
            minimum=1,
            maximum=3650,
        )
    )
    add(
        SettingSpec(
            "tasks.closed_days",
            "int",
            30,
            "Closed tasks of the last days",
            "Besides open tasks, sync tasks closed or due in this many past days.",
            minimum=0,
            maximum=3650,
        )
    )
    add(
        SettingSpec(
            "auto.enabled",
            "bool",
            False,
            "Sync automatically",
            "Sync in the background on a schedule. Available after your first manual sync has been applied.",
        )
    )
    add(
        SettingSpec(
            "auto.frequency_min",
            "int",
            30,
            "Every",
            "Minutes between automatic syncs.",
            choices=(5, 10, 15, 30, 60, 120, 240),
            choice_labels=(
                "5 minutes",
                "10 minutes",
                "15 minutes",
                "30 minutes",
                "1 hour",
                "2 hours",
                "4 hours",
            ),
        )
    )
    add(
        SettingSpec(
            "auto.window_start",
            "time",
            "07:00",
            "From",
            "Auto sync runs only from this time (your local time). A start later than the "
            "end spans midnight; start equal to end means all day.",
        )
    )
    add(
        SettingSpec(
            "auto.window_end",
            "time",
            "19:00",
            "Until",
            "Auto sync stops at this time (your local time); a sync due at exactly this "
            "time waits for the next window.",
        )
    )
    add(
        SettingSpec(
            "auto.days",
            "days",
            [0, 1, 2, 3, 4],
            "On these days",
            "Days of the week on which auto sync runs (0 = Monday ... 6 = Sunday; the CLI "
            "also takes mon-fri or mon,wed,fri).",
        )
    )
    add(
        SettingSpec(
            "auto.min_api_budget_pct",
            "int",
            10,
            "Pause when the Salesforce API budget is below",
            "Auto sync pauses while less than this percentage of the daily Salesforce API "
            "limit is left, so other tools of your company keep working.",
            minimum=0,
            maximum=90,
        )
    )
    for key, default, label in (
        ("notify.on_start", False, "When a sync starts"),
        ("notify.on_success", False, "When a sync succeeds"),
        ("notify.on_warnings", True, "When items were prevented or held"),
        ("notify.on_errors", True, "When a sync fails or items could not be synced"),
    ):
        add(
            SettingSpec(
                key,
                "bool",
                default,
                label,
                "Show a desktop notification " + label[0].lower() + label[1:] + ".",
            )
        )
    add(
        SettingSpec(
            "summary.after_manual",
            "bool",
            True,
            "Show the summary after a manual sync",
            "Open the summary window when a sync you started has finished.",
        )
    )
    add(
        SettingSpec(
            "summary.after_auto",
            "bool",
            False,
            "Show the summary after an auto sync",
            "Open the summary window when a background sync has finished.",
        )
    )
    add(
        SettingSpec(
            "summary.only_when_changed",
            "bool",
            False,
            "Only when something changed",
            "Show the summary only when the sync changed something or needs your attention.",
        )
    )
    add(
        SettingSpec(
            "accounts.microsoft_client_id",
            "str",
            None,
            "Microsoft app (client) id",
            "The app registration Tandem signs in with. Empty means Tandem's own.",
            nullable=True,
        )
    )
    add(
        SettingSpec(
            "accounts.microsoft_authority",
            "url",
            None,
            "Microsoft sign-in authority",
            "For example https://login.microsoftonline.com/<tenant id>. Empty means any "
            "work or school account.",
            nullable=True,
        )
    )
    add(
        SettingSpec(
            "accounts.salesforce_login_host",
            "url",
            "https://login.salesforce.com",
            "Salesforce login address",
            "https://login.salesforce.com, https://test.salesforce.com for a sandbox org, "
            "or your My Domain address.",
        )
    )
    add(
        SettingSpec(
            "accounts.salesforce_client_id",
            "str",
            None,
            "Salesforce consumer key",
            "The connected app Tandem signs in with. Empty means Tandem's own.",
            nullable=True,
        )
    )
    add(
        SettingSpec(
            "general.start_at_login",
            "bool",
            False,
            "Start Tandem when I sign in",
            "Open Tandem in the tray when you sign in to your computer.",
        )
    )
    return {s.key: s for s in specs}


SPECS: dict[str, SettingSpec] = _declare()


def spec(key: str) -> SettingSpec:
    try:
        return SPECS[key]
    except KeyError:
        raise UnknownSetting(
            message=f"There is no setting called '{key}'. Run 'settings get' to list them.", key=key
        ) from None


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
    _listeners: list = field(default_factory=list, repr=False)

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

    def check(self, key: str, value: Any) -> Any:
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

    def set(self, key: str, value: Any) -> Any:
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

    def on_change(self, callback) -> None:
        """``callback(keys)`` after a change (the scheduler re-reads its configuration)."""
        self._listeners.append(callback)

    def _changed(self, keys: list[str]) -> None:
        for cb in list(self._listeners):
            cb(keys)

    # -- resolved views for the engine and the scheduler ---------------------------------

    def kind_settings(self, kind: Kind) -> KindSettings:
        names = {f.name for f in dc_fields(KindSettings)}
        values = {name: self.get(f"{kind}.{name}") for name in names if f"{kind}.{name}" in SPECS}
        return KindSettings(**values)

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
        target = KindSettings.preset(kind, name)  # type: ignore[arg-type]
        values: dict[str, bool] = {}
        for switch in SWITCHES:
            key = f"{kind}.{switch}"
            values[key] = bool(self.get(key)) if self.is_locked(key) else bool(getattr(target, switch))
        return values

    def apply_preset(self, kind: Kind, name: str) -> None:
        """Save the preset's switches; all or nothing: a preset that a locked switch keeps
        from being reached is refused (SettingLocked) and nothing is saved."""
        values = self.preset_switches(kind, name)
        target = KindSettings.preset(kind, name)  # type: ignore[arg-type]
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
        for shape in (kind, "events"):
            target = KindSettings.preset(shape, name)  # type: ignore[arg-type]
            if all(bool(switches.get(s, False)) == getattr(target, s) for s in SWITCHES):
                return name  # type: ignore[return-value]
    return "custom"


def keys(prefix: str | None = None) -> Iterable[str]:
    return [k for k in SPECS if prefix is None or k.startswith(prefix)]
