"""The Salesforce org's switches that change what the API accepts.

Real orgs differ: an administrator can switch off Contact.MiddleName and Contact.Suffix
(Setup > User Interface, "Enable Middle Names for Person Names" / "Enable Name Suffixes for
Person Names"), leave multi-day events off, and field-level security can hide any field
from the integration user. The sandbox models each so Tandem meets them before a user does.

``--sf-org-features`` takes a comma-separated list; every feature is on unless named with
``no-`` (``no-middle-name,no-suffix,no-multiday-events``). ``--sf-hidden-fields`` takes
``Object.Field`` names hidden by field-level security.
"""

from __future__ import annotations

from collections.abc import Iterable

FEATURES = ("middle-name", "suffix", "multiday-events")


class OrgFeatureError(ValueError):
    """An unknown feature name or a malformed hidden-field name."""


def _items(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else list(value)
    return [str(p).strip() for p in parts if str(p).strip()]


def parse_features(value: str | Iterable[str] | dict | None) -> dict[str, bool]:
    """``"no-middle-name,suffix"`` -> every known feature with its switch (default on)."""
    if isinstance(value, dict):
        unknown = set(value) - set(FEATURES)
        if unknown:
            raise OrgFeatureError(f"unknown org feature {sorted(unknown)[0]!r}; known: {', '.join(FEATURES)}")
        return {name: bool(value.get(name, True)) for name in FEATURES}
    switches = dict.fromkeys(FEATURES, True)
    for item in _items(value):
        name = item[3:] if item.startswith("no-") else item
        if name not in switches:
            raise OrgFeatureError(
                f"unknown org feature {item!r}; known: {', '.join(FEATURES)} (each may start with no-)"
            )
        switches[name] = not item.startswith("no-")
    return switches


def parse_hidden_fields(value: str | Iterable[str] | None) -> list[str]:
    """``"Contact.Title,Event.Location"`` -> the list, each checked for the Object.Field form."""
    fields = _items(value)
    for name in fields:
        obj, _, field = name.partition(".")
        if not obj or not field or "." in field:
            raise OrgFeatureError(f"hidden field {name!r} is not in the form Object.Field")
    return fields
