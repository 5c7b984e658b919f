"""The documented Graph paths the Outlook sources read changes through, and what they do
where the service offers no delta.

* Contacts: v1.0 documents delta only per folder (``/me/contactFolders/{id}/contacts/delta``),
  so the default Contacts folder is addressed by its id. Graph lists no "default folder"
  resource in v1.0; its id is the ``parentFolderId`` of a contact of ``/me/contacts`` (the
  default folder's contacts), else of a folder of ``/me/contactFolders`` (its child folders).
  A mailbox with neither has an empty default folder: the listing is empty and the next run
  looks again (cursor ``NO_FOLDER``).
* Events: v1.0 documents ``/me/calendarView/delta`` (the primary calendar); the delta-query
  guide also shows ``/me/calendars/{id}/calendarView/delta``, which the v1.0 reference does
  not. When the service refuses it (400/404), a chosen calendar is read by a full
  ``calendarView`` listing of the window each run, marked ``full`` so the engine reconciles ids
  (a linked event absent from it is checked as deleted); the cursor says so (``LISTED``) and
  later runs list again without asking for delta.
* ``transaction_id``: event creates carry ``transactionId`` (Graph then avoids a second event
  when a client repeats a POST). It is derived from what the create is for: the calendar,
  the body sent and its place among identical bodies of the same call, so the same intent
  gives the same id in a retry and in a later run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sync.errors import CursorExpired, SourceError
from sync.graph.client import GraphClient

NO_FOLDER = "tandem:no-default-contact-folder"
LISTED = "tandem:listed"
# Paths older Tandem versions kept in their cursors that v1.0 does not document.
UNDOCUMENTED_DELTA = ("/me/contacts/delta", "/me/calendar/calendarview/delta")


def stale_cursor(cursor: str | None) -> bool:
    """A saved deltaLink on an undocumented path (or the no-folder mark): read everything."""
    if cursor is None:
        return False
    path = urlsplit(cursor).path.lower()
    return cursor == NO_FOLDER or any(path.endswith("/v1.0" + p) for p in UNDOCUMENTED_DELTA)


def refused(exc: SourceError) -> bool:
    """Whether Graph refused a delta path itself (not an expired cursor, not auth)."""
    return not isinstance(exc, CursorExpired) and exc.ids.get("status") in (400, 404)


async def default_contact_folder_id(client: GraphClient) -> str | None:
    for url in ("me/contacts", "me/contactFolders"):
        body = await client.get(
            url, params={"$top": "1", "$select": "parentFolderId"}, what="your Outlook contacts"
        )
        for item in body.get("value") or []:
            if isinstance(item, dict) and item.get("parentFolderId"):
                return str(item["parentFolderId"])
    return None


def transaction_id(scope: str, body: Mapping[str, Any], ordinal: int) -> str:
    digest = hashlib.sha256(
        json.dumps([scope, body, ordinal], sort_keys=True, default=str).encode()
    ).hexdigest()
    return "tandem-" + digest[:40]
