"""Generated candidate credentials: usernames, passwords and the :class:`Secret` they travel in.

Rule CRW-12: passwords come from :mod:`secrets` only, at least 12
characters from an alphabet without look-alikes, about 59 bits; they are
stored only as a slow, salted, self-describing hash
(:mod:`cambridge_results.hashing`).  Rule CRW-13: the letter is the only
place a plaintext password ever exists, so a password lives in a
:class:`Secret` that never shows itself in ``repr()``, ``str()``, f-strings,
pickles or the library's cattrs converter; only :meth:`Secret.reveal`
gives it up, and only the letter renderer calls that.

Usernames are random too (not derived from the candidate number), from the
same alphabet, lower case, in two groups of five: ``k7mq4-xtw9p``.  They are
unique across the board through the store's unique index; a clash (one
in 8 x 10**14 per pair of usernames) is retried by the caller.
"""

from __future__ import annotations

import hmac
import math
import secrets
from typing import Any, NoReturn, final

import attrs

from cambridge_results.errors import CambridgeResultsError, InvalidValue, PolicyError
from cambridge_results.hashing import PasswordHasher
from cambridge_results.policy import CredentialPolicy
from cambridge_results.rules.logins.login import candidate_username
from cambridge_results.serialization import converter

__all__ = [
    "ALPHABET",
    "MIN_PASSWORD_LENGTH",
    "USERNAME_GROUPS",
    "IssuedCredential",
    "Secret",
    "SecretNotSerialisable",
    "issue_credential",
    "new_password",
    "new_username",
    "normalise_username",
    "password_bits",
    "readable_groups",
]

#: Lower-case letters and digits without look-alikes: no 0/o, 1/l/i (and no
#: upper case at all, so no O or I).  31 characters, 4.95 bits each.  The
#: letter prints them in a monospaced face (Noto Sans Mono), where the
#: remaining near pairs of proportional faces (v/w, rn/m) are told apart by
#: width, and in groups (:func:`readable_groups`).
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
#: CRW-12: at least 12 characters (12 x 4.95 = 59.5 bits).
MIN_PASSWORD_LENGTH = 12
#: A username is two groups of five alphabet characters joined by a hyphen.
USERNAME_GROUPS = (5, 5)
_MASK = "Secret('********')"


class SecretNotSerialisable(CambridgeResultsError):
    """Something tried to serialise a plaintext secret (CRW-13)."""

    rule = "CRW-13"


@final
class Secret:
    """A plaintext password or token that never shows itself (CRW-13, SPEC section 5).

    ``repr``, ``str`` and formatting print a mask; pickling and the
    library's converter refuse it; equality compares in constant time.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise InvalidValue("secret", f"must be text, not {type(value).__name__}")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """The plaintext; call it only where the plaintext is meant to go (the letter)."""
        value: str = object.__getattribute__(self, "_value")
        return value

    def __repr__(self) -> str:
        return _MASK

    def __str__(self) -> str:
        return _MASK

    def __format__(self, spec: str) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self.reveal().encode("utf-8"), other.reveal().encode("utf-8"))

    __hash__ = None  # type: ignore[assignment]  # equal secrets must not leak through hashing

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("a Secret cannot be changed")

    def __reduce__(self) -> NoReturn:
        raise SecretNotSerialisable("a plaintext secret cannot be pickled")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self


def _refuse_unstructure(_: Secret) -> NoReturn:
    raise SecretNotSerialisable("a plaintext secret is never serialised; store its hash")


converter.register_unstructure_hook(Secret, _refuse_unstructure)


def new_username() -> str:
    """A random username like ``k7mq4-xtw9p`` (49.5 bits), from :mod:`secrets` (CRW-12)."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(size)) for size in USERNAME_GROUPS
    )


def normalise_username(text: str) -> str:
    """A generated username as typed by a person, in its canonical form.

    Generated usernames are lower case, so upper case is accepted and
    folded; the hyphen may be left out.  White space is never trimmed
    (LOG-01): anything else is :class:`InvalidValue`.  The same function
    as the login's (:func:`cambridge_results.rules.logins.login.candidate_username`),
    so generation stores the key a login counts and looks up (LOG-02).
    """
    folded = candidate_username(text)
    if folded is None:
        raise InvalidValue("username", "must be a username like k7mq4-xtw9p", rule="CRW-12")
    return folded


def new_password(length: int = MIN_PASSWORD_LENGTH) -> Secret:
    """A random password of ``length`` characters of :data:`ALPHABET`, from :mod:`secrets`."""
    if isinstance(length, bool) or not isinstance(length, int) or length < MIN_PASSWORD_LENGTH:
        raise PolicyError(
            f"generated passwords have at least {MIN_PASSWORD_LENGTH} characters", rule="CRW-12"
        )
    return Secret("".join(secrets.choice(ALPHABET) for _ in range(length)))


def readable_groups(text: str, size: int = 4) -> str:
    """``text`` in space-separated groups for reading: ``abcd 2345 efgh``.

    As few groups as hold at most ``size`` characters each, as even as
    possible, longer ones first, so no group is a straggler: 12 characters
    read as 4 4 4, 13 as 4 3 3 3.  The spaces are for the eye only; the
    password is the characters without them.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 2:
        raise InvalidValue("size", "must be a whole number of at least 2")
    count = -(-len(text) // size)
    if count <= 1:
        return text
    short, extra = divmod(len(text), count)
    groups: list[str] = []
    start = 0
    for i in range(count):
        end = start + short + (1 if i < extra else 0)
        groups.append(text[start:end])
        start = end
    return " ".join(groups)


def password_bits(length: int) -> float:
    """The entropy in bits of a generated password of ``length`` characters."""
    return length * math.log2(len(ALPHABET))


@attrs.frozen(kw_only=True)
class IssuedCredential:
    """A new username and password: the plaintext for the letter, the hash for the store.

    The store keeps ``username`` and ``password_hash`` only (CRW-12); the
    ``password`` goes to the letter and nowhere else (CRW-13).
    """

    username: str
    password: Secret = attrs.field(repr=False)
    password_hash: str = attrs.field(repr=False)


def issue_credential(hasher: PasswordHasher, policy: CredentialPolicy) -> IssuedCredential:
    """A fresh username and password, the password hashed by ``hasher`` (CRW-12).

    Regenerating a candidate's credentials is issuing a new one: the old
    password is replaced when the store saves the new hash.
    """
    password = new_password(policy.password_length)
    return IssuedCredential(
        username=new_username(),
        password=password,
        password_hash=hasher.hash(password.reveal()),
    )
