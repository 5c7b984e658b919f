"""The describe resources' bodies: an object's basic info, its full describe and its fields."""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.org_view import present_fields
from sandbox.salesforce.schema import (
    CASCADE_DELETE,
    CHILD_RELATIONSHIPS,
    OBJECT_INFO,
    OBJECTS,
    PICKLIST_LABELS,
    Field,
    key_prefix,
    label_of,
)

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


def describe_sobject(sobject: str, version: str, state: Any = None) -> dict:
    """``GET /sobjects/{sobject}/describe`` (with ``state``: only the fields the user sees)."""
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
        "fields": [
            describe_field(sobject, f)
            for f in (OBJECTS[sobject] if state is None else present_fields(state, sobject))
        ],
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
