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

import datetime
import decimal

import pendulum

from cambridge_results.testing import _missing_extra

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as exc:
    raise _missing_extra(exc) from exc

from cambridge_results.policy import (
    CredentialPolicy,
    DateOrInstant,
    EnquiryPolicy,
    Fee,
    LoginPolicy,
    Money,
    Policy,
    ReportPolicy,
    ReviewKind,
    SeriesCalendar,
    ServiceDefinition,
)
from cambridge_results.principals import (
    AssociateOfficer,
    BoardStaff,
    CandidateUser,
    CentreOfficer,
    Principal,
)
from cambridge_results.values import (
    GRADES,
    MAX_DELAY,
    UCI,
    AssessedBy,
    Associate,
    Candidate,
    CandidateNumber,
    Centre,
    CentreNumber,
    Component,
    ComponentCode,
    ContactDetails,
    Delay,
    Entry,
    EntryStatus,
    ExamSeries,
    Grade,
    Mark,
    MarkSource,
    Qualification,
    Route,
    Session,
    Syllabus,
    SyllabusCode,
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

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()
_DIGITS = "0123456789"


def _chars(*ranges: tuple[int, int]) -> str:
    return "".join(chr(c) for start, end in ranges for c in range(start, end + 1))


# Letters of several scripts, all assigned in every Unicode version Python 3.11
# ships, so a drawn name is accepted wherever the library runs.
_SCRIPTS: dict[str, str] = {
    "latin": _UPPER + _LOWER + _chars((0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x17F)),
    "greek": _chars((0x391, 0x3A1), (0x3A3, 0x3A9), (0x3B1, 0x3C9)),
    "cyrillic": _chars((0x410, 0x44F)),
    "arabic": _chars((0x621, 0x63A), (0x641, 0x64A)),
    "hebrew": _chars((0x5D0, 0x5EA)),
    "devanagari": _chars((0x905, 0x914), (0x915, 0x939)),
    "thai": _chars((0xE01, 0xE2E)),
    "cjk": _chars((0x4E00, 0x4FFF), (0x7000, 0x70FF)),
    "hangul": _chars((0xAC00, 0xAD00)),
    "ethiopic": _chars((0x1200, 0x1248)),
}
# Marks that combine with the letter before them: accents for Latin (often
# giving text that NFC composes), vowel signs and virama for Devanagari,
# harakat for Arabic.
_MARKS: dict[str, str] = {
    "latin": _chars((0x300, 0x308), (0x30A, 0x30C), (0x327, 0x328)),
    "devanagari": _chars((0x93E, 0x94D)),
    "arabic": _chars((0x64B, 0x652)),
}
# Zero-width (non-)joiners shape Arabic and Indic names; they are accepted.
_JOINERS = "\u200c\u200d"


def _word(script: str) -> st.SearchStrategy[str]:
    letters = _SCRIPTS[script]
    marks = _MARKS.get(script)
    if marks is None:
        return st.text(letters, min_size=1, max_size=8)
    joiners = _JOINERS if script in ("arabic", "devanagari") else ""
    # Most letters stand alone; some carry a mark, a few a joiner after it.
    unit = st.tuples(
        st.sampled_from(letters),
        st.sampled_from(["", "", "", *marks]),
        st.sampled_from(["", "", "", "", "", "", *joiners]),
    ).map("".join)
    return st.lists(unit, min_size=1, max_size=6).map("".join)


_WORDS = st.one_of([_word(script) for script in sorted(_SCRIPTS)])
_NAME_JOINERS = st.sampled_from([" ", " ", " ", "-", "'"])


def person_names(*, max_words: int = 3) -> st.SearchStrategy[str]:
    """Names as people type them, in Latin (with combining accents), Greek, Cyrillic,
    Arabic, Hebrew, Devanagari, Thai, CJK, Hangul or Ethiopic script.

    Words are joined by single spaces, hyphens or apostrophes.  A drawn name
    may not be in NFC (``"e\\u0301"``); the library stores it normalised.
    """
    return st.tuples(
        _WORDS, st.lists(st.tuples(_NAME_JOINERS, _WORDS), max_size=max_words - 1)
    ).map(lambda t: t[0] + "".join(j + w for j, w in t[1]))


def refused_name_characters() -> st.SearchStrategy[str]:
    """One character a name must never hold: controls, bidi overrides and
    isolates, invisible format characters, line separators, other spaces."""
    return st.sampled_from(
        [
            *"\x00\x07\t\n\r\x1b\x7f\x85",
            *"\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
            *"\u00ad\u200b\u2060\ufeff",
            *"\u2028\u2029",
            *"\u00a0\u2003\u3000",
            "\ue000",
        ]
    )


@st.composite
def names_with_refused_characters(draw: st.DrawFn) -> str:
    """A valid name with one refused character put somewhere in it."""
    name = draw(person_names())
    at = draw(st.integers(0, len(name)))
    return name[:at] + draw(refused_name_characters()) + name[at:]


def exam_series(*, min_year: int = 2000, max_year: int = 2099) -> st.SearchStrategy[ExamSeries]:
    """Exam series: June or November of a year from ``min_year`` to ``max_year``."""
    return st.builds(
        ExamSeries,
        year=st.integers(min_year, max_year),
        session=st.sampled_from(Session),
    )


@st.composite
def _series_text(draw: st.DrawFn, series: ExamSeries) -> str:
    long, short = series.session.label, series.session.label[:3]
    word = draw(st.sampled_from([long, short, long.lower(), long.upper(), short.lower()]))
    return draw(st.sampled_from([series.code, f"{word} {series.year}"]))


def exam_series_texts() -> st.SearchStrategy[str]:
    """Text that :meth:`ExamSeries.parse` accepts: ``June 2026``, ``nov 2026``, ``2026-06``."""
    return exam_series().flatmap(_series_text)


def centre_numbers() -> st.SearchStrategy[CentreNumber]:
    """Centre numbers: two capital letters and three digits, e.g. ``GB123``."""
    return st.builds(
        lambda a, b, n: CentreNumber(f"{a}{b}{n:03d}"),
        st.sampled_from(_UPPER),
        st.sampled_from(_UPPER),
        st.integers(0, 999),
    )


def candidate_numbers() -> st.SearchStrategy[CandidateNumber]:
    """Candidate numbers ``0000`` to ``9999``, biased towards leading zeros (EAR-12)."""
    return st.one_of(st.integers(0, 9999), st.integers(0, 999)).map(
        lambda n: CandidateNumber(f"{n:04d}")
    )


def candidate_number_texts() -> st.SearchStrategy[str]:
    """Text a user may type for a candidate number: four digits or fewer (``713``, EAR-12)."""
    return st.from_regex(r"[0-9]{1,4}", fullmatch=True)


def invalid_candidate_number_texts() -> st.SearchStrategy[str]:
    """Text that is not a candidate number: non-ASCII digits, white space, too long, signs."""
    digits = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())
    lookalike = st.lists(digits, min_size=1, max_size=4).map("".join)
    valid = candidate_number_texts()
    padded = st.tuples(
        st.sampled_from([" ", "\n", "\t", "\u00a0", "+", "-", "0x"]),
        valid,
        st.booleans(),
    ).map(lambda t: t[0] + t[1] if t[2] else t[1] + t[0])
    return st.one_of(
        lookalike,
        padded,
        st.from_regex(r"[0-9]{5,8}", fullmatch=True),
        st.just(""),
    )


