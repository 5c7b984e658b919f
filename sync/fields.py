"""The mapped fields of each kind, declared once (FIELD_MAPPING.md).

A record is a dict keyed by Salesforce API field names. This module says, per kind, which
fields exist, their value type, the Salesforce length limit, whether Salesforce requires
them, and in which direction they flow. The planner, the normaliser, the length validation,
the sources and the preview all read this declaration; nothing else lists fields.

Directions:
- ``"both"``: synced both ways.
- ``"to_outlook"``: Salesforce -> Outlook only (``AccountName``: Outlook never creates
  accounts; the Salesforce source reads ``Account.Name`` and never writes it).
- ``"to_salesforce"``: Outlook -> Salesforce only (``WhoEmail``: the first attendee whose
  email belongs to a Salesforce contact; the Salesforce source turns it into ``WhoId``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

Kind = Literal["contacts", "events", "tasks"]
Side = Literal["outlook", "salesforce"]
FieldType = Literal["text", "email", "phone", "date", "datetime", "bool", "int", "picklist"]
Direction = Literal["both", "to_outlook", "to_salesforce"]

KINDS: tuple[Kind, ...] = ("contacts", "events", "tasks")
SIDES: tuple[Side, ...] = ("outlook", "salesforce")


def other_side(side: Side) -> Side:
    return "salesforce" if side == "outlook" else "outlook"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType = "text"
    max_length: int | None = None
    direction: Direction = "both"
    required: bool = False
    label: str = ""

    def flows_from(self, side: Side) -> bool:
        """True when a change made on ``side`` is copied to the other side."""
        if self.direction == "both":
            return True
        return self.direction == ("to_salesforce" if side == "outlook" else "to_outlook")

    def flows_to(self, side: Side) -> bool:
        """True when this field is ever written on ``side``."""
        return self.flows_from(other_side(side))


def _f(
    name: str,
    type: FieldType = "text",
    max_length: int | None = None,
    *,
    direction: Direction = "both",
    required: bool = False,
    label: str = "",
) -> FieldSpec:
    return FieldSpec(name, type, max_length, direction, required, label)


CONTACT_FIELDS: tuple[FieldSpec, ...] = (
    _f("FirstName", max_length=40, label="First name"),
    _f("LastName", max_length=80, required=True, label="Last name"),
    _f("MiddleName", max_length=40, label="Middle name"),
    _f("Salutation", max_length=40, label="Salutation"),
    _f("Suffix", max_length=40, label="Suffix"),
    _f("Title", max_length=128, label="Job title"),
    _f("Department", max_length=80, label="Department"),
    _f("Email", "email", 80, label="Email"),
    _f("Phone", "phone", 40, label="Business phone"),
    _f("MobilePhone", "phone", 40, label="Mobile phone"),
    _f("HomePhone", "phone", 40, label="Home phone"),
    _f("AssistantName", max_length=40, label="Assistant"),
    _f("MailingStreet", max_length=255, label="Street"),
    _f("MailingCity", max_length=40, label="City"),
    _f("MailingState", max_length=80, label="State"),
    _f("MailingPostalCode", max_length=20, label="Postal code"),
    _f("MailingCountry", max_length=80, label="Country"),
    _f("Birthdate", "date", label="Birthday"),
    _f("Description", max_length=32000, label="Notes"),
    _f("AccountName", max_length=255, direction="to_outlook", label="Company"),
)

EVENT_FIELDS: tuple[FieldSpec, ...] = (
    _f("Subject", max_length=255, label="Subject"),
    _f("Description", max_length=32000, label="Description"),
    _f("StartDateTime", "datetime", label="Start"),
    _f("EndDateTime", "datetime", label="End"),
    _f("IsAllDayEvent", "bool", label="All day"),
    _f("ActivityDate", "date", label="Date (all-day)"),
    _f("DurationInMinutes", "int", label="Duration (all-day)"),
    _f("Location", max_length=255, label="Location"),
    _f("ShowAs", "picklist", 40, label="Show as"),
    _f("IsPrivate", "bool", label="Private"),
    _f("WhoEmail", "email", 80, direction="to_salesforce", label="Contact"),
)

TASK_FIELDS: tuple[FieldSpec, ...] = (
    _f("Subject", max_length=255, label="Subject"),
    _f("Description", max_length=32000, label="Description"),
    _f("Status", "picklist", 40, required=True, label="Status"),
    _f("Priority", "picklist", 40, label="Priority"),
    _f("ActivityDate", "date", label="Due date"),
    _f("IsReminderSet", "bool", label="Reminder"),
    _f("ReminderDateTime", "datetime", label="Reminder time"),
)

FIELDS: dict[Kind, tuple[FieldSpec, ...]] = {
    "contacts": CONTACT_FIELDS,
    "events": EVENT_FIELDS,
    "tasks": TASK_FIELDS,
}

SPECS: dict[Kind, dict[str, FieldSpec]] = {k: {f.name: f for f in v} for k, v in FIELDS.items()}

# Allowed picklist values (Salesforce spelling). Sources map other spellings onto these.
PICKLISTS: dict[str, tuple[str, ...]] = {
    "ShowAs": ("Busy", "Free", "OutOfOffice"),
    "Status": ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
    "Priority": ("High", "Normal", "Low"),
}

# Fields that only make sense together: the merge treats each group as one value, so an
# event never ends up with Outlook's "all day" and Salesforce's start time.
GROUPS: dict[Kind, tuple[tuple[str, ...], ...]] = {
    "contacts": (),
    "events": (("IsAllDayEvent", "StartDateTime", "EndDateTime", "ActivityDate", "DurationInMinutes"),),
    "tasks": (("IsReminderSet", "ReminderDateTime"),),
}


def merge_units(kind: Kind) -> tuple[tuple[str, ...], ...]:
    """The fields of ``kind`` as merge units: groups first, then every other field alone."""
    grouped = {name for group in GROUPS[kind] for name in group}
    return GROUPS[kind] + tuple((f.name,) for f in FIELDS[kind] if f.name not in grouped)


# Salesforce events last at most 14 days (timed events).
MAX_EVENT_DAYS = 14


@cache
def fields_from(kind: Kind, side: Side) -> tuple[str, ...]:
    """Fields whose changes on ``side`` are copied to the other side."""
    return tuple(f.name for f in FIELDS[kind] if f.flows_from(side))


@cache
def fields_to(kind: Kind, side: Side) -> tuple[str, ...]:
    """Fields that may be written on ``side``."""
    return tuple(f.name for f in FIELDS[kind] if f.flows_to(side))


def spec(kind: Kind, name: str) -> FieldSpec:
    return SPECS[kind][name]
