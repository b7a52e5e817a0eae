"""Candidates log in with their letter's credential: one source of truth (CRW-12, CRW-14).

A generated letter's username and password hash live in one place, the
website feature's ``website_credentials`` row; nothing copies them into
``login_accounts``.  The login use cases read that row by table name
(:data:`~cambridge_results.logins.tables.CREDENTIALS`) when the submitted
username is a generated candidate username, so the lockout (LOG-02), the
generic answer (LOG-01) and the password change all work on the same row
generation writes.  Only ``password_hash`` logs in: the hash of the
password printed on the candidate's current letter (state ``printed``, or
``unprinted`` while a new letter is being drawn and the old one still
works).  A revoked credential has no hash, and a credential whose first
letter is not yet written has only a pending one: neither logs in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from cambridge_results.logins import tables
from cambridge_results.policy import CredentialPolicy
from cambridge_results.principals import CandidateUser
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries

if TYPE_CHECKING:
    from cambridge_results.storage.transaction import Transaction

__all__ = ["CandidateCredential", "CandidateCredentialRepository"]

_REVOKED = "revoked"


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


def _key(credential: CandidateCredential) -> tuple[str, str, str]:
    return (str(credential.centre), credential.series.code, str(credential.candidate))


def _credential(row: dict[str, Any]) -> CandidateCredential | None:
    if row["state"] == _REVOKED or row["password_hash"] is None:
        return None
    return CandidateCredential(
        centre=CentreNumber(row["centre"]),
        series=ExamSeries.parse(row["series"]),
        candidate=CandidateNumber(row["candidate"]),
        username=row["username"],
        password_hash=row["password_hash"],
        printed_at=row["printed_at"],
        chosen_at=row[tables.CANDIDATE_PASSWORD_CHOSEN.name],
    )


class CandidateCredentialRepository:
    """Letters' credentials as logins see them (CRW-12, CRW-14): find, and replace the hash."""

    def __init__(self, uow: Transaction) -> None:
        self._uow = uow

    def find(self, username: str) -> CandidateCredential | None:
        """The credential that can log in with this normalised username, or ``None``.

        ``None`` too for a revoked credential and one whose letter was never
        written (CRW-06, CRW-13): they are not told apart from an unknown name.
        """
        rows = self._uow.select(tables.CREDENTIALS, {"username": username}, limit=1)
        return _credential(rows[0]) if rows else None

    def replace_hash(
        self,
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
        changes: dict[str, Any] = {"password_hash": new_hash}
        if chosen_at is not None:
            changes[tables.CANDIDATE_PASSWORD_CHOSEN.name] = chosen_at
        return self._uow.update(
            tables.CREDENTIALS,
            _key(credential),
            changes,
            expect={"password_hash": credential.password_hash},
        )
