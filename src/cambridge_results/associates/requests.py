"""The request values of an Associate's changes (ASC-02..05).

A field left at :data:`KEEP` keeps what is stored.  The Associate and the
series are checked when the value is made; the settings themselves (a
delay, a contact choice, a flag) are checked by the use case, which reports
every problem at once citing its rule.
"""

from __future__ import annotations

import enum

import attrs

from cambridge_results.values import CentreNumber, Delay, ExamSeries
from cambridge_results.values.access import ContactChoice
from cambridge_results.website.keys import as_centre, as_series

__all__ = ["KEEP", "AssociateCentreChange", "AssociateContactChange", "AssociateDefaults", "Keep"]


class Keep(enum.Enum):
    """The type of :data:`KEEP`."""

    KEEP = "keep"


#: Marks a field left out: keep what is stored.
KEEP = Keep.KEEP


@attrs.frozen(kw_only=True)
class AssociateDefaults:
    """ "Use defaults" and the default delay and contact choice (ASC-02, ASC-04, ASC-05)."""

    associate: CentreNumber = attrs.field(converter=as_centre)
    series: ExamSeries = attrs.field(converter=as_series)
    use_defaults: bool | Keep = KEEP
    default_delay: Delay | str | Keep = KEEP
    default_contact: ContactChoice | str | Keep = KEEP


@attrs.frozen(kw_only=True)
class AssociateCentreChange:
    """One Associate Centre's row: give access, delay, contact (ASC-02..05).

    ``delay=None`` clears the Associate's delay, so the centre's own applies.
    """

    associate: CentreNumber = attrs.field(converter=as_centre)
    series: ExamSeries = attrs.field(converter=as_series)
    centre: CentreNumber = attrs.field(converter=as_centre)
    give_access: bool | Keep = KEEP
    delay: Delay | str | Keep | None = KEEP
    contact: ContactChoice | str | Keep = KEEP


@attrs.frozen(kw_only=True)
class AssociateContactChange:
    """The Associate's default contact: a name and a phone number or email (ASC-05, CRW-04)."""

    associate: CentreNumber = attrs.field(converter=as_centre)
    name: str
    phone: str | None = None
    email: str | None = None
