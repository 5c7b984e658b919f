"""The console's HTTP routes: the page, the record forms, device sign-ins and starting over."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import seed as seeding
from sandbox.console.forms import FormProblem
from sandbox.console.kinds import COLLECTION, KINDS, SIDES, SOBJECT, singular
from sandbox.console.pages import Console
from sandbox.state import SandboxState


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


async def _form_of(request: Request) -> dict[str, str]:
    """The posted form's fields as text (the console's forms have no file fields)."""
    return {k: str(v) for k, v in (await request.form()).items()}


def _int(value: str | None, default: int = 1) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


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
        form = await _form_of(request)
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
        form = await _form_of(request)
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
        form = await _form_of(request)
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
        form = await _form_of(request)
        seed = form["seed"] if form.get("seed") in ("demo", "empty") else "demo"
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
