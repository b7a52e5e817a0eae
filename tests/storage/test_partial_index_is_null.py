"""A partial unique index whose condition is IS NULL holds only rows where the column is NULL."""

from __future__ import annotations

from pathlib import Path

import pytest

from cambridge_results.errors import DuplicateError
from cambridge_results.storage import Column, CreateTable, Migration, Table, UniqueIndex
from cambridge_results.testing.conformance_base import StoreFactory, conformance_migrations

ACTOR = "test:partial-index"

#: One open claim per holder: released claims do not count.
CLAIMS = Table(
    "claims",
    (Column("id", "text"), Column("holder", "text"), Column("released", "text", nullable=True)),
    primary_key="id",
    unique=(UniqueIndex(("holder",), where={"released": None}),),
)


def claims_migrations() -> tuple[Migration, ...]:
    """The conformance migrations plus the claims table."""
    base = conformance_migrations()
    return (*base, Migration(version=len(base) + 1, name="claims", steps=(CreateTable(CLAIMS),)))


def test_rows_outside_an_is_null_condition_never_clash(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    """Two open claims clash; any number of released ones sit beside one open claim."""
    store = make_store(tmp_path, claims_migrations())
    try:
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("claims", {"id": "1", "holder": "h", "released": "2026-06-01"})
            uow.insert("claims", {"id": "2", "holder": "h", "released": "2026-06-02"})
            uow.insert("claims", {"id": "3", "holder": "h", "released": None})
            with pytest.raises(DuplicateError, match=r"claims: duplicate value for \(holder\)"):
                uow.insert("claims", {"id": "4", "holder": "h", "released": None})
            with pytest.raises(DuplicateError):
                uow.update("claims", "1", {"released": None})
            assert uow.update("claims", "3", {"released": "2026-06-03"})
            assert uow.update("claims", "1", {"released": None})
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            open_claims = [r["id"] for r in uow.select("claims", {"released": None})]
        assert open_claims == ["1"]
    finally:
        store.close()
