"""Enquiry ids: checked once per text, and refused word for word every time (EAR-09)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.values._text import ascii_pattern
from cambridge_results.values.enquiry import _ENQUIRY_ID, as_enquiry_id

_IDS = st.one_of(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", fullmatch=True),
    st.text(max_size=70),
    st.sampled_from(["enq-000000001", "", "-x", "é", "a" * 65, "e 1"]),
    st.integers(),
    st.none(),
)


def _outcome(value: object) -> tuple[str, object]:
    """The id, or the refusal's type, sentence and rule."""
    try:
        return "made", as_enquiry_id(value)
    except InvalidValue as refused:
        return "refused", (type(refused), str(refused), refused.rule)


def _checked(value: object) -> tuple[str, object]:
    """What the check itself gives, with no memory of earlier ids."""
    try:
        text = ascii_pattern(value, "enquiry.id", _ENQUIRY_ID, "an id like 'e-1f3a' (ASCII)")
        return "made", text
    except InvalidValue as refused:
        return "refused", (type(refused), str(refused), refused.rule)


@settings(max_examples=300, deadline=None)
@given(st.lists(_IDS, min_size=1, max_size=4))
def test_an_enquiry_id_checked_again_gives_what_the_check_gives(values: list[object]) -> None:
    """EAR-09: a remembered id is the one the check passes; a bad one is refused each time."""
    for value in [*values, *values]:
        assert _outcome(value) == _checked(value)
