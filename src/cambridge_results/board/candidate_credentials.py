"""The website's side of logins' :class:`~cambridge_results.logins.candidates.CandidateCredentials`.

Letters' credentials live in the website feature's table
(:data:`~cambridge_results.website.tables.WEBSITE_CREDENTIALS`); logins
declares the port it reads them through, and the composition root, which
may import both features, fills it with this class (CRW-12, CRW-13,
CRW-14).  The one column logins itself added to that table (migration 5,
``password_chosen_at``: when the candidate last chose a password of their
own) is named by logins' :data:`~cambridge_results.logins.tables.CANDIDATE_PASSWORD_CHOSEN`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import pendulum

from cambridge_results.logins.candidates import CandidateCredential
from cambridge_results.logins.tables import CANDIDATE_PASSWORD_CHOSEN
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.website.tables import WEBSITE_CREDENTIALS

if TYPE_CHECKING:
    from cambridge_results.storage.transaction import Transaction

__all__ = ["WebsiteCandidateCredentials"]

_REVOKED = "revoked"


def _key(credential: CandidateCredential) -> tuple[str, str, str]:
    return (str(credential.centre), credential.series.code, str(credential.candidate))


# A login reads one credential and its values are frozen: each centre's and candidate
# number's value is checked once per process, not at every login (at most 10,000 numbers).
_centre = functools.lru_cache(maxsize=8192)(CentreNumber)
_candidate = functools.lru_cache(maxsize=10_000)(CandidateNumber)


def _credential(row: dict[str, Any]) -> CandidateCredential | None:
    # Only the hash of the current letter's password logs in (CRW-13): a revoked row
    # has none that counts, and a row whose first letter is unwritten only a pending one.
    if row["state"] == _REVOKED or row["password_hash"] is None:
        return None
    return CandidateCredential(
        centre=_centre(row["centre"]),
        series=ExamSeries.parse(row["series"]),
        candidate=_candidate(row["candidate"]),
        username=row["username"],
        password_hash=row["password_hash"],
        printed_at=row["printed_at"],
        chosen_at=row[CANDIDATE_PASSWORD_CHOSEN.name],
    )


class WebsiteCandidateCredentials:
    """Letters' credentials as logins see them: find by username, compare-and-set the hash."""

    def find(self, uow: Transaction, username: str) -> CandidateCredential | None:
        """The credential that logs in with this normalised username, or ``None``."""
        rows = uow.select(WEBSITE_CREDENTIALS.name, {"username": username}, limit=1)
        return _credential(rows[0]) if rows else None

    def replace_hash(
        self,
        uow: Transaction,
        credential: CandidateCredential,
        new_hash: str,
        *,
        chosen_at: pendulum.DateTime | None = None,
    ) -> bool:
        """Store ``new_hash`` while the row still holds ``credential``'s hash (else False)."""
        changes: dict[str, Any] = {"password_hash": new_hash}
        if chosen_at is not None:
            changes[CANDIDATE_PASSWORD_CHOSEN.name] = chosen_at
        return uow.update(
            WEBSITE_CREDENTIALS.name,
            _key(credential),
            changes,
            expect={"password_hash": credential.password_hash},
        )