def ucis(
    *,
    centre: CentreNumber | None = None,
    number: CandidateNumber | None = None,
) -> st.SearchStrategy[UCI]:
    """UCIs: centre number, two year digits, a reserved digit, candidate number, check letter.

    Give ``centre`` and ``number`` to draw UCIs that embed them.
    """
    centres = st.just(centre) if centre is not None else centre_numbers()
    numbers = st.just(number) if number is not None else candidate_numbers()
    return st.builds(
        lambda c, year, reserved, n, check: UCI(f"{c}{year:02d}{reserved}{n}{check}"),
        centres,
        st.integers(0, 99),
        st.integers(0, 9),
        numbers,
        st.sampled_from(_UPPER),
    )


def syllabus_codes() -> st.SearchStrategy[SyllabusCode]:
    """Syllabus codes: four digits, e.g. ``0580``."""
    return st.integers(0, 9999).map(lambda n: SyllabusCode(f"{n:04d}"))


def component_codes() -> st.SearchStrategy[ComponentCode]:
    """Component codes: two digits, e.g. ``12``."""
    return st.integers(0, 99).map(lambda n: ComponentCode(f"{n:02d}"))


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """Telephone numbers: 7 to 15 digits in groups, an optional ``+``, e.g. ``+44 1223 553554``."""
    digits = draw(st.text(_DIGITS, min_size=7, max_size=15))
    groups: list[str] = []
    rest = digits
    while rest:
        size = draw(st.integers(1, 5))
        groups.append(rest[:size])
        rest = rest[size:]
    text = groups[0]
    for group in groups[1:]:
        text += draw(st.sampled_from([" ", "", "-"])) + group
    return draw(st.sampled_from(["", "+"])) + text


