"""The login flows over the stored ports, on every backend (LOG-01 to LOG-06).

Each test runs on memory://, a real SQLite file, and PostgreSQL (which skips
until its backend lands), through the ``store_url`` fixture.
"""

from __future__ import annotations

import re
from pathlib import Path

import pendulum
import pytest
from logins_support import PASSWORD, START, USERNAME, StoredWorld, make_stored_world

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import DuplicateError, InvalidValue
from cambridge_results.hashing import Argon2idHasher
from cambridge_results.logins.ports import AccountRecord, AttemptOutcome
from cambridge_results.logins.registration import LetterRecord
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.login import IdentityAction
from cambridge_results.storage import Store, open_store

KEY = USERNAME.lower()
NEW_PASSWORD = "a brand new passphrase 42"


def token_in(w: StoredWorld, index: int = -1) -> str:
    """The token of the reset link in the outbox's message ``index``."""
    match = re.search(r"token=([A-Za-z0-9_-]+)", w.outbox.messages[index].body)
    assert match is not None
    return match.group(1)


def test_a_stored_login_succeeds_and_is_recorded_in_utc(stored: StoredWorld) -> None:
    """LOG-01: the right password logs in; the attempt is stored with UTC time and the
    normalised username."""
    result = stored.log_in(USERNAME, PASSWORD)
    assert result.ok
    assert result.account == stored.logins.accounts.find_account(KEY)
    (attempt,) = stored.logins.attempts.attempts_for(KEY)
    assert attempt.outcome is AttemptOutcome.SUCCESS
    assert attempt.at == START
    assert attempt.at.timezone_name == "UTC"


def test_email_usernames_are_unique_whatever_their_case(stored: StoredWorld) -> None:
    """LOG-01: Officer@Example.org and officer@example.org cannot be two accounts."""
    with pytest.raises(DuplicateError) as raised:
        stored.add_account(USERNAME.upper(), "another password entirely")
    assert KEY not in str(raised.value)
    with pytest.raises(InvalidValue):
        stored.logins.accounts.add(
            AccountRecord(account_id="x1", username="Kim@School.example", password_hash="$x$")
        )
    assert stored.log_in(USERNAME.swapcase(), PASSWORD).ok


def test_the_third_stored_failure_locks_for_thirty_minutes(stored: StoredWorld) -> None:
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
    outcomes = [a.outcome for a in stored.logins.attempts.attempts_for(KEY)]
    assert outcomes == [AttemptOutcome.WRONG_PASSWORD] * 3 + [
        AttemptOutcome.LOCKED,
        AttemptOutcome.SUCCESS,
    ]


def test_unknown_usernames_are_counted_and_recorded_too(stored: StoredWorld) -> None:
    """LOG-02: an unknown username costs one hasher call and counts under its own key."""
    result = stored.log_in("Nobody@Example.org", PASSWORD)
    assert result.decision.codes == ("LOG-01.incorrect-login-details",)
    assert stored.hasher.verifies == 1
    assert stored.state("nobody@example.org").failures == 1
    (attempt,) = stored.logins.attempts.attempts_for("nobody@example.org")
    assert attempt.outcome is AttemptOutcome.UNKNOWN_USERNAME


def test_an_outdated_hash_is_replaced_in_storage_at_login(stored: StoredWorld) -> None:
    """CRW-12: a successful login with an outdated hash stores the current hasher's hash."""
    old = Argon2idHasher(memory_kib=16, time_cost=1, parallelism=1)
    stored.logins.accounts.add(
        AccountRecord(account_id="old-1", username="old", password_hash=old.hash(PASSWORD))
    )
    result = stored.log_in("old", PASSWORD)
    assert result.ok
    assert result.hash_upgraded
    account = stored.logins.accounts.get_account("old-1")
    assert account is not None
    assert stored.hasher.inner.handles(account.password_hash)
    assert stored.hasher.inner.verify(account.password_hash, PASSWORD)
    again = stored.log_in("old", PASSWORD)
    assert again.ok
    assert again.upgraded_hash is None


