"""Logins: log in with lockout, change and reset passwords, register (LOG-01..LOG-06).

:class:`Logins` is the one application object; its methods take request
values (:mod:`cambridge_results.logins.requests`) or, for board staff's
operations, the acting principal.  It reads and writes through
:class:`~cambridge_results.logins.repositories.LoginRepositories` over the
unit of work, every write through ``context.write``.
"""

from cambridge_results.logins.application import Logins
from cambridge_results.logins.outbox import InMemoryOutbox, Outbox, OutgoingEmail, SmtpOutbox
from cambridge_results.logins.records import (
    AccountRecord,
    AttemptOutcome,
    CandidateRegistrationResult,
    IdentityRecord,
    IdentityResult,
    LetterRecord,
    LoginAttempt,
    LoginResult,
)
from cambridge_results.logins.registration import lockout_key
from cambridge_results.logins.repositories import LoginRepositories
from cambridge_results.logins.requests import (
    CandidateRegistrationRequest,
    IdentityRegistrationRequest,
    LoginRequest,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    ResetBy,
)
from cambridge_results.logins.resets import RESET_REQUESTED_MESSAGE
from cambridge_results.logins.tokens import ResetToken, new_reset_token

__all__ = [
    "RESET_REQUESTED_MESSAGE",
    "AccountRecord",
    "AttemptOutcome",
    "CandidateRegistrationRequest",
    "CandidateRegistrationResult",
    "IdentityRecord",
    "IdentityRegistrationRequest",
    "IdentityResult",
    "InMemoryOutbox",
    "LetterRecord",
    "LoginAttempt",
    "LoginRepositories",
    "LoginRequest",
    "LoginResult",
    "Logins",
    "Outbox",
    "OutgoingEmail",
    "PasswordChange",
    "PasswordReset",
    "PasswordResetRequest",
    "ResetBy",
    "ResetToken",
    "SmtpOutbox",
    "lockout_key",
    "new_reset_token",
]
