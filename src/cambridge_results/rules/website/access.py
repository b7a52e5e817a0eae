"""Candidate results website administration by a centre (CRW-01..CRW-08).

Pure functions: ``now`` is passed in, nothing is read or written.  The
release instant itself (CRW-05) is :mod:`cambridge_results.rules.website.release`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Set

import attrs
import pendulum

from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue, UnknownSeries
from cambridge_results.policy import Policy
from cambridge_results.values import (
    UCI,
    Candidate,
    CandidateNumber,
    CentreNumber,
    ContactDetails,
    Delay,
    Entry,
    ExamSeries,
)
from cambridge_results.values._text import human_text
from cambridge_results.values.access import AccessMode, CentreAccess, EffectiveSettings
from cambridge_results.values.contact import MAX_NAME as MAX_CONTACT_NAME
from cambridge_results.values.contact import validate_email, validate_phone
from cambridge_results.values.instants import minute_text

__all__ = [
    "AccessChange",
    "AccessRequest",
    "access_change",
    "can_generate_credentials",
    "candidate_has_valid_entry",
    "centre_has_valid_entry",
    "check_access_request",
    "check_selection",
    "confirm_access",
    "credential_window",
    "credential_window_opens",
    "eligible_candidates",
    "first_look",
    "search_candidates",
    "with_access",
]


def first_look(centre: CentreNumber, series: ExamSeries) -> CentreAccess:
    """A centre's settings the first time it looks at a series: "NO Candidates" (CRW-01)."""
    return CentreAccess(centre=centre, series=series, mode=AccessMode.NONE)


def credential_window_opens(policy: Policy, series: ExamSeries) -> pendulum.DateTime:
    """The first instant login details may be created for ``series`` (CRW-02)."""
    return policy.calendar(series).credential_window_opens.opens(policy.timezone)


def credential_window(policy: Policy, series: ExamSeries, now: pendulum.DateTime) -> Decision:
    """Allowed from the series' credential window opening on; earlier says when (CRW-02).

    A series the policy has no calendar for is refused too, rather than raising,
    so a request with several problems still reports all of them.
    """
    try:
        opens = credential_window_opens(policy, series)
    except UnknownSeries as exc:
        return Decision.refuse("CRW-02.unknown-series", exc.message)
    if now >= opens:
        return Decision.allow()
    return Decision.refuse(
        "CRW-02.window-not-open",
        f"login details for {series} can be created from "
        f"{minute_text(opens, policy.timezone)} ({policy.timezone})",
    )


def _valid_in(entries: Iterable[Entry], centre: CentreNumber, series: ExamSeries) -> set[str]:
    return {
        e.candidate.value for e in entries if e.valid and e.centre == centre and e.series == series
    }


def centre_has_valid_entry(
    entries: Iterable[Entry], centre: CentreNumber, series: ExamSeries
) -> Decision:
    """Credentials only for a series in which the centre has a valid entry (CRW-03)."""
    if _valid_in(entries, centre, series):
        return Decision.allow()
    return Decision.refuse(
        "CRW-03.no-valid-entry-in-series",
        f"centre {centre} has no valid entry in {series}, so no login details can be created",
    )


def candidate_has_valid_entry(
    entries: Iterable[Entry], centre: CentreNumber, series: ExamSeries, candidate: CandidateNumber
) -> Decision:
    """Credentials for a candidate only with a valid entry in the series (CRW-03)."""
    if candidate.value in _valid_in(entries, centre, series):
        return Decision.allow()
    return _no_entry(candidate, series)


def _no_entry(candidate: CandidateNumber, series: ExamSeries) -> Decision:
    return Decision.refuse(
        "CRW-03.candidate-has-no-valid-entry",
        f"candidate {candidate} has no valid entry in {series}",
    )


def eligible_candidates(
    candidates: Iterable[Candidate],
    entries: Iterable[Entry],
    centre: CentreNumber,
    series: ExamSeries,
) -> tuple[Candidate, ...]:
    """The centre's candidates with a valid entry, by ascending number (CRW-03, CRW-07)."""
    valid = _valid_in(entries, centre, series)
    chosen = (c for c in candidates if c.centre == centre and c.number.value in valid)
    return tuple(sorted(chosen, key=lambda c: c.number))


