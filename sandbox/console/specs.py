"""The add and edit forms of each side and kind: their fields, and a record's values in them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sandbox.console.facts import ConsoleFacts
from sandbox.console.forms import Field
from sandbox.console.kinds import IMPORTANCES, SHOW_AS, TODO_STATUS_LABELS, TODO_STATUSES
from sandbox.console.moments import graph_day, graph_moment, sf_moment
from sandbox.salesforce import schema as sf_schema


class FormSpecs(ConsoleFacts):
    """Which fields a form has and what they show."""

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
