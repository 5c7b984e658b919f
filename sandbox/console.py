"""The sandbox console: a web page for people at ``GET /_sandbox/``.

It shows both pretend worlds side by side — Outlook (the signed-in user's mailbox) and
Salesforce (the demo org) — with their contacts, events and tasks, and lets a person add,
edit and delete records, play the colleague who edits Salesforce, approve pending device
sign-ins, and start over with a fresh world. Plain server-rendered HTML with a little inline
CSS: no scripts, no external assets, every value escaped.

=====================================================  ========================================
``GET  /_sandbox/?kind=contacts|events|tasks|signins``  the page (``q`` filters, ``op``/``sp``
                                                        page the Outlook/Salesforce lists)
``GET  /_sandbox/console/{side}/{kind}/{id}``           edit form of one record
``POST /_sandbox/console/{side}/{kind}``                add a record
``POST /_sandbox/console/{side}/{kind}/{id}``           save an edited record
``POST /_sandbox/console/{side}/{kind}/{id}/delete``    delete a record
``POST /_sandbox/console/device/approve``               approve (or ``/decline``) a device code
``POST /_sandbox/console/reset``                        start over with the demo or empty world
=====================================================  ========================================

``side`` is ``outlook`` or ``salesforce``; ``kind`` is ``contacts``, ``events`` or ``tasks``.
Every change goes through the state primitives, so change keys, etags, SystemModstamp, delta
tombstones and the recycle bin behave as if the user had edited Outlook or Salesforce
directly. Salesforce changes are made as the user picked in "Act as" (the colleague Sam by
default, since the console mostly plays a colleague). Successful posts answer 303 back to the
page; a form with a mistake is shown again with the message (400).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import seed as seeding
from sandbox.clock import graph_instant, parse_instant, sf_datetime
from sandbox.salesforce import schema as sf_schema
from sandbox.seed_demo import ALL_DAY_ZONE, day_dtz, dtz, outlook_contact, outlook_event, outlook_task
from sandbox.state import SandboxState, public

KINDS = ("contacts", "events", "tasks")
SIDES = ("outlook", "salesforce")
COLLECTION = {"contacts": "contacts", "events": "events", "tasks": "todoTasks"}
SOBJECT = {"contacts": "Contact", "events": "Event", "tasks": "Task"}
PAGE_SIZE = 100
WINDOWS_ZONES = {
    "W. Europe Standard Time": "Europe/Berlin",
    "UTC": "UTC",
    "Eastern Standard Time": "America/New_York",
    "GMT Standard Time": "Europe/London",
    "Pacific Standard Time": "America/Los_Angeles",
}
TODO_STATUSES = ("notStarted", "inProgress", "completed", "waitingOnOthers", "deferred")
TODO_STATUS_LABELS = {
    "notStarted": "Not started",
    "inProgress": "In progress",
    "completed": "Completed",
    "waitingOnOthers": "Waiting on others",
    "deferred": "Deferred",
}
IMPORTANCES = ("low", "normal", "high")
SHOW_AS = ("free", "tentative", "busy", "oof", "workingElsewhere")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class FormProblem(ValueError):
    """A mistake in a submitted form, in words for the person who made it."""


def e(value: Any) -> str:
    """Escape for HTML text and attribute values; None shows as nothing."""
    return "" if value is None else html.escape(str(value), quote=True)


# ----------------------------------------------------------------------- time helpers
def _zone(name: str | None) -> ZoneInfo:
    name = WINDOWS_ZONES.get(name or "UTC", name or "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def graph_moment(value: dict | None) -> datetime | None:
    """An aware datetime from a Graph ``dateTimeTimeZone``."""
    if not value or not value.get("dateTime"):
        return None
    naive = parse_instant(value["dateTime"]).replace(tzinfo=None)
    return naive.replace(tzinfo=_zone(value.get("timeZone"))).astimezone(UTC)


def graph_day(value: dict | None) -> date | None:
    """The calendar day of a Graph ``dateTimeTimeZone`` as written (all-day events, due dates)."""
    if not value or not value.get("dateTime"):
        return None
    return date.fromisoformat(value["dateTime"][:10])


def sf_moment(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None


# ------------------------------------------------------------------------ form fields
@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"  # text textarea select date datetime checkbox email
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False
    hint: str = ""
    wide: bool = False


def _text(form: dict, name: str) -> str | None:
    value = (form.get(name) or "").replace("\r\n", "\n").strip()
    return value or None


def _date(form: dict, name: str, label: str) -> date | None:
    value = _text(form, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise FormProblem(f"{label}: “{value}” is not a date (use YYYY-MM-DD).") from None


def _local_moment(form: dict, name: str, label: str, zone: ZoneInfo) -> datetime | None:
    value = _text(form, name)
    if value is None:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise FormProblem(f"{label}: “{value}” is not a date and time (use YYYY-MM-DD HH:MM).") from None
    if naive.tzinfo is None:
        naive = naive.replace(tzinfo=zone)
    return naive.astimezone(UTC)


def _check(form: dict, name: str) -> bool:
    return (form.get(name) or "") in ("on", "true", "1", "yes")


class Console:
    """Renders the pages and applies the forms over one ``SandboxState``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    # ------------------------------------------------------------------ facts
    @property
    def zone(self) -> ZoneInfo:
        me = self.state.sf_user(self.state.sf.get("me", "")) or {}
        return _zone(me.get("TimeZoneSidKey") or "Europe/Berlin")

    def local(self, moment: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
        return moment.astimezone(self.zone).strftime(fmt) if moment else ""

    def mailbox_name(self) -> str:
        return self.state.graph.get("user", {}).get("displayName") or "the user"

    def users(self) -> list[dict]:
        return sorted(
            self.state.sf["records"]["User"].values(),
            key=lambda u: (u["Id"] != self.state.sf["me"], u.get("Name") or ""),
        )

    def user_name(self, user_id: str | None) -> str:
        user = self.state.sf_user(user_id or "") if user_id else None
        return user.get("Name") or user.get("Username") or user_id if user else (user_id or "")

    def colleague_id(self) -> str:
        for user in self.state.sf["records"]["User"].values():
            if user.get("Alias") == "sokafor":
                return user["Id"]
        return self.state.sf["me"]

    def user_options(self, *, detailed: bool = False) -> tuple[tuple[str, str], ...]:
        """Salesforce users for a select; ``detailed`` adds who each one is."""
        me = self.state.sf["me"]

        def label(u: dict) -> str:
            if not detailed:
                return u.get("Name") or u["Id"]
            role = "the signed-in user" if u["Id"] == me else (u.get("ProfileName") or "user")
            return f"{u.get('Name')} ({role})"

        return tuple((u["Id"], label(u)) for u in self.users())

    def account_options(self) -> tuple[tuple[str, str], ...]:
        accounts = sorted(self.state.sf["records"]["Account"].values(), key=lambda a: a["Name"])
        return (("", "— none (a private contact) —"),) + tuple((a["Id"], a["Name"]) for a in accounts)

    def folders(self) -> list[dict]:
        return sorted(
            self.state.graph["contactFolders"].values(),
            key=lambda f: (not f.get("_root"), f.get("displayName") or ""),
        )

    def todo_lists(self) -> list[dict]:
        return sorted(
            self.state.graph["todoLists"].values(),
            key=lambda t: (t.get("wellknownListName") != "defaultList", t.get("displayName") or ""),
        )

    def container_name(self, kind: str, container: str | None) -> str:
        table = {
            "contacts": self.state.graph["contactFolders"],
            "events": self.state.graph["calendars"],
            "tasks": self.state.graph["todoLists"],
        }[kind]
        item = table.get(container or "")
        return (item.get("displayName") or item.get("name") or "") if item else ""

    # ------------------------------------------------------------ form specs
    def fields(self, side: str, kind: str, adding: bool) -> list[Field]:
        if side == "outlook" and kind == "contacts":
            out = [
                Field("title", "Title (Mr., Dr., …)"),
                Field("given", "First name"),
                Field("middle", "Middle name"),
                Field("surname", "Last name"),
                Field("generation", "Suffix (Jr., III, …)"),
                Field("email", "Email", "email"),
                Field("business_phone", "Business phone"),
                Field("mobile", "Mobile phone"),
                Field("home_phone", "Home phone"),
                Field("job_title", "Job title"),
                Field("department", "Department"),
                Field("company", "Company"),
                Field("assistant", "Assistant"),
                Field("street", "Street", "textarea"),
                Field("city", "City"),
                Field("region", "State or region"),
                Field("postal_code", "Postal code"),
                Field("country", "Country or region"),
                Field("birthday", "Birthday", "date"),
                Field("notes", "Notes", "textarea", wide=True),
            ]
            if adding:
                out.append(
                    Field(
                        "folder",
                        "Folder",
                        "select",
                        tuple((f["id"], f.get("displayName") or "") for f in self.folders()),
                    )
                )
            return out
        if side == "salesforce" and kind == "contacts":
            return [
                Field(
                    "Salutation",
                    "Salutation",
                    "select",
                    (("", "—"),) + tuple((s, s) for s in sf_schema.SALUTATIONS),
                ),
                Field("FirstName", "First name"),
                Field("MiddleName", "Middle name"),
                Field("LastName", "Last name", required=True),
                Field("Suffix", "Suffix"),
                Field("Email", "Email", "email"),
                Field("Phone", "Phone"),
                Field("MobilePhone", "Mobile"),
                Field("HomePhone", "Home phone"),
                Field("Title", "Title"),
                Field("Department", "Department"),
                Field(
                    "AccountId",
                    "Account",
                    "select",
                    self.account_options(),
                    hint="No account makes a private contact: only its owner sees it.",
                ),
                Field("AssistantName", "Assistant"),
                Field("MailingStreet", "Mailing street", "textarea"),
                Field("MailingCity", "Mailing city"),
                Field("MailingState", "Mailing state"),
                Field("MailingPostalCode", "Mailing postal code"),
                Field("MailingCountry", "Mailing country"),
                Field("Birthdate", "Birthdate", "date"),
                Field("Description", "Description", "textarea", wide=True),
                Field("OwnerId", "Owner", "select", self.user_options()),
            ]
        zone_note = f"in {self.zone.key} time"
        if side == "outlook" and kind == "events":
            return [
                Field("subject", "Subject", wide=True),
                Field("start", "Start", "datetime", hint=zone_note),
                Field(
                    "end",
                    "End",
                    "datetime",
                    hint="For all-day events only the dates count; the end is the last day.",
                ),
                Field("all_day", "All-day event", "checkbox"),
                Field("private", "Private", "checkbox"),
                Field("show_as", "Show as", "select", tuple((s, s) for s in SHOW_AS)),
                Field("location", "Location", wide=True),
                Field("body", "Description", "textarea", wide=True),
            ]
        if side == "salesforce" and kind == "events":
            return [
                Field("Subject", "Subject", wide=True),
                Field("StartDateTime", "Start", "datetime", hint=zone_note),
                Field(
                    "EndDateTime",
                    "End",
                    "datetime",
                    hint="For all-day events only the dates count; the end is the last day.",
                ),
                Field("IsAllDayEvent", "All-day event", "checkbox"),
                Field("IsPrivate", "Private", "checkbox"),
                Field("ShowAs", "Show time as", "select", tuple((s, s) for s in sf_schema.SHOW_AS)),
                Field("Location", "Location", wide=True),
                Field("Description", "Description", "textarea", wide=True),
                Field("OwnerId", "Assigned to", "select", self.user_options()),
            ]
        if side == "outlook" and kind == "tasks":
            out = [
                Field("title", "Title", wide=True),
                Field("status", "Status", "select", tuple((s, TODO_STATUS_LABELS[s]) for s in TODO_STATUSES)),
                Field("importance", "Importance", "select", tuple((s, s) for s in IMPORTANCES)),
                Field("due", "Due date", "date"),
                Field("reminder", "Reminder", "datetime", hint=zone_note),
                Field("body", "Note", "textarea", wide=True),
            ]
            if adding:
                out.append(
                    Field(
                        "list",
                        "List",
                        "select",
                        tuple((t["id"], t.get("displayName") or "") for t in self.todo_lists()),
                    )
                )
            return out
        return [  # salesforce tasks
            Field("Subject", "Subject", wide=True),
            Field("Status", "Status", "select", tuple((s, s) for s in sf_schema.TASK_STATUSES)),
            Field("Priority", "Priority", "select", tuple((s, s) for s in sf_schema.TASK_PRIORITIES)),
            Field("ActivityDate", "Due date", "date"),
            Field("ReminderDateTime", "Reminder", "datetime", hint=zone_note),
            Field("Description", "Comments", "textarea", wide=True),
            Field("OwnerId", "Assigned to", "select", self.user_options()),
        ]

    # ---------------------------------------------------- record -> form values
    def values(self, side: str, kind: str, item: dict | None) -> dict[str, Any]:
        """The form values that show ``item`` (or a new record's defaults)."""
        s = self.state
        if item is None:
            defaults: dict[str, dict[str, Any]] = {
                "outlook/contacts": {"folder": self.folders()[0]["id"] if self.folders() else ""},
                "salesforce/contacts": {"OwnerId": s.sf["me"]},
                "outlook/events": {"show_as": "busy", **self._default_slot()},
                "salesforce/events": {
                    "ShowAs": "Busy",
                    "OwnerId": s.sf["me"],
                    "StartDateTime": self._default_slot()["start"],
                    "EndDateTime": self._default_slot()["end"],
                },
                "outlook/tasks": {
                    "status": "notStarted",
                    "importance": "normal",
                    "list": self.todo_lists()[0]["id"] if self.todo_lists() else "",
                },
                "salesforce/tasks": {"Status": "Not Started", "Priority": "Normal", "OwnerId": s.sf["me"]},
            }
            return defaults[f"{side}/{kind}"]
        if side == "outlook" and kind == "contacts":
            addr = item.get("businessAddress") or {}
            emails = item.get("emailAddresses") or []
            return {
                "title": item.get("title"),
                "given": item.get("givenName"),
                "middle": item.get("middleName"),
                "surname": item.get("surname"),
                "generation": item.get("generation"),
                "email": emails[0].get("address") if emails else None,
                "business_phone": (item.get("businessPhones") or [None])[0],
                "home_phone": (item.get("homePhones") or [None])[0],
                "mobile": item.get("mobilePhone"),
                "job_title": item.get("jobTitle"),
                "department": item.get("department"),
                "company": item.get("companyName"),
                "assistant": item.get("assistantName"),
                "street": addr.get("street"),
                "city": addr.get("city"),
                "region": addr.get("state"),
                "postal_code": addr.get("postalCode"),
                "country": addr.get("countryOrRegion"),
                "birthday": (item.get("birthday") or "")[:10] or None,
                "notes": item.get("personalNotes"),
                "folder": item.get("_container"),
            }
        if side == "outlook" and kind == "events":
            all_day = bool(item.get("isAllDay"))
            if all_day:
                first, after = graph_day(item.get("start")), graph_day(item.get("end"))
                start = f"{first.isoformat()}T00:00" if first else ""
                last = (after - timedelta(days=1)) if after else None
                end = f"{last.isoformat()}T00:00" if last else ""
            else:
                start = self.local(graph_moment(item.get("start")), "%Y-%m-%dT%H:%M")
                end = self.local(graph_moment(item.get("end")), "%Y-%m-%dT%H:%M")
            return {
                "subject": item.get("subject"),
                "start": start,
                "end": end,
                "all_day": all_day,
                "private": item.get("sensitivity") == "private",
                "show_as": item.get("showAs") or "busy",
                "location": (item.get("location") or {}).get("displayName"),
                "body": (item.get("body") or {}).get("content"),
            }
        if side == "outlook" and kind == "tasks":
            due = graph_day(item.get("dueDateTime"))
            return {
                "title": item.get("title"),
                "status": item.get("status"),
                "importance": item.get("importance"),
                "due": due.isoformat() if due else None,
                "reminder": self.local(graph_moment(item.get("reminderDateTime")), "%Y-%m-%dT%H:%M")
                if item.get("isReminderOn")
                else None,
                "body": (item.get("body") or {}).get("content"),
                "list": item.get("_container"),
            }
        values = dict(item)
        if kind == "events":
            if item.get("IsAllDayEvent") and item.get("ActivityDate"):
                first = date.fromisoformat(item["ActivityDate"])
                days = max(1, int(item.get("DurationInMinutes") or 1440) // 1440)
                values["StartDateTime"] = f"{first.isoformat()}T00:00"
                values["EndDateTime"] = f"{(first + timedelta(days=days - 1)).isoformat()}T00:00"
            else:
                values["StartDateTime"] = self.local(sf_moment(item.get("StartDateTime")), "%Y-%m-%dT%H:%M")
                values["EndDateTime"] = self.local(sf_moment(item.get("EndDateTime")), "%Y-%m-%dT%H:%M")
        if kind == "tasks":
            values["ReminderDateTime"] = (
                self.local(sf_moment(item.get("ReminderDateTime")), "%Y-%m-%dT%H:%M")
                if item.get("IsReminderSet")
                else None
            )
        return values

    def _default_slot(self) -> dict[str, str]:
        start = (self.state.now().astimezone(self.zone) + timedelta(days=1)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        return {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        }

    # ------------------------------------------------------- form -> changes
    def apply_outlook(self, kind: str, form: dict, item: dict | None) -> tuple[str, bool]:
        """Create or update an Outlook item from ``form``. Returns (id, changed)."""
        s = self.state
        collection = COLLECTION[kind]
        if kind == "contacts":
            new = outlook_contact(
                given=_text(form, "given"),
                surname=_text(form, "surname"),
                middle=_text(form, "middle"),
                title=_text(form, "title"),
                generation=_text(form, "generation"),
                emails=[_text(form, "email")] if _text(form, "email") else [],
                business_phones=[p for p in [_text(form, "business_phone")] if p],
                home_phones=[p for p in [_text(form, "home_phone")] if p],
                mobile=_text(form, "mobile"),
                company=_text(form, "company"),
                department=_text(form, "department"),
                job_title=_text(form, "job_title"),
                assistant=_text(form, "assistant"),
                street=_text(form, "street"),
                city=_text(form, "city"),
                region=_text(form, "region"),
                postal_code=_text(form, "postal_code"),
                country=_text(form, "country"),
                birthday=(b.isoformat() if (b := _date(form, "birthday", "Birthday")) else None),
                notes=_text(form, "notes"),
            )
            if (
                not any(new.get(k) for k in ("givenName", "surname", "companyName"))
                and not new["emailAddresses"]
            ):
                raise FormProblem("Give the contact at least a name, a company or an email.")
            if item is None:
                folder = _text(form, "folder") or self.folders()[0]["id"]
                if folder not in s.graph["contactFolders"]:
                    raise FormProblem("That contact folder does not exist any more.")
                new["parentFolderId"] = folder
                return s.graph_create("contacts", new, container=folder)["id"], True
            # Only the first email and phones are edited here; the others stay as they were.
            for key in ("emailAddresses", "businessPhones", "homePhones"):
                rest = (item.get(key) or [])[1:]
                new[key] = (new[key][:1] + rest) if new[key] else rest
            keys = [
                "givenName",
                "middleName",
                "surname",
                "title",
                "generation",
                "emailAddresses",
                "businessPhones",
                "homePhones",
                "mobilePhone",
                "jobTitle",
                "department",
                "companyName",
                "assistantName",
                "businessAddress",
                "birthday",
                "personalNotes",
            ]
            if any(new[k] != item.get(k) for k in ("givenName", "middleName", "surname")):
                keys += ["displayName", "fileAs", "initials"]
            changes = {k: new[k] for k in keys if _norm(new[k]) != _norm(item.get(k))}
        elif kind == "events":
            changes = self._event_changes(form, item)
            if item is None:
                calendar = next(
                    (c["id"] for c in s.graph["calendars"].values() if c.get("isDefaultCalendar")), None
                )
                new = outlook_event(
                    subject=changes["subject"],
                    start=changes["start"],
                    end=changes["end"],
                    all_day=changes["isAllDay"],
                    body=changes["body"]["content"],
                    location=changes["location"].get("displayName") or "",
                    sensitivity=changes["sensitivity"],
                    show_as=changes["showAs"],
                )
                return s.graph_create("events", new, container=calendar)["id"], True
        else:
            changes = self._task_changes(form, item)
            if item is None:
                lst = _text(form, "list") or self.todo_lists()[0]["id"]
                if lst not in s.graph["todoLists"]:
                    raise FormProblem("That To Do list does not exist any more.")
                return s.graph_create("todoTasks", changes, container=lst)["id"], True
        if not changes:
            return item["id"], False
        s.graph_update(collection, item["id"], changes)
        return item["id"], True

    def _event_changes(self, form: dict, item: dict | None) -> dict:
        subject = _text(form, "subject")
        if not subject:
            raise FormProblem("Give the event a subject.")
        all_day = _check(form, "all_day")
        start = _local_moment(form, "start", "Start", self.zone)
        end = _local_moment(form, "end", "End", self.zone)
        if start is None or end is None:
            raise FormProblem("An event needs a start and an end.")
        if all_day:
            first = _text(form, "start")[:10]  # type: ignore[index]
            last = _text(form, "end")[:10]  # type: ignore[index]
            first_day, last_day = date.fromisoformat(first), date.fromisoformat(last)
            if last_day < first_day:
                raise FormProblem("The last day is before the first day.")
            zone = (
                (item or {}).get("start", {}).get("timeZone")
                if item and item.get("isAllDay")
                else ALL_DAY_ZONE
            )
            start_tz, end_tz = day_dtz(first_day, zone), day_dtz(last_day + timedelta(days=1), zone)
        else:
            if end < start:
                raise FormProblem("The end is before the start.")
            start_tz, end_tz = dtz(start), dtz(end)
        location = _text(form, "location") or ""
        body = _text(form, "body") or ""
        show_as = _text(form, "show_as") or "busy"
        if show_as not in SHOW_AS:
            raise FormProblem(f"Show as must be one of {', '.join(SHOW_AS)}.")
        new = {
            "subject": subject,
            "start": start_tz,
            "end": end_tz,
            "isAllDay": all_day,
            "sensitivity": "private"
            if _check(form, "private")
            else (
                "normal"
                if not item or item.get("sensitivity") == "private"
                else item.get("sensitivity", "normal")
            ),
            "showAs": show_as,
            "body": {"contentType": "text", "content": body},
            "location": {
                "displayName": location,
                "locationType": "default",
                "uniqueIdType": "private" if location else "unknown",
                **({"uniqueId": location} if location else {}),
            },
        }
        if item is None:
            return new
        changes: dict[str, Any] = {}
        for key, value in new.items():
            old = item.get(key)
            if key == "body":
                if value["content"] != (old or {}).get("content"):
                    changes["body"] = value
                    changes["bodyPreview"] = body[:255]
            elif key == "location":
                if location != (old or {}).get("displayName"):
                    changes["location"] = value
                    changes["locations"] = [value] if location else []
            elif key in ("start", "end"):
                if graph_moment(value) != graph_moment(old) or bool(all_day) != bool(item.get("isAllDay")):
                    changes[key] = value
            elif value != old:
                changes[key] = value
        recurrence = item.get("recurrence")
        if recurrence and "start" in changes:
            # A series master's first occurrence moved: the series starts on that day.
            recurrence = json.loads(json.dumps(recurrence))
            first_local = (
                graph_day(changes["start"])
                if all_day
                else graph_moment(changes["start"]).astimezone(self.zone).date()
            )  # type: ignore[union-attr]
            recurrence["range"]["startDate"] = first_local.isoformat()
            pattern = recurrence.get("pattern") or {}
            if pattern.get("type") == "weekly" and len(pattern.get("daysOfWeek") or []) == 1:
                pattern["daysOfWeek"] = [WEEKDAYS[first_local.weekday()]]
            changes["recurrence"] = recurrence
        return changes

    def _task_changes(self, form: dict, item: dict | None) -> dict:
        title = _text(form, "title")
        if not title:
            raise FormProblem("Give the task a title.")
        status = _text(form, "status") or "notStarted"
        importance = _text(form, "importance") or "normal"
        if status not in TODO_STATUSES:
            raise FormProblem("Unknown status.")
        if importance not in IMPORTANCES:
            raise FormProblem("Unknown importance.")
        due = _date(form, "due", "Due date")
        reminder = _local_moment(form, "reminder", "Reminder", self.zone)
        body = _text(form, "body") or ""
        now = self.state.now()
        if item is None:
            return outlook_task(
                title=title,
                status=status,
                importance=importance,
                due=due,
                body=body,
                reminder=reminder,
                modified=now,
                completed=now if status == "completed" else None,
            )
        changes: dict[str, Any] = {}
        if title != item.get("title"):
            changes["title"] = title
        if importance != item.get("importance"):
            changes["importance"] = importance
        if status != item.get("status"):
            changes["status"] = status
            changes["completedDateTime"] = dtz(now) if status == "completed" else None
        if due != graph_day(item.get("dueDateTime")):
            changes["dueDateTime"] = day_dtz(due) if due else None
        old_reminder = graph_moment(item.get("reminderDateTime")) if item.get("isReminderOn") else None
        if reminder != old_reminder:
            changes["isReminderOn"] = reminder is not None
            changes["reminderDateTime"] = dtz(reminder) if reminder else None
        if body != ((item.get("body") or {}).get("content") or ""):
            changes["body"] = {"content": body, "contentType": "text"}
            changes["bodyLastModifiedDateTime"] = graph_instant(now)
        return changes

    def apply_salesforce(self, kind: str, form: dict, rec: dict | None) -> tuple[str, bool]:
        """Create or update a Salesforce row from ``form`` as the acting user."""
        s = self.state
        sobject = SOBJECT[kind]
        acting = _text(form, "_acting") or self.colleague_id()
        if acting not in s.sf["records"]["User"]:
            raise FormProblem("Pick who makes the change in Salesforce.")
        fields: dict[str, Any] = {}
        for f in self.fields("salesforce", kind, rec is None):
            if f.type in ("checkbox",):
                fields[f.name] = _check(form, f.name)
            elif f.type == "date":
                d = _date(form, f.name, f.label)
                fields[f.name] = d.isoformat() if d else None
            elif f.type != "datetime":
                fields[f.name] = _text(form, f.name)
        if not fields.get("OwnerId") or fields["OwnerId"] not in s.sf["records"]["User"]:
            raise FormProblem("Pick the owner of the record.")
        if kind == "contacts":
            if not fields.get("LastName"):
                raise FormProblem("Required fields are missing: [LastName]. Salesforce needs a last name.")
            if fields.get("AccountId") and fields["AccountId"] not in s.sf["records"]["Account"]:
                raise FormProblem("That account does not exist any more.")
            email = fields.get("Email")
            if email and ("@" not in email or "." not in email.rsplit("@", 1)[-1]):
                raise FormProblem(f"Email: “{email}” is not a valid email address.")
        elif kind == "events":
            self._sf_event_times(form, fields)
        else:
            reminder = _local_moment(form, "ReminderDateTime", "Reminder", self.zone)
            fields["IsReminderSet"] = reminder is not None
            fields["ReminderDateTime"] = sf_datetime(reminder) if reminder else None
        for name, value in fields.items():
            spec = sf_schema.FIELDS[sobject].get(name)
            if spec is None or value is None:
                continue
            if (
                isinstance(value, str)
                and spec.length
                and spec.type not in ("reference", "id")
                and len(value) > spec.length
            ):
                raise FormProblem(
                    f"{name} is too long: {len(value)} characters; Salesforce allows {spec.length}."
                )
            if spec.picklist and value not in spec.picklist:
                raise FormProblem(f"{name}: “{value}” is not one of {', '.join(spec.picklist)}.")
        if rec is None:
            return s.sf_create(sobject, fields, user_id=acting)["Id"], True
        changes = {k: v for k, v in fields.items() if rec.get(k) != v}
        if not changes:
            return rec["Id"], False
        s.sf_update(sobject, rec["Id"], changes, user_id=acting)
        return rec["Id"], True

    def _sf_event_times(self, form: dict, fields: dict) -> None:
        if not fields.get("Subject"):
            raise FormProblem("Give the event a subject.")
        start = _local_moment(form, "StartDateTime", "Start", self.zone)
        end = _local_moment(form, "EndDateTime", "End", self.zone)
        if start is None or end is None:
            raise FormProblem("An event needs a start and an end.")
        if fields.get("IsAllDayEvent"):
            first = date.fromisoformat(_text(form, "StartDateTime")[:10])  # type: ignore[index]
            last = date.fromisoformat(_text(form, "EndDateTime")[:10])  # type: ignore[index]
            days = (last - first).days + 1
            if days < 1:
                raise FormProblem("The last day is before the first day.")
            if days > 14:
                raise FormProblem("Salesforce events can't last more than 14 days.")
            # Salesforce derives StartDateTime and EndDateTime from these two.
            fields.update(ActivityDate=first.isoformat(), DurationInMinutes=1440 * days)
        else:
            if end < start:
                raise FormProblem("The end is before the start.")
            if end - start > timedelta(days=14):
                raise FormProblem("Salesforce events can't last more than 14 days.")
            fields.update(
                StartDateTime=sf_datetime(start),
                EndDateTime=sf_datetime(end),
                DurationInMinutes=int((end - start).total_seconds() // 60),
                ActivityDate=start.date().isoformat(),
            )

    # ------------------------------------------------------------- rendering
    def page(self, title: str, body: str, *, refresh: str | None = None) -> str:
        meta = f'<meta http-equiv="refresh" content="{e(refresh)}">' if refresh else ""
        now = self.local(self.state.now(), "%a %d %b %Y, %H:%M")
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">{meta}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · Tandem sandbox</title>
<style>{CSS}</style></head>
<body>
<header class="banner">
  <div class="banner-title"><strong>Tandem sandbox</strong> — a pretend Outlook and Salesforce on this computer</div>
  <div class="banner-text">Nothing here talks to Microsoft or Salesforce. What you change on this page
  is what Tandem sees on its next sync, as if someone had edited Outlook or Salesforce directly.
  <span class="clock">Sandbox time: {e(now)} ({e(self.zone.key)})</span></div>
</header>
<main>{body}</main>
</body></html>"""

    def flash(self, msg: str | None, error: str | None) -> str:
        out = ""
        if msg:
            out += f'<div class="flash ok" role="status">{e(msg)}</div>'
        if error:
            out += f'<div class="flash err" role="alert">{e(error)}</div>'
        return out

    def pending_codes(self) -> list[dict]:
        now = self.state.now().timestamp()
        return sorted(
            (
                d
                for d in self.state.tokens.device_codes.values()
                if not d.get("approved_user") and not d.get("declined") and d.get("expires", 0) > now
            ),
            key=lambda d: d.get("expires", 0),
        )

    def device_panel(self, *, full: bool) -> str:
        pending = self.pending_codes()
        if not pending and not full:
            return ""
        rows = []
        now = self.state.now().timestamp()
        for d in pending:
            service = d.get("service")
            label = "Microsoft (Outlook)" if service == "microsoft" else "Salesforce"
            who = ""
            if service == "salesforce":
                who = self.select("user", self.user_options(), self.state.sf["me"], "Sign in as")
            minutes = max(0, int(d.get("expires", now) - now)) // 60
            rows.append(f"""<li class="device"><span class="code">{e(d.get("user_code"))}</span>
  <span>{e(label)} sign-in requested by app <code>{e(d.get("client_id"))}</code>,
  expires in {minutes} min</span>
  <form method="post" action="/_sandbox/console/device/approve" class="inline">
    <input type="hidden" name="user_code" value="{e(d.get("user_code"))}">{who}
    <button class="primary">Approve</button></form>
  <form method="post" action="/_sandbox/console/device/decline" class="inline">
    <input type="hidden" name="user_code" value="{e(d.get("user_code"))}">
    <button>Decline</button></form></li>""")
        if not rows:
            return (
                '<section class="panel"><h2>Pending sign-ins</h2><p class="muted">No app is '
                "waiting for a sign-in. When Tandem shows a code, it appears here within a few "
                "seconds (this tab reloads itself).</p></section>"
            )
        return (
            f'<section class="panel attention"><h2>Pending sign-ins ({len(rows)})</h2>'
            f'<p class="muted">An app showed one of these codes and waits for someone to '
            f'approve it, as on the real sign-in page.</p><ul class="devices">{"".join(rows)}'
            "</ul></section>"
        )

    def select(
        self, name: str, options: tuple[tuple[str, str], ...], current: Any, label: str | None = None
    ) -> str:
        opts = "".join(
            f'<option value="{e(v)}"{" selected" if str(current or "") == v else ""}>{e(text)}</option>'
            for v, text in options
        )
        select = f'<select name="{e(name)}">{opts}</select>'
        return f'<label class="inline-label">{e(label)} {select}</label>' if label else select

    def form_html(
        self, side: str, kind: str, fields: list[Field], values: dict, action: str, submit: str
    ) -> str:
        parts = []
        for f in fields:
            value = values.get(f.name)
            req = " required" if f.required else ""
            star = ' <span class="req" title="required">*</span>' if f.required else ""
            if f.type == "textarea":
                control = f'<textarea name="{e(f.name)}" rows="3">{e(value)}</textarea>'
            elif f.type == "select":
                control = self.select(f.name, f.options, value)
            elif f.type == "checkbox":
                control = f'<input type="checkbox" name="{e(f.name)}"{" checked" if value else ""}>'
            else:
                kind_attr = {"date": "date", "datetime": "datetime-local", "email": "email"}.get(
                    f.type, "text"
                )
                if f.type == "date" and value:
                    value = str(value)[:10]
                control = f'<input type="{kind_attr}" name="{e(f.name)}" value="{e(value)}"{req}>'
            hint = f"<small>{e(f.hint)}</small>" if f.hint else ""
            cls = "field wide" if f.wide or f.type == "textarea" else "field"
            if f.type == "checkbox":
                parts.append(f'<label class="{cls} check">{control} {e(f.label)}{hint}</label>')
            else:
                parts.append(f'<label class="{cls}"><span>{e(f.label)}{star}</span>{control}{hint}</label>')
        acting = ""
        if side == "salesforce":
            acting = (
                '<div class="acting">'
                + self.select(
                    "_acting",
                    self.user_options(detailed=True),
                    values.get("_acting") or self.colleague_id(),
                    "Make this change in Salesforce as",
                )
                + "</div>"
            )
        return (
            f'<form method="post" action="{e(action)}" class="record-form">'
            f'<div class="grid">{"".join(parts)}</div>{acting}'
            f'<div class="actions"><button class="primary">{e(submit)}</button></div></form>'
        )

    # -- lists
    def outlook_rows(self, kind: str, q: str) -> list[dict]:
        items = list(self.state.graph[COLLECTION[kind]].values())
        if q:
            items = [i for i in items if q in _haystack(i)]
        if kind == "contacts":
            items.sort(
                key=lambda i: (
                    (i.get("surname") or i.get("displayName") or "").casefold(),
                    (i.get("givenName") or "").casefold(),
                )
            )
        elif kind == "events":
            items.sort(key=lambda i: graph_moment(i.get("start")) or datetime.min.replace(tzinfo=UTC))
        else:
            items.sort(
                key=lambda i: (
                    i.get("status") == "completed",
                    graph_day(i.get("dueDateTime")) or date.max,
                    i.get("title") or "",
                )
            )
        return items

    def salesforce_rows(self, kind: str, q: str) -> list[dict]:
        rows = list(self.state.sf["records"][SOBJECT[kind]].values())
        if q:
            accounts = self.state.sf["records"]["Account"]
            rows = [
                r
                for r in rows
                if q in _haystack(r)
                or q in (accounts.get(r.get("AccountId") or "", {}).get("Name") or "").casefold()
            ]
        if kind == "contacts":
            rows.sort(
                key=lambda r: ((r.get("LastName") or "").casefold(), (r.get("FirstName") or "").casefold())
            )
        elif kind == "events":
            rows.sort(key=lambda r: r.get("StartDateTime") or "")
        else:
            rows.sort(
                key=lambda r: (
                    bool(r.get("IsClosed")),
                    r.get("ActivityDate") or "9999",
                    r.get("Subject") or "",
                )
            )
        return rows

    def row_actions(self, side: str, kind: str, item_id: str) -> str:
        url = record_url(side, kind, item_id)
        return (
            f'<td class="act"><a class="btn" href="{e(url)}">Edit</a>'
            f'<form method="post" action="{e(url)}/delete" class="inline">'
            f'<button class="danger" title="Delete this record">Delete</button></form></td>'
        )

    def outlook_table(self, kind: str, items: list[dict]) -> str:
        if kind == "contacts":
            head = "<th>Name</th><th>Email · phone</th><th>Company · job title</th>"
            body = []
            root = next((f["id"] for f in self.folders() if f.get("_root")), None)
            for i in items:
                emails = "<br>".join(_email(a.get("address")) for a in i.get("emailAddresses") or [])
                phone = (
                    i.get("mobilePhone")
                    or (i.get("businessPhones") or [""])[0]
                    or (i.get("homePhones") or [""])[0]
                )
                folder = (
                    ""
                    if i.get("_container") == root
                    else _tag("in " + self.container_name("contacts", i.get("_container")))
                )
                company = " · ".join(p for p in (i.get("companyName"), i.get("jobTitle")) if p)
                name = i.get("displayName") or "(no name)"
                body.append(
                    f"<tr><td><strong>{e(name)}</strong> {folder}{_modified(self, i)}</td>"
                    f'<td class="contact">{emails or _none("no email")}'
                    f'<div class="phone">{e(phone)}</div></td><td>{e(company)}</td>'
                    f"{self.row_actions('outlook', kind, i['id'])}</tr>"
                )
        elif kind == "events":
            head = "<th>When</th><th>Subject</th><th>Location</th>"
            body = []
            for i in items:
                tags = []
                series = ""
                if i.get("type") == "seriesMaster":
                    series = f'<div class="series">↻ {e(self.series_note(i))}</div>'
                if i.get("isAllDay"):
                    tags.append(_tag("all day"))
                if i.get("sensitivity") == "private":
                    tags.append(_tag("private", "private"))
                ended = graph_moment(i.get("end"))
                past = i.get("type") != "seriesMaster" and ended is not None and ended < self.state.now()
                body.append(
                    f'<tr class="{"past" if past else ""}"><td class="when">{e(self.outlook_when(i))}</td>'
                    f"<td><strong>{e(i.get('subject'))}</strong> {''.join(tags)}"
                    f"{series}{_modified(self, i)}</td>"
                    f"<td>{e((i.get('location') or {}).get('displayName'))}</td>"
                    f"{self.row_actions('outlook', kind, i['id'])}</tr>"
                )
        else:
            head = "<th>Title</th><th>Status</th><th>Importance</th><th>Due</th>"
            body = []
            for i in items:
                due = graph_day(i.get("dueDateTime"))
                status = i.get("status") or ""
                body.append(
                    f'<tr class="{"done" if status == "completed" else ""}">'
                    f"<td><strong>{e(i.get('title'))}</strong>{_modified(self, i)}</td>"
                    f"<td>{_tag(TODO_STATUS_LABELS.get(status, status), 'status-' + status)}</td>"
                    f"<td>{e(i.get('importance'))}</td>"
                    f'<td class="when">{e(due.strftime(self.day_format(due)) if due else "")}</td>'
                    f"{self.row_actions('outlook', kind, i['id'])}</tr>"
                )
        return _table(head, body)

    def salesforce_table(self, kind: str, rows: list[dict]) -> str:
        accounts = self.state.sf["records"]["Account"]
        me = self.state.sf["me"]

        def owner(r: dict) -> str:
            user = self.state.sf_user(r.get("OwnerId") or "") or {}
            name = user.get("FirstName") or self.user_name(r.get("OwnerId"))
            return (
                f'<span title="{e(user.get("Name"))}">'
                + _tag(name, "mine" if r.get("OwnerId") == me else "other")
                + "</span>"
            )

        if kind == "contacts":
            head = "<th>Name</th><th>Email · phone</th><th>Account · title</th><th>Owner</th>"
            body = []
            for r in rows:
                acc = accounts.get(r.get("AccountId") or "")
                account = e(acc["Name"]) if acc else _tag("private: no account", "private")
                title = f" · {e(r['Title'])}" if r.get("Title") else ""
                body.append(
                    f"<tr><td><strong>{e(r.get('Name'))}</strong>{_modified(self, r)}</td>"
                    f'<td class="contact">{_email(r.get("Email")) or _none("no email")}'
                    f'<div class="phone">{e(r.get("MobilePhone") or r.get("Phone"))}</div></td>'
                    f"<td>{account}{title}</td><td>{owner(r)}</td>"
                    f"{self.row_actions('salesforce', kind, r['Id'])}</tr>"
                )
        elif kind == "events":
            head = "<th>When</th><th>Subject</th><th>Related to</th><th>Assigned to</th>"
            body = []
            contacts = self.state.sf["records"]["Contact"]
            for r in rows:
                tags = []
                if r.get("IsAllDayEvent"):
                    tags.append(_tag("all day"))
                if r.get("IsPrivate"):
                    tags.append(_tag("private", "private"))
                related = " · ".join(
                    x
                    for x in (
                        (contacts.get(r.get("WhoId") or "") or {}).get("Name"),
                        (accounts.get(r.get("WhatId") or "") or {}).get("Name"),
                    )
                    if x
                )
                ended = sf_moment(r.get("EndDateTime"))
                past = ended is not None and ended < self.state.now()
                body.append(
                    f'<tr class="{"past" if past else ""}"><td class="when">{e(self.salesforce_when(r))}</td>'
                    f"<td><strong>{e(r.get('Subject'))}</strong> {''.join(tags)}"
                    f"{_modified(self, r)}</td><td>{e(related)}</td><td>{owner(r)}</td>"
                    f"{self.row_actions('salesforce', kind, r['Id'])}</tr>"
                )
        else:
            head = "<th>Subject</th><th>Status</th><th>Priority</th><th>Due</th><th>Assigned to</th>"
            body = []
            for r in rows:
                due = date.fromisoformat(r["ActivityDate"]) if r.get("ActivityDate") else None
                body.append(
                    f'<tr class="{"done" if r.get("IsClosed") else ""}">'
                    f"<td><strong>{e(r.get('Subject'))}</strong>{_modified(self, r)}</td>"
                    f"<td>{_tag(r.get('Status') or '', 'closed' if r.get('IsClosed') else 'open')}</td>"
                    f"<td>{e(r.get('Priority'))}</td>"
                    f'<td class="when">{e(due.strftime(self.day_format(due)) if due else "")}</td>'
                    f"<td>{owner(r)}</td>"
                    f"{self.row_actions('salesforce', kind, r['Id'])}</tr>"
                )
        return _table(head, body)

    def outlook_when(self, item: dict) -> str:
        if item.get("isAllDay"):
            first, after = graph_day(item.get("start")), graph_day(item.get("end"))
            if not first:
                return ""
            last = (after - timedelta(days=1)) if after else first
            if last <= first:
                return first.strftime(self.day_format(first))
            return f"{first.strftime(self.day_format(first))} – {last.strftime(self.day_format(last))}"
        span = self._span(graph_moment(item.get("start")), graph_moment(item.get("end")))
        return f"from {span}" if item.get("type") == "seriesMaster" else span

    def salesforce_when(self, rec: dict) -> str:
        if rec.get("IsAllDayEvent") and rec.get("ActivityDate"):
            first = date.fromisoformat(rec["ActivityDate"])
            days = max(1, int(rec.get("DurationInMinutes") or 1440) // 1440)
            if days == 1:
                return first.strftime(self.day_format(first))
            last = first + timedelta(days=days - 1)
            return f"{first.strftime(self.day_format(first))} – {last.strftime(self.day_format(last))}"
        return self._span(sf_moment(rec.get("StartDateTime")), sf_moment(rec.get("EndDateTime")))

    def _span(self, start: datetime | None, end: datetime | None) -> str:
        if not start:
            return ""
        text = self.local(start, self.day_format(start) + ", %H:%M")
        if end:
            same_day = start.astimezone(self.zone).date() == end.astimezone(self.zone).date()
            text += "–" + self.local(end, "%H:%M" if same_day else self.day_format(end) + ", %H:%M")
        return text

    def day_format(self, moment: datetime | date) -> str:
        """``Mon 26 Oct``, with the year only when it is not this year."""
        this_year = self.state.now().astimezone(self.zone).year
        return "%a %d %b" if moment.year == this_year else "%a %d %b %Y"

    def series_note(self, item: dict) -> str:
        rec = item.get("recurrence") or {}
        pattern, rng = rec.get("pattern") or {}, rec.get("range") or {}
        kind, interval = pattern.get("type") or "", int(pattern.get("interval") or 1)
        days = ", ".join(d.capitalize() for d in pattern.get("daysOfWeek") or [])
        if kind == "weekly":
            every = "Weekly" if interval == 1 else f"Every {interval} weeks"
            text = f"{every} on {days}" if days else every
        elif kind == "daily":
            text = "Daily" if interval == 1 else f"Every {interval} days"
        else:
            text = f"Repeats ({kind})"
        if rng.get("type") == "endDate":
            text += f" until {rng.get('endDate')}"
        elif rng.get("type") == "numbered":
            text += f", {rng.get('numberOfOccurrences')} times"
        else:
            text += ", no end"
        count = self.occurrence_count(item)
        if count is not None:
            text += f" · {count} occurrences between 30 days ago and a year ahead"
        return text

    def occurrence_count(self, item: dict) -> int | None:
        """How many occurrences of a daily or weekly series fall in the default sync window."""
        rec = item.get("recurrence") or {}
        pattern, rng = rec.get("pattern") or {}, rec.get("range") or {}
        if pattern.get("type") not in ("daily", "weekly") or not rng.get("startDate"):
            return None
        today = self.state.now().astimezone(self.zone).date()
        lo, hi = today - timedelta(days=30), today + timedelta(days=365)
        start = date.fromisoformat(rng["startDate"])
        stop = date.fromisoformat(rng["endDate"]) if rng.get("type") == "endDate" else hi
        limit = int(rng.get("numberOfOccurrences") or 0) if rng.get("type") == "numbered" else None
        interval = max(1, int(pattern.get("interval") or 1))
        days = {WEEKDAYS.index(d) for d in pattern.get("daysOfWeek") or [] if d in WEEKDAYS}
        first_dow = (
            WEEKDAYS.index(pattern.get("firstDayOfWeek") or "sunday")
            if (pattern.get("firstDayOfWeek") or "sunday") in WEEKDAYS
            else 6
        )
        week0 = start - timedelta(days=(start.weekday() - first_dow) % 7)
        seen = counted = 0
        day = start
        while day <= min(stop, hi):
            if pattern["type"] == "daily":
                hit = (day - start).days % interval == 0
            else:
                hit = day.weekday() in days and ((day - week0).days // 7) % interval == 0
            if hit:
                seen += 1
                if limit is not None and seen > limit:
                    break
                if day >= lo:
                    counted += 1
            day += timedelta(days=1)
        return counted

    def main_page(self, kind: str, q: str, opage: int, spage: int, msg: str | None, error: str | None) -> str:
        s = self.state
        with s.lock:
            tabs = []
            for k in KINDS + ("signins",):
                if k == "signins":
                    n = len(self.pending_codes())
                    label = "Sign-ins" + (f' <span class="count hot">{n} waiting</span>' if n else "")
                else:
                    label = (
                        f'{k.capitalize()} <span class="count">{len(s.graph[COLLECTION[k]])}'
                        f" · {len(s.sf['records'][SOBJECT[k]])}</span>"
                    )
                current = ' aria-current="page" class="tab on"' if k == kind else ' class="tab"'
                tabs.append(f'<a href="/_sandbox/?kind={k}"{current}>{label}</a>')
            nav = f'<nav class="tabs">{"".join(tabs)}</nav>'
            if kind == "signins":
                return self.page(
                    "Sign-ins",
                    nav
                    + self.flash(msg, error)
                    + self.device_panel(full=True)
                    + self.tokens_panel()
                    + self.reset_panel(),
                    refresh="5; url=/_sandbox/?kind=signins",
                )
            search = (
                f'<form method="get" action="/_sandbox/" class="search">'
                f'<input type="hidden" name="kind" value="{e(kind)}">'
                f'<input type="search" name="q" value="{e(q)}" placeholder="Filter both sides…">'
                f"<button>Filter</button>"
                + (f' <a href="/_sandbox/?kind={e(kind)}">Clear</a>' if q else "")
                + "</form>"
            )
            needle = q.casefold().strip()
            columns = []
            for side in SIDES:
                rows = (
                    self.outlook_rows(kind, needle)
                    if side == "outlook"
                    else self.salesforce_rows(kind, needle)
                )
                page_no = opage if side == "outlook" else spage
                pages = max(1, -(-len(rows) // PAGE_SIZE))
                page_no = min(max(1, page_no), pages)
                shown = rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
                table = (
                    self.outlook_table(kind, shown)
                    if side == "outlook"
                    else self.salesforce_table(kind, shown)
                )
                pager = self.pager(kind, q, side, page_no, pages, opage, spage)
                title = (
                    f"Outlook <small>({e(self.mailbox_name())}'s mailbox)</small>"
                    if side == "outlook"
                    else "Salesforce <small>(Northwind demo org)</small>"
                )
                add_form = self.form_html(
                    side,
                    kind,
                    self.fields(side, kind, True),
                    self.values(side, kind, None),
                    f"/_sandbox/console/{side}/{kind}",
                    f"Add {singular(kind)}",
                )
                columns.append(
                    f'<section class="side {side}"><h2>{title}</h2>'
                    f'<p class="summary">{self.summary(side, kind, len(rows), bool(needle))}</p>'
                    f'<details class="add"><summary>+ Add {singular(kind)}</summary>{add_form}</details>'
                    f"{pager}{table}{pager}</section>"
                )
            body = (
                nav
                + self.flash(msg, error)
                + self.device_panel(full=False)
                + search
                + f'<div class="columns">{"".join(columns)}</div>'
            )
        return self.page(kind.capitalize(), body)

    def summary(self, side: str, kind: str, shown: int, filtered: bool) -> str:
        s = self.state
        if filtered:
            return f"{shown} matching {kind}"
        if side == "outlook":
            items = s.graph[COLLECTION[kind]].values()
            if kind == "contacts":
                per: dict[str, int] = {}
                for i in items:
                    name = self.container_name("contacts", i.get("_container"))
                    per[name] = per.get(name, 0) + 1
                return f"{shown} contacts: " + ", ".join(
                    f"{n} in {e(name)}" for name, n in sorted(per.items())
                )
            if kind == "events":
                masters = sum(1 for i in items if i.get("type") == "seriesMaster")
                return (
                    f"{shown} calendar items: {shown - masters} single events and {masters} "
                    "recurring series (each series is one row; its occurrences are computed "
                    "when an app reads the calendar)"
                )
            done = sum(1 for i in items if i.get("status") == "completed")
            return f"{shown} To Do tasks, {done} completed"
        me = s.sf["me"]
        rows = list(s.sf["records"][SOBJECT[kind]].values())
        mine = sum(1 for r in rows if r.get("OwnerId") == me)
        text = f"{shown} {kind}, {mine} owned by {e(self.user_name(me))}"
        if kind == "contacts":
            private = sum(1 for r in rows if not r.get("AccountId"))
            text += f", {private} private (no account)"
        elif kind == "tasks":
            text += f", {sum(1 for r in rows if r.get('IsClosed'))} closed"
        return text

    def pager(self, kind: str, q: str, side: str, page_no: int, pages: int, opage: int, spage: int) -> str:
        if pages <= 1:
            return ""

        def link(n: int, text: str) -> str:
            params = {
                "kind": kind,
                "op": n if side == "outlook" else opage,
                "sp": n if side == "salesforce" else spage,
            }
            if q:
                params["q"] = q
            return f'<a href="/_sandbox/?{e(urlencode(params))}">{e(text)}</a>'

        prev = link(page_no - 1, "‹ Previous") if page_no > 1 else ""
        nxt = link(page_no + 1, "Next ›") if page_no < pages else ""
        return f'<div class="pager">{prev} <span>Page {page_no} of {pages}</span> {nxt}</div>'

    def tokens_panel(self) -> str:
        tokens = self.state.tokens
        now = self.state.now().timestamp()
        rows = []
        for service, label in (("microsoft", "Microsoft (Outlook)"), ("salesforce", "Salesforce")):
            live = sum(
                1
                for a in tokens.access.values()
                if a.get("service") == service and not a.get("revoked") and a.get("expires", 0) > now
            )
            refresh = sum(
                1 for r in tokens.refresh.values() if r.get("service") == service and not r.get("revoked")
            )
            rows.append(f"<tr><td>{e(label)}</td><td>{live}</td><td>{refresh}</td></tr>")
        return (
            '<section class="panel"><h2>Signed-in apps</h2>'
            + _table(
                "<th>Service</th><th>Valid access tokens</th><th>Refresh tokens</th>", rows, actions=False
            )
            + "</section>"
        )

    def reset_panel(self) -> str:
        return (
            '<section class="panel"><h2>Start over</h2><p class="muted">Replace everything — '
            "records, sign-ins and change history — with a fresh world. Apps will have to sign in "
            'again.</p><form method="post" action="/_sandbox/console/reset" class="inline">'
            + self.select(
                "seed",
                (("demo", "the demo world"), ("empty", "an empty mailbox and org")),
                "demo",
                "Start over with",
            )
            + ' <button class="danger">Start over</button></form></section>'
        )

    def edit_page(
        self, side: str, kind: str, item: dict, values: dict | None = None, error: str | None = None
    ) -> str:
        item_id = item["id"] if side == "outlook" else item["Id"]
        name = (
            (item.get("displayName") or item.get("subject") or item.get("title"))
            if side == "outlook"
            else (item.get("Name") or item.get("Subject"))
        )
        form = self.form_html(
            side,
            kind,
            self.fields(side, kind, False),
            values if values is not None else self.values(side, kind, item),
            record_url(side, kind, item_id),
            "Save changes",
        )
        where = "Outlook" if side == "outlook" else "Salesforce"
        raw = json.dumps(public(item) if side == "outlook" else item, indent=2, ensure_ascii=False)
        version = ""
        if side == "outlook":
            version = f"Change key <code>{e(item.get('changeKey') or item.get('@odata.etag'))}</code>"
        else:
            version = (
                f"Last modified {e(self.local(sf_moment(item.get('LastModifiedDate'))))} by "
                f"{e(self.user_name(item.get('LastModifiedById')))}"
            )
        body = (
            f'<p><a href="/_sandbox/?kind={e(kind)}">← Back to {e(kind)}</a></p>'
            + self.flash(None, error)
            + f'<section class="panel {side}"><h2>Edit {e(singular(kind))} in {where}: {e(name)}</h2>'
            f'<p class="muted">{version}</p>{form}'
            f'<form method="post" action="{e(record_url(side, kind, item_id))}/delete" class="delete-form">'
            f'<button class="danger">Delete this {e(singular(kind))}</button></form>'
            f'<details class="raw"><summary>Stored record</summary><pre>{e(raw)}</pre></details>'
            "</section>"
        )
        return self.page(f"Edit {name}", body)

    def add_error_page(self, side: str, kind: str, values: dict, error: str) -> str:
        form = self.form_html(
            side,
            kind,
            self.fields(side, kind, True),
            values,
            f"/_sandbox/console/{side}/{kind}",
            f"Add {singular(kind)}",
        )
        where = "Outlook" if side == "outlook" else "Salesforce"
        body = (
            f'<p><a href="/_sandbox/?kind={e(kind)}">← Back to {e(kind)}</a></p>'
            + self.flash(None, error)
            + f'<section class="panel {side}"><h2>Add {e(singular(kind))} in {where}</h2>{form}</section>'
        )
        return self.page(f"Add {singular(kind)}", body)

    # ---------------------------------------------------------------- lookup
    def find(self, side: str, kind: str, item_id: str) -> dict | None:
        if side == "outlook":
            return self.state.graph[COLLECTION[kind]].get(item_id)
        return self.state.sf_get(SOBJECT[kind], item_id)


# -------------------------------------------------------------------- small helpers
def singular(kind: str) -> str:
    return {"contacts": "contact", "events": "event", "tasks": "task"}[kind]


def record_url(side: str, kind: str, item_id: str) -> str:
    return f"/_sandbox/console/{side}/{kind}/{quote(item_id, safe='')}"


def _norm(value: Any) -> Any:
    """A value for "did it change?": empty strings, empty dicts and None are all "nothing"."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v not in (None, "")}
        return value or None
    if value == "" or value == []:
        return None
    return value


def _haystack(item: dict) -> str:
    parts: list[str] = []
    for key in (
        "displayName",
        "givenName",
        "surname",
        "companyName",
        "jobTitle",
        "subject",
        "title",
        "Name",
        "FirstName",
        "LastName",
        "Email",
        "Title",
        "Subject",
        "Location",
    ):
        value = item.get(key)
        if isinstance(value, str):
            parts.append(value)
    parts += [a.get("address") or "" for a in item.get("emailAddresses") or []]
    loc = item.get("location")
    if isinstance(loc, dict):
        parts.append(loc.get("displayName") or "")
    return " ".join(parts).casefold()


def _email(address: str | None) -> str:
    """An escaped address that wraps before the ``@`` rather than mid-word."""
    return e(address).replace("@", "<wbr>@")


def _tag(text: str, cls: str = "") -> str:
    return f'<span class="tag {e(cls)}">{e(text)}</span>' if text else ""


def _none(text: str) -> str:
    return f'<span class="muted">{e(text)}</span>'


def _modified(console: Console, item: dict) -> str:
    """ "changed <when> [by <who>]" for a record edited since it was created, else nothing."""
    if item.get("lastModifiedDateTime"):
        if item["lastModifiedDateTime"] == item.get("createdDateTime"):
            return ""
        when = console.local(parse_instant(item["lastModifiedDateTime"]), "%d %b, %H:%M")
        return f'<div class="meta">changed {e(when)}</div>'
    if item.get("LastModifiedDate") and item["LastModifiedDate"] != item.get("CreatedDate"):
        when = console.local(sf_moment(item["LastModifiedDate"]), "%d %b, %H:%M")
        who = console.user_name(item.get("LastModifiedById"))
        return f'<div class="meta">changed {e(when)} by {e(who)}</div>'
    return ""


def _table(head: str, rows: list[str], *, actions: bool = True) -> str:
    if not rows:
        return '<p class="empty">Nothing here.</p>'
    extra = '<th class="act"><span class="sr">Actions</span></th>' if actions else ""
    return f"<table><thead><tr>{head}{extra}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _same_origin(request: Request) -> bool:
    """Refuse form posts that a browser sent from another site's page."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _redirect(kind: str, msg: str | None = None, error: str | None = None) -> Response:
    params = {"kind": kind}
    if msg:
        params["msg"] = msg
    if error:
        params["error"] = error
    return RedirectResponse(f"/_sandbox/?{urlencode(params)}", status_code=303)


def _int(value: str | None, default: int = 1) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


# -------------------------------------------------------------------------- routes
def routes(state: SandboxState) -> list[Route]:
    console = Console(state)

    def html_response(text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(
            text,
            status_code=status,
            headers={
                "Cache-Control": "no-store",
                "X-Frame-Options": "DENY",
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                "form-action 'self'; frame-ancestors 'none'",
            },
        )

    def check_side_kind(request: Request) -> tuple[str, str]:
        side, kind = request.path_params["side"], request.path_params["kind"]
        if side not in SIDES or kind not in KINDS:
            raise LookupError
        return side, kind

    async def index(request: Request) -> Response:
        qp = request.query_params
        kind = qp.get("kind", "contacts")
        if kind not in KINDS + ("signins",):
            kind = "contacts"
        return html_response(
            console.main_page(
                kind, qp.get("q", ""), _int(qp.get("op")), _int(qp.get("sp")), qp.get("msg"), qp.get("error")
            )
        )

    async def bare(request: Request) -> Response:
        return RedirectResponse("/_sandbox/", status_code=307)

    async def edit_form(request: Request) -> Response:
        try:
            side, kind = check_side_kind(request)
        except LookupError:
            return html_response(console.page("Not found", "<p>No such list.</p>"), 404)
        with state.lock:
            item = console.find(side, kind, request.path_params["item_id"])
            if item is None:
                return _redirect(kind, error=f"That {singular(kind)} does not exist any more.")
            return html_response(console.edit_page(side, kind, item))

    async def forbidden() -> Response:
        return html_response(
            console.page("Refused", "<p>This form was sent from another site's page, so it was refused.</p>"),
            403,
        )

    async def add(request: Request) -> Response:
        if not _same_origin(request):
            return await forbidden()
        try:
            side, kind = check_side_kind(request)
        except LookupError:
            return html_response(console.page("Not found", "<p>No such list.</p>"), 404)
        form = dict(await request.form())
        with state.lock:
            try:
                if side == "outlook":
                    console.apply_outlook(kind, form, None)
                else:
                    console.apply_salesforce(kind, form, None)
            except FormProblem as exc:
                return html_response(console.add_error_page(side, kind, form, str(exc)), 400)
        where = "Outlook" if side == "outlook" else "Salesforce"
        return _redirect(kind, msg=f"Added the {singular(kind)} in {where}.")

    async def save(request: Request) -> Response:
        if not _same_origin(request):
            return await forbidden()
        try:
            side, kind = check_side_kind(request)
        except LookupError:
            return html_response(console.page("Not found", "<p>No such list.</p>"), 404)
        form = dict(await request.form())
        with state.lock:
            item = console.find(side, kind, request.path_params["item_id"])
            if item is None:
                return _redirect(
                    kind, error=f"That {singular(kind)} was deleted meanwhile; your changes were not saved."
                )
            try:
                if side == "outlook":
                    _, changed = console.apply_outlook(kind, form, item)
                else:
                    _, changed = console.apply_salesforce(kind, form, item)
            except FormProblem as exc:
                return html_response(console.edit_page(side, kind, item, form, str(exc)), 400)
        where = "Outlook" if side == "outlook" else "Salesforce"
        return _redirect(
            kind,
            msg=(
                f"Saved the {singular(kind)} in {where}."
                if changed
                else "Nothing changed, so nothing was saved."
            ),
        )

    async def delete(request: Request) -> Response:
        if not _same_origin(request):
            return await forbidden()
        try:
            side, kind = check_side_kind(request)
        except LookupError:
            return html_response(console.page("Not found", "<p>No such list.</p>"), 404)
        item_id = request.path_params["item_id"]
        with state.lock:
            if side == "outlook":
                gone = state.graph_delete(COLLECTION[kind], item_id)
            else:
                gone = state.sf_delete(SOBJECT[kind], item_id)
        if gone is None:
            return _redirect(kind, error=f"That {singular(kind)} was already deleted.")
        where = "Outlook" if side == "outlook" else "Salesforce (it is in the recycle bin)"
        return _redirect(kind, msg=f"Deleted the {singular(kind)} in {where}.")

    async def device(request: Request) -> Response:
        if not _same_origin(request):
            return await forbidden()
        action = request.path_params["action"]
        if action not in ("approve", "decline"):
            return html_response(console.page("Not found", "<p>No such action.</p>"), 404)
        form = dict(await request.form())
        code = (form.get("user_code") or "").strip()
        with state.lock:
            record = next((d for d in state.tokens.device_codes.values() if d.get("user_code") == code), None)
            if record is None or record.get("approved_user") or record.get("declined"):
                return _redirect("signins", error=f"No sign-in is waiting for the code {code}.")
            if record.get("expires", 0) <= state.now().timestamp():
                return _redirect("signins", error=f"The code {code} has expired; start the sign-in again.")
            if action == "decline":
                record["declined"] = True
                state.dirty = True
                return _redirect("signins", msg=f"Declined the sign-in with code {code}.")
            if record.get("service") == "microsoft":
                user = state.graph["user"]["id"]
                who = console.mailbox_name()
            else:
                user = form.get("user") or state.sf["me"]
                if user not in state.sf["records"]["User"]:
                    return _redirect("signins", error="Pick a Salesforce user to sign in as.")
                who = console.user_name(user)
            record["approved_user"] = user
            state.dirty = True
        return _redirect("signins", msg=f"Approved: the app is now signed in as {who}.")

    async def reset(request: Request) -> Response:
        if not _same_origin(request):
            return await forbidden()
        form = dict(await request.form())
        seed = form.get("seed") if form.get("seed") in ("demo", "empty") else "demo"
        with state.lock:
            seeding.apply(state, seed)
        return _redirect("contacts", msg=f"Started over with the {seed} world.")

    base = "/_sandbox/console/{side}/{kind}"
    return [
        Route("/_sandbox/", index, methods=["GET"]),
        Route("/_sandbox", bare, methods=["GET"]),
        Route("/_sandbox/console/device/{action:str}", device, methods=["POST"]),
        Route("/_sandbox/console/reset", reset, methods=["POST"]),
        Route(base, add, methods=["POST"]),
        Route(base + "/{item_id}", edit_form, methods=["GET"]),
        Route(base + "/{item_id}", save, methods=["POST"]),
        Route(base + "/{item_id}/delete", delete, methods=["POST"]),
    ]


CSS = """
:root { --ink:#1b1f24; --muted:#5f6b7a; --line:#dde2e8; --bg:#f5f7fa; --ol:#0f6cbd; --sf:#0b5cab;
        --sfbg:#eaf5fe; --olbg:#ebf3fc; --warn:#fff4ce; --err:#fde7e9; --ok:#e7f6e9; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif;
       color:var(--ink); background:var(--bg); }
.banner { background:#22303f; color:#fff; padding:12px 24px; }
.banner-title { font-size:17px; }
.banner-text { color:#c9d3de; font-size:13px; margin-top:2px; }
.banner .clock { display:block; color:#9fb0c2; }
main { padding:16px 24px 40px; }
.tabs { display:flex; gap:4px; border-bottom:2px solid var(--line); margin-bottom:14px; }
.tab { padding:8px 16px; text-decoration:none; color:var(--muted); border-radius:6px 6px 0 0;
       font-weight:600; }
.tab.on { background:#fff; color:var(--ink); border:2px solid var(--line); border-bottom-color:#fff;
          margin-bottom:-2px; }
.count { font-weight:400; color:var(--muted); font-size:12px; }
.count.hot { color:#8a5300; background:var(--warn); padding:1px 6px; border-radius:8px; }
.columns { display:grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap:18px; align-items:start; }
@media (max-width: 1100px) { .columns { grid-template-columns: 1fr; } }
.side, .panel { background:#fff; border:1px solid var(--line); border-radius:8px; padding:0 14px 12px; }
.side h2, .panel h2 { margin:0 -14px 10px; padding:10px 14px; font-size:16px; border-radius:8px 8px 0 0; }
.side.outlook h2, .panel.outlook h2 { background:var(--olbg); color:var(--ol); border-bottom:3px solid var(--ol); }
.side.salesforce h2, .panel.salesforce h2 { background:var(--sfbg); color:var(--sf); border-bottom:3px solid var(--sf); }
.panel { margin-bottom:16px; }
.panel h2 { background:#eef1f4; }
.panel.attention { border-color:#e6c35c; }
.panel.attention h2 { background:var(--warn); }
h2 small { font-weight:400; color:var(--muted); }
.summary, .muted, .meta { color:var(--muted); }
.summary { margin:4px 0 8px; }
.meta { font-size:11.5px; }
table { width:100%; border-collapse:collapse; font-size:13px; }
th { text-align:left; font-weight:600; color:var(--muted); font-size:12px; border-bottom:1px solid var(--line);
     padding:6px 6px; }
td { border-bottom:1px solid #eef1f4; padding:6px 6px; vertical-align:top; }
tr.done td strong { color:var(--muted); text-decoration:line-through; }
tr.past td { color:var(--muted); }
tr.past td strong { font-weight:600; color:#4a5563; }
td.when { white-space:nowrap; font-variant-numeric:tabular-nums; }
td.contact { overflow-wrap:anywhere; }
.phone { color:var(--muted); white-space:nowrap; font-variant-numeric:tabular-nums; }
.series { font-size:12px; color:#5b3fa8; }
td.act, th.act { white-space:nowrap; text-align:right; width:1%; }
.sr { position:absolute; left:-9999px; }
.tag { display:inline-block; font-size:11px; padding:0 6px; border-radius:8px; background:#eef1f4;
       color:#44505e; margin:1px 2px 1px 0; white-space:nowrap; }
.tag.series { background:#efe9fb; color:#5b3fa8; white-space:normal; }
.tag.private { background:#fde7e9; color:#a4262c; }
.tag.mine { background:var(--ok); color:#185c1f; }
.tag.other { background:var(--warn); color:#7a4b00; }
.tag.closed, .tag.status-completed { background:var(--ok); color:#185c1f; }
a { color:var(--ol); }
a.btn, button { font:inherit; font-size:12.5px; padding:3px 10px; border:1px solid #b8c2cc; border-radius:5px;
       background:#fff; color:var(--ink); cursor:pointer; text-decoration:none; display:inline-block; }
button.primary { background:var(--ol); border-color:var(--ol); color:#fff; }
.salesforce button.primary { background:var(--sf); border-color:var(--sf); }
button.danger { color:#a4262c; border-color:#e3b5b8; }
form.inline { display:inline; margin:0 0 0 4px; }
.flash { padding:8px 12px; border-radius:6px; margin-bottom:12px; }
.flash.ok { background:var(--ok); }
.flash.err { background:var(--err); color:#7d1a1f; }
.search { margin:0 0 12px; display:flex; gap:6px; align-items:center; }
.search input { width:280px; }
input, select, textarea { font:inherit; font-size:13px; padding:4px 6px; border:1px solid #b8c2cc;
       border-radius:4px; width:100%; background:#fff; }
input[type=checkbox] { width:auto; }
textarea { resize:vertical; }
details.add { margin:6px 0 10px; }
details.add > summary { cursor:pointer; color:var(--ol); font-weight:600; }
.salesforce details.add > summary { color:var(--sf); }
.record-form { margin-top:8px; }
.grid { display:grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap:8px 12px; }
.field { display:flex; flex-direction:column; gap:2px; font-size:12px; color:var(--muted); }
.field.wide { grid-column: 1 / -1; }
.field.check { flex-direction:row; align-items:center; gap:6px; color:var(--ink); padding-top:16px; }
.field small { font-size:11px; }
.req { color:#a4262c; }
.acting { margin-top:10px; padding:8px; background:var(--warn); border-radius:6px; }
.inline-label { display:inline-flex; gap:6px; align-items:center; font-size:12.5px; }
.inline-label select { width:auto; }
.actions { margin-top:10px; }
.delete-form { margin-top:14px; }
.pager { margin:6px 0; font-size:12.5px; display:flex; gap:12px; }
.empty { color:var(--muted); padding:12px 0; }
ul.devices { list-style:none; padding:0; margin:0; }
li.device { display:flex; flex-wrap:wrap; gap:10px; align-items:center; padding:8px 0;
            border-bottom:1px solid #eef1f4; }
.code { font: 600 18px/1 ui-monospace, SFMono-Regular, Menlo, monospace; letter-spacing:2px;
        background:#22303f; color:#fff; padding:6px 10px; border-radius:5px; }
details.raw { margin-top:14px; }
details.raw pre { background:#f5f7fa; padding:10px; overflow:auto; max-height:420px; font-size:12px; }
code { font-size:12px; }
"""
