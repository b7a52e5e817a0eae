"""Registering identities on sites (LOG-04) and candidates with their letters (LOG-06).

Registering an email address that already has an identity works only with
that identity's password; a different one fails with "Incorrect Login
Details" and counts as a failed login for that email (LOG-02).  A
candidate's Secret Number is a short secret, so it is kept as a slow
password hash (ASVS 5.0 6.5.2) and checked under the lockout, keyed by the
ID: three wrong Secret Numbers lock that ID for 30 minutes.  Every hash and
verification runs outside the write transactions.
"""

from __future__ import annotations

import secrets

from cambridge_results.decisions import Decision
from cambridge_results.errors import ConcurrencyError, DuplicateError, InvalidValue
from cambridge_results.logins.base import LoginsBase
from cambridge_results.logins.guard import SYSTEM_ACTOR, guarded_check, record_attempt
from cambridge_results.logins.records import (
    AccountRecord,
    AttemptOutcome,
    CandidateRegistrationResult,
    IdentityResult,
    LetterRecord,
    LoginAttempt,
)
from cambridge_results.logins.repositories import LoginRepositories
from cambridge_results.logins.requests import (
    CandidateRegistrationRequest,
    IdentityRegistrationRequest,
)
from cambridge_results.rules.logins.login import (
    check_login_input,
    incorrect_login_details,
    plan_identity_registration,
)
from cambridge_results.rules.logins.passwords import check_chosen_password
from cambridge_results.rules.logins.registration import (
    check_candidate_registration,
    normalise_candidate_id,
)
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import normalise_email, validate_email

__all__ = ["RegistrationFlows", "lockout_key"]

#: Times a registration is tried again when a concurrent one changed the identity meanwhile.
IDENTITY_ROUNDS = 3

ALREADY_REGISTERED = Decision.refuse(
    "LOG-06.already-registered",
    "this ID is already registered: log in, or use Forgotten password",
)
EMAIL_TAKEN = Decision.refuse(
    "LOG-06.email-taken",
    "an account with this email address exists: log in with it, or use another email address",
)
INCORRECT_DETAILS = Decision.refuse(
    "LOG-06.incorrect-registration-details",
    "the ID or the Secret Number is not correct; check your letter",
)


def lockout_key(candidate_id: str) -> str:
    """The lockout key of a registration ID, apart from every username (LOG-02, LOG-06)."""
    return f"candidate-id:{normalise_candidate_id(candidate_id)}"


