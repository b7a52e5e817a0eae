"""A value given the wrong type is refused with the library's InvalidValue, naming the field
(SPEC section 5), never attrs' bare TypeError."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cambridge_results.errors import InvalidValue
from cambridge_results.reports import ResultPdfRequest, ResultsViewRequest
from cambridge_results.values.access import (
    AssociateCentreControls,
    AssociateSettings,
    CentreAccess,
)
from cambridge_results.values.enquiry import Document
from cambridge_results.values.outcome import ComponentResult

CASES: list[tuple[str, Callable[[], object]]] = [
    ("has_access", lambda: ResultsViewRequest(series="2026-06", results=(), has_access=1)),
    (
        "delay",
        lambda: ResultsViewRequest(series="2026-06", results=(), has_access=True, delay=2),
    ),
    ("results", lambda: ResultsViewRequest(series="2026-06", results=None, has_access=True)),
    ("results", lambda: ResultsViewRequest(series="2026-06", results=[1], has_access=True)),
    ("results", lambda: ResultPdfRequest(series="2026-06", results=None)),
    ("mode", lambda: CentreAccess(centre="GB123", series="2026-06", mode="all")),
    ("contact", lambda: AssociateCentreControls(centre="GB123", contact="default")),
    (
        "default_contact_choice",
        lambda: AssociateSettings(
            associate="GB100", series="2026-06", default_contact_choice="default"
        ),
    ),
    ("kind", lambda: Document(kind="Ack", uploaded_at="2026-08-20T09:00:00+00:00")),
    (
        "clerical_error",
        lambda: ComponentResult(
            component="01",
            mark_before=40,
            mark_reviewed=41,
            mark_after=40,
            tolerance=2,
            clerical_error=1,
        ),
    ),
]


@pytest.mark.parametrize(("field", "make"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_wrong_type_is_an_invalid_value_naming_the_field(
    field: str, make: Callable[[], object]
) -> None:
    """The message starts with the field's name, so a caller can show it beside the input."""
    with pytest.raises(InvalidValue) as raised:
        make()
    assert raised.value.message.startswith(f"{field}: ")
