"""The two record lists side by side: which rows, in what order, and their tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sandbox.clock import parse_instant
from sandbox.console.facts import ConsoleFacts
from sandbox.console.kinds import COLLECTION, SOBJECT, TODO_STATUS_LABELS, WEEKDAYS, record_url
from sandbox.console.layout import Layout, e, table_html
from sandbox.console.moments import graph_day, graph_moment, sf_moment


class Lists(Layout):
    """Renders the Outlook and Salesforce lists of one kind."""

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
        return table_html(head, body)

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
        return table_html(head, body)

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


def _modified(console: ConsoleFacts, item: dict) -> str:
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
