"""The login flow over in-memory ports (LOG-01, LOG-02), with the clock injected."""

from __future__ import annotations

import threading
import unicodedata

import argon2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from logins_support import PASSWORD, STAFF, USERNAME, LoginWorld, make_world

from cambridge_results.errors import InvalidValue
from cambridge_results.hashing import Argon2idHasher, ScryptHasher
from cambridge_results.logins import AccountRecord, AttemptOutcome, LoginRequest
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.login import GENERIC_MESSAGE

KEY = USERNAME.lower()


def test_the_right_password_logs_in_and_records_a_success(world: LoginWorld) -> None:
    """LOG-01: the exact password succeeds; the attempt is recorded in UTC without secrets."""
    result = world.log_in(USERNAME, PASSWORD)
    assert result.ok
    assert result.account is not None
    assert result.account.username == KEY
    assert result.attempt.outcome is AttemptOutcome.SUCCESS
    assert result.attempt.username == KEY
    assert result.attempt.at == world.clock.now()
    assert result.attempt.at.timezone_name == "UTC"
    assert world.attempts() == (result.attempt,)
    assert world.hasher.verifies == 1


def test_email_usernames_compare_ignoring_case(world: LoginWorld) -> None:
    """LOG-01: an email username in another case names the same account."""
    assert world.log_in(USERNAME.upper(), PASSWORD).ok
    assert world.log_in(USERNAME.swapcase(), PASSWORD).ok


def test_fail_fail_succeed_resets_the_count(world: LoginWorld) -> None:
    """LOG-02: a success after two failures resets the count, so two more do not lock."""
    for _ in range(2):
        assert not world.log_in(USERNAME, "wrong password!").ok
    assert world.state(KEY).failures == 2
    assert world.log_in(USERNAME, PASSWORD).ok
    assert world.state(KEY) == LockoutState()
    for _ in range(2):
        world.log_in(USERNAME, "wrong password!")
    assert world.log_in(USERNAME, PASSWORD).ok


def lock(world: LoginWorld) -> None:
    """Three wrong passwords in a row."""
    for _ in range(3):
        result = world.log_in(USERNAME, "wrong password!")
        assert result.decision.codes == ("LOG-01.incorrect-login-details",)


def test_three_failures_lock_and_the_right_password_is_refused_without_the_hasher(
    world: LoginWorld,
) -> None:
    """LOG-02: while locked, the right password is refused and the hasher is not called."""
    lock(world)
    assert world.state(KEY).locked_until == world.clock.now().add(minutes=30)
    before = world.hasher.verifies
    result = world.log_in(USERNAME, PASSWORD)
    assert not result.ok
    assert result.decision.codes == ("LOG-02.locked",)
    assert result.attempt.outcome is AttemptOutcome.LOCKED
    assert world.hasher.verifies == before


def test_locked_at_29_59_and_open_at_30_00_without_extending_the_lock(world: LoginWorld) -> None:
    """LOG-02: attempts during the lock do not extend it; the right password works at 30:00."""
    lock(world)
    until = world.state(KEY).locked_until
    world.clock.advance(minutes=29, seconds=59)
    assert world.log_in(USERNAME, PASSWORD).decision.codes == ("LOG-02.locked",)
    assert world.log_in(USERNAME, "wrong password!").decision.codes == ("LOG-02.locked",)
    assert world.state(KEY).locked_until == until
    world.clock.advance(seconds=1)
    assert world.log_in(USERNAME, PASSWORD).ok


