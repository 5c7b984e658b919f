"""Salesforce object schema of the emulated org: fields, types, lengths, picklists.

One declaration serves describe, SOQL binding, validation and the derived fields. Lengths
follow API_CONTRACTS.md section 9.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox import ids


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
    label: str = ""  # empty: derived from the name (see ``label_of``)
    restricted: bool = False  # a restricted picklist: other values are refused

    @property
    def defaulted_on_create(self) -> bool:
        return self.default is not None or self.name == "OwnerId" or self.type == "boolean"

    @property
    def required(self) -> bool:
        """Must have a value on create (describe: not nillable, createable, no default)."""
        return not self.nillable and self.createable and not self.defaulted_on_create


def _system(owner: bool = True) -> list[Field]:
    fields = [
        Field("Id", "id", 18, nillable=False, createable=False, updateable=False),
        Field("IsDeleted", "boolean", nillable=False, createable=False, updateable=False),
        Field("CreatedDate", "datetime", nillable=False, createable=False, updateable=False),
        Field(
            "CreatedById",
            "reference",
            18,
            nillable=False,
            createable=False,
            updateable=False,
            reference_to=("User",),
            relationship_name="CreatedBy",
        ),
        Field("LastModifiedDate", "datetime", nillable=False, createable=False, updateable=False),
        Field(
            "LastModifiedById",
            "reference",
            18,
            nillable=False,
            createable=False,
            updateable=False,
            reference_to=("User",),
            relationship_name="LastModifiedBy",
        ),
        Field("SystemModstamp", "datetime", nillable=False, createable=False, updateable=False),
    ]
    if owner:
        fields.append(
            Field(
                "OwnerId", "reference", 18, nillable=False, reference_to=("User",), relationship_name="Owner"
            )
        )
    return fields


SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx.")
TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")
CLOSED_TASK_STATUSES = ("Completed",)
TASK_PRIORITIES = ("High", "Normal", "Low")
SHOW_AS = ("Busy", "OutOfOffice", "Free")
INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Other",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
)

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
        Field(
            "CreatedById",
            "reference",
            18,
            createable=False,
            updateable=False,
            reference_to=("User",),
            relationship_name="CreatedBy",
        ),
        Field(
            "LastModifiedById",
            "reference",
            18,
            createable=False,
            updateable=False,
            reference_to=("User",),
            relationship_name="LastModifiedBy",
        ),
    ],
    "Account": _system()
    + [
        Field("Name", "string", 255, nillable=False),
        Field("Industry", "picklist", 255, picklist=INDUSTRIES),
        Field("BillingCity", "string", 40),
        Field("BillingCountry", "string", 80),
        Field("Phone", "phone", 40),
        Field("Website", "url", 255),
    ],
    "Contact": _system()
    + [
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
    "Event": _system()
    + [
        Field("Subject", "combobox", 255),
        Field("Location", "string", 255),
        Field("Description", "textarea", 32000),
        Field("StartDateTime", "datetime"),
        Field("EndDateTime", "datetime"),
        Field("ActivityDateTime", "datetime"),
        Field("ActivityDate", "date"),
        Field("DurationInMinutes", "int"),
        Field("IsAllDayEvent", "boolean", nillable=False, default=False),
        Field(
            "ShowAs", "picklist", 40, picklist=SHOW_AS, default="Busy", label="Show Time As", restricted=True
        ),
        Field("IsPrivate", "boolean", nillable=False, default=False),
        Field("WhoId", "reference", 18, reference_to=("Contact",), relationship_name="Who"),
        Field("WhatId", "reference", 18, reference_to=("Account",), relationship_name="What"),
        Field(
            "AccountId",
            "reference",
            18,
            createable=False,
            updateable=False,
            reference_to=("Account",),
            relationship_name="Account",
        ),
        Field("IsRecurrence", "boolean", nillable=False, default=False),
        Field("IsChild", "boolean", nillable=False, createable=False, updateable=False, default=False),
        Field(
            "RecurrenceActivityId",
            "reference",
            18,
            createable=False,
            updateable=False,
            reference_to=("Event",),
        ),
        Field("IsArchived", "boolean", nillable=False, createable=False, updateable=False, default=False),
        Field("IsReminderSet", "boolean", nillable=False, default=False),
        Field("ReminderDateTime", "datetime"),
        # Lightning Experience event series (API 58.0 and later): every occurrence has
        # IsRecurrence2; the first occurrence (the series record) carries the RRULE.
        Field("IsRecurrence2", "boolean", nillable=False, createable=False, updateable=False, default=False),
        Field(
            "IsRecurrence2Exception",
            "boolean",
            nillable=False,
            createable=False,
            updateable=False,
            default=False,
        ),
        Field(
            "IsRecurrence2Exclusion",
            "boolean",
            nillable=False,
            createable=False,
            updateable=False,
            default=False,
        ),
        Field("Recurrence2PatternText", "textarea", 1000, createable=False, updateable=False),
    ],
    "Task": _system()
    + [
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
        Field(
            "AccountId",
            "reference",
            18,
            createable=False,
            updateable=False,
            reference_to=("Account",),
            relationship_name="Account",
        ),
        Field(
            "TaskSubtype",
            "picklist",
            40,
            picklist=("Task", "Email", "Call", "ListEmail", "Cadence"),
            restricted=True,
            label="Task Subtype",
        ),
        Field("IsArchived", "boolean", nillable=False, createable=False, updateable=False, default=False),
    ],
    "Campaign": _system()
    + [
        Field("Name", "string", 80, nillable=False),
        Field("Status", "picklist", 40, picklist=("Planned", "In Progress", "Completed", "Aborted")),
        Field("IsActive", "boolean", default=True),
        Field("StartDate", "date"),
        Field("EndDate", "date"),
    ],
    "CampaignMember": [f for f in _system(owner=False)]
    + [
        Field(
            "CampaignId",
            "reference",
            18,
            nillable=False,
            reference_to=("Campaign",),
            relationship_name="Campaign",
        ),
        Field("ContactId", "reference", 18, reference_to=("Contact",), relationship_name="Contact"),
        Field("LeadId", "reference", 18),
        Field("Status", "picklist", 40, picklist=("Planned", "Sent", "Responded")),
        Field("HasResponded", "boolean", createable=False, updateable=False, default=False),
    ],
    # The Task Status picklist as an object (query-only): one row per status value.
    "TaskStatus": [f for f in _system(owner=False)]
    + [
        Field("ApiName", "string", 255, nillable=False, createable=False, updateable=False),
        Field("MasterLabel", "string", 255, createable=False, updateable=False),
        Field("IsClosed", "boolean", nillable=False, createable=False, updateable=False, default=False),
        Field("IsDefault", "boolean", nillable=False, createable=False, updateable=False, default=False),
        Field("SortOrder", "int", createable=False, updateable=False),
    ],
    "AccountTeamMember": [f for f in _system(owner=False)]
    + [
        Field(
            "AccountId",
            "reference",
            18,
            nillable=False,
            reference_to=("Account",),
            relationship_name="Account",
        ),
        Field("UserId", "reference", 18, nillable=False, reference_to=("User",), relationship_name="User"),
        Field("TeamMemberRole", "picklist", 40),
        Field("AccountAccessLevel", "picklist", 40, picklist=("Read", "Edit", "All"), restricted=True),
        Field("ContactAccessLevel", "picklist", 40, picklist=("Read", "Edit", "All"), restricted=True),
    ],
}

FIELDS: dict[str, dict[str, Field]] = {obj: {f.name: f for f in fs} for obj, fs in OBJECTS.items()}


def field_names(sobject: str) -> list[str]:
    return [f.name for f in OBJECTS[sobject]]


# ------------------------------------------------------------------ labels and object metadata
# Field labels as a standard org shows them; they appear in error messages such as
# "Last Name: data value too large: ... (max length=80)".
LABELS: dict[str, dict[str, str]] = {
    "*": {
        "Id": "Record ID",
        "IsDeleted": "Deleted",
        "CreatedDate": "Created Date",
        "CreatedById": "Created By ID",
        "LastModifiedDate": "Last Modified Date",
        "LastModifiedById": "Last Modified By ID",
        "SystemModstamp": "System Modstamp",
        "OwnerId": "Owner ID",
    },
    "User": {
        "Id": "User ID",
        "Name": "Full Name",
        "TimeZoneSidKey": "Time Zone",
        "IsActive": "Active",
        "ProfileName": "Profile Name",
    },
    "Account": {"Id": "Account ID", "Name": "Account Name", "Phone": "Account Phone"},
    "Contact": {
        "Id": "Contact ID",
        "AccountId": "Account ID",
        "Name": "Full Name",
        "Phone": "Business Phone",
        "Fax": "Business Fax",
        "AssistantName": "Assistant's Name",
        "AssistantPhone": "Asst. Phone",
        "MailingState": "Mailing State/Province",
        "MailingPostalCode": "Mailing Zip/Postal Code",
        "Description": "Contact Description",
        "ReportsToId": "Reports To ID",
    },
    "Event": {
        "Id": "Activity ID",
        "OwnerId": "Assigned To ID",
        "WhoId": "Name ID",
        "WhatId": "Related To ID",
        "ActivityDateTime": "Due Date Time",
        "ActivityDate": "Due Date Only",
        "DurationInMinutes": "Duration",
        "IsAllDayEvent": "All-Day Event",
        "IsPrivate": "Private",
        "IsRecurrence": "Create Recurring Series of Events",
        "IsChild": "Is Child",
        "IsArchived": "Archived",
        "RecurrenceActivityId": "Recurrence Activity ID",
    },
    "Task": {
        "Id": "Activity ID",
        "OwnerId": "Assigned To ID",
        "WhoId": "Name ID",
        "WhatId": "Related To ID",
        "ActivityDate": "Due Date Only",
        "IsClosed": "Closed",
        "IsHighPriority": "High Priority",
        "CompletedDateTime": "Completed Date/Time",
        "IsReminderSet": "Reminder Set",
        "ReminderDateTime": "Reminder Date/Time",
        "IsArchived": "Archived",
    },
    "Campaign": {"Id": "Campaign ID", "Name": "Campaign Name", "IsActive": "Active"},
    "CampaignMember": {"Id": "Campaign Member ID", "HasResponded": "Responded"},
    "AccountTeamMember": {
        "Id": "Account Team Member ID",
        "UserId": "User ID",
        "TeamMemberRole": "Team Role",
        "AccountAccessLevel": "Account Access",
        "ContactAccessLevel": "Contact Access",
    },
}

PICKLIST_LABELS = {"OutOfOffice": "Out of Office", "ListEmail": "List Email"}


def label_of(sobject: str, f: Field) -> str:
    """The field's label: declared, from LABELS, or its name split into words."""
    if f.label:
        return f.label
    found = LABELS.get(sobject, {}).get(f.name) or LABELS["*"].get(f.name)
    if found:
        return found
    name = f.name[:-2] + " ID" if f.name.endswith("Id") and f.type == "reference" else f.name
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


