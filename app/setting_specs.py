"""The declaration of every user setting: one :class:`SettingSpec` per dotted key.

Its type, default, label, help text and allowed values, and how a CLI string or a policy
value becomes a stored value (see app/settings.py for the types and the service that reads
and writes them). The policy file (app/policy.py) and the settings service both build on this
module; it imports neither. The defaults of the engine's switches come from
``sync.settings.KindSettings`` (declared once, there).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

import phonenumbers

from sync.fields import KINDS
from sync.settings import CONFLICT_POLICIES, KindSettings

from .setting_errors import InvalidSetting, UnknownSetting

SettingType = Literal["bool", "int", "str", "choice", "time", "days", "url", "region"]
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
PresetName = Literal["both", "to_outlook", "to_salesforce"]
PRESETS: tuple[PresetName, ...] = ("both", "to_outlook", "to_salesforce")
Preset = Literal["both", "to_outlook", "to_salesforce", "custom"]


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
    pattern: tuple[str, str] | None = None  # (regular expression the text matches, what to use)

    @property
    def group(self) -> str:
        return self.key.split(".", 1)[0]

    def parse(self, raw: object) -> Any:
        """``raw`` (a CLI string or a JSON/TOML value) -> the stored value; raises InvalidSetting."""
        value = _convert(self, raw)
        self._check(value)
        return value

    def is_valid(self, value: object) -> bool:
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
        if self.pattern is not None and not re.fullmatch(self.pattern[0], str(value)):
            raise _invalid(self, value, self.pattern[1])
        if self.minimum is not None and value < self.minimum:
            raise _invalid(self, value, f"the smallest allowed value is {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise _invalid(self, value, f"the largest allowed value is {self.maximum}")


def _invalid(spec: SettingSpec, value: object, why: str) -> InvalidSetting:
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


def _convert(spec: SettingSpec, raw: object) -> Any:
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
    if t == "region":
        if not isinstance(raw, str):
            raise _invalid(spec, raw, "use a two-letter country code like GB")
        region = raw.strip().upper()
        if not region and spec.nullable:
            return None
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise _invalid(spec, raw, "use a two-letter country code like GB, US or DE")
        return region
    raise AssertionError(t)  # pragma: no cover


def _day_number(token: object, spec: SettingSpec) -> int:
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


def parse_days(raw: object, spec: SettingSpec | None = None) -> list[int]:
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
        engine = KindSettings.default(kind)  # the engine's defaults, declared once in sync/
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
                        getattr(engine, f"{side}_no_{op}"),
                        f"Do not {op} in {side_name}",
                        f"Tandem never {op}s {n} in {side_name}; such changes are counted "
                        "as prevented and listed in the summary.",
                    )
                )
        add(
            SettingSpec(
                f"{kind}.conflict_policy",
                "choice",
                engine.conflict_policy,
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
                engine.restore_deleted,
                "Restore items deleted on the other side",
                "When a delete was prevented by your direction settings, re-create the item "
                "on the side where it was deleted.",
            )
        )
        add(
            SettingSpec(
                f"{kind}.truncate_long_values",
                "bool",
                engine.truncate_long_values,
                "Shorten values that are too long",
                "Cut values longer than the other side allows (and note it in the summary) "
                "instead of reporting the item as an issue.",
            )
        )
        add(
            SettingSpec(
                f"{kind}.include_private",
                "bool",
                engine.include_private,
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
            "contacts.phone_region",
            "region",
            KindSettings.default("contacts").phone_region,
            "Country of national phone numbers",
            "A two-letter country code (GB, US, DE...): phone numbers written without a "
            "country prefix are read as numbers of this country, so 020 7946 0000 and "
            "+44 20 7946 0000 count as the same number. Empty: numbers without a prefix "
            "are compared by their digits.",
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
            "The client id of the app registration Tandem signs in with. Your organisation's "
            "administrator gives it to you, or sets it in the policy file.",
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
            "The consumer key of the connected app Tandem signs in with. Your organisation's "
            "administrator gives it to you, or sets it in the policy file.",
            nullable=True,
        )
    )
    add(
        SettingSpec(
            "accounts.salesforce_callback_url",
            "str",
            "http://localhost:1717/OauthRedirect",
            "Salesforce callback URL",
            "Where Salesforce sends the browser back after you sign in: an http://localhost "
            "address with a fixed port, registered as a Callback URL in your organisation's "
            "connected app.",
            pattern=(
                r"http://(localhost|127\.0\.0\.1|\[::1\]):\d{1,5}/\S*",
                "use an address like http://localhost:1717/OauthRedirect",
            ),
        )
    )
    add(
        SettingSpec(
            "network.proxy",
            "str",
            None,
            "Proxy",
            "The proxy Tandem connects through, like http://proxy.example.com:8080 "
            "(http://user:password@host:port for a proxy that asks for a sign-in). Empty means "
            "the system's proxy: HTTPS_PROXY and NO_PROXY, or the operating system's setting.",
            nullable=True,
            pattern=(
                r"https?://([^\s/@]+@)?(\[[0-9A-Fa-f:.]+\]|[^\s/@:\[\]]+)(:\d{1,5})?/?",
                "use an address like http://proxy.example.com:8080",
            ),
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
