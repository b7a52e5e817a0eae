"""What a generation run generates: its checks, its centres and its candidates (CRW-02..09).

:func:`plan_generation` checks a :class:`~.generation.GenerationRequest`
with storage untouched: the principal may generate for every centre asked
(ASC-07); each centre passes
:func:`~cambridge_results.rules.website.access.can_generate_credentials`
(CRW-02 window, CRW-03 valid entry, CRW-06 mode, ASC-03 access, CRW-04
contact); a SELECTED request names only the centre's own candidates who
have access.  Every problem is reported at once.  The :class:`GenerationPlan`
it returns then walks the candidates a page at a time (keyset pages, one
short read each), never all at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

import attrs
import pendulum

from cambridge_results.context import Context
from cambridge_results.credentials import Secret
from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue
from cambridge_results.principals import Principal
from cambridge_results.rendering.protocol import LetterRenderer
from cambridge_results.rules.associates.permissions import Action
from cambridge_results.rules.website.access import can_generate_credentials, check_selection
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import Candidate, CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.values.access import AccessMode
from cambridge_results.website.common import (
    PAGE,
    CentreSettings,
    candidate_numbers,
    load_settings,
    require,
    revoke_without_access,
)
from cambridge_results.website.credential_repository import CredentialRecord, CredentialState
from cambridge_results.website.generation import GenerationMode, GenerationRequest
from cambridge_results.website.repositories import WebsiteRepositories
from cambridge_results.website.workers import LetterSpec

__all__ = ["GenerationPlan", "PlannedCentre", "Target", "plan_generation"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class PlannedCentre:
    """One centre of a run: its settings and what its letters show."""

    settings: CentreSettings
    fingerprint: str
    visible_from: pendulum.DateTime

    @property
    def number(self) -> CentreNumber:
        """The centre's number."""
        return self.settings.centre.number


@attrs.frozen(kw_only=True)
class Target:
    """One candidate to generate a letter for, with the credential read with the page."""

    centre: PlannedCentre
    candidate: Candidate
    record: CredentialRecord | None


def wanted(
    mode: GenerationMode,
    number: CandidateNumber,
    record: CredentialRecord | None,
    fingerprint: str,
    selected: frozenset[CandidateNumber],
) -> bool:
    """Whether a run in ``mode`` generates for this candidate (who has access)."""
    if record is not None and record.state is CredentialState.UNPRINTED:
        return True  # CRW-13: an interrupted run's credential is always regenerated
    if mode is GenerationMode.ALL:
        return True
    if mode is GenerationMode.NEW:
        return record is None or record.state is CredentialState.REVOKED
    if mode is GenerationMode.STALE:
        return (
            record is not None
            and record.state is CredentialState.PRINTED
            and record.fingerprint != fingerprint
        )
    return number in selected


@attrs.frozen(kw_only=True)
class GenerationPlan:
    """The checked centres of a run and how to find its candidates."""

    context: Context
    actor: str
    centres: tuple[PlannedCentre, ...]
    series: ExamSeries
    mode: GenerationMode
    selected: frozenset[CandidateNumber]

    @property
    def numbers(self) -> tuple[CentreNumber, ...]:
        """The run's centres, in the order asked."""
        return tuple(c.number for c in self.centres)

    def targets(self) -> Iterator[Target]:
        """Every candidate to generate for, a page per read."""
        return self._walk(self._page)

    def _walk(self, read: Callable[..., tuple[list[CandidateNumber], list[T]]]) -> Iterator[T]:
        """What ``read(uow, centre=, after=)`` finds, centre after centre, a page per read."""
        for c in self.centres:
            after: CandidateNumber | None = None
            while True:
                page, found = self.context.read(
                    functools.partial(read, centre=c, after=after), actor=self.actor
                )
                if not page:
                    break
                after = page[-1]
                # Yielded outside the unit of work: the consumer opens its own.
                yield from found

    def _chosen(
        self, repos: WebsiteRepositories, centre: PlannedCentre, after: CandidateNumber | None
    ) -> tuple[
        list[CandidateNumber], list[CandidateNumber], dict[CandidateNumber, CredentialRecord]
    ]:
        """A page of the centre's eligible candidates, those the run generates for, and
        the credentials they have."""
        c = centre
        page = repos.eligibility.page(c.number, self.series, after=after, limit=PAGE)
        if not page:
            return page, [], {}
        ticked = (
            repos.selections.ticked_among(c.number, self.series, page)
            if c.settings.effective.mode.value is AccessMode.SELECTED
            else frozenset()
        )
        allowed = c.settings.has_access(page, ticked)
        records = repos.credentials.among(c.number, self.series, allowed)
        chosen = [
            n
            for n in page
            if n in allowed and wanted(self.mode, n, records.get(n), c.fingerprint, self.selected)
        ]
        return page, chosen, records

    def _page(
        self, uow: UnitOfWork, *, centre: PlannedCentre, after: CandidateNumber | None
    ) -> tuple[list[CandidateNumber], list[Target]]:
        repos = WebsiteRepositories(uow)
        page, chosen, records = self._chosen(repos, centre, after)
        people = repos.eligibility.candidates_among(centre.number, chosen)
        return page, [
            Target(centre=centre, candidate=people[n], record=records.get(n)) for n in chosen
        ]

    def _names_page(
        self, uow: UnitOfWork, *, centre: PlannedCentre, after: CandidateNumber | None
    ) -> tuple[list[CandidateNumber], list[LetterSpec]]:
        """A page's letters as :meth:`_page` would give them, under a stand-in username,
        their names read as stored (nothing else of a candidate is built)."""
        repos = WebsiteRepositories(uow)
        page, chosen, _ = self._chosen(repos, centre, after)
        names = repos.eligibility.names_among(centre.number, chosen)
        return page, [self._spec(centre, n, names[n.value], "check-only") for n in chosen]

    def spec(self, target: Target, username: str) -> LetterSpec:
        """The letter for ``target`` under ``username``, without its password."""
        candidate = target.candidate
        return self._spec(target.centre, candidate.number, candidate.full_name, username)

    def _spec(
        self, c: PlannedCentre, number: CandidateNumber, name: str, username: str
    ) -> LetterSpec:
        contact = c.settings.effective.contact.value
        if contact is None:  # can_generate_credentials refused this already (CRW-04)
            raise InvalidValue("contact", "the letters need a contact", rule="CRW-04")
        return LetterSpec(
            centre=c.number,
            series=self.series,
            candidate_number=number,
            candidate_name=name,
            username=username,
            contact=contact,
            visible_from=c.visible_from,
            delay=c.settings.effective.delay.value,
            timezone=self.context.policy.timezone,
            centre_name=c.settings.centre.name,
        )

    def count(self, renderer: LetterRenderer) -> int:
        """Count the letters and check every one can be drawn (CRW-09), touching nothing.

        The same candidates as :meth:`targets`, read the same way, but only
        their names: the letters checked are those the run will draw, under
        a stand-in username and password (the check reads names only).
        """
        total = 0
        placeholder = Secret("")
        batch = []
        for spec in self._walk(self._names_page):
            total += 1
            batch.append(spec.letter(placeholder))
            if len(batch) == PAGE:
                renderer.check(batch)
                batch = []
        if batch:
            renderer.check(batch)
        return total

    def batches(self, sizes: Iterable[int]) -> Iterator[list[Target]]:
        """The targets in batches of the given sizes, in order; the last size repeats
        if the targets outlast the sizes."""
        wanted = iter(sizes)
        size = next(wanted, 1)
        batch: list[Target] = []
        for target in self.targets():
            batch.append(target)
            if len(batch) >= size:
                yield batch
                batch = []
                size = next(wanted, size)
        if batch:
            yield batch

    def sync(self) -> int:
        """Revoke the credentials of candidates who lost access (CRW-03, CRW-06); how many."""
        now = self.context.now()

        def work(uow: UnitOfWork) -> int:
            return sum(
                revoke_without_access(uow, c.settings, at=now, reason="lost-access")
                for c in self.centres
            )

        return self.context.write(work, actor=self.actor)