@dataclass(frozen=True)
class ObjectInfo:
    label: str
    label_plural: str
    createable: bool = True
    updateable: bool = True
    deletable: bool = True


OBJECT_INFO: dict[str, ObjectInfo] = {
    "User": ObjectInfo("User", "Users", createable=False, deletable=False),
    "Account": ObjectInfo("Account", "Accounts"),
    "Contact": ObjectInfo("Contact", "Contacts"),
    "Event": ObjectInfo("Event", "Events"),
    "Task": ObjectInfo("Task", "Tasks"),
    "Campaign": ObjectInfo("Campaign", "Campaigns"),
    "CampaignMember": ObjectInfo("Campaign Member", "Campaign Members"),
    "AccountTeamMember": ObjectInfo("Account Team Member", "Account Team Members"),
    "TaskStatus": ObjectInfo(
        "Task Status Value", "Task Status Values", createable=False, updateable=False, deletable=False
    ),
}

# (child object, foreign key) -> the parent's child relationship name (None: unnamed).
CHILD_RELATIONSHIPS: dict[tuple[str, str], str | None] = {
    ("Contact", "AccountId"): "Contacts",
    ("Event", "WhatId"): "Events",
    ("Event", "WhoId"): "Events",
    ("Task", "WhatId"): "Tasks",
    ("Task", "WhoId"): "Tasks",
    ("CampaignMember", "CampaignId"): "CampaignMembers",
    ("CampaignMember", "ContactId"): "CampaignMembers",
    ("AccountTeamMember", "AccountId"): "AccountTeamMembers",
    ("Contact", "ReportsToId"): None,
}
CASCADE_DELETE = {
    ("Contact", "AccountId"),
    ("CampaignMember", "CampaignId"),
    ("CampaignMember", "ContactId"),
    ("AccountTeamMember", "AccountId"),
}

