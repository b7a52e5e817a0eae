"""The composition root: one board's application surface over one store.

::

    from cambridge_results import international_2023
    from cambridge_results.board import open_board

    board = open_board("sqlite:///results.db", policy=international_2023())
    board.website.set_access(principal, request)      # CRW
    board.associates.set_defaults(principal, request)  # ASC
    board.logins.log_in(LoginRequest(...))             # LOG-01..06
    board.reports.results_view(candidate, request)     # LOG-03, LOG-07..10
    board.enquiries.create(principal, request)        # EAR

:func:`open_board` opens the store by URL (``memory://``, ``sqlite:///file.db``,
``postgresql://...`` or a plugin's scheme), brings it to :data:`SCHEMA`, and
builds each application object once over one
:class:`~cambridge_results.context.Context`.  This is the one module that
knows the concrete renderers (fpdf2) and every feature; the features know
neither each other (``associates`` apart, which revokes website access)
nor any adapter.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Mapping
from typing import Any, Self

from cambridge_results.associates import Associates
from cambridge_results.board.candidate_credentials import WebsiteCandidateCredentials
from cambridge_results.board.schema import SCHEMA
from cambridge_results.board_data import BoardData
from cambridge_results.clock import Clock, SystemClock
from cambridge_results.context import Context
from cambridge_results.enquiries import Enquiries
from cambridge_results.errors import InvalidValue
from cambridge_results.hashing import hasher_for
from cambridge_results.logins import Logins
from cambridge_results.logins.outbox import InMemoryOutbox, Outbox
from cambridge_results.policy import Policy
from cambridge_results.rendering.enquiry_protocol import EnquiryLetterRenderer
from cambridge_results.rendering.registry import renderer_target
from cambridge_results.rendering.statement import StatementRenderer
from cambridge_results.reports import Reports
from cambridge_results.storage import Store, open_store
from cambridge_results.website import LetterStore, Website
from cambridge_results.website.pipeline import default_workers
from cambridge_results.website.worker_pool import WorkerPool
from cambridge_results.website.workers import options_key

__all__ = ["SCHEMA", "Board", "open_board"]


class Board:
    """One board's application objects over one store, built once by :func:`open_board`."""

    def __init__(
        self,
        context: Context,
        *,
        website: Website,
        associates: Associates,
        logins: Logins,
        reports: Reports,
        enquiries: Enquiries,
        data: BoardData,
        worker_pool: WorkerPool | None = None,
    ) -> None:
        self.context = context
        #: The processes that hash and render the website's letters, kept for all its
        #: runs and ended by :meth:`close` (``None``: no workers, or the caller's executor).
        self.worker_pool = worker_pool
        self._closed = False
        #: Centre access, ticks, revocation, listings and bulk letters (CRW).
        self.website = website
        #: An Associate's defaults and per-centre controls (ASC).
        self.associates = associates
        #: Log in with lockout, password changes and resets, registration (LOG-01..06).
        self.logins = logins
        #: Results views and reports (LOG-03, LOG-07..10).
        self.reports = reports
        #: Enquiries about results, draft to appeal (EAR).
        self.enquiries = enquiries
        #: Setting the board up from CSV: Associates, centres, syllabuses, entries.
        self.data = data

    @property
    def store(self) -> Store:
        """The store every application object writes to."""
        return self.context.store

    @property
    def policy(self) -> Policy:
        """The policy every rule reads."""
        return self.context.policy

    @property
    def clock(self) -> Clock:
        """The clock every use case reads ``now`` from."""
        return self.context.clock

    def close(self) -> None:
        """End the board's worker processes and close the store; the board cannot be
        used afterwards.  A caller's executor is left running (it is theirs).  Closing
        again does nothing."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.worker_pool is not None:
                self.worker_pool.shutdown(wait=True, cancel_futures=True)
        finally:
            self.context.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Board({self.context.store.url!r}, policy={self.context.policy.name!r})"


def open_board(
    url: str,
    *,
    policy: Policy,
    clock: Clock | None = None,
    migrate: bool = True,
    hasher_name: str | None = None,
    letter_renderer: str = "fpdf2",
    letter_renderer_options: Mapping[str, Any] | None = None,
    workers: int | None = None,
    executor: concurrent.futures.Executor | None = None,
    outbox: Outbox | None = None,
    reset_link: Callable[[str], str] | None = None,
    statement_renderer: StatementRenderer | None = None,
    enquiry_letter_renderer: EnquiryLetterRenderer | None = None,
    letter_store: LetterStore | None = None,
) -> Board:
    """Open the store ``url`` names and build the board's application objects over it.

    ``policy`` holds every number the rules use; ``clock`` defaults to the
    system clock (tests pass a :class:`~cambridge_results.clock.FixedClock`).
    ``migrate`` brings the store to :data:`SCHEMA` (``False`` refuses a store
    that is behind).  ``hasher_name`` overrides the policy's password hasher
    (``"test-cheap"`` only where the policy allows it).  ``letter_renderer``
    names the credential-letter renderer (the ``cambridge_results.renderers``
    entry-point group; ``"fpdf2"`` is built in) and ``workers`` the processes
    that hash and render letters (``0``: none).  ``executor`` runs those
    batches instead of a process pool of the board's own: any
    ``concurrent.futures.Executor``, e.g. ``distributed.Client(...).get_executor()``
    for a Dask cluster (docs/scaling.md); ``workers`` is then how many batches
    it runs at once (its worker slots), and the caller shuts it down.  Without one,
    the board starts its ``workers`` processes with its first generation run and keeps
    them for the next (:attr:`Board.worker_pool`) until :meth:`Board.close`.
    ``outbox`` sends reset links and change notices (default: kept in memory, for tests
    and demos; pass an
    :class:`~cambridge_results.logins.outbox.SmtpOutbox` in production) and
    ``reset_link`` turns a reset token into the URL in the email.  The
    statement and enquiry-letter renderers default to fpdf2's.  ``letter_store``
    is where credential letters go and are opened from (e.g.
    ``DirectoryLetterStore("letters")``; CRW-10, ASC-07).
    """
    if not isinstance(policy, Policy):
        raise InvalidValue("policy", f"must be a Policy, not {type(policy).__name__}")
    # Options that can be checked without the store are checked first, so a bad one
    # opens (and, for SQLite, creates) nothing.
    hasher_for(policy.credentials, hasher_name)
    renderer_target(letter_renderer)
    # The default renderers are fpdf2's, imported here rather than with this package, so
    # importing the schema (board.schema) or the features never loads fpdf2.
    from cambridge_results.rendering.fpdf_enquiry_letters import FpdfEnquiryLetterRenderer
    from cambridge_results.rendering.fpdf_statements import FpdfStatementRenderer

    store = open_store(url, migrations=SCHEMA, migrate=migrate)
    try:
        context = Context(store=store, policy=policy, clock=clock or SystemClock())
        pool = _worker_pool(
            workers, executor, policy, hasher_name, letter_renderer, letter_renderer_options
        )
        return Board(
            context,
            website=Website(
                context,
                hasher_name=hasher_name,
                renderer=letter_renderer,
                renderer_options=letter_renderer_options,
                workers=workers,
                letters=letter_store,
                executor=executor if pool is None else pool,
            ),
            associates=Associates(context),
            logins=Logins(
                context,
                outbox=InMemoryOutbox() if outbox is None else outbox,
                hasher_name=hasher_name,
                reset_link=reset_link,
                candidate_credentials=WebsiteCandidateCredentials(),
            ),
            reports=Reports(
                context,
                statement_renderer=statement_renderer
                or FpdfStatementRenderer(max_statements=policy.reports.max_pdfs_per_request),
            ),
            enquiries=Enquiries(
                context,
                letter_renderer=enquiry_letter_renderer or FpdfEnquiryLetterRenderer(),
            ),
            data=BoardData(context),
            worker_pool=pool,
        )
    except BaseException:
        # Bad options must not leave the store's connections open behind the error.
        store.close()
        raise


def _worker_pool(
    workers: int | None,
    executor: concurrent.futures.Executor | None,
    policy: Policy,
    hasher_name: str | None,
    renderer: str,
    renderer_options: Mapping[str, Any] | None,
) -> WorkerPool | None:
    """The board's own worker processes (not started yet), unless the caller gave an
    executor or asked for none; a bad option is left for ``Website`` to refuse."""
    count = default_workers() if workers is None else workers
    if executor is not None or isinstance(count, bool) or not isinstance(count, int):
        return None
    if count < 1 or not isinstance(renderer_options, Mapping | None):
        return None
    return WorkerPool(
        count,
        credentials=policy.credentials,
        hasher_name=hasher_name,
        renderer=renderer,
        renderer_options=options_key(renderer_options),
    )
