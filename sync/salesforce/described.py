"""Fields an org lacks: each Salesforce source reads its object's describe before the first
read or write.

The client keeps the describe in the profile's store with its ETag / Last-Modified and
revalidates it once per run (``SalesforceClient.describe_fields``). Mapped fields describe
does not list (switched off by the org, e.g. MiddleName / Suffix, or hidden by field-level
security) are not selected (naming one fails the whole query with INVALID_FIELD) and not
written; fields describe marks not createable / not updateable are left out of creates /
updates. ``missing_fields`` names the mapped fields the org lacks; the engine hands them to
the planner (``SideChanges.lacks``), which neither compares nor writes them on Salesforce's
side (no endless update), and the preview says so in a note.
"""

from __future__ import annotations

from sync.fields import Kind
from sync.salesforce.client import FieldAccess, SalesforceClient
from sync.salesforce.mapping import missing_fields, select_fields


class DescribedFields:
    """The describe-driven part of ``SalesforceSource``."""

    kind: Kind
    client: SalesforceClient
    sobject: str
    _select: str
    _access: dict[str, FieldAccess] | None = None
    missing_fields: tuple[str, ...] = ()  # mapped fields this org lacks or hides

    async def _described(self) -> dict[str, FieldAccess]:
        """The object's fields from describe (once per source), and the SELECT list and the
        missing fields that follow from them."""
        if self._access is None:
            self._access = await self.client.describe_fields(self.sobject)
            self._select = ", ".join(select_fields(self.kind, self._access))
            self.missing_fields = tuple(missing_fields(self.kind, self._access))
        return self._access

    def _allowed(self, creating: bool) -> list[str] | None:
        if self._access is None:
            return None
        return [n for n, a in self._access.items() if (a.createable if creating else a.updateable)]
