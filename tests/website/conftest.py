"""Fixtures shared by the candidate results website tests (CRW, ASC)."""

from __future__ import annotations

import pendulum
import pytest

from cambridge_results import Policy, example_2026
from cambridge_results.values import ExamSeries, Session

JUNE_2026 = ExamSeries(year=2026, session=Session.JUNE)


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The 2023 rules with the example 2026 series."""
    return example_2026()


@pytest.fixture
def june_2026() -> ExamSeries:
    """The June 2026 example series."""
    return JUNE_2026


@pytest.fixture
def created() -> pendulum.DateTime:
    """A pinned creation instant for reproducible PDFs."""
    return pendulum.datetime(2026, 3, 23, 9, 30, tz="UTC")
