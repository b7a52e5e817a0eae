"""What a login attempt may look like, and registering one identity on several sites.

LOG-01: passwords compare exactly (no trimming, no case folding, no Unicode
normalisation), except the password printed on a candidate's letter, which
may be typed in any case, with or without its grouping
(:func:`letter_password`); usernames that are email addresses compare
case-insensitively.  Malformed input (empty, NUL, a lone surrogate, longer
than the cap) is refused with the same generic answer as a wrong password
and is *not* a failure for the lockout (LOG-02).

LOG-04: an identity (an email address) registered on one of the board's
sites has one password on all of them; registering it on another site with
a different password fails with "Incorrect Login Details".
"""

from __future__ import annotations

import enum
import re
import unicodedata
from typing import TypeGuard

import attrs

from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import LoginPolicy
from cambridge_results.values import normalise_email

__all__ = [
    "CANDIDATE_USERNAME",
    "GENERIC_MESSAGE",
    "MAX_USERNAME_LENGTH",
    "MIN_PASSWORD_CAP",
    "PASSWORD_CAP_CEILING",
    "IdentityAction",
    "IdentityPlan",
    "candidate_username",
    "check_login_input",
    "incorrect_login_details",
    "letter_password",
    "normalise_username",
    "plan_identity_registration",
    "well_formed_username",
]

#: The one answer for a wrong password, an unknown username and malformed input.
GENERIC_MESSAGE = "Incorrect Login Details"
#: The longest username heard (an email address is at most 254 characters).
MAX_USERNAME_LENGTH = 254
#: SPEC section 5: the password cap accepts at least 64 and at most 128 characters.
MIN_PASSWORD_CAP = 64
PASSWORD_CAP_CEILING = 128
_ALLOWED = Decision.allow()


#: A generated candidate username in its canonical form (CRW-12): two groups of
#: five lower-case letters and digits without look-alikes, joined by a hyphen.
CANDIDATE_USERNAME = re.compile(r"[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}", re.ASCII)


def candidate_username(text: str) -> str | None:
    """The canonical form of a generated candidate username as a person typed it, or ``None``.

    The one normalisation shared by generation and login (CRW-12, LOG-01):
    any case, with or without the hyphen (``K7MQ4XTW9P`` is ``k7mq4-xtw9p``).
    Nothing is trimmed, so text with a space is not a candidate username.
    """
    if not isinstance(text, str) or not text.isascii():
        return None
    folded = text.lower()
    if len(folded) == 10:
        folded = f"{folded[:5]}-{folded[5:]}"
    return folded if CANDIDATE_USERNAME.fullmatch(folded) is not None else None


def letter_password(typed: str) -> str:
    """A letter's password as a candidate typed it, in the form its hash was made of (CRW-12).

    Letters print the password in groups separated by spaces; the hash is of
    the lower-case password without them (:data:`cambridge_results.credentials.ALPHABET`
    has no upper case).  So spaces and hyphens are dropped and the rest folded
    to lower case: ``"K7MQ 4XTW 9PAB"``, ``"k7mq-4xtw-9pab"`` and
    ``"k7mq4xtw9pab"`` are one password.  Only for the password printed on a
    letter: a password a person chose compares exactly (LOG-01).
    """
    return typed.replace(" ", "").replace("-", "").lower()


def normalise_username(username: str) -> str:
    """The form usernames are compared and counted in (LOG-01, LOG-02).

    Email addresses compare case-insensitively; generated candidate
    usernames (CRW-12) in the canonical form of :func:`candidate_username`,
    which generation stores; any other username exactly as typed.  Nothing
    is trimmed: ``"a@b.org "`` is another username than ``"a@b.org"``.
    """
    if "@" in username:
        return normalise_email(username)
    return candidate_username(username) or username


def incorrect_login_details(code: str = "LOG-01.incorrect-login-details") -> Decision:
    """The generic refusal: the same words whatever went wrong (LOG-01, LOG-02)."""
    return Decision(reasons=(Reason(code=code, message=GENERIC_MESSAGE),))


def _well_formed(text: object, cap: int, *, controls_allowed: bool) -> bool:
    if not isinstance(text, str) or not text or len(text) > cap:
        return False
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot be hashed or stored
        return False
    if controls_allowed:
        return True
    if text.isascii():  # ASCII's only control or format characters are Cc, not printable
        return text.isprintable()
    return not any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in text)


def well_formed_username(username: object) -> TypeGuard[str]:
    """True when ``username`` is fit to look up and record (LOG-01).

    Text of 1 to :data:`MAX_USERNAME_LENGTH` characters, without NUL, lone
    surrogates, control or format characters.
    """
    return _well_formed(username, MAX_USERNAME_LENGTH, controls_allowed=False)


def check_login_input(username: object, password: object, policy: LoginPolicy) -> Decision:
    """Refuse malformed input with the generic answer, before any hasher (LOG-01).

    Malformed: not text, empty, containing NUL or a lone surrogate, or
    longer than the cap (``policy.max_password_length`` for passwords,
    :data:`MAX_USERNAME_LENGTH` for usernames, which also refuse control and
    format characters).  Such an attempt is not a failure (LOG-02).  The
    reason never repeats what was typed.
    """
    ok = _well_formed(username, MAX_USERNAME_LENGTH, controls_allowed=False) and _well_formed(
        password, policy.max_password_length, controls_allowed=True
    )
    return _ALLOWED if ok else incorrect_login_details("LOG-01.malformed-input")


class IdentityAction(enum.Enum):
    """What registering an identity on a site does (LOG-04)."""

    #: A new identity, with the password chosen now.
    CREATE = "create"
    #: A known identity and its own password: it is registered on this site too.
    ADD_SITE = "add-site"
    #: Already registered on this site with this password: nothing changes.
    NOTHING = "nothing"


@attrs.frozen(kw_only=True)
class IdentityPlan:
    """The answer of :func:`plan_identity_registration`: allowed with an action, or refused."""

    decision: Decision
    action: IdentityAction | None


def plan_identity_registration(
    *, site: str, registered_sites: frozenset[str] | None, password_matches: bool | None
) -> IdentityPlan:
    """Register an identity on ``site`` (LOG-04).

    ``registered_sites`` is ``None`` when the identity is new, and then
    ``password_matches`` must be ``None`` too (there is nothing to compare
    with); for a known identity it says whether the password given matches
    the identity's one password.  A different password is refused with
    "Incorrect Login Details" and the caller counts it as a failed login
    (LOG-02): otherwise registration would be a way round the lockout.
    """
    if registered_sites is None:
        if password_matches is not None:
            raise InvalidValue("password_matches", "must be None for a new identity", rule="LOG-04")
        return IdentityPlan(decision=Decision.allow(), action=IdentityAction.CREATE)
    if password_matches is None:
        raise InvalidValue(
            "password_matches", "must be True or False for a known identity", rule="LOG-04"
        )
    if not password_matches:
        return IdentityPlan(
            decision=incorrect_login_details("LOG-04.incorrect-login-details"), action=None
        )
    action = IdentityAction.NOTHING if site in registered_sites else IdentityAction.ADD_SITE
    return IdentityPlan(decision=Decision.allow(), action=action)
