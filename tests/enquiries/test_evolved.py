"""``evolved``: the workflow's copy of an enquiry, converting only what changes.

It must give what :func:`attrs.evolve` gives and refuse what it refuses,
with the same typed error, for any change (SPEC section 0: values are
validated at construction; EAR-01, EAR-03, EAR-09, EAR-11, EAR-13).
"""

from __future__ import annotations

import attrs
import pendulum
import pytest
from ear_board import PHYSICS, draft
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.enquiries import Enquiry, EnquiryStatus
from cambridge_results.errors import InvalidValue
from cambridge_results.values.enquiry import evolved

_AT = pendulum.datetime(2023, 9, 2, 10, tz="UTC")
#: Stands for the enquiry's own current value of the field (the very object).
_SAME = object()
_INSTANTS = st.sampled_from(
    [None, _AT, "2023-09-03T08:00:00Z", pendulum.naive(2023, 9, 1), 7, _SAME]
)
#: Each field with values good and bad, as a step or a caller might pass them.
_CHANGES = {
    "status": st.sampled_from([*EnquiryStatus, "submitted"]),
    "submitted_at": _INSTANTS,
    "arrived_at": _INSTANTS,
    "queued_at": _INSTANTS,
    "completed_at": _INSTANTS,
    "candidates": st.sampled_from([(), ("0001",), ("1", "0002"), ("0001", "1"), ("x!",), _SAME]),
    "components": st.sampled_from([(), ("12",), ("12", "12"), ("??",), _SAME]),
    "number": st.sampled_from([None, "e23-000001", "E23-000002", "bad number"]),
    "note": st.sampled_from([None, "  ", "Søren", "x" * 201, _SAME]),
    "whole_group": st.sampled_from([False, True, 1]),
    "service": st.sampled_from(["2", "1s", "not a service", _SAME]),
}


def _outcome(make: object) -> tuple[str, object]:
    """What building gave: the enquiry, or the refusal's field, message and rule."""
    try:
        return "made", make() if callable(make) else make
    except InvalidValue as refused:
        return "refused", (type(refused), str(refused), refused.rule)


@settings(max_examples=300, deadline=None)
@given(
    start=st.sampled_from(["draft", "whole group", "submitted"]),
    changes=st.dictionaries(st.sampled_from(sorted(_CHANGES)), st.none(), max_size=5).flatmap(
        lambda keys: st.fixed_dictionaries({k: _CHANGES[k] for k in keys})
    ),
)
def test_evolved_gives_and_refuses_what_attrs_evolve_does(start, changes):
    """Section 0, EAR-01, EAR-03, EAR-11, EAR-13: the same enquiry, or the same typed refusal."""
    if start == "whole group":
        enquiry = draft("5", syllabus=PHYSICS, components=("04",), candidates=(), whole_group=True)
    else:
        enquiry = draft()
    if start == "submitted":
        enquiry = attrs.evolve(
            enquiry, status=EnquiryStatus.SUBMITTED, arrived_at=_AT, queued_at=_AT
        )
    # _SAME: the field's own current value, as a step passes the candidates on.
    changes = {k: getattr(enquiry, k) if v is _SAME else v for k, v in changes.items()}
    expected = _outcome(lambda: attrs.evolve(enquiry, **changes))
    got = _outcome(lambda: evolved(enquiry, **changes))
    assert got == expected
    if got[0] == "made":
        made = got[1]
        assert isinstance(made, Enquiry)
        assert hash(made) == hash(expected[1])
        assert attrs.asdict(made, recurse=False) == attrs.asdict(expected[1], recurse=False)


def test_evolved_leaves_the_enquiry_it_copies_unchanged():
    """Values are frozen: the step's copy is a new enquiry."""
    before = draft()
    after = evolved(before, status=EnquiryStatus.DELETED)
    assert before.status is EnquiryStatus.SAVED
    assert after.status is EnquiryStatus.DELETED
    assert after is not before


def test_evolved_refuses_an_unknown_field_as_attrs_evolve_does():
    """A misspelt field is a TypeError, not a silently ignored change."""
    with pytest.raises(TypeError):
        attrs.evolve(draft(), stauts=EnquiryStatus.DELETED)
    with pytest.raises(TypeError):
        evolved(draft(), stauts=EnquiryStatus.DELETED)


def test_evolved_checks_across_fields_again():
    """EAR-13: a status at the board needs its arrival, whatever field changed."""
    with pytest.raises(InvalidValue) as refused:
        evolved(draft(), status=EnquiryStatus.SUBMITTED)
    assert "arrived_at" in str(refused.value)
