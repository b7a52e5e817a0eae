"""The candidate results website's tables (CRW-01..13, ASC-01..06): migration 2, "website".

Declared here; :mod:`cambridge_results.board.schema` lists the migration.

* ``website_access``: a centre's own settings per series (CRW-01, CRW-04, CRW-05).
* ``website_selections``: the candidates a centre ticked for a series (CRW-07, CRW-08).
* ``associate_settings`` and ``associate_centre_controls``: an Associate's
  controls over its Associate Centres per series (ASC-02..05).
* ``website_credentials``: one row per candidate and series holding the
  username (unique across the board, CRW-12) and *hashes only* (CRW-13).

A credential row's ``state``:

``unprinted``
    A password was (or is about to be) generated for the candidate but its
    letter is not yet safely on disk.  ``pending_hash`` holds its hash, which
    no login accepts.  ``password_hash`` still holds the hash of the
    candidate's previous printed letter, if any, so that letter keeps working.
``printed``
    ``password_hash`` is the hash of the password on the candidate's letter,
    and ``fingerprint`` is the letter's fingerprint (ASC-06).
``revoked``
    No hash at all: no login is possible (CRW-06, CRW-08, ASC-03).

Migration 7, "letter publication" (CRW-13, docs/website.md):

* ``website_generation_leases``: one row per centre while a generation run
  for it is going (its run, who holds it, until when), so runs for one
  centre take turns.
* ``website_published_files``: every file of a run whose credentials were
  marked printed, with its final and temporary name and directory,
  ``printed`` until it is in place in the letter store, then ``stored``
  (``missing`` if recovery found it deleted);
  recovery finishes the ``printed`` ones.
"""

from __future__ import annotations

from cambridge_results.storage.migrations import CreateTable, Migration
from cambridge_results.storage.schema import Column, Index, Table, UniqueIndex, text_columns

__all__ = [
    "ASSOCIATE_CENTRE_CONTROLS",
    "ASSOCIATE_SETTINGS",
    "WEBSITE_ACCESS",
    "WEBSITE_CREDENTIALS",
    "WEBSITE_GENERATION_LEASES",
    "WEBSITE_MIGRATION",
    "WEBSITE_PUBLICATION_MIGRATION",
    "WEBSITE_PUBLISHED_FILES",
    "WEBSITE_SELECTIONS",
    "WEBSITE_STEPS",
]

WEBSITE_ACCESS = Table(
    "website_access",
    (
        *text_columns("centre", "series", "mode"),
        Column("agreed", "bool", default=False),
        Column("contact", "json", nullable=True),
        Column("delay_seconds", "int", default=0),
        Column("updated_at", "instant"),
    ),
    primary_key=("centre", "series"),
)

WEBSITE_SELECTIONS = Table(
    "website_selections",
    (
        *text_columns("centre", "series", "candidate"),
        Column("ticked_at", "instant"),
    ),
    primary_key=("centre", "series", "candidate"),
)

ASSOCIATE_SETTINGS = Table(
    "associate_settings",
    (
        Column("associate", "text"),
        Column("series", "text"),
        Column("use_defaults", "bool", default=False),
        Column("default_delay_seconds", "int", default=0),
        Column("default_contact", "text"),
        Column("updated_at", "instant"),
    ),
    primary_key=("associate", "series"),
)

ASSOCIATE_CENTRE_CONTROLS = Table(
    "associate_centre_controls",
    (
        *text_columns("associate", "series", "centre"),
        Column("give_access", "bool", default=False),
        # NULL: the Associate set no delay for this centre; the centre's own applies.
        Column("delay_seconds", "int", nullable=True),
        Column("contact", "text"),
        Column("updated_at", "instant"),
    ),
    primary_key=("associate", "series", "centre"),
)

WEBSITE_CREDENTIALS = Table(
    "website_credentials",
    (
        *text_columns("centre", "series", "candidate", "username", "state"),
        Column("password_hash", "text", nullable=True),
        Column("pending_hash", "text", nullable=True),
        Column("fingerprint", "text", nullable=True),
        Column("pending_fingerprint", "text", nullable=True),
        # The generation run that last claimed this row: a run flips only its own rows.
        Column("run", "int", nullable=True),
        Column("issued_at", "instant", nullable=True),
        Column("printed_at", "instant", nullable=True),
        Column("revoked_at", "instant", nullable=True),
    ),
    primary_key=("centre", "series", "candidate"),
    # CRW-12: usernames are unique across the whole board, enforced by the store.
    unique=(UniqueIndex(("username",)),),
    indexes=(Index(("run", "state")), Index(("centre", "series", "state"))),
)

#: The steps of the ``"website"`` migration.
WEBSITE_STEPS = (
    CreateTable(WEBSITE_ACCESS),
    CreateTable(WEBSITE_SELECTIONS),
    CreateTable(ASSOCIATE_SETTINGS),
    CreateTable(ASSOCIATE_CENTRE_CONTROLS),
    CreateTable(WEBSITE_CREDENTIALS),
)

#: Migration 3: the candidate results website (issue 3).
WEBSITE_MIGRATION = Migration(version=3, name="website", steps=WEBSITE_STEPS)

WEBSITE_GENERATION_LEASES = Table(
    "website_generation_leases",
    (
        Column("centre", "text"),
        Column("run", "int"),
        # "host pid start-time token": a run on this host that died is seen at once.
        Column("holder", "text"),
        Column("taken_at", "instant"),
        Column("expires_at", "instant"),
    ),
    primary_key=("centre",),
    indexes=(Index(("run",)),),
)

WEBSITE_PUBLISHED_FILES = Table(
    "website_published_files",
    (
        Column("run", "int"),
        Column("name", "text"),
        Column("temp", "text"),
        Column("directory", "text"),
        # "printed": credentials printed, file maybe not in place; "stored"; "missing".
        Column("state", "text"),
        Column("printed_at", "instant"),
    ),
    primary_key=("run", "name"),
    indexes=(Index(("state", "directory")),),
)

#: Migration 7: publication that never lies (issue 13, CRW-13).
WEBSITE_PUBLICATION_MIGRATION = Migration(
    version=7,
    name="letter publication",
    steps=(CreateTable(WEBSITE_GENERATION_LEASES), CreateTable(WEBSITE_PUBLISHED_FILES)),
)
