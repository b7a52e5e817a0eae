"""Decisions say why (reason codes naming the rule); errors carry the rule that spoke."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results import errors
from cambridge_results.decisions import Decision, Reason, is_rule_id

_FAMILY = {
    "CRW": errors.AccessRefused,
    "ASC": errors.AssociateRefused,
    "LOG": errors.LoginRefused,
    "EAR": errors.EnquiryRefused,
}

reasons = st.builds(
    lambda family, number, slug: Reason(code=f"{family}-{number:02d}.{slug}", message="Because."),
    st.sampled_from(sorted(_FAMILY)),
    st.integers(1, 99),
    st.sampled_from(["window-not-open", "locked", "x", "over-300-pdfs", "a1-b2-c3"]),
)
decisions = st.builds(
    Decision,
    reasons=st.lists(reasons, max_size=3).map(tuple),
    warnings=st.lists(reasons, max_size=2).map(tuple),
)


def test_a_reason_code_names_its_rule() -> None:
    """Reason codes are '<RULE-ID>.<kebab-case>'."""
    reason = Reason(code="CRW-02.window-not-open", message="Opens on 21 March 2026.")
    assert reason.rule == "CRW-02"


@pytest.mark.parametrize(
    "code", ["CRW-2.x", "crw-02.x", "CRW-02", "CRW-02.Window", "XYZ-01.x", "CRW-02.x-", 5]
)
def test_a_malformed_reason_code_is_an_invalid_value(code: object) -> None:
    """Rule authors get the library's error for a bad code, naming the field."""
    with pytest.raises(errors.InvalidValue, match=r"reason\.code"):
        Reason(code=code, message="x")  # type: ignore[arg-type]


def test_a_reason_needs_a_sentence() -> None:
    """A reason is for people too: the message may not be blank."""
    with pytest.raises(errors.InvalidValue, match=r"reason\.message"):
        Reason(code="LOG-02.locked", message=" ")


def test_an_allowing_decision_is_truthy_and_may_carry_warnings() -> None:
    """EAR-13: a warning does not refuse."""
    warning = Reason(code="EAR-13.open-enquiries", message="Some candidates have open enquiries.")
    decision = Decision.allow(warning)
    assert decision
    assert decision.allowed
    assert decision.warnings == (warning,)
    decision.raise_if_refused()


def test_a_refusal_raises_the_family_error_with_every_reason() -> None:
    """SPEC section 0: one typed exception per reason family, carrying all reasons."""
    decision = Decision.combine(
        [
            Decision.refuse("EAR-05.calculated-mark", "Component 12 has a calculated mark."),
            Decision.allow(),
            Decision.refuse("EAR-06.one-service", "Service 2 was already submitted."),
        ]
    )
    assert not decision
    assert decision.rules == ("EAR-05", "EAR-06")
    with pytest.raises(errors.EnquiryRefused) as caught:
        decision.raise_if_refused()
    assert caught.value.codes == ("EAR-05.calculated-mark", "EAR-06.one-service")
    assert caught.value.rule == "EAR-05"
    assert "[EAR-06] Service 2 was already submitted." in str(caught.value)


def test_a_refused_error_needs_a_reason() -> None:
    """RefusedByRule without reasons is a programming error."""
    with pytest.raises(ValueError, match="at least one reason"):
        errors.RefusedByRule([])


def test_errors_carry_their_rule_in_their_text() -> None:
    """Every error carries the SPEC rule ID that spoke."""
    exc = errors.InvalidValue("contact.phone", "must have between 7 and 15 digits", rule="CRW-04")
    assert str(exc) == "[CRW-04] contact.phone: must have between 7 and 15 digits"
    assert (exc.field, exc.reason) == ("contact.phone", "must have between 7 and 15 digits")
    assert isinstance(exc, ValueError)
    assert str(errors.PolicyError("no such policy")) == "no such policy"
    assert errors.PermissionDenied("not your letters").rule == "ASC-07"
    assert issubclass(errors.UnknownSeries, errors.PolicyError)
    assert issubclass(errors.DuplicateError, errors.StorageError)


def test_rule_ids_are_recognised() -> None:
    """is_rule_id accepts SPEC rule IDs only."""
    assert is_rule_id("LOG-02")
    assert not is_rule_id("LOG-2")
    assert not is_rule_id("LOG-02.x")


@settings(max_examples=60)
@given(st.lists(decisions, max_size=4))
def test_combining_keeps_every_reason_and_warning_in_order(parts: list[Decision]) -> None:
    """A request with several problems reports all of them at once."""
    combined = Decision.combine(parts)
    assert combined.reasons == tuple(r for d in parts for r in d.reasons)
    assert combined.warnings == tuple(w for d in parts for w in d.warnings)
    assert combined.allowed == all(d.allowed for d in parts)


@settings(max_examples=60)
@given(decisions)
def test_a_decision_raises_exactly_when_refused(decision: Decision) -> None:
    """raise_if_refused raises the first reason's family error with every code, or nothing."""
    if decision.allowed:
        decision.raise_if_refused()
        return
    with pytest.raises(errors.RefusedByRule) as caught:
        decision.raise_if_refused()
    assert type(caught.value) is _FAMILY[decision.reasons[0].rule[:3]]
    assert caught.value.codes == decision.codes
