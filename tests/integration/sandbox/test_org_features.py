"""The org's switches and the edge seed reach the sandbox from the command line and the control API."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sandbox.org_features import OrgFeatureError, parse_features, parse_hidden_fields
from sandbox.seed import parse_spec

ROOT = __import__("pathlib").Path(__file__).resolve().parents[3]


def test_features_are_on_unless_named_with_no() -> None:
    assert parse_features(None) == {"middle-name": True, "suffix": True, "multiday-events": True}
    assert parse_features("no-middle-name, no-multiday-events") == {
        "middle-name": False,
        "suffix": True,
        "multiday-events": False,
    }
    with pytest.raises(OrgFeatureError, match="unknown org feature 'no-persons'"):
        parse_features("no-persons")


def test_hidden_fields_must_name_object_and_field() -> None:
    assert parse_hidden_fields("Contact.Title, Event.Location") == ["Contact.Title", "Event.Location"]
    with pytest.raises(OrgFeatureError, match="Object.Field"):
        parse_hidden_fields("Title")


def test_edge_is_a_seed() -> None:
    assert parse_spec("edge") == ("edge", None)


def test_control_api_sets_and_refuses_org_switches(sandbox) -> None:
    sandbox.control("POST config", {"sf_org_features": "no-suffix", "sf_hidden_fields": "Contact.Title"})
    assert sandbox.state.sf_feature("suffix") is False
    assert sandbox.state.sf_feature("middle-name") is True
    assert sandbox.state.sf_field_hidden("Contact", "title") is True
    with sandbox.client() as c:
        r = c.post("/_sandbox/config", json={"sf_org_features": "no-such-thing"})
    assert r.status_code == 400
    assert "unknown org feature" in r.json()["error"]


def test_serve_refuses_an_unknown_feature_with_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "sandbox", "serve", "--sf-org-features", "no-colour"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown org feature 'no-colour'" in done.stderr
    assert "Traceback" not in done.stderr
