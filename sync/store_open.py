"""Opening a profile's database safely: what an existing file is (new, Tandem's and which
version, too new, not a database, damaged) is read before anything is written; migrations run
one transaction each after a backup; sqlite and peewee errors become errors for people here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import peewee as pw

from .errors import DatabaseCorrupt, DatabaseLocked, DatabaseTooNew, DiskFull, LinkConflict, StoreError

SQLITE_HEADER = b"SQLite format 3\x00"


def link_conflict(exc: BaseException) -> LinkConflict:
    return LinkConflict(
        message="Tandem tried to pair a record that is already paired with another one. Nothing was "
        "changed; the next sync looks at both again.",
        detail=str(exc),
    )


def convert_db_error(exc: BaseException, path: Path) -> StoreError:
    """The one boundary where sqlite/peewee errors become errors for people."""
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return DiskFull(
            message="Tandem could not save its sync state because the disk is full. "
            "Free some space, then sync again. Nothing was lost.",
            path=str(path),
        )
    if "locked" in text or "busy" in text:
        return DatabaseLocked(
            message="Another Tandem window or process is using this profile. Close it, then try again.",
            path=str(path),
        )
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return DatabaseCorrupt(message=_corrupt_message(path), path=str(path))
    return StoreError(message=f"Tandem could not read or write its database ({exc}).", path=str(path))


def _corrupt_message(path: Path, *, empty: bool = False) -> str:
    what = "is empty (0 bytes)" if empty else "cannot be read"
    return (
        f"The file {path} {what}. Tandem left it untouched. Restore a backup "
        "(a file named like it ending in .bak-vN), or move the file away and run Tandem "
        "again: your records in Outlook and Salesforce are safe, and the first sync will "
        "pair them again without duplicates."
    )


def inspect_database(path: Path, target_version: int) -> int | None:
    """Version of an existing database, None for a new one. Read-only.

    A file of 0 bytes is damage, not a new profile: Tandem creates its tables in the same
    moment it creates the file, so an empty file was emptied (a failed copy, a full disk, a
    sync tool); treating it as new would silently forget every pairing."""
    if not path.exists():
        return None
    if path.stat().st_size == 0:
        raise DatabaseCorrupt(message=_corrupt_message(path, empty=True), path=str(path))
    with open(path, "rb") as fh:
        if fh.read(16) != SQLITE_HEADER:
            raise DatabaseCorrupt(message=_corrupt_message(path), path=str(path))
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise DatabaseCorrupt(message=_corrupt_message(path), path=str(path))
            has_meta = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
            ).fetchone()
            if not has_meta:
                tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise DatabaseCorrupt(
                        message=f"The file {path} is a database, but not one of Tandem's. "
                        "Tandem left it untouched; choose another profile folder.",
                        path=str(path),
                    )
                return None
            row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise convert_db_error(exc, path) from exc
    if version > target_version:
        raise DatabaseTooNew(
            message=f"This profile was last used by a newer version of Tandem (database version "
            f"{version}, this version understands up to {target_version}). Update Tandem; "
            "the profile was left untouched.",
            path=str(path),
            version=version,
        )
    return version


def migrate(
    db: pw.Database,
    migrations: Sequence[Callable[[pw.Database], None]],
    existing: int | None,
    backup: Callable[[str], Path],
) -> None:
    """Bring the database from ``existing`` to the last migration, one transaction each,
    after a backup of an existing database."""
    version = existing or 0
    if version == len(migrations):
        return
    if existing:
        backup(f"bak-v{existing}")
    for number in range(version, len(migrations)):
        with db.atomic():
            migrations[number](db)
            db.execute_sql(
                "INSERT INTO meta(key, value) VALUES('schema_version', ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (str(number + 1),),
            )
