"""The ``diagnostics`` command of the CLI: ``diagnostics export FILE.zip``.

main.py parses the arguments and calls :func:`run`; it returns the exit code of CLI.md
(0 written, 1 failed: the profile or the file, 2 bad usage: unusable sandbox options). The
bundle holds logs (tokens removed), settings and recent runs, never a token or a keyring entry.
"""

from __future__ import annotations

import argparse
import json
import sys

from app.cli.accounts import UsageError, profile_options
from app.context import open_profile
from app.diagnostics import DiagnosticsError, export
from sync.errors import TandemError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def run(args: argparse.Namespace) -> int:
    """``diagnostics export FILE.zip`` (``args.diagnostics_command``)."""
    try:
        ctx = open_profile(getattr(args, "profile", None), profile_options(args))
    except UsageError as exc:
        print(f"tandem: Cannot open the profile. {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TandemError as exc:
        print(f"tandem: {exc.title}. {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    try:
        path = export(ctx, args.file)
    except DiagnosticsError as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        ctx.close()
    if args.json:
        print(json.dumps({"ok": True, "file": str(path)}))
    print(f"Diagnostics written to {path}. Tokens and passwords are not in it.", file=sys.stderr)
    return EXIT_OK
