"""docs/api-notes.md and the conformance tests cite the same documentation pages.

A conformance test says which page of Microsoft's or Salesforce's documentation it follows with
``@pytest.mark.doc(URL)``; the notes say the same rule in words. A page cited by a test but
missing from the notes (or listed in the notes but followed by no test) fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "docs" / "api-notes.md"
URL = re.compile(r"https://[^\s)>\]`]+")


def cited_by_tests() -> dict[str, list[str]]:
    """Every URL in a ``pytest.mark.doc(...)`` marker, with the tests that carry it."""
    cited: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr != "doc" or not ast.unparse(node.func.value).endswith("mark"):
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    cited.setdefault(arg.value, []).append(path.relative_to(ROOT).as_posix())
    return cited


def listed_in_notes() -> set[str]:
    return {u.rstrip(".,;:") for u in URL.findall(NOTES.read_text(encoding="utf-8"))}


def test_every_page_a_conformance_test_follows_is_in_the_notes() -> None:
    missing = {url: where for url, where in cited_by_tests().items() if url not in listed_in_notes()}
    assert not missing, f"cited by tests but not in docs/api-notes.md: {missing}"


def test_every_page_in_the_notes_is_followed_by_a_test() -> None:
    unused = listed_in_notes() - set(cited_by_tests())
    assert not unused, f"listed in docs/api-notes.md but cited by no @pytest.mark.doc test: {sorted(unused)}"


def test_citations_are_the_services_documentation() -> None:
    hosts = ("learn.microsoft.com", "developer.salesforce.com", "help.salesforce.com")
    cited = cited_by_tests()
    assert cited, "no conformance test cites a documentation page"
    foreign = [u for u in cited if not any(u.startswith(f"https://{h}/") for h in hosts)]
    assert not foreign, f"cite Microsoft's or Salesforce's own pages: {foreign}"
