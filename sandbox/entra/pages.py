"""The look of Entra's own pages (sign-in, device code, sign-out)."""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse

from sandbox.entra.wire import RESERVED_SCOPES, granted_scope, split_scopes

PAGE_CSS = """
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}
main{max-width:440px;margin:64px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 16px}
p{line-height:1.5}
.sandbox{font-size:12px;color:#605e5c;text-transform:uppercase;letter-spacing:.05em}
label{display:block;margin:16px 0 4px}
input[type=text]{width:100%;box-sizing:border-box;font-size:18px;padding:6px;letter-spacing:.1em}
.buttons{margin-top:24px;display:flex;gap:8px;justify-content:flex-end}
button{font-size:15px;padding:6px 20px;border:1px solid #8a8886;background:#fff;cursor:pointer}
button.primary{background:#0067b8;border-color:#0067b8;color:#fff}
.error{color:#a4262c}
ul{padding-left:20px}
"""


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{PAGE_CSS}</style></head><body><main>"
        f'<div class="sandbox">Tandem sandbox &middot; Microsoft sign-in</div>'
        f"<h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store"})


def scope_list(scope: str) -> str:
    shown = [s for s in split_scopes(granted_scope(scope)) if s not in RESERVED_SCOPES]
    if not shown:
        return ""
    return "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in shown) + "</ul>"
