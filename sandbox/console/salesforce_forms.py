"""Salesforce side forms: a submitted form -> a new row or its changes, made as the acting user."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sandbox.clock import sf_datetime
from sandbox.console.forms import FormProblem, form_check, form_date, form_moment, form_text
from sandbox.console.kinds import SOBJECT
from sandbox.console.specs import FormSpecs
from sandbox.salesforce import schema as sf_schema


class SalesforceForms(FormSpecs):
    """Applies Salesforce forms through the Salesforce state primitives."""

    def apply_salesforce(self, kind: str, form: dict, rec: dict | None) -> tuple[str, bool]:
        """Create or update a Salesforce row from ``form`` as the acting user."""
        s = self.state
        sobject = SOBJECT[kind]
        acting = form_text(form, "_acting") or self.colleague_id()
        if acting not in s.sf["records"]["User"]:
            raise FormProblem("Pick who makes the change in Salesforce.")
        fields: dict[str, Any] = {}
        for f in self.fields("salesforce", kind, rec is None):
            if f.type in ("checkbox",):
                fields[f.name] = form_check(form, f.name)
            elif f.type == "date":
                d = form_date(form, f.name, f.label)
                fields[f.name] = d.isoformat() if d else None
            elif f.type != "datetime":
                fields[f.name] = form_text(form, f.name)
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
            reminder = form_moment(form, "ReminderDateTime", "Reminder", self.zone)
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
        start = form_moment(form, "StartDateTime", "Start", self.zone)
        end = form_moment(form, "EndDateTime", "End", self.zone)
        if start is None or end is None:
            raise FormProblem("An event needs a start and an end.")
        if fields.get("IsAllDayEvent"):
            first = date.fromisoformat((form_text(form, "StartDateTime") or "")[:10])
            last = date.fromisoformat((form_text(form, "EndDateTime") or "")[:10])
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