def test_an_upgrade_never_overwrites_a_password_reset_meanwhile(stored: StoredWorld) -> None:
    """CRW-12, LOG-05: the upgrade is a compare-and-set on the hash the login read."""
    old = Argon2idHasher(memory_kib=16, time_cost=1, parallelism=1)
    old_hash = old.hash(PASSWORD)
    stored.logins.accounts.add(
        AccountRecord(account_id="old-2", username="old2", password_hash=old_hash)
    )
    reset_hash = stored.hasher.inner.hash(NEW_PASSWORD)
    stored.logins.accounts.set_password_hash("old-2", reset_hash)
    assert not stored.logins.accounts.replace_password_hash("old-2", old_hash, "$x$upgrade")
    account = stored.logins.accounts.get_account("old-2")
    assert account is not None
    assert account.password_hash == reset_hash


def test_a_stored_reset_works_once_and_voids_earlier_links(stored: StoredWorld) -> None:
    """LOG-05: a new request voids the old link; the new one works once; the lock is cleared."""
    for _ in range(3):
        stored.log_in(USERNAME, "wrong password")
    stored.resets.request(USERNAME)
    first = token_in(stored)
    stored.clock.advance(minutes=1)
    stored.resets.request(USERNAME.upper())
    second = token_in(stored)
    assert first != second
    assert stored.resets.complete(first, NEW_PASSWORD).codes == ("LOG-05.token-void",)
    assert stored.resets.complete(second, "short").codes  # refused, link not burnt
    assert stored.resets.complete(second, NEW_PASSWORD).allowed
    assert stored.resets.complete(second, NEW_PASSWORD).codes == ("LOG-05.token-used",)
    assert stored.state(KEY) == LockoutState()
    assert stored.log_in(USERNAME, NEW_PASSWORD).ok
    assert not stored.log_in(USERNAME, PASSWORD).ok
    records = stored.logins.reset_tokens.records()
    assert sorted(r.live for r in records) == [False, False]


def test_a_reset_link_expires_after_an_hour(stored: StoredWorld) -> None:
    """LOG-05: usable at 59:59, refused at 60:00, on every backend."""
    stored.resets.request(USERNAME)
    token = token_in(stored)
    stored.clock.advance(minutes=60)
    assert stored.resets.complete(token, NEW_PASSWORD).codes == ("LOG-05.token-expired",)


def test_candidates_register_once_and_reset_by_their_id(stored: StoredWorld) -> None:
    """LOG-06, LOG-05: a letter registers one account, whose reset is asked for by ID."""
    secret_hash = stored.hasher.inner.hash("58302917")
    stored.logins.letters.put(LetterRecord(candidate_id="C7654321", secret_hash=secret_hash))
    form = {"candidate_id": "c7654321", "secret_number": "58302917", "password": NEW_PASSWORD}
    result = stored.registration.register(email="Kim@Mail.example", **form)
    assert result.decision.allowed
    assert stored.logins.complete_candidate_registration(result, account_id="cand-1").allowed
    again = stored.logins.complete_candidate_registration(result, account_id="cand-2")
    assert again.codes == ("LOG-06.already-registered",)
    assert stored.registration.register(email="kim@mail.example", **form).decision.codes == (
        "LOG-06.already-registered",
    )
    assert stored.log_in("kim@mail.example", NEW_PASSWORD).ok
    stored.candidate_resets.request("c7654321")
    assert stored.outbox.messages[-1].to == "kim@mail.example"
    assert stored.resets.complete(token_in(stored), "yet another new passphrase").allowed
    assert stored.logins.accounts.get_account("cand-2") is None


