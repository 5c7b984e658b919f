"""Outlook side forms: a submitted contact, event or task form -> a new item or its changes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sandbox.clock import graph_instant
from sandbox.console.forms import FormProblem, form_check, form_date, form_moment, form_text
from sandbox.console.kinds import COLLECTION, IMPORTANCES, SHOW_AS, TODO_STATUSES, WEEKDAYS
from sandbox.console.moments import graph_day, graph_moment
from sandbox.console.specs import FormSpecs
from sandbox.seed_demo import ALL_DAY_ZONE, day_dtz, dtz, outlook_contact, outlook_event, outlook_task


class OutlookForms(FormSpecs):
    """Applies Outlook forms through the Graph state primitives."""

    def apply_outlook(self, kind: str, form: dict, item: dict | None) -> tuple[str, bool]:
        """Create or update an Outlook item from ``form``. Returns (id, changed)."""
        s = self.state
        collection = COLLECTION[kind]
        if kind == "contacts":
            new = outlook_contact(
                given=form_text(form, "given"),
                surname=form_text(form, "surname"),
                middle=form_text(form, "middle"),
                title=form_text(form, "title"),
                generation=form_text(form, "generation"),
                emails=[email] if (email := form_text(form, "email")) else [],
                business_phones=[p for p in [form_text(form, "business_phone")] if p],
                home_phones=[p for p in [form_text(form, "home_phone")] if p],
                mobile=form_text(form, "mobile"),
                company=form_text(form, "company"),
                department=form_text(form, "department"),
                job_title=form_text(form, "job_title"),
                assistant=form_text(form, "assistant"),
                street=form_text(form, "street"),
                city=form_text(form, "city"),
                region=form_text(form, "region"),
                postal_code=form_text(form, "postal_code"),
                country=form_text(form, "country"),
                birthday=(b.isoformat() if (b := form_date(form, "birthday", "Birthday")) else None),
                notes=form_text(form, "notes"),
            )
            if (
                not any(new.get(k) for k in ("givenName", "surname", "companyName"))
                and not new["emailAddresses"]
            ):
                raise FormProblem("Give the contact at least a name, a company or an email.")
            if item is None:
                folder = form_text(form, "folder") or self.folders()[0]["id"]
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
                lst = form_text(form, "list") or self.todo_lists()[0]["id"]
                if lst not in s.graph["todoLists"]:
                    raise FormProblem("That To Do list does not exist any more.")
                return s.graph_create("todoTasks", changes, container=lst)["id"], True
        if not changes:
            return item["id"], False
        s.graph_update(collection, item["id"], changes)
        return item["id"], True

    def _event_changes(self, form: dict, item: dict | None) -> dict:
        subject = form_text(form, "subject")
        if not subject:
            raise FormProblem("Give the event a subject.")
        all_day = form_check(form, "all_day")
        start = form_moment(form, "start", "Start", self.zone)
        end = form_moment(form, "end", "End", self.zone)
        if start is None or end is None:
            raise FormProblem("An event needs a start and an end.")
        if all_day:
            first = (form_text(form, "start") or "")[:10]
            last = (form_text(form, "end") or "")[:10]
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
        location = form_text(form, "location") or ""
        body = form_text(form, "body") or ""
        show_as = form_text(form, "show_as") or "busy"
        if show_as not in SHOW_AS:
            raise FormProblem(f"Show as must be one of {', '.join(SHOW_AS)}.")
        new: dict[str, Any] = {
            "subject": subject,
            "start": start_tz,
            "end": end_tz,
            "isAllDay": all_day,
            "sensitivity": "private"
            if form_check(form, "private")
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
            moment = graph_moment(changes["start"])
            first_local = (
                graph_day(changes["start"])
                if all_day or moment is None
                else moment.astimezone(self.zone).date()
            )
            assert first_local is not None  # changes["start"] was built from a valid start
            recurrence["range"]["startDate"] = first_local.isoformat()
            pattern = recurrence.get("pattern") or {}
            if pattern.get("type") == "weekly" and len(pattern.get("daysOfWeek") or []) == 1:
                pattern["daysOfWeek"] = [WEEKDAYS[first_local.weekday()]]
            changes["recurrence"] = recurrence
        return changes

    def _task_changes(self, form: dict, item: dict | None) -> dict:
        title = form_text(form, "title")
        if not title:
            raise FormProblem("Give the task a title.")
        status = form_text(form, "status") or "notStarted"
        importance = form_text(form, "importance") or "normal"
        if status not in TODO_STATUSES:
            raise FormProblem("Unknown status.")
        if importance not in IMPORTANCES:
            raise FormProblem("Unknown importance.")
        due = form_date(form, "due", "Due date")
        reminder = form_moment(form, "reminder", "Reminder", self.zone)
        body = form_text(form, "body") or ""
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


def _norm(value: Any) -> Any:
    """A value for "did it change?": empty strings, empty dicts and None are all "nothing"."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v not in (None, "")}
        return value or None
    if value == "" or value == []:
        return None
    return value
