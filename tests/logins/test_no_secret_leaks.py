"""No password, Secret Number or reset token anywhere the login flows write (SPEC section 5).

Every flow of ``Logins`` runs with logging at DEBUG, on memory://, a real
SQLite file and PostgreSQL; then every log record, exception, ``repr``,
``str`` and serialised result and request, every row of every table of the
store (the event log's included) and, for SQLite, the database file's raw
bytes (WAL included) are searched for every secret used (ASVS 16.2.5).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from logins_support import STAFF, USERNAME, make_world

from cambridge_results.errors import CambridgeResultsError
from cambridge_results.logins import (
    CandidateRegistrationRequest,
    IdentityRecord,
    IdentityRegistrationRequest,
    LetterRecord,
    LoginRequest,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    ResetBy,
)
from cambridge_results.serialization import unstructure
from cambridge_results.storage import Store

PASSWORD = "Zq9-leakcheck-ORIGINAL-pass"
WRONG = "Zq9-leakcheck-WRONG-guess"
MALFORMED = "Zq9-leakcheck-\x00-malformed"
NEW_PASSWORD = "Zq9-leakcheck-NEW-passphrase"
CHANGED_PASSWORD = "Zq9-leakcheck-CHANGED-passphrase"
CANDIDATE_PASSWORD = "Zq9-leakcheck-PUPIL-pass"
IDENTITY_PASSWORD = "Zq9-leakcheck-IDENTITY-pass"
SHORT_NEW = "Zq9-short"
SECRET_NUMBER = "58302917"
WRONG_SECRET = "11223344"


def everything(obj: object) -> Iterator[str]:
    """repr, str and JSON of an object (JSON where the converter can make it)."""
    yield repr(obj)
    yield str(obj)
    with contextlib.suppress(Exception):  # not every object serialises; repr covers it
        yield json.dumps(unstructure(obj), default=str)


def every_row(store: Store) -> list[str]:
    """Every row of every table the store has (the event log's too), as text."""

    def scan(uow: object) -> list[str]:
        catalog = uow.catalog  # type: ignore[attr-defined]
        return [repr(row) for name in catalog for row in uow.select(name)]  # type: ignore[attr-defined]

    rows: list[str] = store.run(scan, actor="test:leak-scan", read_only=True)
    return rows


def raw_files(store: Store) -> bytes:
    """The SQLite database's files as bytes (nothing for other backends)."""
    if not store.url.startswith("sqlite:///"):
        return b""
    path = Path(store.url.removeprefix("sqlite:///"))
    parts = [p.read_bytes() for p in path.parent.glob(path.name + "*")]
    assert parts, "the database file was found"
    return b"".join(parts)


def test_no_flow_leaks_a_secret(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """SPEC section 5: run every flow at DEBUG, then search logs, objects, rows and files."""
    caplog.set_level(logging.DEBUG)
    w = make_world(store)
    w.add_account(USERNAME, PASSWORD)
    logins = w.logins
    outputs: list[object] = []
    requests: list[object] = []
    errors: list[BaseException] = []

    def collect(request: object, call: Callable[[], object]) -> object:
        """Keep the request and its answer, and the answer's refusal as an exception."""
        requests.append(request)
        result = call()
        outputs.append(result)
        decision = getattr(result, "decision", result)
        try:
            decision.raise_if_refused()  # type: ignore[attr-defined]
        except CambridgeResultsError as exc:
            errors.append(exc)
        return result

    def log_in(username: str, password: str) -> None:
        request = LoginRequest(username=username, password=password)
        collect(request, lambda: logins.log_in(request))

    def reset(token: str, password: str) -> None:
        request = PasswordReset(token=token, new_password=password)
        collect(request, lambda: logins.reset_password(request))

    # Logins: success, unknown, malformed, wrong, locked.
    log_in(USERNAME, PASSWORD)
    log_in("nobody@example.org", WRONG)
    log_in(USERNAME, MALFORMED)
    for _ in range(3):
        log_in(USERNAME, WRONG)
    log_in(USERNAME, PASSWORD)
    w.clock.advance(minutes=30)

    # Resets: two requests (the first link voided), an unknown one, a voided link, a refused
    # password, completion, reuse; then a signed-in change (wrong current password, refused
    # new one, accepted).
    for identifier in (USERNAME, USERNAME, "nobody@example.org"):
        asked = PasswordResetRequest(identifier=identifier)
        requests.append(asked)
        outputs.append(logins.request_password_reset(asked))
    tokens = [w.token(0), w.token(1)]
    reset(tokens[0], NEW_PASSWORD)
    reset(tokens[1], SHORT_NEW)
    reset(tokens[1], NEW_PASSWORD)
    reset(tokens[1], NEW_PASSWORD)
    log_in(USERNAME, NEW_PASSWORD)
    for current, new in ((WRONG, CHANGED_PASSWORD), (NEW_PASSWORD, SHORT_NEW)):
        change = PasswordChange(username=USERNAME, current_password=current, new_password=new)
        collect(change, lambda change=change: logins.change_password(change))  # type: ignore[misc]
    change = PasswordChange(
        username=USERNAME, current_password=NEW_PASSWORD, new_password=CHANGED_PASSWORD
    )
    collect(change, lambda: logins.change_password(change))

    # Identity registration (LOG-04): wrong password, added site, created, refused password.
    w.write(
        lambda r: r.identities.put(
            IdentityRecord(email="t@school.example", password_hash=w.hasher.inner.hash(PASSWORD))
        )
    )
    for email, password in (
        ("t@school.example", WRONG),
        ("t@school.example", PASSWORD),
        ("new@school.example", IDENTITY_PASSWORD),
        ("new2@school.example", SHORT_NEW),
    ):
        registration = IdentityRegistrationRequest(email=email, password=password, site="prep")
        collect(registration, lambda r=registration: logins.register_identity(r))  # type: ignore[misc]

    # Candidate registration (LOG-06): wrong Secret Number, registered, again, a bad form;
    # then a reset asked for by ID.
    logins.add_letter(
        STAFF,
        LetterRecord(candidate_id="C7654321", secret_hash=w.hasher.inner.hash(SECRET_NUMBER)),
    )
    for secret, email, password in (
        (WRONG_SECRET, "kim@mail.example", CANDIDATE_PASSWORD),
        (SECRET_NUMBER, "kim@mail.example", CANDIDATE_PASSWORD),
        (SECRET_NUMBER, "kim2@mail.example", CANDIDATE_PASSWORD),
        ("12x", "x", SHORT_NEW),
    ):
        candidate = CandidateRegistrationRequest(
            candidate_id="C7654321", secret_number=secret, email=email, password=password
        )
        collect(candidate, lambda c=candidate: logins.register_candidate(c))  # type: ignore[misc]
    by_id = PasswordResetRequest(identifier="c7654321", by=ResetBy.CANDIDATE_ID)
    requests.append(by_id)
    outputs.append(logins.request_password_reset(by_id))
    tokens.append(w.token())
    assert len(set(tokens)) == 3
    assert w.outbox.messages[-1].to == "kim@mail.example"

    # A caller's mistake: the InvalidValue names the field, never the value beside it.
    with pytest.raises(CambridgeResultsError) as mistake:
        LoginRequest(username=42, password=PASSWORD)  # type: ignore[arg-type]
    errors.append(mistake.value)

    outputs.extend(
        [
            *w.attempts(),
            *w.read(lambda r: r.reset_tokens.all()),
            w.state(USERNAME.lower()),
            w.read(lambda r: r.accounts.find(USERNAME.lower())),
            w.read(lambda r: r.accounts.find("kim@mail.example")),
            w.read(lambda r: r.identities.find("new@school.example")),
            w.read(lambda r: r.letters.find("C7654321")),
            logins,
            w.outbox,
            w.hasher,
            store,
        ]
    )
    # The reset email is the one place a token exists (as the letter is for passwords), and
    # a request value carries what the form submitted: their fields are the secrets by
    # design, so only their repr and str are searched.
    haystack = [f"{m!r} {m!s}" for m in [*w.outbox.messages, *requests]]
    haystack += [caplog.text]
    haystack += [record.getMessage() for record in caplog.records]
    haystack += [repr(record.args) for record in caplog.records]
    for exc in errors:
        haystack += [str(exc), repr(exc), repr(exc.args)]
    for obj in outputs:
        haystack += list(everything(obj))
    rows = every_row(store)
    haystack += rows
    raw = raw_files(store)

    assert caplog.records, "the flows log their events"
    assert len(errors) >= 10, "refusals were turned into exceptions and searched"
    # Positive controls: the scans see what is stored (so they could see a secret).
    assert sum("wrong-password" in r for r in rows) >= 3, "the attempt rows were read"
    assert any("kim@mail.example" in r for r in rows), "the account rows were read"
    assert any("new@school.example" in r for r in rows), "the identity rows were read"
    if store.url.startswith("sqlite:///"):
        assert b"kim@mail.example" in raw, "the raw database bytes were read"
    secrets = [
        PASSWORD,
        WRONG,
        MALFORMED,
        NEW_PASSWORD,
        CHANGED_PASSWORD,
        CANDIDATE_PASSWORD,
        IDENTITY_PASSWORD,
        SHORT_NEW,
        SECRET_NUMBER,
        WRONG_SECRET,
        *tokens,
    ]
    text = "\n".join(haystack)
    for secret in secrets:
        assert secret not in text, f"a secret of length {len(secret)} leaked"
        assert secret.encode("utf-8") not in raw, f"a secret of length {len(secret)} is on disk"
