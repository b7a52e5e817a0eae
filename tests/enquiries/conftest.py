"""Test set-up for the enquiry tests.

pytest runs with ``--import-mode=importlib``, under which test modules cannot
import a sibling module; the shared board (``ear_board.py``) is plain Python
rather than fixtures because the stateful tests need it at import time, so
this directory is on pytest's ``pythonpath`` (pyproject.toml); its modules
have names no other test directory uses.
The fixtures import those modules when they run, after the path is set.
"""

from __future__ import annotations

import pytest

from cambridge_results.clock import FixedClock
from cambridge_results.enquiries import Enquiries
from cambridge_results.storage.port import Store


@pytest.fixture
def board(store: Store) -> Store:
    """The test board (``ear_board``) in the store: centres, candidates, results, samples."""
    from stored_board import seed

    seed(store)
    return store


@pytest.fixture
def clock() -> FixedClock:
    """A clock inside the June 2023 enquiry window, moved by hand."""
    from ear_board import IN_WINDOW

    return FixedClock(IN_WINDOW)


@pytest.fixture
def enquiries(board: Store, clock: FixedClock) -> Enquiries:
    """The enquiry use cases over the seeded store."""
    from stored_board import service

    return service(board, clock)
