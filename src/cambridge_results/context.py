"""What every application object holds once: the store, the policy and the clock.

The application objects (``board.website``, ``board.associates``,
``board.logins``, ``board.reports``, ``board.enquiries``) each take one
:class:`Context` and keep it, so no use case asks its caller for the store,
the policy or the clock again.  Every write goes through :meth:`Context.write`,
which is :meth:`Store.run <cambridge_results.storage.port.Store.run>`:
bounded retries with jitter when a concurrent writer wins, then the
library's :class:`~cambridge_results.errors.ConcurrencyError`.  Keep slow
work (hashing, rendering, mail) outside ``work``: it may run more than once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import attrs
import pendulum

from cambridge_results.clock import Clock, SystemClock
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import Policy
from cambridge_results.storage.port import Store, UnitOfWork

__all__ = ["Context"]

T = TypeVar("T")


def _instance(kind: type, field: str) -> Callable[[object, attrs.Attribute[T], T], None]:
    def check(_: object, __: attrs.Attribute[T], value: T) -> None:
        if not isinstance(value, kind):
            raise InvalidValue(field, f"must be a {kind.__name__}, not {type(value).__name__}")

    return check


@attrs.frozen(kw_only=True)
class Context:
    """The store, the policy and the clock an application object works with."""

    store: Store = attrs.field(validator=_instance(Store, "store"))
    policy: Policy = attrs.field(validator=_instance(Policy, "policy"))
    clock: Clock = attrs.field(factory=SystemClock, validator=_instance(Clock, "clock"))

    def now(self) -> pendulum.DateTime:
        """The clock's current instant."""
        return self.clock.now()

    def write(self, work: Callable[[UnitOfWork], T], *, actor: str, provisional: bool = False) -> T:
        """``work(uow)`` in a writing unit of work, retried from the start on a conflict.

        ``provisional``: each statement commits on its own, not waited for on
        disk (``Store.unit_of_work``); for work made of standalone statements.
        """
        return self.store.run(work, actor=actor, provisional=provisional)

    def read(self, work: Callable[[UnitOfWork], T], *, actor: str) -> T:
        """``work(uow)`` in a read-only unit of work."""
        return self.store.run(work, actor=actor, read_only=True)
