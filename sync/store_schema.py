"""Schema of the profile store: peewee models (for queries) and the migrations (explicit DDL).

Migration ``n`` brings a database from version ``n`` to ``n + 1``; each is written as the SQL
of that version, so later changes to the models never change what an old migration does.
Add a migration by appending a function to ``MIGRATIONS``; the store backs the file up before
running it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import peewee as pw

V1 = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE link (
        id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
        outlook_id TEXT, salesforce_id TEXT, outlook_version TEXT, salesforce_version TEXT,
        snapshot TEXT NOT NULL, outlook_hash TEXT NOT NULL, salesforce_hash TEXT NOT NULL,
        state TEXT NOT NULL, run_id INTEGER, updated_at TEXT)""",
    "CREATE UNIQUE INDEX link_outlook ON link(kind, outlook_id)",
    "CREATE UNIQUE INDEX link_salesforce ON link(kind, salesforce_id)",
    """CREATE TABLE cursor (kind TEXT NOT NULL, side TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (kind, side))""",
    """CREATE TABLE run (
        id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, trigger TEXT NOT NULL,
        mode TEXT NOT NULL, kinds TEXT NOT NULL, status TEXT NOT NULL, report TEXT,
        undo_of INTEGER, undone_by INTEGER)""",
    """CREATE TABLE journal (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, kind TEXT NOT NULL, op TEXT NOT NULL,
        side TEXT, link_id INTEGER, target_id TEXT, outlook_id TEXT, salesforce_id TEXT,
        label TEXT, before TEXT, after TEXT, link_before TEXT, link_after TEXT, payload TEXT,
        status TEXT NOT NULL, version_after TEXT, error TEXT, created_at TEXT NOT NULL)""",
    "CREATE INDEX journal_run ON journal(run_id)",
    "CREATE INDEX journal_status ON journal(kind, status)",
    """CREATE TABLE issue (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, category TEXT NOT NULL, code TEXT NOT NULL,
        message TEXT NOT NULL, field TEXT, outlook_id TEXT, salesforce_id TEXT, label TEXT,
        first_run INTEGER, last_run INTEGER, count INTEGER NOT NULL DEFAULT 1, resolved_run INTEGER)""",
    "CREATE INDEX issue_open ON issue(kind, resolved_run)",
    "CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
]


def migrate_v1(db: pw.Database) -> None:
    for statement in V1:
        db.execute_sql(statement)


MIGRATIONS: list[Callable[[pw.Database], None]] = [migrate_v1]


def define_models(db: pw.Database) -> SimpleNamespace:
    """Model classes bound to ``db`` only (each Store gets its own)."""

    class Base(pw.Model):
        class Meta:
            database = db

    class Meta(Base):
        key = pw.TextField(primary_key=True)
        value = pw.TextField()

        class Meta:
            table_name = "meta"

    class LinkRow(Base):
        kind = pw.TextField()
        outlook_id = pw.TextField(null=True)
        salesforce_id = pw.TextField(null=True)
        outlook_version = pw.TextField(null=True)
        salesforce_version = pw.TextField(null=True)
        snapshot = pw.TextField()
        outlook_hash = pw.TextField()
        salesforce_hash = pw.TextField()
        state = pw.TextField()
        run_id = pw.IntegerField(null=True)
        updated_at = pw.TextField(null=True)

        class Meta:
            table_name = "link"

    class Run(Base):
        started_at = pw.TextField()
        finished_at = pw.TextField(null=True)
        trigger = pw.TextField()
        mode = pw.TextField()
        kinds = pw.TextField()
        status = pw.TextField()
        report = pw.TextField(null=True)
        undo_of = pw.IntegerField(null=True)
        undone_by = pw.IntegerField(null=True)

        class Meta:
            table_name = "run"

    class Issue(Base):
        kind = pw.TextField()
        category = pw.TextField()
        code = pw.TextField()
        message = pw.TextField()
        field = pw.TextField(null=True)
        outlook_id = pw.TextField(null=True)
        salesforce_id = pw.TextField(null=True)
        label = pw.TextField(null=True)
        first_run = pw.IntegerField(null=True)
        last_run = pw.IntegerField(null=True)
        count = pw.IntegerField(default=1)
        resolved_run = pw.IntegerField(null=True)

        class Meta:
            table_name = "issue"

    class Setting(Base):
        key = pw.TextField(primary_key=True)
        value = pw.TextField()

        class Meta:
            table_name = "setting"

    return SimpleNamespace(Meta=Meta, Link=LinkRow, Run=Run, Issue=Issue, Setting=Setting)
