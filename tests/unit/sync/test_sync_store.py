"""The profile store: schema version, migrations with backup, damaged and newer files."""

from __future__ import annotations

import sqlite3

import pytest
from sync_helpers import contact

from sync.errors import DatabaseCorrupt, DatabaseTooNew, DiskFull, LinkConflict, StoreError
from sync.links import Link
from sync.store import Store, convert_db_error
from sync.store_schema import MIGRATIONS


def test_new_store_has_the_current_schema_version(tmp_path):
    with Store(tmp_path / "tandem.db") as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not list(tmp_path.glob("*.bak-*"))  # nothing to back up for a new file


def test_links_round_trip_with_snapshot_and_hashes(tmp_path):
    with Store(tmp_path / "tandem.db") as store:
        link = store.save_link(Link(kind="contacts", outlook_id="O1", salesforce_id="S1", snapshot=contact()))
        again = store.link(link.id)
        assert (again.outlook_id, again.salesforce_id, again.state) == ("O1", "S1", "linked")
        assert again.snapshot == contact() and again.outlook_hash == link.outlook_hash
        assert store.find_link("contacts", "salesforce", "S1").id == link.id
        with pytest.raises(
            LinkConflict, match="already paired"
        ):  # one-to-one: the same Outlook id cannot be linked twice
            store.save_link(Link(kind="contacts", outlook_id="O1", salesforce_id="S2", snapshot=contact()))


def test_migration_backs_up_the_file_first(tmp_path):
    path = tmp_path / "tandem.db"
    with Store(path, migrations=MIGRATIONS) as store:
        store.set_setting("contacts.enabled", True)

    def v2(db):
        db.execute_sql("ALTER TABLE link ADD COLUMN note TEXT")

    with Store(path, migrations=[*MIGRATIONS, v2]) as store:
        assert store.schema_version == 2
        assert store.setting("contacts.enabled") is True
    backup = tmp_path / "tandem.db.bak-v1"
    assert backup.exists()
    con = sqlite3.connect(backup)
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "1"
    assert con.execute("SELECT value FROM setting WHERE key='contacts.enabled'").fetchone()[0] == "true"
    con.close()


def test_failed_migration_leaves_the_old_version(tmp_path):
    path = tmp_path / "tandem.db"
    Store(path).close()

    def broken(db):
        db.execute_sql("CREATE TABLE extra (x)")
        raise sqlite3.OperationalError("boom")

    with pytest.raises(StoreError):
        Store(path, migrations=[*MIGRATIONS, broken])
    with Store(path) as store:
        assert store.schema_version == 1
        assert not store.db.execute_sql("SELECT name FROM sqlite_master WHERE name='extra'").fetchone()


def test_newer_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "tandem.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew) as info:
        Store(path)
    assert "newer version of Tandem" in info.value.message
    assert info.value.title == "This profile was used by a newer Tandem"
    assert path.read_bytes() == before


def test_garbage_file_is_reported_as_damaged_and_untouched(tmp_path):
    path = tmp_path / "tandem.db"
    path.write_bytes(b"this is not a database at all" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseCorrupt) as info:
        Store(path)
    assert info.value.title == "Tandem's database is damaged"
    assert "left it untouched" in info.value.message
    assert path.read_bytes() == before
    assert not (tmp_path / "tandem.db-wal").exists()


def test_truncated_database_is_reported_as_damaged(tmp_path):
    path = tmp_path / "tandem.db"
    with Store(path) as store:
        for i in range(300):
            store.save_link(
                Link(kind="contacts", outlook_id=f"O{i}", salesforce_id=f"S{i}", snapshot=contact())
            )
        store.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    page = 4096
    assert len(data) > 4 * page
    path.write_bytes(data[: 2 * page] + b"\xff" * page + data[3 * page :])  # one page overwritten
    with pytest.raises(DatabaseCorrupt):
        Store(path)


def test_foreign_sqlite_file_is_not_taken_over(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE photos (id)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseCorrupt) as info:
        Store(path)
    assert "not one of Tandem's" in info.value.message


def test_disk_full_becomes_a_typed_error(tmp_path):
    err = convert_db_error(sqlite3.OperationalError("database or disk is full"), tmp_path / "t.db")
    assert isinstance(err, DiskFull) and "Free some space" in err.message


def test_settings_are_generic_json(tmp_path):
    with Store(tmp_path / "tandem.db") as store:
        store.set_setting("auto.window", {"from": "07:00", "to": "19:00"})
        store.set_setting("auto.days", ["mon", "tue"])
        assert store.settings() == {
            "auto.window": {"from": "07:00", "to": "19:00"},
            "auto.days": ["mon", "tue"],
        }
        assert store.setting("missing", 30) == 30


def test_rebuild_forgets_links_cursors_and_issues_of_one_kind_only(tmp_path):
    with Store(tmp_path / "tandem.db") as store:
        store.save_link(Link(kind="contacts", outlook_id="O1", salesforce_id="S1", snapshot=contact()))
        store.save_link(
            Link(
                kind="tasks",
                outlook_id="O1",
                salesforce_id="S1",
                snapshot={"Subject": "x", "Status": "Not Started"},
            )
        )
        store.set_cursor("contacts", "outlook", "c1")
        store.set_cursor("tasks", "outlook", "t1")
        store.record_issue(
            kind="contacts", category="error", code="x", message="m", run_id=None, outlook_id="O1"
        )
        assert store.forget_kind("contacts") == 1
        assert store.links("contacts") == [] and len(store.links("tasks")) == 1
        assert store.cursor("contacts", "outlook") is None and store.cursor("tasks", "outlook") == "t1"
        assert store.open_issues("contacts") == []


def test_issues_are_refreshed_then_resolved(tmp_path):
    with Store(tmp_path / "tandem.db") as store:
        kw = dict(
            kind="contacts", category="error", code="stale", message="changed meanwhile", outlook_id="O1"
        )
        store.record_issue(run_id=1, **kw)
        store.record_issue(run_id=2, **kw)
        (issue,) = store.open_issues("contacts")
        assert issue["count"] == 2 and issue["first_run"] == 1 and issue["last_run"] == 2
        store.resolve_issues("contacts", 2)
        assert len(store.open_issues("contacts")) == 1  # refreshed by run 2: still open
        store.resolve_issues("contacts", 3)
        assert store.open_issues("contacts") == []


def test_two_stores_at_once_do_not_share_a_database(tmp_path):
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    a.set_setting("k", 1)
    assert b.setting("k") is None
    assert a.m.Setting.select().count() == 1 and b.m.Setting.select().count() == 0
    a.close()
    b.close()
