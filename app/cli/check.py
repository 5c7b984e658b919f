"""``login --check`` (also ``login check``): per service, what is configured and what is wrong,
in plain words, without signing in. Exit 0 when nothing is wrong, 1 otherwise; ``--json``
prints ``{"outlook": {"ok", "checks": [...]}, "salesforce": {...}}``."""

from __future__ import annotations

import argparse
import json
import sys

from app.auth.check import check_accounts, summary
from app.cli.accounts import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, account_settings, context_from_args

NAMES = {"outlook": "Outlook (Microsoft)", "salesforce": "Salesforce"}


def run(args: argparse.Namespace) -> int:
    try:
        ctx = context_from_args(args, account_settings(args))
    except UsageError as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return EXIT_USAGE
    findings = check_accounts(ctx)
    report = summary(findings)
    for service, name in NAMES.items():
        print(
            f"{name}: {'ready to sign in' if report[service]['ok'] else 'needs attention'}", file=sys.stderr
        )
        for f in findings:
            if f.service == service:
                mark = {True: "ok", False: "PROBLEM", None: "note"}[f.ok]
                print(f"  {mark:8} {f.what}: {f.words}", file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps(report, ensure_ascii=False))
    return EXIT_OK if all(r["ok"] for r in report.values()) else EXIT_FAILED
