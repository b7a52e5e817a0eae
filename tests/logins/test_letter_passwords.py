"""A letter's password as a candidate types it: any case, grouped or not (CRW-12, LOG-01).

Letters print the password in groups separated by spaces; the stored hash is
of the lower-case password without them.  Logins fold what was typed
(``rules.logins.login.letter_password``) only while the letter's password is
the one in use: a password the candidate chose later compares exactly.
"""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from logins_support import START, LoginWorld, make_world

from cambridge_results import credentials
from cambridge_results.errors import InvalidValue
from cambridge_results.logins import AttemptOutcome, LoginRequest, Logins, PasswordChange
from cambridge_results.logins.tables import CREDENTIALS
from cambridge_results.rules.logins.login import letter_password
from cambridge_results.storage import Store
from cambridge_results.storage.port import UnitOfWork

LETTER_USERNAME = "k7mq4-xtw9p"
PRINTED = "7hkm2xq9wpab"
CHOSEN = "My own Pass-word 2026!"
PASSWORDS = st.text(credentials.ALPHABET, min_size=12, max_size=12)
SEPARATORS = st.sampled_from(["", "", "", " ", "-", "  ", " - "])


def add_letter(world: LoginWorld, password: str, printed_at: pendulum.DateTime = START) -> None:
    """A printed credential for LETTER_USERNAME whose hash is of ``password``."""
    encoded = world.hasher.hash(password)

    def add(uow: UnitOfWork) -> None:
        uow.insert(
            CREDENTIALS,
            {
                "centre": "GB100",
                "series": "2026-06",
                "candidate": "0101",
                "username": LETTER_USERNAME,
                "state": "printed",
                "password_hash": encoded,
                "printed_at": printed_at,
            },
        )

    world.store.run(add, actor="board:test")


def letter_world(password: str = PRINTED, store: Store | None = None) -> LoginWorld:
    """Logins with one candidate letter whose password is ``password``."""
    world = make_world(store)
    add_letter(world, password)
    return world


@st.composite
def typed_as_printed(draw: st.DrawFn, password: str) -> str:
    """``password`` with spaces or hyphens anywhere and any character in upper case."""
    typed = ""
    for ch in password:
        typed += draw(SEPARATORS) + (ch.upper() if draw(st.booleans()) else ch)
    return typed + draw(SEPARATORS)


@settings(max_examples=60, deadline=None)
@given(st.data(), PASSWORDS)
def test_the_printed_password_in_any_grouping_and_case_logs_in(
    data: st.DataObject, password: str
) -> None:
    """CRW-12: "7HKM 2XQ9 WPAB", "7hkm-2xq9-wpab" and "7hkm2xq9wpab" are the letter's password."""
    world = letter_world(password)
    typed = data.draw(typed_as_printed(password))
    result = world.log_in(LETTER_USERNAME, typed)
    assert result.ok, typed
    assert result.candidate is not None


@settings(max_examples=60, deadline=None)
@given(PASSWORDS, st.text(min_size=1, max_size=40))
def test_a_different_password_never_logs_in(password: str, other: str) -> None:
    """CRW-12, LOG-01: whatever is typed, if it is not the letter's password it is refused."""
    world = letter_world(password)
    result = world.log_in(LETTER_USERNAME, other)
    assert result.ok == (letter_password(other) == password)


def test_the_printed_grouping_logs_in_on_every_backend(store: Store) -> None:
    """CRW-12: the letter's grouped, upper-case form logs in on memory, SQLite and PostgreSQL."""
    world = letter_world(store=store)
    assert world.log_in(LETTER_USERNAME, "7HKM 2XQ9 WPAB").ok
    assert world.hasher.verifies == 1


def test_a_near_miss_counts_as_a_wrong_password() -> None:
    """LOG-02: a grouped password with one character wrong is a counted failure."""
    world = letter_world()
    result = world.log_in(LETTER_USERNAME, "7hkm 2xq9 wpac")
    assert not result.ok
    assert result.attempt.outcome is AttemptOutcome.WRONG_PASSWORD
    assert world.state(LETTER_USERNAME).failures == 1


def test_a_password_the_candidate_chose_compares_exactly() -> None:
    """LOG-01, CRW-12: after the first-login change, case and spaces matter again."""
    world = letter_world()
    changed = world.logins.change_password(
        PasswordChange(
            username=LETTER_USERNAME, current_password="7HKM 2XQ9 WPAB", new_password=CHOSEN
        )
    )
    assert changed.allowed
    world.clock.advance(minutes=1)
    assert world.log_in(LETTER_USERNAME, CHOSEN).ok
    for near in (CHOSEN.lower(), CHOSEN.replace(" ", ""), CHOSEN.replace("-", "")):
        assert not world.log_in(LETTER_USERNAME, near).ok
        world.log_in(LETTER_USERNAME, CHOSEN)  # clears the count between tries
    assert not world.log_in(LETTER_USERNAME, "7hkm2xq9wpab").ok


@pytest.mark.parametrize("typed", ["7hkm2xq9wpab", "7HKM 2XQ9 WPAB"])
def test_an_unknown_username_costs_one_verification_whatever_is_typed(typed: str) -> None:
    """LOG-02: no enumeration: an unknown candidate username gets the same answer and cost."""
    world = letter_world()
    known = world.log_in("zzzzz-zzzzz", typed)
    assert not known.ok
    assert world.hasher.verifies == 1
    assert known.decision == world.log_in(LETTER_USERNAME, "wrong password").decision


def test_a_letters_credential_wins_over_an_account_given_the_same_username() -> None:
    """CRW-12: usernames are unique; if an account shares a letter's, the letter logs in."""
    world = letter_world()
    world.add_account(LETTER_USERNAME, CHOSEN)
    signed_in = world.log_in(LETTER_USERNAME, PRINTED)
    assert signed_in.candidate is not None
    assert signed_in.account is None
    assert not world.log_in(LETTER_USERNAME, CHOSEN).ok


def test_logins_made_without_the_letters_port_log_no_candidate_in() -> None:
    """CRW-14: the letters are read only through the port; without it a letter's name is unknown."""
    world = letter_world()
    bare = Logins(world.logins.context, outbox=world.outbox, hasher=world.hasher)
    result = bare.log_in(LoginRequest(username=LETTER_USERNAME, password=PRINTED))
    assert not result.ok
    assert result.attempt.outcome is AttemptOutcome.UNKNOWN_USERNAME
    assert world.log_in(LETTER_USERNAME, PRINTED).ok


def test_the_letters_port_must_find_and_replace_hashes() -> None:
    """Anything else given as the port is InvalidValue at construction."""
    world = make_world()
    with pytest.raises(InvalidValue, match="candidate_credentials"):
        Logins(
            world.logins.context,
            outbox=world.outbox,
            hasher=world.hasher,
            candidate_credentials=object(),  # type: ignore[arg-type]
        )
