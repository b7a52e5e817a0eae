"""Centre administration of the candidate results website (CRW-01..CRW-08)."""

from __future__ import annotations

import sys

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results import Policy
from cambridge_results.errors import AccessRefused
from cambridge_results.rules.website import access as website
from cambridge_results.rules.website.access import AccessRequest
from cambridge_results.values import (
    Candidate,
    CandidateNumber,
    CentreNumber,
    ContactDetails,
    Delay,
    Entry,
    EntryStatus,
    ExamSeries,
    Session,
)
from cambridge_results.values.access import (
    AccessMode,
    CentreAccess,
    EffectiveSettings,
    SettingSource,
    Sourced,
)

GB123 = CentreNumber("GB123")
JUNE = ExamSeries(year=2026, session=Session.JUNE)
NOV = ExamSeries(year=2026, session=Session.NOVEMBER)
numbers = st.integers(min_value=0, max_value=9999).map(lambda n: CandidateNumber(str(n)))
number_sets = st.frozensets(numbers, max_size=15)


def entry(number: str, *, series: ExamSeries = JUNE, valid: bool = True) -> Entry:
    """An entry of GB123 for syllabus 0580."""
    return Entry(
        centre="GB123",
        series=series,
        candidate=number,
        syllabus="0580",
        components=("12",),
        status=EntryStatus.VALID if valid else EntryStatus.WITHDRAWN,
    )


def test_the_first_look_at_a_series_gives_no_candidates_access() -> None:
    """CRW-01: the first time a centre looks at a series the mode is NONE."""
    access = website.first_look(GB123, JUNE)
    assert access.mode is AccessMode.NONE
    assert access.contact is None


def test_credentials_cannot_be_created_before_the_window_opens(policy: Policy) -> None:
    """CRW-02: asking before 21 March 2026 is refused, naming the opening date."""
    now = pendulum.datetime(2026, 3, 20, 23, 59, 59, tz="Europe/London")
    decision = website.credential_window(policy, JUNE, now)
    assert decision.codes == ("CRW-02.window-not-open",)
    assert "21 March 2026" in decision.reasons[0].message


def test_credentials_can_be_created_from_the_opening_instant_on(policy: Policy) -> None:
    """CRW-02: the window opens at the start of the opening day, London time."""
    opens = website.credential_window_opens(policy, NOV)
    assert opens == pendulum.datetime(2026, 10, 1, tz="Europe/London")
    assert website.credential_window(policy, NOV, opens).allowed
    assert not website.credential_window(policy, NOV, opens.subtract(microseconds=1)).allowed


@given(offset=st.integers(min_value=-400 * 86400, max_value=400 * 86400))
def test_the_window_is_open_exactly_from_its_opening(policy: Policy, offset: int) -> None:
    """CRW-02: allowed if and only if now >= the opening instant."""
    opens = website.credential_window_opens(policy, JUNE)
    now = opens.add(seconds=offset)
    assert website.credential_window(policy, JUNE, now).allowed == (offset >= 0)


def test_a_series_missing_from_the_policy_is_refused_not_raised(policy: Policy) -> None:
    """CRW-02: an unknown series is a refusal reason, so it combines with others."""
    decision = website.credential_window(
        policy, ExamSeries(year=2031, session=Session.JUNE), pendulum.now("UTC")
    )
    assert decision.codes == ("CRW-02.unknown-series",)


def test_a_centre_without_a_valid_entry_cannot_create_credentials() -> None:
    """CRW-03: withdrawn entries and entries of other series do not count."""
    entries = [entry("0001", valid=False), entry("0002", series=NOV)]
    decision = website.centre_has_valid_entry(entries, GB123, JUNE)
    assert decision.codes == ("CRW-03.no-valid-entry-in-series",)
    assert website.centre_has_valid_entry([*entries, entry("0003")], GB123, JUNE).allowed


def test_a_candidate_needs_a_valid_entry_of_their_own() -> None:
    """CRW-03: a candidate whose only entry is withdrawn gets no credentials."""
    entries = [entry("0001"), entry("0002", valid=False)]
    assert website.candidate_has_valid_entry(entries, GB123, JUNE, CandidateNumber("1")).allowed
    refused = website.candidate_has_valid_entry(entries, GB123, JUNE, CandidateNumber("2"))
    assert refused.codes == ("CRW-03.candidate-has-no-valid-entry",)


def test_eligible_candidates_come_in_ascending_candidate_number() -> None:
    """CRW-07: the list shows candidates with a valid entry by ascending number."""
    people = [
        Candidate(centre="GB123", number=n, given_name="A", family_name=f"N{n}")
        for n in ("0713", "0002", "0100", "0050")
    ]
    other = Candidate(centre="GB999", number="0001", given_name="B", family_name="Other")
    entries = [entry("0713"), entry("0002"), entry("0100"), entry("0050", valid=False)]
    chosen = website.eligible_candidates([*people, other], entries, GB123, JUNE)
    assert [c.number.value for c in chosen] == ["0002", "0100", "0713"]


