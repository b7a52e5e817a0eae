"""Password hashers (CRW-12, LOG-01): self-describing slow hashes, upgradeable, never leaking."""

from __future__ import annotations

import pytest

from cambridge_results.errors import PolicyError
from cambridge_results.hashing import (
    Argon2idHasher,
    PasswordHasher,
    ScryptHasher,
    hasher_for,
    verify_password,
)
from cambridge_results.policy import CredentialPolicy

PASSWORD = "Kq7wXz3mPa9R"


def test_the_default_hasher_is_argon2id_at_the_asvs_floor() -> None:
    """CRW-12: argon2id, m=19 MiB, t=2, p=1, named in the stored hash."""
    hasher = hasher_for(CredentialPolicy())
    encoded = hasher.hash(PASSWORD)
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify(encoded, PASSWORD)
    assert isinstance(hasher, PasswordHasher)


def test_passwords_compare_exactly() -> None:
    """LOG-01: case sensitive, and a trailing space is a different password."""
    hasher = hasher_for(CredentialPolicy())
    encoded = hasher.hash(PASSWORD)
    for wrong in (PASSWORD.lower(), PASSWORD + " ", " " + PASSWORD, PASSWORD[:-1], ""):
        assert not hasher.verify(encoded, wrong)


def test_each_hash_is_salted() -> None:
    """The same password hashes differently each time."""
    hasher = hasher_for(CredentialPolicy())
    assert hasher.hash(PASSWORD) != hasher.hash(PASSWORD)


def test_raising_the_parameters_marks_old_hashes_for_rehash() -> None:
    """CRW-12: parameters can be raised later and old hashes upgraded at the next login."""
    old = hasher_for(CredentialPolicy())
    new = hasher_for(CredentialPolicy(argon2_time_cost=3))
    encoded = old.hash(PASSWORD)
    assert not old.needs_rehash(encoded)
    assert new.needs_rehash(encoded)
    assert new.verify(encoded, PASSWORD)
    assert not new.needs_rehash(new.hash(PASSWORD))


def test_scrypt_is_the_standard_library_alternative_at_its_floor() -> None:
    """CRW-12: scrypt N=2**17, r=8, p=1, self-describing."""
    hasher = hasher_for(CredentialPolicy(), "scrypt")
    encoded = hasher.hash(PASSWORD)
    assert encoded.startswith("$scrypt$ln=17,r=8,p=1$")
    assert hasher.verify(encoded, PASSWORD)
    assert not hasher.needs_rehash(encoded)


def test_scrypt_verifies_and_refuses_and_wants_a_rehash_when_parameters_change() -> None:
    """A cheaper scrypt keeps this test fast; the logic is the same at any cost."""
    small = ScryptHasher(log2_n=10)
    encoded = small.hash(PASSWORD)
    assert small.verify(encoded, PASSWORD)
    assert not small.verify(encoded, PASSWORD + " ")
    assert ScryptHasher(log2_n=11).needs_rehash(encoded)
    assert not small.needs_rehash(encoded)
    tampered = encoded[:-4] + ("AAAA" if not encoded.endswith("AAAA") else "BBBB")
    assert not small.verify(tampered, PASSWORD)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "garbage",
        "$scrypt$ln=40,r=8,p=1$AAAA$AAAA",
        "$scrypt$ln=10,r=8$AAAA$AAAA",
        "$argon2id$v=19$m=1",
    ],
)
def test_malformed_or_absurd_hashes_do_not_verify_and_need_a_rehash(encoded: str) -> None:
    """A broken stored hash is a failed login, never a crash or a huge computation."""
    for hasher in (Argon2idHasher(memory_kib=8, time_cost=1), ScryptHasher(log2_n=10)):
        assert not hasher.verify(encoded, PASSWORD)
        assert hasher.needs_rehash(encoded)


def test_the_cheap_test_hasher_is_refused_unless_the_policy_allows_it() -> None:
    """CRW-12: 'test-cheap' only when credentials.allowed_test_hashers lists it."""
    with pytest.raises(PolicyError) as caught:
        hasher_for(CredentialPolicy(), "test-cheap")
    assert caught.value.rule == "CRW-12"
    with pytest.raises(PolicyError):
        hasher_for(CredentialPolicy(hasher="test-cheap"))
    cheap = hasher_for(CredentialPolicy(allowed_test_hashers=("test-cheap",)), "test-cheap")
    assert cheap.name == "test-cheap"
    assert cheap.verify(cheap.hash(PASSWORD), PASSWORD)
    assert hasher_for(CredentialPolicy()).needs_rehash(cheap.hash(PASSWORD))


def test_an_unknown_hasher_is_a_policy_error() -> None:
    """CRW-12: only argon2id, scrypt and test hashers exist."""
    with pytest.raises(PolicyError, match="unknown hasher 'md5'"):
        hasher_for(CredentialPolicy(), "md5")


def test_verify_password_uses_whichever_hasher_wrote_the_hash() -> None:
    """Old scrypt hashes still verify after a switch to argon2id; unknown formats do not."""
    argon = Argon2idHasher(memory_kib=8, time_cost=1)
    scrypt = ScryptHasher(log2_n=10)
    hashers = (argon, scrypt)
    assert verify_password(scrypt.hash(PASSWORD), PASSWORD, hashers)
    assert verify_password(argon.hash(PASSWORD), PASSWORD, hashers)
    assert not verify_password(argon.hash(PASSWORD), "wrong", hashers)
    assert not verify_password("$md5$abc", PASSWORD, hashers)


def test_no_password_appears_in_a_hash_or_a_hashers_repr() -> None:
    """SPEC section 5: nothing reprs or stores a plaintext password."""
    for hasher in (Argon2idHasher(memory_kib=8, time_cost=1), ScryptHasher(log2_n=10)):
        encoded = hasher.hash(PASSWORD)
        assert PASSWORD not in encoded
        assert PASSWORD not in repr(hasher)
        assert "Hasher(" in repr(hasher)
