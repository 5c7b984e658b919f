"""Settings declared once: defaults a user starts with, CLI strings, validation, locks, presets."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.policy import Policy
from app.settings import (
    LOCKED_MESSAGE,
    SPECS,
    AutoSyncLocked,
    InvalidSetting,
    SettingLocked,
    Settings,
    UnknownSetting,
    auto_sync_unlocked,
    parse_days,
)
from sync.settings import KindSettings
from sync.store import Store


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "tandem.sqlite3")
    yield s
    s.close()


def apply_manual_sync(store: Store) -> None:
    run = store.start_run(trigger="manual", mode="apply", kinds=["contacts"])
    store.finish_run(run, status="applied", report={})


def test_a_new_user_gets_the_documented_defaults(store: Store) -> None:
    s = Settings(store)
    assert s.get("auto.enabled") is False
    assert s.get("auto.frequency_min") == 30
    assert (s.get("auto.window_start"), s.get("auto.window_end")) == ("07:00", "19:00")
    assert s.get("auto.days") == [0, 1, 2, 3, 4]  # Monday to Friday
    assert s.get("events.days_back") == 30 and s.get("events.days_ahead") == 365
    assert s.get("contacts.range") == "mine"
    assert s.get("accounts.salesforce_login_host") == "https://login.salesforce.com"
    assert [s.get(f"notify.on_{x}") for x in ("start", "success", "warnings", "errors")] == [
        False,
        False,
        True,
        True,
    ]
    assert (s.get("summary.after_manual"), s.get("summary.after_auto")) == (True, False)
    assert s.get("contacts.salesforce_no_delete") is True
    assert s.get("events.salesforce_no_delete") is False
    assert s.get("contacts.outlook_folder") is None
    assert store.settings() == {}  # defaults are not written


def test_every_setting_has_a_label_and_a_valid_default() -> None:
    for key, spec in SPECS.items():
        assert spec.label, key
        assert spec.parse(spec.default) == spec.default, key


@pytest.mark.parametrize(
    "key, raw, stored",
    [
        ("auto.enabled", "false", False),
        ("notify.on_success", "yes", True),
        ("auto.frequency_min", "60", 60),
        ("auto.window_start", "7:30", "07:30"),
        ("auto.days", "mon-fri", [0, 1, 2, 3, 4]),
        ("auto.days", "sat,sun", [5, 6]),
        ("auto.days", "fri-mon", [0, 4, 5, 6]),
        ("auto.days", "[0, 2]", [0, 2]),
        ("auto.days", "every day", [0, 1, 2, 3, 4, 5, 6]),
        ("contacts.conflict_policy", "ask", "ask"),
        ("contacts.outlook_folder", "AAMkAD=", "AAMkAD="),
        ("contacts.outlook_folder", "none", None),
        (
            "accounts.salesforce_login_host",
            "https://acme.my.salesforce.com/",
            "https://acme.my.salesforce.com",
        ),
    ],
)
def test_cli_strings_are_parsed_by_the_declared_type(store: Store, key: str, raw: str, stored) -> None:
    s = Settings(store)
    assert s.set(key, raw) == stored
    assert s.get(key) == stored
    assert store.setting(key) == stored


@pytest.mark.parametrize(
    "key, raw, words",
    [
        ("auto.frequency_min", "45", "choose one of: 5, 10, 15, 30, 60, 120, 240"),
        ("auto.enabled", "maybe", "use true or false"),
        ("auto.window_end", "25:00", "use a time like 07:00"),
        ("contacts.range", "everyone", "choose one of: mine, all, team, campaign"),
        ("events.days_back", "-1", "the smallest allowed value is 0"),
        ("auto.days", "funday", "use day names"),
        ("accounts.salesforce_login_host", "http://login.salesforce.com", "https://"),
        ("accounts.salesforce_login_host", "none", "use an address starting with https://"),
        ("auto.window_start", "none", "use a time like 07:00"),
    ],
)
def test_bad_values_are_refused_with_plain_words_and_nothing_is_saved(store: Store, key, raw, words) -> None:
    s = Settings(store)
    with pytest.raises(InvalidSetting) as exc:
        s.set(key, raw)
    assert words in exc.value.message and SPECS[key].label in exc.value.message
    assert store.settings() == {}


def test_unknown_key_is_refused(store: Store) -> None:
    with pytest.raises(UnknownSetting, match="no setting called 'auto.speed'"):
        Settings(store).set("auto.speed", "1")


def test_a_locked_setting_wins_and_refuses_changes(store: Store) -> None:
    store.set_setting("contacts.salesforce_no_delete", False)  # the user's earlier choice
    s = Settings(store, Policy(locked={"contacts.salesforce_no_delete": True}))
    assert s.is_locked("contacts.salesforce_no_delete")
    assert s.get("contacts.salesforce_no_delete") is True
    with pytest.raises(SettingLocked) as exc:
        s.set("contacts.salesforce_no_delete", "false")
    assert exc.value.message.startswith(LOCKED_MESSAGE)
    with pytest.raises(SettingLocked):
        s.reset("contacts.salesforce_no_delete")
    s.set("contacts.salesforce_no_delete", True)  # its own value is harmless
    assert s.state("contacts.salesforce_no_delete").source == "locked"


def test_policy_default_applies_until_the_user_chooses(store: Store) -> None:
    s = Settings(store, Policy(defaults={"events.days_ahead": 180}))
    assert s.get("events.days_ahead") == 180 and s.state("events.days_ahead").source == "policy"
    s.set("events.days_ahead", "90")
    assert s.get("events.days_ahead") == 90
    s.reset("events.days_ahead")
    assert s.get("events.days_ahead") == 180


def test_a_stored_value_that_no_longer_validates_falls_back_to_the_default(store: Store) -> None:
    store.set_setting("auto.frequency_min", 7)
    store.set_setting("contacts.range", 42)
    s = Settings(store)
    assert s.get("auto.frequency_min") == 30 and s.get("contacts.range") == "mine"


def test_auto_sync_stays_off_until_a_manual_sync_was_applied(store: Store) -> None:
    s = Settings(store)
    assert not auto_sync_unlocked(store)
    with pytest.raises(AutoSyncLocked, match="first manual sync"):
        s.set("auto.enabled", "true")
    preview_only = store.start_run(trigger="manual", mode="preview", kinds=["contacts"])
    store.finish_run(preview_only, status="applied")
    assert not auto_sync_unlocked(store)
    apply_manual_sync(store)
    assert auto_sync_unlocked(store)
    assert s.set("auto.enabled", "true") is True


def test_kind_settings_resolve_what_the_engine_obeys(store: Store) -> None:
    s = Settings(store, Policy(locked={"tasks.conflict_policy": "outlook_wins"}))
    assert s.kind_settings("contacts") == KindSettings.default("contacts")
    s.set("events.outlook_no_delete", "true")
    s.set("events.include_private", "true")
    ks = s.kind_settings("events")
    assert ks.prevents("outlook", "delete") and ks.include_private
    assert not ks.prevents("salesforce", "delete")
    assert s.kind_settings("tasks").conflict_policy == "outlook_wins"


def test_presets_set_the_six_switches_and_other_combinations_show_as_custom(store: Store) -> None:
    s = Settings(store)
    assert s.preset("contacts") == "both" and s.preset("events") == "both"
    s.apply_preset("events", "to_outlook")
    assert s.preset("events") == "to_outlook"
    assert [s.get(f"events.salesforce_no_{op}") for op in ("create", "update", "delete")] == [True] * 3
    s.set("events.salesforce_no_update", False)
    assert s.preset("events") == "custom"
    s.apply_preset("contacts", "to_salesforce")
    assert s.preset("contacts") == "to_salesforce"
    s.apply_preset("contacts", "both")
    s.set("contacts.salesforce_no_delete", False)  # switching the safety off keeps "Both ways"
    assert s.preset("contacts") == "both"


def test_a_preset_touching_a_locked_switch_changes_nothing(store: Store) -> None:
    s = Settings(store, Policy(locked={"contacts.outlook_no_delete": True}))
    with pytest.raises(SettingLocked):
        s.apply_preset("contacts", "to_outlook")
    assert store.settings() == {}


def test_background_kinds_are_enabled_and_included(store: Store) -> None:
    s = Settings(store)
    s.set("tasks.enabled", False)
    s.set("events.background", False)
    assert s.background_kinds() == ["contacts"]
    assert s.enabled_kinds() == ["contacts", "events"]


def test_describe_lists_each_setting_with_its_source_for_the_dialog(store: Store) -> None:
    s = Settings(store, Policy(locked={"auto.frequency_min": 60}))
    s.set("auto.window_start", "08:00")
    rows = {r.spec.key: r for r in s.describe("auto")}
    assert rows["auto.frequency_min"].locked and rows["auto.frequency_min"].value == 60
    assert rows["auto.window_start"].source == "user"
    assert rows["auto.days"].source == "default"
    assert "contacts.range" not in rows
    assert set(s.all()) == set(SPECS)
    assert SPECS["auto.days"].format(s.get("auto.days")) == "mon,tue,wed,thu,fri"


def test_listeners_hear_about_changes(store: Store) -> None:
    s = Settings(store)
    heard: list[list[str]] = []
    s.on_change(heard.append)
    s.set("auto.frequency_min", 15)
    assert heard == [["auto.frequency_min"]]


def test_days_accept_names_and_numbers() -> None:
    assert parse_days(["Sat", "sunday", 1]) == [1, 5, 6]
    assert parse_days("weekdays") == [0, 1, 2, 3, 4]


def test_the_engine_switch_defaults_come_from_the_engine_declaration(store: Store) -> None:
    """One declaration: a new user's switches are KindSettings.default (contacts: do not delete
    in Salesforce), and each declared default is the engine's."""
    s = Settings(store)
    for kind in ("contacts", "events", "tasks"):
        engine = KindSettings.default(kind)
        assert s.kind_settings(kind) == engine
        for name, value in engine.to_json().items():
            if f"{kind}.{name}" in SPECS:
                assert SPECS[f"{kind}.{name}"].default == value, (kind, name)


