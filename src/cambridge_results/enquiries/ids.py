"""Enquiry ids reserved a block at a time, so that concurrent creates do not queue on one row.

A draft's id (``enq-000000001``) is the next number of the ``enquiry-id``
sequence.  Taking it inside the create's unit of work holds that one row's
lock until the create commits, so on PostgreSQL every create in every
process waited for the one before it to commit.  :class:`IdBlocks` reserves
numbers in a unit of work of their own, a block at a time: 1, then 2, then 4,
doubling up to :data:`MAX_BLOCK`, so a process that creates a few drafts
gets 1, 2, 3, ... as before, and one that creates many reserves once in
:data:`MAX_BLOCK` creates.  Ids stay unique across processes; numbers a
process reserved and never used are gaps, as a rolled-back unit of work may
leave (``UnitOfWork.next_number`` promises no more).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from cambridge_results.storage.port import UnitOfWork

__all__ = ["MAX_BLOCK", "SEQUENCE", "IdBlocks"]

#: The sequence the ids are numbered from.
SEQUENCE = "enquiry-id"
#: The most numbers reserved at once.
MAX_BLOCK = 128


def reserve(uow: UnitOfWork, size: int) -> int:
    """Reserve ``size`` numbers of :data:`SEQUENCE` in ``uow``; the last of them."""
    last = uow.next_number(SEQUENCE)
    if size > 1:
        last = uow.increment("sequences", SEQUENCE, "value", size - 1)
    return last


class IdBlocks:
    """The numbers this process reserved and has not used yet (thread-safe, fork-aware)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._next = self._end = 0
        self._size = 1

    def take(self, write: Callable[[Callable[[UnitOfWork], int]], int]) -> int:
        """The next number, reserving a block with ``write(work)`` when none is left.

        ``write`` runs ``work`` in a writing unit of work of its own and
        returns what it returns (``Context.write`` with the actor bound).
        """
        with self._lock:
            if self._pid != os.getpid():  # a forked child must not reuse its parent's block
                self._pid, self._next, self._end, self._size = os.getpid(), 0, 0, 1
            if self._next >= self._end:
                size = self._size
                last = write(lambda uow: reserve(uow, size))
                self._next, self._end = last - size + 1, last + 1
                self._size = min(size * 2, MAX_BLOCK)
            number = self._next
            self._next += 1
            return number
