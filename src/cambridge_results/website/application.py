"""The candidate results website as one object: :class:`Website` (CRW-01..13, ASC-06..08)."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from cambridge_results._arguments import checked_arguments
from cambridge_results.context import Context
from cambridge_results.credentials import new_username
from cambridge_results.errors import InvalidValue
from cambridge_results.hashing import hasher_for
from cambridge_results.principals import Principal
from cambridge_results.rendering.registry import renderer_target
from cambridge_results.rules.website.access import AccessRequest
from cambridge_results.storage.events import Event
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.website import access
from cambridge_results.website.access import AccessResult, CandidateListing, SelectionResult
from cambridge_results.website.candidate_results import (
    CandidateResultsAnswer,
    CandidateResultsRequest,
    candidate_results,
)
from cambridge_results.website.common import CentreSettings, check_principal
from cambridge_results.website.generation import GenerationReport, GenerationRequest
from cambridge_results.website.letter_files import LetterStore
from cambridge_results.website.letters import (
    LetterRun,
    list_letters,
    open_candidate_letter,
    open_letter_file,
)
from cambridge_results.website.pipeline import RunOptions, default_workers, generate
from cambridge_results.website.requests import CandidateQuery, CandidateSelection
from cambridge_results.website.workers import options_key

__all__ = ["Website"]


def _request(value: object, kind: type, name: str) -> None:
    if not isinstance(value, kind):
        raise InvalidValue(name, f"must be a {kind.__name__}, not {type(value).__name__}")


@checked_arguments
class Website:
    """A centre's website administration and bulk credential generation.

    Holds the :class:`~cambridge_results.context.Context` (store, policy,
    clock) and how letters are made: ``hasher_name`` overrides the policy's
    hasher (``"test-cheap"`` only where the policy allows it, CRW-12);
    ``renderer`` and ``renderer_options`` choose the letter renderer by name
    (:func:`~cambridge_results.rendering.load_renderer`; with workers the
    options must be picklable); ``workers`` is how many processes hash and
    render (default: every core this process may use; ``0``: none, all here);
    ``executor`` runs the batches instead (any ``concurrent.futures.Executor``,
    e.g. a Dask cluster's, docs/scaling.md; the caller starts and shuts it
    down, and ``workers`` is then how many batches it runs at once);
    ``usernames`` draws usernames (CRW-12; the store's unique index has the
    last word); ``letters`` is where letters go when a generation request
    names no ``out_dir``, and where :meth:`open_letters` reads them (CRW-10).
    A bad option raises :class:`InvalidValue` or ``PolicyError`` here, not
    in the middle of a run.

    Every method takes the acting principal first and refuses what it may
    not do (ASC-07, :class:`~cambridge_results.errors.PermissionDenied`); a
    refusal leaves storage unchanged.
    """

    def __init__(
        self,
        context: Context,
        *,
        hasher_name: str | None = None,
        renderer: str = "fpdf2",
        renderer_options: Mapping[str, Any] | None = None,
        workers: int | None = None,
        usernames: Callable[[], str] = new_username,
        letters: LetterStore | None = None,
        executor: concurrent.futures.Executor | None = None,
    ) -> None:
        _request(context, Context, "context")
        hasher_for(context.policy.credentials, hasher_name)  # PolicyError now, not in a worker
        count = default_workers() if workers is None else workers
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidValue("workers", "must be a whole number, 0 for no worker processes")
        if executor is not None:
            _request(executor, concurrent.futures.Executor, "executor")
            if count == 0:
                raise InvalidValue("workers", "must be at least 1 with an executor")
        renderer_target(renderer)  # an unknown name fails now; loading waits for the workers
        if not callable(usernames):
            raise InvalidValue("usernames", "must be callable")
        if letters is not None and not isinstance(letters, LetterStore):
            raise InvalidValue("letters", "must be a LetterStore, e.g. DirectoryLetterStore")
        self.letters = letters
        self.context = context
        self.options = RunOptions(
            hasher_name=hasher_name,
            workers=count,
            renderer=renderer,
            renderer_options=options_key(renderer_options),
            usernames=usernames,
            letters=letters,
            executor=executor,
        )

    # -- settings ------------------------------------------------------------

    def set_access(
        self,
        principal: Principal,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        request: AccessRequest,
    ) -> AccessResult:
        """Save the centre's "Edit status" form for a series (CRW-01, CRW-04..06, CRW-08).

        Every problem is reported at once as ``AccessRefused``; candidates who
        lose access lose their credentials at once; nothing is generated.
        """
        return access.set_access(self.context, principal, centre, series, request)

    def centre_settings(
        self, principal: Principal, centre: CentreNumber | str, series: ExamSeries | str
    ) -> CentreSettings:
        """What applies to the centre for the series, and where each setting comes from (ASC-08)."""
        return access.centre_settings(self.context, principal, centre, series)

    # -- candidates ------------------------------------------------------------

    def tick_candidates(self, principal: Principal, request: CandidateSelection) -> SelectionResult:
        """Tick candidates for SELECTED access (CRW-07, CRW-08); nothing is generated yet."""
        _request(request, CandidateSelection, "request")
        return access.tick_candidates(self.context, principal, request)

    def untick_candidates(
        self, principal: Principal, request: CandidateSelection
    ) -> SelectionResult:
        """Untick candidates; in SELECTED mode they lose access at once (CRW-08)."""
        _request(request, CandidateSelection, "request")
        return access.untick_candidates(self.context, principal, request)

    def iter_candidates(
        self, principal: Principal, request: CandidateQuery
    ) -> Iterator[CandidateListing]:
        """The centre's candidates with a valid entry, ascending, a page per read (CRW-07)."""
        _request(request, CandidateQuery, "request")
        return access.iter_candidates(self.context, principal, request)

    def list_candidates(
        self, principal: Principal, request: CandidateQuery
    ) -> list[CandidateListing]:
        """Like :meth:`iter_candidates`, as a list (for pages a person looks at)."""
        return list(self.iter_candidates(principal, request))

    def list_stale_letters(
        self, principal: Principal, centre: CentreNumber | str, series: ExamSeries | str
    ) -> tuple[CandidateNumber, ...]:
        """Candidates whose printed letter no longer matches the settings (ASC-06)."""
        return access.list_stale_letters(self.context, principal, centre, series)

    # -- credentials -------------------------------------------------------------

    def revoke_credentials(
        self, principal: Principal, request: CandidateSelection
    ) -> tuple[CandidateNumber, ...]:
        """Take candidates' credentials away at once; those revoked (CRW-06, CRW-08)."""
        _request(request, CandidateSelection, "request")
        return access.revoke_credentials(self.context, principal, request)

    def sync_access(
        self, principal: Principal, centre: CentreNumber | str, series: ExamSeries | str
    ) -> int:
        """Revoke the credentials of candidates who lost access some other way; how many."""
        return access.sync_access(self.context, principal, centre, series)

    def generate_letters(
        self, principal: Principal, request: GenerationRequest
    ) -> GenerationReport:
        """Generate credentials and their letters (CRW-07..13); see :mod:`.pipeline`.

        Refusals (typed, citing the rule, storage unchanged): ``PermissionDenied``
        (ASC-07), ``AccessRefused`` / ``AssociateRefused`` listing every reason
        (CRW-02, CRW-03, CRW-04, CRW-06, CRW-07, ASC-03), ``UnrenderableText``
        (CRW-09), ``InvalidValue``.
        """
        who = check_principal(principal)
        _request(request, GenerationRequest, "request")
        return generate(self.context, who, request, self.options)

    # -- the candidate ------------------------------------------------------------

    def candidate_results(
        self, principal: Principal, request: CandidateResultsRequest
    ) -> CandidateResultsAnswer:
        """The signed-in candidate's provisional results for a series (CRW-14, LOG-03).

        ``principal`` is the :class:`~cambridge_results.principals.CandidateUser`
        ``board.logins.log_in`` answered with.  The view only while access is
        live (CRW-06, CRW-08, ASC-03) and from release time plus the effective
        delay (CRW-05); otherwise the reason and, before release, when
        (``visible_from``).  ``PermissionDenied`` (CRW-14) for anyone else, for
        a candidate the centre does not have and for another series than the
        letter's.  Nothing is written.
        """
        return candidate_results(self.context, principal, request)

    # -- history -------------------------------------------------------------

    def read_history(
        self,
        principal: Principal,
        centre: CentreNumber | str,
        series: ExamSeries | str | None = None,
    ) -> list[Event]:
        """Every website event of the centre (for one series, if given), oldest first."""
        return access.read_history(self.context, principal, centre, series)

    # -- letters (ASC-07, CRW-10) ------------------------------------------------

    def list_letters(
        self,
        principal: Principal,
        centre: CentreNumber | str,
        series: ExamSeries | str | None = None,
    ) -> tuple[LetterRun, ...]:
        """The centre's generated letters, run by run, newest first (ASC-07, CRW-10).

        The centre and its Associate only: anyone else gets
        ``PermissionDenied`` (ASC-07) and nothing is read.
        """
        return list_letters(self.context, principal, centre, series)

    def open_letters(self, principal: Principal, centre: CentreNumber | str, name: str) -> bytes:
        """A combined PDF or zip of one of the centre's runs, from the letter store (ASC-07).

        ``NotFound`` for a name no run of the centre made; ``PermissionDenied``
        for anyone but the centre and its Associate, and for a centre asking
        for files that also hold other centres' letters.
        """
        return open_letter_file(self.context, self._letter_store(), principal, centre, name)

    def open_candidate_letter(
        self,
        principal: Principal,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
    ) -> bytes:
        """One candidate's latest letter for the series, a one-page PDF (ASC-07, CRW-10)."""
        return open_candidate_letter(
            self.context, self._letter_store(), principal, centre, series, candidate
        )

    def _letter_store(self) -> LetterStore:
        if self.letters is None:
            raise InvalidValue("letters", "this website was built without a letter store")
        return self.letters
