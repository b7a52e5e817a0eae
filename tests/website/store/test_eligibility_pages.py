"""CRW-03, CRW-07: eligibility pages read the right candidates however many entries each has.

A page's read learns how many entries a candidate has; whatever the board
(one entry a candidate or a dozen, withdrawn ones among them), the pages in
turn give every candidate with a valid entry once, ascending.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from cambridge_results.values import CandidateNumber
from cambridge_results.website.repositories import WebsiteRepositories

ACTOR = "test:eligibility"
SERIES = "2026-06"

#: Per candidate number, the statuses of its entries (one per syllabus).
boards = st.dictionaries(
    st.integers(1, 60).map(lambda n: f"{n:04d}"),
    st.lists(st.sampled_from(["valid", "withdrawn"]), max_size=12),
    max_size=25,
)


@pytest.mark.parametrize("scheme", ["memory", "sqlite"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(board=boards, limit=st.integers(1, 9))
def test_pages_give_each_candidate_with_a_valid_entry_once_in_order(
    scheme: str, board: dict[str, list[str]], limit: int
) -> None:
    """CRW-03/07: pages of at most ``limit``, in turn, are the valid candidates ascending."""
    with tempfile.TemporaryDirectory() as tmp:
        url = "memory://" if scheme == "memory" else f"sqlite:///{Path(tmp) / 'board.db'}"
        with open_store(url, migrations=SCHEMA) as store:
            with store.unit_of_work(actor=ACTOR) as uow:
                for number, statuses in board.items():
                    for i, status in enumerate(statuses):
                        row = {"centre": "GB123", "series": SERIES, "candidate": number}
                        row.update(syllabus=f"{i:04d}", components=[], route="x", status=status)
                        uow.insert("entries", row)
            seen: list[CandidateNumber] = []
            with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
                eligibility = WebsiteRepositories(uow).eligibility
                after = None
                while page := eligibility.page("GB123", SERIES, after=after, limit=limit):
                    assert len(page) <= limit
                    seen.extend(page)
                    after = page[-1]
    wanted = sorted(n for n, statuses in board.items() if "valid" in statuses)
    assert [n.value for n in seen] == wanted
