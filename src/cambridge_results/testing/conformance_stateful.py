"""The stateful agreement test: random operations agree on every store and a dict model."""

from __future__ import annotations

import contextlib
import datetime
import shutil
import tempfile
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from cambridge_results.errors import (
    DuplicateError,
    NotFound,
)
from cambridge_results.storage.memory import MemoryStore
from cambridge_results.storage.port import Store
from cambridge_results.storage.schema import (
    canonical_value,
)
from cambridge_results.testing.conformance_base import (
    ACTOR,
    THINGS,
    StoreFactory,
    _Base,
    conformance_migrations,
    rolled_back,
    thing,
)

__all__ = ["StatefulConformance", "agreement_machine"]

# -- the stateful agreement test ------------------------------------------------

_IDS = st.sampled_from(["a", "b", "c", "d"])
_OWNERS = st.sampled_from(["x", "y"])
_KINDS = st.sampled_from(["k1", "k2"])
_NOTES = st.none() | st.sampled_from(["n1", "n2"])


_TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=6)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
_ZONES = st.sampled_from(
    [
        datetime.UTC,
        zoneinfo.ZoneInfo("Europe/London"),
        datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
    ]
)
_INSTANTS = st.datetimes(
    min_value=datetime.datetime(1900, 1, 2),
    max_value=datetime.datetime(2200, 1, 1),
    timezones=_ZONES,
)
#: The columns the agreement machine compares.
_COMPARED = ("id", "owner", "kind", "active", "n", "note", "data", "at", "blob")


