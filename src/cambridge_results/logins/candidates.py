"""Candidates log in with their letter's credential: one source of truth (CRW-12, CRW-14).

A generated letter's username and password hash live in one place, the
website feature's credential row; nothing copies them into
``login_accounts``.  Logins do not read that row themselves: they declare
the port :class:`CandidateCredentials` (find a credential by username,
compare-and-set its hash, both in the caller's unit of work), which the
composition root fills with the website's implementation
(``cambridge_results.board.candidate_credentials``), so the lockout
(LOG-02), the generic answer (LOG-01) and the password change all work on
the same row generation writes.  Only the hash of the password printed on
the candidate's current letter logs in; a revoked credential, and one
whose first letter is not yet written, are no credential at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs
import pendulum

from cambridge_results.policy import CredentialPolicy
from cambridge_results.principals import CandidateUser
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries

if TYPE_CHECKING:
    from cambridge_results.storage.transaction import Transaction

__all__ = [
    "NO_CANDIDATE_CREDENTIALS",
    "BoundCandidateCredentials",
    "CandidateCredential",
    "CandidateCredentials",
]


@attrs.frozen(kw_only=True)
class CandidateCredential:
    """What a login needs of a letter's credential; the hash never shows in ``repr``.

    ``printed_at`` is when the current letter was written; ``chosen_at`` when
    the candidate last chose a password of their own (``None``: the letter's
    password is still the one in use).
    """

    centre: CentreNumber
    series: ExamSeries
    candidate: CandidateNumber
    username: str
    password_hash: str = attrs.field(repr=False)
    printed_at: pendulum.DateTime | None = None
    chosen_at: pendulum.DateTime | None = None

    @property
    def principal(self) -> CandidateUser:
        """The signed-in candidate: centre, candidate number and the letter's series."""
        return CandidateUser(centre=self.centre, number=self.candidate, series=self.series)

    @property
    def letter_password_in_use(self) -> bool:
        """True while the hash is of the password printed on the current letter.

        False once the candidate chose a password of their own (CRW-12's
        first-login change) after that letter was written.
        """
        return self.chosen_at is None or (
            self.printed_at is not None and self.chosen_at < self.printed_at
        )

    def must_change_password(self, policy: CredentialPolicy) -> bool:
        """True when the policy forces a change and the letter's password is still in use.

        CRW-12's switch (``require_change_at_first_login``); a regenerated
        letter's new password must be changed again.
        """
        return policy.require_change_at_first_login and self.letter_password_in_use


@runtime_checkable
class CandidateCredentials(Protocol):
    """The port logins reads letters' credentials through (CRW-12, CRW-14, CRW-13).

    Both methods work in the caller's unit of work (a provisional one for
    :meth:`find`: one read).  The board wires the website's implementation;
    a :class:`~cambridge_results.logins.Logins` made without one logs no
    candidate in (:data:`NO_CANDIDATE_CREDENTIALS`).
    """

    def find(self, uow: Transaction, username: str) -> CandidateCredential | None:
        """The credential that logs in with this normalised username, or ``None``.

        ``None`` too for a revoked credential and one whose letter was never
        written (CRW-06, CRW-13): they are not told apart from an unknown name.
        """
        ...

    def replace_hash(
        self,
        uow: Transaction,
        credential: CandidateCredential,
        new_hash: str,
        *,
        chosen_at: pendulum.DateTime | None = None,
    ) -> bool:
        """Compare-and-set the hash while the row still holds ``credential``'s hash.

        ``chosen_at`` marks a password the candidate chose (CRW-12's first
        login change); without it (a hash upgrade) the mark is kept.  False
        when the hash changed meanwhile (a new letter, a revocation).
        """
        ...


class _NoCandidateCredentials:
    """No letters: every candidate username names nothing."""

    def find(self, uow: Transaction, username: str) -> CandidateCredential | None:
        return None

    def replace_hash(
        self,
        uow: Transaction,
        credential: CandidateCredential,
        new_hash: str,
        *,
        chosen_at: pendulum.DateTime | None = None,
    ) -> bool:
        return False


#: The port of a :class:`~cambridge_results.logins.Logins` made without letters.
NO_CANDIDATE_CREDENTIALS: CandidateCredentials = _NoCandidateCredentials()


class BoundCandidateCredentials:
    """A :class:`CandidateCredentials` port bound to one unit of work, as repositories are."""

    def __init__(self, port: CandidateCredentials, uow: Transaction) -> None:
        self._port = port
        self._uow = uow

    def find(self, username: str) -> CandidateCredential | None:
        """The port's :meth:`CandidateCredentials.find` in this unit of work."""
        return self._port.find(self._uow, username)

    def replace_hash(
        self,
        credential: CandidateCredential,
        new_hash: str,
        *,
        chosen_at: pendulum.DateTime | None = None,
    ) -> bool:
        """The port's :meth:`CandidateCredentials.replace_hash` in this unit of work."""
        return self._port.replace_hash(self._uow, credential, new_hash, chosen_at=chosen_at)
