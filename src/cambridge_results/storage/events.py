"""The append-only event log: who did what, when (SPEC section 5).

Events are written through the unit of work, so an event is stored exactly
when the change it records is.  The store refuses to update or delete them
(SQLite triggers; the in-memory store checks the table's ``append_only``).

Subjects are paths, most general first, so a prefix reads a whole history:
``"centre:GB123/series:2026-06"`` is under ``"centre:GB123/"``.  End a
prefix with ``/`` (or ask for the exact subject) so ``centre:GB12`` does not
also match ``centre:GB123``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from cambridge_results.errors import InvalidValue
from cambridge_results.storage.query import Prefix
from cambridge_results.storage.schema import Row, built_json, value_of

if TYPE_CHECKING:
    from cambridge_results.storage.transaction import Transaction

__all__ = ["Event", "EventLog"]

MAX_KIND = 100
MAX_SUBJECT = 300


@attrs.frozen(kw_only=True)
class Event:
    """One recorded change.  ``seq`` orders events; ``at`` is the instant in UTC."""

    seq: int
    at: pendulum.DateTime
    actor: str
    kind: str
    subject: str
    details: Mapping[str, Any]

    @classmethod
    def from_row(cls, row: Row) -> Event:
        """Build an event from an ``events`` row."""
        return cls(
            seq=value_of(row, "seq", int),
            at=value_of(row, "at", pendulum.DateTime),
            actor=value_of(row, "actor", str),
            kind=value_of(row, "kind", str),
            subject=value_of(row, "subject", str),
            details=value_of(row, "details", dict),
        )


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidValue(field, f"must be 1 to {limit} characters of text")
    return value


def _details(details: Mapping[Any, Any]) -> dict[str, Any]:
    """A copy of ``details`` for the row; text to text (every event's so far) made canonical.

    Such details, keys sorted, are canonical JSON as they are, so their text
    is written once, here, and the row's check takes them as they are
    (:func:`~cambridge_results.storage.schema.built_json`); anything else
    is checked by the row's check.
    """
    items = details.items()
    for k, v in items:
        if type(k) is not str or type(v) is not str:
            return dict(details)
    return built_json(dict(sorted(items)))


class EventLog:
    """The unit of work's view of the ``events`` table."""

    def __init__(self, uow: Transaction) -> None:
        self._uow = uow

    def append(
        self,
        *,
        at: pendulum.DateTime,
        kind: str,
        subject: str,
        details: Mapping[str, Any] | None = None,
    ) -> Event:
        """Record an event by this unit of work's actor; return it with its ``seq``.

        ``details`` must be JSON data and must never hold a password or token.
        """
        return Event.from_row(self._uow.insert("events", self._row(at, kind, subject, details)))

    def _row(
        self, at: pendulum.DateTime, kind: str, subject: str, details: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        # _text's test inline first (every event pays it), _text itself to refuse.
        if type(kind) is not str or not kind or len(kind) > MAX_KIND:
            _text(kind, "event.kind", MAX_KIND)
        if type(subject) is not str or not subject or len(subject) > MAX_SUBJECT:
            _text(subject, "event.subject", MAX_SUBJECT)
        if details is None:
            details = {}
        if type(details) is not dict and not isinstance(details, Mapping):
            raise InvalidValue("event.details", "must be a mapping")
        return {
            "at": at,
            "actor": self._uow.actor,
            "kind": kind,
            "subject": subject,
            "details": _details(details),
        }

    def record(
        self,
        *,
        at: pendulum.DateTime,
        kind: str,
        subject: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """:meth:`append` for a caller that does not need the event back.

        Checked at once; the store may write it with the unit of work's next
        statement or its commit, in the same round trip
        (:meth:`~cambridge_results.storage.transaction.Transaction.insert_later`).
        """
        self._uow.insert_later("events", self._row(at, kind, subject, details))

    def history(self, subject_prefix: str = "") -> list[Event]:
        """Every event whose subject starts with ``subject_prefix``, oldest first."""
        return list(self.iter_history(subject_prefix))

    def iter_history(self, subject_prefix: str = "") -> Iterator[Event]:
        """Like :meth:`history`, streamed."""
        if not isinstance(subject_prefix, str):
            raise InvalidValue("subject_prefix", "must be text")
        where = {"subject": Prefix(subject_prefix)} if subject_prefix else None
        for row in self._uow.stream("events", where, order_by=("seq",)):
            yield Event.from_row(row)
