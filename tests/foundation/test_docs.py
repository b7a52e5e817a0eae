"""Examples in docs run as tests: README.md and every docs/*.md page go through doctest."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLE_PAGES = sorted(p for p in DOCS.glob("*.md") if ">>>" in p.read_text(encoding="utf-8"))
PAGES = [ROOT / "README.md", *EXAMPLE_PAGES]


def test_the_foundation_pages_have_examples() -> None:
    """index, concepts and decisions each show runnable examples."""
    assert {"README.md", "index.md", "concepts.md", "decisions.md"} <= {p.name for p in PAGES}


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_example_in_a_docs_page_gives_the_output_shown(page: Path) -> None:
    """Each `>>>` example on the page prints exactly what the page says (ELLIPSIS allowed)."""
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) in {page.name} failed; see output"
