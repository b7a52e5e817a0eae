"""One username normalisation for generation and login (CRW-12, LOG-01, LOG-02)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results import credentials
from cambridge_results.errors import InvalidValue
from cambridge_results.logins import tables as login_tables
from cambridge_results.logins.candidates import CandidateCredential
from cambridge_results.rules.logins import login
from cambridge_results.testing.logins_kit import cheap_policy
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.website import tables as website_tables

GROUP = st.text(credentials.ALPHABET, min_size=5, max_size=5)
USERNAMES = st.builds(lambda a, b: f"{a}-{b}", GROUP, GROUP)


@given(USERNAMES, st.booleans(), st.booleans())
def test_a_generated_username_typed_any_way_has_one_key_for_generation_and_login(
    username: str, upper: bool, drop_hyphen: bool
) -> None:
    """Upper case and a missing hyphen give the stored form, in both functions."""
    typed = username.upper() if upper else username
    typed = typed.replace("-", "") if drop_hyphen else typed
    assert credentials.normalise_username(typed) == username
    assert login.normalise_username(typed) == username


def test_a_generated_username_is_already_in_its_normal_form() -> None:
    """What generation stores is the key a login counts (LOG-02)."""
    username = credentials.new_username()
    assert login.normalise_username(username) == username


@pytest.mark.parametrize("typed", ["k7mq4-xtw9p ", " k7mq4-xtw9p", "k7mq4_xtw9p", "k7mq4-xtw9"])
def test_a_near_miss_is_not_folded_into_a_candidate_username(typed: str) -> None:
    """Nothing is trimmed or guessed (LOG-01): kept as typed; generation refuses it."""
    assert login.normalise_username(typed) == typed
    with pytest.raises(InvalidValue) as refused:
        credentials.normalise_username(typed)
    assert refused.value.rule == "CRW-12"


def test_email_usernames_still_compare_case_insensitively() -> None:
    """LOG-01: an email address is folded; a candidate username never contains '@'."""
    assert login.normalise_username("Kim@Example.ORG") == "kim@example.org"


def test_logins_read_the_credential_table_the_website_declares() -> None:
    """The table name logins reads by is the website feature's table (one source of truth)."""
    assert website_tables.WEBSITE_CREDENTIALS.name == login_tables.CREDENTIALS


def test_a_candidate_credential_never_shows_its_hash() -> None:
    """CRW-13: repr leaves the hash out."""
    credential = CandidateCredential(
        centre=CentreNumber("GB100"),
        series=ExamSeries.parse("2026-06"),
        candidate=CandidateNumber("0101"),
        username="k7mq4-xtw9p",
        password_hash="$test$secret-hash",
    )
    assert "secret-hash" not in repr(credential)
    assert not credential.must_change_password(cheap_policy().credentials)
