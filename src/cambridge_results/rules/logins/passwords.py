"""Rules for passwords people choose: at registration and at a reset (LOG-05, LOG-06).

Per OWASP ASVS 5.0 (docs/security.md): at least
``policy.min_chosen_password_length`` characters (15 by default; ASVS 6.2.1
allows 8 and strongly recommends 15), at most ``policy.max_password_length``
(64 to 128, 6.2.9), any composition (6.2.5: no "one digit, one capital"
rules), no context-specific words (6.2.11) and nothing from the caller's
list of common or breached passwords (6.2.4, 6.2.12).  Length counts Unicode
code points; nothing is trimmed or normalised (6.2.8).  Reasons never repeat
the password.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import CHOSEN_PASSWORD_FLOOR, LoginPolicy

__all__ = ["ABSOLUTE_MIN_LENGTH", "check_chosen_password"]

#: ASVS 5.0 6.2.1: no policy may accept chosen passwords shorter than this.
ABSOLUTE_MIN_LENGTH = CHOSEN_PASSWORD_FLOOR
#: Context words shorter than this are too common inside passwords to refuse.
_MIN_WORD = 4


def check_chosen_password(
    password: object,
    policy: LoginPolicy,
    *,
    rule: str = "LOG-06",
    context_words: Iterable[str] = (),
    denylist: Container[str] = frozenset(),
) -> Decision:
    """Every reason ``password`` may not be chosen, at once (``rule`` names the flow).

    ``context_words`` are added to ``policy.context_words`` (an email's local
    part, a candidate ID); a word of 4 or more characters found anywhere in
    the password, ignoring case, refuses it.  ``denylist`` holds common or
    breached passwords in lower case; the password is looked up lower-cased.
    """
    # A caller's mistake, not the user's: raised, unlike the refusals below.
    extra = _text_words(context_words)
    if not isinstance(password, str):
        return Decision.refuse(f"{rule}.password-not-text", "the password must be text")
    reasons: list[Reason] = []

    def refuse(slug: str, message: str) -> None:
        reasons.append(Reason(code=f"{rule}.{slug}", message=message))

    if len(password) < policy.min_chosen_password_length:
        refuse(
            "password-too-short",
            f"the password must have at least {policy.min_chosen_password_length} characters",
        )
    if len(password) > policy.max_password_length:
        refuse(
            "password-too-long",
            f"the password must have at most {policy.max_password_length} characters",
        )
        # A huge input is not scanned further: the answer is already no.
        return Decision(reasons=tuple(reasons))
    if "\x00" in password or not _encodable(password):
        refuse(
            "password-invalid-character", "the password contains a character that cannot be used"
        )
    folded = password.casefold()
    words = {w.casefold() for w in (*policy.context_words, *extra) if len(w) >= _MIN_WORD}
    if any(w in folded for w in words):
        refuse(
            "password-context-word",
            "the password must not contain the site's name, your username or your ID",
        )
    if password.lower() in denylist:
        refuse("password-common", "the password is too common; choose another")
    return Decision(reasons=tuple(reasons))


def _text_words(words: object) -> tuple[str, ...]:
    if isinstance(words, str | bytes) or not isinstance(words, Iterable):
        raise InvalidValue("context_words", "must be a list of words, not one text")
    found = tuple(words)
    if not all(isinstance(w, str) for w in found):
        raise InvalidValue("context_words", "every context word must be text")
    return found


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