def _check_selected(
    repos: WebsiteRepositories,
    settings: CentreSettings,
    series: ExamSeries,
    selected: frozenset[CandidateNumber],
) -> Decision:
    centre = settings.centre.number
    chosen = sorted(selected)
    known = repos.eligibility.existing_among(centre, chosen)
    reasons = [
        Reason(
            code="CRW-07.not-a-candidate-of-this-centre",
            message=f"candidate {number} is not a candidate of centre {centre}",
        )
        for number in chosen
        if number not in known
    ]
    valid = repos.eligibility.valid_among(centre, series, known)
    decision = Decision.combine(
        [Decision(reasons=tuple(reasons)), check_selection(known, valid, series)]
    )
    if settings.effective.mode.value is AccessMode.SELECTED:
        ticked = repos.selections.ticked_among(centre, series, valid)
        missing = [
            Reason(
                code="CRW-07.candidate-not-ticked",
                message=f"candidate {n} is not ticked for {series}, so has no access",
            )
            for n in sorted(valid - ticked)
        ]
        decision = Decision.combine([decision, Decision(reasons=tuple(missing))])
    return decision


def plan_generation(
    context: Context, principal: Principal, request: GenerationRequest
) -> GenerationPlan:
    """Check ``request`` for ``principal`` (storage untouched) and plan the run.

    Raises ``PermissionDenied`` (ASC-07), ``AccessRefused`` /
    ``AssociateRefused`` with every reason, ``InvalidValue``.
    """
    chosen: frozenset[CandidateNumber] = frozenset()
    refused: list[Reason] = []
    if request.mode is GenerationMode.SELECTED:
        assert request.selected is not None  # GenerationRequest checked it
        numbers, refused = candidate_numbers(request.selected, request.centres[0])
        chosen = frozenset(numbers)
        if not chosen and not refused:
            raise InvalidValue("selected", "name at least one candidate", rule="CRW-07")
    actor = str(principal)

    def check(uow: UnitOfWork) -> tuple[PlannedCentre, ...]:
        now = context.now()
        repos = WebsiteRepositories(uow)
        decisions: list[Decision] = [Decision(reasons=tuple(refused))]
        loaded: list[CentreSettings] = []
        for number in request.centres:
            settings = load_settings(uow, number, request.series)
            require(principal, Action.GENERATE_CREDENTIALS, settings.centre)
            entries = repos.eligibility.valid_entries(number, request.series, limit=1)
            decisions.append(
                can_generate_credentials(context.policy, settings.effective, entries, now)
            )
            if request.mode is GenerationMode.SELECTED:
                decisions.append(_check_selected(repos, settings, request.series, chosen))
            loaded.append(settings)
        Decision.combine(decisions).raise_if_refused()
        return tuple(
            PlannedCentre(
                settings=s,
                fingerprint=s.fingerprint(context.policy),
                visible_from=s.visible_from(context.policy),
            )
            for s in loaded
        )

    centres: Sequence[PlannedCentre] = context.read(check, actor=actor)
    return GenerationPlan(
        context=context,
        actor=actor,
        centres=tuple(centres),
        series=request.series,
        mode=request.mode,
        selected=chosen,
    )
