"""Login flows over small injected ports: login, lockout, resets, registration (LOG-01..LOG-06).

The flows apply the pure rules in :mod:`cambridge_results.rules` and talk to
the world only through the protocols in :mod:`cambridge_results.logins.ports`,
so storage can implement them; :mod:`cambridge_results.logins.memory` does so
in memory for tests, :mod:`cambridge_results.logins.stored` over any storage
backend (``StoredLogins(open_store(url, migrations=SCHEMA))``).
"""

from cambridge_results.logins.identity import IdentityRegistration, IdentityResult
from cambridge_results.logins.login import LoginResult, LoginService
from cambridge_results.logins.outbox import InMemoryOutbox, Outbox, OutgoingEmail, SmtpOutbox
from cambridge_results.logins.ports import (
    AccountLookup,
    AccountRecord,
    AttemptLog,
    AttemptOutcome,
    LockoutCounter,
    LoginAttempt,
    PasswordStore,
    ResetTokenStore,
)
from cambridge_results.logins.registration import CandidateRegistration, CandidateRegistrationResult
from cambridge_results.logins.reset import PasswordResets
from cambridge_results.logins.tokens import ResetToken, new_reset_token

__all__ = [
    "AccountLookup",
    "AccountRecord",
    "AttemptLog",
    "AttemptOutcome",
    "CandidateRegistration",
    "CandidateRegistrationResult",
    "IdentityRegistration",
    "IdentityResult",
    "InMemoryOutbox",
    "LockoutCounter",
    "LoginAttempt",
    "LoginResult",
    "LoginService",
    "Outbox",
    "OutgoingEmail",
    "PasswordResets",
    "PasswordStore",
    "ResetToken",
    "ResetTokenStore",
    "SmtpOutbox",
    "new_reset_token",
]
