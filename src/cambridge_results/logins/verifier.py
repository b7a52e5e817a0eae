"""Verifying a secret with the same hasher work for unknown keys (LOG-02).

Shared by every flow that checks a secret (:mod:`cambridge_results.logins.guard`
puts it behind the lockout), so none tells known keys from unknown ones by
hasher work.
"""

from __future__ import annotations

import secrets

from cambridge_results.hashing import PasswordHasher

__all__ = ["Verifier"]

#: Shapes of hash whose needs_rehash answer is kept, at most.
_SHAPES = 64


class Verifier:
    """The current hasher, older ones still accepted, and a dummy hash made once.

    An unknown key, or a stored hash no hasher here understands, is verified
    against the dummy hash, so every attempt that passes the lockout costs
    exactly one hasher verification (LOG-02: no account enumeration).
    """

    def __init__(self, hasher: PasswordHasher, legacy: tuple[PasswordHasher, ...] = ()) -> None:
        self.hasher = hasher
        self._all = (hasher, *legacy)
        # The dummy's own text is thrown away: nothing can ever match it on purpose.
        self._dummy = hasher.hash(secrets.token_urlsafe(32))
        #: needs_rehash's answer per shape of hash (bounded by _SHAPES).
        self._rehash: dict[tuple[str, int, int], bool] = {}

    def verify(self, encoded: str | None, secret: str) -> bool:
        """True when ``secret`` matches ``encoded``; one hasher verification either way."""
        if encoded is not None:
            for hasher in self._all:
                if hasher.handles(encoded):
                    return hasher.verify(encoded, secret)
        self.hasher.verify(self._dummy, secret)
        return False

    def needs_rehash(self, encoded: str) -> bool:
        """True when ``encoded`` should be replaced by a hash from the current hasher.

        Decided once per shape of hash: a PHC string (``$id$v=..$params$salt$hash``)
        with its salt and hash taken out, and their lengths (argon2 compares
        both), not parsed again on every login.
        """
        head, dollar, tail = encoded.rpartition("$")
        head, _, salt = head.rpartition("$")
        if not dollar or head.count("$") < 2:  # not a PHC string with salt and hash
            return self.hasher.needs_rehash(encoded)
        shape = (head, len(salt), len(tail))
        known = self._rehash.get(shape)
        if known is None:
            if len(self._rehash) >= _SHAPES:
                self._rehash.clear()
            known = self._rehash[shape] = self.hasher.needs_rehash(encoded)
        return known

    def __repr__(self) -> str:
        return f"Verifier({self.hasher!r})"