def test_a_candidate_cannot_take_an_email_that_has_an_account(stored: StoredWorld) -> None:
    """LOG-06: the email names an account already: refused, and the letter stays unused."""
    secret_hash = stored.hasher.inner.hash("58302917")
    stored.logins.letters.put(LetterRecord(candidate_id="C1111111", secret_hash=secret_hash))
    result = stored.registration.register(
        candidate_id="C1111111", secret_number="58302917", email=USERNAME, password=NEW_PASSWORD
    )
    assert result.decision.allowed
    refused = stored.logins.complete_candidate_registration(result, account_id="cand-3")
    assert refused.codes == ("LOG-06.email-taken",)
    letter = stored.logins.letters.find_letter("C1111111")
    assert letter is not None
    assert not letter.registered


def test_wrong_secret_numbers_lock_the_id(stored: StoredWorld) -> None:
    """LOG-06, LOG-02: three wrong Secret Numbers lock the ID, recorded under the ID."""
    secret_hash = stored.hasher.inner.hash("58302917")
    stored.logins.letters.put(LetterRecord(candidate_id="C2222222", secret_hash=secret_hash))

    def register(secret: str) -> tuple[str, ...]:
        return stored.registration.register(
            candidate_id="C2222222",
            secret_number=secret,
            email="a@b.example",
            password=NEW_PASSWORD,
        ).decision.codes

    for _ in range(3):
        assert register("11112222") == ("LOG-06.incorrect-registration-details",)
    assert register("58302917") == ("LOG-02.locked",)
    flows = {a.flow for a in stored.logins.attempts.attempts_for("C2222222")}
    assert flows == {"candidate-registration"}


def test_an_identity_is_stored_and_registers_on_another_site(stored: StoredWorld) -> None:
    """LOG-04: create, then add a site with the same password; a different one is refused."""
    created = stored.identities.register("T@School.example", NEW_PASSWORD, "prep")
    assert created.action is IdentityAction.CREATE
    assert stored.logins.identities.apply(created, "prep")
    added = stored.identities.register("t@school.example", NEW_PASSWORD, "results-online")
    assert added.action is IdentityAction.ADD_SITE
    assert stored.logins.identities.apply(added, "results-online")
    wrong = stored.identities.register("t@school.example", "not the same password", "third")
    assert wrong.decision.codes == ("LOG-04.incorrect-login-details",)
    identity = stored.logins.identities.find_identity("t@school.example")
    assert identity is not None
    assert identity.sites == frozenset({"prep", "results-online"})


def test_lockouts_attempts_and_tokens_survive_a_restart(tmp_path: Path) -> None:
    """LOG-02, LOG-05: a SQLite store reopened by a new process keeps locks and links."""
    url = f"sqlite:///{tmp_path / 'logins.db'}"
    store = open_store(url, migrations=SCHEMA)
    w = make_stored_world(store)
    w.add_account()
    for _ in range(3):
        w.log_in(USERNAME, "wrong password")
    w.resets.request(USERNAME)
    token = token_in(w)
    store.close()

    reopened: Store = open_store(url, migrations=SCHEMA)
    try:
        w2 = make_stored_world(reopened)
        w2.clock.advance(minutes=5)
        assert w2.service.log_in(USERNAME, PASSWORD).decision.codes == ("LOG-02.locked",)
        assert len(w2.logins.attempts.attempts_for(KEY)) == 4
        assert w2.resets.complete(token, NEW_PASSWORD).allowed
        assert w2.service.log_in(USERNAME, NEW_PASSWORD).ok
    finally:
        reopened.close()


def test_attempts_at_any_offset_are_stored_as_the_same_utc_instant(store: Store) -> None:
    """SPEC section 5: instants are stored in UTC; an attempt made at +05:30 reads back in UTC."""
    w = make_stored_world(store)
    w.add_account()
    w.clock.set(pendulum.datetime(2026, 8, 11, 14, 30, tz="Asia/Kolkata"))
    w.log_in(USERNAME, PASSWORD)
    (attempt,) = w.logins.attempts.attempts_for(KEY)
    assert attempt.at == START
    assert attempt.at.timezone_name == "UTC"
