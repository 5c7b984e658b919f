"""Outlook contacts and contact folders (``/me/contacts``, ``/me/contactFolders``).

The default Contacts folder is the stored ``contactFolders`` item with ``_root: True``;
``GET /me/contactFolders`` lists its child folders, as Graph does. A contact's folder is its
``_container`` (and its ``parentFolderId``).
"""

from __future__ import annotations

from typing import Any

from sandbox.errors import GraphError
from sandbox.graph import delta as graph_delta
from sandbox.graph.core import (
    GraphRequest,
    Reply,
    check_id,
    check_if_match,
    item_reply,
    not_found,
    ordered,
    public_copy,
    undocumented,
    user_context,
    with_context,
)
from sandbox.graph.model import ENTITIES, validate
from sandbox.graph.query_options import (
    check_options,
    filter_items,
    order_items,
    paged,
    parse_select,
    select_props,
)
from sandbox.state import SandboxState

CONTACT_PROPS = list(ENTITIES["contact"])
FOLDER_PROPS = list(ENTITIES["contactFolder"])

CONTACT_DEFAULTS: dict[str, Any] = {
    "categories": [],
    "birthday": None,
    "fileAs": "",
    "displayName": "",
    "givenName": None,
    "initials": None,
    "middleName": None,
    "nickName": None,
    "surname": None,
    "title": None,
    "yomiGivenName": None,
    "yomiSurname": None,
    "yomiCompanyName": None,
    "generation": None,
    "imAddresses": [],
    "jobTitle": None,
    "companyName": None,
    "department": None,
    "officeLocation": None,
    "profession": None,
    "businessHomePage": None,
    "assistantName": None,
    "manager": None,
    "homePhones": [],
    "mobilePhone": None,
    "businessPhones": [],
    "spouseName": None,
    "personalNotes": "",
    "children": [],
    "emailAddresses": [],
    "homeAddress": {},
    "businessAddress": {},
    "otherAddress": {},
}


# ------------------------------------------------------------------ folders
def root_folder(state: SandboxState) -> dict:
    for folder in state.graph["contactFolders"].values():
        if folder.get("_root"):
            return folder
    raise GraphError(404, "ErrorItemNotFound", "The default Contacts folder was not found.")


def get_folder(state: SandboxState, folder_id: str) -> dict:
    check_id(folder_id)
    folder = state.graph["contactFolders"].get(folder_id)
    if folder is None:
        raise not_found()
    return folder


def render_folder(folder: dict, select: list[str] | None = None) -> dict:
    body = {
        "id": folder["id"],
        "displayName": folder.get("displayName"),
        "parentFolderId": folder.get("parentFolderId"),
    }
    return select_props(body, select)


def _child_folders(state: SandboxState, parent_id: str) -> list[dict]:
    return [
        f
        for f in state.graph["contactFolders"].values()
        if f.get("parentFolderId") == parent_id and not f.get("_root")
    ]


def _list_folders(state: SandboxState, req: GraphRequest, parent_id: str) -> Reply:
    check_options(req)
    select = parse_select(req, FOLDER_PROPS, "Microsoft.OutlookServices.ContactFolder")
    items = filter_items(req, _child_folders(state, parent_id), FOLDER_PROPS)
    items = order_items(req, items, FOLDER_PROPS)
    ctx = user_context(req, "contactFolders")
    return paged(state, req, items, ctx, lambda f: render_folder(f, select))


def _create_folder(state: SandboxState, req: GraphRequest, parent_id: str) -> Reply:
    data = validate("contactFolder", req.json())
    name = data.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise GraphError(400, "ErrorInvalidRequest", "The folder name must not be empty.")
    if any((f.get("displayName") or "").lower() == name.lower() for f in _child_folders(state, parent_id)):
        raise GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.")
    folder = state.graph_create(
        "contactFolders", {"displayName": name, "parentFolderId": parent_id}, container=parent_id
    )
    body = with_context(user_context(req, "contactFolders/$entity"), render_folder(folder))
    return item_reply(req, body, 201, req.url(path=f"/me/contactFolders/{folder['id']}"))


