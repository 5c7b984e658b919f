"""Benchmark: how long the event loop is blocked while a large sync previews and applies.

Run by hand (or ``make bench``): python tests/bench/bench_loop_lag.py [--seed scale:3000,0,0]
[--profile-stalls] [--gc-freeze] [--undo]

A sandbox process (``main.py sandbox serve``, so its JSON work does not compete with the app for
this process's GIL), a new profile signed in to both services through the real app sign-in (a
memory keyring, the sandbox approves at once), then, through ``app.context.AppContext`` and
``SyncService`` as the window drives them: the first sync (preview, then apply) and the next
sync (preview, then apply). A monitor task sleeps 10 ms in a loop on the same asyncio loop and
records every gap longer than it asked for; the script prints, per phase, the longest stall and
the five longest with the phase and the progress event last heard before each (where the loop
was), and where a watchdog thread saw the loop thread during the stall. It also prints the
longest single loop callback (a blocking stretch: the loop ran nothing else meanwhile) and how
late a 10 ms timer callback ran. ``--undo`` measures the undo of the first sync instead of the
next sync; ``--gc-freeze`` is an experiment (gc.freeze() between preview and the end of apply);
with ``--profile-stalls`` each phase also runs under cProfile and prints the functions with the
most own time on the loop thread.

Nothing is asserted: the aim (issue 6) is no single stall above ~100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import json
import os
import pstats
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration" / "accounts"))
os.environ["PYTHON_KEYRING_BACKEND"] = "accounts_keyring.MemoryKeyring"

TICK = 0.010


class Sandbox:
    def __init__(self, info: dict) -> None:
        self.base_url = info["base_url"]
        self.ca_file = info["ca_file"]

    def control(self, path: str, payload: dict | None = None) -> dict:
        context = ssl.create_default_context(cafile=self.ca_file)
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.base_url}/_sandbox/{path}",
            data=data,
            headers={"Content-Type": "application/json"},
            method="GET" if payload is None else "POST",
        )
        with urllib.request.urlopen(request, context=context, timeout=60) as reply:
            return json.loads(reply.read())


class LagMonitor:
    """Sleeps ``TICK`` in a loop; a wake-up later than asked is a stall of the loop."""

    def __init__(self) -> None:
        self.where = "idle"
        self.stalls: list[tuple[float, str, str]] = []  # (seconds blocked, phase, last event)
        self.phase = "idle"
        self._task: asyncio.Task | None = None

        self.stretch: dict[str, tuple[float, str]] = {}  # phase -> longest callback (a blocking stretch)
        self.timer: dict[str, float] = {}  # phase -> latest a 10 ms timer callback ran
        self.gc: list[tuple[float, str, int]] = []  # (seconds, phase, generation) of slow collections
        self._gc_start = 0.0
        gc.callbacks.append(self._collected)

    def _collected(self, stage: str, info: dict) -> None:
        if stage == "start":
            self._gc_start = time.perf_counter()
        elif (took := time.perf_counter() - self._gc_start) > 0.005:
            self.gc.append((took, self.phase, info["generation"]))

    def heard(self, kind: str, phase: str, done: int, total: int) -> None:
        self.where = f"{kind} {phase} {done}/{total}"

    async def _run(self) -> None:
        while True:
            before, cpu, where = time.perf_counter(), time.thread_time(), self.where
            self._tick = (before, [])
            await asyncio.sleep(TICK)
            late = time.perf_counter() - before - TICK
            if late > 0.005:
                used = time.thread_time() - cpu
                self.stalls.append(
                    (
                        late,
                        self.phase,
                        f"{where} -> {self.where}, loop thread CPU "
                        f"{used * 1000:.0f} ms" + "".join(f"\n          in {s}" for s in self._tick[1]),
                    )
                )

    def _watch(self, main: int) -> None:
        """A thread: while the loop has not ticked for 30 ms, note where the loop thread is."""
        while not self._stop.wait(0.005):
            started, sites = self._tick
            if time.perf_counter() - started > TICK + 0.02 and len(sites) < 4:
                frame = sys._current_frames().get(main)
                stack = traceback.extract_stack(frame)[::-1]
                ours = [
                    f
                    for f in stack
                    if f.filename.startswith(str(ROOT))
                    and "/tests/" not in f.filename
                    and "/.venv/" not in f.filename
                ][:3]
                site = " < ".join(
                    f"{Path(f.filename).name}:{f.lineno} {f.name}"
                    for f in ([stack[0]] if stack and stack[0] not in ours else []) + ours
                )
                if site and site not in sites:
                    sites.append(site)

    def _timed_run(self, handle: asyncio.Handle) -> None:
        started = time.perf_counter()
        self._handle_run(handle)
        took = time.perf_counter() - started
        if took > self.stretch.get(self.phase, (0.0, ""))[0]:
            self.stretch[self.phase] = (took, self.where)

    def _timer_fired(self, loop: asyncio.AbstractEventLoop, due: float) -> None:
        late = loop.time() - due
        self.timer[self.phase] = max(self.timer.get(self.phase, 0.0), late)
        if not self._stop.is_set():
            loop.call_at(loop.time() + TICK, self._timer_fired, loop, loop.time() + TICK)

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._handle_run = asyncio.Handle._run
        monitor = self
        asyncio.Handle._run = lambda handle: monitor._timed_run(handle)  # type: ignore[method-assign]
        self._tick = (time.perf_counter(), [])
        self._stop = threading.Event()
        threading.Thread(target=self._watch, args=(threading.get_ident(),), daemon=True).start()
        self._task = loop.create_task(self._run())
        loop.call_at(loop.time() + TICK, self._timer_fired, loop, loop.time() + TICK)

    async def stop(self) -> None:
        self._stop.set()
        asyncio.Handle._run = self._handle_run  # type: ignore[method-assign]
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def report(self, phase: str) -> float:
        mine = sorted((s for s in self.stalls if s[1] == phase), reverse=True)
        longest = mine[0][0] if mine else 0.0
        over = sum(1 for s in mine if s[0] > 0.1)
        stretch, where = self.stretch.get(phase, (0.0, ""))
        print(
            f"  {phase:<22} longest blocking stretch (one loop callback) {stretch * 1000:6.1f} ms at {where};"
            f" a 10 ms timer ran at most {self.timer.get(phase, 0.0) * 1000:.1f} ms late"
        )
        print(
            f"  {phase:<22} monitor task: longest stall {longest * 1000:7.1f} ms, {len(mine):4d} stalls > 5 ms, "
            f"{over} > 100 ms"
        )
        for late, _, where in mine[:5]:
            print(f"      {late * 1000:7.1f} ms  at {where}")
        collections = sorted((g for g in self.gc if g[1] == phase), reverse=True)
        if collections:
            print(
                f"      garbage collections > 5 ms: {len(collections)}, longest "
                f"{collections[0][0] * 1000:.1f} ms (generation {collections[0][2]})"
            )
        return stretch


def sign_in(sandbox: Sandbox, profile: Path) -> None:
    from accounts_helpers import make_browser

    from app.cli import accounts as accounts_cli

    base = dict(
        profile=str(profile),
        sandbox_url=sandbox.base_url,
        sandbox_ca=sandbox.ca_file,
        json=True,
        device=False,
        service=None,
        login_host=None,
    )
    if accounts_cli.login_outlook(argparse.Namespace(**base)) != 0:
        raise SystemExit("outlook sign-in failed")
    if accounts_cli.login_salesforce(argparse.Namespace(**base, open_browser=make_browser(sandbox))) != 0:
        raise SystemExit("salesforce sign-in failed")


async def run(
    ctx, monitor: LagMonitor, profile_stalls: bool, gc_freeze: bool = False, undo: bool = False
) -> list[tuple[str, float]]:
    results = []
    monitor.start()
    await asyncio.sleep(0.05)
    for label in ("first sync", "undo") if undo else ("first sync", "next sync"):
        async with ctx.service.session() as session:
            for step in ("preview", "apply"):
                phase = f"{label} {step}"
                monitor.phase = phase
                profiler = cProfile.Profile() if profile_stalls else None
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                if step == "preview":
                    plan = await (
                        session.preview_undo() if label == "undo" else session.preview(progress=monitor.heard)
                    )
                    if gc_freeze:  # the plan lives until the apply ends: keep it out of collections
                        gc.freeze()
                else:
                    report = await session.apply(plan, progress=monitor.heard)
                    if gc_freeze:
                        gc.unfreeze()
                if profiler:
                    profiler.disable()
                wall = time.perf_counter() - started
                monitor.phase = "between"
                await asyncio.sleep(0.05)
                if step == "preview":
                    n = sum(len(k.actions) for k in plan.kinds.values())
                    print(f"{phase}: {wall:6.2f} s, {n} actions", flush=True)
                else:
                    written = report.changed()
                    print(f"{phase}: {wall:6.2f} s, {written} written", flush=True)
                results.append((phase, monitor.report(phase)))
                if profiler:
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
                    print("\n".join("      " + line for line in out.getvalue().splitlines()[6:22]))
    await monitor.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default="scale:3000,0,0")
    parser.add_argument(
        "--profile-stalls",
        action="store_true",
        help="run each phase under cProfile and print where the loop spent its time",
    )
    parser.add_argument(
        "--undo",
        action="store_true",
        help="after the first sync, preview and apply its undo (instead of the next sync)",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="an experiment: gc.freeze() after each preview, gc.unfreeze() after the apply",
    )
    args = parser.parse_args()
    proc = subprocess.Popen(
        [sys.executable, "main.py", "sandbox", "serve", "--seed", args.seed, "--auto-approve"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        sandbox = Sandbox(json.loads(proc.stdout.readline()))
        sandbox.control("config", {"device_interval_s": 1})
        with tempfile.TemporaryDirectory() as tmp:
            from app import redaction
            from app.context import AppContext

            profile = Path(tmp) / "profile"
            sign_in(sandbox, profile)
            ctx = AppContext.open(profile, sandbox_url=sandbox.base_url, sandbox_ca=sandbox.ca_file)
            try:
                monitor = LagMonitor()
                print(f"seed {args.seed}: loop stalls (monitor sleeps {TICK * 1000:.0f} ms)")
                results = asyncio.run(run(ctx, monitor, args.profile_stalls, args.gc_freeze, args.undo))
            finally:
                ctx.close()
                redaction.uninstall()
        worst = max(results, key=lambda r: r[1])
        print(f"longest blocking stretch: {worst[1] * 1000:.1f} ms in {worst[0]}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