def search_candidates(candidates: Iterable[Candidate], query: str) -> tuple[Candidate, ...]:
    """Narrow a candidate list by name, number or UCI, keeping its order (CRW-07).

    Names match case-insensitively on any part (NFC, case-folded); a number
    matches with or without its leading zeros (EAR-12); a UCI matches whole,
    in either case.  An empty query keeps every candidate.
    """
    text = unicodedata.normalize("NFC", query).strip().casefold()
    if not text:
        return tuple(candidates)
    number: CandidateNumber | None
    try:
        number = CandidateNumber.parse(text)
    except InvalidValue:
        number = None
    uci: UCI | None
    try:
        uci = UCI.parse(text)
    except InvalidValue:
        uci = None

    def matches(c: Candidate) -> bool:
        if number is not None and c.number == number:
            return True
        if uci is not None and c.uci == uci:
            return True
        return text in unicodedata.normalize("NFC", c.full_name).casefold()

    return tuple(c for c in candidates if matches(c))


@attrs.frozen(kw_only=True)
class AccessRequest:
    """What a centre typed on "Edit status" before pressing Confirm (CRW-04, CRW-05).

    Raw values: :func:`check_access_request` reports every problem at once.
    """

    mode: AccessMode
    agreed_to_manage_queries: bool = False
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    delay: str | Delay | None = None


def _blank(text: str | None) -> bool:
    return text is None or text == ""


def _check_name(value: str) -> object:
    return human_text(value, "contact.name", max_length=MAX_CONTACT_NAME, rule="CRW-04")


def _contact_reasons(request: AccessRequest) -> list[Reason]:
    reasons: list[Reason] = []
    if _blank(request.contact_name):
        reasons.append(
            Reason(code="CRW-04.contact-name-missing", message="enter the contact's name")
        )
    if _blank(request.phone) and _blank(request.email):
        reasons.append(
            Reason(
                code="CRW-04.phone-or-email-missing",
                message="enter a telephone number or an email address for the contact",
            )
        )
    checks: tuple[tuple[str, str | None, Callable[[str], object]], ...] = (
        ("CRW-04.invalid-contact-name", request.contact_name, _check_name),
        ("CRW-04.invalid-phone", request.phone, lambda v: validate_phone(v, "contact.phone")),
        ("CRW-04.invalid-email", request.email, lambda v: validate_email(v, "contact.email")),
    )
    for code, value, check in checks:
        if value is None or value == "":
            continue
        try:
            check(value)
        except InvalidValue as exc:
            reasons.append(Reason(code=code, message=exc.message))
    return reasons


def check_access_request(
    request: AccessRequest, *, contact_from_associate: bool = False
) -> Decision:
    """Everything wrong with a request to set a centre's access, at once (CRW-04, CRW-05).

    ALL and SELECTED need the agreement to manage candidates' queries (an
    explicit ``True``), the contact's name, and a valid telephone number or
    email address; these details appear on every letter.  An Associate Centre
    whose contact is its Associate's (ASC-05 "Default") need not name its own
    contact (``contact_from_associate``), but may.  NONE needs nothing.  A
    delay, if given, must parse (CRW-05) whatever the mode.
    """
    reasons: list[Reason] = []
    if not isinstance(request.mode, AccessMode):
        reasons.append(
            Reason(code="CRW-01.unknown-mode", message="choose NO, ALL or Selected candidates")
        )
    elif request.mode is not AccessMode.NONE:
        if request.agreed_to_manage_queries is not True:
            reasons.append(
                Reason(
                    code="CRW-04.agreement-missing",
                    message="tick the box to agree to manage queries from your candidates",
                )
            )
        given = not (
            _blank(request.contact_name) and _blank(request.phone) and _blank(request.email)
        )
        if not contact_from_associate or given:
            reasons.extend(_contact_reasons(request))
    if request.delay is not None and not isinstance(request.delay, Delay):
        try:
            Delay.parse(request.delay)
        except InvalidValue as exc:
            reasons.append(Reason(code="CRW-05.invalid-delay", message=exc.message))
    return Decision(reasons=tuple(reasons))


