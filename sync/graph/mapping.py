"""Graph JSON <-> mapped records (FIELD_MAPPING.md), for contacts, events and To Do tasks.

Reading: ``*_to_record(item)`` returns a cleaned record. Writing: ``*_body(fields, current)``
returns the Graph PATCH/POST body for only the given mapped ``fields``; ``current`` is the
item as Graph holds it now (needed where one mapped field is a slot of a collection or a part
of a complex property: ``emailAddresses[0]``, ``businessPhones[0]``, ``homePhones[0]``,
``businessAddress``; Graph replaces those whole on PATCH, so the other entries are copied
from ``current``). ``needs_current(kind, fields)`` says when ``current`` is needed.

Events are read with ``Prefer: outlook.timezone="UTC"`` and
``outlook.body-content-type="text"``; all-day events come back in their own zone and map to
``ActivityDate`` (the wall-clock start date) + ``DurationInMinutes`` (1440 x days). Outlook
all-day events are written midnight to midnight in the user's zone (``time_zone``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.fields import Kind
from sync.normalise import clean_record
from sync.records import Record, Value

UTC = dt.UTC

CONTACT_SELECT = (
    "id,changeKey,lastModifiedDateTime,parentFolderId,givenName,surname,middleName,title,"
    "generation,displayName,jobTitle,department,emailAddresses,businessPhones,mobilePhone,"
    "homePhones,assistantName,businessAddress,birthday,personalNotes,companyName"
)
EVENT_SELECT = (
    "id,changeKey,lastModifiedDateTime,subject,body,start,end,isAllDay,location,showAs,"
    "sensitivity,attendees,type,seriesMasterId,originalStart,isCancelled"
)

ADDRESS = {
    "MailingStreet": "street",
    "MailingCity": "city",
    "MailingState": "state",
    "MailingPostalCode": "postalCode",
    "MailingCountry": "countryOrRegion",
}
CONTACT_PLAIN = {
    "FirstName": "givenName",
    "LastName": "surname",
    "MiddleName": "middleName",
    "Salutation": "title",
    "Suffix": "generation",
    "Title": "jobTitle",
    "Department": "department",
    "MobilePhone": "mobilePhone",
    "AssistantName": "assistantName",
    "Description": "personalNotes",
    "AccountName": "companyName",
}
SHOW_AS_IN = {
    "busy": "Busy",
    "tentative": "Busy",
    "free": "Free",
    "oof": "OutOfOffice",
    "workingelsewhere": "Busy",
}
SHOW_AS_OUT = {"Busy": "busy", "Free": "free", "OutOfOffice": "oof"}
STATUS_IN = {
    "notstarted": "Not Started",
    "inprogress": "In Progress",
    "completed": "Completed",
    "waitingonothers": "Waiting on someone else",
    "deferred": "Deferred",
}
STATUS_OUT = {
    v: k
    for k, v in {
        "notStarted": "Not Started",
        "inProgress": "In Progress",
        "completed": "Completed",
        "waitingOnOthers": "Waiting on someone else",
        "deferred": "Deferred",
    }.items()
}
PRIORITY_IN = {"low": "Low", "normal": "Normal", "high": "High"}
PRIORITY_OUT = {"Low": "low", "Normal": "normal", "High": "high"}
EVENT_GROUP = ("IsAllDayEvent", "StartDateTime", "EndDateTime", "ActivityDate", "DurationInMinutes")

_WINDOWS_ZONES = {
    "utc": "UTC",
    "coordinated universal time": "UTC",
    "w. europe standard time": "Europe/Berlin",
    "gmt standard time": "Europe/London",
    "romance standard time": "Europe/Paris",
    "central europe standard time": "Europe/Budapest",
    "eastern standard time": "America/New_York",
    "central standard time": "America/Chicago",
    "mountain standard time": "America/Denver",
    "pacific standard time": "America/Los_Angeles",
    "tokyo standard time": "Asia/Tokyo",
    "india standard time": "Asia/Kolkata",
    "aus eastern standard time": "Australia/Sydney",
}


# -- small helpers ----------------------------------------------------------------------


def zone(name: str | None) -> dt.tzinfo:
    """A tzinfo for an IANA or (common) Windows zone name; UTC when unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(_WINDOWS_ZONES.get(name.strip().lower(), name.strip()))
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_wall(text: str) -> dt.datetime:
    """``2026-10-04T09:00:00.0000000`` (7 fractional digits, no offset) -> naive datetime."""
    text = text.strip().rstrip("Z")
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(?:\.(\d+))?", text)
    if not m:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    base = dt.datetime.fromisoformat(m.group(1))
    micro = int((m.group(2) or "0")[:6].ljust(6, "0"))
    return base.replace(microsecond=micro)


