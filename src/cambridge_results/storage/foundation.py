"""The foundation's tables: events, sequences, Associates, centres, candidates, syllabuses, entries.

Storage owns these because every feature reads them.  Each feature declares
its own tables and migrations beside its code (``logins/tables.py``,
``website/tables.py``, ``enquiries/tables.py``); the composition root,
:mod:`cambridge_results.board.schema`, lists them in order.  Storage itself
imports no feature.
"""

from __future__ import annotations

from cambridge_results.storage.migrations import CreateTable, Migration
from cambridge_results.storage.schema import Column, Index, Table, UniqueIndex, text_columns

__all__ = ["EVENTS", "FOUNDATION", "SEQUENCES"]

#: The append-only event log (SPEC section 5: who, what, when).
EVENTS = Table(
    "events",
    (
        Column("seq", "int", auto=True),
        Column("at", "instant"),
        *text_columns("actor", "kind", "subject"),
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
                *text_columns("centre", "number", "given_name", "family_name"),
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
                *text_columns("code", "name", "qualification"),
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
                *text_columns("centre", "series", "candidate", "syllabus"),
                Column("components", "json"),
                Column("route", "text"),
                Column("status", "text"),
            ),
            primary_key=("centre", "series", "candidate", "syllabus"),
            indexes=(Index(("centre", "series", "status")),),
        )
    ),
)

#: Migration 1: the tables every feature builds on.
FOUNDATION = Migration(version=1, name="foundation", steps=_FOUNDATION)
