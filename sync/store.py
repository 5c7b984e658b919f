"""The profile's SQLite store (peewee, WAL): links, cursors, runs, journal, issues, settings.

One file per profile; the path is passed in, and each ``Store`` owns its own peewee
``Database`` and model classes (no global database), so two profiles can be open at once.

Safety of the file itself:
- On open (``sync.store_open``), an existing file is checked *read-only* first: a file that is not SQLite or fails
  ``PRAGMA quick_check`` raises ``DatabaseCorrupt``; a schema version above ours raises
  ``DatabaseTooNew``. Neither is ever written to.
- Before each migration of an existing database, a consistent copy is written beside it
  (``tandem.db.bak-v1``), then the migration runs in one transaction.
- sqlite "database or disk is full" becomes ``DiskFull``, "database is locked" becomes
  ``DatabaseLocked``, a malformed image met later becomes ``DatabaseCorrupt``.

User intent (settings: generic key -> JSON value) is kept apart from machine state (the
other tables). Rows are written in short transactions on the loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import peewee as pw

from .errors import LinkConflict
from .fields import Kind, Side
from .links import Link
from .pace import Pacer
from .store_open import convert_db_error, inspect_database, link_conflict, migrate
from .store_schema import MIGRATIONS, define_models

SqlValue = str | int | float | bytes | None  # what a statement parameter may be


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """All persistent state of one profile. Open with ``Store(path)``; close with ``close()``."""

    def __init__(
        self, path: str | Path, *, migrations: Sequence[Callable[[pw.Database], None]] | None = None
    ) -> None:
        self.path = Path(path)
        self.migrations = list(MIGRATIONS if migrations is None else migrations)
        self.target_version = len(self.migrations)
        existing = inspect_database(self.path, self.target_version)  # raises before anything is written
        self.db = pw.SqliteDatabase(
            str(self.path),
            pragmas={"journal_mode": "wal", "synchronous": "normal", "foreign_keys": 1, "busy_timeout": 5000},
        )
        self.m = define_models(self.db)
        try:
            self.db.connect()
            migrate(self.db, self.migrations, existing, self.backup)
        except (pw.DatabaseError, sqlite3.DatabaseError) as exc:
            self.db.close()
            raise convert_db_error(exc, self.path) from exc

    def backup(self, suffix: str) -> Path:
        """Write a consistent copy of the database beside it; never overwrite a backup."""
        target = self.path.with_name(f"{self.path.name}.{suffix}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.{suffix}.{n}")
        dest = sqlite3.connect(str(target))
        try:
            self.db.connection().backup(dest)
        finally:
            dest.close()
        return target

    @property
    def schema_version(self) -> int:
        row = self.db.execute_sql("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self.db.atomic():
                yield
        except LinkConflict:
            raise
        except (pw.IntegrityError, sqlite3.IntegrityError) as exc:
            raise link_conflict(exc) from exc
        except (pw.DatabaseError, sqlite3.DatabaseError) as exc:
            raise convert_db_error(exc, self.path) from exc

    def _sql(self, sql: str, params: Sequence[SqlValue] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute_sql(sql, params)
        except (pw.IntegrityError, sqlite3.IntegrityError) as exc:
            raise link_conflict(exc) from exc
        except (pw.DatabaseError, sqlite3.DatabaseError) as exc:
            raise convert_db_error(exc, self.path) from exc

    def _insert(self, sql: str, params: Sequence[SqlValue]) -> int:
        """Run an INSERT and return the id of the new row."""
        row_id = self._sql(sql, params).lastrowid
        if row_id is None:  # sqlite3 sets it after every INSERT; typed optional for other statements
            raise AssertionError("an INSERT left no row id")
        return row_id

    # -- links ----------------------------------------------------------------------------

    _LINK_COLS = (
        "id, kind, outlook_id, salesforce_id, outlook_version, salesforce_version, "
        "snapshot, outlook_hash, salesforce_hash, state"
    )

    def links(self, kind: Kind) -> list[Link]:
        rows = self._sql(f"SELECT {self._LINK_COLS} FROM link WHERE kind=?", (kind,)).fetchall()
        return [self._link(r) for r in rows]

    async def links_paced(self, kind: Kind, page: int = 1000) -> list[Link]:
        """``links(kind)`` in id order, read a page per query, handing the event loop a turn
        between pages and while decoding (no transaction is held across a turn)."""
        out: list[Link] = []
        last = 0
        pace = Pacer()
        while True:
            rows = self._sql(
                f"SELECT {self._LINK_COLS} FROM link NOT INDEXED WHERE id>? AND kind=? ORDER BY id LIMIT ?",
                (last, kind, page),
            ).fetchall()
            out.extend(await pace.map(self._link, rows))
            if len(rows) < page:
                return out
            last = rows[-1][0]
            await pace()

    def link(self, link_id: int) -> Link | None:
        row = self._sql(f"SELECT {self._LINK_COLS} FROM link WHERE id=?", (link_id,)).fetchone()
        return self._link(row) if row else None

    def link_count(self, kind: Kind) -> int:
        return self._sql("SELECT count(*) FROM link WHERE kind=?", (kind,)).fetchone()[0]

    @staticmethod
    def _link(r: tuple) -> Link:
        return Link(
            id=r[0],
            kind=r[1],
            outlook_id=r[2],
            salesforce_id=r[3],
            outlook_version=r[4],
            salesforce_version=r[5],
            snapshot_json=r[6],
            outlook_hash=r[7],
            salesforce_hash=r[8],
            state=r[9],
        )

    def save_link(self, link: Link, run_id: int | None = None) -> Link:
        values = (
            link.kind,
            link.outlook_id,
            link.salesforce_id,
            link.outlook_version,
            link.salesforce_version,
            link.snapshot_json(),
            link.outlook_hash,
            link.salesforce_hash,
            link.state,
            run_id,
            _now(),
        )
        if link.id is None:
            link.id = self._insert(
                "INSERT INTO link(kind, outlook_id, salesforce_id, outlook_version, "
                "salesforce_version, snapshot, outlook_hash, salesforce_hash, state, "
                "run_id, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                values,
            )
        else:
            self._sql(
                "INSERT INTO link(kind, outlook_id, salesforce_id, outlook_version, "
                "salesforce_version, snapshot, outlook_hash, salesforce_hash, state, run_id, "
                "updated_at, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "outlook_id=excluded.outlook_id, salesforce_id=excluded.salesforce_id, "
                "outlook_version=excluded.outlook_version, salesforce_version=excluded.salesforce_version, "
                "snapshot=excluded.snapshot, outlook_hash=excluded.outlook_hash, "
                "salesforce_hash=excluded.salesforce_hash, state=excluded.state, "
                "run_id=excluded.run_id, updated_at=excluded.updated_at",
                values + (link.id,),
            )
        return link

    def save_links(self, links: Sequence[Link], run_id: int | None = None) -> None:
        with self.transaction():
            for link in links:
                self.save_link(link, run_id)

    def delete_link(self, link_id: int) -> None:
        self._sql("DELETE FROM link WHERE id=?", (link_id,))

    def find_link(self, kind: Kind, side: Side, item_id: str) -> Link | None:
        column = "outlook_id" if side == "outlook" else "salesforce_id"
        row = self._sql(
            f"SELECT {self._LINK_COLS} FROM link WHERE kind=? AND {column}=?", (kind, item_id)
        ).fetchone()
        return self._link(row) if row else None

    def forget_kind(self, kind: Kind) -> int:
        """Rebuild: forget links, cursors and issues of one kind. Changes no record."""
        with self.transaction():
            n = self._sql("DELETE FROM link WHERE kind=?", (kind,)).rowcount
            self._sql("DELETE FROM cursor WHERE kind=?", (kind,))
            self._sql("DELETE FROM issue WHERE kind=?", (kind,))
            # Pending intents stay: the next run settles them against the services (a create
            # that happened is linked then, exactly as matching would have paired it).
        return n

    # -- cursors --------------------------------------------------------------------------

    def cursor(self, kind: Kind, side: Side) -> str | None:
        row = self._sql("SELECT value FROM cursor WHERE kind=? AND side=?", (kind, side)).fetchone()
        return row[0] if row else None

    def set_cursor(self, kind: Kind, side: Side, value: str | None) -> None:
        if value is None:
            self._sql("DELETE FROM cursor WHERE kind=? AND side=?", (kind, side))
        else:
            self._sql(
                "INSERT INTO cursor(kind, side, value) VALUES (?,?,?) ON CONFLICT(kind, side) "
                "DO UPDATE SET value=excluded.value",
                (kind, side, value),
            )

    # -- runs -----------------------------------------------------------------------------

    def start_run(self, *, trigger: str, mode: str, kinds: Sequence[str], undo_of: int | None = None) -> int:
        return self._insert(
            "INSERT INTO run(started_at, trigger, mode, kinds, status, undo_of) VALUES (?,?,?,?,?,?)",
            (_now(), trigger, mode, json.dumps(list(kinds)), "running", undo_of),
        )

    def finish_run(self, run_id: int, *, status: str, report: dict[str, Any] | None = None) -> None:
        self._sql(
            "UPDATE run SET finished_at=?, status=?, report=? WHERE id=?",
            (_now(), status, json.dumps(report) if report is not None else None, run_id),
        )

    def mark_undone(self, run_id: int, by_run: int) -> None:
        self._sql("UPDATE run SET undone_by=? WHERE id=?", (by_run, run_id))

    def run(self, run_id: int) -> dict[str, Any] | None:
        rows = self._runs("WHERE id=?", (run_id,))
        return rows[0] if rows else None

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        return self._runs("ORDER BY id DESC LIMIT ?", (limit,))

    def _runs(self, where: str, params: Sequence[SqlValue]) -> list[dict[str, Any]]:
        rows = self._sql(
            "SELECT id, started_at, finished_at, trigger, mode, kinds, status, report, "
            f"undo_of, undone_by FROM run {where}",
            params,
        ).fetchall()
        keys = (
            "id",
            "started_at",
            "finished_at",
            "trigger",
            "mode",
            "kinds",
            "status",
            "report",
            "undo_of",
            "undone_by",
        )
        out = []
        for r in rows:
            d = dict(zip(keys, r, strict=False))
            d["kinds"] = json.loads(d["kinds"] or "[]")
            d["report"] = json.loads(d["report"]) if d["report"] else None
            out.append(d)
        return out

    def last_applied_run(self) -> dict[str, Any] | None:
        """The most recent run that changed anything: a record, or only links (a pairing)."""
        row = self._sql(
            "SELECT run_id FROM journal WHERE status='applied' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return self.run(row[0]) if row else None

    # -- journal (also the intent log of crash safety) --------------------------------------

    def add_intents(self, entries: Sequence[dict[str, Any]]) -> list[int]:
        """Insert pending journal rows, all or none; returns their ids in order."""
        ids = []
        with self.transaction():
            for e in entries:
                ids.append(
                    self._insert(
                        "INSERT INTO journal(run_id, kind, op, side, link_id, target_id, outlook_id, "
                        "salesforce_id, label, before, after, link_before, payload, status, created_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            e["run_id"],
                            e["kind"],
                            e["op"],
                            e.get("side"),
                            e.get("link_id"),
                            e.get("target_id"),
                            e.get("outlook_id"),
                            e.get("salesforce_id"),
                            e.get("label", ""),
                            _dumps(e.get("before")),
                            _dumps(e.get("after")),
                            _dumps(e.get("link_before")),
                            _dumps(e.get("payload")),
                            e.get("status", "pending"),
                            _now(),
                        ),
                    )
                )
        return ids

    def settle_intent(
        self,
        journal_id: int,
        *,
        status: str,
        target_id: str | None = None,
        version: str | None = None,
        error: dict[str, Any] | None = None,
        link_after: dict[str, Any] | None = None,
    ) -> None:
        self._sql(
            "UPDATE journal SET status=?, target_id=COALESCE(?, target_id), version_after=?, "
            "error=?, link_after=? WHERE id=?",
            (status, target_id, version, _dumps(error), _dumps(link_after), journal_id),
        )

    def journal(
        self,
        *,
        run_id: int | None = None,
        kind: Kind | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Journal rows in id order; ``limit``/``offset`` read one page of them (a run of
        thousands of changes need not be loaded at once)."""
        where, params = [], []
        for col, val in (("run_id", run_id), ("kind", kind), ("status", status)):
            if val is not None:
                where.append(f"{col}=?")
                params.append(val)
        sql = (
            "SELECT id, run_id, kind, op, side, link_id, target_id, outlook_id, salesforce_id, label, "
            "before, after, link_before, link_after, payload, status, version_after, error FROM journal"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        keys = (
            "id",
            "run_id",
            "kind",
            "op",
            "side",
            "link_id",
            "target_id",
            "outlook_id",
            "salesforce_id",
            "label",
            "before",
            "after",
            "link_before",
            "link_after",
            "payload",
            "status",
            "version_after",
            "error",
        )
        sql += " ORDER BY id"
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params += [-1 if limit is None else max(0, int(limit)), max(0, int(offset))]
        out = []
        for r in self._sql(sql, params).fetchall():
            d = dict(zip(keys, r, strict=False))
            for k in ("before", "after", "link_before", "link_after", "payload", "error"):
                d[k] = json.loads(d[k]) if d[k] is not None else None
            out.append(d)
        return out

    async def journal_paced(
        self,
        *,
        run_id: int | None = None,
        kind: Kind | None = None,
        status: str | None = None,
        page: int = 200,
    ) -> list[dict[str, Any]]:
        """``journal(...)`` read and decoded a page at a time, handing the event loop a turn
        between pages (a run of thousands of changes is tens of megabytes of JSON)."""
        out: list[dict[str, Any]] = []
        while True:
            rows = self.journal(run_id=run_id, kind=kind, status=status, limit=page, offset=len(out))
            out.extend(rows)
            if len(rows) < page:
                return out
            await asyncio.sleep(0)

    def journal_counts(self, run_id: int) -> dict[str, int]:
        """How many journal entries one run has, without reading them: ``entries``, ``writes``
        (create/update/delete), ``prevented`` and ``paired`` (links made by matching)."""
        row = self._sql(
            "SELECT COUNT(*), COALESCE(SUM(op IN ('create', 'update', 'delete')), 0), "
            "COALESCE(SUM(op = 'prevented'), 0), "
            "COALESCE(SUM(op = 'link' AND json_extract(payload, '$.outcome') IN ('pair', 'match')), 0) "
            "FROM journal WHERE run_id=?",
            [run_id],
        ).fetchone()
        return {
            "entries": int(row[0]),
            "writes": int(row[1]),
            "prevented": int(row[2]),
            "paired": int(row[3]),
        }

    # -- item issues ----------------------------------------------------------------------

    def open_issues(self, kind: Kind | None = None) -> list[dict[str, Any]]:
        sql = (
            "SELECT id, kind, category, code, message, field, outlook_id, salesforce_id, label, "
            "first_run, last_run, count FROM issue WHERE resolved_run IS NULL"
        )
        params: list[Any] = []
        if kind:
            sql += " AND kind=?"
            params.append(kind)
        keys = (
            "id",
            "kind",
            "category",
            "code",
            "message",
            "field",
            "outlook_id",
            "salesforce_id",
            "label",
            "first_run",
            "last_run",
            "count",
        )
        return [dict(zip(keys, r, strict=False)) for r in self._sql(sql + " ORDER BY id", params).fetchall()]

    def record_issue(
        self,
        *,
        kind: Kind,
        category: str,
        code: str,
        message: str,
        run_id: int | None,
        outlook_id: str | None = None,
        salesforce_id: str | None = None,
        field: str | None = None,
        label: str = "",
    ) -> None:
        """Open an issue, or refresh the open one about the same records and category."""
        row = self._sql(
            "SELECT id FROM issue WHERE kind=? AND category=? AND resolved_run IS NULL AND "
            "outlook_id IS ? AND salesforce_id IS ?",
            (kind, category, outlook_id, salesforce_id),
        ).fetchone()
        if row:
            self._sql(
                "UPDATE issue SET code=?, message=?, field=?, label=?, last_run=?, count=count+1 WHERE id=?",
                (code, message, field, label, run_id, row[0]),
            )
        else:
            self._sql(
                "INSERT INTO issue(kind, category, code, message, field, outlook_id, salesforce_id, "
                "label, first_run, last_run, count) VALUES (?,?,?,?,?,?,?,?,?,?,1)",
                (kind, category, code, message, field, outlook_id, salesforce_id, label, run_id, run_id),
            )

    def resolve_issues(self, kind: Kind, run_id: int) -> None:
        """Close the open issues of ``kind`` not refreshed by ``run_id``."""
        self._sql(
            "UPDATE issue SET resolved_run=? WHERE kind=? AND resolved_run IS NULL AND "
            "(last_run IS NULL OR last_run<>?)",
            (run_id, kind, run_id),
        )

    # -- settings (user intent, generic) ----------------------------------------------------

    def setting(self, key: str, default: object = None) -> Any:
        row = self._sql("SELECT value FROM setting WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: object) -> None:
        self._sql(
            "INSERT INTO setting(key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET "
            "value=excluded.value",
            (key, json.dumps(value)),
        )

    def settings(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self._sql("SELECT key, value FROM setting").fetchall()}

    def delete_setting(self, key: str) -> None:
        self._sql("DELETE FROM setting WHERE key=?", (key,))


def _dumps(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)
