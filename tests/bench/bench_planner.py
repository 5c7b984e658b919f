"""Benchmark: plan 100,000 linked contacts with 1 % changed on each side.

Run by hand: ``python tests/bench/bench_planner.py [--n 100000] [--store]``. Prints the CPU
time and the peak memory (tracemalloc: Python allocations during planning; and the process
peak RSS) of ``sync.planner.plan_kind``, for a delta read (only the changed records in
hand) and for a full read (every record in hand, as on a first sync after a rebuild or an
expired cursor). ``--store`` also times saving and loading the links through the store.
Not part of the unit tests: ``make bench`` (pytest with ``python_files=bench_*.py``) runs
``test_plan_100k_linked_contacts`` below, which prints the same numbers and checks only that the
plan is right, never how fast it was.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sync.links import Link, side_hashes  # noqa: E402
from sync.normalise import clean_record  # noqa: E402
from sync.planner import plan_kind  # noqa: E402
from sync.records import SideChanges, SourceItem, encode_record  # noqa: E402
from sync.settings import KindSettings  # noqa: E402


def person(i: int) -> dict:
    return clean_record(
        "contacts",
        {
            "FirstName": f"First{i}",
            "LastName": f"Last{i}",
            "Email": f"person{i}@example.com",
            "Title": "Account Executive",
            "Department": "Sales",
            "Phone": f"+1 212 555 {i % 10000:04d}",
            "MailingCity": "New York",
            "MailingCountry": "United States",
            "Description": f"Customer since {2000 + i % 25}",
        },
    )


def build(n: int, share: float, seed: int = 7):
    rng = random.Random(seed)
    records = [person(i) for i in range(n)]
    links = []
    for i, r in enumerate(records):
        o_hash, s_hash = side_hashes("contacts", r)
        links.append(
            Link(
                kind="contacts",
                id=i + 1,
                outlook_id=f"O{i}",
                salesforce_id=f"S{i}",
                outlook_version="o1",
                salesforce_version="s1",
                state="linked",
                snapshot_json=json.dumps(encode_record(r), sort_keys=True),
                outlook_hash=o_hash,
                salesforce_hash=s_hash,
            )
        )
    k = int(n * share)
    o_changed = set(rng.sample(range(n), k))
    s_changed = set(rng.sample(range(n), k))
    o_items, s_items = {}, {}
    for i in range(n):
        o_rec, s_rec = records[i], records[i]
        if i in o_changed:
            o_rec = {**o_rec, "Title": "Senior Account Executive"}
        if i in s_changed:
            s_rec = {**s_rec, "Phone": f"+1 212 555 {(i + 1) % 10000:04d}"}
        o_items[f"O{i}"] = SourceItem(f"O{i}", "o2" if i in o_changed else "o1", o_rec)
        s_items[f"S{i}"] = SourceItem(f"S{i}", "s2" if i in s_changed else "s1", s_rec)
    delta = (
        SideChanges({f"O{i}": o_items[f"O{i}"] for i in o_changed}),
        SideChanges({f"S{i}": s_items[f"S{i}"] for i in s_changed}),
    )
    full = (SideChanges(o_items, full=True), SideChanges(s_items, full=True))
    return links, delta, full, (o_changed, s_changed)


def measure(label: str, links, outlook, salesforce) -> dict:
    """CPU time from one run without tracing, peak memory from a second run under tracemalloc
    (which slows allocation down several times, so it must not be in the timed run)."""
    settings = KindSettings.default("contacts")
    for link in links:  # fresh lazy snapshots, as loaded from the store
        link._snapshot = None
    cpu = time.process_time()
    wall = time.perf_counter()
    kplan = plan_kind("contacts", links, outlook, salesforce, settings)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    for link in links:
        link._snapshot = None
    tracemalloc.start()
    plan_kind("contacts", links, outlook, salesforce, settings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    counts = kplan.counts()
    print(
        f"{label:<34} cpu {cpu:6.2f} s   wall {wall:6.2f} s   peak {peak / 2**20:7.1f} MB   "
        f"updates outlook {counts['outlook']['update']}, salesforce {counts['salesforce']['update']}"
    )
    return {"cpu_s": cpu, "peak_mb": peak / 2**20, "counts": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--share", type=float, default=0.01)
    parser.add_argument("--store", action="store_true", help="also time saving/loading links via the store")
    args = parser.parse_args()
    t = time.perf_counter()
    links, delta, full, (o_changed, s_changed) = build(args.n, args.share)
    print(
        f"built {args.n} linked contacts, {len(o_changed)} changed in Outlook, {len(s_changed)} in Salesforce "
        f"({len(o_changed & s_changed)} on both) in {time.perf_counter() - t:.1f} s"
    )
    d = measure("plan, delta read (1 % in hand)", links, *delta)
    expected = len(o_changed | s_changed)
    got = d["counts"]["outlook"]["update"] + d["counts"]["salesforce"]["update"]
    assert got == len(o_changed) + len(s_changed), (got, expected)
    measure("plan, full read (100 % in hand)", links, *full)
    if args.store:
        from sync.store import Store

        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "bench.db")
            t = time.perf_counter()
            for link in links:
                link.id = None
            store.save_links(links)
            saved = time.perf_counter() - t
            t = time.perf_counter()
            loaded = store.links("contacts")
            print(
                f"store: saved {len(links)} links in {saved:.1f} s, loaded {len(loaded)} in "
                f"{time.perf_counter() - t:.2f} s"
            )
            store.close()
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def test_plan_100k_linked_contacts() -> None:
    links, delta, full, (o_changed, s_changed) = build(100_000, 0.01)
    for outlook, salesforce in (delta, full):
        result = measure("plan", links, outlook, salesforce)
        assert result["counts"]["outlook"]["update"] == len(s_changed)
        assert result["counts"]["salesforce"]["update"] == len(o_changed)


if __name__ == "__main__":
    main()
