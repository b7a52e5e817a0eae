"""Conformance of ``update_where``: one statement changing every matching row, on any backend.

Set values and copies of one column into another (each from the row's value
before the statement), the count of rows changed, and the refusals: bad
input (:class:`InvalidValue`), a read-only unit or an append-only table
(:class:`WriteRefused`), each leaving storage unchanged.
"""

from __future__ import annotations

from typing import Any

import pendulum
import pytest

from cambridge_results.errors import InvalidValue, WriteRefused
from cambridge_results.storage.port import Store
from cambridge_results.storage.query import In, Ne
from cambridge_results.testing.conformance_base import ACTOR, _Base, rolled_back

__all__ = ["UpdateWhereConformance"]


def _people(store: Store) -> None:
    """Three candidates of two centres, and two centres (one with an Associate)."""
    with store.unit_of_work(actor=ACTOR) as uow:
        for centre, number, given, family in [
            ("C1", "0001", "Ada", "Lovelace"),
            ("C1", "0002", "Alan", "Turing"),
            ("C2", "0001", "Grace", "Hopper"),
        ]:
            uow.insert(
                "candidates",
                {"centre": centre, "number": number, "given_name": given, "family_name": family},
            )
        uow.insert("centres", {"number": "C1", "name": "One", "associate": None})
        uow.insert("centres", {"number": "C2", "name": "Two", "associate": "A9"})


def _names(store: Store) -> list[tuple[Any, ...]]:
    rows = _Base.rows(store, "candidates")
    return [(r["centre"], r["number"], r["given_name"], r["family_name"]) for r in rows]


class UpdateWhereConformance(_Base):
    """``update_where`` (see the module)."""

    def test_update_where_copies_each_column_from_its_value_before_the_statement(
        self, store: Store
    ) -> None:
        """Two columns copied into each other swap; only matching rows change; the count."""
        _people(store)
        with store.unit_of_work(actor=ACTOR) as uow:
            swap = {"given_name": "family_name", "family_name": "given_name"}
            assert uow.update_where("candidates", {"centre": "C1"}, {}, copy=swap) == 2
            assert uow.update_where("candidates", {"centre": "C9"}, {}, copy=swap) == 0
        assert _names(store) == [
            ("C1", "0001", "Lovelace", "Ada"),
            ("C1", "0002", "Turing", "Alan"),
            ("C2", "0001", "Grace", "Hopper"),
        ]

    def test_update_where_sets_values_and_copies_together_under_any_condition(
        self, store: Store
    ) -> None:
        """Values and copies in one call; conditions as ``select`` takes them; a provisional
        unit of work commits it as it runs."""
        _people(store)
        with store.unit_of_work(actor=ACTOR, provisional=True) as uow:
            changed = uow.update_where(
                "centres",
                {"associate": None, "number": In(["C1", "C2"])},
                {"contact": {"name": "x"}},
                copy={"associate": "name"},
            )
            assert changed == 1
            assert uow.update_where("centres", {"associate": Ne(None)}, {"name": "Both"}) == 2
        rows = self.rows(store, "centres")
        assert [(r["number"], r["name"], r["associate"], r["contact"]) for r in rows] == [
            ("C1", "Both", "One", {"name": "x"}),
            ("C2", "Both", "A9", None),
        ]

    def test_update_where_rolls_back_with_its_unit_of_work(self, store: Store) -> None:
        """Nothing of an ``update_where`` outlives a unit of work that rolled back."""
        _people(store)
        before = _names(store)
        with rolled_back(store) as uow:
            assert uow.update_where("candidates", None, {"given_name": "X"}) == 3
        assert _names(store) == before

    @pytest.mark.parametrize(
        ("table", "where", "changes", "copy"),
        [
            ("nope", {}, {"name": "x"}, None),
            ("centres", {"nope": 1}, {"name": "x"}, None),
            ("centres", {}, {}, None),
            ("centres", {}, {}, {}),
            ("centres", {}, {"nope": "x"}, None),
            ("centres", {}, {"name": 3}, None),
            ("centres", {}, {"number": "C3"}, None),
            ("centres", {}, {}, {"nope": "name"}),
            ("centres", {}, {}, {"associate": "nope"}),
            ("centres", {}, {}, {"number": "name"}),
            ("centres", {}, {}, [("associate", "name")]),
            ("centres", {}, {}, {"associate": 3}),
            ("centres", {}, {"associate": "A1"}, {"associate": "name"}),
            ("centres", {}, {}, {"contact": "name"}),
            ("centres", {}, {}, {"name": "associate"}),
            ("candidates", {}, {"uci": None}, None),
            ("candidates", {}, {}, {"uci": "given_name"}),
        ],
    )
    def test_update_where_refuses_bad_input_before_touching_storage(
        self,
        store: Store,
        table: str,
        where: dict[str, Any],
        changes: dict[str, Any],
        copy: Any,
    ) -> None:
        """Unknown names, bad values, a key or unique column, a column set and copied, a copy
        across types or from a column that may be NULL into one that may not: InvalidValue."""
        _people(store)
        before = (_names(store), self.rows(store, "centres"))
        with store.unit_of_work(actor=ACTOR) as uow, pytest.raises(InvalidValue):
            uow.update_where(table, where, changes, copy=copy)
        assert (_names(store), self.rows(store, "centres")) == before

    def test_update_where_is_refused_in_a_read_only_unit_and_on_an_append_only_table(
        self, store: Store
    ) -> None:
        """WriteRefused for a read-only unit of work, and for an append-only table's matching
        rows (no matching row: nothing to refuse, 0); the events stay as they were."""
        _people(store)
        at = pendulum.datetime(2026, 6, 1, tz="UTC")
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.events.append(at=at, kind="k", subject="s", details={})
        with (
            store.unit_of_work(actor=ACTOR, read_only=True) as uow,
            pytest.raises(WriteRefused),
        ):
            uow.update_where("centres", {}, {"name": "x"})
        with store.unit_of_work(actor=ACTOR) as uow:
            assert uow.update_where("events", {"subject": "nobody"}, {"kind": "x"}) == 0
        before = self.rows(store, "events")
        with store.unit_of_work(actor=ACTOR) as uow, pytest.raises(WriteRefused):
            uow.update_where("events", {"subject": "s"}, {"kind": "x"})
        assert self.rows(store, "events") == before