def test_the_phone_region_reaches_the_engine(store: Store) -> None:
    s = Settings(store)
    assert s.get("contacts.phone_region") is None
    assert s.kind_settings("contacts").phone_region is None
    assert s.set("contacts.phone_region", " gb ") == "GB"
    assert s.kind_settings("contacts").phone_region == "GB"
    with pytest.raises(InvalidSetting, match="country code"):
        s.set("contacts.phone_region", "XX")
    assert s.set("contacts.phone_region", "none") is None
    assert s.kind_settings("contacts").phone_region is None


def test_a_policy_sets_the_phone_region_for_everyone(store: Store) -> None:
    s = Settings(store, Policy(locked={"contacts.phone_region": "DE"}))
    assert s.kind_settings("contacts").phone_region == "DE"


def test_the_sources_read_typed_settings(store: Store) -> None:
    s = Settings(store)
    s.set_many(
        {
            "contacts.range": "campaign",
            "contacts.campaign_id": "701000000000001",
            "events.days_back": "7",
            "events.include_private": "yes",
            "tasks.outlook_folder": "list-1",
            "tasks.closed_days": "3",
        }
    )
    contacts, events, tasks = s.contact_sources(), s.event_sources(), s.task_sources()
    assert (contacts.outlook_folder, contacts.range, contacts.campaign_id) == (
        None,
        "campaign",
        "701000000000001",
    )
    assert (events.days_back, events.days_ahead, events.include_private) == (7, 365, True)
    assert (tasks.outlook_folder, tasks.closed_days) == ("list-1", 3)