def fullwidth(text: str) -> str:
    """The full-width form of printable ASCII (U+FF01..U+FF5E; space to U+3000)."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


@pytest.mark.parametrize(
    "variant",
    [PASSWORD + " ", " " + PASSWORD, PASSWORD.swapcase(), PASSWORD[:-1], fullwidth(PASSWORD)],
    ids=["trailing-space", "leading-space", "swapped-case", "one-short", "full-width"],
)
def test_near_misses_are_wrong_passwords_and_counted(world: LoginWorld, variant: str) -> None:
    """LOG-01: no trimming, case folding or Unicode normalisation; each is a counted failure."""
    result = world.log_in(USERNAME, variant)
    assert result.decision.reasons[0].message == GENERIC_MESSAGE
    assert result.attempt.outcome is AttemptOutcome.WRONG_PASSWORD
    assert world.state(KEY).failures == 1
    assert world.hasher.verifies == 1


def test_a_trailing_space_after_the_email_is_another_username(world: LoginWorld) -> None:
    """LOG-01: the username is not trimmed; the failure counts against what was typed."""
    result = world.log_in(USERNAME + " ", PASSWORD)
    assert result.attempt.outcome is AttemptOutcome.UNKNOWN_USERNAME
    assert world.state(KEY + " ").failures == 1
    assert world.state(KEY).failures == 0


@pytest.mark.parametrize(
    "password",
    ["", "abc\x00def", PASSWORD + "\ud800", "x" * 129, "x" * 1_000_000],
    ids=["empty", "nul", "lone-surrogate", "over-cap", "one-million"],
)
def test_malformed_passwords_get_the_generic_error_without_the_hasher(
    world: LoginWorld, password: str
) -> None:
    """LOG-01/LOG-02: malformed input is refused like a wrong password, uncounted, unhashed."""
    result = world.log_in(USERNAME, password)
    assert result.decision.reasons[0].message == GENERIC_MESSAGE
    assert result.decision.codes == ("LOG-01.malformed-input",)
    assert result.attempt.outcome is AttemptOutcome.MALFORMED
    assert result.attempt.username == KEY
    assert world.hasher.verifies == 0
    assert world.state(KEY) == LockoutState()


@pytest.mark.parametrize(
    "username",
    ["", "a\x00@example.org", "\ud800@example.org", "a\n@example.org", "u" * 1_000_000],
    ids=["empty", "nul", "lone-surrogate", "newline", "one-million"],
)
def test_malformed_usernames_get_the_generic_error_and_are_not_recorded(
    world: LoginWorld, username: str
) -> None:
    """LOG-01: a malformed username is refused before any lookup and not kept in the record."""
    result = world.log_in(username, PASSWORD)
    assert result.decision.codes == ("LOG-01.malformed-input",)
    assert result.attempt.username is None
    assert world.hasher.verifies == 0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.text(st.characters(max_codepoint=127), max_size=40))
def test_a_username_is_well_formed_exactly_without_control_or_format_characters(
    username: str,
) -> None:
    """LOG-01: 1 to 254 characters, no NUL, lone surrogate, Cc, Cf, Zl or Zp (ASCII or not)."""
    from cambridge_results.rules.logins.login import well_formed_username

    try:
        username.encode("utf-8")
        encodable = True
    except UnicodeEncodeError:
        encodable = False
    expected = (
        bool(username)
        and encodable
        and not any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in username)
    )
    assert well_formed_username(username) is expected


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_request_that_is_not_text_is_an_invalid_value_and_stores_nothing(
    world: LoginWorld, field: str
) -> None:
    """LOG-01: a form value that is not text is the caller's mistake: InvalidValue, no record."""
    values: dict[str, object] = {"username": USERNAME, "password": PASSWORD, field: 42}
    with pytest.raises(InvalidValue, match=field):
        LoginRequest(**values)  # type: ignore[arg-type]
    assert world.attempts() == ()


def test_passwords_up_to_the_cap_are_heard(world: LoginWorld) -> None:
    """SPEC section 5: 128 characters are accepted (and merely wrong), 129 are not."""
    assert world.log_in(USERNAME, "y" * 128).attempt.outcome is AttemptOutcome.WRONG_PASSWORD
    assert world.log_in(USERNAME, "y" * 129).attempt.outcome is AttemptOutcome.MALFORMED


def test_a_long_password_at_the_cap_logs_in() -> None:
    """ASVS 6.2.9: a 128-character password, spaces and all, works exactly as typed."""
    w = make_world()
    long_password = "correct horse battery staple " * 4 + "x" * 12
    assert len(long_password) == 128
    w.add_account("long@example.org", long_password)
    assert w.log_in("long@example.org", long_password).ok


@pytest.mark.parametrize("cap", [63, 129])
def test_a_policy_cap_outside_64_to_128_is_refused(cap: int) -> None:
    """SPEC section 5: the cap accepts at least 64 and at most 128 characters."""
    with pytest.raises(InvalidValue, match="max_password_length"):
        LoginPolicy(max_password_length=cap)


def test_unknown_usernames_get_the_same_answer_and_hasher_work(world: LoginWorld) -> None:
    """LOG-02: no enumeration: same decision, one verification each, counted too."""
    wrong = world.log_in(USERNAME, "wrong password!")
    verifies_for_wrong = world.hasher.verifies
    unknown = world.log_in("nobody@example.org", "wrong password!")
    assert unknown.decision == wrong.decision
    assert world.hasher.verifies - verifies_for_wrong == verifies_for_wrong == 1
    assert unknown.attempt.outcome is AttemptOutcome.UNKNOWN_USERNAME
    assert world.state("nobody@example.org").failures == 1


def test_unknown_usernames_lock_like_known_ones(world: LoginWorld) -> None:
    """LOG-02: the counter is keyed by the submitted username, accounts or not."""
    for _ in range(3):
        world.log_in("nobody@example.org", "guess")
    assert world.log_in("nobody@example.org", "guess").decision.codes == ("LOG-02.locked",)


def test_an_unreadable_stored_hash_costs_one_verification_and_fails(world: LoginWorld) -> None:
    """LOG-02: a hash no hasher handles is verified against the dummy, never accepted."""
    world.logins.add_account(
        STAFF, AccountRecord(account_id="odd", username="odd", password_hash="$md5$nonsense")
    )
    result = world.log_in("odd", "whatever")
    assert result.attempt.outcome is AttemptOutcome.WRONG_PASSWORD
    assert world.hasher.verifies == 1


