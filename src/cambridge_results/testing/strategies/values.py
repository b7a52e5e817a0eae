"""Strategies for value objects: names, identifiers, series, contacts, exams, principals."""

from __future__ import annotations

import datetime
import functools

import pendulum

from cambridge_results.testing import _missing_extra

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as exc:
    raise _missing_extra(exc) from exc

from cambridge_results.principals import (
    AssociateOfficer,
    BoardStaff,
    CandidateUser,
    CentreOfficer,
    Principal,
)
from cambridge_results.rendering.fonts import FontSet
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


def _word(script: str, fonts: FontSet | None = None) -> st.SearchStrategy[str]:
    letters = _SCRIPTS[script]
    marks = _MARKS.get(script)
    if fonts is not None:
        letters = "".join(ch for ch in letters if fonts.face_for(ch) is not None)
        marks = "".join(ch for ch in marks or "" if fonts.face_for(ch) is not None) or None
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


@functools.cache
def _drawable_words(fonts: FontSet) -> st.SearchStrategy[str]:
    """Words of the scripts ``fonts`` draw, from the letters and marks it has."""
    scripts = [s for s in sorted(_SCRIPTS) if any(fonts.face_for(ch) for ch in _SCRIPTS[s])]
    return st.one_of([_word(script, fonts) for script in scripts])


@functools.cache
def _bundled_fonts() -> FontSet:
    return FontSet()


def person_names(
    *, max_words: int = 3, fonts: FontSet | bool | None = None
) -> st.SearchStrategy[str]:
    """Names as people type them, in Latin (with combining accents), Greek, Cyrillic,
    Arabic, Hebrew, Devanagari, Thai, CJK, Hangul or Ethiopic script.

    Words are joined by single spaces, hyphens or apostrophes.  A drawn name
    may not be in NFC (``"e\\u0301"``); the library stores it normalised.
    With ``fonts`` (a :class:`~cambridge_results.rendering.fonts.FontSet`, or
    ``True`` for the bundled fonts) only names those fonts draw, so a letter
    or statement can be rendered for every drawn candidate (CRW-09).
    """
    if fonts is True:
        fonts = _bundled_fonts()
    words = _drawable_words(fonts) if isinstance(fonts, FontSet) else _WORDS
    return st.tuples(words, st.lists(st.tuples(_NAME_JOINERS, words), max_size=max_words - 1)).map(
        lambda t: t[0] + "".join(j + w for j, w in t[1])
    )


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
_LETTERS = _LOWER + _UPPER
_ALNUM = _LETTERS + _DIGITS
# A domain label: letters and digits, hyphens inside, at most 12 characters.
_DOMAIN_LABELS = st.one_of(
    st.text(_ALNUM, min_size=1, max_size=1),
    st.tuples(
        st.text(_ALNUM, min_size=1, max_size=1),
        st.text(_ALNUM + "-", max_size=10),
        st.text(_ALNUM, min_size=1, max_size=1),
    ).map("".join),
)


@st.composite
def email_addresses(draw: st.DrawFn) -> str:
    """Plain ASCII email addresses such as ``exams.officer@school.example.org``."""
    # Built from plain text strategies, not st.from_regex: compiling a regex strategy
    # made the first draw take over a second (HealthCheck.too_slow on a fresh run).
    atoms = draw(st.lists(st.text(_LOCAL_CHARS, min_size=1, max_size=10), min_size=1, max_size=3))
    labels = draw(st.lists(_DOMAIN_LABELS, min_size=1, max_size=3))
    tld = draw(st.text(_LETTERS, min_size=1, max_size=1)) + draw(
        st.text(_ALNUM, min_size=1, max_size=5)
    )
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
    renderable: FontSet | bool = False,
) -> Candidate:
    """Candidates with names in many scripts; some have a UCI (embedding centre and number).

    ``renderable=True`` draws only names the bundled fonts render (a
    :class:`~cambridge_results.rendering.fonts.FontSet`: names those fonts render).
    """
    centre = centre if centre is not None else draw(centre_numbers())
    number = number if number is not None else draw(candidate_numbers())
    uci = draw(st.none() | ucis(centre=centre, number=number))
    return Candidate(
        centre=centre,
        number=number,
        given_name=draw(person_names(max_words=2, fonts=renderable or None)),
        family_name=draw(person_names(max_words=2, fonts=renderable or None)),
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
    """Qualifications, group awards among them."""
    return st.builds(
        Qualification,
        code=st.sampled_from(_QUALIFICATION_CODES)
        | st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,11}", fullmatch=True),
        name=person_names(),
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
