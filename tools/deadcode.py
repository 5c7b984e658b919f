"""The dead-code gate (run by `make check`): vulture over the whole repository, reporting only
what lies in the application's own packages.

Code that only the tests, tools or packaging scripts use counts as used (a test API such as
the memory source). What Qt, peewee, httpx or the planner's dispatch call by name is listed in
tools/vulture_whitelist.py, each with the reason. Exit 1 when anything is reported.
"""

from __future__ import annotations

import sys
from pathlib import Path

import vulture

ROOT = Path(__file__).resolve().parent.parent
REPORTED = ("sync", "app", "ui", "sandbox", "main.py")  # the code that ships
SCANNED = (*REPORTED, "tests", "tools", "packaging")  # what counts as a use
MIN_CONFIDENCE = 60


def unused() -> list[str]:
    finder = vulture.Vulture()
    finder.scavenge([str(ROOT / p) for p in SCANNED], exclude=[str(ROOT / ".venv")])
    found = []
    for item in finder.get_unused_code(min_confidence=MIN_CONFIDENCE, sort_by_size=False):
        rel = Path(item.filename).resolve().relative_to(ROOT)
        if rel.parts[0] in REPORTED:
            found.append(f"{rel}:{item.first_lineno}: {item.message} ({item.confidence}% confidence)")
    return sorted(found)


def main() -> int:
    found = unused()
    for line in found:
        print(line)
    print(f"dead code: {len(found)} finding(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
