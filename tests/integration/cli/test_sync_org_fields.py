"""Fields an org lacks: a sync against an org without MiddleName / Suffix, or with Contact.Title
hidden by field-level security, finishes, writes nothing to those fields, says so in the
preview, and a second sync changes nothing. The describe is fetched once, then revalidated."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.seed("demo")


def _outlook_contact(box, **extra: object) -> dict:
    folder = next(f for f in box.state.graph_items("contactFolders") if f.get("_root"))
    return box.state.graph_create(
        "contacts",
        {
            "givenName": "Mira",
            "surname": "Okafor",
            "emailAddresses": [{"address": "mira.okafor@example.org", "name": "Mira Okafor"}],
            **extra,
        },
        container=folder["id"],
    )


def _sf_contact(box, email: str) -> dict:
    return next(c for c in box.state.sf["records"]["Contact"].values() if (c.get("Email") or "") == email)


def _writes(plan: dict) -> list[dict]:
    return [a for a in plan["kinds"]["contacts"]["actions"] if a["op"] in ("create", "update", "delete")]


def _describes(box) -> int:
    endpoints = box.control("requests")["services"]["salesforce"]["endpoints"]
    return sum(n for name, n in endpoints.items() if name.endswith("/describe"))


def test_sync_against_an_org_without_middle_names_and_suffixes(cli) -> None:
    box = cli.sandbox
    box.control("POST config", {"sf_org_features": "no-middle-name,no-suffix"})
    _outlook_contact(box, middleName="Adaeze", generation="Jr.", jobTitle="Buyer")

    code, plan, err = cli.run("sync", "--kind", "contacts", "--preview", "--json")
    assert code in (0, 3), err  # 3: the demo holds one contact for the person
    notes = plan["kinds"]["contacts"]["notes"]
    assert notes == [
        "This Salesforce org has no Middle name or Suffix field: Outlook's middle names and "
        "suffixes are not sent."
    ]
    assert "note: This Salesforce org has no Middle name or Suffix field" in err
    create = next(a for a in plan["kinds"]["contacts"]["actions"] if a["label"].startswith("Mira"))
    assert "MiddleName" not in create["changes"] and "Suffix" not in create["changes"]

    code, result, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
    assert code in (0, 3), err  # 3: the demo holds one contact for the person
    assert result["kinds"]["contacts"]["counts"]["errors"] == 0
    made = _sf_contact(box, "mira.okafor@example.org")
    assert made["Title"] == "Buyer"
    assert made.get("MiddleName") is None and made.get("Suffix") is None

    code, again, err = cli.run("sync", "--kind", "contacts", "--preview", "--json")
    assert code in (0, 3), err  # 3: the demo holds one contact for the person
    assert _writes(again) == []

    # An edit of the middle name in Outlook is not a change Salesforce can take: nothing to do.
    item = next(c for c in box.state.graph_items("contacts") if c.get("surname") == "Okafor")
    box.state.graph_update("contacts", item["id"], {"middleName": "Ada"})
    code, again, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
    assert code in (0, 3), err  # 3: the demo holds one contact for the person
    assert _writes(again) == [], again
    item = next(c for c in box.state.graph_items("contacts") if c.get("surname") == "Okafor")
    assert item["middleName"] == "Ada" and item["generation"] == "Jr."  # Outlook keeps its own


def test_sync_with_a_hidden_job_title_and_the_describe_revalidated(cli) -> None:
    box = cli.sandbox
    box.control("POST config", {"sf_hidden_fields": "Contact.Title"})
    _outlook_contact(box, jobTitle="Buyer")
    box.control("POST requests/reset")

    code, plan, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
    assert code in (0, 3), err  # 3: the demo holds one contact for the person
    assert plan["kinds"]["contacts"]["notes"] == [
        "This Salesforce org has no Job title field: Outlook's job titles are not sent."
    ]
    assert plan["kinds"]["contacts"]["counts"]["errors"] == 0
    assert _sf_contact(box, "mira.okafor@example.org").get("Title") is None
    first = box.control("requests")["services"]["salesforce"]["endpoints"]
    assert _describes(box) == 1, first

    code, again, err = cli.run("sync", "--kind", "contacts", "--preview", "--json")
    assert code in (0, 3), err  # 3: the demo holds one contact for the person
    assert _writes(again) == []
    assert _describes(box) == 2  # one conditional GET per run
