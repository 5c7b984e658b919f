"""The ``settings`` commands of the CLI: ``settings get [KEY]`` and ``settings set KEY VALUE``.

main.py parses the arguments and calls :func:`run`; it returns the exit code of CLI.md
(0 success, 1 failed: the database cannot be opened or a refused change, 2 bad usage: an
unknown key to read). Human text goes to stdout as ``key = value`` lines, locked ones marked;
with ``--json`` one JSON object of the values instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.cli.accounts import profile_options
from app.settings import open_settings
from sync.errors import TandemError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def run(args: argparse.Namespace) -> int:
    """``settings get [KEY]`` / ``settings set KEY VALUE`` (``args.settings_command``)."""
    try:
        settings = open_settings(getattr(args, "profile", None), profile_options(args))
    except TandemError as exc:
        print(f"tandem: {exc.title}. {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    try:
        values: dict[str, Any]
        if args.settings_command == "set":
            settings.set(args.key, args.value)
            values = {args.key: settings.get(args.key)}
        elif args.key:
            values = {args.key: settings.get(args.key)}
        else:
            values = settings.all()
    except TandemError as exc:
        print(f"tandem: {exc.title}. {exc.message}", file=sys.stderr)
        return EXIT_FAILED if args.settings_command == "set" else EXIT_USAGE
    if args.json:
        print(json.dumps(values, default=str))
    else:
        for key, value in values.items():
            locked = " (locked by your administrator)" if settings.is_locked(key) else ""
            print(f"{key} = {json.dumps(value, default=str)}{locked}")
    return EXIT_OK
