"""API economy on the ``scale`` seed, counted at the sandbox: a first sync of 2,000 contacts
against the minimum that page and batch limits allow, and the syncs after it."""

from __future__ import annotations

import math

import pytest

from sandbox.state import DEFAULT_CONFIG
from sync.graph.source import GraphSource
from sync.salesforce.client import COLLECTION_SIZE, COMPOSITE_QUERIES
from sync.salesforce.source import IDS_PER_QUERY, SalesforceSource

CONTACTS = 2000
pytestmark = pytest.mark.seed(f"scale:{CONTACTS},0,0")


def endpoints(box) -> dict[str, dict[str, int]]:
    services = box.control("requests")["services"]
    return {
        s: {n: c for n, c in e["endpoints"].items() if not n.split(" ")[1].endswith("/token")}
        for s, e in services.items()
        if s in ("graph", "salesforce")
    }


def test_a_first_sync_of_2000_contacts_stays_within_1_2_times_the_minimum(cli) -> None:
    box = cli.sandbox
    outlook_n = len(box.state.graph_items("contacts"))
    sf_n = len(box.state.sf["records"]["Contact"])
    assert outlook_n == sf_n == CONTACTS
    box.control("POST requests/reset")
    code, result, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
    assert code == 0, err
    c = result["kinds"]["contacts"]["counts"]
    assert c["matched"] == CONTACTS // 2 and c["errors"] == 0, c
    used = cli.api_requests()

    # The minimum the limits allow, from the counts of this run.
    graph_page = DEFAULT_CONFIG["graph_delta_page_max"]  # contacts/delta: 200 a page
    batch = GraphSource.batch_size  # $batch: 20 requests
    query_page = DEFAULT_CONFIG["query_batch_size"]  # SOQL: 2000 rows a page
    graph_min = math.ceil(outlook_n / graph_page) + sum(
        math.ceil(c["outlook"][op] / batch) for op in ("create", "update", "delete")
    )
    sf_writes = sum(math.ceil(c["salesforce"][op] / COLLECTION_SIZE) for op in ("create", "update", "delete"))
    # describe (the fields this org has), getDeleted, the listing, collections
    sf_min = 2 + math.ceil(sf_n / query_page) + sf_writes
    # What crash-safe writes add on top: each batch of the executor (5 collections) reads back
    # its new versions in one retrieve, and creates towards the scoped range ("mine") are first
    # looked up without the scope (5 queries of 200 emails a request), so no twin is duplicated.
    read_backs = sum(
        math.ceil(c["salesforce"][op] / SalesforceSource.batch_size) for op in ("create", "update")
    )
    lookups = math.ceil(c["salesforce"]["create"] / (IDS_PER_QUERY * COMPOSITE_QUERIES))
    sf_design = sf_min + read_backs + lookups
    note = (
        f"first sync of {CONTACTS} contacts: used {used}; minimum graph {graph_min}, "
        f"salesforce {sf_min} (with read-backs and the lookup {sf_design})"
    )
    assert used["graph"] <= 1.2 * graph_min, (used, graph_min, endpoints(box))
    assert used["graph"] + used["salesforce"] <= 1.2 * (graph_min + sf_min), (used, endpoints(box))
    assert used["salesforce"] <= sf_design, (used, sf_design, endpoints(box))
    # what the run report says is what the sandbox saw (sign-in discovery left out)
    assert result["api_calls"] == {k: used.get(k, 0) for k in ("graph", "salesforce")}

    # The next sync reads back what the first one wrote: Graph's delta pages through its own
    # 1,000 creates; Salesforce knows the versions it wrote and needs nothing more.
    box.control("POST requests/reset")
    code, result, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
    assert code == 0 and result["kinds"]["contacts"]["actions"] == [], err
    second = cli.api_requests()
    # getDeleted, the describe's 304 and the change query, which starts at the whole second of
    # the newest stamp (SOQL literals are whole seconds) and so pages again through the rows
    # the first run wrote in that second: at most one page more.
    assert second["salesforce"] <= 4, (second, endpoints(box))
    assert second["graph"] <= math.ceil(c["outlook"]["create"] / graph_page) + 1, (second, endpoints(box))

    box.control("POST requests/reset")
    code, result, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
    assert code == 0 and result["kinds"]["contacts"]["actions"] == [], err
    third = cli.api_requests()
    assert third.get("graph", 0) <= 2 and third.get("salesforce", 0) <= 3, third
    print(f"{note}; second sync: {second}; no-change sync: {third}")  # after the last run
