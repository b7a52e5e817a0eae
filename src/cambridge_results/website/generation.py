"""What a bulk generation run is asked and what it reports (CRW-07..13).

:class:`GenerationRequest` is what
:meth:`Website.generate_letters <cambridge_results.website.Website.generate_letters>`
takes: the centres, the series, the mode (:class:`GenerationMode`), where the
letters go and how they are batched.  How a run goes is in
:mod:`.pipeline`; what it generates is decided in :mod:`.plan`; what it
stores in :mod:`.bookkeeping`.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.values import Candidate, CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.website.keys import as_series

__all__ = [
    "BATCHES_PER_WORKER",
    "DEFAULT_BATCH_SIZE",
    "MAX_BATCH_SIZE",
    "MIN_AUTO_BATCH_SIZE",
    "GenerationMode",
    "GenerationProgress",
    "GenerationReport",
    "GenerationRequest",
    "auto_batch_size",
]

#: The largest batch the automatic choice makes (letters per worker task and per
#: rendered document): each batch pays once to parse and subset its fonts.
DEFAULT_BATCH_SIZE = 500
#: The smallest automatic batch, so tiny runs do not pay font costs per few letters.
MIN_AUTO_BATCH_SIZE = 25
#: Batches of the largest automatic size the choice aims to give every worker.  Two:
#: the tapering end of a run (below) already keeps the workers finishing together, and
#: every batch costs its worker about 90 ms of font work; with four, 2,000 letters on
#: two workers made 12 batches instead of 9, about 0.19 ms more worker CPU a letter
#: (docs/performance-log.md, "Fifth session: pool").
BATCHES_PER_WORKER = 2
#: Near the end of a run the automatic batches shrink so that what is left is shared
#: over about this many batches a worker: the last batches are short, so the workers
#: finish close together instead of one hashing a whole large batch alone.  One a
#: worker (guided self-scheduling: on two workers each batch is half of what is left)
#: balances the workers as well as two did and makes fewer batches, each of which
#: costs its worker about 90 ms of font work (docs/performance.md).
TAPER_BATCHES_PER_WORKER = 1
MAX_BATCH_SIZE = 10_000
MAX_LETTERS_PER_VOLUME = 10**9


class GenerationMode(enum.Enum):
    """Which candidates a run generates credentials and letters for (CRW-07, CRW-08, ASC-06).

    Every mode covers only candidates who have access, and every mode also
    regenerates the centre's *unprinted* credentials, left by an interrupted
    run (CRW-13).
    """

    #: Everyone with access: new passwords for all (old letters stop working).
    ALL = "all"
    #: The candidates named in ``selected``.
    SELECTED = "selected"
    #: Those with access but no working credential: never issued, or revoked (CRW-08).
    NEW = "new"
    #: Those whose printed letter no longer matches the effective settings (ASC-06).
    STALE = "stale"


@attrs.frozen(kw_only=True)
class GenerationProgress:
    """How far a run has got, reported after every batch is written (CRW-10)."""

    run: int
    done: int
    #: Letters the planning pass expects; concurrent changes may make it differ a little.
    total: int
    batches: int


@attrs.frozen(kw_only=True)
class GenerationReport:
    """What a finished run did.  ``run`` is ``None`` when there was nothing to generate."""

    run: int | None
    mode: GenerationMode
    centres: tuple[CentreNumber, ...]
    series: ExamSeries
    #: Letters written (one page in ``combined_pdfs`` and one file in ``zip_file`` each).
    letters: int
    #: Credentials that became printed: the letters whose passwords now work.
    printed: int
    #: Letters whose credential another run or a revocation took over while this run
    #: was going; their passwords never work (``letters - printed``).
    superseded: int
    #: Candidates who got their first username in this run.
    new_usernames: int
    #: Unprinted credentials of an interrupted run that this run regenerated (CRW-13).
    recovered: int
    #: Credentials revoked before generating, because their candidates lost access.
    revoked: int
    batches: int
    combined_pdfs: tuple[Path, ...]
    #: The run's first (usually only) zip; runs of more than 10,000 letters have more.
    zip_file: Path | None
    #: Every zip of the run: ``STEM.zip``, ``STEM_part002.zip``, ... (10,000 letters each).
    zip_files: tuple[Path, ...] = ()


def _as_mode(mode: GenerationMode | str) -> GenerationMode:
    if isinstance(mode, GenerationMode):
        return mode
    try:
        return GenerationMode(mode)
    except ValueError:
        names = ", ".join(m.value for m in GenerationMode)
        raise InvalidValue("mode", f"{mode!r} is not one of {names}", rule="CRW-07") from None


def _as_centres(
    centres: CentreNumber | str | Iterable[CentreNumber | str],
) -> tuple[CentreNumber, ...]:
    if isinstance(centres, CentreNumber | str):
        raw: list[object] = [centres]
    elif isinstance(centres, Iterable):
        raw = list(centres)
    else:
        raise InvalidValue("centres", f"must be centre numbers, not {type(centres).__name__}")
    numbers = tuple(CentreNumber.parse(c) for c in raw)
    if not numbers:
        raise InvalidValue("centres", "name at least one centre")
    if len(set(numbers)) != len(numbers):
        raise InvalidValue("centres", "each centre may be named once")
    return numbers


def _as_path(value: str | os.PathLike[str]) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise InvalidValue("out_dir", f"must be a path, not {type(value).__name__}")
    return Path(value)


def _as_optional_path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else _as_path(value)


def _as_selected(
    value: Iterable[CandidateNumber | str | Candidate] | None,
) -> tuple[CandidateNumber | str | Candidate, ...] | None:
    if value is None:
        return None
    if isinstance(value, str | CandidateNumber | Candidate):
        return (value,)
    return tuple(value)


def _positive(upper: int) -> Callable[[object, attrs.Attribute[int | None], int | None], None]:
    def check(_: object, field: attrs.Attribute[int | None], value: int | None) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
            raise InvalidValue(field.name, f"must be a whole number from 1 to {upper}")

    return check


@attrs.frozen(kw_only=True)
class GenerationRequest:
    """One generation run asked for (CRW-07..13); checked when made.

    ``centres`` is one centre or several (e.g. an Associate's Associate
    Centres); ``mode`` says which candidates; ``selected`` names them for
    SELECTED (one centre only).  Letters go to ``out_dir`` (``None``: the
    website's letter store, :mod:`~cambridge_results.website.letter_files`) as
    ``<CENTRE>_<SERIES>_run<NNNNNN>.pdf`` (or ``..._vol001.pdf``, ... when
    ``letters_per_volume`` is set) and ``....zip`` (one PDF per candidate,
    named ``<CENTRE>_<SERIES>_<NUMBER>.pdf``).  ``batch_size``: letters per
    worker task and per rendered document (default :func:`auto_batch_size`).
    ``on_progress`` is called after each batch is written.
    """

    centres: tuple[CentreNumber, ...] = attrs.field(converter=_as_centres)
    series: ExamSeries = attrs.field(converter=as_series)
    mode: GenerationMode = attrs.field(converter=_as_mode)
    out_dir: Path | None = attrs.field(default=None, converter=_as_optional_path)
    selected: tuple[CandidateNumber | str | Candidate, ...] | None = attrs.field(
        default=None, converter=_as_selected
    )
    batch_size: int | None = attrs.field(default=None, validator=_positive(MAX_BATCH_SIZE))
    letters_per_volume: int | None = attrs.field(
        default=None, validator=_positive(MAX_LETTERS_PER_VOLUME)
    )
    on_progress: Callable[[GenerationProgress], None] | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.mode is GenerationMode.SELECTED:
            if self.selected is None:
                raise InvalidValue("selected", "name the candidates to generate for", rule="CRW-07")
            if len(self.centres) != 1:
                raise InvalidValue(
                    "selected", "SELECTED works on one centre at a time", rule="CRW-07"
                )
        elif self.selected is not None:
            raise InvalidValue("selected", "only a SELECTED run names candidates", rule="CRW-07")
        if self.on_progress is not None and not callable(self.on_progress):
            raise InvalidValue("on_progress", "must be callable")


def auto_batch_size(total: int, workers: int) -> int:
    """Letters per batch for ``total`` letters on ``workers`` processes.

    Large batches share their fonts (each batch parses and subsets them once);
    enough batches keep every worker busy to the end.  Between
    :data:`MIN_AUTO_BATCH_SIZE` and :data:`DEFAULT_BATCH_SIZE`; with no worker
    processes (``0``) nothing runs side by side, so the largest.
    """
    if workers == 0:
        return DEFAULT_BATCH_SIZE
    share = -(-total // (BATCHES_PER_WORKER * workers))
    return max(MIN_AUTO_BATCH_SIZE, min(DEFAULT_BATCH_SIZE, share))


def auto_batch_sizes(total: int, workers: int) -> Iterator[int]:
    """The automatic batches' sizes for ``total`` letters on ``workers`` processes, in order.

    Batches of :func:`auto_batch_size` while much is left; then each batch is
    what is left shared over :data:`TAPER_BATCHES_PER_WORKER` batches a worker
    (never under :data:`MIN_AUTO_BATCH_SIZE`), so the run ends on short
    batches and no worker waits long for another's last one.  With no worker
    processes nothing waits, so every batch is :func:`auto_batch_size`.  The
    sizes add up to ``total`` and depend on nothing else: a run's batches are
    the same every time (CRW-13).
    """
    largest = auto_batch_size(total, workers)
    left = total
    while left > 0:
        size = largest
        if workers:
            share = -(-left // (TAPER_BATCHES_PER_WORKER * workers))
            size = max(MIN_AUTO_BATCH_SIZE, min(largest, share))
        size = min(size, left)
        yield size
        left -= size
