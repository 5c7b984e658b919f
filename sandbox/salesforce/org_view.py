"""The org's schema as the signed-in user sees it: switched-off and hidden fields left out.

An administrator can switch off Contact.MiddleName and Contact.Suffix, and field-level
security can hide any field (``sandbox.org_features``). Salesforce then behaves as if the
field did not exist for that user: describe leaves it out, SOQL naming it is 400
INVALID_FIELD ("No such column 'MiddleName' on entity 'Contact'..."), and a write naming it
is INVALID_FIELD too. Everything that asks "does this field exist?" asks ``field_present``.

Describe's conditional GET: the body's ETag is a hash of what it describes; its
Last-Modified is the moment the sandbox first served that shape (kept per state, so a
change of the org's switches moves it). ``If-None-Match`` with the ETag, or
``If-Modified-Since`` not before Last-Modified, answers 304 without a body.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from datetime import datetime
from typing import Any

from sandbox.salesforce.schema import OBJECTS, SCHEMA, Field, canonical_object

# Fields an org's setting switches off, and the feature that holds them.
SWITCHED: dict[tuple[str, str], str] = {
    ("Contact", "MiddleName"): "middle-name",
    ("Contact", "Suffix"): "suffix",
}


def field_present(state: Any, sobject: str, name: str) -> bool:
    """Whether ``sobject.name`` exists for the signed-in user (switched on, not hidden)."""
    feature = SWITCHED.get((sobject, name))
    if feature is not None and not state.sf_feature(feature):
        return False
    return not state.sf_field_hidden(sobject, name)


def present_fields(state: Any, sobject: str) -> list[Field]:
    return [f for f in OBJECTS[sobject] if field_present(state, sobject, f.name)]


class OrgView:
    """``sandbox.salesforce.soql``'s ``Schema`` over one state's visible fields."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def object_names(self) -> list[str]:
        return SCHEMA.object_names()

    def fields(self, sobject: str) -> dict[str, str]:
        obj = canonical_object(sobject)
        if obj is None:
            return {}
        return {f.name: f.type for f in present_fields(self.state, obj)}

    def relationship(self, sobject: str, name: str) -> tuple[str, str] | None:
        found = SCHEMA.relationship(sobject, name)
        obj = canonical_object(sobject)
        if found is None or obj is None or not field_present(self.state, obj, found[1]):
            return None
        return found


_SEEN: weakref.WeakKeyDictionary[Any, dict[str, tuple[str, datetime]]] = weakref.WeakKeyDictionary()


def validators(state: Any, sobject: str, body: dict) -> tuple[str, datetime]:
    """``(etag, last_modified)`` of a describe body of ``sobject`` (see the module text)."""
    digest = hashlib.sha1(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    etag = f'"{digest}"'
    seen = _SEEN.setdefault(state, {})
    known = seen.get(sobject)
    if known is None or known[0] != etag:
        known = seen[sobject] = (etag, state.now().replace(microsecond=0))
    return known
