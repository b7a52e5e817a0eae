"""An Associate's controls over its Associate Centres (ASC-01..06): the use cases.

"Use defaults" (ASC-02), "Give access" per centre (ASC-02, ASC-03), a delay
per centre (ASC-04), "Default" or "Centre defined" contact (ASC-05) and the
Associate's default contact details.  Only the Associate itself may change
them (:class:`~cambridge_results.errors.PermissionDenied`, rule ASC-07).

Giving access generates nothing (ASC-03: the Associate or the centre must
then generate credentials); taking it away revokes the centre's credentials
at once.  Changing a delay or a contact makes printed letters stale, which
:meth:`Website.list_stale_letters
<cambridge_results.website.Website.list_stale_letters>` then lists (ASC-06).
"""

from __future__ import annotations

from typing import Any

import attrs
import pendulum

from cambridge_results.associates.requests import (
    KEEP,
    AssociateCentreChange,
    AssociateContactChange,
    AssociateDefaults,
)
from cambridge_results.context import Context
from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue, PermissionDenied
from cambridge_results.principals import Principal
from cambridge_results.rules.associates.permissions import may_manage_associate_centres
from cambridge_results.rules.website.access import AccessRequest, check_access_request
from cambridge_results.serialization import unstructure
from cambridge_results.storage.events import Event
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import Associate, CentreNumber, ContactDetails, Delay, ExamSeries
from cambridge_results.values.access import (
    AccessMode,
    AssociateCentreControls,
    AssociateSettings,
    ContactChoice,
)
from cambridge_results.website.common import (
    associate_subject,
    check_principal,
    event,
    load_settings,
    revoke_without_access,
    series_known,
)
from cambridge_results.website.repositories import WebsiteRepositories

__all__ = [
    "AssociateResult",
    "associate_history",
    "get_settings",
    "set_centre",
    "set_contact",
    "set_defaults",
]


@attrs.frozen(kw_only=True)
class AssociateResult:
    """What an Associate's change stored and what it did to existing credentials."""

    settings: AssociateSettings
    #: Credentials revoked because a centre lost access (ASC-03).
    revoked: int


def _require_associate(principal: Principal, associate: CentreNumber) -> None:
    decision = may_manage_associate_centres(principal, associate)
    if not decision.allowed:
        raise PermissionDenied("; ".join(f"[{r.code}] {r.message}" for r in decision.reasons))


def _load_associate(uow: UnitOfWork, principal: Principal, associate: object) -> Associate:
    number = CentreNumber.parse(associate)
    _require_associate(principal, number)
    return uow.associates.get(number)


def _delay(value: object, reasons: list[Reason]) -> Delay | None:
    try:
        return Delay.parse(value)
    except InvalidValue as exc:
        reasons.append(Reason(code="CRW-05.invalid-delay", message=exc.message))
        return None


def _choice(value: object, reasons: list[Reason]) -> ContactChoice | None:
    if isinstance(value, ContactChoice):
        return value
    try:
        return ContactChoice(value)
    except ValueError:
        reasons.append(
            Reason(
                code="ASC-05.unknown-contact-choice",
                message=f"{str(value)[:40]!r} is not a contact choice; choose "
                "'default' (the Associate) or 'centre-defined' (the centre's exams officer)",
            )
        )
        return None


def _flag(value: object, field: str, code: str, reasons: list[Reason]) -> bool | None:
    if isinstance(value, bool):
        return value
    reasons.append(Reason(code=code, message=f"{field} must be True or False"))
    return None


def _revoke_lost_access(
    uow: UnitOfWork,
    associate: CentreNumber,
    series: ExamSeries,
    at: pendulum.DateTime,
    only: CentreNumber | None = None,
) -> int:
    total = 0
    for centre in uow.associates.centres(associate):
        if only is not None and centre.number != only:
            continue
        settings = load_settings(uow, centre.number, series)
        total += revoke_without_access(uow, settings, at=at, reason="associate-removed-access")
    return total


def get_settings(
    context: Context, principal: Principal, associate: CentreNumber | str, series: ExamSeries | str
) -> AssociateSettings:
    """The Associate's controls for a series (defaults if it never set any)."""
    who = check_principal(principal)

    def work(uow: UnitOfWork) -> AssociateSettings:
        stored = _load_associate(uow, who, associate)
        return WebsiteRepositories(uow).associate_settings.get(stored.number, series)

    return context.read(work, actor=str(who))