_LOCAL_CHARS = _LOWER + _UPPER + _DIGITS + "!#$%&'*+/=?^_`{|}~-"


@st.composite
def email_addresses(draw: st.DrawFn) -> str:
    """Plain ASCII email addresses such as ``exams.officer@school.example.org``."""
    atoms = draw(st.lists(st.text(_LOCAL_CHARS, min_size=1, max_size=10), min_size=1, max_size=3))
    label = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)
    labels = draw(st.lists(label, min_size=1, max_size=3))
    tld = draw(st.from_regex(r"[a-zA-Z][a-zA-Z0-9]{1,5}", fullmatch=True))
    return ".".join(atoms) + "@" + ".".join([*labels, tld])


def contact_details() -> st.SearchStrategy[ContactDetails]:
    """A contact name with a telephone number, an email address or both (CRW-04)."""
    return st.one_of(
        st.builds(ContactDetails, name=person_names(), phone=phone_numbers()),
        st.builds(ContactDetails, name=person_names(), email=email_addresses()),
        st.builds(
            ContactDetails, name=person_names(), phone=phone_numbers(), email=email_addresses()
        ),
    )


_MAX_DELAY_SECONDS = int(MAX_DELAY.total_seconds())


def delays() -> st.SearchStrategy[Delay]:
    """Delays from none to 30 days, biased towards whole days and hours (CRW-05)."""
    return st.one_of(
        st.integers(0, 30).map(lambda d: d * 86400),
        st.integers(0, 30 * 24).map(lambda h: h * 3600),
        st.integers(0, _MAX_DELAY_SECONDS),
        st.just(_MAX_DELAY_SECONDS),
    ).map(lambda s: Delay(seconds=s))


_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


@st.composite
def _delay_text(draw: st.DrawFn, delay: Delay) -> str:
    parts = []
    rest = delay.seconds
    for name, size in _UNITS:
        n, rest = divmod(rest, size)
        if n:
            plural = "" if n == 1 else "s"
            parts.append(f"{n}{draw(st.sampled_from([' ', '']))}{name}{plural}")
    words = draw(st.sampled_from([" ", ", ", " and "])).join(parts) if parts else "0 hours"
    return draw(st.sampled_from([delay.iso, str(delay), words, words.upper()]))


def delay_texts() -> st.SearchStrategy[str]:
    """Text :meth:`Delay.parse` accepts: ``PT48H``, ``2 days``, ``1 day and 12 hours``."""
    return delays().flatmap(_delay_text)


@st.composite
def candidates(
    draw: st.DrawFn,
    *,
    centre: CentreNumber | None = None,
    number: CandidateNumber | None = None,
) -> Candidate:
    """Candidates with names in many scripts; some have a UCI (embedding centre and number)."""
    centre = centre if centre is not None else draw(centre_numbers())
    number = number if number is not None else draw(candidate_numbers())
    uci = draw(st.none() | ucis(centre=centre, number=number))
    return Candidate(
        centre=centre,
        number=number,
        given_name=draw(person_names(max_words=2)),
        family_name=draw(person_names(max_words=2)),
        uci=uci,
    )


