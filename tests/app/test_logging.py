"""Structured logging (issue 14, item 4): generation, storage and rendering; never a secret."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pendulum
import pytest
from pypdf import PdfReader

from cambridge_results.board import open_board
from cambridge_results.clock import FixedClock
from cambridge_results.hashing import Argon2idHasher
from cambridge_results.logins import (
    AccountRecord,
    LoginRequest,
    PasswordReset,
    PasswordResetRequest,
)
from cambridge_results.policy import example_2026
from cambridge_results.principals import BoardStaff, CentreOfficer
from cambridge_results.sample_board import give_sample_access, sample_board, store_sample_board
from cambridge_results.website import GenerationRequest

ACCOUNT_PASSWORD = "correct horse battery staple 7"
WRONG_PASSWORD = "not the password at all 99"
NEW_PASSWORD = "a brand new passphrase 42"


def _text(record: logging.LogRecord) -> str:
    """Everything a handler could write of a record: message, format, args, exception."""
    return " ".join(
        (record.getMessage(), str(record.msg), repr(record.args), record.exc_text or "")
    )


def test_debug_logs_of_generation_login_and_reset_hold_no_password_or_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 14: at DEBUG, every record of a run (workers included), a login and a reset
    is scanned for the letters' passwords, the account's passwords and the reset token."""
    caplog.set_level(logging.DEBUG, logger="cambridge_results")
    clock = FixedClock(pendulum.datetime(2026, 11, 2, 9, tz="UTC"))
    tokens: list[str] = []
    board = open_board(
        f"sqlite:///{tmp_path / 'results.db'}",
        policy=example_2026(),
        clock=clock,
        workers=1,
        reset_link=lambda token: tokens.append(token) or f"https://r.example/reset?t={token}",
    )
    with board:
        sample = sample_board(series="November 2026", associate_centres=0, candidates_per_centre=3)
        store_sample_board(board.context, sample)
        give_sample_access(board.website, board.associates, sample)
        report = board.website.generate_letters(
            CentreOfficer(centre="GB100"),
            GenerationRequest(
                centres="GB100", series="November 2026", mode="all", out_dir=tmp_path / "out"
            ),
        )
        staff = BoardStaff(staff_id="it")
        board.logins.add_account(
            staff,
            AccountRecord(
                account_id="acct-sam",
                username="sam@example.org",
                password_hash=Argon2idHasher().hash(ACCOUNT_PASSWORD),
                email="sam@example.org",
            ),
        )
        board.logins.log_in(LoginRequest(username="sam@example.org", password=WRONG_PASSWORD))
        board.logins.log_in(LoginRequest(username="sam@example.org", password=ACCOUNT_PASSWORD))
        board.logins.request_password_reset(PasswordResetRequest(identifier="sam@example.org"))
        (token,) = tokens
        board.logins.reset_password(PasswordReset(token=token, new_password=NEW_PASSWORD))

    (pdf,) = report.combined_pdfs
    letters = [page.extract_text() for page in PdfReader(pdf).pages]
    pattern = r"Password\s+(\S+(?: \S+)*)"  # printed in groups for reading
    passwords = [m.group(1).replace(" ", "") for t in letters if (m := re.search(pattern, t))]
    assert len(passwords) == 3
    secrets = [*passwords, ACCOUNT_PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, token]
    records = caplog.records
    names = {r.name for r in records}
    assert {
        "cambridge_results.storage",
        "cambridge_results.website.generation",
        "cambridge_results.website.workers",
        "cambridge_results.rendering",
        "cambridge_results.logins",
    } <= names
    assert any(r.name.endswith("workers") and r.process != os.getpid() for r in records)
    leaks = [(r.name, s) for r in records for s in secrets if s in _text(r)]
    assert leaks == []


def test_a_unit_of_work_logs_begin_and_commit_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    """Storage: begin, commit and rollback at DEBUG under ``cambridge_results.storage``."""
    caplog.set_level(logging.DEBUG, logger="cambridge_results.storage")
    board = open_board("memory://", policy=example_2026())
    with board:
        board.store.run(lambda uow: None, actor="board:it")
        with pytest.raises(KeyError), board.store.unit_of_work(actor="board:it"):
            raise KeyError("boom")
    said = [r.getMessage() for r in caplog.records if r.name == "cambridge_results.storage"]
    assert any(m.startswith("begin unit of work") for m in said)
    assert any(m.startswith("committed unit of work") for m in said)
    assert any(m.startswith("rolled back unit of work") and "KeyError" in m for m in said)
