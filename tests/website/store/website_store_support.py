"""Helpers for the website use-case tests: a board in a store, snapshots, letters read back."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pendulum
from pypdf import PdfReader

from cambridge_results import FixedClock, Policy, example_2026
from cambridge_results.associates import (
    Associates,
)
from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import Clock
from cambridge_results.context import Context
from cambridge_results.hashing import hasher_for
from cambridge_results.principals import AssociateOfficer, CentreOfficer
from cambridge_results.rules.website.access import AccessRequest
from cambridge_results.storage import open_store
from cambridge_results.storage.port import Store
from cambridge_results.values import (
    AssessedBy,
    Associate,
    Candidate,
    Centre,
    Component,
    ContactDetails,
    Entry,
    Syllabus,
)
from cambridge_results.values.access import AccessMode
from cambridge_results.website import (
    CredentialRecord,
    GenerationReport,
    GenerationRequest,
    Website,
    WebsiteRepositories,
)

SERIES = "2026-06"
#: The credential window for June 2026 opens on 21 March 2026 (example policy).
OPEN = pendulum.datetime(2026, 4, 1, 9, tz="UTC")
BEFORE_WINDOW = pendulum.datetime(2026, 3, 20, 12, tz="UTC")

#: The example 2026 policy, allowing the cheap test hasher (CRW-12: only when listed).
POLICY: Policy = attrs.evolve(
    example_2026(),
    credentials=attrs.evolve(example_2026().credentials, allowed_test_hashers=("test-cheap",)),
)
CHEAP = "test-cheap"
HASHER = hasher_for(POLICY.credentials, CHEAP)

MAIN = CentreOfficer(centre="GB100")
SUB = CentreOfficer(centre="GB200")
OTHER = CentreOfficer(centre="GB300")
ASSOCIATE = AssociateOfficer(associate="AS001")

CONTACT = ContactDetails(name="Ann Lee", phone="+44 1223 553554", email="ann@riverside.example")
ASSOCIATE_CONTACT = ContactDetails(name="Omar Haddad", email="omar@associate.example")

#: Candidate names by centre; every script here is drawn by the bundled fonts.
NAMES = {
    "GB100": ["Zoë Smith", "Ali Khan", "محمد العلي", "अनन्या शर्मा", "Søren Nowak", "Mei Chen"],
    "GB200": ["Ελένη Γεωργίου", "Иван Петров", "Kwame Mensah", "José García"],
    "GB201": ["Priya Sharma", "Omar Nowak"],
    "GB300": ["Fatima Haddad", "Arjun Patel"],
    "GB400": ["Chloé Dubois"],
}

SYLLABUS = Syllabus(
    code="0580",
    name="Mathematics",
    qualification="IGCSE",
    components=(Component(code="12", name="Paper 1", assessed_by=AssessedBy.BOARD),),
)


def number(i: int) -> str:
    """Candidate numbers 0101, 0102, ... so leading zeros matter."""
    return f"{100 + i:04d}"


def build_board(store: Store, *, extra: int = 0) -> None:
    """GB100 (plain), GB200 and GB201 (Associate Centres of AS001), GB300 (another centre),
    GB400 (candidates but no June 2026 entries).  ``extra`` more candidates at GB100."""
    with store.unit_of_work(actor="board:setup") as uow:
        uow.associates.add(Associate(number="AS001", name="Associate One", contact=None))
        uow.centres.add(Centre(number="GB100", name="Riverside School"))
        uow.centres.add(Centre(number="GB200", name="Hillside College", associate="AS001"))
        uow.centres.add(Centre(number="GB201", name="Lakeside Academy", associate="AS001"))
        uow.centres.add(Centre(number="GB300", name="Other School"))
        uow.centres.add(Centre(number="GB400", name="Quiet School"))
        uow.syllabuses.add(SYLLABUS)
        for centre, names in NAMES.items():
            more = [f"Extra Candidate{i}" for i in range(extra)] if centre == "GB100" else []
            for i, name in enumerate([*names, *more], start=1):
                given, family = name.split(" ", 1)
                uow.candidates.add(
                    Candidate(
                        centre=centre,
                        number=number(i),
                        given_name=given,
                        family_name=family,
                        uci=f"{centre[:2]}{centre[2:]}26{number(i)}0A" if i == 1 else None,
                    )
                )
                series = "2026-11" if centre == "GB400" else SERIES
                uow.entries.add(
                    Entry(
                        centre=centre,
                        series=series,
                        candidate=number(i),
                        syllabus="0580",
                        components=("12",),
                    )
                )


def open_test_store(kind: str, tmp_path: Path) -> Store:
    """A fresh store: ``memory://`` or a SQLite file under ``tmp_path``."""
    if kind == "memory":
        return open_store("memory://", migrations=SCHEMA)
    return open_store(f"sqlite:///{tmp_path / 'website.db'}", migrations=SCHEMA)


