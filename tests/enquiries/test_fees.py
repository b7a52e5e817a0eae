"""Fees and invoices for a centre's enquiries in a series (EAR-14, EAR-15)."""

from __future__ import annotations

import decimal

import attrs
import pendulum
import pytest
from ear_board import (
    BOARD,
    CENTRE,
    IN_WINDOW,
    JUNE_2023,
    MATHS,
    OFFICER,
    POLICY,
    acknowledged,
    draft,
    facts,
    submitted,
)

from cambridge_results.enquiries import CandidateOutcome, Outcome
from cambridge_results.errors import EnquiryRefused, InvalidValue
from cambridge_results.policy import Money
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.changes import amend, cancel
from cambridge_results.rules.enquiries.fees import (
    LineKind,
    charges_for,
    invoice,
    invoices_from,
    totals,
)
from cambridge_results.rules.enquiries.outcomes import review_component

GBP = "GBP"
OCTOBER = pendulum.datetime(2023, 10, 2, tz="UTC")


def gbp(amount: str) -> Money:
    return Money(amount=decimal.Decimal(amount), currency=GBP)


def completed(service="2", grade_after="C", candidates=("0001",)):
    enquiry = acknowledged(submitted(draft(service, candidates=candidates)).enquiry)
    if grade_after == "C":
        outcomes = tuple(
            CandidateOutcome(candidate=c, grade_before="C", grade_after="C") for c in candidates
        )
    else:
        up = review_component(MATHS.components[0], before=50, reviewed=60)
        outcomes = (
            CandidateOutcome(
                candidate=candidates[0], components=(up,), grade_before="C", grade_after=grade_after
            ),
        )
    return wf.record_outcome(
        POLICY,
        enquiry,
        outcome=Outcome(candidates=outcomes, recorded_at=IN_WINDOW),
        principal=BOARD,
        now=IN_WINDOW,
    ).enquiry


def test_each_enquiry_is_charged_the_policys_fee_for_its_service():
    """EAR-15: the fee is the policy's fee for the service."""
    (line,) = charges_for(POLICY, completed("2"))
    assert (line.kind, line.list_price, line.charge, line.waived) == (
        LineKind.SERVICE,
        gbp("56.00"),
        gbp("56.00"),
        None,
    )


def test_no_fee_is_charged_when_the_syllabus_grade_changed():
    """EAR-15: the fee is waived when the enquiry leads to a change in syllabus grade."""
    (line,) = charges_for(POLICY, completed("2", grade_after="B"))
    assert line.charge is None
    assert line.list_price == gbp("56.00")
    assert line.waived == "the syllabus grade changed"


def test_no_result_and_pending_enquiries_are_free():
    """EAR-15: X/Q enquiries are free of charge."""
    xq = draft("X/Q", components=(), head_of_centre=True)
    sent = submitted(xq, syllabus_facts=facts(MATHS, grades={"0001": "X"})).enquiry
    (line,) = charges_for(POLICY, sent)
    assert line.charge is None
    assert line.list_price is None
    assert "free of charge" in line.description


def test_drafts_deleted_and_rejected_enquiries_cost_nothing():
    """EAR-15: only enquiries sent to the board are charged."""
    deleted = wf.delete(POLICY, draft(), principal=OFFICER, now=IN_WINDOW).enquiry
    assert charges_for(POLICY, draft()) == ()
    assert charges_for(POLICY, deleted) == ()


def test_a_line_without_outcome_is_provisional():
    """EAR-15 decision: until the outcome, the fee may still be waived."""
    (line,) = charges_for(POLICY, submitted(draft("1")).enquiry)
    assert line.provisional
    assert line.charge == gbp("28.00")
    (final,) = charges_for(POLICY, completed("1"))
    assert not final.provisional


def test_a_late_cancellation_costs_the_cancellation_fee_only():
    """EAR-14, EAR-15: a cancelled enquiry costs no service fee, but a late one an admin fee."""
    enquiry = acknowledged(submitted(draft("2")).enquiry)
    free = cancel(POLICY, enquiry, principal=OFFICER, now=IN_WINDOW.add(hours=1)).enquiry
    late = cancel(POLICY, enquiry, principal=OFFICER, now=IN_WINDOW.add(hours=25)).enquiry
    assert charges_for(POLICY, free) == ()
    (line,) = charges_for(POLICY, late)
    assert (line.kind, line.charge) == (LineKind.CANCELLATION, gbp("15.00"))


def test_late_amendments_add_the_amendment_fee_even_when_the_grade_changed():
    """EAR-14, EAR-15 decision: the waiver is of the enquiry fee, not of late-change fees."""
    enquiry = acknowledged(submitted(draft("1")).enquiry)
    moved = amend(
        POLICY,
        enquiry,
        facts=facts(),
        others=(),
        service="2",
        principal=OFFICER,
        now=IN_WINDOW.add(days=2),
    ).enquiry
    up = review_component(MATHS.components[0], before=50, reviewed=60)
    done = wf.record_outcome(
        POLICY,
        moved,
        outcome=Outcome(
            candidates=(
                CandidateOutcome(
                    candidate="0001", components=(up,), grade_before="C", grade_after="B"
                ),
            ),
            recorded_at=IN_WINDOW,
        ),
        principal=BOARD,
        now=IN_WINDOW.add(days=3),
    ).enquiry
    lines = charges_for(POLICY, done)
    assert [(line.kind, line.charge) for line in lines] == [
        (LineKind.SERVICE, None),
        (LineKind.AMENDMENT, gbp("15.00")),
    ]


def test_invoices_are_issued_from_october_for_the_june_series():
    """EAR-15: invoices from October for June, from March for November."""
    assert invoices_from(POLICY, JUNE_2023) == pendulum.datetime(2023, 9, 30, 23, tz="UTC")
    with pytest.raises(EnquiryRefused) as refused:
        invoice(POLICY, centre=CENTRE.number, series=JUNE_2023, enquiries=(), now=IN_WINDOW)
    assert refused.value.codes == ("EAR-15.too-early-to-invoice",)


def test_an_invoice_totals_its_lines_per_currency():
    """EAR-15: totals are Decimal sums per currency."""
    bill = invoice(
        POLICY,
        centre=CENTRE.number,
        series=JUNE_2023,
        enquiries=(
            completed("2"),
            completed("1S", candidates=("0002",)),
            completed("2", "B", ("0003",)),
        ),
        now=OCTOBER,
    )
    assert bill.totals == (gbp("96.00"),)
    assert bill.issued_at == OCTOBER


def test_totals_keep_currencies_apart():
    """EAR-15: amounts in different currencies are never added together."""
    line = charges_for(POLICY, completed("2"))[0]
    usd = attrs.evolve(line, charge=Money(amount=decimal.Decimal("70.10"), currency="USD"))
    assert totals((line, usd, line)) == (
        gbp("112.00"),
        Money(amount=decimal.Decimal("70.10"), currency="USD"),
    )


def test_an_invoice_refuses_another_centres_enquiries():
    """EAR-15: an invoice is for one centre and one series."""
    stranger = attrs.evolve(completed("2"), centre="FR777")
    with pytest.raises(InvalidValue):
        invoice(POLICY, centre=CENTRE.number, series=JUNE_2023, enquiries=(stranger,), now=OCTOBER)