class RegistrationFlows(LoginsBase):
    """The registration use cases of :class:`~cambridge_results.logins.Logins`."""

    def register_identity(self, request: IdentityRegistrationRequest) -> IdentityResult:
        """Register the request's email on its site (LOG-04); what is allowed is stored."""
        try:
            address = validate_email(request.email, "email", rule="LOG-04")
        except InvalidValue:
            return IdentityResult(
                decision=Decision.refuse(
                    "LOG-04.email-invalid", "enter an email address like name@example.org"
                )
            )
        key = normalise_email(address)
        for _ in range(IDENTITY_ROUNDS):
            existing = self._context.read(
                lambda uow: LoginRepositories(uow).identities.find(key), actor=SYSTEM_ACTOR
            )
            result = (
                self._create_identity(request, key)
                if existing is None
                else self._join_identity(request, key)
            )
            if result is not None:
                return result
        # Every round lost to a concurrent change of this identity: rare; ask again.
        return IdentityResult(decision=incorrect_login_details(), email=key)

    def _create_identity(
        self, request: IdentityRegistrationRequest, key: str
    ) -> IdentityResult | None:
        chosen = check_chosen_password(
            request.password,
            self._context.policy.login,
            rule="LOG-04",
            context_words=(key.split("@", 1)[0], request.site),
            denylist=self._denylist,
        )
        if not chosen.allowed:
            return IdentityResult(decision=chosen, email=key)
        plan = plan_identity_registration(
            site=request.site, registered_sites=None, password_matches=None
        )
        result = IdentityResult(
            decision=plan.decision,
            action=plan.action,
            email=key,
            password_hash=self._verifier.hasher.hash(request.password),
        )
        applied = self._context.write(
            lambda uow: LoginRepositories(uow).identities.apply(result, request.site),
            actor=SYSTEM_ACTOR,
        )
        return result if applied else None  # created meanwhile: join it instead

    def _join_identity(
        self, request: IdentityRegistrationRequest, key: str
    ) -> IdentityResult | None:
        if not check_login_input(key, request.password, self._context.policy.login).allowed:
            return IdentityResult(
                decision=incorrect_login_details("LOG-01.malformed-input"), email=key
            )
        now = self._context.now()
        guarded = guarded_check(
            self._context,
            self._verifier,
            key=key,
            secret=request.password,
            lookup=lambda repos: repos.identities.find(key),
            encoded=lambda identity: identity.password_hash,
            now=now,
        )
        attempt = LoginAttempt(
            at=now, username=key, outcome=guarded.outcome, flow="identity-registration"
        )
        result: IdentityResult | None = None
        if guarded.outcome is AttemptOutcome.LOCKED:
            # A locked key reads nothing, so there is nothing to plan with.
            result = IdentityResult(decision=guarded.lock, email=key, attempt=attempt)
        elif guarded.found is not None:
            plan = plan_identity_registration(
                site=request.site,
                registered_sites=guarded.found.sites,
                password_matches=guarded.outcome is AttemptOutcome.SUCCESS,
            )
            result = IdentityResult(
                decision=plan.decision, action=plan.action, email=key, attempt=attempt
            )
        # else the identity went away after the first read: record, then ask again (None).

        def finish(uow: UnitOfWork) -> bool:
            repos = LoginRepositories(uow)
            record_attempt(repos, attempt, key=key)
            if result is None:
                return False
            return not result.decision.allowed or repos.identities.apply(result, request.site)

        return result if self._context.write(finish, actor=SYSTEM_ACTOR) else None

    def register_candidate(
        self, request: CandidateRegistrationRequest
    ) -> CandidateRegistrationResult:
        """Register with a letter's ID and Secret Number (LOG-06, LOG-02); creates the account.

        The form is checked first (every reason at once), then the Secret
        Number under the ID's lockout.  One write uses up the letter and
        creates the account, or neither; refused with
        ``LOG-06.already-registered`` when the letter was used (by a
        simultaneous registration too) and ``LOG-06.email-taken`` when the
        email already names an account.
        """
        policy = self._context.policy.login
        form = check_candidate_registration(
            candidate_id=request.candidate_id,
            secret_number=request.secret_number,
            email=request.email,
            password=request.password,
            policy=policy,
            denylist=self._denylist,
        )
        if not form.allowed:
            return CandidateRegistrationResult(decision=form)
        now = self._context.now()
        cid = normalise_candidate_id(request.candidate_id)
        key = lockout_key(cid)
        guarded = guarded_check(
            self._context,
            self._verifier,
            key=key,
            secret=request.secret_number,
            lookup=lambda repos: repos.letters.find(cid),
            encoded=lambda letter: letter.secret_hash,
            now=now,
        )
        attempt = LoginAttempt(
            at=now, username=cid, outcome=guarded.outcome, flow="candidate-registration"
        )
        letter = guarded.found
        account: AccountRecord | None = None
        if guarded.outcome is AttemptOutcome.SUCCESS and letter is not None:
            email = normalise_email(request.email)
            account = AccountRecord(
                account_id=f"acct-{secrets.token_hex(10)}",
                username=email,
                password_hash=self._verifier.hasher.hash(request.password),
                email=email,
                candidate_id=cid,
            )

        def finish(uow: UnitOfWork) -> Decision:
            repos = LoginRepositories(uow)
            record_attempt(repos, attempt, key=key)
            if guarded.outcome is AttemptOutcome.LOCKED:
                return guarded.lock
            if account is None or letter is None:
                return INCORRECT_DETAILS
            return _create_candidate_account(repos, letter, account)

        decision = self._context.write(finish, actor=SYSTEM_ACTOR)
        return CandidateRegistrationResult(
            decision=decision,
            candidate_id=cid if guarded.outcome is AttemptOutcome.SUCCESS else None,
            account=account if decision.allowed else None,
            attempt=attempt,
        )


def _create_candidate_account(
    repos: LoginRepositories, letter: LetterRecord, account: AccountRecord
) -> Decision:
    current = repos.letters.find(letter.candidate_id)
    if current is None or current.registered:
        return ALREADY_REGISTERED
    if repos.accounts.find(account.username) is not None:
        return EMAIL_TAKEN
    try:
        if not repos.letters.mark_registered(letter.candidate_id):
            raise ConcurrencyError("login_letters: the letter was used meanwhile")
        repos.accounts.add(account)
    except DuplicateError:
        # A writer that committed after our reads took the email: run again, and see it.
        raise ConcurrencyError("login_accounts: the email was taken meanwhile") from None
    return Decision.allow()
