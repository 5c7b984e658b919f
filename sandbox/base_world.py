"""The base world every seed shares: one mailbox with its default Contacts folder, calendar
and To Do list, one Salesforce org with the signed-in user, a colleague and an administrator;
and lookups of those fixed parts.
"""

from __future__ import annotations

from sandbox import ids
from sandbox.state import SandboxState

TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
USER_OID = "00000000-0000-0000-66f3-3332eca7ea81"

ME = {
    "FirstName": "Morgan",
    "LastName": "Reyes",
    "Email": "morgan.reyes@northwind-demo.example",
    "Username": "morgan.reyes@northwind-demo.example.sfdc",
    "Alias": "mreyes",
    "ProfileName": "Standard User",
    "TimeZoneSidKey": "Europe/Berlin",
    "IsActive": True,
}
COLLEAGUE = {
    "FirstName": "Sam",
    "LastName": "Okafor",
    "Email": "sam.okafor@northwind-demo.example",
    "Username": "sam.okafor@northwind-demo.example.sfdc",
    "Alias": "sokafor",
    "ProfileName": "Standard User",
    "TimeZoneSidKey": "America/New_York",
    "IsActive": True,
}
ADMIN = {
    "FirstName": "Alex",
    "LastName": "Admin",
    "Email": "admin@northwind-demo.example",
    "Username": "admin@northwind-demo.example.sfdc",
    "Alias": "aadmin",
    "ProfileName": "System Administrator",
    "TimeZoneSidKey": "UTC",
    "IsActive": True,
}


def base_world(state: SandboxState) -> None:
    """The mailbox and the org with no records in them."""
    g = state.graph
    g["tenant_id"] = TENANT_ID
    g["user"] = {
        "id": USER_OID,
        "displayName": "Morgan Reyes",
        "givenName": "Morgan",
        "surname": "Reyes",
        "mail": ME["Email"],
        "userPrincipalName": ME["Email"],
        "jobTitle": "Account Executive",
        "officeLocation": "Berlin",
        "preferredLanguage": "en-US",
        "mobilePhone": None,
        "businessPhones": ["+49 30 901820"],
    }
    root = state.graph_create("contactFolders", {"displayName": "Contacts", "parentFolderId": None})
    root["_root"] = True
    for item in (root,):
        item.pop("createdDateTime", None)
        item.pop("lastModifiedDateTime", None)
    cal = state.graph_create(
        "calendars",
        {
            "name": "Calendar",
            "color": "auto",
            "hexColor": "",
            "isDefaultCalendar": True,
            "canShare": True,
            "canViewPrivateItems": True,
            "canEdit": True,
            "isRemovable": False,
            "isTallyingResponses": True,
            "allowedOnlineMeetingProviders": ["teamsForBusiness"],
            "defaultOnlineMeetingProvider": "teamsForBusiness",
            "owner": {"name": "Morgan Reyes", "address": ME["Email"]},
        },
    )
    cal.pop("createdDateTime", None)
    cal.pop("lastModifiedDateTime", None)
    lst = state.graph_create(
        "todoLists",
        {"displayName": "Tasks", "isOwner": True, "isShared": False, "wellknownListName": "defaultList"},
    )
    lst.pop("createdDateTime", None)
    lst.pop("lastModifiedDateTime", None)
    lst.pop("changeKey", None)

    s = state.sf
    s["org_id"] = ids.sf_id("00D", 1)
    me = state.sf_create("User", dict(ME), user_id="")
    state.sf["me"] = me["Id"]
    for rec in (me,):
        rec["CreatedById"] = rec["LastModifiedById"] = me["Id"]
    state.sf_create("User", dict(COLLEAGUE), user_id=me["Id"])
    state.sf_create("User", dict(ADMIN), user_id=me["Id"])


def root_contact_folder(state: SandboxState) -> dict:
    return next(f for f in state.graph["contactFolders"].values() if f.get("_root"))


def default_calendar(state: SandboxState) -> dict:
    return next(c for c in state.graph["calendars"].values() if c.get("isDefaultCalendar"))


def default_todo_list(state: SandboxState) -> dict:
    return next(t for t in state.graph["todoLists"].values() if t.get("wellknownListName") == "defaultList")


def sf_user_by_alias(state: SandboxState, alias: str) -> dict:
    return next(u for u in state.sf["records"]["User"].values() if u.get("Alias") == alias)