def list_folders(state: SandboxState, req: GraphRequest) -> Reply:
    return _list_folders(state, req, root_folder(state)["id"])


def create_folder(state: SandboxState, req: GraphRequest) -> Reply:
    return _create_folder(state, req, root_folder(state)["id"])


def list_child_folders(state: SandboxState, req: GraphRequest) -> Reply:
    return _list_folders(state, req, get_folder(state, req.params["folder_id"])["id"])


def create_child_folder(state: SandboxState, req: GraphRequest) -> Reply:
    return _create_folder(state, req, get_folder(state, req.params["folder_id"])["id"])


def folder_item(state: SandboxState, req: GraphRequest) -> Reply:
    folder = get_folder(state, req.params["folder_id"])
    if req.method == "GET":
        check_options(req, ("select",))
        select = parse_select(req, FOLDER_PROPS, "Microsoft.OutlookServices.ContactFolder")
        return item_reply(
            req, with_context(user_context(req, "contactFolders/$entity"), render_folder(folder, select))
        )
    if folder.get("_root"):
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    if req.method == "PATCH":
        data = validate("contactFolder", req.json())
        updated = state.graph_update("contactFolders", folder["id"], data)
        return item_reply(
            req, with_context(user_context(req, "contactFolders/$entity"), render_folder(updated))
        )
    if req.method != "DELETE":  # pragma: no cover - the routes allow GET, PATCH, DELETE
        raise GraphError(405, "BadRequest", "Unsupported HTTP method for this resource.")
    # DELETE: the folder, its contacts and its sub-folders go (Graph moves them to Deleted
    # Items; either way they leave the folder and delta reports them removed).
    _delete_folder_tree(state, folder["id"])
    return Reply(204)


def _delete_folder_tree(state: SandboxState, folder_id: str) -> None:
    for child in _child_folders(state, folder_id):
        _delete_folder_tree(state, child["id"])
    for contact in state.graph_items("contacts", folder_id):
        state.graph_delete("contacts", contact["id"])
    state.graph_delete("contactFolders", folder_id)


# ----------------------------------------------------------------- contacts
def render_contact(item: dict, select: list[str] | None = None) -> dict:
    return select_props(ordered(public_copy(item)), select)


def _composed_name(item: dict) -> str:
    return " ".join(p for p in (item.get("givenName"), item.get("middleName"), item.get("surname")) if p)


def _fill_emails(data: dict) -> None:
    emails = data.get("emailAddresses")
    if isinstance(emails, list):
        data["emailAddresses"] = [
            {"name": e.get("name") or e.get("address"), "address": e.get("address")}
            for e in emails
            if isinstance(e, dict)
        ]


def _folder_for(state: SandboxState, req: GraphRequest) -> dict:
    if "child_id" in req.params:
        parent = get_folder(state, req.params["folder_id"])
        child = get_folder(state, req.params["child_id"])
        if child.get("parentFolderId") != parent["id"]:
            raise not_found()
        return child
    if "folder_id" in req.params:
        return get_folder(state, req.params["folder_id"])
    return root_folder(state)


def list_contacts(state: SandboxState, req: GraphRequest) -> Reply:
    folder = _folder_for(state, req)
    check_options(req)
    select = parse_select(req, CONTACT_PROPS, "Microsoft.OutlookServices.Contact")
    items = state.graph_items("contacts", folder["id"])
    items = filter_items(req, items, CONTACT_PROPS, emails=True)
    items = order_items(req, items, CONTACT_PROPS)
    sel = f"({','.join(select)})" if select else ""
    ctx = (
        user_context(req, f"contacts{sel}")
        if folder.get("_root")
        else user_context(req, f"contactFolders('{folder['id']}')/contacts{sel}")
    )
    return paged(state, req, items, ctx, lambda i: render_contact(i, select))


