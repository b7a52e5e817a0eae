"""No password, Secret Number or reset token in logs, exceptions, repr() or serialised output.

Every flow runs with logging at DEBUG; then everything it could have leaked
through is searched for every secret used (SPEC section 5, ASVS 16.2.5).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator

import pytest
from logins_support import USERNAME, make_world

from cambridge_results.errors import CambridgeResultsError
from cambridge_results.logins.identity import IdentityRecord, IdentityRegistration
from cambridge_results.logins.memory import (
    InMemoryIdentities,
    InMemoryLetters,
    InMemoryResetTokens,
)
from cambridge_results.logins.outbox import InMemoryOutbox
from cambridge_results.logins.registration import CandidateRegistration, LetterRecord
from cambridge_results.logins.reset import PasswordResets
from cambridge_results.serialization import unstructure

PASSWORD = "Zq9-leakcheck-ORIGINAL-pass"
WRONG = "Zq9-leakcheck-WRONG-guess"
MALFORMED = "Zq9-leakcheck-\x00-malformed"
NEW_PASSWORD = "Zq9-leakcheck-NEW-passphrase"
SHORT_NEW = "Zq9-short"
SECRET_NUMBER = "58302917"
WRONG_SECRET = "11223344"


def everything(obj: object) -> Iterator[str]:
    """repr, str and JSON of an object (JSON where the converter can make it)."""
    yield repr(obj)
    yield str(obj)
    with contextlib.suppress(Exception):  # not every object serialises; repr covers it
        yield json.dumps(unstructure(obj), default=str)


def test_no_flow_leaks_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    """SPEC section 5: run every flow at DEBUG and search every output for every secret."""
    caplog.set_level(logging.DEBUG)
    w = make_world()
    w.add_account(USERNAME, PASSWORD)
    outputs: list[object] = []
    errors: list[BaseException] = []

    def collect(result: object) -> None:
        outputs.append(result)
        decision = getattr(result, "decision", result)
        try:
            decision.raise_if_refused()  # type: ignore[attr-defined]
        except CambridgeResultsError as exc:
            errors.append(exc)

    # Logins: success, wrong, malformed, unknown, locked.
    collect(w.log_in(USERNAME, PASSWORD))
    collect(w.log_in("nobody@example.org", WRONG))
    collect(w.log_in(USERNAME, MALFORMED))
    for _ in range(3):
        collect(w.log_in(USERNAME, WRONG))
    collect(w.log_in(USERNAME, PASSWORD))
    w.clock.advance(minutes=30)

    # Resets: request, a refused new password, completion, reuse.
    outbox = InMemoryOutbox()
    tokens = InMemoryResetTokens()
    resets = PasswordResets(
        accounts=w.accounts,
        accounts_by_id=w.accounts,
        passwords=w.accounts,
        tokens=tokens,
        outbox=outbox,
        hasher=w.hasher,
        policy=w.policy.login,
        clock=w.clock,
        link=lambda t: f"https://results.example.org/reset?token={t}",
        lockout=w.lockout,
    )
    resets.request(USERNAME)
    resets.request("nobody@example.org")
    match = re.search(r"token=([A-Za-z0-9_-]+)", outbox.messages[0].body)
    assert match is not None
    token = match.group(1)
    collect(resets.complete(token, SHORT_NEW))
    collect(resets.complete(token, NEW_PASSWORD))
    collect(resets.complete(token, NEW_PASSWORD))
    outputs.extend([*tokens.records(), outbox, tokens, resets])
    # The reset email is the one place the token exists (like the letter for passwords):
    # its body is the message itself, so only its repr and str are searched.
    reprs = [f"{m!r} {m!s}" for m in outbox.messages]

    # Identity registration (LOG-04) and candidate registration (LOG-06).
    identities = InMemoryIdentities()
    identities.put(
        IdentityRecord(email="t@school.example", password_hash=w.hasher.inner.hash(PASSWORD))
    )
    identity = IdentityRegistration(
        identities=identities,
        lockout=w.lockout,
        hasher=w.hasher,
        policy=w.policy.login,
        clock=w.clock,
        attempts=w.attempts,
    )
    collect(identity.register("t@school.example", WRONG, "prep"))
    collect(identity.register("t@school.example", PASSWORD, "prep"))
    collect(identity.register("new@school.example", NEW_PASSWORD, "prep"))
    collect(identity.register("new2@school.example", SHORT_NEW, "prep"))
    letters = InMemoryLetters()
    letters.put(
        LetterRecord(candidate_id="C7654321", secret_hash=w.hasher.inner.hash(SECRET_NUMBER))
    )
    registration = CandidateRegistration(
        letters=letters,
        lockout=w.lockout,
        hasher=w.hasher,
        policy=w.policy.login,
        clock=w.clock,
        attempts=w.attempts,
    )
    for secret in (WRONG_SECRET, SECRET_NUMBER):
        collect(
            registration.register(
                candidate_id="C7654321",
                secret_number=secret,
                email="kim@mail.example",
                password=NEW_PASSWORD,
            )
        )
    collect(
        registration.register(
            candidate_id="C7654321", secret_number="12x", email="x", password=SHORT_NEW
        )
    )
    outputs.extend(
        [
            *w.attempts.attempts,
            w.state(USERNAME.lower()),
            w.accounts,
            w.lockout,
            w.attempts,
            w.service,
            identity,
            registration,
            letters,
            identities,
            *[w.accounts.find_account(USERNAME.lower())],
        ]
    )

    haystack = [caplog.text, *reprs]
    haystack += [record.getMessage() for record in caplog.records]
    haystack += [repr(record.args) for record in caplog.records]
    for exc in errors:
        haystack += [str(exc), repr(exc), repr(exc.args)]
    for obj in outputs:
        haystack += list(everything(obj))
    assert caplog.records, "the flows log their events"
    assert errors, "refusals were turned into exceptions and searched"
    secrets = [
        PASSWORD,
        WRONG,
        MALFORMED,
        NEW_PASSWORD,
        SHORT_NEW,
        SECRET_NUMBER,
        WRONG_SECRET,
        token,
    ]
    text = "\n".join(haystack)
    for secret in secrets:
        assert secret not in text, f"a secret of length {len(secret)} leaked"
