"""Candidate registration with the letter's ID and Secret Number (LOG-06).

A candidate registers with the ID and Secret Number printed on their
letter, plus an email address and a password of their choice.  This module
checks the form, reporting every problem at once; whether the Secret Number
matches is the flow's business (it is a secret, verified by the password
hasher under the lockout: :mod:`cambridge_results.logins.registration`).

**Decision** (SPEC is silent on the formats): an ID is 4 to 20 ASCII
letters and digits, compared in upper case; a Secret Number is 4 to 12
ASCII digits.  Neither is trimmed.
"""

from __future__ import annotations

import re
from collections.abc import Container

from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.passwords import check_chosen_password
from cambridge_results.values import validate_email

__all__ = ["check_candidate_registration", "normalise_candidate_id"]

_ID = re.compile(r"[A-Za-z0-9]{4,20}", re.ASCII)
_SECRET = re.compile(r"[0-9]{4,12}", re.ASCII)


def normalise_candidate_id(candidate_id: str) -> str:
    """The form IDs are compared in: upper case (LOG-06)."""
    return candidate_id.upper()


def check_candidate_registration(
    *,
    candidate_id: object,
    secret_number: object,
    email: object,
    password: object,
    policy: LoginPolicy,
    denylist: Container[str] = frozenset(),
) -> Decision:
    """Every problem with a registration form, at once (LOG-06); no field is repeated back."""
    reasons: list[Reason] = []
    id_ok = isinstance(candidate_id, str) and _ID.fullmatch(candidate_id) is not None
    if not id_ok:
        reasons.append(
            Reason(
                code="LOG-06.candidate-id-invalid",
                message="the ID is the 4 to 20 letters and digits printed on your letter",
            )
        )
    if not (isinstance(secret_number, str) and _SECRET.fullmatch(secret_number)):
        reasons.append(
            Reason(
                code="LOG-06.secret-number-invalid",
                message="the Secret Number is the 4 to 12 digits printed on your letter",
            )
        )
    local_part = ""
    try:
        local_part = validate_email(email, "email", rule="LOG-06").split("@", 1)[0]
    except InvalidValue:
        reasons.append(
            Reason(
                code="LOG-06.email-invalid", message="enter an email address like name@example.org"
            )
        )
    context = [w for w in (candidate_id if id_ok else "", local_part) if isinstance(w, str) and w]
    chosen = check_chosen_password(
        password, policy, rule="LOG-06", context_words=context, denylist=denylist
    )
    return Decision(reasons=(*reasons, *chosen.reasons))
