"""The library's typed exceptions: one base class, one subclass per reason family.

Every exception carries the rule ID (docs/rules.md) that spoke (``rule``) so an app can
show *why* and a test can assert *which rule* refused.  Exception text never
contains a password or a reset token (docs/rules.md, section 5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = [
    "AccessRefused",
    "AssociateRefused",
    "BackendNotFound",
    "CambridgeResultsError",
    "ConcurrencyError",
    "DuplicateError",
    "EnquiryRefused",
    "GenerationInProgress",
    "InvalidValue",
    "LoginRefused",
    "NotFound",
    "PermissionDenied",
    "PolicyError",
    "Reason",
    "RefusedByRule",
    "RenderError",
    "SchemaTooNew",
    "StorageError",
    "UnknownSeries",
    "WriteRefused",
]


class CambridgeResultsError(Exception):
    """Base class of every error this library raises on purpose."""

    #: The rule ID this error enforces (``"CRW-05"``), or ``None`` for
    #: errors that are about the library's own machinery.
    rule: str | None = None

    def __init__(self, message: str, *, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if rule is not None:
            self.rule = rule

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}" if self.rule else self.message


class InvalidValue(CambridgeResultsError, ValueError):
    """A value object or parser was given input it does not accept.

    ``field`` is the dotted path of the offending field (``"contact.email"``).
    """

    def __init__(self, field: str, message: str, *, rule: str | None = None) -> None:
        super().__init__(f"{field}: {message}", rule=rule)
        self.field = field
        self.reason = message


class PolicyError(CambridgeResultsError):
    """A policy could not be loaded, or does not cover what was asked of it."""


class UnknownSeries(PolicyError):
    """The policy's series calendar has no entry for the exam series asked about."""


class RefusedByRule(CambridgeResultsError):
    """A rule refused an action; ``reasons`` lists every reason, each with its rule ID.

    Raised by :meth:`cambridge_results.decisions.Decision.raise_if_refused`,
    which picks the subclass of the reason family (``CRW``, ``ASC``, ``LOG``,
    ``EAR``) of the first reason.
    """

    family: str = ""

    def __init__(self, reasons: Sequence[Reason]) -> None:
        if not reasons:
            raise ValueError("RefusedByRule needs at least one reason")
        self.reasons: tuple[Reason, ...] = tuple(reasons)
        message = "; ".join(f"[{r.rule}] {r.message}" for r in self.reasons)
        super().__init__(message, rule=self.reasons[0].rule)

    def __str__(self) -> str:
        return self.message

    @property
    def codes(self) -> tuple[str, ...]:
        """The stable reason codes, in order."""
        return tuple(r.code for r in self.reasons)


class AccessRefused(RefusedByRule):
    """A candidate results website rule (CRW-xx) refused the action."""

    family = "CRW"


class AssociateRefused(RefusedByRule):
    """A Cambridge Associate rule (ASC-xx) refused the action."""

    family = "ASC"


class LoginRefused(RefusedByRule):
    """A login rule (LOG-xx) refused the action."""

    family = "LOG"


class EnquiryRefused(RefusedByRule):
    """An enquiries-about-results rule (EAR-xx) refused the action."""

    family = "EAR"


class PermissionDenied(CambridgeResultsError):
    """The acting principal may not see or do this (ASC-07 and the use-case guards)."""

    rule = "ASC-07"


class RenderError(CambridgeResultsError):
    """A document could not be rendered; nothing was written."""


class GenerationInProgress(CambridgeResultsError):
    """Another generation run holds the centre's lease (CRW-13): try again when it ends."""

    rule = "CRW-13"


class StorageError(CambridgeResultsError):
    """A storage backend failed; the unit of work was rolled back."""


class BackendNotFound(StorageError):
    """No storage backend is registered for a URL's scheme, or it failed to load."""


class NotFound(StorageError):
    """A record asked for by key does not exist."""


class DuplicateError(StorageError):
    """A uniqueness rule enforced by the store itself was violated."""


class ConcurrencyError(StorageError):
    """A concurrent writer changed what this unit of work read; retry the use case."""


class WriteRefused(StorageError):
    """The store refused a write: an append-only table, or a read-only unit of work."""


class SchemaTooNew(StorageError):
    """The database was written by a newer version of this library."""


_CODE = re.compile(r"(CRW|ASC|LOG|EAR)-[0-9]{2}\.[a-z0-9]+(-[a-z0-9]+)*", re.ASCII)


#: Codes already checked: a rule refuses with the same few codes over and over.
_SEEN_CODES: set[str] = set()


def _check_code(value: object) -> None:
    if isinstance(value, str) and value in _SEEN_CODES:
        return
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise InvalidValue("reason.code", f"{value!r:.60} is not of the form 'CRW-02.kebab-case'")
    _SEEN_CODES.add(value)


def _check_message(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("reason.message", "must be a sentence for people")
    return value


class Reason:
    """One reason a rule gave: a stable code, the rule ID and a sentence.

    ``Reason(code=..., message=...)`` holds its sentence;
    :meth:`Reason.lazy` writes it only when ``message`` is first read, so a
    caller that looks only at the codes (most callers of a refusal on a hot
    path) never pays for formatting instants and names.  Immutable;
    reasons are equal when their codes and sentences are.
    """

    __slots__ = ("_message", "_render", "code")

    code: str
    _message: str | None
    _render: tuple[Callable[..., str], tuple[object, ...]] | None

    def __init__(self, *, code: str, message: str) -> None:
        _check_code(code)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "_message", _check_message(message))
        object.__setattr__(self, "_render", None)

    @classmethod
    def lazy(cls, code: str, render: Callable[..., str], *args: object) -> Reason:
        """A reason whose sentence is ``render(*args)``, written when first read."""
        _check_code(code)
        reason = object.__new__(cls)
        object.__setattr__(reason, "code", code)
        object.__setattr__(reason, "_message", None)
        object.__setattr__(reason, "_render", (render, args))
        return reason

    @property
    def message(self) -> str:
        """The sentence for people (written now if it was given lazily)."""
        text = self._message
        if text is None:
            assert self._render is not None  # one of the two is always set
            render, args = self._render
            text = _check_message(render(*args))
            object.__setattr__(self, "_message", text)
            object.__setattr__(self, "_render", None)
        return text

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Reason is immutable: cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Reason is immutable: cannot delete {name}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reason):
            return NotImplemented
        return self.code == other.code and self.message == other.message

    def __hash__(self) -> int:
        return hash((self.code, self.message))

    def __repr__(self) -> str:
        return f"Reason(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[Callable[..., Reason], tuple[str, str]]:
        # Pickled (to a worker process) with its sentence written: renderers may be closures.
        return _reason, (self.code, self.message)

    @property
    def rule(self) -> str:
        """The rule ID (docs/rules.md), e.g. ``"EAR-06"``."""
        return self.code.split(".", 1)[0]


def _reason(code: str, message: str) -> Reason:
    return Reason(code=code, message=message)
