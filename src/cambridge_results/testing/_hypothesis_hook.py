"""Registers the value-object strategies with hypothesis (``st.from_type``).

pyproject declares this function under the ``hypothesis`` entry point, so
hypothesis calls it when it is imported, before any test runs.  Strategies
are wrapped in ``st.deferred``: the strategies module is only imported at the
first draw, which keeps ``import hypothesis`` cheap and avoids an import
cycle when a user imports :mod:`cambridge_results.testing.strategies` first
(it imports hypothesis, which calls this hook).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _lazy(name: str) -> Any:
    def build() -> Any:
        from cambridge_results.testing import strategies

        factory: Callable[[], Any] = getattr(strategies, name)
        return factory()

    return build


def _hypothesis_setup_hook() -> None:
    """Register a strategy for every value object and for :class:`Policy`."""
    from hypothesis import strategies as st

    from cambridge_results import policy, values

    table: dict[type, str] = {
        values.ExamSeries: "exam_series",
        values.CentreNumber: "centre_numbers",
        values.CandidateNumber: "candidate_numbers",
        values.UCI: "ucis",
        values.SyllabusCode: "syllabus_codes",
        values.ComponentCode: "component_codes",
        values.ContactDetails: "contact_details",
        values.Delay: "delays",
        values.Candidate: "candidates",
        values.Centre: "centres",
        values.Associate: "associates",
        values.Qualification: "qualifications",
        values.Component: "components",
        values.Syllabus: "syllabuses",
        values.Entry: "entries",
        values.Mark: "marks",
        values.Grade: "grades",
        policy.Policy: "policies",
    }
    for kind, name in table.items():
        st.register_type_strategy(kind, st.deferred(_lazy(name)))
