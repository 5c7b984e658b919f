"""The administrator's policy file: defaults, locks, and bad files that never crash Tandem."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.policy import PolicyError, load_policy, policy_dirs, read_policy_file
from app.settings import LOCKED_MESSAGE, SettingLocked, Settings
from sync.store import Store


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "tandem.sqlite3")
    yield s
    s.close()


TOML = """\
[defaults]
"events.days_ahead" = 180
auto.frequency_min = 60

[locked]
contacts.salesforce_no_delete = true
accounts.salesforce_login_host = "https://acme.my.salesforce.com"
auto.days = "mon-thu"
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_policy_sets_defaults_and_locks(tmp_path: Path, store: Store) -> None:
    policy = load_policy([write(tmp_path / "etc", "tandem-policy.toml", TOML).parent])
    assert policy.problems == []
    s = Settings(store, policy)
    assert s.get("events.days_ahead") == 180 and not s.is_locked("events.days_ahead")
    assert s.get("auto.frequency_min") == 60
    assert s.get("auto.days") == [0, 1, 2, 3]
    assert s.is_locked("accounts.salesforce_login_host")
    with pytest.raises(SettingLocked, match=LOCKED_MESSAGE):
        s.set("accounts.salesforce_login_host", "https://login.salesforce.com")
    s.set("events.days_ahead", 30)  # a default is only a starting point
    assert s.get("events.days_ahead") == 30


def test_json_policy_with_nested_keys(tmp_path: Path, store: Store) -> None:
    path = write(
        tmp_path,
        "tandem-policy.json",
        '{"defaults": {"summary": {"after_auto": true}},\n'
        ' "locked": {"contacts.range": "team", "notify": {"on_errors": true}}}\n',
    )
    policy = read_policy_file(path)
    assert policy.defaults == {"summary.after_auto": True}
    assert policy.locked == {"contacts.range": "team", "notify.on_errors": True}
    assert Settings(store, policy).get("contacts.range") == "team"


def test_locked_wins_over_a_default_for_the_same_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "tandem-policy.json",
        '{"defaults": {"auto.frequency_min": 15}, "locked": {"auto.frequency_min": 120}}',
    )
    policy = read_policy_file(path)
    assert policy.locked == {"auto.frequency_min": 120} and policy.defaults == {}


def test_unknown_keys_and_bad_values_are_reported_with_their_line_and_the_rest_applies(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "tandem-policy.toml",
        "[locked]\n"
        "auto.frequency_min = 45\n"
        'contacts.colour = "blue"\n'
        "auto.enabled = false\n"
        "[extras]\n"
        "x = 1\n",
    )
    policy = load_policy([tmp_path])
    assert policy.locked == {"auto.enabled": False}
    found = {(p.line, p.key): str(p) for p in policy.problems}
    assert set(found) == {(2, "auto.frequency_min"), (3, "contacts.colour"), (5, "extras")}
    assert "choose one of" in found[(2, "auto.frequency_min")]
    assert "unknown setting 'contacts.colour'" in found[(3, "contacts.colour")]
    assert str(path) in found[(3, "contacts.colour")] and "line 3" in found[(3, "contacts.colour")]


@pytest.mark.parametrize(
    "name, text, line, words",
    [
        ("tandem-policy.json", '{"locked": {\n  "auto.enabled": tru\n}}', 2, "not valid JSON"),
        ("tandem-policy.toml", "[locked]\nauto.enabled = \n", 2, "not valid TOML"),
        ("tandem-policy.json", '["auto.enabled"]', 1, "must hold an object"),
        ("tandem-policy.json", '{"locked": ["auto.enabled"]}', 1, "must map setting keys"),
    ],
)
def test_a_broken_file_is_named_with_its_line_and_never_crashes(
    tmp_path: Path, store: Store, name: str, text: str, line: int, words: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(PolicyError) as exc:
        read_policy_file(path)
    assert str(path) in exc.value.message and f"line {line}" in exc.value.message
    assert words in exc.value.message and exc.value.ids["line"] == line
    policy = load_policy([tmp_path])  # the app keeps going on built-in settings
    assert policy.locked == {} and [p.severity for p in policy.problems] == ["error"]
    assert policy.problems[0].line == line
    assert Settings(store, policy).get("auto.enabled") is False


def test_an_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "tandem-policy.json").write_bytes(b"\xff\xfe\x00bad")
    policy = load_policy([tmp_path])
    assert policy.problems and policy.problems[0].severity == "error"


def test_the_system_config_dir_wins_over_the_installation_dir_and_locks_add_up(tmp_path: Path) -> None:
    install = write(
        tmp_path / "install",
        "tandem-policy.json",
        '{"locked": {"auto.frequency_min": 60, "notify.on_errors": true}}',
    ).parent
    system = write(tmp_path / "system", "tandem-policy.toml", "[locked]\nauto.frequency_min = 240\n").parent
    policy = load_policy([install, system])
    assert policy.locked == {"auto.frequency_min": 240, "notify.on_errors": True}
    assert len(policy.sources) == 2


def test_no_policy_file_means_no_policy(tmp_path: Path) -> None:
    policy = load_policy([tmp_path / "nowhere"])
    assert policy.locked == {} and policy.defaults == {} and policy.problems == []


def test_policy_is_looked_for_beside_the_installation_and_in_the_system_config_dir() -> None:
    dirs = policy_dirs()
    assert (dirs[0] / "main.py").exists()
    assert dirs[1].name == "Tandem"