_CANONICAL_OBJECTS = {name.lower(): name for name in OBJECTS}
_CANONICAL_FIELDS = {obj: {name.lower(): name for name in fs} for obj, fs in FIELDS.items()}
_PREFIX_OBJECTS: dict[str, str] = {}


def canonical_object(name: str) -> str | None:
    """``contact`` -> ``Contact``; None for objects the org does not have."""
    return _CANONICAL_OBJECTS.get((name or "").lower())


def canonical_field(sobject: str, name: str) -> str | None:
    return _CANONICAL_FIELDS.get(sobject, {}).get((name or "").lower())


def key_prefix(sobject: str) -> str:
    return ids.SF_PREFIXES[sobject]


def object_for_id(record_id: str) -> str | None:
    """The sObject a record id belongs to, by its key prefix."""
    if not _PREFIX_OBJECTS:
        _PREFIX_OBJECTS.update({p: o for o, p in ids.SF_PREFIXES.items()})
    return _PREFIX_OBJECTS.get((record_id or "")[:3])


# ------------------------------------------------------------------- the SOQL schema protocol
class OrgSchema:
    """The org's objects as ``sandbox.salesforce.soql`` needs them (its ``Schema`` protocol)."""

    def object_names(self) -> list[str]:
        return list(OBJECTS)

    def fields(self, sobject: str) -> dict[str, str]:
        return {f.name: f.type for f in OBJECTS.get(canonical_object(sobject) or "", [])}

    def relationship(self, sobject: str, name: str) -> tuple[str, str] | None:
        obj = canonical_object(sobject)
        if obj is None:
            return None
        wanted = (name or "").lower()
        for f in OBJECTS[obj]:
            if f.relationship_name and f.relationship_name.lower() == wanted and f.reference_to:
                return f.reference_to[0], f.name
        return None


SCHEMA = OrgSchema()