def confirm_access(
    centre: CentreNumber,
    series: ExamSeries,
    request: AccessRequest,
    *,
    contact_from_associate: bool = False,
) -> CentreAccess:
    """The centre's new settings, or :class:`~cambridge_results.errors.AccessRefused`.

    The error lists every problem at once (CRW-04, CRW-05).

    Choosing NONE keeps nothing of the form: no contact, no delay (CRW-06).
    """
    check_access_request(request, contact_from_associate=contact_from_associate).raise_if_refused()
    if request.mode is AccessMode.NONE:
        return first_look(centre, series)
    contact = None
    if not _blank(request.contact_name):
        contact = ContactDetails(
            name=request.contact_name,
            phone=None if _blank(request.phone) else request.phone,
            email=None if _blank(request.email) else request.email,
        )
    return CentreAccess(
        centre=centre,
        series=series,
        mode=request.mode,
        agreed_to_manage_queries=True,
        contact=contact,
        delay=Delay() if request.delay is None else Delay.parse(request.delay),
    )


def with_access(
    mode: AccessMode, eligible: Iterable[CandidateNumber], selected: Set[CandidateNumber]
) -> frozenset[CandidateNumber]:
    """The candidates who may use the website (CRW-06, CRW-07).

    NONE: nobody.  ALL: every candidate with a valid entry.  SELECTED: the
    ticked candidates that have a valid entry.
    """
    if mode is AccessMode.NONE:
        return frozenset()
    pool = frozenset(eligible)
    if mode is AccessMode.ALL:
        return pool
    return pool & frozenset(selected)


def check_selection(
    selected: Iterable[CandidateNumber], eligible: Iterable[CandidateNumber], series: ExamSeries
) -> Decision:
    """Every ticked candidate needs a valid entry in the series; all offenders at once (CRW-03)."""
    pool = frozenset(eligible)
    offenders = sorted(frozenset(selected) - pool)
    return Decision.combine(_no_entry(n, series) for n in offenders)


@attrs.frozen(kw_only=True)
class AccessChange:
    """What a change of mode or selection does (CRW-06, CRW-07, CRW-08).

    ``granted`` get new credentials now; ``revoked`` lose access at once;
    ``kept`` keep the credentials they have.
    """

    granted: frozenset[CandidateNumber]
    revoked: frozenset[CandidateNumber]
    kept: frozenset[CandidateNumber]


def access_change(
    before: frozenset[CandidateNumber], after: frozenset[CandidateNumber]
) -> AccessChange:
    """Compare who had access with who has it now (each from :func:`with_access`).

    Newly ticked candidates are granted, unticked ones revoked, the rest kept
    (CRW-08); switching to NONE revokes everyone (CRW-06).
    """
    return AccessChange(granted=after - before, revoked=before - after, kept=before & after)


def can_generate_credentials(
    policy: Policy,
    settings: EffectiveSettings,
    entries: Iterable[Entry],
    now: pendulum.DateTime,
) -> Decision:
    """May login details be generated for a centre and series now?  Every reason at once.

    Combines the credential window (CRW-02), a valid entry in the series
    (CRW-03), a mode other than NONE (CRW-06), access given by the
    Associate (ASC-03) and a contact to print on the letters (CRW-04, ASC-05).
    """
    decisions = [
        credential_window(policy, settings.series, now),
        centre_has_valid_entry(entries, settings.centre, settings.series),
    ]
    if not settings.access_given.value:
        decisions.append(
            Decision.refuse(
                "ASC-03.access-not-given",
                f"the Associate has not given centre {settings.centre} access to the "
                "candidate results website",
            )
        )
    elif settings.mode.value is AccessMode.NONE:
        decisions.append(
            Decision.refuse(
                "CRW-06.no-candidates-have-access",
                f"centre {settings.centre} gives NO candidates access for {settings.series}",
            )
        )
    if settings.contact.value is None:
        decisions.append(
            Decision.refuse(
                "CRW-04.contact-missing",
                "the letters need a contact to manage candidates' queries; none is set "
                f"(it comes from the {settings.contact.source.value} settings)",
            )
        )
    return Decision.combine(decisions)