@st.composite
def centres(draw: st.DrawFn, *, associate: CentreNumber | None = None) -> Centre:
    """Centres, some of them Associate Centres, some with contact details (ASC-01, ASC-05)."""
    number = draw(centre_numbers())
    if associate is None:
        associate = draw(st.none() | centre_numbers().filter(lambda a: a != number))
    elif associate == number:
        number = draw(centre_numbers().filter(lambda n: n != associate))
    return Centre(
        number=number,
        name=draw(person_names()),
        associate=associate,
        contact=draw(st.none() | contact_details()),
    )


def associates() -> st.SearchStrategy[Associate]:
    """Cambridge Associates, most with default contact details (ASC-05)."""
    return st.builds(
        Associate,
        number=centre_numbers(),
        name=person_names(),
        contact=st.none() | contact_details(),
    )


_QUALIFICATION_CODES = ["IGCSE", "O-LEVEL", "AS-A-LEVEL", "AICE-DIPLOMA", "ICE", "PRE-U"]


def qualifications() -> st.SearchStrategy[Qualification]:
    """Qualifications, including some not on the results website (LOG-08) and group awards."""
    return st.builds(
        Qualification,
        code=st.sampled_from(_QUALIFICATION_CODES)
        | st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,11}", fullmatch=True),
        name=person_names(),
        on_results_website=st.booleans(),
        group_award=st.booleans(),
    )


@st.composite
def components(draw: st.DrawFn, *, code: ComponentCode | None = None) -> Component:
    """Components assessed by the board or the centre; some multiple-choice (EAR-01)."""
    assessed_by = draw(st.sampled_from(AssessedBy))
    max_mark = draw(st.integers(1, 300))
    return Component(
        code=code if code is not None else draw(component_codes()),
        name=draw(person_names()),
        assessed_by=assessed_by,
        multiple_choice=assessed_by is AssessedBy.BOARD and draw(st.booleans()),
        max_mark=max_mark,
        tolerance=draw(st.integers(0, min(max_mark - 1, 10))),
    )


@st.composite
def syllabuses(draw: st.DrawFn, *, max_components: int = 5) -> Syllabus:
    """Syllabuses with one to ``max_components`` components of distinct codes."""
    codes = draw(st.lists(component_codes(), min_size=1, max_size=max_components, unique=True))
    return Syllabus(
        code=draw(syllabus_codes()),
        name=draw(person_names()),
        qualification=draw(st.sampled_from(_QUALIFICATION_CODES)),
        art_and_design=draw(st.booleans()),
        components=tuple(draw(components(code=c)) for c in codes),
    )


@st.composite
def entries(
    draw: st.DrawFn,
    *,
    syllabus: Syllabus | None = None,
    series: ExamSeries | None = None,
) -> Entry:
    """Entries for a syllabus (drawn, or the one given) with some of its components."""
    if syllabus is not None:
        codes = [c.code for c in syllabus.components]
        chosen = draw(st.lists(st.sampled_from(codes), min_size=1, unique=True))
        syllabus_code = syllabus.code
    else:
        chosen = draw(st.lists(component_codes(), min_size=1, max_size=4, unique=True))
        syllabus_code = draw(syllabus_codes())
    return Entry(
        centre=draw(centre_numbers()),
        series=series if series is not None else draw(exam_series()),
        candidate=draw(candidate_numbers()),
        syllabus=syllabus_code,
        components=tuple(chosen),
        route=draw(st.sampled_from(Route)),
        status=draw(st.sampled_from(EntryStatus)),
    )


@st.composite
def marks(draw: st.DrawFn, *, component: Component | None = None) -> Mark:
    """Component marks with their source; exemptions carry no mark (EAR-02, EAR-05)."""
    source = draw(st.sampled_from(MarkSource))
    top = component.max_mark if component is not None else 300
    return Mark(
        component=component.code if component is not None else draw(component_codes()),
        source=source,
        value=None if source is MarkSource.EXEMPTION else draw(st.integers(0, top)),
    )


def grades() -> st.SearchStrategy[Grade]:
    """Every grade, X (NO RESULT) and Q (PENDING) included."""
    return st.sampled_from(GRADES).map(Grade)


