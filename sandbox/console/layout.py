"""The page shell and the parts every page shares: banner, messages, selects, record forms,
the pending sign-ins panel and the style sheet.
"""

from __future__ import annotations

import html
from typing import Any

from sandbox.console.facts import ConsoleFacts
from sandbox.console.forms import Field


def e(value: Any) -> str:
    """Escape for HTML text and attribute values; None shows as nothing."""
    return "" if value is None else html.escape(str(value), quote=True)


def table_html(head: str, rows: list[str], *, actions: bool = True) -> str:
    if not rows:
        return '<p class="empty">Nothing here.</p>'
    extra = '<th class="act"><span class="sr">Actions</span></th>' if actions else ""
    return f"<table><thead><tr>{head}{extra}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


class Layout(ConsoleFacts):
    """Renders the shared parts of the pages."""

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
