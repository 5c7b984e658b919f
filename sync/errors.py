"""Errors of the sync engine: one family, each with words for people and ids for code.

Three channels (ARCHITECTURE.md): a ``TandemError`` that stops a run (or a kind), an
``ItemError`` that belongs to one record and becomes an item issue, and transient errors
that the service clients retry themselves and that reach the engine only when they persist.
Library exceptions (sqlite3, peewee, httpx) are converted into these at one boundary each:
the store converts database errors, the sources convert HTTP errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class TandemError(Exception):
    """Base of every error meant to reach the user.

    ``title`` is a short headline ("Tandem's database is damaged"), ``message`` says what
    happened and what to do, in plain words. Keyword arguments are ids for code and logs
    (``kind="contacts"``, ``path=...``); they are kept in ``ids``.
    """

    title: str = "Tandem ran into a problem"

    def __init__(self, title: str | None = None, message: str = "", **ids: Any) -> None:
        self.title = title or type(self).title
        self.message = message
        self.ids = ids
        super().__init__(f"{self.title}: {message}" if message else self.title)


# -- store ---------------------------------------------------------------------------


class StoreError(TandemError):
    title = "Tandem cannot use its database"


class DatabaseCorrupt(StoreError):
    title = "Tandem's database is damaged"


class DatabaseTooNew(StoreError):
    title = "This profile was used by a newer Tandem"


class DiskFull(StoreError):
    title = "The disk is full"


class DatabaseLocked(StoreError):
    title = "Tandem's database is in use"


class LinkConflict(StoreError):
    """A link would pair a record that another link already pairs (links are one-to-one)."""

    title = "This record is already paired with another one"


# -- sources and runs -----------------------------------------------------------------


class SourceError(TandemError):
    """A whole call to a service failed in a way that stops the run for this kind."""

    title = "A service did not answer as expected"


class CursorExpired(SourceError):
    """The change cursor is no longer valid; the engine re-reads everything."""

    title = "The list of changes has expired"


class PreventedOperation(TandemError):
    """Raised by the memory source (and only used by tests) when the engine calls an
    operation that the settings prevent. The engine must never trigger it."""

    title = "An operation that the settings prevent was attempted"


class NothingToUndo(TandemError):
    title = "There is nothing to undo"


# -- one record -----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemError:
    """Why one record could not be written or planned.

    ``code`` is stable for code (``"too_long"``, ``"not_found"``, ``"stale"``,
    ``"required"``, ``"rejected"``, ``"interrupted"``, ...), ``message`` is for people,
    ``field`` names the Salesforce API field when the error is about one field.
    """

    code: str
    message: str
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}
