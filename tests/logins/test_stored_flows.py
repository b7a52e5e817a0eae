"""The login flows through ``Logins`` on every backend (LOG-01 to LOG-06).

Each test runs on memory://, a real SQLite file and the session's PostgreSQL,
through the ``stored`` / ``store`` fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest
from logins_support import PASSWORD, STAFF, START, USERNAME, LoginWorld, make_world

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import DuplicateError, InvalidValue
from cambridge_results.hashing import Argon2idHasher
from cambridge_results.logins import (
    AccountRecord,
    AttemptOutcome,
    CandidateRegistrationRequest,
    IdentityRegistrationRequest,
    IdentityResult,
    LetterRecord,
    ResetBy,
)
from cambridge_results.logins import tables as login_tables
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.login import IdentityAction
from cambridge_results.storage import Store, open_store

KEY = USERNAME.lower()
NEW_PASSWORD = "a brand new passphrase 42"
SECRET = "58302917"


def attempts_for(w: LoginWorld, username: str) -> tuple[AttemptOutcome, ...]:
    """The outcomes of the attempts naming ``username``, oldest first."""
    return tuple(a.outcome for a in w.logins.attempts_for(STAFF, username))


def add_letter(w: LoginWorld, candidate_id: str) -> None:
    """A letter whose Secret Number is SECRET."""
    w.logins.add_letter(
        STAFF, LetterRecord(candidate_id=candidate_id, secret_hash=w.hasher.inner.hash(SECRET))
    )


def register_candidate(
    w: LoginWorld, candidate_id: str, email: str, secret: str = SECRET
) -> tuple[str, ...]:
    """Register with a letter; the refusal codes (none when registered)."""
    request = CandidateRegistrationRequest(
        candidate_id=candidate_id, secret_number=secret, email=email, password=NEW_PASSWORD
    )
    return w.logins.register_candidate(request).decision.codes


def test_a_stored_login_succeeds_and_is_recorded_in_utc(stored: LoginWorld) -> None:
    """LOG-01: the right password logs in; the attempt is stored with UTC time and the
    normalised username."""
    result = stored.log_in(USERNAME, PASSWORD)
    assert result.ok
    assert result.account == stored.read(lambda r: r.accounts.find(KEY))
    (attempt,) = stored.logins.attempts_for(STAFF, KEY)
    assert attempt.outcome is AttemptOutcome.SUCCESS
    assert attempt.at == START
    assert attempt.at.timezone_name == "UTC"


def test_email_usernames_are_unique_whatever_their_case(stored: LoginWorld) -> None:
    """LOG-01: Officer@Example.org and officer@example.org cannot be two accounts."""
    with pytest.raises(DuplicateError) as raised:
        stored.add_account(USERNAME.upper(), "another password entirely")
    assert KEY not in str(raised.value)
    with pytest.raises(InvalidValue):
        stored.logins.add_account(
            STAFF,
            AccountRecord(account_id="x1", username="Kim@School.example", password_hash="$x$"),
        )
    assert stored.read(lambda r: r.accounts.get("x1")) is None
    assert stored.log_in(USERNAME.swapcase(), PASSWORD).ok


def test_the_third_stored_failure_locks_for_thirty_minutes(stored: LoginWorld) -> None:
    """LOG-02: three wrong passwords lock; the right one is refused until exactly 30:00."""
    for _ in range(3):
        assert not stored.log_in(USERNAME, "wrong password").ok
    assert stored.state(KEY) == LockoutState(failures=3, locked_until=START.add(minutes=30))
    before = stored.hasher.verifies
    stored.clock.advance(minutes=29, seconds=59)
    locked = stored.log_in(USERNAME, PASSWORD)
    assert locked.decision.codes == ("LOG-02.locked",)
    assert stored.hasher.verifies == before
    stored.clock.advance(seconds=1)
    assert stored.log_in(USERNAME, PASSWORD).ok
    assert stored.state(KEY) == LockoutState()
    assert attempts_for(stored, KEY) == (
        *[AttemptOutcome.WRONG_PASSWORD] * 3,
        AttemptOutcome.LOCKED,
        AttemptOutcome.SUCCESS,
    )


def test_unknown_usernames_are_counted_and_recorded_too(stored: LoginWorld) -> None:
    """LOG-02: an unknown username costs one hasher call and counts under its own key."""
    result = stored.log_in("Nobody@Example.org", PASSWORD)
    assert result.decision.codes == ("LOG-01.incorrect-login-details",)
    assert stored.hasher.verifies == 1
    assert stored.state("nobody@example.org").failures == 1
    assert attempts_for(stored, "nobody@example.org") == (AttemptOutcome.UNKNOWN_USERNAME,)


def test_an_outdated_hash_is_replaced_in_storage_at_login(stored: LoginWorld) -> None:
    """CRW-12: a successful login with an outdated hash stores the current hasher's hash."""
    old = Argon2idHasher(memory_kib=16, time_cost=1, parallelism=1)
    stored.logins.add_account(
        STAFF, AccountRecord(account_id="old-1", username="old", password_hash=old.hash(PASSWORD))
    )
    result = stored.log_in("old", PASSWORD)
    assert result.ok
    assert result.hash_upgraded
    account = stored.read(lambda r: r.accounts.get("old-1"))
    assert account is not None
    assert stored.hasher.inner.handles(account.password_hash)
    assert stored.hasher.inner.verify(account.password_hash, PASSWORD)
    again = stored.log_in("old", PASSWORD)
    assert again.ok
    assert again.upgraded_hash is None


