"""The login use cases end to end on one backend, under concurrency (LOG-02, LOG-05, LOG-06).

Each test drives :class:`~cambridge_results.logins.Logins` from many
threads at once and checks what the rules promise whatever the backend:
at most the threshold of wrong attempts reach the hasher, no increment is
lost, a reset link works once, a letter registers one account.
"""

from __future__ import annotations

import re
import threading

from cambridge_results.decisions import Decision
from cambridge_results.logins import (
    AccountRecord,
    AttemptOutcome,
    CandidateRegistrationRequest,
    LetterRecord,
    LoginRequest,
    PasswordReset,
    PasswordResetRequest,
)
from cambridge_results.principals import BoardStaff
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.testing.conformance_logins_races import wrong_logins_in_threads
from cambridge_results.testing.logins_kit import T0, LoginsBackend, together, unique

__all__ = ["LoginFlowsConformance"]

STAFF = BoardStaff(staff_id="conformance")
PASSWORD = "Tr0ub4dor&3-correct horse"  # noqa: S105  # a test password
WRONG = "not the password at all"
SECRET = "123456"  # noqa: S105  # a test Secret Number
_TOKEN = re.compile(r"token=([A-Za-z0-9_-]+)")


class LoginFlowsConformance(LoginsBackend):
    """``Logins`` keeps LOG-02, LOG-05 and LOG-06 under racing threads on this backend."""

    def _account(self, password: str = PASSWORD) -> AccountRecord:
        kit = self.logins()
        name = f"{unique('kim')}@school.example"
        account = AccountRecord(
            account_id=unique("acct"),
            username=name,
            password_hash=kit.hasher.inner.hash(password),
            email=name,
        )
        kit.logins.add_account(STAFF, account)
        return account

    def test_of_thirty_simultaneous_wrong_logins_three_reach_the_hasher(self) -> None:
        """LOG-02: 30 racing threads: 3 hasher calls, 3 wrong-password, 27 locked, 30 kept."""
        account, kit = self._account(), self.logins()
        race = wrong_logins_in_threads(
            kit.logins, kit.hasher, username=account.username, password=WRONG, attempts=30
        )
        assert race.verifies == 3
        assert race.outcomes.count(AttemptOutcome.WRONG_PASSWORD) == 3
        assert race.outcomes.count(AttemptOutcome.LOCKED) == 27
        assert kit.logins.lockout_state(STAFF, account.username) == LockoutState(
            failures=3, locked_until=T0.add(minutes=30)
        )
        assert len(kit.logins.attempts_for(STAFF, account.username)) == 30

    def test_simultaneous_wrong_logins_lose_no_increment(self) -> None:
        """LOG-02: under a threshold nobody reaches, 30 racing failures count exactly 30."""
        account, kit = self._account(), self.logins(threshold=10_000)
        race = wrong_logins_in_threads(
            kit.logins, kit.hasher, username=account.username, password=WRONG, attempts=30
        )
        assert race.verifies == 30
        assert kit.logins.lockout_state(STAFF, account.username).failures == 30

    def test_the_right_password_logs_in_and_clears_the_count(self) -> None:
        """LOG-02: fail, fail, succeed: the success is recorded and the count is back to 0."""
        account, kit = self._account(), self.logins()
        for _ in range(2):
            assert not kit.logins.log_in(LoginRequest(username=account.username, password=WRONG)).ok
        assert kit.logins.log_in(LoginRequest(username=account.username, password=PASSWORD)).ok
        assert kit.logins.lockout_state(STAFF, account.username) == LockoutState()

    def test_of_ten_simultaneous_resets_with_one_link_one_succeeds(self) -> None:
        """LOG-05: one emailed link, 10 racing redemptions: one new password, 9 refusals."""
        account, kit = self._account(), self.logins()
        kit.logins.request_password_reset(PasswordResetRequest(identifier=account.username))
        found = _TOKEN.search(kit.outbox.to(account.username)[-1].body)
        assert found is not None
        answers: list[Decision] = []
        lock = threading.Lock()
        passwords = iter([f"Fresh-{i}-{unique('pw')}" for i in range(10)])

        def work() -> None:
            with lock:
                password = next(passwords)
            answer = kit.logins.reset_password(
                PasswordReset(token=found.group(1), new_password=password)
            )
            with lock:
                answers.append(answer)

        together(10, work)
        assert [a.allowed for a in answers].count(True) == 1
        assert {c for a in answers for c in a.codes} == {"LOG-05.token-used"}

    def test_of_five_simultaneous_registrations_of_one_letter_one_account_is_made(self) -> None:
        """LOG-06: five racing registrations with one letter: one account, four refusals."""
        kit = self.logins(threshold=10_000)
        cid = unique("C").upper().replace("-", "")
        kit.logins.add_letter(
            STAFF, LetterRecord(candidate_id=cid, secret_hash=kit.hasher.inner.hash(SECRET))
        )
        emails = iter([f"{unique('cand')}@home.example" for _ in range(5)])
        answers: list[Decision] = []
        lock = threading.Lock()

        def work() -> None:
            with lock:
                email = next(emails)
            request = CandidateRegistrationRequest(
                candidate_id=cid, secret_number=SECRET, email=email, password=PASSWORD
            )
            answer = kit.logins.register_candidate(request).decision
            with lock:
                answers.append(answer)

        together(5, work)
        assert [a.allowed for a in answers].count(True) == 1
        assert {c for a in answers for c in a.codes} == {"LOG-06.already-registered"}