def test_an_outdated_hash_is_upgraded_at_a_successful_login() -> None:
    """CRW-12: a hash with other parameters yields a new hash from the current hasher."""
    w = make_world()
    old = Argon2idHasher(memory_kib=16, time_cost=1, parallelism=1)
    w.logins.add_account(
        STAFF, AccountRecord(account_id="a1", username="old", password_hash=old.hash(PASSWORD))
    )
    result = w.log_in("old", PASSWORD)
    assert result.ok
    assert result.upgraded_hash is not None
    assert result.hash_upgraded
    stored = w.read(lambda r: r.accounts.get("a1"))
    assert stored is not None
    assert stored.password_hash == result.upgraded_hash
    assert w.hasher.inner.verify(result.upgraded_hash, PASSWORD)
    assert not w.hasher.needs_rehash(result.upgraded_hash)
    assert "upgraded_hash" not in repr(result)


def test_the_verifier_says_whether_to_rehash_as_its_hasher_does_whatever_came_before() -> None:
    """CRW-12: the answer kept per shape of hash never carries over to other parameters."""
    from cambridge_results.logins.verifier import Verifier

    current = Argon2idHasher(memory_kib=16, time_cost=1, parallelism=1)
    hashes = [
        current.hash(PASSWORD),
        current.hash("another"),
        Argon2idHasher(memory_kib=16, time_cost=2, parallelism=1).hash(PASSWORD),
        argon2.PasswordHasher(memory_cost=16, time_cost=1, parallelism=1, salt_len=8).hash("x"),
        ScryptHasher(log2_n=10).hash(PASSWORD),
        "$scrypt$ln=10,r=8,p=1$AAAA$AAAA",
        "$md5$nonsense",
        "garbage",
    ]
    for order in (hashes, hashes[::-1], hashes * 2):
        verifier = Verifier(current)
        assert [verifier.needs_rehash(h) for h in order] == [current.needs_rehash(h) for h in order]


def test_a_legacy_scrypt_hash_still_logs_in_and_is_upgraded() -> None:
    """CRW-12: hashes of an earlier algorithm verify through legacy hashers and are replaced."""
    legacy = ScryptHasher(log2_n=10)
    w = make_world(legacy_hashers=(legacy,))
    w.logins.add_account(
        STAFF,
        AccountRecord(account_id="s1", username="legacy", password_hash=legacy.hash(PASSWORD)),
    )
    result = w.log_in("legacy", PASSWORD)
    assert result.ok
    assert result.upgraded_hash is not None
    assert result.upgraded_hash.startswith("$argon2id$")
    assert not w.log_in("legacy", PASSWORD.upper()).ok


def test_a_current_hash_is_not_upgraded(world: LoginWorld) -> None:
    """CRW-12: a hash with the current parameters is left alone."""
    result = world.log_in(USERNAME, PASSWORD)
    assert result.upgraded_hash is None
    assert world.hasher.hashes == 0


def test_fifty_simultaneous_wrong_attempts_reach_the_hasher_at_most_three_times(
    world: LoginWorld,
) -> None:
    """LOG-02: concurrent wrong attempts lose no increment: only 3 reach the hasher."""
    barrier = threading.Barrier(50)
    results = []
    results_lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        result = world.log_in(USERNAME, "wrong password!")
        with results_lock:
            results.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = [r.attempt.outcome for r in results]
    assert world.hasher.verifies <= 3
    assert outcomes.count(AttemptOutcome.WRONG_PASSWORD) == world.hasher.verifies == 3
    assert outcomes.count(AttemptOutcome.LOCKED) == 47
    assert world.state(KEY).failures == 3


def test_no_increment_is_lost_under_fifty_threads() -> None:
    """LOG-02: 50 simultaneous failures under a high threshold count as exactly 50."""
    w = make_world(login=LoginPolicy(lockout_threshold=1000))
    barrier = threading.Barrier(50)

    def failure() -> None:
        barrier.wait()
        for _ in range(20):
            assert not w.log_in("k", "wrong password!").ok

    threads = [threading.Thread(target=failure) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert w.state("k").failures == 1000
    assert w.state("k").locked_until == w.clock.now().add(minutes=30)
    assert w.hasher.verifies == 1000


def test_the_lock_message_reaches_the_user_and_names_no_secret(world: LoginWorld) -> None:
    """LOG-02: the locked answer says until when, in the policy's zone; it holds no password."""
    lock(world)
    message = world.log_in(USERNAME, PASSWORD).decision.reasons[0].message
    assert world.policy.timezone == "Europe/London"
    assert message.endswith("try again from 11 August 2026, 10:30 (Europe/London)")
    assert PASSWORD not in message


def test_the_policy_threshold_and_duration_are_data() -> None:
    """LOG-02: a policy with 5 attempts and 10 minutes is obeyed without code changes."""
    w = make_world(login=LoginPolicy(lockout_threshold=5, lockout_minutes=10))
    w.add_account()
    for _ in range(4):
        w.log_in(USERNAME, "nope")
    assert w.log_in(USERNAME, PASSWORD).ok
    for _ in range(5):
        w.log_in(USERNAME, "nope")
    assert w.state(KEY).locked_until == w.clock.now().add(minutes=10)
