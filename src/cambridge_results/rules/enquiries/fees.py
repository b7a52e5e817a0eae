"""Fees and invoices for a centre's enquiries in a series (EAR-14, EAR-15).

Each enquiry the board received (or that is on its way) is charged the
policy's fee for its final service, except:

* X/Q and other free services cost nothing;
* no fee when the enquiry changed a syllabus grade (for a group service,
  any candidate's); the administration fees of late changes still apply;
* a cancelled enquiry costs no service fee, only the cancellation fee when
  it was cancelled after the free window (EAR-14);
* drafts, deleted and rejected enquiries, and those still waiting for the
  Associate, cost nothing.

Late amendments add the amendment fee each.  Lines of an enquiry without an
outcome yet are provisional: the fee may still be waived.  Invoices are
issued from the series' ``invoices_from`` date; amounts are ``Decimal``
and totals are kept per currency.
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import Money, Policy
from cambridge_results.rules.enquiries.services import service_definition
from cambridge_results.rules.enquiries.time import local_text
from cambridge_results.values import CentreNumber, ExamSeries
from cambridge_results.values.enquiry import Enquiry, EnquiryStatus, instant

__all__ = [
    "Invoice",
    "InvoiceLine",
    "LineKind",
    "charges_for",
    "invoice",
    "invoices_from",
    "totals",
]


class LineKind(enum.Enum):
    """What an invoice line charges for."""

    SERVICE = "service"
    AMENDMENT = "amendment"
    CANCELLATION = "cancellation"


@attrs.frozen(kw_only=True)
class InvoiceLine:
    """One charge, or one charge not made and why.

    ``charge`` is ``None`` when nothing is due: a free service (``list_price``
    is then ``None`` too) or a waived fee (``waived`` says why).
    """

    enquiry_id: str
    number: str | None
    kind: LineKind
    description: str
    list_price: Money | None
    charge: Money | None
    waived: str | None = None
    #: True while the enquiry has no outcome: the fee may still be waived.
    provisional: bool = False


@attrs.frozen(kw_only=True)
class Invoice:
    """A centre's invoice for a series' enquiries (EAR-15)."""

    centre: CentreNumber
    series: ExamSeries
    issued_at: pendulum.DateTime = attrs.field(converter=instant)
    lines: tuple[InvoiceLine, ...]

    @property
    def totals(self) -> tuple[Money, ...]:
        """What is due, one amount per currency, in currency order."""
        return totals(self.lines)


_NOT_CHARGED = frozenset(
    {
        EnquiryStatus.SAVED,
        EnquiryStatus.DELETED,
        EnquiryStatus.REJECTED,
        EnquiryStatus.AWAITING_APPROVAL,
    }
)


def charges_for(policy: Policy, enquiry: Enquiry) -> tuple[InvoiceLine, ...]:
    """The invoice lines of one enquiry (EAR-14, EAR-15)."""
    if enquiry.status in _NOT_CHARGED:
        return ()
    lines: list[InvoiceLine] = []
    if enquiry.status is EnquiryStatus.CANCELLED:
        if enquiry.cancellation_fee is not None:
            lines.append(
                _line(
                    enquiry,
                    LineKind.CANCELLATION,
                    "cancellation after the free window",
                    enquiry.cancellation_fee,
                )
            )
    else:
        lines.append(_service_line(policy, enquiry))
    for a in enquiry.amendments:
        if a.fee is not None:
            lines.append(
                _line(
                    enquiry,
                    LineKind.AMENDMENT,
                    f"amendment of {local_text(a.at, policy.timezone)}",
                    a.fee,
                )
            )
    return tuple(lines)


def _line(enquiry: Enquiry, kind: LineKind, description: str, fee: Money) -> InvoiceLine:
    return InvoiceLine(
        enquiry_id=enquiry.id,
        number=enquiry.number,
        kind=kind,
        description=description,
        list_price=fee,
        charge=fee,
    )


def _service_line(policy: Policy, enquiry: Enquiry) -> InvoiceLine:
    definition = service_definition(policy, enquiry.series, enquiry.service)
    description = f"service {definition.code}: {definition.name}"
    if definition.free:
        return InvoiceLine(
            enquiry_id=enquiry.id,
            number=enquiry.number,
            kind=LineKind.SERVICE,
            description=f"{description} (free of charge)",
            list_price=None,
            charge=None,
        )
    fee = policy.fee(definition.code)
    outcome = enquiry.outcome
    waived = outcome is not None and outcome.grade_changed
    return InvoiceLine(
        enquiry_id=enquiry.id,
        number=enquiry.number,
        kind=LineKind.SERVICE,
        description=description,
        list_price=fee,
        charge=None if waived else fee,
        waived="the syllabus grade changed" if waived else None,
        provisional=outcome is None,
    )


def totals(lines: Iterable[InvoiceLine]) -> tuple[Money, ...]:
    """The sum of the charges, one :class:`Money` per currency, in currency order."""
    sums: dict[str, decimal.Decimal] = {}
    for line in lines:
        if line.charge is not None:
            c = line.charge
            sums[c.currency] = sums.get(c.currency, decimal.Decimal(0)) + c.amount
    return tuple(Money(amount=sums[c], currency=c) for c in sorted(sums))


def invoices_from(policy: Policy, series: ExamSeries) -> pendulum.DateTime:
    """The first instant invoices for a series' enquiries are issued (EAR-15)."""
    return policy.calendar(series).invoices_from.opens(policy.timezone)


def invoice(
    policy: Policy,
    *,
    centre: CentreNumber,
    series: ExamSeries,
    enquiries: Iterable[Enquiry],
    now: pendulum.DateTime,
) -> Invoice:
    """The invoice for a centre's enquiries in a series, issued at ``now`` (EAR-15).

    Refused before the series' invoice date.  Every enquiry must belong to
    the centre and series (:class:`~cambridge_results.errors.InvalidValue`).
    """
    start = invoices_from(policy, series)
    if now < start:
        Decision.refuse(
            "EAR-15.too-early-to-invoice",
            f"invoices for {series} are issued from {local_text(start, policy.timezone)}",
        ).raise_if_refused()
    lines: list[InvoiceLine] = []
    for e in enquiries:
        if e.centre != centre or e.series != series:
            raise InvalidValue(
                "enquiries", f"enquiry {e.id} is for {e.centre} in {e.series}", rule="EAR-15"
            )
        lines.extend(charges_for(policy, e))
    return Invoice(centre=centre, series=series, issued_at=now, lines=tuple(lines))
