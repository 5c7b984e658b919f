"""The per-kind settings the engine obeys (user intent, read from the store by app/).

app/ declares every setting with its label and default and may lock them by policy; this
dataclass is only what the engine needs, already resolved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from .fields import Kind, Side

ConflictPolicy = Literal["salesforce_wins", "outlook_wins", "most_recent", "ask"]
Operation = Literal["create", "update", "delete"]
CONFLICT_POLICIES: tuple[ConflictPolicy, ...] = ("salesforce_wins", "outlook_wins", "most_recent", "ask")


@dataclass(frozen=True)
class KindSettings:
    """Switches of one kind. ``outlook_no_create`` means: never create in Outlook."""

    outlook_no_create: bool = False
    outlook_no_update: bool = False
    outlook_no_delete: bool = False
    salesforce_no_create: bool = False
    salesforce_no_update: bool = False
    salesforce_no_delete: bool = False
    conflict_policy: ConflictPolicy = "salesforce_wins"
    restore_deleted: bool = False  # re-create items whose delete was prevented
    truncate_long_values: bool = False  # cut over-long values (recorded) instead of an issue
    include_private: bool = False  # private items are left out by default
    phone_region: str | None = None  # region for national phone numbers ("GB"), or None
    # Guard: hold deletes above max(mass_delete_min, mass_delete_ratio x linked).
    mass_delete_min: int = 10
    mass_delete_ratio: float = 0.10

    def prevents(self, side: Side, op: Operation) -> bool:
        return bool(getattr(self, f"{side}_no_{op}"))

    @classmethod
    def default(cls, kind: Kind) -> KindSettings:
        """Both ways; "do not delete in Salesforce" on for contacts (BEHAVIOUR.md)."""
        return cls(salesforce_no_delete=(kind == "contacts"))

    @classmethod
    def preset(cls, kind: Kind, name: Literal["both", "to_outlook", "to_salesforce"]) -> KindSettings:
        base = cls.default(kind)
        if name == "to_outlook":  # Salesforce to Outlook only
            return replace(
                base, salesforce_no_create=True, salesforce_no_update=True, salesforce_no_delete=True
            )
        if name == "to_salesforce":
            return replace(base, outlook_no_create=True, outlook_no_update=True, outlook_no_delete=True)
        return base

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
