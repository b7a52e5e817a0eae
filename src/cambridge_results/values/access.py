"""Who may use the candidate results website, and with what settings (CRW-01, ASC-02..05).

A centre's own settings for a series are a :class:`CentreAccess`; an
Associate's controls over its Associate Centres are :class:`AssociateSettings`.
What finally applies to a centre is an :class:`EffectiveSettings`, computed by
:func:`cambridge_results.rules.associates.settings.effective_settings` (ASC-08), where
every setting names the one source it came from.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import attrs

from cambridge_results._checks import member
from cambridge_results.errors import InvalidValue
from cambridge_results.values.contact import ContactDetails
from cambridge_results.values.delay import Delay
from cambridge_results.values.identifiers import CentreNumber, as_centre_number
from cambridge_results.values.series import ExamSeries, as_series

__all__ = [
    "AccessMode",
    "AssociateCentreControls",
    "AssociateSettings",
    "CentreAccess",
    "ContactChoice",
    "EffectiveSettings",
    "SettingSource",
    "Sourced",
]

T = TypeVar("T")


class AccessMode(enum.Enum):
    """Which of a centre's candidates may use the website for a series (CRW-01)."""

    #: "NO Candidates have access": the mode the first time a series is looked at.
    NONE = "none"
    ALL = "all"
    SELECTED = "selected"


class ContactChoice(enum.Enum):
    """Who answers candidates' queries for an Associate Centre (ASC-05)."""

    #: The Associate is the single point of contact, with its default contact details.
    DEFAULT = "default"
    #: The Associate Centre's exams officer is the contact.
    CENTRE_DEFINED = "centre-defined"


Check = Callable[[object, object, object], None]


def _flag(field: str) -> Check:
    def check(_: object, __: object, value: object) -> None:
        if not isinstance(value, bool):
            raise InvalidValue(field, f"must be True or False, not {type(value).__name__}")

    return check


def _optional_contact(
    _: object, attribute: attrs.Attribute[ContactDetails | None], value: ContactDetails | None
) -> None:
    if value is not None and not isinstance(value, ContactDetails):
        raise InvalidValue(attribute.name, "must be ContactDetails or None")


def _delay(value: object) -> Delay:
    return Delay.parse(value)


def _optional_delay(value: object) -> Delay | None:
    return None if value is None else Delay.parse(value)


@attrs.frozen(kw_only=True)
class CentreAccess:
    """A centre's own website settings for one series (CRW-01, CRW-04, CRW-05).

    ``contact`` is the person the centre named to manage queries; it may be
    ``None`` only while the mode is NONE or when an Associate supplies the
    contact (ASC-05).  Giving access (ALL or SELECTED) always needs the
    centre's agreement to manage candidates' queries (CRW-04).
    """

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    series: ExamSeries = attrs.field(converter=as_series)
    mode: AccessMode = attrs.field(default=AccessMode.NONE, validator=member("mode", AccessMode))
    agreed_to_manage_queries: bool = attrs.field(
        default=False, validator=_flag("agreed_to_manage_queries")
    )
    contact: ContactDetails | None = attrs.field(default=None, validator=_optional_contact)
    delay: Delay = attrs.field(factory=Delay, converter=_delay)

    def __attrs_post_init__(self) -> None:
        if self.mode is not AccessMode.NONE and not self.agreed_to_manage_queries:
            raise InvalidValue(
                "agreed_to_manage_queries",
                "giving candidates access needs the agreement to manage their queries",
                rule="CRW-04",
            )


@attrs.frozen(kw_only=True)
class AssociateCentreControls:
    """The Associate's row for one Associate Centre (ASC-02, ASC-04, ASC-05).

    ``delay`` ``None`` means the Associate set no delay for this centre, so
    the centre's own delay applies.
    """

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    give_access: bool = attrs.field(default=False, validator=_flag("give_access"))
    delay: Delay | None = attrs.field(default=None, converter=_optional_delay)
    contact: ContactChoice = attrs.field(
        default=ContactChoice.DEFAULT, validator=member("contact", ContactChoice)
    )


def _rows(values: Iterable[AssociateCentreControls]) -> tuple[AssociateCentreControls, ...]:
    rows = tuple(values)
    if not all(isinstance(r, AssociateCentreControls) for r in rows):
        raise InvalidValue("centres", "must all be AssociateCentreControls")
    numbers = [r.centre for r in rows]
    if len(set(numbers)) != len(numbers):
        raise InvalidValue("centres", "each Associate Centre has at most one row")
    return tuple(sorted(rows, key=lambda r: r.centre))


@attrs.frozen(kw_only=True)
class AssociateSettings:
    """An Associate's controls over its Associate Centres for one series (ASC-01..05).

    With ``use_defaults`` every Associate Centre gets access and the default
    delay and contact choice apply to all of them (ASC-02); otherwise each
    centre's row decides.  The "Default Contact details" themselves are the
    Associate's own (:attr:`~cambridge_results.values.Associate.contact`, ASC-05).
    """

    associate: CentreNumber = attrs.field(converter=as_centre_number)
    series: ExamSeries = attrs.field(converter=as_series)
    use_defaults: bool = attrs.field(default=False, validator=_flag("use_defaults"))
    default_delay: Delay = attrs.field(factory=Delay, converter=_delay)
    default_contact_choice: ContactChoice = attrs.field(
        default=ContactChoice.DEFAULT, validator=member("default_contact_choice", ContactChoice)
    )
    centres: tuple[AssociateCentreControls, ...] = attrs.field(default=(), converter=_rows)

    def row(self, centre: CentreNumber) -> AssociateCentreControls:
        """The row for ``centre``; a centre without one has no access yet (ASC-02)."""
        for r in self.centres:
            if r.centre == centre:
                return r
        return AssociateCentreControls(centre=centre)


class SettingSource(enum.Enum):
    """Where an effective setting came from (ASC-08): always exactly one place."""

    #: The centre's own settings (:class:`CentreAccess`).
    CENTRE = "centre"
    #: The Associate's "Use defaults" settings, applied to all its centres (ASC-02).
    ASSOCIATE_DEFAULTS = "associate-defaults"
    #: The Associate's row for this one centre (ASC-02, ASC-04, ASC-05).
    ASSOCIATE_PER_CENTRE = "associate-per-centre"


@attrs.frozen(kw_only=True)
class Sourced(Generic[T]):
    """A setting's value and the one source it came from."""

    value: T
    source: SettingSource


@attrs.frozen(kw_only=True)
class EffectiveSettings:
    """What applies to a centre's candidates for a series (ASC-08).

    ``access_given``: whether the centre may offer the website at all (always
    true for a centre without an Associate; ASC-01).  ``mode``: the centre's
    own mode, or NONE when its Associate gives no access (ASC-03).
    ``contact`` is ``None`` when the source it comes from has none yet.
    """

    centre: CentreNumber
    series: ExamSeries
    access_given: Sourced[bool]
    mode: Sourced[AccessMode]
    delay: Sourced[Delay]
    contact: Sourced[ContactDetails | None]