def instants(*, min_year: int = 2000, max_year: int = 2099) -> st.SearchStrategy[pendulum.DateTime]:
    """Timezone-aware instants in UTC, whole seconds, as the library stores them."""
    return st.datetimes(
        min_value=datetime.datetime(min_year, 1, 1),  # naive bounds; each draw is made aware
        max_value=datetime.datetime(max_year, 12, 31, 23, 59, 59),
    ).map(lambda d: pendulum.datetime(d.year, d.month, d.day, d.hour, d.minute, d.second, tz="UTC"))


def principals() -> st.SearchStrategy[Principal]:
    """Acting principals: centre and Associate officers, board staff, candidates."""
    return st.one_of(
        st.builds(CentreOfficer, centre=centre_numbers()),
        st.builds(AssociateOfficer, associate=centre_numbers()),
        st.builds(BoardStaff, staff_id=st.from_regex(r"[a-z][a-z0-9._-]{0,15}", fullmatch=True)),
        st.builds(CandidateUser, centre=centre_numbers(), number=candidate_numbers()),
    )


# ---------------------------------------------------------------- policies

_TIMEZONES = ["Europe/London", "UTC", "Asia/Singapore", "America/New_York", "Asia/Kolkata"]


@st.composite
def _date_or_instant(draw: st.DrawFn, day: pendulum.Date) -> DateOrInstant:
    if draw(st.booleans()):
        return DateOrInstant(day.to_date_string())
    hour = draw(st.integers(0, 23))
    offset = draw(st.sampled_from(["+00:00", "Z", "+01:00", "-05:00", "+08:00"]))
    # An instant on that day (in its own offset): dates stay weeks apart, so order holds.
    return DateOrInstant(
        f"{day.to_date_string()}T{hour:02d}:{draw(st.integers(0, 59)):02d}:00{offset}"
    )


@st.composite
def _calendar(
    draw: st.DrawFn, series: ExamSeries, base: tuple[str, ...], added: tuple[ServiceDefinition, ...]
) -> SeriesCalendar:
    if series.session is Session.JUNE:
        opens = pendulum.date(series.year, 3, 1)
        release = pendulum.date(series.year, 8, 1)
    else:
        opens = pendulum.date(series.year, 10, 1)
        release = pendulum.date(series.year + 1, 1, 5)
    opens = opens.add(days=draw(st.integers(0, 40)))
    release = release.add(days=draw(st.integers(0, 20)))
    deadline = release.add(days=draw(st.integers(14, 60)))
    invoices = deadline.add(days=draw(st.integers(1, 30)))
    return SeriesCalendar(
        series=series,
        credential_window_opens=draw(_date_or_instant(opens)),
        results_release=draw(_date_or_instant(release)),
        enquiry_deadline=draw(_date_or_instant(deadline)),
        invoices_from=draw(_date_or_instant(invoices)),
        services_withdrawn=tuple(draw(st.lists(st.sampled_from(base), unique=True, max_size=2))),
        services_added=added,
        example=draw(st.booleans()),
    )


def _money(currency: str) -> st.SearchStrategy[Money]:
    return st.integers(0, 50000).map(
        lambda cents: Money(amount=decimal.Decimal(cents).scaleb(-2), currency=currency)
    )


@st.composite
def _services(draw: st.DrawFn) -> tuple[ServiceDefinition, ...]:
    board = AssessedBy.BOARD
    group_min = draw(st.integers(1, 10))
    table: list[ServiceDefinition] = [
        ServiceDefinition(code="1", name="Clerical re-check", kind=ReviewKind.RECHECK_OR_REVIEW,
                          assessed_by=board),
        ServiceDefinition(code="1S", name="Clerical re-check with copy of script",
                          kind=ReviewKind.RECHECK_OR_REVIEW, assessed_by=board,
                          copy_of_script=True, excludes_art_and_design=True),
        ServiceDefinition(code="2", name="Review of marking", kind=ReviewKind.RECHECK_OR_REVIEW,
                          assessed_by=board, excludes_multiple_choice=True,
                          turnaround_days=draw(st.none() | st.integers(1, 60))),
        ServiceDefinition(code="5", name="Review of moderation", kind=ReviewKind.GROUP,
                          assessed_by=AssessedBy.CENTRE, report=True),
        ServiceDefinition(code="9", name="Report on the work of a group", kind=ReviewKind.GROUP,
                          assessed_by=board, report=True, excludes_multiple_choice=True,
                          excludes_portfolio_route=True, group_min=group_min,
                          group_max=draw(st.integers(group_min, 40))),
        ServiceDefinition(code="X/Q", name="Explain a NO RESULT or PENDING",
                          kind=ReviewKind.NO_RESULT_OR_PENDING, assessed_by=None, free=True),
    ]  # fmt: skip
    return tuple(draw(st.permutations(table)))


