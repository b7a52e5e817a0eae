"""The memory of a whole process tree, sampled from /proc while it runs (Linux).

A process's own peak (``ru_maxrss``) says nothing about its workers, and
``RUSAGE_CHILDREN`` gives only the largest child that has been waited for.
:class:`TreeSampler` reads every process of the tree (a root and all its
descendants, found through ``/proc/PID/task/*/children``) every
``interval`` seconds and keeps the largest sum of their resident sets, and
the largest single process.  The sum counts pages that processes share
(the interpreter, libraries) once per process, so it errs on the high side.

``/proc`` rather than psutil: these benchmarks run on Linux only, psutil
carries no type information for ``mypy --strict``, and ``/proc/PID/statm``
is what psutil itself reads.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import attrs

_PAGE = os.sysconf("SC_PAGE_SIZE")
_MIB = 1024 * 1024


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, as /proc shows them now."""
    found = [root]
    index = 0
    while index < len(found):
        pid = found[index]
        index += 1
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                found.extend(int(p) for p in (task / "children").read_text().split())
            except OSError:  # the task or process ended meanwhile
                continue
    return found


def resident_bytes(pid: int) -> int:
    """The resident set of process ``pid`` (0 if it has ended)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


@attrs.frozen(kw_only=True)
class TreePeak:
    """The largest memory a process tree held at any sample."""

    total_mib: float  # all its processes together
    largest_mib: float  # the largest single process
    processes: int  # the most processes seen at once


class TreeSampler:
    """Samples the tree under ``root`` on a thread until :meth:`stop`."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        self.root = root
        self.interval = interval
        self._stop = threading.Event()
        self._total = 0
        self._largest = 0
        self._processes = 0
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def start(self) -> TreeSampler:
        """Begin sampling."""
        self._thread.start()
        return self

    def _sample(self) -> None:
        sizes = [resident_bytes(pid) for pid in descendants(self.root)]
        self._total = max(self._total, sum(sizes))
        self._largest = max(self._largest, max(sizes, default=0))
        self._processes = max(self._processes, sum(1 for s in sizes if s))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def stop(self) -> TreePeak:
        """Stop sampling; the peaks seen."""
        self._stop.set()
        self._thread.join()
        return TreePeak(
            total_mib=self._total / _MIB,
            largest_mib=self._largest / _MIB,
            processes=self._processes,
        )
