"""Store.journal reads one page of a run's change journal (the dashboard's "Show more")."""

from __future__ import annotations

from sync.store import Store


def _fill(store: Store, run_id: int, n: int) -> None:
    store.add_intents(
        [
            {
                "run_id": run_id,
                "kind": "contacts",
                "op": "create",
                "side": "salesforce",
                "label": f"Person {i:04d}",
                "after": {"LastName": f"P{i}"},
                "status": "applied",
            }
            for i in range(n)
        ]
    )


def test_pages_of_a_run_follow_each_other_without_gaps_or_repeats(tmp_path):
    with Store(tmp_path / "s.db") as store:
        run = store.start_run(trigger="manual", mode="apply", kinds=["contacts"])
        other = store.start_run(trigger="manual", mode="apply", kinds=["contacts"])
        _fill(store, run, 25)
        _fill(store, other, 3)
        everything = store.journal(run_id=run)
        assert len(everything) == 25
        pages = [store.journal(run_id=run, limit=10, offset=o) for o in (0, 10, 20, 30)]
        assert [len(p) for p in pages] == [10, 10, 5, 0]
        assert [r["id"] for p in pages for r in p] == [r["id"] for r in everything]
        assert pages[0][0]["label"] == "Person 0000" and pages[0][0]["after"] == {"LastName": "P0"}
        assert {r["run_id"] for p in pages for r in p} == {run}


def test_offset_alone_reads_to_the_end_and_odd_values_are_harmless(tmp_path):
    with Store(tmp_path / "s.db") as store:
        run = store.start_run(trigger="manual", mode="apply", kinds=["contacts"])
        _fill(store, run, 7)
        assert [r["label"] for r in store.journal(run_id=run, offset=5)] == ["Person 0005", "Person 0006"]
        assert store.journal(run_id=run, limit=0) == []
        assert len(store.journal(run_id=run, limit=3, offset=-4)) == 3


def test_journal_counts_match_the_rows_without_reading_them(tmp_path):
    with Store(tmp_path / "s.db") as store:
        run = store.start_run(trigger="manual", mode="apply", kinds=["contacts"])
        _fill(store, run, 4)
        store.add_intents(
            [
                {
                    "run_id": run,
                    "kind": "contacts",
                    "op": "link",
                    "side": "both",
                    "label": "Paired",
                    "status": "applied",
                    "payload": {"outcome": "pair"},
                },
                {
                    "run_id": run,
                    "kind": "contacts",
                    "op": "link",
                    "side": "both",
                    "label": "Unlinked",
                    "status": "applied",
                    "payload": {"outcome": "out_of_range"},
                },
                {
                    "run_id": run,
                    "kind": "contacts",
                    "op": "prevented",
                    "side": "outlook",
                    "label": "Not sent",
                    "status": "applied",
                },
            ]
        )
        assert store.journal_counts(run) == {"entries": 7, "writes": 4, "prevented": 1, "paired": 1}
        assert store.journal_counts(run + 1) == {"entries": 0, "writes": 0, "prevented": 0, "paired": 0}