def _priority_service(code: str, days: int) -> ServiceDefinition:
    return ServiceDefinition(
        code=code,
        name="Priority review of marking",
        kind=ReviewKind.RECHECK_OR_REVIEW,
        assessed_by=AssessedBy.BOARD,
        excludes_multiple_choice=True,
        qualifications=("AS-A-LEVEL",),
        sessions=(Session.JUNE,),
        turnaround_days=days,
    )


@st.composite
def policies(draw: st.DrawFn, *, max_series: int = 3) -> Policy:
    """Valid policies with varying numbers: time zone, calendars (dates or instants,
    services withdrawn or added), group sizes, fees, lockout, tokens, caps and
    credential settings.  ``load_policy(dump_policy(p)) == p`` holds for each."""
    currency = draw(st.sampled_from(["GBP", "USD", "EUR"]))
    services = draw(_services())
    codes = tuple(s.code for s in services)
    series = draw(st.lists(exam_series(), min_size=1, max_size=max_series, unique=True))
    calendars = []
    for i, one in enumerate(series):
        added: tuple[ServiceDefinition, ...] = ()
        if one.session is Session.JUNE and draw(st.booleans()):
            added = (_priority_service(f"2P{i}" if i else "2P", draw(st.integers(1, 30))),)
        calendars.append(draw(_calendar(one, codes, added)))
    paid = [s.code for s in services if not s.free]
    paid += [a.code for cal in calendars for a in cal.services_added]
    fees = tuple(Fee(service=code, price=draw(_money(currency))) for code in paid)
    floor_m, floor_t = draw(st.sampled_from([(19456, 2), (12288, 3), (47104, 1)]))
    max_password = draw(st.integers(64, 128))
    return Policy(
        name=draw(st.sampled_from(["international", "example", "board"]))
        + f"-{draw(st.integers(2000, 2099))}",
        version=f"{draw(st.integers(1, 99))}.{draw(st.integers(0, 9))}",
        timezone=draw(st.sampled_from(_TIMEZONES)),
        series=tuple(calendars),
        services=services,
        fees=fees,
        enquiries=EnquiryPolicy(
            turnaround_days=draw(st.integers(1, 60)),
            free_change_hours=draw(st.integers(0, 72)),
            number_overdue_hours=draw(st.integers(1, 72)),
            acknowledgement_overdue_working_days=draw(st.integers(1, 10)),
            acknowledgement_error_report_hours=draw(st.integers(1, 72)),
            appeal_stage1_decision_days=draw(st.integers(1, 60)),
            appeal_stage2_within_days=draw(st.integers(1, 60)),
            amendment_fee=draw(_money(currency)),
            cancellation_fee=draw(_money(currency)),
        ),
        login=LoginPolicy(
            lockout_threshold=draw(st.integers(1, 10)),
            lockout_minutes=draw(st.integers(1, 24 * 60)),
            reset_token_minutes=draw(st.integers(1, 24 * 60)),
            reset_token_bytes=draw(st.integers(16, 64)),
            max_password_length=max_password,
        ),
        credentials=CredentialPolicy(
            password_length=draw(st.integers(12, max_password)),
            hasher=draw(st.sampled_from(["argon2id", "scrypt"])),
            argon2_memory_kib=floor_m + draw(st.integers(0, 4096)),
            argon2_time_cost=floor_t + draw(st.integers(0, 2)),
            argon2_parallelism=draw(st.integers(1, 4)),
            allowed_test_hashers=draw(st.sampled_from([(), ("test-cheap",)])),
            require_change_at_first_login=draw(st.booleans()),
        ),
        reports=ReportPolicy(max_pdfs_per_request=draw(st.integers(1, 1000))),
        notes=draw(st.sampled_from(["", "Drawn by hypothesis: every number is made up."])),
    )