def test_an_upgrade_never_overwrites_a_password_reset_meanwhile(stored: LoginWorld) -> None:
    """CRW-12, LOG-05: the upgrade is a compare-and-set on the hash the login read, so after
    a reset through Logins the stale upgrade does not hold."""
    old = Argon2idHasher(memory_kib=16, time_cost=1, parallelism=1)
    old_hash = old.hash(PASSWORD)
    stored.logins.add_account(
        STAFF,
        AccountRecord(
            account_id="old-2",
            username="old2@example.org",
            password_hash=old_hash,
            email="old2@example.org",
        ),
    )
    stored.request_reset("old2@example.org")
    assert stored.reset(stored.token(), NEW_PASSWORD).allowed
    reset_hash = stored.read(lambda r: r.accounts.get("old-2"))
    assert reset_hash is not None
    assert not stored.write(lambda r: r.accounts.replace_hash("old-2", old_hash, "$x$upgrade"))
    assert stored.read(lambda r: r.accounts.get("old-2")) == reset_hash
    assert stored.log_in("old2@example.org", NEW_PASSWORD).ok


def test_a_stored_reset_works_once_and_voids_earlier_links(stored: LoginWorld) -> None:
    """LOG-05: a new request voids the old link; the new one works once; the lock is cleared."""
    for _ in range(3):
        stored.log_in(USERNAME, "wrong password")
    stored.request_reset(USERNAME)
    first = stored.token()
    stored.clock.advance(minutes=1)
    stored.request_reset(USERNAME.upper())
    second = stored.token()
    assert first != second
    assert stored.reset(first, NEW_PASSWORD).codes == ("LOG-05.token-void",)
    assert stored.reset(second, "short").codes  # refused, link not burnt
    assert stored.reset(second, NEW_PASSWORD).allowed
    assert stored.reset(second, NEW_PASSWORD).codes == ("LOG-05.token-used",)
    assert stored.state(KEY) == LockoutState()
    assert stored.log_in(USERNAME, NEW_PASSWORD).ok
    assert not stored.log_in(USERNAME, PASSWORD).ok
    records = stored.read(lambda r: r.reset_tokens.all())
    assert sorted(r.live for r in records) == [False, False]


def test_a_reset_link_expires_after_an_hour(stored: LoginWorld) -> None:
    """LOG-05: usable at 59:59, refused at 60:00, on every backend."""
    stored.request_reset(USERNAME)
    token = stored.token()
    stored.clock.advance(minutes=60)
    assert stored.reset(token, NEW_PASSWORD).codes == ("LOG-05.token-expired",)
    stored.clock.advance(seconds=-1)
    assert stored.reset(token, NEW_PASSWORD).allowed