def set_defaults(
    context: Context, principal: Principal, request: AssociateDefaults
) -> AssociateResult:
    """Set "Use defaults" and the default delay and contact choice (ASC-02, ASC-04, ASC-05).

    Fields left at ``KEEP`` keep their stored value.  Every problem is
    reported at once (CRW-05 delay, ASC-02 flag, ASC-05 choice).
    """
    who = check_principal(principal)
    s = request.series
    now = context.now()

    def work(uow: UnitOfWork) -> AssociateResult:
        stored = _load_associate(uow, who, request.associate)
        repos = WebsiteRepositories(uow)
        current = repos.associate_settings.get(stored.number, s)
        reasons: list[Reason] = []
        changes: dict[str, Any] = {}
        if request.use_defaults is not KEEP:
            changes["use_defaults"] = _flag(
                request.use_defaults, "use_defaults", "ASC-02.use-defaults-not-a-flag", reasons
            )
        if request.default_delay is not KEEP:
            changes["default_delay"] = _delay(request.default_delay, reasons)
        if request.default_contact is not KEEP:
            changes["default_contact_choice"] = _choice(request.default_contact, reasons)
        Decision.combine(
            [series_known(context.policy, s), Decision(reasons=tuple(reasons))]
        ).raise_if_refused()
        updated = attrs.evolve(current, **changes)
        repos.associate_settings.save(updated, at=now)
        event(
            uow,
            at=now,
            kind="associate-defaults-set",
            subject=associate_subject(stored.number, s),
            details={
                "use_defaults": updated.use_defaults,
                "default_delay": updated.default_delay.iso,
                "default_contact": updated.default_contact_choice.value,
            },
        )
        revoked = _revoke_lost_access(uow, stored.number, s, now)
        return AssociateResult(settings=updated, revoked=revoked)

    return context.write(work, actor=str(who))


def set_centre(
    context: Context, principal: Principal, request: AssociateCentreChange
) -> AssociateResult:
    """Set one Associate Centre's row: give access, delay, contact (ASC-02..05).

    ``delay=None`` clears the Associate's delay, so the centre's own applies.
    The centre must be one of this Associate's (ASC-01).  Fields left at
    ``KEEP`` keep their stored value.
    """
    who = check_principal(principal)
    s = request.series
    now = context.now()

    def work(uow: UnitOfWork) -> AssociateResult:
        stored = _load_associate(uow, who, request.associate)
        target = uow.centres.get(request.centre)
        repos = WebsiteRepositories(uow)
        current = repos.associate_settings.get(stored.number, s)
        row = current.row(target.number)
        reasons: list[Reason] = []
        if target.associate != stored.number:
            reasons.append(
                Reason(
                    code="ASC-01.not-an-associate-centre",
                    message=f"centre {target.number} is not an Associate Centre of {stored.number}",
                )
            )
        changes: dict[str, Any] = {}
        if request.give_access is not KEEP:
            changes["give_access"] = _flag(
                request.give_access, "give_access", "ASC-02.give-access-not-a-flag", reasons
            )
        if request.delay is not KEEP:
            changes["delay"] = None if request.delay is None else _delay(request.delay, reasons)
        if request.contact is not KEEP:
            changes["contact"] = _choice(request.contact, reasons)
        Decision.combine(
            [series_known(context.policy, s), Decision(reasons=tuple(reasons))]
        ).raise_if_refused()
        new_row = attrs.evolve(row, **changes)
        rows = [r for r in current.centres if r.centre != target.number]
        updated = attrs.evolve(current, centres=(*rows, new_row))
        repos.associate_settings.save(updated, at=now)
        event(
            uow,
            at=now,
            kind="associate-controls-set",
            subject=f"centre:{target.number}/series:{s.code}",
            details=_row_details(stored.number, new_row),
        )
        revoked = _revoke_lost_access(uow, stored.number, s, now, only=target.number)
        return AssociateResult(settings=updated, revoked=revoked)

    return context.write(work, actor=str(who))


def _row_details(associate: CentreNumber, row: AssociateCentreControls) -> dict[str, Any]:
    return {
        "associate": str(associate),
        "give_access": row.give_access,
        "delay": None if row.delay is None else row.delay.iso,
        "contact": row.contact.value,
    }


def set_contact(
    context: Context, principal: Principal, request: AssociateContactChange
) -> Associate:
    """Set the Associate's default contact details, shown on "Default" letters (ASC-05, CRW-04).

    A name and a valid telephone number or email address; every problem at once.
    """
    who = check_principal(principal)
    now = context.now()

    def work(uow: UnitOfWork) -> Associate:
        stored = _load_associate(uow, who, request.associate)
        check_access_request(
            AccessRequest(
                mode=AccessMode.ALL,
                agreed_to_manage_queries=True,
                contact_name=request.name,
                phone=request.phone,
                email=request.email,
            )
        ).raise_if_refused()
        contact = ContactDetails(
            name=request.name, phone=request.phone or None, email=request.email or None
        )
        updated = attrs.evolve(stored, contact=contact)
        uow.associates.save(updated)
        event(
            uow,
            at=now,
            kind="associate-contact-set",
            subject=associate_subject(stored.number),
            details={"contact": unstructure(contact)},
        )
        return updated

    return context.write(work, actor=str(who))


def associate_history(
    context: Context,
    principal: Principal,
    associate: CentreNumber | str,
    series: ExamSeries | str | None = None,
) -> list[Event]:
    """The Associate's own website events (for one series, if given), oldest first."""
    who = check_principal(principal)

    def work(uow: UnitOfWork) -> list[Event]:
        stored = _load_associate(uow, who, associate)
        prefix = (
            f"associate:{stored.number}"
            if series is None
            else associate_subject(stored.number, ExamSeries.parse(series))
        )
        return [
            e
            for e in uow.events.iter_history(prefix)
            if e.kind.startswith("website.")
            and (e.subject == prefix or e.subject.startswith(prefix + "/"))
        ]

    return context.read(work, actor=str(who))
