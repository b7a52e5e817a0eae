"""No password, Secret Number or reset token anywhere the stored flows write (SPEC section 5).

Every stored flow runs with logging at DEBUG; then every log record,
exception, ``repr``, serialised result, every row of every table of the
store and, for SQLite, the database file's raw bytes (WAL included) are
searched for every secret used.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from logins_support import USERNAME, make_stored_world

from cambridge_results.errors import CambridgeResultsError
from cambridge_results.logins.identity import IdentityRecord
from cambridge_results.logins.registration import LetterRecord
from cambridge_results.serialization import unstructure
from cambridge_results.storage import Store

PASSWORD = "Zq9-storedleak-ORIGINAL-pass"
WRONG = "Zq9-storedleak-WRONG-guess"
MALFORMED = "Zq9-storedleak-\x00-malformed"
NEW_PASSWORD = "Zq9-storedleak-NEW-passphrase"
CANDIDATE_PASSWORD = "Zq9-storedleak-PUPIL-pass"
IDENTITY_PASSWORD = "Zq9-storedleak-IDENTITY-pass"
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
    """Every row of every table the store has, as text."""
    out: list[str] = []
    with store.unit_of_work(actor="test:leak-scan", read_only=True) as uow:
        for name in uow.catalog:
            out.extend(repr(row) for row in uow.select(name))
    return out


def raw_files(store: Store) -> bytes:
    """The SQLite database's files as bytes (nothing for other backends)."""
    if not store.url.startswith("sqlite:///"):
        return b""
    path = Path(store.url.removeprefix("sqlite:///"))
    parts = [p.read_bytes() for p in path.parent.glob(path.name + "*")]
    assert parts, "the database file was found"
    return b"".join(parts)


def test_no_stored_flow_leaks_a_secret(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """SPEC section 5: run every stored flow at DEBUG, then search logs, objects and rows."""
    caplog.set_level(logging.DEBUG)
    w = make_stored_world(store)
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

    # Resets: two requests (the first link voided), a refused password, completion, reuse.
    w.resets.request(USERNAME)
    w.resets.request(USERNAME)
    w.resets.request("nobody@example.org")
    tokens = [
        m.group(1)
        for message in w.outbox.messages
        if (m := re.search(r"token=([A-Za-z0-9_-]+)", message.body)) is not None
    ]
    assert len(tokens) == 2
    collect(w.resets.complete(tokens[0], NEW_PASSWORD))
    collect(w.resets.complete(tokens[1], SHORT_NEW))
    collect(w.resets.complete(tokens[1], NEW_PASSWORD))
    collect(w.resets.complete(tokens[1], NEW_PASSWORD))
    collect(w.log_in(USERNAME, NEW_PASSWORD))

    # Identity registration (LOG-04), stored.
    w.logins.identities.put(
        IdentityRecord(email="t@school.example", password_hash=w.hasher.inner.hash(PASSWORD))
    )
    collect(w.identities.register("t@school.example", WRONG, "prep"))
    added = w.identities.register("t@school.example", PASSWORD, "prep")
    collect(added)
    w.logins.identities.apply(added, "prep")
    created = w.identities.register("new@school.example", IDENTITY_PASSWORD, "prep")
    collect(created)
    w.logins.identities.apply(created, "prep")
    collect(w.identities.register("new2@school.example", SHORT_NEW, "prep"))

    # Candidate registration (LOG-06), completed, then a reset asked for by ID.
    w.logins.letters.put(
        LetterRecord(candidate_id="C7654321", secret_hash=w.hasher.inner.hash(SECRET_NUMBER))
    )
    for secret in (WRONG_SECRET, SECRET_NUMBER):
        result = w.registration.register(
            candidate_id="C7654321",
            secret_number=secret,
            email="kim@mail.example",
            password=CANDIDATE_PASSWORD,
        )
        collect(result)
    assert result.decision.allowed
    collect(w.logins.complete_candidate_registration(result, account_id="cand-1"))
    collect(w.logins.complete_candidate_registration(result, account_id="cand-2"))
    collect(
        w.registration.register(
            candidate_id="C7654321", secret_number="12x", email="x", password=SHORT_NEW
        )
    )
    w.candidate_resets.request("c7654321")
    tokens += [
        m.group(1)
        for m in [re.search(r"token=([A-Za-z0-9_-]+)", w.outbox.messages[-1].body)]
        if m is not None
    ]
    assert len(tokens) == 3

    logins = w.logins
    outputs.extend(
        [
            *logins.attempts.attempts,
            *logins.reset_tokens.records(),
            logins.lockout.state(USERNAME.lower()),
            logins.accounts.find_account(USERNAME.lower()),
            logins.accounts.get_account("cand-1"),
            logins.identities.find_identity("new@school.example"),
            logins.letters.find_letter("C7654321"),
            logins,
            logins.accounts,
            logins.candidate_accounts,
            logins.lockout,
            logins.attempts,
            logins.reset_tokens,
            logins.identities,
            logins.letters,
            w.service,
            w.resets,
            w.identities,
            w.registration,
            w.outbox,
            store,
        ]
    )
    # The reset email is the one place a token exists: only its repr and str are searched.
    haystack = [f"{m!r} {m!s}" for m in w.outbox.messages]
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
    assert errors, "refusals were turned into exceptions and searched"
    # Positive controls: the scans see what is stored (so they could see a secret).
    assert sum("wrong-password" in r for r in rows) >= 3, "the attempt rows were read"
    assert any("kim@mail.example" in r for r in rows), "the account rows were read"
    if store.url.startswith("sqlite:///"):
        assert b"kim@mail.example" in raw, "the raw database bytes were read"
    secrets = [
        PASSWORD,
        WRONG,
        MALFORMED,
        NEW_PASSWORD,
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
