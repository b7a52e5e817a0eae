"""Password hashers: self-describing, salted, slow hashes (CRW-12, LOG-01, SPEC section 5).

The default is argon2id at the OWASP ASVS 5.0 floor (m=19 MiB, t=2, p=1),
through argon2-cffi.  scrypt at its floor (N=2**17, r=8, p=1) is the
standard-library alternative.  ``test-cheap`` is argon2id at its smallest
parameters, for test suites only: :func:`hasher_for` refuses it unless the
policy names it in ``credentials.allowed_test_hashers``.

Every stored hash names its algorithm and parameters, so parameters can be
raised later and old hashes upgraded at the next successful login
(:meth:`PasswordHasher.needs_rehash`).  Hashers never log, keep or repr a
password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Protocol, runtime_checkable

import argon2

from cambridge_results.errors import PolicyError
from cambridge_results.policy import CredentialPolicy

__all__ = [
    "TEST_HASHERS",
    "Argon2idHasher",
    "PasswordHasher",
    "ScryptHasher",
    "hasher_for",
    "verify_password",
]


@runtime_checkable
class PasswordHasher(Protocol):
    """Hashes and verifies passwords; the encoded hash describes itself."""

    #: The registry name: ``"argon2id"``, ``"scrypt"`` or ``"test-cheap"``.
    name: str

    def hash(self, password: str) -> str:
        """A new salted hash of ``password``."""
        ...

    def verify(self, encoded: str, password: str) -> bool:
        """True when ``password`` matches ``encoded``; compares in constant time."""
        ...

    def handles(self, encoded: str) -> bool:
        """True when ``encoded`` was written by this algorithm (any parameters)."""
        ...

    def needs_rehash(self, encoded: str) -> bool:
        """True when ``encoded`` uses other parameters than this hasher's."""
        ...


class Argon2idHasher:
    """argon2id through argon2-cffi; defaults are the ASVS 5.0 / OWASP floor."""

    def __init__(
        self,
        *,
        memory_kib: int = 19456,
        time_cost: int = 2,
        parallelism: int = 1,
        name: str = "argon2id",
    ) -> None:
        self.name = name
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )

    @property
    def memory_kib(self) -> int:
        """The memory a hash takes, in KiB."""
        return int(self._hasher.memory_cost)

    def hash(self, password: str) -> str:
        """A new salted argon2id hash."""
        return self._hasher.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        """True on a match; a malformed hash or a mismatch is False."""
        try:
            return self._hasher.verify(encoded, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def handles(self, encoded: str) -> bool:
        """True for ``$argon2id$`` hashes."""
        return encoded.startswith("$argon2id$")

    def needs_rehash(self, encoded: str) -> bool:
        """True for a hash of another algorithm or with other parameters."""
        if not self.handles(encoded):
            return True
        try:
            return self._hasher.check_needs_rehash(encoded)
        except argon2.exceptions.InvalidHashError:
            return True

    def __repr__(self) -> str:
        h = self._hasher
        return f"Argon2idHasher(m={h.memory_cost}, t={h.time_cost}, p={h.parallelism})"


_SCRYPT = re.compile(
    r"\$scrypt\$ln=([0-9]+),r=([0-9]+),p=([0-9]+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)"
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


class ScryptHasher:
    """scrypt from the standard library, as ``$scrypt$ln=17,r=8,p=1$salt$hash``."""

    name = "scrypt"

    def __init__(self, *, log2_n: int = 17, r: int = 8, p: int = 1) -> None:
        self._params = (log2_n, r, p)

    def _derive(self, password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
        n = 1 << log2_n
        return hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r * p, dklen=32
        )

    def hash(self, password: str) -> str:
        """A new salted scrypt hash."""
        log2_n, r, p = self._params
        salt = secrets.token_bytes(16)
        digest = self._derive(password, salt, log2_n, r, p)
        return f"$scrypt$ln={log2_n},r={r},p={p}${_b64(salt)}${_b64(digest)}"

    def verify(self, encoded: str, password: str) -> bool:
        """True on a match, compared with :func:`hmac.compare_digest`."""
        m = _SCRYPT.fullmatch(encoded)
        if m is None:
            return False
        log2_n, r, p = (int(m.group(i)) for i in (1, 2, 3))
        if not (1 <= log2_n <= 24 and 1 <= r <= 64 and 1 <= p <= 16):
            return False
        digest = self._derive(password, _unb64(m.group(4)), log2_n, r, p)
        return hmac.compare_digest(digest, _unb64(m.group(5)))

    def handles(self, encoded: str) -> bool:
        """True for ``$scrypt$`` hashes."""
        return encoded.startswith("$scrypt$")

    def needs_rehash(self, encoded: str) -> bool:
        """True for a hash of another algorithm or with other parameters."""
        m = _SCRYPT.fullmatch(encoded)
        return m is None or tuple(int(m.group(i)) for i in (1, 2, 3)) != self._params

    def __repr__(self) -> str:
        return "ScryptHasher(ln={}, r={}, p={})".format(*self._params)


#: Hashers that are fast because they are weak; only for test suites.
TEST_HASHERS = frozenset({"test-cheap"})


def hasher_for(policy: CredentialPolicy, name: str | None = None) -> PasswordHasher:
    """The hasher a policy asks for, or the one named; cheap ones only if the policy allows.

    Raises :class:`PolicyError` (rule CRW-12) for an unknown name or a test
    hasher the policy does not allow.
    """
    wanted = name or policy.hasher
    if wanted in TEST_HASHERS and wanted not in policy.allowed_test_hashers:
        raise PolicyError(
            f"hasher {wanted!r} is for tests only; the policy must list it in "
            "credentials.allowed_test_hashers",
            rule="CRW-12",
        )
    if wanted == "argon2id":
        return Argon2idHasher(
            memory_kib=policy.argon2_memory_kib,
            time_cost=policy.argon2_time_cost,
            parallelism=policy.argon2_parallelism,
        )
    if wanted == "scrypt":
        return ScryptHasher()
    if wanted == "test-cheap":
        return Argon2idHasher(memory_kib=8, time_cost=1, parallelism=1, name="test-cheap")
    raise PolicyError(
        f"unknown hasher {wanted!r}; choose argon2id, scrypt or a test hasher", rule="CRW-12"
    )


def verify_password(encoded: str, password: str, hashers: tuple[PasswordHasher, ...]) -> bool:
    """Verify with whichever of ``hashers`` wrote ``encoded``; False if none did."""
    for hasher in hashers:
        if hasher.handles(encoded):
            return hasher.verify(encoded, password)
    return False
