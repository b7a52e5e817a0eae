"""Hypothesis strategies for every value object, for your own property tests.

Every strategy draws only valid values, built through the public
constructors, so a drawn value is one the library would accept from a user.
The ``invalid_*`` strategies draw text a parser must refuse.

>>> from hypothesis import given
>>> from cambridge_results.testing import strategies as crst
>>> @given(crst.candidates())
... def test_full_name_has_both_names(candidate):
...     assert candidate.given_name in candidate.full_name

The strategies are also registered for :func:`hypothesis.strategies.from_type`
through the ``hypothesis`` entry point, so ``st.from_type(CandidateNumber)``
works without importing this module.
"""

from __future__ import annotations

from cambridge_results.testing import _missing_extra

try:
    import hypothesis  # noqa: F401  (every strategy below is one of hypothesis's)
except ModuleNotFoundError as exc:
    raise _missing_extra(exc) from exc

from cambridge_results.testing.strategies.policies import policies
from cambridge_results.testing.strategies.values import (
    associates,
    candidate_number_texts,
    candidate_numbers,
    candidates,
    centre_numbers,
    centres,
    component_codes,
    components,
    contact_details,
    delay_texts,
    delays,
    email_addresses,
    entries,
    exam_series,
    exam_series_texts,
    grades,
    instants,
    invalid_candidate_number_texts,
    marks,
    names_with_refused_characters,
    person_names,
    phone_numbers,
    principals,
    qualifications,
    refused_name_characters,
    syllabus_codes,
    syllabuses,
    ucis,
)

__all__ = [
    "associates",
    "candidate_number_texts",
    "candidate_numbers",
    "candidates",
    "centre_numbers",
    "centres",
    "component_codes",
    "components",
    "contact_details",
    "delay_texts",
    "delays",
    "email_addresses",
    "entries",
    "exam_series",
    "exam_series_texts",
    "grades",
    "instants",
    "invalid_candidate_number_texts",
    "marks",
    "names_with_refused_characters",
    "person_names",
    "phone_numbers",
    "policies",
    "principals",
    "qualifications",
    "refused_name_characters",
    "syllabus_codes",
    "syllabuses",
    "ucis",
]
