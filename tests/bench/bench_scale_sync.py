"""Benchmark: whole syncs of the ``scale`` world through the command line, as a user runs them.

Run by hand (or ``make bench``): python tests/bench/bench_scale_sync.py [SEED ...]
Default seeds: ``scale:2000,200,200`` and ``scale:10000,0,0``. For each, a sandbox process
(``main.py sandbox serve --auto-approve``), a new profile signed in to both services, then three
``main.py sync --yes --json`` processes: the first sync, the one after it (it reads back the
first one's writes) and a sync with no change. Prints, per run, the wall time of the process,
the run's own duration, the records written and the requests counted at the sandbox per
service. Nothing is asserted about speed; tests/integration/cli/test_sync_economy.py asserts
the request counts.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def control(info: dict, path: str, payload: dict | None = None) -> dict:
    context = ssl.create_default_context(cafile=info["ca_file"])
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        f"{info['base_url']}/_sandbox/{path}",
        data=data,
        headers={"Content-Type": "application/json"},
        method="GET" if payload is None else "POST",
    )
    with urllib.request.urlopen(request, context=context, timeout=60) as reply:
        return json.loads(reply.read())


def requests(info: dict) -> dict[str, int]:
    out = {}
    for service, entry in control(info, "requests")["services"].items():
        n = sum(c for name, c in entry["endpoints"].items() if not name.split(" ")[1].endswith("/token"))
        if n and service in ("graph", "salesforce"):
            out[service] = n
    return out


def tandem(info: dict, profile: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    return subprocess.run(
        [
            sys.executable,
            "main.py",
            "--sandbox-url",
            info["base_url"],
            "--sandbox-ca",
            info["ca_file"],
            "--profile",
            str(profile),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        env=env,
    )


def bench(seed: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [sys.executable, "main.py", "sandbox", "serve", "--seed", seed, "--auto-approve"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            info = json.loads(proc.stdout.readline())
            profile = Path(tmp) / "profile"
            for args in (("login", "outlook"), ("login", "salesforce", "--device")):
                done = tandem(info, profile, *args)
                if done.returncode != 0:
                    raise SystemExit(f"{' '.join(args)} failed: {done.stderr[-500:]}")
            for name in ("first sync", "next sync", "no-change sync"):
                control(info, "requests/reset", {})
                started = time.perf_counter()
                done = tandem(info, profile, "sync", "--yes", "--json")
                wall = time.perf_counter() - started
                if done.returncode not in (0, 3):
                    raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr[-800:]}")
                result = json.loads(done.stdout)
                written = sum(
                    k["counts"][side][op]
                    for k in result["kinds"].values()
                    for side in ("outlook", "salesforce")
                    for op in ("create", "update", "delete")
                )
                print(
                    f"{seed:>22} {name:<15} process {wall:6.1f}s, run {result['duration_s']:6.1f}s, "
                    f"{written:6d} written, requests {requests(info)}",
                    flush=True,
                )
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def main() -> None:
    for seed in sys.argv[1:] or ["scale:2000,200,200", "scale:10000,0,0"]:
        bench(seed)


if __name__ == "__main__":
    main()
