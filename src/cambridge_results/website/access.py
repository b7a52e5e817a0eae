"""A centre's website administration (CRW-01..08, CRW-13, ASC-06, ASC-07).

The use cases behind :class:`~cambridge_results.website.Website`: set the
access mode, contact and delay for a series; list and search the
candidates; tick and untick them; revoke credentials; list stale letters;
read the history.  Each takes the context and the acting principal and
refuses what it may not do (ASC-07) with
:class:`~cambridge_results.errors.PermissionDenied`; every refusal leaves
storage unchanged; every change goes through :meth:`Context.write
<cambridge_results.context.Context.write>` with its events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from cambridge_results.context import Context
from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue
from cambridge_results.principals import Principal
from cambridge_results.rules.associates.permissions import Action
from cambridge_results.rules.associates.settings import stale_letters
from cambridge_results.rules.website.access import (
    AccessRequest,
    check_access_request,
    check_selection,
    confirm_access,
    search_candidates,
)
from cambridge_results.serialization import unstructure
from cambridge_results.storage.events import Event
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import Candidate, CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.values.access import AccessMode, CentreAccess, EffectiveSettings
from cambridge_results.website.common import (
    PAGE,
    CentreSettings,
    candidate_numbers,
    centre_subject,
    check_principal,
    event,
    load_settings,
    require,
    revoke_without_access,
    series_known,
)
from cambridge_results.website.credential_repository import CredentialRecord, CredentialState
from cambridge_results.website.repositories import WebsiteRepositories
from cambridge_results.website.requests import CandidateQuery, CandidateSelection

__all__ = [
    "AccessResult",
    "CandidateListing",
    "SelectionResult",
    "centre_settings",
    "iter_candidates",
    "list_stale_letters",
    "read_history",
    "revoke_credentials",
    "set_access",
    "sync_access",
    "tick_candidates",
    "untick_candidates",
]


@attrs.frozen(kw_only=True)
class AccessResult:
    """What :func:`set_access` stored and what it did to existing credentials."""

    access: CentreAccess
    effective: EffectiveSettings
    #: Credentials revoked at once because their candidates lost access (CRW-06, CRW-08).
    revoked: int


@attrs.frozen(kw_only=True)
class SelectionResult:
    """What ticking or unticking changed (CRW-07, CRW-08)."""

    #: Candidates whose tick changed (newly ticked, or unticked), ascending.
    changed: tuple[CandidateNumber, ...]
    #: Credentials revoked at once (CRW-08: unticked candidates lose access).
    revoked: int


@attrs.frozen(kw_only=True)
class CandidateListing:
    """One row of the candidate list a centre sees (CRW-07)."""

    candidate: Candidate
    ticked: bool
    #: Whether the candidate may use the website under the effective settings.
    has_access: bool
    #: The credential's state, ``None`` if none was ever generated.
    credential: CredentialState | None
    #: The printed letter no longer matches the effective settings (ASC-06).
    stale: bool


def _has_valid_entry(repos: WebsiteRepositories, centre: CentreNumber, series: ExamSeries) -> bool:
    return bool(repos.eligibility.page(centre, series, limit=1))


def set_access(
    context: Context,
    principal: Principal,
    centre: CentreNumber | str,
    series: ExamSeries | str,
    request: AccessRequest,
) -> AccessResult:
    """Save a centre's "Edit status" form for a series (CRW-01, CRW-04, CRW-05, CRW-06).

    ALL and SELECTED need the agreement, a contact (unless the Associate's
    is used, ASC-05) and a valid entry in the series (CRW-03); every problem
    is reported at once as :class:`~cambridge_results.errors.AccessRefused`.
    Candidates who lose access lose their credentials at once (CRW-06,
    CRW-08); nothing is generated.
    """
    who = check_principal(principal)
    if not isinstance(request, AccessRequest):
        raise InvalidValue("request", "must be an AccessRequest")
    s = ExamSeries.parse(series)
    now = context.now()

    def work(uow: UnitOfWork) -> AccessResult:
        repos = WebsiteRepositories(uow)
        settings = load_settings(uow, centre, s)
        number = settings.centre.number
        require(who, Action.MANAGE_ACCESS, settings.centre)
        decisions = [
            check_access_request(request, contact_from_associate=settings.contact_from_associate),
            series_known(context.policy, s),
        ]
        if request.mode in (AccessMode.ALL, AccessMode.SELECTED) and not _has_valid_entry(
            repos, number, s
        ):
            decisions.append(
                Decision.refuse(
                    "CRW-03.no-valid-entry-in-series",
                    f"centre {number} has no valid entry in {s}, so its candidates cannot "
                    "be given access",
                )
            )
        Decision.combine(decisions).raise_if_refused()
        access = confirm_access(
            number, s, request, contact_from_associate=settings.contact_from_associate
        )
        repos.access.save(access, at=now)
        event(
            uow,
            at=now,
            kind="access-set",
            subject=centre_subject(number, s),
            details={
                "mode": access.mode.value,
                "agreed": access.agreed_to_manage_queries,
                "contact": None if access.contact is None else unstructure(access.contact),
                "delay": access.delay.iso,
            },
        )
        updated = load_settings(uow, number, s)
        revoked = revoke_without_access(uow, updated, at=now, reason="access-set")
        return AccessResult(access=access, effective=updated.effective, revoked=revoked)

    return context.write(work, actor=str(who))


def _numbers(
    candidates: Iterable[CandidateNumber | str | Candidate], centre: CentreNumber
) -> tuple[list[CandidateNumber], list[Reason]]:
    numbers, reasons = candidate_numbers(candidates, centre)
    if not numbers and not reasons:
        raise InvalidValue("candidates", "name at least one candidate", rule="CRW-07")
    return sorted(set(numbers)), reasons


def _not_ours(number: CandidateNumber, centre: CentreNumber) -> Reason:
    return Reason(
        code="CRW-07.not-a-candidate-of-this-centre",
        message=f"candidate {number} is not a candidate of centre {centre}",
    )


def _known(
    repos: WebsiteRepositories, centre: CentreNumber, numbers: list[CandidateNumber]
) -> tuple[frozenset[CandidateNumber], list[Reason]]:
    known = repos.eligibility.existing_among(centre, numbers)
    return known, [_not_ours(n, centre) for n in numbers if n not in known]


def tick_candidates(
    context: Context, principal: Principal, request: CandidateSelection
) -> SelectionResult:
    """Tick candidates for SELECTED access (CRW-07, CRW-08); nothing is generated yet.

    Each must be a candidate of this centre with a valid entry in the series
    (CRW-03); every offender is reported at once.  Ticks are kept in any mode
    and count while the mode is SELECTED.
    """
    who = check_principal(principal)
    s = request.series
    now = context.now()

    def work(uow: UnitOfWork) -> SelectionResult:
        repos = WebsiteRepositories(uow)
        settings = load_settings(uow, request.centre, s)
        number = settings.centre.number
        require(who, Action.MANAGE_ACCESS, settings.centre)
        numbers, reasons = _numbers(request.candidates, number)
        known, unknown = _known(repos, number, numbers)
        valid = repos.eligibility.valid_among(number, s, known)
        Decision.combine(
            [
                series_known(context.policy, s),
                Decision(reasons=(*reasons, *unknown)),
                check_selection(known, valid, s),
            ]
        ).raise_if_refused()
        ticked = repos.selections.tick(number, s, numbers, at=now)
        if ticked:
            event(
                uow,
                at=now,
                kind="candidates-ticked",
                subject=centre_subject(number, s),
                details={"candidates": [str(n) for n in ticked]},
            )
        return SelectionResult(changed=ticked, revoked=0)

    return context.write(work, actor=str(who))


def untick_candidates(
    context: Context, principal: Principal, request: CandidateSelection
) -> SelectionResult:
    """Untick candidates; in SELECTED mode they lose access at once (CRW-08)."""
    who = check_principal(principal)
    s = request.series
    now = context.now()

    def work(uow: UnitOfWork) -> SelectionResult:
        repos = WebsiteRepositories(uow)
        settings = load_settings(uow, request.centre, s)
        number = settings.centre.number
        require(who, Action.MANAGE_ACCESS, settings.centre)
        numbers, reasons = _numbers(request.candidates, number)
        _, unknown = _known(repos, number, numbers)
        Decision.combine(
            [series_known(context.policy, s), Decision(reasons=(*reasons, *unknown))]
        ).raise_if_refused()
        unticked = repos.selections.untick(number, s, numbers)
        revoked = 0
        if unticked:
            event(
                uow,
                at=now,
                kind="candidates-unticked",
                subject=centre_subject(number, s),
                details={"candidates": [str(n) for n in unticked]},
            )
            revoked = revoke_without_access(
                uow, settings, at=now, reason="unticked", candidates=unticked
            )
        return SelectionResult(changed=unticked, revoked=revoked)

    return context.write(work, actor=str(who))


def revoke_credentials(
    context: Context, principal: Principal, request: CandidateSelection
) -> tuple[CandidateNumber, ...]:
    """Take candidates' credentials away at once; return those revoked (CRW-06, CRW-08).

    Their access settings do not change: a NEW run gives them fresh
    credentials (how a centre replaces a lost or leaked password).
    """
    who = check_principal(principal)
    now = context.now()

    def work(uow: UnitOfWork) -> tuple[CandidateNumber, ...]:
        repos = WebsiteRepositories(uow)
        settings = load_settings(uow, request.centre, request.series)
        number = settings.centre.number
        s = settings.own.series
        require(who, Action.GENERATE_CREDENTIALS, settings.centre)
        numbers, reasons = _numbers(request.candidates, number)
        _, unknown = _known(repos, number, numbers)
        Decision(reasons=(*reasons, *unknown)).raise_if_refused()
        revoked = tuple(n for n in numbers if repos.credentials.revoke(number, s, n, at=now))
        if revoked:
            event(
                uow,
                at=now,
                kind="credentials-revoked",
                subject=centre_subject(number, s),
                details={"reason": "revoked", "candidates": [str(n) for n in revoked]},
            )
        return revoked

    return context.write(work, actor=str(who))


def sync_access(
    context: Context, principal: Principal, centre: CentreNumber | str, series: ExamSeries | str
) -> int:
    """Revoke the credentials of candidates who lost access some other way; return how many.

    For instance an entry withdrawn through the entries repository (CRW-03).
    Generation does this too before it starts.
    """
    who = check_principal(principal)
    now = context.now()

    def work(uow: UnitOfWork) -> int:
        settings = load_settings(uow, centre, series)
        require(who, Action.GENERATE_CREDENTIALS, settings.centre)
        return revoke_without_access(uow, settings, at=now, reason="lost-access")

    return context.write(work, actor=str(who))


def _settings_for(
    context: Context, who: Principal, centre: CentreNumber | str, series: ExamSeries | str
) -> CentreSettings:
    def work(uow: UnitOfWork) -> CentreSettings:
        settings = load_settings(uow, centre, series)
        require(who, Action.VIEW_CANDIDATES, settings.centre)
        return settings

    return context.read(work, actor=str(who))


def centre_settings(
    context: Context, principal: Principal, centre: CentreNumber | str, series: ExamSeries | str
) -> CentreSettings:
    """What applies to the centre for the series, and where each setting comes from (ASC-08)."""
    return _settings_for(context, check_principal(principal), centre, series)


def iter_candidates(
    context: Context, principal: Principal, request: CandidateQuery
) -> Iterator[CandidateListing]:
    """The centre's candidates with a valid entry, ascending by number, streamed (CRW-07).

    ``request.query`` narrows them by part of a name, a number (``713`` finds
    ``0713``) or a UCI.  Each page is read in its own short unit of work.
    """
    who = check_principal(principal)
    settings = _settings_for(context, who, request.centre, request.series)
    return _listings(context, str(who), settings, request)


def _listings(
    context: Context, actor: str, settings: CentreSettings, request: CandidateQuery
) -> Iterator[CandidateListing]:
    number, s = settings.centre.number, settings.own.series
    current = settings.fingerprint(context.policy)
    after: CandidateNumber | None = None

    def read_page(
        uow: UnitOfWork,
    ) -> tuple[
        list[CandidateNumber],
        dict[CandidateNumber, Candidate],
        frozenset[CandidateNumber],
        dict[CandidateNumber, CredentialRecord],
    ]:
        repos = WebsiteRepositories(uow)
        page = repos.eligibility.page(number, s, after=after, limit=request.page_size)
        return (
            page,
            repos.eligibility.candidates_among(number, page),
            repos.selections.ticked_among(number, s, page),
            repos.credentials.among(number, s, page),
        )

    while True:
        page, people, ticked, records = context.read(read_page, actor=actor)
        if not page:
            return
        after = page[-1]
        allowed = settings.has_access(page, ticked)
        found = [people[n] for n in page]
        if request.query is not None:
            found = list(search_candidates(found, request.query))
        for candidate in found:
            record = records.get(candidate.number)
            yield CandidateListing(
                candidate=candidate,
                ticked=candidate.number in ticked,
                has_access=candidate.number in allowed,
                credential=None if record is None else record.state,
                stale=record is not None
                and record.state is CredentialState.PRINTED
                and record.fingerprint != current,
            )


def list_stale_letters(
    context: Context, principal: Principal, centre: CentreNumber | str, series: ExamSeries | str
) -> tuple[CandidateNumber, ...]:
    """The candidates whose printed letter no longer matches the effective settings (ASC-06).

    A STALE run (:class:`~.generation.GenerationMode`) regenerates exactly these.
    """
    who = check_principal(principal)

    def work(uow: UnitOfWork) -> tuple[CandidateNumber, ...]:
        found: list[CandidateNumber] = []
        repos = WebsiteRepositories(uow)
        settings = load_settings(uow, centre, series)
        require(who, Action.VIEW_CANDIDATES, settings.centre)
        current = settings.fingerprint(context.policy)
        after: CandidateNumber | None = None
        while page := repos.credentials.page(
            settings.centre.number,
            settings.own.series,
            after=after,
            limit=PAGE,
            states=(CredentialState.PRINTED,),
        ):
            after = page[-1].candidate
            found.extend(stale_letters(((r.candidate, r.fingerprint) for r in page), current))
        return tuple(found)

    return context.read(work, actor=str(who))


def read_history(
    context: Context,
    principal: Principal,
    centre: CentreNumber | str,
    series: ExamSeries | str | None = None,
) -> list[Event]:
    """Every website event of the centre (for one series, if given), oldest first.

    Events name who acted and when; they never hold a password or a hash.
    """
    who = check_principal(principal)

    def work(uow: UnitOfWork) -> list[Event]:
        stored = uow.centres.get(centre)
        require(who, Action.VIEW_CANDIDATES, stored)
        if series is None:
            prefix = f"centre:{stored.number}/"
        else:
            prefix = centre_subject(stored.number, ExamSeries.parse(series))
        return [e for e in uow.events.iter_history(prefix) if e.kind.startswith("website.")]

    return context.read(work, actor=str(who))