def fmt_wall(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.0000000")


def parse_instant(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return parse_wall(text).replace(tzinfo=UTC)
    except ValueError:
        return None


def dtz_instant(value: object) -> dt.datetime | None:
    """A Graph ``dateTimeTimeZone`` as an aware UTC datetime."""
    if not isinstance(value, dict) or not value.get("dateTime"):
        return None
    wall = parse_wall(value["dateTime"])
    return wall.replace(tzinfo=zone(value.get("timeZone"))).astimezone(UTC)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _first(values: object) -> object:
    return values[0] if isinstance(values, list) and values else None


def _body_text(body: object) -> str | None:
    if not isinstance(body, dict):
        return None
    content = body.get("content")
    if not isinstance(content, str):
        return None
    if (body.get("contentType") or "").lower() == "html":
        return html_to_text(content)
    return content


def html_to_text(html: str) -> str:
    import html as htmllib

    text = re.sub(r"(?is)<(script|style|head)[^>]*>.*?</\1>", "", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = htmllib.unescape(text).replace("\xa0", " ")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()


def etag(item: Mapping[str, Any]) -> str:
    """The version token: ``@odata.etag`` (sent back as If-Match), else the changeKey."""
    tag = item.get("@odata.etag")
    if isinstance(tag, str) and tag:
        return tag
    key = item.get("changeKey")
    return f'W/"{key}"' if key else ""


def needs_current(kind: Kind, fields: Mapping[str, Value]) -> bool:
    if kind == "contacts":
        return any(k in fields for k in ("Email", "Phone", "HomePhone", *ADDRESS))
    if kind == "events":
        present = [k for k in EVENT_GROUP if k in fields]
        return bool(present) and len(present) < len(EVENT_GROUP)
    return False


# -- contacts ---------------------------------------------------------------------------


def contact_to_record(item: Mapping[str, Any]) -> Record:
    raw: dict[str, Any] = {name: _text(item.get(prop)) for name, prop in CONTACT_PLAIN.items()}
    emails = [e for e in item.get("emailAddresses") or [] if isinstance(e, dict)]
    email = _text(emails[0].get("address")) if emails else None
    raw["Email"] = email
    raw["Phone"] = _text(_first(item.get("businessPhones")))
    raw["HomePhone"] = _text(_first(item.get("homePhones")))
    address = item.get("businessAddress") or {}
    for name, prop in ADDRESS.items():
        raw[name] = _text(address.get(prop)) if isinstance(address, dict) else None
    birthday = item.get("birthday")
    raw["Birthdate"] = parse_wall(birthday).date() if isinstance(birthday, str) and birthday else None
    record = clean_record("contacts", raw)
    if not record["LastName"]:
        fallback = _text(item.get("displayName"))
        if fallback and fallback.strip():
            record["LastName"] = fallback.strip()
        elif email and "@" in email:
            record["LastName"] = email.split("@", 1)[0]
    return record


def contact_body(fields: Mapping[str, Value], current: Mapping[str, Any] | None) -> dict:
    body: dict[str, Any] = {}
    current = current or {}
    for name, prop in CONTACT_PLAIN.items():
        if name in fields:
            value = fields[name]
            body[prop] = "" if (value is None and prop == "personalNotes") else value
    if "Email" in fields:
        emails = [dict(e) for e in current.get("emailAddresses") or [] if isinstance(e, dict)]
        value = fields["Email"]
        if value:
            entry = {"address": value, "name": value}
            if emails:
                if (emails[0].get("address") or "").casefold() != str(value).casefold():
                    emails[0] = entry
            else:
                emails = [entry]
        elif emails:
            emails = emails[1:]
        body["emailAddresses"] = emails
    for name, prop in (("Phone", "businessPhones"), ("HomePhone", "homePhones")):
        if name in fields:
            phones = [p for p in current.get(prop) or [] if isinstance(p, str)]
            value = fields[name]
            if value:
                phones = [str(value), *phones[1:]] if phones else [str(value)]
            else:
                phones = phones[1:]
            body[prop] = phones
    if any(name in fields for name in ADDRESS):
        address = dict(current.get("businessAddress") or {})
        for name, prop in ADDRESS.items():
            if name in fields:
                address[prop] = fields[name]
        body["businessAddress"] = address
    if "Birthdate" in fields:
        value = fields["Birthdate"]
        body["birthday"] = f"{value.isoformat()}T00:00:00Z" if isinstance(value, dt.date) else None
    return body


# -- events -----------------------------------------------------------------------------


def event_to_record(item: Mapping[str, Any]) -> Record:
    raw: dict[str, Any] = {"Subject": _text(item.get("subject")), "Description": _body_text(item.get("body"))}
    location = item.get("location")
    raw["Location"] = _text(location.get("displayName")) if isinstance(location, dict) else None
    raw["ShowAs"] = SHOW_AS_IN.get(str(item.get("showAs") or "").lower())
    raw["IsPrivate"] = str(item.get("sensitivity") or "").lower() in ("private", "confidential")
    attendees = [a for a in item.get("attendees") or [] if isinstance(a, dict)]
    emails = [((a.get("emailAddress") or {}).get("address")) for a in attendees]
    raw["WhoEmail"] = next((e for e in emails if isinstance(e, str) and e), None)
    if item.get("isAllDay"):
        start, end = item.get("start") or {}, item.get("end") or {}
        s = parse_wall(start["dateTime"]).date() if start.get("dateTime") else None
        e = parse_wall(end["dateTime"]).date() if end.get("dateTime") else None
        raw["IsAllDayEvent"] = True
        raw["ActivityDate"] = s
        raw["DurationInMinutes"] = 1440 * max(1, (e - s).days) if s and e else 1440
    else:
        raw["IsAllDayEvent"] = False
        raw["StartDateTime"] = dtz_instant(item.get("start"))
        raw["EndDateTime"] = dtz_instant(item.get("end"))
    return clean_record("events", raw)


def event_body(
    fields: Mapping[str, Value], current: Mapping[str, Any] | None, time_zone: str = "UTC"
) -> dict:
    body: dict[str, Any] = {}
    if "Subject" in fields:
        body["subject"] = fields["Subject"] or ""
    if "Description" in fields:
        body["body"] = {"contentType": "text", "content": fields["Description"] or ""}
    if "Location" in fields:
        body["location"] = {"displayName": fields["Location"] or ""}
    if "ShowAs" in fields and fields["ShowAs"] is not None:
        body["showAs"] = SHOW_AS_OUT.get(str(fields["ShowAs"]), "busy")
    if "IsPrivate" in fields:
        body["sensitivity"] = "private" if fields["IsPrivate"] else "normal"
    if any(k in fields for k in EVENT_GROUP):
        merged = dict(event_to_record(current)) if current else {}
        merged.update({k: fields[k] for k in EVENT_GROUP if k in fields})
        if merged.get("IsAllDayEvent"):
            activity, timed, minutes = (
                merged.get("ActivityDate"),
                merged.get("StartDateTime"),
                merged.get("DurationInMinutes"),
            )
            if isinstance(activity, dt.date):
                day = activity
            else:
                day = (timed if isinstance(timed, dt.datetime) else dt.datetime.now(UTC)).date()
            days = max(1, (minutes if isinstance(minutes, int) and minutes else 1440) // 1440)
            start = dt.datetime.combine(day, dt.time())
            body["isAllDay"] = True
            body["start"] = {"dateTime": fmt_wall(start), "timeZone": time_zone}
            body["end"] = {"dateTime": fmt_wall(start + dt.timedelta(days=days)), "timeZone": time_zone}
        else:
            start_at, end_at = merged.get("StartDateTime"), merged.get("EndDateTime")
            body["isAllDay"] = False
            if isinstance(start_at, dt.datetime):
                body["start"] = {"dateTime": fmt_wall(start_at.astimezone(UTC)), "timeZone": "UTC"}
            if isinstance(end_at, dt.datetime):
                body["end"] = {"dateTime": fmt_wall(end_at.astimezone(UTC)), "timeZone": "UTC"}
    return body


# -- tasks ------------------------------------------------------------------------------


def due_date(value: object, time_zone: str = "UTC") -> dt.date | None:
    """The calendar day of a To Do ``dueDateTime`` (stored as midnight in some zone)."""
    if not isinstance(value, dict) or not value.get("dateTime"):
        return None
    wall = parse_wall(value["dateTime"])
    if wall.time() == dt.time():
        return wall.date()
    instant = wall.replace(tzinfo=zone(value.get("timeZone")))
    local = instant.astimezone(zone(time_zone))
    # a midnight in another zone: round to the nearest day boundary
    return (local + dt.timedelta(hours=12)).date() if local.hour >= 12 else local.date()


def task_to_record(item: Mapping[str, Any], time_zone: str = "UTC") -> Record:
    raw: dict[str, Any] = {
        "Subject": _text(item.get("title")),
        "Description": _body_text(item.get("body")),
        "Status": STATUS_IN.get(str(item.get("status") or "").lower(), "Not Started"),
        "Priority": PRIORITY_IN.get(str(item.get("importance") or "").lower()),
        "ActivityDate": due_date(item.get("dueDateTime"), time_zone),
        "IsReminderSet": bool(item.get("isReminderOn")),
        "ReminderDateTime": dtz_instant(item.get("reminderDateTime")),
    }
    return clean_record("tasks", raw)


def task_body(fields: Mapping[str, Value], current: Mapping[str, Any] | None = None) -> dict:
    body: dict[str, Any] = {}
    if "Subject" in fields:
        body["title"] = fields["Subject"] or ""
    if "Description" in fields:
        body["body"] = {"contentType": "text", "content": fields["Description"] or ""}
    if "Status" in fields and fields["Status"] is not None:
        body["status"] = STATUS_OUT.get(str(fields["Status"]), "notStarted")
    if "Priority" in fields:
        body["importance"] = PRIORITY_OUT.get(str(fields["Priority"] or "Normal"), "normal")
    if "ActivityDate" in fields:
        day = fields["ActivityDate"]
        body["dueDateTime"] = (
            {"dateTime": fmt_wall(dt.datetime.combine(day, dt.time())), "timeZone": "UTC"}
            if isinstance(day, dt.date)
            else None
        )
    if "IsReminderSet" in fields:
        body["isReminderOn"] = bool(fields["IsReminderSet"])
    if "ReminderDateTime" in fields:
        when = fields["ReminderDateTime"]
        body["reminderDateTime"] = (
            {"dateTime": fmt_wall(when.astimezone(UTC)), "timeZone": "UTC"}
            if isinstance(when, dt.datetime)
            else None
        )
    return body


def to_record(kind: Kind, item: Mapping[str, Any], time_zone: str = "UTC") -> Record:
    if kind == "contacts":
        return contact_to_record(item)
    if kind == "events":
        return event_to_record(item)
    return task_to_record(item, time_zone)


def to_body(
    kind: Kind, fields: Mapping[str, Value], current: Mapping[str, Any] | None, time_zone: str = "UTC"
) -> dict:
    if kind == "contacts":
        return contact_body(fields, current)
    if kind == "events":
        return event_body(fields, current, time_zone)
    return task_body(fields, current)
