"""The PostgreSQL store's statements on the wire: libpq's pipeline mode, used directly.

A unit of work's statements (one, or several sent together) go to the
server in one round trip: each as an extended-protocol query in libpq's
pipeline mode, then one ``Sync``; the answers are read back in order.  A
statement text this connection has sent before runs as a named prepared
statement (parsed and planned once per session).  psycopg still connects,
dumps the parameters and loads the returned values (its ``Transformer``,
so values are exactly what a psycopg cursor gives), but its cursors and
its ``pipeline()`` are not used here: for a few short statements their
Python (a wait and a flush per statement, a cursor per result) cost the
client four times what this does (docs/performance-log.md, "Fifth session:
pgstore").

Like :mod:`.postgres`, imported only for a PostgreSQL URL.
"""

from __future__ import annotations

import itertools
import logging
import re
import select
import weakref
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.abc import Transformer as AdaptContext
from psycopg.adapt import PyFormat, Transformer
from psycopg.pq import DiagnosticField, ExecStatus

__all__ = ["Answer", "Wire", "wire"]

_PARAM = re.compile(r"%%|%s")
#: Texts whose converted form is kept, and prepared statements, per connection at most.
_MAX_TEXTS = 1000
_MAX_PREPARED = 200
_OK = (ExecStatus.COMMAND_OK, ExecStatus.TUPLES_OK)
#: A prepare queued: (the query and its parameter types, the statement's name).
_Prepare = tuple[tuple[bytes, tuple[int, ...]], bytes]
_log = logging.getLogger("cambridge_results.storage")
_POLL = getattr(select, "poll", None)


