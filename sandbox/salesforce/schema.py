"""Salesforce object schema of the emulated org: fields, types, lengths, picklists.

One declaration serves describe, SOQL binding, validation and the derived fields. Lengths
follow API_CONTRACTS.md section 9.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


def _parse_dt(value: str | None) -> datetime | None:
    if not value:
        return None
    from sandbox.clock import parse_instant

    return parse_instant(value)


def derive(sobject: str, rec: dict, state: SandboxState | None = None) -> None:
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
                start = (
                    datetime(d.year, d.month, d.day, tzinfo=start.tzinfo if start else None)
                    if start
                    else datetime.fromisoformat(d.isoformat() + "T00:00:00+00:00")
                )
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


def _derive_account(rec: dict, state: SandboxState | None) -> None:
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
    from sandbox import ids

    return ids.SF_PREFIXES[sobject]


def object_for_id(record_id: str) -> str | None:
    """The sObject a record id belongs to, by its key prefix."""
    if not _PREFIX_OBJECTS:
        from sandbox import ids

        _PREFIX_OBJECTS.update({p: o for o, p in ids.SF_PREFIXES.items()})
    return _PREFIX_OBJECTS.get((record_id or "")[:3])


# ---------------------------------------------------------------------------------- describe
_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}
_TEXT_TYPES = {"string", "textarea", "email", "phone", "picklist", "combobox", "url"}


def _urls(sobject: str, version: str) -> dict:
    base = f"/services/data/v{version}/sobjects/{sobject}"
    return {
        "compactLayouts": f"{base}/describe/compactLayouts",
        "rowTemplate": f"{base}/{{ID}}",
        "approvalLayouts": f"{base}/describe/approvalLayouts",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "describe": f"{base}/describe",
        "quickActions": f"{base}/quickActions",
        "layouts": f"{base}/describe/layouts",
        "sobject": base,
    }


def describe_basic(sobject: str, version: str) -> dict:
    """One entry of the global describe (``GET /sobjects``) and ``objectDescribe``."""
    info = OBJECT_INFO[sobject]
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": info.createable,
        "custom": False,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": info.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": sobject in ("Account", "Contact", "User"),
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": key_prefix(sobject),
        "label": info.label,
        "labelPlural": info.label_plural,
        "layoutable": True,
        "mergeable": sobject in ("Account", "Contact"),
        "mruEnabled": True,
        "name": sobject,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": info.deletable,
        "updateable": info.updateable,
        "urls": {
            k: v
            for k, v in _urls(sobject, version).items()
            if k in ("rowTemplate", "defaultValues", "describe", "sobject")
        },
    }


def describe_field(sobject: str, f: Field) -> dict:
    text = f.type in _TEXT_TYPES
    name_field = f.name == "Name"
    return {
        "aggregatable": f.type not in ("textarea", "boolean") or f.length <= 255,
        "autoNumber": False,
        "byteLength": f.length * 3 if text else (18 if f.type in ("id", "reference") else 0),
        "calculated": False,
        "cascadeDelete": False,
        "caseSensitive": False,
        "createable": f.createable,
        "custom": False,
        "defaultValue": bool(f.default) if f.type == "boolean" else None,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": 9 if f.type == "int" else 0,
        "externalId": False,
        "filterable": not (f.type == "textarea" and f.length > 255),
        "groupable": f.type not in ("textarea", "datetime", "double"),
        "htmlFormatted": False,
        "idLookup": f.name == "Id" or (f.name in ("Email", "Name", "Username") and f.type != "textarea"),
        "inlineHelpText": None,
        "label": label_of(sobject, f),
        "length": f.length if text else 0,
        "name": f.name,
        "nameField": name_field or (sobject in ("Event", "Task") and f.name == "Subject"),
        "namePointing": f.name in ("WhoId", "WhatId"),
        "nillable": f.nillable,
        "permissionable": f.nillable and f.createable,
        "picklistValues": [
            {
                "active": True,
                "defaultValue": v == f.default,
                "label": PICKLIST_LABELS.get(v, v),
                "validFor": None,
                "value": v,
            }
            for v in f.picklist
        ],
        "polymorphicForeignKey": f.name in ("WhoId", "WhatId"),
        "precision": 0,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": None,
        "restrictedPicklist": f.restricted,
        "scale": 0,
        "soapType": _SOAP_TYPES.get(f.type, "xsd:string"),
        "sortable": not (f.type == "textarea" and f.length > 255),
        "type": f.type,
        "unique": f.name == "Username",
        "updateable": f.updateable,
    }


def describe_sobject(sobject: str, version: str) -> dict:
    """``GET /sobjects/{sobject}/describe``."""
    children = []
    for child, fields in OBJECTS.items():
        for f in fields:
            if sobject in f.reference_to and (f.createable or (child, f.name) in CHILD_RELATIONSHIPS):
                children.append(
                    {
                        "cascadeDelete": (child, f.name) in CASCADE_DELETE,
                        "childSObject": child,
                        "deprecatedAndHidden": False,
                        "field": f.name,
                        "junctionIdListNames": [],
                        "junctionReferenceTo": [],
                        "relationshipName": CHILD_RELATIONSHIPS.get((child, f.name)),
                        "restrictedDelete": False,
                    }
                )
    return {
        **describe_basic(sobject, version),
        "actionOverrides": [],
        "childRelationships": children,
        "compactLayoutable": True,
        "fields": [describe_field(sobject, f) for f in OBJECTS[sobject]],
        "listviewable": None,
        "lookupLayoutable": None,
        "namedLayoutInfos": [],
        "networkScopeFieldName": None,
        "recordTypeInfos": [],
        "searchLayoutable": True,
        "sobjectDescribeOption": "FULL",
        "supportedScopes": [
            {"label": "All " + OBJECT_INFO[sobject].label_plural.lower(), "name": "everything"},
            {"label": "My " + OBJECT_INFO[sobject].label_plural.lower(), "name": "mine"},
        ],
        "urls": _urls(sobject, version),
    }


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