def all_request(**extra: Any) -> AccessRequest:
    """A complete "Edit status" form for ALL candidates (CRW-04)."""
    fields: dict[str, Any] = {
        "mode": AccessMode.ALL,
        "agreed_to_manage_queries": True,
        "contact_name": CONTACT.name,
        "phone": CONTACT.phone,
        "email": CONTACT.email,
    }
    fields.update(extra)
    return AccessRequest(**fields)


def snapshot(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, to compare storage before and after a refusal."""
    with store.unit_of_work(actor="test:snapshot", read_only=True) as uow:
        return {name: uow.select(name) for name in sorted(uow.catalog)}


def clock() -> FixedClock:
    """A clock inside the June 2026 credential window (CRW-02)."""
    return FixedClock(OPEN)


_USERNAME = re.compile(r"Username (\S+)")
#: The letter prints the password in groups for reading; the password is without the spaces.
_PASSWORD = re.compile(r"Password (\S+(?: \S+)*)")


def login_details(pdf: bytes) -> Iterator[tuple[str, str]]:
    """(username, password) of every page of a letters PDF, read back with pypdf."""
    for page in PdfReader(io.BytesIO(pdf)).pages:
        text = page.extract_text()
        username = _USERNAME.search(text)
        password = _PASSWORD.search(text)
        assert username is not None, "no username on the page"
        assert password is not None, "no password on the page"
        yield username.group(1), password.group(1).replace(" ", "")


def zip_letters(path: Path) -> dict[str, tuple[str, str]]:
    """Zip entry name -> (username, password) for every letter in a run's zip."""
    out: dict[str, tuple[str, str]] = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            (details,) = login_details(archive.read(name))
            out[name] = details
    return out


def credential(store: Store, username: str) -> CredentialRecord | None:
    """The stored credential with this username."""
    with store.unit_of_work(actor="test:read", read_only=True) as uow:
        return WebsiteRepositories(uow).credentials.by_username(username)


def credentials(store: Store, centre: str = "GB100") -> dict[str, CredentialRecord]:
    """Candidate number -> stored credential, for a centre in June 2026."""
    with store.unit_of_work(actor="test:read", read_only=True) as uow:
        records = WebsiteRepositories(uow).credentials.page(centre, SERIES, limit=10_000)
    return {r.candidate.value: r for r in records}


def assert_letters_log_in(store: Store, report: GenerationReport) -> dict[str, tuple[str, str]]:
    """Every letter in the zip logs in: its password verifies against the stored hash."""
    assert report.zip_file is not None
    letters = zip_letters(report.zip_file)
    assert len(letters) == report.letters
    for name, (username, password) in letters.items():
        record = credential(store, username)
        assert record is not None, f"{name}: no credential with the printed username"
        assert name == f"{record.centre}_{SERIES}_{record.candidate}.pdf"
        assert record.password_hash is not None
        assert HASHER.verify(record.password_hash, password), f"{name}: password does not verify"
    return letters


def web(
    store: Store, *, clock: Clock | None = None, policy: Policy = POLICY, **options: Any
) -> Website:
    """The website over ``store`` with the test policy and a clock in the window (by default)."""
    context = Context(
        store=store, policy=policy, clock=FixedClock(OPEN) if clock is None else clock
    )
    return Website(context, **options)


def assoc(store: Store, *, clock: Clock | None = None, policy: Policy = POLICY) -> Associates:
    """The Associates' settings over ``store`` with the test policy and clock (by default)."""
    context = Context(
        store=store, policy=policy, clock=FixedClock(OPEN) if clock is None else clock
    )
    return Associates(context)


_WEBSITE_OPTIONS = ("hasher_name", "workers", "renderer", "renderer_options", "usernames")


def generate(
    store: Store,
    *,
    principal: Any,
    clock: Clock | None = None,
    policy: Policy = POLICY,
    **fields: Any,
) -> GenerationReport:
    """One run: ``fields`` are the Website's options (hasher_name, workers, ...) and the
    GenerationRequest's fields (centres, series, mode, out_dir, ...), for tests that vary them."""
    options = {k: fields.pop(k) for k in _WEBSITE_OPTIONS if k in fields}
    website = web(store, clock=clock, policy=policy, **options)
    return website.generate_letters(principal, GenerationRequest(**fields))


#: The generation run in a process of its own (crash and concurrency tests).
CHILD = Path(__file__).parent / "crash_child.py"


def start_child(
    url: str,
    out: Path,
    mode: str,
    *,
    kill_after: int = 0,
    go: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """``crash_child.py`` generating for GB100 into ``out`` (see its docstring)."""
    args = [sys.executable, str(CHILD), url, str(out), mode, str(kill_after)]
    return subprocess.Popen(
        [*args, *([str(go)] if go is not None else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def file_store_url(backend: str, tmp_path: Path, request: Any) -> str:
    """A real SQLite file under ``tmp_path``, or the session's PostgreSQL test database."""
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_test_url"))
    return f"sqlite:///{tmp_path / 'board.db'}"