def test_candidates_register_once_and_reset_by_their_id(stored: LoginWorld) -> None:
    """LOG-06, LOG-05: a letter registers one account, whose reset is asked for by ID."""
    add_letter(stored, "C7654321")
    assert register_candidate(stored, "c7654321", "Kim@Mail.example") == ()
    assert register_candidate(stored, "c7654321", "other@mail.example") == (
        "LOG-06.already-registered",
    )
    assert register_candidate(stored, "C7654321", "kim@mail.example") == (
        "LOG-06.already-registered",
    )
    assert stored.log_in("kim@mail.example", NEW_PASSWORD).ok
    stored.request_reset("c7654321", by=ResetBy.CANDIDATE_ID)
    assert stored.outbox.messages[-1].to == "kim@mail.example"
    assert stored.reset(stored.token(), "yet another new passphrase").allowed
    assert stored.log_in("kim@mail.example", "yet another new passphrase").ok
    rows = stored.store.run(
        lambda uow: uow.select(login_tables.ACCOUNTS.name, {"candidate_id": "C7654321"}),
        actor="board:tester",
        read_only=True,
    )
    assert [row["username"] for row in rows] == ["kim@mail.example"]
    assert stored.read(lambda r: r.accounts.find("other@mail.example")) is None


def test_a_candidate_cannot_take_an_email_that_has_an_account(stored: LoginWorld) -> None:
    """LOG-06: the email names an account already: refused, and the letter stays unused."""
    add_letter(stored, "C1111111")
    assert register_candidate(stored, "C1111111", USERNAME) == ("LOG-06.email-taken",)
    letter = stored.read(lambda r: r.letters.find("C1111111"))
    assert letter is not None
    assert not letter.registered
    assert stored.read(lambda r: r.accounts.find_by_candidate_id("C1111111")) is None


def test_wrong_secret_numbers_lock_the_id(stored: LoginWorld) -> None:
    """LOG-06, LOG-02: three wrong Secret Numbers lock the ID, recorded under the ID."""
    add_letter(stored, "C2222222")
    for _ in range(3):
        assert register_candidate(stored, "C2222222", "a@b.example", "11112222") == (
            "LOG-06.incorrect-registration-details",
        )
    assert register_candidate(stored, "C2222222", "a@b.example") == ("LOG-02.locked",)
    flows = {a.flow for a in stored.logins.attempts_for(STAFF, "C2222222")}
    assert flows == {"candidate-registration"}


def test_an_identity_is_stored_and_registers_on_another_site(stored: LoginWorld) -> None:
    """LOG-04: create, then add a site with the same password; a different one is refused."""

    def register(email: str, password: str, site: str) -> IdentityResult:
        return stored.logins.register_identity(
            IdentityRegistrationRequest(email=email, password=password, site=site)
        )

    assert register("T@School.example", NEW_PASSWORD, "prep").action is IdentityAction.CREATE
    added = register("t@school.example", NEW_PASSWORD, "results-online")
    assert added.action is IdentityAction.ADD_SITE
    wrong = register("t@school.example", "not the same password", "third")
    assert wrong.decision.codes == ("LOG-04.incorrect-login-details",)
    identity = stored.read(lambda r: r.identities.find("t@school.example"))
    assert identity is not None
    assert identity.sites == frozenset({"prep", "results-online"})


def test_lockouts_attempts_and_tokens_survive_a_restart(tmp_path: Path) -> None:
    """LOG-02, LOG-05: a SQLite store reopened by a new process keeps locks and links."""
    url = f"sqlite:///{tmp_path / 'logins.db'}"
    store = open_store(url, migrations=SCHEMA)
    w = make_world(store)
    w.add_account()
    for _ in range(3):
        w.log_in(USERNAME, "wrong password")
    w.request_reset(USERNAME)
    token = w.token()
    store.close()

    reopened: Store = open_store(url, migrations=SCHEMA)
    try:
        w2 = make_world(reopened)
        w2.clock.advance(minutes=5)
        assert w2.log_in(USERNAME, PASSWORD).decision.codes == ("LOG-02.locked",)
        assert len(w2.logins.attempts_for(STAFF, KEY)) == 4
        assert w2.reset(token, NEW_PASSWORD).allowed
        assert w2.log_in(USERNAME, NEW_PASSWORD).ok
    finally:
        reopened.close()


def test_attempts_at_any_offset_are_stored_as_the_same_utc_instant(stored: LoginWorld) -> None:
    """SPEC section 5: instants are stored in UTC; an attempt made at +05:30 reads back in UTC."""
    stored.clock.set(pendulum.datetime(2026, 8, 11, 14, 30, tz="Asia/Kolkata"))
    stored.log_in(USERNAME, PASSWORD)
    (attempt,) = stored.logins.attempts_for(STAFF, KEY)
    assert attempt.at == START
    assert attempt.at.timezone_name == "UTC"
