"""The Graph v1.0 types the emulator serves, and validation of POST/PATCH bodies against them.

The property lists mirror Microsoft's CSDL (``microsoftgraph/msgraph-metadata``
``clean_v10_metadata/cleanMetadata.xml``), base types flattened in. The tests check them
against the independent subset in ``shared/data/graph_v1_schema_subset.json``.

Bodies are checked the way Graph checks them: an unknown property, a value of the wrong JSON
kind, a null in a collection or an enum value that does not exist is a ``400 RequestBodyRead``
with Graph's message. Read-only properties (``id``, ``changeKey``, ``createdDateTime``...) are
accepted and ignored.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sandbox.clock import graph_instant, parse_instant
from sandbox.errors import GraphError
from sandbox.graph.core import body_read_error

S, B, I32, DBL, DTO, DATE = (
    "Edm.String",
    "Edm.Boolean",
    "Edm.Int32",
    "Edm.Double",
    "Edm.DateTimeOffset",
    "Edm.Date",
)
CS = "Collection(Edm.String)"

_OUTLOOK_ITEM = {
    "id": S,
    "categories": CS,
    "changeKey": S,
    "createdDateTime": DTO,
    "lastModifiedDateTime": DTO,
}

ENTITIES: dict[str, dict[str, str]] = {
    "contact": {
        **_OUTLOOK_ITEM,
        "assistantName": S,
        "birthday": DTO,
        "businessAddress": "graph.physicalAddress",
        "businessHomePage": S,
        "businessPhones": CS,
        "children": CS,
        "companyName": S,
        "department": S,
        "displayName": S,
        "emailAddresses": "Collection(graph.emailAddress)",
        "fileAs": S,
        "generation": S,
        "givenName": S,
        "homeAddress": "graph.physicalAddress",
        "homePhones": CS,
        "imAddresses": CS,
        "initials": S,
        "jobTitle": S,
        "manager": S,
        "middleName": S,
        "mobilePhone": S,
        "nickName": S,
        "officeLocation": S,
        "otherAddress": "graph.physicalAddress",
        "parentFolderId": S,
        "personalNotes": S,
        "primaryEmailAddress": "graph.emailAddress",
        "profession": S,
        "secondaryEmailAddress": "graph.emailAddress",
        "spouseName": S,
        "surname": S,
        "tertiaryEmailAddress": "graph.emailAddress",
        "title": S,
        "yomiCompanyName": S,
        "yomiGivenName": S,
        "yomiSurname": S,
    },
    "contactFolder": {"id": S, "displayName": S, "parentFolderId": S},
    "event": {
        **_OUTLOOK_ITEM,
        "allowNewTimeProposals": B,
        "attendees": "Collection(graph.attendee)",
        "body": "graph.itemBody",
        "bodyPreview": S,
        "cancelledOccurrences": CS,
        "end": "graph.dateTimeTimeZone",
        "hasAttachments": B,
        "hideAttendees": B,
        "iCalUId": S,
        "importance": "graph.importance",
        "isAllDay": B,
        "isCancelled": B,
        "isDraft": B,
        "isOnlineMeeting": B,
        "isOrganizer": B,
        "isReminderOn": B,
        "location": "graph.location",
        "locations": "Collection(graph.location)",
        "onlineMeeting": "graph.onlineMeetingInfo",
        "onlineMeetingProvider": "graph.onlineMeetingProviderType",
        "onlineMeetingUrl": S,
        "organizer": "graph.recipient",
        "originalEndTimeZone": S,
        "originalStart": DTO,
        "originalStartTimeZone": S,
        "recurrence": "graph.patternedRecurrence",
        "reminderMinutesBeforeStart": I32,
        "responseRequested": B,
        "responseStatus": "graph.responseStatus",
        "sensitivity": "graph.sensitivity",
        "seriesMasterId": S,
        "showAs": "graph.freeBusyStatus",
        "start": "graph.dateTimeTimeZone",
        "subject": S,
        "transactionId": S,
        "type": "graph.eventType",
        "webLink": S,
    },
    "todoTask": {
        "id": S,
        "body": "graph.itemBody",
        "bodyLastModifiedDateTime": DTO,
        "categories": CS,
        "completedDateTime": "graph.dateTimeTimeZone",
        "createdDateTime": DTO,
        "dueDateTime": "graph.dateTimeTimeZone",
        "hasAttachments": B,
        "importance": "graph.importance",
        "isReminderOn": B,
        "lastModifiedDateTime": DTO,
        "recurrence": "graph.patternedRecurrence",
        "reminderDateTime": "graph.dateTimeTimeZone",
        "startDateTime": "graph.dateTimeTimeZone",
        "status": "graph.taskStatus",
        "title": S,
    },
    "todoTaskList": {
        "id": S,
        "displayName": S,
        "isOwner": B,
        "isShared": B,
        "wellknownListName": "graph.wellknownListName",
    },
    "calendar": {
        "id": S,
        "allowedOnlineMeetingProviders": "Collection(graph.onlineMeetingProviderType)",
        "canEdit": B,
        "canShare": B,
        "canViewPrivateItems": B,
        "changeKey": S,
        "color": "graph.calendarColor",
        "defaultOnlineMeetingProvider": "graph.onlineMeetingProviderType",
        "hexColor": S,
        "isDefaultCalendar": B,
        "isRemovable": B,
        "isTallyingResponses": B,
        "name": S,
        "owner": "graph.emailAddress",
    },
}

COMPLEX: dict[str, dict[str, str]] = {
    "attendee": {
        "emailAddress": "graph.emailAddress",
        "type": "graph.attendeeType",
        "proposedNewTime": "graph.timeSlot",
        "status": "graph.responseStatus",
    },
    "dateTimeTimeZone": {"dateTime": S, "timeZone": S},
    "emailAddress": {"address": S, "name": S},
    "itemBody": {"content": S, "contentType": "graph.bodyType"},
    "location": {
        "address": "graph.physicalAddress",
        "coordinates": "graph.outlookGeoCoordinates",
        "displayName": S,
        "locationEmailAddress": S,
        "locationType": "graph.locationType",
        "locationUri": S,
        "uniqueId": S,
        "uniqueIdType": "graph.locationUniqueIdType",
    },
    "onlineMeetingInfo": {
        "conferenceId": S,
        "joinUrl": S,
        "phones": "Collection(graph.phone)",
        "quickDial": S,
        "tollFreeNumbers": CS,
        "tollNumber": S,
    },
    "outlookGeoCoordinates": {
        "accuracy": DBL,
        "altitude": DBL,
        "altitudeAccuracy": DBL,
        "latitude": DBL,
        "longitude": DBL,
    },
    "patternedRecurrence": {"pattern": "graph.recurrencePattern", "range": "graph.recurrenceRange"},
    "phone": {"language": S, "number": S, "region": S, "type": "graph.phoneType"},
    "physicalAddress": {"city": S, "countryOrRegion": S, "postalCode": S, "state": S, "street": S},
    "recipient": {"emailAddress": "graph.emailAddress"},
    "recurrencePattern": {
        "dayOfMonth": I32,
        "daysOfWeek": "Collection(graph.dayOfWeek)",
        "firstDayOfWeek": "graph.dayOfWeek",
        "index": "graph.weekIndex",
        "interval": I32,
        "month": I32,
        "type": "graph.recurrencePatternType",
    },
    "recurrenceRange": {
        "endDate": DATE,
        "numberOfOccurrences": I32,
        "recurrenceTimeZone": S,
        "startDate": DATE,
        "type": "graph.recurrenceRangeType",
    },
    "responseStatus": {"response": "graph.responseType", "time": DTO},
    "timeSlot": {"end": "graph.dateTimeTimeZone", "start": "graph.dateTimeTimeZone"},
}

ENUMS: dict[str, tuple[str, ...]] = {
    "attendeeType": ("required", "optional", "resource"),
    "bodyType": ("text", "html"),
    "calendarColor": (
        "auto",
        "lightBlue",
        "lightGreen",
        "lightOrange",
        "lightGray",
        "lightYellow",
        "lightTeal",
        "lightPink",
        "lightBrown",
        "lightRed",
        "maxColor",
    ),
    "dayOfWeek": ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"),
    "eventType": ("singleInstance", "occurrence", "exception", "seriesMaster"),
    "freeBusyStatus": ("unknown", "free", "tentative", "busy", "oof", "workingElsewhere"),
    "importance": ("low", "normal", "high"),
    "locationType": (
        "default",
        "conferenceRoom",
        "homeAddress",
        "businessAddress",
        "geoCoordinates",
        "streetAddress",
        "hotel",
        "restaurant",
        "localBusiness",
        "postalAddress",
    ),
    "locationUniqueIdType": ("unknown", "locationStore", "directory", "private", "bing"),
    "onlineMeetingProviderType": ("unknown", "skypeForBusiness", "skypeForConsumer", "teamsForBusiness"),
    "phoneType": (
        "home",
        "business",
        "mobile",
        "other",
        "assistant",
        "homeFax",
        "businessFax",
        "otherFax",
        "pager",
        "radio",
    ),
    "recurrencePatternType": (
        "daily",
        "weekly",
        "absoluteMonthly",
        "relativeMonthly",
        "absoluteYearly",
        "relativeYearly",
    ),
    "recurrenceRangeType": ("endDate", "noEnd", "numbered"),
    "responseType": ("none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"),
    "sensitivity": ("normal", "personal", "private", "confidential"),
    "taskStatus": ("notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"),
    "weekIndex": ("first", "second", "third", "fourth", "last"),
    "wellknownListName": ("none", "defaultList", "flaggedEmails", "unknownFutureValue"),
}

# Properties a client may send but the service sets itself: accepted and dropped.
READ_ONLY: dict[str, set[str]] = {
    "contact": {"id", "changeKey", "createdDateTime", "lastModifiedDateTime", "parentFolderId"},
    "contactFolder": {"id", "parentFolderId"},
    "event": {
        "id",
        "changeKey",
        "createdDateTime",
        "lastModifiedDateTime",
        "type",
        "seriesMasterId",
        "originalStart",
        "iCalUId",
        "webLink",
        "bodyPreview",
        "isOrganizer",
        "responseStatus",
        "hasAttachments",
        "onlineMeeting",
        "onlineMeetingUrl",
        "cancelledOccurrences",
        "isCancelled",
        "isDraft",
        "originalStartTimeZone",
        "originalEndTimeZone",
        "organizer",
    },
    "todoTask": {
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "bodyLastModifiedDateTime",
        "hasAttachments",
    },
    "todoTaskList": {"id", "isOwner", "isShared", "wellknownListName"},
    "calendar": {
        "id",
        "changeKey",
        "isDefaultCalendar",
        "canEdit",
        "canShare",
        "canViewPrivateItems",
        "isRemovable",
        "isTallyingResponses",
        "owner",
        "allowedOnlineMeetingProviders",
        "defaultOnlineMeetingProvider",
    },
}

# Outlook's multi-value limits (Exchange rejects more).
MULTI_VALUE_LIMITS = {"contact": {"emailAddresses": 3, "businessPhones": 2, "homePhones": 2}}

_OUTLOOK_ENTITIES = {"contact", "contactFolder", "event", "calendar"}


def type_label(name: str, outlook: bool) -> str:
    """How Graph names a type in RequestBodyRead messages."""
    if outlook:
        return "Microsoft.OutlookServices." + name[0].upper() + name[1:]
    return "microsoft.graph." + name


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "StartArray"
    if isinstance(value, dict):
        return "StartObject"
    return "PrimitiveValue"


def _check_value(value: Any, type_name: str, prop: str, outlook: bool) -> Any:
    if type_name.startswith("Collection("):
        inner = type_name[len("Collection(") : -1]
        if value is None:
            full = f"Collection({inner.replace('graph.', 'Microsoft.OutlookServices.' if outlook else 'microsoft.graph.')})[Nullable=False]"
            raise body_read_error(
                f"A null value was found for the property named '{prop}', "
                f"which has the expected type '{full}'. The expected type "
                f"'{full}' does not allow null values."
            )
        if not isinstance(value, list):
            raise body_read_error(
                f"An unexpected '{_kind(value)}' node was found when reading "
                f"from the JSON reader. A 'StartArray' node was expected."
            )
        return [_check_value(v, inner, prop, outlook) for v in value]
    if value is None:
        return None
    if type_name.startswith("Edm."):
        ok = {
            S: isinstance(value, str),
            B: isinstance(value, bool),
            I32: isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31,
            DBL: isinstance(value, (int, float)) and not isinstance(value, bool),
            DTO: isinstance(value, str) and _instant_ok(value),
            DATE: isinstance(value, str) and _date_ok(value),
        }.get(type_name, True)
        if not ok:
            if isinstance(value, (dict, list)):
                raise body_read_error(
                    f"An unexpected '{_kind(value)}' node was found when "
                    f"reading from the JSON reader. A 'PrimitiveValue' node "
                    f"was expected."
                )
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            raise body_read_error(f"Cannot convert the literal '{shown}' to the expected type '{type_name}'.")
        if type_name == DTO:  # stored and returned as Graph writes it: ...Z, UTC
            return graph_instant(parse_instant(value))
        return value
    short = type_name.split(".", 1)[1]
    if short in ENUMS:
        if not isinstance(value, str):
            raise body_read_error(
                f"Cannot convert the literal '{value}' to the expected type '{type_label(short, outlook)}'."
            )
        for member in ENUMS[short]:
            if member.lower() == value.lower():
                return member
        raise body_read_error(f"Requested value '{value}' was not found.")
    if short in COMPLEX:
        if not isinstance(value, dict):
            raise body_read_error(
                f"An unexpected '{_kind(value)}' node was found when reading "
                f"from the JSON reader. A 'StartObject' node was expected."
            )
        return _check_object(value, COMPLEX[short], short, outlook)
    return value  # pragma: no cover - every referenced type is declared above


def _instant_ok(text: str) -> bool:
    if not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?", text.strip()
    ):
        return False
    try:
        parse_instant(text)
    except (ValueError, TypeError):
        return False
    return True


def _date_ok(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None


def _check_object(data: dict, props: dict[str, str], type_short: str, outlook: bool) -> dict:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.startswith("@odata."):
            continue
        if key not in props:
            raise body_read_error(
                f"The property '{key}' does not exist on type "
                f"'{type_label(type_short, outlook)}'. Make sure to only use "
                f"property names that are defined by the type or mark the type "
                f"as open type."
            )
        out[key] = _check_value(value, props[key], key, outlook)
    return out


def validate(entity: str, data: dict) -> dict:
    """A POST/PATCH body checked against ``entity``; read-only properties dropped."""
    outlook = entity in _OUTLOOK_ENTITIES
    checked = _check_object(data, ENTITIES[entity], entity, outlook)
    for prop, limit in MULTI_VALUE_LIMITS.get(entity, {}).items():
        values = checked.get(prop)
        if isinstance(values, list) and len(values) > limit:
            raise GraphError(
                400,
                "ErrorInvalidProperty",
                f"The multi value property {prop[0].upper() + prop[1:]} has "
                f"{len(values)} entries, that exceeds the max allowed value of "
                f"{limit}",
            )
    for prop in READ_ONLY.get(entity, ()):
        checked.pop(prop, None)
    return checked
