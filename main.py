"""Tandem — composition root: parse the arguments and dispatch.

Start-up order (ARCHITECTURE.md): parse arguments -> paths -> logging -> excepthook -> store
-> services -> GUI (QApplication + qasync loop + ui) or CLI (asyncio.run). Every command of
../shared/design/CLI.md is dispatched from here to its group in app/cli/ (accounts, sync,
settings, diagnostics), which opens the profile; each layer is imported only when needed, so
``--version`` and ``sandbox serve`` start fast. ``sandbox serve`` and the demo's embedded
sandbox live here because app/ may not import sandbox/.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.runner import SandboxServer

VERSION = "0.1.0"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_HELD = 0, 1, 2, 3


def _common_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--profile", metavar="DIR", default=default, help="keep all state of this profile under DIR"
    )
    parser.add_argument(
        "--sandbox-url",
        metavar="URL",
        default=default,
        help="point every endpoint at a running sandbox (also TANDEM_SANDBOX_URL)",
    )
    parser.add_argument(
        "--sandbox-ca",
        metavar="FILE",
        default=default,
        help="the sandbox's CA file (printed by `sandbox serve` as ca_file; also TANDEM_SANDBOX_CA)",
    )


def build_parser() -> argparse.ArgumentParser:
    # The common options work before or after the command (`--profile X status` or
    # `status --profile X`); SUPPRESS keeps a sub-command from resetting them to None.
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="tandem", description="Keep Outlook and Salesforce in step.")
    parser.add_argument("--version", action="version", version=f"Tandem {VERSION}")
    _common_options(parser, None)
    parser.add_argument(
        "--sandbox", action="store_true", help="start the GUI against an embedded sandbox with demo data"
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help="start the GUI quietly in the tray, without opening its window (what "
        "start at login uses); the first run still shows the setup "
        "assistant, and without a tray the window opens as usual",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    login = commands.add_parser("login", help="sign in to Outlook or Salesforce")
    login_service = login.add_subparsers(dest="service", metavar="SERVICE", required=True)
    login_outlook = login_service.add_parser(
        "outlook", parents=[common], help="device code sign-in to Microsoft"
    )
    login_outlook.add_argument(
        "--browser", action="store_true", help="sign in with your browser instead of a code"
    )
    login_outlook.add_argument("--json", action="store_true")
    login_sf = login_service.add_parser(
        "salesforce", parents=[common], help="browser sign-in (PKCE) to Salesforce"
    )
    login_sf.add_argument("--device", action="store_true", help="use the device flow instead")
    login_sf.add_argument("--login-host", metavar="HOST", help="production | test | a My Domain host or URL")
    login_sf.add_argument("--json", action="store_true")

    login_check = login_service.add_parser(
        "check",
        parents=[common],
        help="what is configured for each sign-in and what is wrong, without signing in "
        "(also `login --check`)",
    )
    login_check.add_argument("--json", action="store_true")

    logout = commands.add_parser("logout", parents=[common], help="sign out and forget the tokens")
    logout.add_argument("service", choices=("outlook", "salesforce"))
    logout.add_argument("--json", action="store_true")

    status = commands.add_parser("status", parents=[common], help="accounts, per-kind state, last/next run")
    status.add_argument("--json", action="store_true")

    sync = commands.add_parser("sync", parents=[common], help="sync Outlook and Salesforce")
    sync.add_argument("--kind", choices=("contacts", "events", "tasks", "all"), default="all")
    sync.add_argument("--preview", action="store_true", help="build and print the plan, change nothing")
    sync.add_argument("--yes", action="store_true", help="apply the plan without asking")
    sync.add_argument(
        "--confirm-deletes",
        action="store_true",
        help="with --yes: let deletes held by the mass-delete guard go ahead",
    )
    sync.add_argument("--json", action="store_true")

    history = commands.add_parser("history", parents=[common], help="the recorded sync runs")
    history.add_argument("--limit", type=int, default=20, metavar="N")
    history.add_argument("--json", action="store_true")

    rebuild = commands.add_parser(
        "rebuild", parents=[common], help="forget links and cursors of one kind; changes no record"
    )
    rebuild.add_argument("--kind", required=True, choices=("contacts", "events", "tasks"))
    rebuild.add_argument("--json", action="store_true")

    undo = commands.add_parser("undo", parents=[common], help="reverse the last applied run")
    undo.add_argument("--preview", action="store_true")
    undo.add_argument("--yes", action="store_true")
    undo.add_argument("--json", action="store_true")

    settings = commands.add_parser("settings", help="read or change a setting")
    settings_cmd = settings.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    settings_get = settings_cmd.add_parser("get", parents=[common], help="show one setting or all")
    settings_get.add_argument("key", nargs="?")
    settings_get.add_argument("--json", action="store_true")
    settings_set = settings_cmd.add_parser(
        "set", parents=[common], help="change a setting (locked ones refuse)"
    )
    settings_set.add_argument("key")
    settings_set.add_argument("value")
    settings_set.add_argument("--json", action="store_true")

    diagnostics = commands.add_parser("diagnostics", help="a zip of logs and facts for support")
    diagnostics_cmd = diagnostics.add_subparsers(dest="diagnostics_command", metavar="ACTION", required=True)
    export = diagnostics_cmd.add_parser(
        "export", parents=[common], help="write logs (tokens removed), settings, recent runs"
    )
    export.add_argument("file", metavar="FILE.zip")
    export.add_argument("--json", action="store_true")

    sandbox = commands.add_parser("sandbox", help="the local emulator of Microsoft and Salesforce")
    sandbox_cmd = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    serve = sandbox_cmd.add_parser("serve", help="run the emulator until interrupted")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--state", metavar="FILE", help="keep the data in FILE across runs")
    serve.add_argument(
        "--seed",
        default="demo",
        help="demo | edge (the demo plus child, recurring, private and multi-day events, custom "
        "task statuses) | empty | scale:CONTACTS,EVENTS,TASKS",
    )
    serve.add_argument("--latency-ms", type=int, default=0)
    serve.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="share of requests (0-1) that fail with 429, 503 or a dropped connection",
    )
    serve.add_argument("--fault-seed", type=int, default=0, help="seed of the fault random source")
    serve.add_argument(
        "--auto-approve", action="store_true", help="device codes and the authorize pages approve at once"
    )
    serve.add_argument(
        "--entra-block-device-code",
        action="store_true",
        help="a Conditional Access policy blocks Microsoft's device code sign-in (AADSTS53003)",
    )
    serve.add_argument(
        "--sf-org-features",
        metavar="LIST",
        help="the Salesforce org's switches, comma-separated, each on unless named with no-: "
        "no-middle-name, no-suffix, no-multiday-events",
    )
    serve.add_argument(
        "--sf-hidden-fields",
        metavar="LIST",
        help="fields hidden by field-level security, comma-separated Object.Field (e.g. Contact.Title)",
    )
    return parser


def cmd_sandbox_serve(args: argparse.Namespace) -> int:
    from sandbox.org_features import parse_features, parse_hidden_fields
    from sandbox.runner import SandboxServer
    from sandbox.seed import parse_spec

    try:
        parse_spec(args.seed)
        parse_features(args.sf_org_features)
        parse_hidden_fields(args.sf_hidden_fields)
    except ValueError as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not 0 <= args.fault_rate <= 1:
        print("tandem: --fault-rate must be between 0 and 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        server = SandboxServer(
            host=args.host,
            port=args.port,
            state_file=args.state,
            seed=args.seed,
            latency_ms=args.latency_ms,
            fault_rate=args.fault_rate,
            fault_seed=args.fault_seed,
            auto_approve=args.auto_approve,
            sf_org_features=args.sf_org_features,
            sf_hidden_fields=args.sf_hidden_fields,
            entra_block_device_code=args.entra_block_device_code,
        )
        info = server.start()
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"tandem: the sandbox could not start: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(info), flush=True)
    print(
        f"Sandbox running at {info['base_url']} — console: {info['base_url']}/_sandbox/ (Ctrl+C to stop)",
        file=sys.stderr,
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    server.wait()
    return EXIT_OK


def embedded_sandbox(state_dir: str | os.PathLike[str]) -> tuple[SandboxServer, dict[str, Any]]:
    """Start the demo's sandbox in its own thread: demo data on first start, kept in
    ``state_dir/world.json`` afterwards (so the demo profile's links stay true), sign-ins
    approved at once. Returns (server, info); ``server.stop()`` saves and stops it."""
    from sandbox.runner import SandboxServer

    folder = Path(state_dir)
    server = SandboxServer(seed="demo", state_dir=folder, state_file=folder / "world.json", auto_approve=True)
    return server, server.start()


PROFILE_COMMANDS = (
    "sync",
    "history",
    "rebuild",
    "undo",
    "status",
    "login",
    "logout",
    "settings",
    "diagnostics",
)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["login"] and "--check" in argv:  # `login --check` is `login check`
        argv = ["login", "check", *(a for a in argv[1:] if a != "--check")]
    args = parser.parse_args(argv)
    if args.command == "sandbox" and args.sandbox_command == "serve":
        return cmd_sandbox_serve(args)
    if args.command in PROFILE_COMMANDS:
        return run_command(args)
    if args.command is None:
        return run_desktop(args)
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def run_command(args: argparse.Namespace) -> int:
    """One command of the command line, with the profile's support log open around it."""
    from app.endpoints import ProfileOptions
    from app.logging_setup import command_log

    try:
        paths = ProfileOptions(args.sandbox_url, args.sandbox_ca).paths(args.profile)
    except Exception:  # a profile the command itself refuses in plain words
        return dispatch(args)
    with command_log(paths):
        return dispatch(args)


def dispatch(args: argparse.Namespace) -> int:
    if args.command in ("sync", "history", "rebuild", "undo", "status"):
        from app.cli import sync as sync_cli

        return sync_cli.run(args)
    if args.command == "login" and args.service == "check":
        from app.cli import check as check_cli

        return check_cli.run(args)
    if args.command in ("login", "logout"):
        from app.cli import accounts as accounts_cli

        return accounts_cli.run(args)
    if args.command == "settings":
        from app.cli import settings as settings_cli

        return settings_cli.run(args)
    if args.command == "diagnostics":
        from app.cli import diagnostics as diagnostics_cli

        return diagnostics_cli.run(args)
    raise AssertionError(f"no command group for {args.command!r}")


def run_desktop(args: argparse.Namespace) -> int:
    """The desktop app: the wizard on first run, else the dashboard, tray and auto sync.
    `--sandbox` runs the demo against an embedded sandbox (started here: ui/ may not import
    sandbox/)."""
    try:
        from ui.shell import run_gui
    except ImportError as exc:
        print(
            f"tandem: the desktop window cannot start here ({exc}). The command line "
            "works: run `python main.py --help`.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return run_gui(args, sandbox_factory=embedded_sandbox)


if __name__ == "__main__":
    sys.exit(main())
