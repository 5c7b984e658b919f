"""Deletions in Salesforce reach Outlook through each of the ways Tandem reads them: the
recycle bin (a sync within two minutes of the last: getDeleted refuses so short a window),
getDeleted, and, when getDeleted refuses the window (more ids than it lists at once), a full
listing reconciled id by id: exactly the deleted records go, and the next sync changes nothing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.seed("demo")


def _linked_sf_contacts(box) -> list[dict]:
    outlook = {
        (a.get("address") or "").lower()
        for c in box.state.graph_items("contacts")
        for a in c.get("emailAddresses") or []
    }
    rows = [
        c for c in box.state.sf["records"]["Contact"].values() if (c.get("Email") or "").lower() in outlook
    ]
    return sorted(rows, key=lambda c: c["Email"])


def _outlook_emails(box) -> set[str]:
    return {
        (a.get("address") or "").lower()
        for c in box.state.graph_items("contacts")
        for a in c.get("emailAddresses") or []
    }


def _deletion_endpoints(box) -> set[str]:
    endpoints = box.control("requests")["services"]["salesforce"]["endpoints"]
    return {name for name in endpoints if name.endswith("/deleted") or name.endswith("/queryAll")}


def _sync(cli, *extra: str) -> dict:
    code, result, err = cli.run("sync", "--kind", "contacts", "--yes", "--json", *extra)
    assert code in (0, 3), err  # 3: the demo holds one contact for the person
    assert result is not None
    return result


def _writes(result: dict) -> list[dict]:
    return [a for a in result["kinds"]["contacts"]["actions"] if a["op"] in ("create", "update", "delete")]


def test_deletions_in_salesforce_reach_outlook_by_recycle_bin_and_by_get_deleted(cli) -> None:
    box = cli.sandbox
    _sync(cli)
    first, second, *_ = _linked_sf_contacts(box)

    box.state.sf_delete("Contact", first["Id"])
    box.control("POST requests/reset")
    result = _sync(cli, "--confirm-deletes")
    assert result["kinds"]["contacts"]["counts"]["outlook"]["delete"] == 1
    assert first["Email"].lower() not in _outlook_emails(box)
    assert _deletion_endpoints(box) == {"GET /services/data/v{version}/queryAll"}

    box.control("POST clock", {"advance_s": 600})
    box.state.sf_delete("Contact", second["Id"])
    box.control("POST clock", {"advance_s": 180})
    box.control("POST requests/reset")
    result = _sync(cli, "--confirm-deletes")
    assert result["kinds"]["contacts"]["counts"]["outlook"]["delete"] == 1
    assert second["Email"].lower() not in _outlook_emails(box)
    assert _deletion_endpoints(box) == {"GET /services/data/v{version}/sobjects/{sobject}/deleted"}, (
        box.control("requests")["services"]["salesforce"]["endpoints"]
    )

    assert _writes(_sync(cli)) == []


def test_more_deletions_than_get_deleted_lists_fall_back_to_a_full_reconcile(cli) -> None:
    box = cli.sandbox
    _sync(cli)
    linked = _linked_sf_contacts(box)
    gone, kept = linked[:3], linked[3:]
    assert kept
    box.control("POST config", {"sf_replication_id_limit": 2})
    box.control("POST clock", {"advance_s": 600})
    for row in gone:
        box.state.sf_delete("Contact", row["Id"])
    box.control("POST clock", {"advance_s": 180})
    box.control("POST requests/reset")

    result = _sync(cli, "--confirm-deletes")
    assert result["kinds"]["contacts"]["counts"]["outlook"]["delete"] == 3
    emails = _outlook_emails(box)
    assert not {r["Email"].lower() for r in gone} & emails
    assert {r["Email"].lower() for r in kept} <= emails
    # getDeleted was asked once and refused; the full listing and the read of the linked ids
    # that it no longer holds took its place
    endpoints = box.control("requests")["services"]["salesforce"]["endpoints"]
    assert endpoints["GET /services/data/v{version}/sobjects/{sobject}/deleted"] == 1, endpoints
    assert endpoints["GET /services/data/v{version}/query"] >= 2, endpoints

    box.control("POST clock", {"advance_s": 180})
    assert _writes(_sync(cli)) == []
    assert {r["Email"].lower() for r in kept} <= _outlook_emails(box)
