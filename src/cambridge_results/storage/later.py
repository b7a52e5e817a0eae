"""An answer that may come later: a statement a backend sends with the unit's next one.

:meth:`~cambridge_results.storage.transaction.Transaction.insert_if_absent_later`
returns a :class:`Later`; PostgreSQL fills it when the held-back statement's
answer arrives, the other backends at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from cambridge_results.errors import StorageError

__all__ = ["Later"]

T = TypeVar("T")


class Later(Generic[T]):
    """The answer to a statement a backend may send with the unit of work's next one.

    :attr:`value` is the answer; read before the backend has it, it sends
    what is held back first (one round trip of its own).
    """

    __slots__ = ("_done", "_flush", "_value")

    def __init__(self, flush: Callable[[], None] | None = None) -> None:
        self._flush = flush
        self._done = False
        self._value: T | None = None

    @classmethod
    def known(cls, value: T) -> Later[T]:
        """An answer already known."""
        later = cls()
        later.set(value)
        return later

    def set(self, value: T) -> None:
        """Give the answer (the backend does, once it has it)."""
        self._value, self._done = value, True

    @property
    def value(self) -> T:
        """The statement's answer; :class:`StorageError` if its unit of work ended without it."""
        if not self._done and self._flush is not None:
            self._flush()
        if not self._done:
            raise StorageError("the unit of work ended before this statement was answered")
        return self._value  # type: ignore[return-value]