def agreement_machine(factory: StoreFactory, *more: StoreFactory) -> type[RuleBasedStateMachine]:
    """A state machine driving one or more backends and a :class:`MemoryStore` against a model.

    Each factory gets a directory of its own; after every step every store
    must hold exactly the rows the dict model predicts, in the same order.
    """

    migrations = conformance_migrations()
    factories = (factory, *more)

    class StoreAgreement(RuleBasedStateMachine):
        """Every operation gives the same outcome on each store and in the model."""

        def __init__(self) -> None:
            super().__init__()
            self.dir = Path(tempfile.mkdtemp(prefix="cambridge-results-agreement-"))
            self.stores: list[Store] = []
            self.model: dict[str, dict[str, Any]] = {}
            self.numbers: dict[str, int] = {}

        @initialize()
        def open_stores(self) -> None:
            for number, make in enumerate(factories):
                path = self.dir / f"store-{number}"
                path.mkdir()
                self.stores.append(make(path, migrations))
            self.stores.append(MemoryStore(migrations=migrations))

        def _conflicts(self, row: dict[str, Any]) -> bool:
            for other in self.model.values():
                if other["id"] == row["id"]:
                    continue
                if (
                    row["active"]
                    and other["active"]
                    and ((other["owner"], other["kind"]) == (row["owner"], row["kind"]))
                ):
                    return True
                if row["note"] is not None and other["note"] == row["note"]:
                    return True
            return False

        def _each(self, action: Callable[[Any], Any]) -> list[Any]:
            outcomes = []
            for store in self.stores:
                try:
                    with store.unit_of_work(actor=ACTOR) as uow:
                        outcomes.append(action(uow))
                except DuplicateError:
                    outcomes.append("duplicate")
                except NotFound:
                    outcomes.append("not-found")
            return outcomes

        @rule(id_=_IDS, owner=_OWNERS, kind=_KINDS, active=st.booleans(), note=_NOTES)
        def insert(self, id_: str, owner: str, kind: str, active: bool, note: str | None) -> None:
            row = {"id": id_, "owner": owner, "kind": kind, "active": active, "n": 0, "note": note}
            row.update(data=None, at=None, blob=None)
            expected = "duplicate" if id_ in self.model or self._conflicts(row) else "ok"

            def act(uow: Any) -> str:
                uow.insert("things", thing(id_, owner, kind, active=active, note=note))
                return "ok"

            assert self._each(act) == [expected] * len(self.stores)
            if expected == "ok":
                self.model[id_] = row

        @rule(id_=_IDS, active=st.booleans(), note=_NOTES, expect_n=st.none() | st.integers(0, 2))
        def update(self, id_: str, active: bool, note: str | None, expect_n: int | None) -> None:
            current = self.model.get(id_)
            expect = None if expect_n is None else {"n": expect_n}
            if current is None or (expect_n is not None and current["n"] != expect_n):
                expected: Any = False
            else:
                new = {**current, "active": active, "note": note}
                expected = "duplicate" if self._conflicts(new) else True

            def act(uow: Any) -> Any:
                return uow.update("things", id_, {"active": active, "note": note}, expect=expect)

            assert self._each(act) == [expected] * len(self.stores)
            if expected is True:
                self.model[id_] = {**self.model[id_], "active": active, "note": note}

        @rule(
            id_=_IDS,
            data=st.none() | _JSON,
            at=st.none() | _INSTANTS,
            blob=st.none() | st.binary(max_size=8),
        )
        def set_values(
            self, id_: str, data: Any, at: datetime.datetime | None, blob: bytes | None
        ) -> None:
            changes = {"data": data, "at": at, "blob": blob}
            outcomes = self._each(lambda uow: uow.update("things", id_, changes))
            assert outcomes == [id_ in self.model] * len(self.stores)
            if id_ in self.model:
                canonical = {n: canonical_value(THINGS.column(n), v) for n, v in changes.items()}
                self.model[id_].update(canonical)

        @rule(id_=_IDS, by=st.integers(-2, 3))
        def increment(self, id_: str, by: int) -> None:
            expected: Any = "not-found"
            if id_ in self.model:
                expected = self.model[id_]["n"] + by
            outcomes = self._each(lambda uow: uow.increment("things", id_, "n", by))
            assert outcomes == [expected] * len(self.stores)
            if id_ in self.model:
                self.model[id_]["n"] = expected

        @rule(id_=_IDS)
        def delete(self, id_: str) -> None:
            outcomes = self._each(lambda uow: uow.delete("things", id_))
            assert outcomes == [id_ in self.model] * len(self.stores)
            self.model.pop(id_, None)

        @rule(id_=_IDS, owner=_OWNERS)
        def failed_unit_changes_nothing(self, id_: str, owner: str) -> None:
            for store in self.stores:
                with rolled_back(store) as uow:
                    if uow.get("things", id_) is None:
                        uow.insert("things", thing(id_, owner, "k-rolled-back", active=False))
                    else:
                        # The change may clash with another row; either way it rolls back.
                        with contextlib.suppress(DuplicateError):
                            uow.update("things", id_, {"owner": owner, "n": 99})
                    uow.next_number("rolled-back")

        @rule(name=st.sampled_from(["s1", "s2"]))
        def next_number(self, name: str) -> None:
            outcomes = self._each(lambda uow: uow.next_number(name))
            assert outcomes == [self.numbers.get(name, 0) + 1] * len(self.stores)
            self.numbers[name] = outcomes[0]

        @invariant()
        def stores_agree_with_the_model(self) -> None:
            expected = [self.model[k] for k in sorted(self.model)]
            for store in self.stores:
                with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
                    rows = [{k: r[k] for k in _COMPARED} for r in uow.select("things")]
                    streamed = [
                        {k: r[k] for k in _COMPARED} for r in uow.stream("things", batch_size=2)
                    ]
                    ordered = [r["id"] for r in uow.select("things", None, ("-n", "note"))]
                    active_x = uow.count("things", {"active": True, "owner": "x"})
                assert rows == expected, type(store).__name__
                assert streamed == expected
                for row, model_row in zip(rows, expected, strict=True):
                    assert {k: type(v) for k, v in row.items()} == {
                        k: type(v) for k, v in model_row.items()
                    }, type(store).__name__
                model_order = sorted(
                    expected,
                    key=lambda r: (-r["n"], r["note"] is not None, r["note"] or "", r["id"]),
                )
                assert ordered == [r["id"] for r in model_order]
                assert active_x == sum(1 for r in expected if r["active"] and r["owner"] == "x")

        def teardown(self) -> None:
            for store in self.stores:
                store.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    return StoreAgreement


class StatefulConformance(_Base):
    """Random operation sequences: the backend, the memory store and a dict model agree."""

    stateful_settings: ClassVar[settings] = settings(
        max_examples=25,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )

    def test_random_operations_agree_with_memory_and_a_dict_model(self) -> None:
        """After every step, every store holds exactly what the model predicts."""
        machine = agreement_machine(self.factory)
        run_state_machine_as_test(machine, settings=self.stateful_settings)