def _people() -> list[Candidate]:
    return [
        Candidate(centre="GB123", number="0713", given_name="Zoë", family_name="Brown", uci=None),
        Candidate(
            centre="GB123",
            number="0042",
            given_name="محمد",
            family_name="عبد الله",
            uci="GB1232600042A",
        ),
        Candidate(centre="GB123", number="1234", given_name="Anna", family_name="Zoëlle"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zoë", ["0713", "1234"]),
        ("ZOË", ["0713", "1234"]),
        ("Zoe\u0308", ["0713", "1234"]),
        ("713", ["0713"]),
        ("0713", ["0713"]),
        ("gb1232600042a", ["0042"]),
        ("عبد", ["0042"]),
        ("", ["0713", "0042", "1234"]),
        ("nobody", []),
    ],
)
def test_candidates_can_be_searched_by_name_number_or_uci(query: str, expected: list[str]) -> None:
    """CRW-07: search by any part of the name, the number with or without zeros, or the UCI."""
    found = website.search_candidates(_people(), query)
    assert [c.number.value for c in found] == expected


def test_giving_access_needs_agreement_name_and_phone_or_email_all_reported_at_once() -> None:
    """CRW-04: every missing item is reported in one answer."""
    decision = website.check_access_request(AccessRequest(mode=AccessMode.ALL))
    assert decision.codes == (
        "CRW-04.agreement-missing",
        "CRW-04.contact-name-missing",
        "CRW-04.phone-or-email-missing",
    )


def test_invalid_contact_details_and_delay_are_all_reported() -> None:
    """CRW-04 and CRW-05: a bad name, phone, email and delay each get a reason."""
    request = AccessRequest(
        mode=AccessMode.SELECTED,
        agreed_to_manage_queries=True,
        contact_name="Ann\u202eEvil",
        phone="call me",
        email="not-an-email",
        delay="soon",
    )
    decision = website.check_access_request(request)
    assert decision.codes == (
        "CRW-04.invalid-contact-name",
        "CRW-04.invalid-phone",
        "CRW-04.invalid-email",
        "CRW-05.invalid-delay",
    )
    with pytest.raises(AccessRefused) as caught:
        website.confirm_access(GB123, JUNE, request)
    assert caught.value.codes == decision.codes


def test_agreement_must_be_an_explicit_true() -> None:
    """CRW-04: a truthy value that is not True is not an agreement."""
    request = AccessRequest(
        mode=AccessMode.ALL,
        agreed_to_manage_queries="yes",  # type: ignore[arg-type]
        contact_name="Ann Lee",
        email="exams@school.example.org",
    )
    assert website.check_access_request(request).codes == ("CRW-04.agreement-missing",)


def test_confirming_all_gives_settings_with_contact_and_delay() -> None:
    """CRW-04, CRW-05: a complete request becomes the centre's settings."""
    request = AccessRequest(
        mode=AccessMode.ALL,
        agreed_to_manage_queries=True,
        contact_name="Ann Lee",
        phone="+44 1223 553554",
        delay="2 days",
    )
    access = website.confirm_access(GB123, JUNE, request)
    assert access.mode is AccessMode.ALL
    assert access.contact == ContactDetails(name="Ann Lee", phone="+44 1223 553554")
    assert access.delay == Delay(seconds=2 * 86400)


def test_choosing_none_needs_nothing_and_keeps_nothing() -> None:
    """CRW-06: NONE needs no agreement or contact, and clears them."""
    access = website.confirm_access(
        GB123, JUNE, AccessRequest(mode=AccessMode.NONE, contact_name="Ann Lee")
    )
    assert access == website.first_look(GB123, JUNE)


def test_an_associate_centre_using_its_associates_contact_need_not_name_one() -> None:
    """CRW-04 with ASC-05: the agreement is still needed, the contact is not."""
    bare = AccessRequest(mode=AccessMode.ALL, agreed_to_manage_queries=True)
    assert website.check_access_request(bare, contact_from_associate=True).allowed
    half = AccessRequest(mode=AccessMode.ALL, agreed_to_manage_queries=True, contact_name="Ann")
    assert website.check_access_request(half, contact_from_associate=True).codes == (
        "CRW-04.phone-or-email-missing",
    )
    assert website.confirm_access(GB123, JUNE, bare, contact_from_associate=True).contact is None


def test_settings_giving_access_without_agreement_cannot_exist() -> None:
    """CRW-04: the value object refuses ALL without the agreement."""
    with pytest.raises(ValueError, match="agreement"):
        CentreAccess(centre=GB123, series=JUNE, mode=AccessMode.ALL)


