"""Check a built Tandem on any OS: its version, and a headless sync preview against its own sandbox.

    python packaging/smoke_test.py dist/tandem/tandem                        # Linux
    python packaging/smoke_test.py dist/Tandem.app/Contents/MacOS/tandem     # macOS
    python packaging/smoke_test.py dist\\tandem\\tandem-cli.exe               # Windows

Steps: ``--version``; ``sandbox serve --seed demo --auto-approve`` (reads its JSON ready
line); ``login outlook`` and ``login salesforce --device`` in a throw-away profile;
``sync --preview --json``; then checks the plan. Uses only the standard library, runs the
program from a temporary folder with no source tree on the path, and exits 0 when all is
well, 1 with a plain message when not. The build workflow runs it on each OS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


class SmokeFailure(Exception):
    pass


def _env(home: Path) -> dict[str, str]:
    drop = {
        "PYTHON_KEYRING_BACKEND",
        "TANDEM_SANDBOX_URL",
        "TANDEM_SANDBOX_CA",
        "PYTHONPATH",
        "PYTHONHOME",
        "VIRTUAL_ENV",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    return env


def _run(
    exe: Path, args: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)
) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        encoding="utf-8",
        errors="replace",
    )
    if done.returncode not in ok:
        raise SmokeFailure(f"`tandem {' '.join(args)}` exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return done


def _ready_line(proc: subprocess.Popen, timeout: float) -> dict:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not line or not line[0].strip():
        proc.kill()
        raise SmokeFailure("the sandbox printed no ready line:\n" + (proc.stderr.read() or "")[-3000:])
    return json.loads(line[0])


def check_plan(plan: dict) -> str:
    """A short summary of a preview plan, or SmokeFailure when it is not what a demo gives."""
    if plan.get("mode") != "preview" or plan.get("run_id") is not None:
        raise SmokeFailure(
            f"expected a preview plan, got mode={plan.get('mode')!r} run_id={plan.get('run_id')!r}"
        )
    kinds = plan.get("kinds", {})
    if set(kinds) != {"contacts", "events", "tasks"}:
        raise SmokeFailure(f"expected contacts, events and tasks in the plan, got {sorted(kinds)}")
    contacts = kinds["contacts"]["counts"]
    if contacts["matched"] < 1 or contacts["salesforce"]["create"] < 1:
        raise SmokeFailure(f"the demo data should give matches and creates, got {contacts}")
    calls = plan.get("api_calls", {})
    if not calls.get("graph") or not calls.get("salesforce"):
        raise SmokeFailure(f"the preview made no API calls: {calls}")
    return ", ".join(
        f"{kind}: {sum(c['counts'][s][op] for s in ('outlook', 'salesforce') for op in ('create', 'update', 'delete'))} changes"
        for kind, c in kinds.items()
    )


def smoke(exe: Path, expected_version: str | None = None) -> list[str]:
    exe = exe.resolve()
    if not exe.is_file():
        raise SmokeFailure(f"there is no program at {exe}; build it first (see packaging/README.md)")
    report = []
    with tempfile.TemporaryDirectory(prefix="tandem-smoke-") as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        env = _env(work / "home")
        started = time.monotonic()
        version = _run(exe, ["--version"], work, env).stdout.strip()
        report.append(f"{version} (--version in {time.monotonic() - started:.1f} s)")
        if not version.startswith("Tandem "):
            raise SmokeFailure(f"--version printed {version!r}")
        if expected_version and version != f"Tandem {expected_version}":
            raise SmokeFailure(f"--version printed {version!r}, expected Tandem {expected_version}")
        proc = subprocess.Popen(
            [
                str(exe),
                "sandbox",
                "serve",
                "--seed",
                "demo",
                "--auto-approve",
                "--state",
                str(work / "world" / "state.json"),
            ],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        try:
            (work / "world").mkdir(exist_ok=True)
            info = _ready_line(proc, 120)
            report.append(f"sandbox ready at {info['base_url']}")
            common = [
                "--sandbox-url",
                info["base_url"],
                "--sandbox-ca",
                info["ca_file"],
                "--profile",
                str(work / "profile"),
            ]
            _run(exe, [*common, "login", "outlook", "--json"], work, env)
            _run(exe, [*common, "login", "salesforce", "--device", "--json"], work, env)
            started = time.monotonic()
            # Exit 3: the plan holds items for the user (CLI.md); the plan is printed all the same.
            preview = _run(exe, [*common, "sync", "--preview", "--json"], work, env, ok=(0, 3))
            took = time.monotonic() - started
            report.append(f"sync --preview in {took:.1f} s: {check_plan(json.loads(preview.stdout))}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    return report


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    try:
        for line in smoke(Path(argv[0]), argv[1] if len(argv) > 1 else None):
            print(line)
    except SmokeFailure as exc:
        print(f"smoke test failed: {exc}", file=sys.stderr)
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
