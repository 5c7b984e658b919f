"""The console's pages: the main page with its tabs, summaries and pagers, the sign-ins tab,
and the edit and add-again pages.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from sandbox.console.kinds import COLLECTION, KINDS, PAGE_SIZE, SIDES, SOBJECT, record_url, singular
from sandbox.console.layout import e, table_html
from sandbox.console.lists import Lists
from sandbox.console.moments import sf_moment
from sandbox.console.outlook_forms import OutlookForms
from sandbox.console.salesforce_forms import SalesforceForms
from sandbox.state import public


class Console(Lists, OutlookForms, SalesforceForms):
    """Renders the pages and applies the forms over one ``SandboxState``."""

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
            + table_html(
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
