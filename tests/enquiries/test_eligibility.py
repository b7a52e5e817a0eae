"""Who may ask for which service: the EAR-01 table and rules EAR-02..EAR-07, EAR-19, EAR-21."""

from __future__ import annotations

import pendulum
import pytest
from ear_board import (
    ART,
    BIOLOGY,
    BOTH_TICKED,
    ICE,
    IN_WINDOW,
    JUNE_2023,
    MATHS,
    OFFICER,
    PHYSICS,
    POLICY,
    draft,
    facts,
    submitted,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import EnquiryRefused
from cambridge_results.policy import example_2026
from cambridge_results.rules.enquiries.changes import cancel
from cambridge_results.rules.enquiries.eligibility import (
    check_eligibility,
    check_group_award,
    check_request,
)
from cambridge_results.rules.enquiries.services import (
    check_window,
    offered_services,
    submission_window,
)
from cambridge_results.rules.enquiries.workflow import submit
from cambridge_results.values import ExamSeries, MarkSource, Route


def codes(enquiry, syllabus_facts=None, others=(), now=IN_WINDOW, policy=POLICY):
    syllabus = {"0580": MATHS, "0610": BIOLOGY, "0400": ART, "0625": PHYSICS}[
        enquiry.syllabus.value
    ]
    decision = check_eligibility(
        policy, enquiry, facts=syllabus_facts or facts(syllabus), others=others, now=now
    )
    return set(decision.codes)


# --- EAR-01: the service table by component ---------------------------------------------


@pytest.mark.parametrize("service", ["1", "1S", "2", "2S"])
def test_recheck_and_review_services_are_allowed_for_a_board_assessed_paper(service):
    """EAR-01: services 1, 1S, 2 and 2S are available for components the board assessed."""
    assert codes(draft(service, syllabus=MATHS, components=("12", "32"))) == set()


@pytest.mark.parametrize("service", ["1", "1S", "2", "2S", "9"])
def test_board_services_are_refused_for_a_centre_assessed_component(service):
    """EAR-01: board services are not for coursework the centre assessed."""
    enquiry = draft(
        service,
        syllabus=PHYSICS,
        components=("04",),
        candidates=("0001",) if service != "9" else tuple(f"{n:04d}" for n in range(1, 6)),
    )
    assert "EAR-01.assessed-by" in codes(enquiry)


@pytest.mark.parametrize(
    ("service", "refused"), [("1", False), ("1S", False), ("2", True), ("2S", True)]
)
def test_review_of_marking_is_refused_for_a_multiple_choice_paper(service, refused):
    """EAR-01: services 2 and 2S are not available for multiple-choice papers; 1 and 1S are."""
    found = codes(draft(service, syllabus=BIOLOGY, components=("22",)))
    assert ("EAR-01.multiple-choice" in found) is refused


@pytest.mark.parametrize(
    ("service", "refused"), [("1", False), ("1S", True), ("2", False), ("2S", True)]
)
def test_copy_of_script_services_are_refused_for_art_and_design(service, refused):
    """EAR-01: 1S and 2S are not available for Art & Design syllabuses."""
    found = codes(draft(service, syllabus=ART, components=("02",)))
    assert ("EAR-01.art-and-design" in found) is refused


def test_service_nine_is_refused_for_a_multiple_choice_paper():
    """EAR-01: service 9 is not available for multiple-choice papers."""
    group = tuple(f"{n:04d}" for n in range(1, 6))
    assert "EAR-01.multiple-choice" in codes(
        draft("9", syllabus=BIOLOGY, components=("22",), candidates=group)
    )


# --- EAR-01: by candidate and by group ---------------------------------------------------


@pytest.mark.parametrize(("size", "allowed"), [(4, False), (5, True), (15, True), (16, False)])
def test_service_nine_is_for_a_group_of_five_to_fifteen(size, allowed):
    """EAR-01: service 9 is a report on a group of 5 to 15 candidates."""
    group = tuple(f"{n:04d}" for n in range(1, size + 1))
    found = codes(draft("9", syllabus=MATHS, components=("12",), candidates=group))
    assert ("EAR-01.group-size" not in found) is allowed


def test_service_nine_is_refused_for_a_candidate_on_the_portfolio_route():
    """EAR-01: service 9 is not available for candidates who submitted a portfolio of evidence."""
    group = tuple(f"{n:04d}" for n in range(1, 6))
    poe = facts(MATHS, routes={"0003": Route.PORTFOLIO_OF_EVIDENCE})
    found = codes(draft("9", components=("12",), candidates=group), poe)
    assert found == {"EAR-01.portfolio-route"}


def test_individual_services_are_open_to_the_portfolio_route():
    """EAR-01: the other services remain available to portfolio-of-evidence candidates."""
    poe = facts(MATHS, routes={"0001": Route.PORTFOLIO_OF_EVIDENCE})
    assert codes(draft("2", components=("12",), candidates=("0001",)), poe) == set()


def test_service_five_is_for_the_whole_group_never_an_individual():
    """EAR-01: service 5 is not available for individual candidates."""
    named = draft("5", syllabus=PHYSICS, components=("04",), candidates=("0001",))
    assert "EAR-01.whole-group-only" in codes(named)


def test_service_five_re_moderates_only_the_original_sample():
    """EAR-01: a service 5 enquiry covers exactly the candidates of the original sample."""
    whole = draft("5", syllabus=PHYSICS, components=("04",), candidates=(), whole_group=True)
    assert codes(whole) == set()
    sent = submitted(whole).enquiry
    assert [str(c) for c in sent.candidates] == ["0002", "0004", "0006", "0008", "0010"]
    assert sent.candidate_label == "All"


def test_service_five_needs_a_moderation_sample():
    """EAR-01: without an original sample there is nobody to re-moderate."""
    whole = draft("5", syllabus=PHYSICS, components=("04",), candidates=(), whole_group=True)
    assert codes(whole, facts(PHYSICS, samples={})) == {"EAR-01.no-moderation-sample"}


def test_an_individual_service_names_exactly_one_candidate():
    """EAR-01: re-checks and reviews are made one candidate at a time."""
    assert "EAR-01.one-candidate" in codes(draft("1", candidates=("0001", "0002")))
    assert "EAR-01.one-candidate" in codes(draft("1", candidates=()))


def test_no_result_enquiries_are_asked_by_the_head_of_centre_for_x_or_q_only():
    """EAR-01: X/Q explains a NO RESULT or PENDING, asked for by the Head of Centre."""
    x = facts(MATHS, grades={"0001": "X", "0002": "B"})
    asked = draft("X/Q", components=(), candidates=("0001",), head_of_centre=True)
    assert codes(asked, x) == set()
    not_head = draft("X/Q", components=(), candidates=("0001",))
    assert codes(not_head, x) == {"EAR-01.head-of-centre"}
    graded = draft("X/Q", components=(), candidates=("0002",), head_of_centre=True)
    assert codes(graded, x) == {"EAR-01.not-no-result-or-pending"}


# --- EAR-02, EAR-03, EAR-05 -------------------------------------------------------------


def test_component_exemptions_are_refused():
    """EAR-02: enquiries are not available for component exemptions."""
    exempt = facts(MATHS, marks={("0001", "32"): MarkSource.EXEMPTION})
    assert codes(draft("1", components=("12", "32")), exempt) == {"EAR-02.exemption"}


def test_enquiries_are_made_at_component_level():
    """EAR-03: an enquiry names components of its syllabus."""
    assert codes(draft("1", components=())) == {"EAR-03.no-components"}
    assert codes(draft("1", components=("99",))) == {"EAR-03.unknown-component"}


def test_a_candidate_without_a_valid_entry_is_refused():
    """EAR-03: the candidate must be entered for the syllabus and the components."""
    assert codes(draft("1", candidates=("0999",))) == {"EAR-03.no-entry"}


def test_a_calculated_mark_makes_the_whole_request_refused():
    """EAR-05: a component whose mark was calculated (assessed) is never considered."""
    calculated = facts(MATHS, marks={("0001", "32"): MarkSource.CALCULATED})
    assert codes(draft("2", components=("12", "32")), calculated) == {"EAR-05.calculated-mark"}


def test_a_component_without_a_mark_is_refused():
    """EAR-05: every component needs a mark from an exam or from moderation."""
    missing = facts(MATHS, marks={("0001", "12"): None})
    assert codes(draft("2", components=("12",)), missing) == {"EAR-05.no-mark"}


def test_a_moderation_mark_qualifies():
    """EAR-05: a mark from moderation is as good as one from an exam."""
    moderated = facts(MATHS, marks={("0001", "12"): MarkSource.MODERATION})
    assert codes(draft("2", components=("12",)), moderated) == set()


# --- EAR-04 and EAR-06 ------------------------------------------------------------------


def test_a_second_review_for_the_same_candidate_and_syllabus_is_refused():
    """EAR-06: one re-check or review per candidate and syllabus, none after one was submitted."""
    first = submitted(draft("1S", components=("12",))).enquiry
    second = draft("2S", components=("12",))
    assert codes(second, others=(first,)) == {"EAR-06.already-submitted"}


def test_a_later_component_for_the_same_candidate_and_syllabus_is_refused():
    """EAR-04: all components of a syllabus are submitted together; later additions are refused."""
    first = submitted(draft("1", components=("12",))).enquiry
    later = draft("1", components=("32",))
    assert codes(later, others=(first,)) == {"EAR-04.later-addition", "EAR-06.already-submitted"}


def test_drafts_and_cancelled_enquiries_do_not_count():
    """EAR-06 decision: saved drafts and cancelled enquiries do not block a new enquiry."""
    saved = draft("1", components=("12",))
    cancelled = cancel(
        POLICY, submitted(draft("1", components=("12",))).enquiry, principal=OFFICER, now=IN_WINDOW
    ).enquiry
    assert codes(draft("2", components=("12", "32")), others=(saved, cancelled)) == set()


def test_other_syllabuses_and_candidates_do_not_count():
    """EAR-06: the rule is per candidate and syllabus."""
    other_candidate = submitted(draft("1", candidates=("0002",))).enquiry
    other_syllabus = submitted(draft("1", syllabus=BIOLOGY, components=("42",))).enquiry
    assert codes(draft("2"), others=(other_candidate, other_syllabus)) == set()


def test_an_open_enquiry_on_the_same_syllabus_is_flagged_before_submission():
    """EAR-13: candidates with an open enquiry are flagged; a group service may go ahead."""
    open_one = submitted(draft("1", components=("12",), candidates=("0003",))).enquiry
    group = draft("9", components=("12",), candidates=tuple(f"{n:04d}" for n in range(1, 6)))
    decision = check_eligibility(POLICY, group, facts=facts(), others=(open_one,), now=IN_WINDOW)
    assert decision.allowed
    assert [w.code for w in decision.warnings] == ["EAR-13.open-enquiries"]
    assert "0003" in decision.warnings[0].message


# --- EAR-07, EAR-22: deadlines as instants, half-open -------------------------------------


def test_the_june_2023_deadline_is_the_end_of_20_september_in_london():
    """EAR-07, EAR-22: a date deadline closes at the end of that day in Europe/London."""
    opens, closes = submission_window(POLICY, JUNE_2023, "1")
    assert closes == pendulum.datetime(2023, 9, 20, 23, 0, tz="UTC")  # midnight BST
    assert opens == pendulum.datetime(2023, 8, 9, 23, 0, tz="UTC")
    last = closes.subtract(microseconds=1)
    assert codes(draft("1"), now=last) == set()
    assert codes(draft("1"), now=closes) == {"EAR-07.deadline-passed"}


def test_the_november_2023_deadline_is_26_february_2024():
    """EAR-07: the November 2023 series closes at the end of 26 February 2024 (GMT)."""
    _, closes = submission_window(POLICY, ExamSeries.parse("November 2023"), "X/Q")
    assert closes == pendulum.datetime(2024, 2, 27, 0, 0, tz="UTC")


def test_an_exact_deadline_instant_is_half_open():
    """EAR-22: a deadline given as 23:59 UTC refuses a submission at exactly 23:59."""
    policy = example_2026()
    _, closes = submission_window(policy, ExamSeries.parse("June 2026"), "1")
    assert closes == pendulum.datetime(2026, 9, 17, 23, 59, tz="UTC")


def test_enquiries_open_when_results_are_released():
    """EAR-22 decision: the window opens at the results release."""
    before = pendulum.datetime(2023, 8, 9, 12, 0, tz="UTC")
    assert codes(draft("1"), now=before) == {"EAR-07.results-not-released"}


def test_a_priority_service_has_its_own_earlier_deadline():
    """EAR-07, EAR-21: the example 2026 policy closes 2P on 20 August, service 1 in September."""
    policy = example_2026()
    june = ExamSeries.parse("June 2026")
    assert submission_window(policy, june, "2P")[1] == pendulum.datetime(2026, 8, 20, 23, tz="UTC")
    assert submission_window(policy, june, "1")[1] == pendulum.datetime(
        2026, 9, 17, 23, 59, tz="UTC"
    )


# --- EAR-19 and EAR-21 --------------------------------------------------------------------


def test_group_award_recalculations_are_refused_with_the_email_instruction():
    """EAR-19: Cambridge ICE and AICE Diploma recalculations are asked for by email."""
    decision = check_group_award(POLICY, ICE)
    assert decision.codes == ("EAR-19.group-award-by-email",)
    assert "info@cambridgeinternational.org" in decision.reasons[0].message
    assert check_group_award(POLICY, facts().qualification).allowed


def test_priority_services_are_offered_in_june_2026_only():
    """EAR-21: example 2026 adds 2P and 2PS for the June series only."""
    policy = example_2026()
    june = {s.code for s in offered_services(policy, ExamSeries.parse("June 2026"))}
    november = {s.code for s in offered_services(policy, ExamSeries.parse("November 2026"))}
    assert {"2P", "2PS"} <= june
    assert not {"2P", "2PS"} & november


def test_a_withdrawn_service_is_refused_for_that_series():
    """EAR-21: a policy can withdraw a service for one series without code changes."""
    import attrs

    calendars = tuple(
        attrs.evolve(c, services_withdrawn=("9",)) if c.series == JUNE_2023 else c
        for c in POLICY.series
    )
    policy = attrs.evolve(POLICY, series=calendars)
    group = tuple(f"{n:04d}" for n in range(1, 6))
    enquiry = draft("1", components=("12",), candidates=group[:1])
    nine = attrs.evolve(enquiry, service="9", candidates=group)
    assert codes(nine, policy=policy) == {"EAR-21.service-withdrawn"}
    with pytest.raises(EnquiryRefused) as refused:
        draft("9", candidates=group, policy=policy)
    assert refused.value.codes == ("EAR-21.service-withdrawn",)


# --- several problems at once ----------------------------------------------------------------

FAULTS = st.fixed_dictionaries(
    {
        "late": st.booleans(),
        "multiple_choice": st.booleans(),
        "calculated": st.booleans(),
        "exempt": st.booleans(),
        "earlier": st.booleans(),
        "ticked": st.booleans(),
    }
)


@settings(max_examples=40, deadline=None)
@given(faults=FAULTS)
def test_a_request_with_several_faults_reports_every_reason_with_its_rule(faults):
    """EAR-01..EAR-09: submitting a request reports all its problems at once, each with its rule."""
    components = ["42"] + (["22"] if faults["multiple_choice"] else [])
    marks = {}
    if faults["calculated"]:
        marks[("0001", "42")] = MarkSource.CALCULATED
    if faults["exempt"]:
        marks[("0001", "52")] = MarkSource.EXEMPTION
        components.append("52")
    bio = facts(BIOLOGY, marks=marks)
    others = ()
    if faults["earlier"]:
        earlier = draft("1", syllabus=BIOLOGY, components=("42",))
        others = (submitted(earlier, syllabus_facts=facts(BIOLOGY)).enquiry,)
    now = pendulum.datetime(2023, 9, 21, 12, tz="UTC") if faults["late"] else IN_WINDOW
    expected = {
        code
        for fault, code in (
            ("late", "EAR-07.deadline-passed"),
            ("multiple_choice", "EAR-01.multiple-choice"),
            ("calculated", "EAR-05.calculated-mark"),
            ("exempt", "EAR-02.exemption"),
            ("earlier", "EAR-06.already-submitted"),
        )
        if faults[fault]
    }
    if faults["earlier"] and len(components) > 1:
        expected.add("EAR-04.later-addition")
    if not faults["ticked"]:
        expected.add("EAR-09.declarations-not-ticked")
    enquiry = draft("2S", syllabus=BIOLOGY, components=components)
    attempt = lambda: submit(  # noqa: E731
        POLICY,
        enquiry,
        facts=bio,
        others=others,
        declarations=BOTH_TICKED if faults["ticked"] else (True, False),
        principal=OFFICER,
        now=now,
    )
    if not expected:
        assert attempt().enquiry.status.value == "submitted"
        return
    with pytest.raises(EnquiryRefused) as refused:
        attempt()
    assert set(refused.value.codes) == expected
    assert all(r.rule in str(refused.value) for r in refused.value.reasons)


@settings(max_examples=40, deadline=None)
@given(
    faults=FAULTS,
    hours=st.integers(min_value=-24 * 60, max_value=24 * 200),
    service=st.sampled_from(["1", "1S", "2", "2S", "X/Q"]),
)
def test_eligibility_is_the_window_then_the_request(faults, hours, service):
    """EAR-07 and EAR-01..06: the window's reasons first, then the request's, with its warnings."""
    marks = {("0001", "42"): MarkSource.CALCULATED} if faults["calculated"] else {}
    bio = facts(BIOLOGY, marks=marks)
    others = ()
    if faults["earlier"]:
        earlier = draft("1", syllabus=BIOLOGY, components=("42",))
        others = (submitted(earlier, syllabus_facts=facts(BIOLOGY)).enquiry,)
    components = ("42", "22") if faults["multiple_choice"] else ("42",)
    enquiry = draft(service, syllabus=BIOLOGY, components=components)
    now = pendulum.datetime(2023, 8, 10, tz="UTC").add(hours=hours)
    whole = check_eligibility(POLICY, enquiry, facts=bio, others=others, now=now)
    window = check_window(POLICY, enquiry.series, enquiry.service, now)
    request = check_request(POLICY, enquiry, facts=bio, others=others)
    assert whole.reasons == window.reasons + request.reasons
    assert whole.warnings == request.warnings
    assert whole.allowed == (window.allowed and request.allowed)
