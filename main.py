"""Tandem — composition root.

Start-up order (ARCHITECTURE.md): parse arguments -> paths -> logging -> excepthook -> store
-> services -> GUI (QApplication + qasync loop + ui) or CLI (asyncio.run). Every command of
../shared/design/CLI.md is dispatched from here; each layer is imported only when needed, so
``--version`` and ``sandbox serve`` start fast.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys

VERSION = "0.1.0"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_HELD = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tandem", description="Keep Outlook and Salesforce in step.")
    parser.add_argument("--version", action="version", version=f"Tandem {VERSION}")
    parser.add_argument("--profile", metavar="DIR", help="keep all state of this profile under DIR")
    parser.add_argument("--sandbox-url", metavar="URL",
                        help="point every endpoint at a running sandbox (also TANDEM_SANDBOX_URL)")
    parser.add_argument("--sandbox", action="store_true",
                        help="start the GUI against an embedded sandbox with demo data")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox = commands.add_parser("sandbox", help="the local emulator of Microsoft and Salesforce")
    sandbox_cmd = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    serve = sandbox_cmd.add_parser("serve", help="run the emulator until interrupted")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--state", metavar="FILE", help="keep the data in FILE across runs")
    serve.add_argument("--seed", default="demo", help="demo | empty | scale:CONTACTS,EVENTS,TASKS")
    serve.add_argument("--latency-ms", type=int, default=0)
    serve.add_argument("--fault-rate", type=float, default=0.0,
                       help="share of requests (0-1) that fail with 429, 503 or a dropped connection")
    serve.add_argument("--fault-seed", type=int, default=0, help="seed of the fault random source")
    serve.add_argument("--auto-approve", action="store_true",
                       help="device codes and the authorize pages approve at once")
    return parser


def cmd_sandbox_serve(args: argparse.Namespace) -> int:
    from sandbox.runner import SandboxServer
    from sandbox.seed import SeedError, parse_spec

    try:
        parse_spec(args.seed)
    except SeedError as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not 0 <= args.fault_rate <= 1:
        print("tandem: --fault-rate must be between 0 and 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        server = SandboxServer(host=args.host, port=args.port, state_file=args.state,
                               seed=args.seed, latency_ms=args.latency_ms,
                               fault_rate=args.fault_rate, fault_seed=args.fault_seed,
                               auto_approve=args.auto_approve)
        info = server.start()
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"tandem: the sandbox could not start: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(info), flush=True)
    print(f"Sandbox running at {info['base_url']} — console: {info['base_url']}/_sandbox/ "
          "(Ctrl+C to stop)", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    server.wait()
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sandbox" and args.sandbox_command == "serve":
        return cmd_sandbox_serve(args)
    parser.print_help(sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