@given(mode=st.sampled_from(AccessMode), eligible=number_sets, selected=number_sets)
def test_who_has_access_follows_the_mode(
    mode: AccessMode, eligible: frozenset[CandidateNumber], selected: frozenset[CandidateNumber]
) -> None:
    """CRW-06/07: NONE nobody, ALL every eligible candidate, SELECTED the eligible ticked ones."""
    who = website.with_access(mode, eligible, selected)
    assert who <= eligible
    expected = {
        AccessMode.NONE: frozenset(),
        AccessMode.ALL: eligible,
        AccessMode.SELECTED: eligible & selected,
    }[mode]
    assert who == expected


@given(before=number_sets, after=number_sets)
def test_a_selection_change_grants_the_newly_ticked_and_revokes_the_unticked(
    before: frozenset[CandidateNumber], after: frozenset[CandidateNumber]
) -> None:
    """CRW-08: granted, revoked and kept partition everyone involved, and revoked lose access."""
    change = website.access_change(before, after)
    assert change.granted | change.kept == after
    assert change.revoked | change.kept == before
    assert not (change.granted & change.revoked)
    assert not (change.revoked & after)
    assert not (change.granted & before)


def test_switching_to_none_revokes_everyone() -> None:
    """CRW-06: existing logins stop working when the mode becomes NONE."""
    eligible = {CandidateNumber("1"), CandidateNumber("2")}
    before = website.with_access(AccessMode.ALL, eligible, set())
    after = website.with_access(AccessMode.NONE, eligible, set())
    change = website.access_change(before, after)
    assert change.revoked == before
    assert not change.granted


def test_ticking_candidates_without_a_valid_entry_reports_each_of_them() -> None:
    """CRW-03: every ticked candidate without a valid entry is named."""
    decision = website.check_selection(
        [CandidateNumber("3"), CandidateNumber("1"), CandidateNumber("9")],
        [CandidateNumber("1")],
        JUNE,
    )
    assert decision.codes == ("CRW-03.candidate-has-no-valid-entry",) * 2
    assert "0003" in decision.reasons[0].message
    assert "0009" in decision.reasons[1].message


def _settings(
    *, mode: AccessMode = AccessMode.ALL, access: bool = True, contact: bool = True
) -> EffectiveSettings:
    here = SettingSource.CENTRE
    return EffectiveSettings(
        centre=GB123,
        series=JUNE,
        access_given=Sourced(value=access, source=SettingSource.ASSOCIATE_PER_CENTRE),
        mode=Sourced(value=mode, source=here),
        delay=Sourced(value=Delay(), source=here),
        contact=Sourced(
            value=ContactDetails(name="Ann", email="a@b.example") if contact else None,
            source=here,
        ),
    )


def test_generation_is_allowed_when_every_rule_agrees(policy: Policy) -> None:
    """CRW-02, CRW-03, CRW-04, CRW-06, ASC-03 all pass: generation may go ahead."""
    now = pendulum.datetime(2026, 4, 1, tz="UTC")
    assert website.can_generate_credentials(policy, _settings(), [entry("0001")], now).allowed


def test_generation_reports_every_reason_it_is_refused(policy: Policy) -> None:
    """CRW-02, CRW-03, CRW-04, ASC-03: all problems in one answer."""
    now = pendulum.datetime(2026, 1, 1, tz="UTC")
    decision = website.can_generate_credentials(
        policy, _settings(access=False, contact=False), [], now
    )
    assert decision.codes == (
        "CRW-02.window-not-open",
        "CRW-03.no-valid-entry-in-series",
        "ASC-03.access-not-given",
        "CRW-04.contact-missing",
    )


def test_generation_for_mode_none_is_refused(policy: Policy) -> None:
    """CRW-06: nothing is generated for NO candidates."""
    now = pendulum.datetime(2026, 4, 1, tz="UTC")
    decision = website.can_generate_credentials(
        policy, _settings(mode=AccessMode.NONE), [entry("0001")], now
    )
    assert decision.codes == ("CRW-06.no-candidates-have-access",)


def test_the_rules_package_loads_no_storage_or_pdf_library() -> None:
    """Section 0: importing the website rules loads neither sqlite3, psycopg nor fpdf."""
    import subprocess

    code = (
        "import sys, cambridge_results.rules.website.access, "
        "cambridge_results.rules.associates.settings, "
        "cambridge_results.rules.associates.permissions; "
        "print(sorted(m for m in ('sqlite3', 'psycopg', 'fpdf') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@settings(max_examples=50)
@given(days=st.integers(min_value=0, max_value=30))
def test_a_confirmed_delay_round_trips_through_its_text(days: int) -> None:
    """CRW-05: the delay typed on the form is the one kept."""
    request = AccessRequest(
        mode=AccessMode.ALL,
        agreed_to_manage_queries=True,
        contact_name="Ann Lee",
        email="exams@school.example.org",
        delay=f"{days} days",
    )
    assert website.confirm_access(GB123, JUNE, request).delay.seconds == days * 86400
