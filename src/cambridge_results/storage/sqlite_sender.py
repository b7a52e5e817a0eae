"""The SQLite store's ``send_many``: writes run in order on a thread of their own.

SQLite has no server to send statements to, so a provisional unit's
``send_many`` hands its statements to one thread per store and process,
which runs each batch as one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``)
on a connection of its own at ``synchronous = NORMAL``, as a provisional
unit's statements are, and the sending thread goes on.  The thread that sent
waits for its batch the next time it uses the store (:meth:`Sent.wait`), so
it sees its own writes as if they had run at once; other threads and
processes see them once they have run, a moment later.  An error is logged
(``cambridge_results.storage``, WARNING) and undoes the batch; nothing
raises in the sender's place.  Closing the store, or the end of the
program, runs every batch sent first; a crash of the process before a
batch ran loses it (docs/storage.md).
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence

__all__ = ["Sender", "Sent"]

_log = logging.getLogger("cambridge_results.storage")

#: One statement: its text and parameters; ``True``: fetch its rows (a ``RETURNING``).
Job = Sequence[tuple[str, Sequence[object], bool]]


class Sent:
    """One batch handed to a :class:`Sender`; :meth:`wait` until it has run."""

    def __init__(self, statements: Job) -> None:
        self.statements = statements
        self._done = threading.Event()

    def wait(self) -> None:
        """Block until the batch has run (or failed, which was logged)."""
        self._done.wait()

    def run(self, conn: sqlite3.Connection) -> None:
        """Run the batch as one transaction on ``conn``; log and undo it on error."""
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for text, params, returns in self.statements:
                    cursor = conn.execute(text, params)
                    if returns:
                        cursor.fetchall()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except Exception as exc:  # the sender's thread must go on
            _log.warning("writes sent without waiting were not made: %s", exc)
        finally:
            self._done.set()


class Sender:
    """The thread of one store (in one process) that runs :class:`Sent` batches in order."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._queue: queue.SimpleQueue[Sent | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def send(self, statements: Job) -> Sent:
        """Queue ``statements`` to run together; the thread starts on first use."""
        sent = Sent(statements)
        with self._lock:
            if self._thread is None or self._pid != os.getpid():
                # A forked child has no copy of its parent's thread: it starts its own.
                self._queue = queue.SimpleQueue()
                self._thread = threading.Thread(
                    target=self._serve, args=(self._queue,), name="sqlite-sender", daemon=True
                )
                self._pid = os.getpid()
                self._thread.start()
                # A program that ends without closing its store still runs what it sent.
                atexit.register(self.close)
            self._queue.put(sent)
        return sent

    def _serve(self, jobs: queue.SimpleQueue[Sent | None]) -> None:
        conn = None
        try:
            while (sent := jobs.get()) is not None:
                if conn is None:
                    try:
                        conn = self._connect()
                        conn.execute("PRAGMA synchronous = NORMAL")
                    except Exception as exc:  # logged; the batch is lost
                        _log.warning("writes sent without waiting were not made: %s", exc)
                        conn = None
                        sent._done.set()
                        continue
                sent.run(conn)
        finally:
            if conn is not None:
                conn.close()

    def close(self) -> None:
        """Run every batch sent, then end the thread (this process's only)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None and self._pid == os.getpid():
                atexit.unregister(self.close)
                self._queue.put(None)
                thread.join()
