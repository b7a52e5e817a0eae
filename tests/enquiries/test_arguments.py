"""The enquiry use cases check their arguments' types before anything runs (SPEC section 0)."""

from __future__ import annotations

import pytest
from ear_board import OFFICER

from cambridge_results.enquiries import Enquiries
from cambridge_results.errors import InvalidValue


def test_an_argument_of_the_wrong_type_is_an_invalid_value_naming_it(
    enquiries: Enquiries,
) -> None:
    """Passed by position or by keyword, a wrong type is refused by its parameter's name."""
    calls = [
        (lambda: enquiries.submit(OFFICER, 42, declarations=(True, True)), "enquiry_id"),
        (lambda: enquiries.submit(OFFICER, enquiry_id=42, declarations=(1, 1)), "enquiry_id"),
        (lambda: enquiries.submit(OFFICER, "enq-000000001", declarations="yes"), "declarations"),
        (lambda: enquiries.create(principal=OFFICER, request=None), "request"),
        (lambda: enquiries.delete_draft("GB100", "enq-000000001"), "principal"),
    ]
    for call, name in calls:
        with pytest.raises(InvalidValue) as refused:
            call()
        assert refused.value.field == name
    with pytest.raises(TypeError):
        enquiries.submit(OFFICER, "enq-000000001", (True, True))  # declarations is keyword-only
    with pytest.raises(TypeError):
        enquiries.create(OFFICER, request=None, extra=1)
