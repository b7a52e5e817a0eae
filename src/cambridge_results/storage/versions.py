"""THE ordered migration registry: every table of the library is created here.

To add a table (or a column, or an index), append a :class:`Migration` to
:data:`MIGRATIONS` with the next version number and a new name; never edit
or reorder a migration that has shipped.  The steps may be defined in the
feature's own module and imported here::

    # cambridge_results/logins/tables.py
    CREDENTIALS = CreateTable(Table("credentials", (...), primary_key="username"))

    # here
    Migration(version=2, name="logins-credentials", steps=(CREDENTIALS,)),

See docs/storage.md for the whole recipe (table, migration, repository).
"""

from __future__ import annotations

from cambridge_results.enquiries.tables import enquiry_steps
from cambridge_results.logins.tables import LOGIN_STEPS
from cambridge_results.storage.migrations import CreateTable, Migration
from cambridge_results.storage.schema import Column, Index, Table, UniqueIndex
from cambridge_results.website.tables import WEBSITE_STEPS

__all__ = ["EVENTS", "MIGRATIONS", "SEQUENCES"]

#: The append-only event log (SPEC section 5: who, what, when).
EVENTS = Table(
    "events",
    (
        Column("seq", "int", auto=True),
        Column("at", "instant"),
        Column("actor", "text"),
        Column("kind", "text"),
        Column("subject", "text"),
        Column("details", "json"),
    ),
    primary_key="seq",
    indexes=(Index(("subject",)),),
    append_only=True,
)

#: Named counters behind ``UnitOfWork.next_number`` (e.g. enquiry numbers).
SEQUENCES = Table(
    "sequences",
    (Column("name", "text"), Column("value", "int")),
    primary_key="name",
)

_FOUNDATION = (
    CreateTable(EVENTS),
    CreateTable(SEQUENCES),
    CreateTable(
        Table(
            "associates",
            (
                Column("number", "text"),
                Column("name", "text"),
                Column("contact", "json", nullable=True),
            ),
            primary_key="number",
        )
    ),
    CreateTable(
        Table(
            "centres",
            (
                Column("number", "text"),
                Column("name", "text"),
                Column("associate", "text", nullable=True),
                Column("contact", "json", nullable=True),
            ),
            primary_key="number",
            indexes=(Index(("associate",)),),
        )
    ),
    CreateTable(
        Table(
            "candidates",
            (
                Column("centre", "text"),
                Column("number", "text"),
                Column("given_name", "text"),
                Column("family_name", "text"),
                Column("uci", "text", nullable=True),
            ),
            primary_key=("centre", "number"),
            # NULLs are distinct in unique indexes: unique when present.
            unique=(UniqueIndex(("uci",)),),
        )
    ),
    CreateTable(
        Table(
            "syllabuses",
            (
                Column("code", "text"),
                Column("name", "text"),
                Column("qualification", "text"),
                Column("art_and_design", "bool"),
                Column("components", "json"),
            ),
            primary_key="code",
        )
    ),
    CreateTable(
        Table(
            "entries",
            (
                Column("centre", "text"),
                Column("series", "text"),
                Column("candidate", "text"),
                Column("syllabus", "text"),
                Column("components", "json"),
                Column("route", "text"),
                Column("status", "text"),
            ),
            primary_key=("centre", "series", "candidate", "syllabus"),
            indexes=(Index(("centre", "series", "status")),),
        )
    ),
)

#: Every migration, in order.  Append only.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(version=1, name="foundation", steps=_FOUNDATION),
    # Issue 4: logins on the store.
    Migration(version=2, name="logins", steps=LOGIN_STEPS),
    # Issue 3: the candidate results website (access, selections, credentials).
    Migration(version=3, name="website", steps=WEBSITE_STEPS),
    # Issue 5: enquiries about results.
    Migration(version=4, name="enquiries", steps=enquiry_steps()),
)
