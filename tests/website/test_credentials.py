"""Generated usernames and passwords, and the Secret that carries passwords (CRW-12, CRW-13)."""

from __future__ import annotations

import copy
import json
import logging
import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results import Policy
from cambridge_results.credentials import (
    ALPHABET,
    MIN_PASSWORD_LENGTH,
    IssuedCredential,
    Secret,
    SecretNotSerialisable,
    issue_credential,
    new_password,
    new_username,
    normalise_username,
    password_bits,
)
from cambridge_results.errors import InvalidValue, PolicyError
from cambridge_results.hashing import hasher_for
from cambridge_results.policy import CredentialPolicy
from cambridge_results.serialization import unstructure

LOOK_ALIKES = set("0Oo1lIi")
TEST_POLICY = CredentialPolicy(allowed_test_hashers=("test-cheap",))


def test_the_alphabet_has_no_look_alikes_and_gives_about_59_bits() -> None:
    """CRW-12: no 0/O, 1/l/I; 12 characters give about 59 bits."""
    assert not LOOK_ALIKES & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET)
    assert 59 <= password_bits(MIN_PASSWORD_LENGTH) < 60


@settings(max_examples=200)
@given(length=st.integers(min_value=12, max_value=64))
def test_passwords_have_the_asked_length_from_the_alphabet(length: int) -> None:
    """CRW-12: at least 12 characters, every one from the alphabet."""
    password = new_password(length).reveal()
    assert len(password) == length
    assert set(password) <= set(ALPHABET)


@pytest.mark.parametrize("length", [0, 11, True, "12"])
def test_shorter_passwords_are_refused(length: object) -> None:
    """CRW-12: a policy asking for fewer than 12 characters is an error."""
    with pytest.raises(PolicyError):
        new_password(length)  # type: ignore[arg-type]


def test_no_two_usernames_collide_over_many_draws() -> None:
    """CRW-12: 20,000 draws of 49.5 bits each give no clash (chance about 2 in 10**7)."""
    drawn = [new_username() for _ in range(20_000)]
    assert len(set(drawn)) == len(drawn)


def test_usernames_are_printable_without_ambiguity_and_do_not_encode_the_number() -> None:
    """CRW-12: two groups of five unambiguous characters; nothing but randomness in them."""
    pattern = re.compile(rf"[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}")
    names = {new_username() for _ in range(500)}
    assert all(pattern.fullmatch(n) for n in names)
    # Every position takes many values: no fixed prefix derived from anything.
    for position in (0, 1, 2, 3, 4, 6, 7, 8, 9, 10):
        assert len({n[position] for n in names}) > 20


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("k7mq4-xtw9p", "k7mq4-xtw9p"), ("K7MQ4-XTW9P", "k7mq4-xtw9p"), ("k7mq4xtw9p", "k7mq4-xtw9p")],
)
def test_typed_usernames_are_normalised(typed: str, expected: str) -> None:
    """CRW-12: upper case and a missing hyphen are forgiven."""
    assert normalise_username(typed) == expected


@pytest.mark.parametrize(
    "typed", ["k7mq4-xtw9p ", " k7mq4-xtw9p", "k7mq0-xtw9p", "\uff4b7mq4-xtw9p"]
)
def test_usernames_with_spaces_or_foreign_characters_are_refused(typed: str) -> None:
    """LOG-01: white space is never trimmed; look-alikes never occur."""
    with pytest.raises(InvalidValue):
        normalise_username(typed)


def test_a_secret_never_shows_itself() -> None:
    """CRW-13: repr, str, format and containers show a mask only."""
    secret = Secret("abcdefgh2345")
    credential = IssuedCredential(username="k7mq4-xtw9p", password=secret, password_hash="$h")
    shown = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        repr([secret]),
        repr(credential),
    ]
    assert all("abcdefgh2345" not in s for s in shown)
    assert secret.reveal() == "abcdefgh2345"


def test_a_secret_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    """CRW-13: logging a secret or a credential writes the mask."""
    secret = Secret("abcdefgh2345")
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("issued %s %r", secret, secret)
    assert "abcdefgh2345" not in caplog.text


def test_a_secret_cannot_be_pickled_or_serialised() -> None:
    """CRW-13: pickle, json and the library's converter refuse a plaintext secret."""
    secret = Secret("abcdefgh2345")
    credential = IssuedCredential(username="k7mq4-xtw9p", password=secret, password_hash="$h")
    with pytest.raises(SecretNotSerialisable):
        pickle.dumps(secret)
    with pytest.raises(SecretNotSerialisable):
        pickle.dumps(credential)
    with pytest.raises(SecretNotSerialisable) as caught:
        unstructure(credential)
    assert "abcdefgh2345" not in str(caught.value)
    with pytest.raises(TypeError):
        json.dumps(secret)
    assert copy.deepcopy(secret) == secret


def test_secrets_compare_by_value_and_are_unhashable() -> None:
    """CRW-13: equality works (in constant time); hashing would leak through dict keys."""
    assert Secret("abc") == Secret("abc")
    assert Secret("abc") != Secret("abd")
    with pytest.raises(TypeError):
        hash(Secret("abc"))
    with pytest.raises(AttributeError):
        Secret("abc")._value = "x"  # type: ignore[attr-defined]


def test_an_issued_credential_verifies_against_its_stored_hash() -> None:
    """CRW-12: the hash verifies the password; the plaintext is not in the hash."""
    hasher = hasher_for(TEST_POLICY, "test-cheap")
    credential = issue_credential(hasher, TEST_POLICY)
    assert hasher.verify(credential.password_hash, credential.password.reveal())
    assert credential.password.reveal() not in credential.password_hash
    assert credential.password_hash.startswith("$argon2id$")


def test_the_default_policy_hashes_with_argon2id_at_the_floor(policy: Policy) -> None:
    """CRW-12: the default hasher is argon2id m=19 MiB, t=2, p=1; the cheap one must be allowed."""
    credential = issue_credential(hasher_for(policy.credentials), policy.credentials)
    assert credential.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    with pytest.raises(PolicyError):
        hasher_for(policy.credentials, "test-cheap")
