"""Salesforce object schema of the emulated org: fields, types, lengths, picklists.

One declaration serves describe, SOQL binding, validation and the derived fields. Lengths
follow API_CONTRACTS.md section 9.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from sandbox.state import SandboxState


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # id string textarea email phone picklist combobox reference boolean int double date datetime
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    picklist: tuple[str, ...] = ()
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    default: object = None


def _system(owner: bool = True) -> list[Field]:
    fields = [
        Field("Id", "id", 18, nillable=False, createable=False, updateable=False),
        Field("IsDeleted", "boolean", nillable=False, createable=False, updateable=False),
        Field("CreatedDate", "datetime", nillable=False, createable=False, updateable=False),
        Field("CreatedById", "reference", 18, nillable=False, createable=False, updateable=False,
              reference_to=("User",), relationship_name="CreatedBy"),
        Field("LastModifiedDate", "datetime", nillable=False, createable=False, updateable=False),
        Field("LastModifiedById", "reference", 18, nillable=False, createable=False,
              updateable=False, reference_to=("User",), relationship_name="LastModifiedBy"),
        Field("SystemModstamp", "datetime", nillable=False, createable=False, updateable=False),
    ]
    if owner:
        fields.append(Field("OwnerId", "reference", 18, nillable=False, reference_to=("User",),
                            relationship_name="Owner"))
    return fields


SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx.")
TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")
CLOSED_TASK_STATUSES = ("Completed",)
TASK_PRIORITIES = ("High", "Normal", "Low")
SHOW_AS = ("Busy", "OutOfOffice", "Free")

OBJECTS: dict[str, list[Field]] = {
    "User": [
        Field("Id", "id", 18, nillable=False, createable=False, updateable=False),
        Field("Username", "string", 80, nillable=False),
        Field("Name", "string", 121, createable=False, updateable=False),
        Field("FirstName", "string", 40),
        Field("LastName", "string", 80, nillable=False),
        Field("Email", "email", 128, nillable=False),
        Field("Alias", "string", 8),
        Field("IsActive", "boolean"),
        Field("TimeZoneSidKey", "picklist", 40),
        Field("ProfileName", "string", 80),
        Field("CreatedDate", "datetime", createable=False, updateable=False),
        Field("LastModifiedDate", "datetime", createable=False, updateable=False),
        Field("SystemModstamp", "datetime", createable=False, updateable=False),
        Field("IsDeleted", "boolean", createable=False, updateable=False),
        Field("CreatedById", "reference", 18, createable=False, updateable=False, reference_to=("User",)),
        Field("LastModifiedById", "reference", 18, createable=False, updateable=False, reference_to=("User",)),
    ],
    "Account": _system() + [
        Field("Name", "string", 255, nillable=False),
        Field("Industry", "picklist", 255),
        Field("BillingCity", "string", 40),
        Field("BillingCountry", "string", 80),
        Field("Phone", "phone", 40),
        Field("Website", "url", 255),
    ],
    "Contact": _system() + [
        Field("AccountId", "reference", 18, reference_to=("Account",), relationship_name="Account"),
        Field("Name", "string", 121, createable=False, updateable=False),
        Field("FirstName", "string", 40),
        Field("LastName", "string", 80, nillable=False),
        Field("MiddleName", "string", 40),
        Field("Salutation", "picklist", 40, picklist=SALUTATIONS),
        Field("Suffix", "string", 40),
        Field("Title", "string", 128),
        Field("Department", "string", 80),
        Field("Email", "email", 80),
        Field("Phone", "phone", 40),
        Field("MobilePhone", "phone", 40),
        Field("HomePhone", "phone", 40),
        Field("OtherPhone", "phone", 40),
        Field("Fax", "phone", 40),
        Field("AssistantName", "string", 40),
        Field("AssistantPhone", "phone", 40),
        Field("MailingStreet", "textarea", 255),
        Field("MailingCity", "string", 40),
        Field("MailingState", "string", 80),
        Field("MailingPostalCode", "string", 20),
        Field("MailingCountry", "string", 80),
        Field("Birthdate", "date"),
        Field("Description", "textarea", 32000),
        Field("ReportsToId", "reference", 18, reference_to=("Contact",), relationship_name="ReportsTo"),
    ],
    "Event": _system() + [
        Field("Subject", "combobox", 255),
        Field("Location", "string", 255),
        Field("Description", "textarea", 32000),
        Field("StartDateTime", "datetime"),
        Field("EndDateTime", "datetime"),
        Field("ActivityDateTime", "datetime"),
        Field("ActivityDate", "date"),
        Field("DurationInMinutes", "int"),
        Field("IsAllDayEvent", "boolean", nillable=False, default=False),
        Field("ShowAs", "picklist", 40, picklist=SHOW_AS, default="Busy"),
        Field("IsPrivate", "boolean", nillable=False, default=False),
        Field("WhoId", "reference", 18, reference_to=("Contact",), relationship_name="Who"),
        Field("WhatId", "reference", 18, reference_to=("Account",), relationship_name="What"),
        Field("AccountId", "reference", 18, createable=False, updateable=False,
              reference_to=("Account",), relationship_name="Account"),
        Field("IsRecurrence", "boolean", nillable=False, default=False),
        Field("IsChild", "boolean", nillable=False, createable=False, updateable=False, default=False),
        Field("RecurrenceActivityId", "reference", 18, createable=False, updateable=False,
              reference_to=("Event",)),
        Field("IsArchived", "boolean", nillable=False, createable=False, updateable=False, default=False),
    ],
    "Task": _system() + [
        Field("Subject", "combobox", 255),
        Field("Description", "textarea", 32000),
        Field("ActivityDate", "date"),
        Field("Status", "picklist", 40, nillable=False, picklist=TASK_STATUSES, default="Not Started"),
        Field("Priority", "picklist", 40, nillable=False, picklist=TASK_PRIORITIES, default="Normal"),
        Field("IsClosed", "boolean", nillable=False, createable=False, updateable=False, default=False),
        Field("IsHighPriority", "boolean", nillable=False, createable=False, updateable=False, default=False),
        Field("CompletedDateTime", "datetime", createable=False, updateable=False),
        Field("IsReminderSet", "boolean", nillable=False, default=False),
        Field("ReminderDateTime", "datetime"),
        Field("WhoId", "reference", 18, reference_to=("Contact",), relationship_name="Who"),
        Field("WhatId", "reference", 18, reference_to=("Account",), relationship_name="What"),
        Field("AccountId", "reference", 18, createable=False, updateable=False,
              reference_to=("Account",), relationship_name="Account"),
        Field("TaskSubtype", "picklist", 40, picklist=("Task", "Email", "Call")),
        Field("IsArchived", "boolean", nillable=False, createable=False, updateable=False, default=False),
    ],
    "Campaign": _system() + [
        Field("Name", "string", 80, nillable=False),
        Field("Status", "picklist", 40, picklist=("Planned", "In Progress", "Completed", "Aborted")),
        Field("IsActive", "boolean", default=True),
        Field("StartDate", "date"),
        Field("EndDate", "date"),
    ],
    "CampaignMember": [f for f in _system(owner=False)] + [
        Field("CampaignId", "reference", 18, nillable=False, reference_to=("Campaign",),
              relationship_name="Campaign"),
        Field("ContactId", "reference", 18, reference_to=("Contact",), relationship_name="Contact"),
        Field("LeadId", "reference", 18),
        Field("Status", "picklist", 40, picklist=("Planned", "Sent", "Responded")),
        Field("HasResponded", "boolean", createable=False, updateable=False, default=False),
    ],
    "AccountTeamMember": [f for f in _system(owner=False)] + [
        Field("AccountId", "reference", 18, nillable=False, reference_to=("Account",),
              relationship_name="Account"),
        Field("UserId", "reference", 18, nillable=False, reference_to=("User",), relationship_name="User"),
        Field("TeamMemberRole", "picklist", 40),
        Field("AccountAccessLevel", "picklist", 40, picklist=("Read", "Edit", "All")),
        Field("ContactAccessLevel", "picklist", 40, picklist=("Read", "Edit", "All")),
    ],
}

FIELDS: dict[str, dict[str, Field]] = {obj: {f.name: f for f in fs} for obj, fs in OBJECTS.items()}


def field_names(sobject: str) -> list[str]:
    return [f.name for f in OBJECTS[sobject]]


def _parse_dt(value: str | None) -> datetime | None:
    if not value:
        return None
    from sandbox.clock import parse_instant

    return parse_instant(value)


def derive(sobject: str, rec: dict, state: "SandboxState | None" = None) -> None:
    """Fill the fields Salesforce computes itself (Name, IsClosed, ActivityDate...)."""
    from sandbox.clock import sf_datetime

    for f in OBJECTS[sobject]:
        if rec.get(f.name) is None and f.default is not None:
            rec[f.name] = f.default
    if sobject in ("Contact", "User"):
        rec["Name"] = " ".join(p for p in (rec.get("FirstName"), rec.get("LastName")) if p)
    elif sobject == "Task":
        rec["IsClosed"] = rec.get("Status") in CLOSED_TASK_STATUSES
        rec["IsHighPriority"] = rec.get("Priority") == "High"
        if rec["IsClosed"] and not rec.get("CompletedDateTime"):
            rec["CompletedDateTime"] = rec.get("LastModifiedDate")
        if not rec["IsClosed"]:
            rec["CompletedDateTime"] = None
        _derive_account(rec, state)
    elif sobject == "Event":
        start = _parse_dt(rec.get("StartDateTime"))
        if rec.get("IsAllDayEvent"):
            day = rec.get("ActivityDate") or (start.date().isoformat() if start else None)
            if day:
                d = date.fromisoformat(day)
                minutes = rec.get("DurationInMinutes") or 1440
                rec["ActivityDate"] = d.isoformat()
                rec["DurationInMinutes"] = minutes
                start = datetime(d.year, d.month, d.day, tzinfo=start.tzinfo if start else None) \
                    if start else datetime.fromisoformat(d.isoformat() + "T00:00:00+00:00")
                rec["StartDateTime"] = sf_datetime(start)
                rec["EndDateTime"] = sf_datetime(start + timedelta(minutes=minutes))
        elif start is not None:
            end = _parse_dt(rec.get("EndDateTime"))
            if end is None and rec.get("DurationInMinutes") is not None:
                end = start + timedelta(minutes=int(rec["DurationInMinutes"]))
            if end is not None:
                rec["EndDateTime"] = sf_datetime(end)
                rec["DurationInMinutes"] = int((end - start).total_seconds() // 60)
            rec["StartDateTime"] = sf_datetime(start)
            rec["ActivityDate"] = start.date().isoformat()
        rec["ActivityDateTime"] = rec.get("StartDateTime")
        _derive_account(rec, state)


def _derive_account(rec: dict, state: "SandboxState | None") -> None:
    """Activities' AccountId follows WhatId (an Account) or the Who contact's account."""
    if state is None:
        return
    account = None
    what = rec.get("WhatId")
    if what and state.sf_get("Account", what):
        account = what
    elif rec.get("WhoId"):
        who = state.sf_get("Contact", rec["WhoId"])
        if who:
            account = who.get("AccountId")
    rec["AccountId"] = account
