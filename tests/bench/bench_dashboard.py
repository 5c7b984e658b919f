"""Measure the dashboard after a 3000-contact run: show_run and refresh (no assertions).

QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_dashboard.py [SEED]   (default scale:3000,0,0)
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "shots"))
from demo_setup import demo_world, open_context, qt  # noqa: E402  (sets up sys.path and the keyring)


def main() -> None:
    seed = sys.argv[1] if len(sys.argv) > 1 else "scale:3000,0,0"
    server, info, profile = demo_world(seed, prefix="tandem-bench-")

    from ui.controller import SyncController
    from ui.dashboard.window import MainWindow

    app, loop = qt()
    ctx = open_context(info, profile)
    controller = SyncController(ctx)

    async def sync() -> None:
        from sync.plan import Decisions

        t = time.perf_counter()
        done = asyncio.Event()
        controller.run_finished.connect(lambda *_: done.set())
        controller.run_failed.connect(lambda e: (print("failed", e), done.set()))
        assert controller.start_preview()
        while controller.pending_plan is None:
            assert not done.is_set()
            await asyncio.sleep(0.05)
        print(f"preview {time.perf_counter() - t:.1f}s", flush=True)
        assert controller.apply_preview(Decisions())
        await done.wait()
        print(f"sync {time.perf_counter() - t:.1f}s", flush=True)

    loop.run_until_complete(sync())
    run_id = ctx.store.runs(limit=1)[0]["id"]
    n = len(ctx.store.journal(run_id=run_id))
    print(f"run {run_id}: {n} journal rows", flush=True)
    window = MainWindow(ctx, controller)

    def old_show_run(run_id):  # the code before this change (git HEAD): every row at once
        from ui.dashboard.models import change_rows

        journal = ctx.store.journal(run_id=run_id)
        rows = change_rows(journal)
        window.history.changes_model.set_rows(rows)
        sum(1 for r in rows if r["op"] in ("create", "update", "delete"))
        sum(1 for r in rows if r["op"] == "link")

    new_show_run = window.history.show_run
    window.show()
    app.processEvents()
    for mode in ("old", "new", "old", "new"):
        window.history.show_run = old_show_run if mode == "old" else new_show_run
        print("mode", mode, flush=True)
        for label, fn in (
            ("show_run", lambda: window.history.show_run(run_id)),
            ("select_run", lambda: window.select_run(run_id)),
            ("refresh", window.refresh),
            ("run_finished-like (refresh+select)", lambda: (window.refresh(), window.select_run(run_id))),
        ):
            times = []
            for _ in range(3):
                t = time.perf_counter()
                fn()
                app.processEvents()
                window.history.changes_view.viewport().repaint()
                times.append(time.perf_counter() - t)
            print(
                f"{label:>36}: "
                + ", ".join(f"{x * 1000:.0f} ms" for x in times)
                + f"  (rows shown {window.history.changes_model.rowCount()})",
                flush=True,
            )
    window.close()
    ctx.close()
    server.stop()


if __name__ == "__main__":
    main()
