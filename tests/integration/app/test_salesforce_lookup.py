"""app.salesforce_lookup against the sandbox: private contacts, account search, relate."""

from __future__ import annotations

import asyncio

import pytest
from accounts_helpers import sign_in_profile
from accounts_keyring import MemoryKeyring

from app import salesforce_lookup as lookup


@pytest.fixture
def ctx(sandbox, tmp_path, monkeypatch):
    """A profile signed in to both services of the sandbox (no Qt)."""
    from app import redaction
    from app.context import AppContext

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "accounts_keyring.MemoryKeyring")
    MemoryKeyring.store.clear()
    profile = tmp_path / "profile"
    sign_in_profile(sandbox, profile, monkeypatch, outlook=False)
    context = AppContext.open(profile, sandbox_url=sandbox.base_url, sandbox_ca=sandbox.ca_file)
    yield context
    context.close()
    redaction.uninstall()
    MemoryKeyring.store.clear()


def _contacts(sandbox):
    return sandbox.state.sf["records"]["Contact"]


@pytest.mark.seed("demo")
def test_private_contacts_are_mine_without_an_account(sandbox, ctx):
    me = sandbox.state.sf["me"]
    expected = {
        c["Id"] for c in _contacts(sandbox).values() if c.get("OwnerId") == me and not c.get("AccountId")
    }
    assert len(expected) == 4  # the demo world: 4 of Morgan's contacts are private

    found = asyncio.run(lookup.private_contacts(ctx))

    assert {c.id for c in found} == expected
    assert all(c.name for c in found)
    assert not any(c.created_by_tandem for c in found)  # made by hand, not by a sync


@pytest.mark.seed("demo")
def test_search_finds_accounts_by_part_of_the_name_ignoring_case(sandbox, ctx):
    hits = asyncio.run(lookup.search_accounts(ctx, "  nordLICHT "))
    assert [h.name for h in hits] == ["Nordlicht Payments GmbH"]
    assert hits[0].id.startswith("001")

    # "&" and the umlaut reach Salesforce intact.
    hits = asyncio.run(lookup.search_accounts(ctx, "Brückner & Voss"))
    assert [h.name for h in hits] == ["Brückner & Voss Ledger Systems"]


@pytest.mark.seed("demo")
def test_a_quote_or_a_wildcard_in_the_search_text_cannot_change_the_query(sandbox, ctx):
    me = sandbox.state.sf["me"]
    sandbox.state.sf_create("Account", {"Name": "O'Brien 100% Consulting", "OwnerId": me}, user_id=me)

    hits = asyncio.run(lookup.search_accounts(ctx, "o'brien"))
    assert [h.name for h in hits] == ["O'Brien 100% Consulting"]

    # An attempt to widen the query finds nothing instead of every account.
    assert asyncio.run(lookup.search_accounts(ctx, "x' OR Name LIKE '")) == []
    assert asyncio.run(lookup.search_accounts(ctx, "zz\\' OR Name != '")) == []
    # Wildcards are literal: "%" matches only a name with a percent sign in it.
    assert [h.name for h in asyncio.run(lookup.search_accounts(ctx, "0% C"))] == ["O'Brien 100% Consulting"]
    assert asyncio.run(lookup.search_accounts(ctx, "%%")) == []
    assert asyncio.run(lookup.search_accounts(ctx, "__")) == []


@pytest.mark.seed("demo")
def test_relate_sets_the_account_and_the_contact_is_no_longer_private(sandbox, ctx):
    contact = asyncio.run(lookup.private_contacts(ctx))[0]
    account = asyncio.run(lookup.search_accounts(ctx, "Tiergarten"))[0]

    asyncio.run(lookup.relate_contact(ctx, contact.id, account.id))

    assert sandbox.state.sf_get("Contact", contact.id)["AccountId"] == account.id
    assert contact.id not in {c.id for c in asyncio.run(lookup.private_contacts(ctx))}


@pytest.mark.seed("demo")
def test_bad_input_is_refused_in_plain_words_before_anything_is_sent(sandbox, ctx):
    sandbox.control("POST requests/reset")
    with pytest.raises(lookup.LookupInputError, match="at least 2 letters"):
        asyncio.run(lookup.search_accounts(ctx, " a "))
    with pytest.raises(lookup.LookupInputError, match="at most"):
        asyncio.run(lookup.search_accounts(ctx, "x" * 200))
    with pytest.raises(lookup.LookupInputError, match="not a Salesforce contact id"):
        asyncio.run(lookup.relate_contact(ctx, "003' OR 1=1", "001000000000001AAA"))
    with pytest.raises(lookup.LookupInputError, match="not a Salesforce account id"):
        asyncio.run(lookup.relate_contact(ctx, "003000000000001AAA", ""))
    assert "salesforce" not in sandbox.control("requests")["services"]


@pytest.mark.seed("demo")
def test_salesforce_refusing_the_change_surfaces_its_reason(sandbox, ctx):
    from sync.salesforce.client import SalesforceRequestFailed

    contact = asyncio.run(lookup.private_contacts(ctx))[0]
    account = asyncio.run(lookup.search_accounts(ctx, "Nordlicht"))[0]
    sandbox.state.sf_delete("Account", account.id)
    with pytest.raises(SalesforceRequestFailed) as caught:
        asyncio.run(lookup.relate_contact(ctx, contact.id, account.id))
    assert caught.value.message
    assert not sandbox.state.sf_get("Contact", contact.id).get("AccountId")