def create_contact(state: SandboxState, req: GraphRequest) -> Reply:
    folder = _folder_for(state, req)
    data = validate("contact", req.json())
    _fill_emails(data)
    item = {**CONTACT_DEFAULTS, **{k: v for k, v in data.items()}}
    if not item.get("displayName"):
        item["displayName"] = _composed_name(item) or item.get("companyName") or ""
    item["parentFolderId"] = folder["id"]
    stored = state.graph_create("contacts", item, container=folder["id"])
    body = with_context(user_context(req, "contacts/$entity"), render_contact(stored))
    return item_reply(req, body, 201, req.url(path=f"/me/contacts/{stored['id']}"))


def _get_contact(state: SandboxState, req: GraphRequest) -> dict:
    contact_id = req.params["contact_id"]
    check_id(contact_id)
    item = state.graph["contacts"].get(contact_id)
    if item is None:
        raise not_found()
    if "folder_id" in req.params and item.get("_container") != _folder_for(state, req)["id"]:
        raise not_found()
    return item


def contact_item(state: SandboxState, req: GraphRequest) -> Reply:
    item = _get_contact(state, req)
    ctx = user_context(req, "contacts/$entity")
    if req.method == "GET":
        check_options(req, ("select",))
        select = parse_select(req, CONTACT_PROPS, "Microsoft.OutlookServices.Contact")
        return item_reply(req, with_context(ctx, render_contact(item, select)))
    check_if_match(req, item)
    if req.method == "DELETE":
        state.graph_delete("contacts", item["id"])
        return Reply(204)
    data = validate("contact", req.json())
    _fill_emails(data)
    name_parts = ("givenName", "middleName", "surname")
    if (
        "displayName" not in data
        and any(p in data for p in name_parts)
        and (item.get("displayName") or "") == _composed_name(item)
    ):
        data["displayName"] = _composed_name({**item, **data})
    updated = state.graph_update("contacts", item["id"], data)
    return item_reply(req, with_context(ctx, render_contact(updated)))


# -------------------------------------------------------------------- delta
def contacts_delta(state: SandboxState, req: GraphRequest) -> Reply:
    folder = _folder_for(state, req)
    select = (
        None
        if (req.option("deltatoken") or req.option("skiptoken"))
        else parse_select(req, CONTACT_PROPS, "Microsoft.OutlookServices.Contact")
    )
    return graph_delta.seq_delta(
        state,
        req,
        collection="contacts",
        container=folder["id"],
        select=select,
        odata_type="#microsoft.graph.contact",
        render=lambda i, sel: render_contact(i, sel),
    )


ROUTES = [
    (["GET"], "/me/contactFolders", list_folders),
    (["POST"], "/me/contactFolders", create_folder),
    (["GET", "PATCH", "DELETE"], "/me/contactFolders/{folder_id}", folder_item),
    (["GET"], "/me/contactFolders/{folder_id}/childFolders", list_child_folders),
    (["POST"], "/me/contactFolders/{folder_id}/childFolders", create_child_folder),
    (["GET"], "/me/contacts/delta", undocumented),  # v1.0: delta is per contact folder
    (["GET"], "/me/contacts", list_contacts),
    (["POST"], "/me/contacts", create_contact),
    (["GET", "PATCH", "DELETE"], "/me/contacts/{contact_id}", contact_item),
    (["GET"], "/me/contactFolders/{folder_id}/contacts/delta", contacts_delta),
    (["GET"], "/me/contactFolders/{folder_id}/contacts", list_contacts),
    (["POST"], "/me/contactFolders/{folder_id}/contacts", create_contact),
    (["GET", "PATCH", "DELETE"], "/me/contactFolders/{folder_id}/contacts/{contact_id}", contact_item),
    (["GET"], "/me/contactFolders/{folder_id}/childFolders/{child_id}/contacts/delta", contacts_delta),
    (["GET"], "/me/contactFolders/{folder_id}/childFolders/{child_id}/contacts", list_contacts),
    (["POST"], "/me/contactFolders/{folder_id}/childFolders/{child_id}/contacts", create_contact),
]