class Answer:
    """What one statement answered: its rows, ``rowcount`` and ``statusmessage``."""

    __slots__ = ("_rows", "rowcount", "statusmessage")

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int, statusmessage: str) -> None:
        self._rows = rows
        #: Rows the statement returned, inserted, updated or deleted (-1 if it says none).
        self.rowcount = rowcount
        #: The server's command tag, e.g. ``"COMMIT"`` or ``"ROLLBACK"``.
        self.statusmessage = statusmessage

    def fetchone(self) -> tuple[Any, ...] | None:
        """The first row, or None."""
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Every row."""
        return self._rows


def _wait(fileno: int, *, writing: bool) -> None:
    """Block until the socket ``fileno`` can be written (or read).

    ``poll`` where the platform has it: ``select.select`` refuses a descriptor
    numbered 1024 or more, which a server process with many open files reaches.
    """
    if _POLL is None:
        select.select(*(([], [fileno], []) if writing else ([fileno], [], [])))
        return
    poller = _POLL()
    poller.register(fileno, select.POLLOUT if writing else select.POLLIN)
    poller.poll()


def _converted(text: str) -> bytes:
    """``text`` with psycopg's ``%s`` placeholders as ``$1``, ``$2``... (``%%`` as ``%``)."""
    numbers = iter(range(1, 1 << 16))
    return _PARAM.sub(lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", text).encode()


class Wire:
    """One connection's statements in one round trip each (see the module docstring)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn
        self._pgconn = conn.pgconn
        self._encoding = conn.info.encoding
        #: Statement text -> (query bytes, times sent); bounded by _MAX_TEXTS.
        self._texts: dict[str, list[Any]] = {}
        #: (query bytes, parameter types) -> prepared statement name.
        self._prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        self._names = itertools.count(1)
        #: One per connection: it keeps the dumpers and loaders it looked up.
        self._tx: AdaptContext = Transformer(conn)
        #: What :meth:`send` queued and nobody has read the answer to yet.
        self._unread: list[_Prepare | None] | None = None

    def run(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[Answer]:
        """Run ``statements`` in order in one round trip; their answers.

        The first that fails raises its :class:`psycopg.Error` once every
        answer is read (the ones after it did not run).  A connection that
        fails meanwhile is closed, and the error raised.  What :meth:`send`
        sent before is answered first (its error logged, not raised): that
        answer is read after ``statements`` are sent, while the server runs them.
        """
        unread, self._unread = self._unread, None
        if unread is not None and self._conn.closed:
            unread = None
        tx = self._tx
        try:
            # Sent first, then :meth:`send`'s answer read while the server runs them.
            queued = self._queue(statements)
            if unread is not None:
                self._log_unread(unread, self._receive(len(unread)))
            results = self._receive(len(queued))
            self._pgconn.exit_pipeline_mode()
        except BaseException:
            self._conn.close()
            raise
        error: psycopg.Error | None = None
        answers = []
        for prepared, result in zip(queued, results, strict=True):
            ok = self._check(prepared, result)
            if not ok and error is None and result.status != ExecStatus.PIPELINE_ABORTED:
                error = psycopg.errors.error_from_result(result, encoding=self._encoding)
            if prepared is not None:  # the answer to a prepare
                continue
            if not ok:
                answers.append(Answer([], -1, ""))
            else:
                rows: list[tuple[Any, ...]] = []
                if result.ntuples:
                    tx.set_pgresult(result)
                    rows = tx.load_rows(0, result.ntuples, tuple)
                tuples = result.command_tuples
                status = (result.command_status or b"").decode()
                answers.append(Answer(rows, -1 if tuples is None else tuples, status))
        if error is not None:
            raise error
        return answers

    def send(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Send ``statements`` (one implicit transaction) without waiting for the answer.

        :meth:`read_unread` reads it, as :meth:`run` does first; nothing else
        may be sent on the connection meanwhile.
        """
        self.read_unread()
        try:
            self._unread = self._queue(statements)
        except BaseException:
            self._conn.close()
            raise

    def read_unread(self) -> None:
        """Read the answer to :meth:`send`, if any; an error is logged (WARNING), not raised."""
        queued, self._unread = self._unread, None
        if queued is None or self._conn.closed:
            return
        try:
            results = self._receive(len(queued))
            self._pgconn.exit_pipeline_mode()
        except psycopg.Error as exc:
            self._conn.close()
            _log.warning("writes sent without waiting were not made: %s", exc)
        else:
            self._log_unread(queued, results)

    def _log_unread(self, queued: list[_Prepare | None], results: list[Any]) -> None:
        """Note what :meth:`send`'s ``queued`` answered; an error is logged (WARNING)."""
        for prepared, result in zip(queued, results, strict=True):
            if not self._check(prepared, result):
                message = result.error_field(DiagnosticField.MESSAGE_PRIMARY) or b""
                error = message.decode(errors="replace")
                _log.warning("writes sent without waiting were not made: %s", error)
                return

    def _check(self, prepared: _Prepare | None, result: Any) -> bool:
        """Whether ``result`` is a success; a prepare's success is remembered."""
        ok = result.status in _OK
        if ok and prepared is not None:
            self._prepared[prepared[0]] = prepared[1]
        return ok

    def _queue(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[_Prepare | None]:
        """Send ``statements`` then a ``Sync`` in pipeline mode: per query, its prepare or None."""
        pgconn = self._pgconn
        pgconn.enter_pipeline_mode()
        queued = self._send(self._tx, statements)
        pgconn.pipeline_sync()
        while pgconn.flush():
            _wait(pgconn.socket, writing=True)
        return queued

    def _send(
        self, tx: AdaptContext, statements: Sequence[tuple[str, Sequence[Any]]]
    ) -> list[_Prepare | None]:
        """Queue every statement and the prepares it needs: per query, its prepare or None."""
        pgconn = self._pgconn
        queued: list[_Prepare | None] = []
        for text, params in statements:
            seen = self._texts.get(text)
            if seen is None:
                if len(self._texts) >= _MAX_TEXTS:
                    self._texts.clear()
                seen = self._texts[text] = [_converted(text), 0]
            seen[1] += 1
            query: bytes = seen[0]
            values = tx.dump_sequence(params, [PyFormat.AUTO] * len(params)) if params else None
            types = tuple(tx.types or ()) if params else ()
            formats = list(tx.formats or ()) if params else None
            key = (query, types)
            name = self._prepared.get(key)
            if name is None and seen[1] > 1 and len(self._prepared) < _MAX_PREPARED:
                name = f"cr_{next(self._names)}".encode()
                pgconn.send_prepare(name, query, param_types=types or None)
                queued.append((key, name))
            if name is not None:
                pgconn.send_query_prepared(name, values, param_formats=formats)
            else:
                pgconn.send_query_params(query, values, param_types=types, param_formats=formats)
            queued.append(None)
        return queued

    def _receive(self, count: int) -> list[Any]:
        """The ``count`` results queued, in order, then the ``Sync``'s."""
        pgconn = self._pgconn
        results: list[Any] = []
        while True:
            while pgconn.is_busy():
                _wait(pgconn.socket, writing=False)
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:  # the end of one query's results
                continue
            if result.status == ExecStatus.PIPELINE_SYNC:
                assert len(results) == count
                return results
            results.append(result)


_WIRES: weakref.WeakKeyDictionary[psycopg.Connection[Any], Wire] = weakref.WeakKeyDictionary()


def wire(conn: psycopg.Connection[Any]) -> Wire:
    """The :class:`Wire` of ``conn`` (one per connection: its prepared statements)."""
    found = _WIRES.get(conn)
    if found is None:
        found = _WIRES[conn] = Wire(conn)
    return found
