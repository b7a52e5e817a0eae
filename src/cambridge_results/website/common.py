"""What the website use cases share: loading a centre's settings, guards, events, paging.

:func:`load_settings` reads a centre's own settings and its Associate's
controls and applies :func:`~cambridge_results.rules.associates.settings.effective_settings`
(ASC-08), the one function that decides what applies to the centre.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue, PermissionDenied, UnknownSeries
from cambridge_results.policy import Policy
from cambridge_results.principals import (
    AssociateOfficer,
    BoardStaff,
    CandidateUser,
    CentreOfficer,
    Principal,
)
from cambridge_results.rules.associates.permissions import Action, may
from cambridge_results.rules.associates.settings import effective_settings, letter_fingerprint
from cambridge_results.rules.website.access import first_look, with_access
from cambridge_results.rules.website.release import results_visible_from
from cambridge_results.values import (
    Associate,
    Candidate,
    CandidateNumber,
    Centre,
    CentreNumber,
    ExamSeries,
)
from cambridge_results.values.access import (
    AccessMode,
    AssociateSettings,
    CentreAccess,
    EffectiveSettings,
    SettingSource,
)
from cambridge_results.website.credential_repository import CredentialState
from cambridge_results.website.repositories import WebsiteRepositories

if TYPE_CHECKING:
    from cambridge_results.storage.port import UnitOfWork

__all__ = [
    "PAGE",
    "CentreSettings",
    "associate_subject",
    "candidate_numbers",
    "centre_subject",
    "check_principal",
    "event",
    "load_settings",
    "require",
    "revoke_without_access",
    "series_known",
]

#: Candidates read per page when walking a centre (keyset pages, one query per table).
PAGE = 500


def check_principal(principal: object) -> Principal:
    """The principal, or :class:`InvalidValue` when it is not one (a use case needs one)."""
    if not isinstance(principal, CentreOfficer | AssociateOfficer | BoardStaff | CandidateUser):
        raise InvalidValue("principal", f"must be a principal, not {type(principal).__name__}")
    return principal


def require(principal: Principal, action: Action, centre: Centre) -> None:
    """:class:`PermissionDenied` (rule ASC-07) with every reason unless ``principal`` may."""
    decision = may(principal, action, centre)
    if not decision.allowed:
        raise PermissionDenied("; ".join(f"[{r.code}] {r.message}" for r in decision.reasons))


def centre_subject(centre: CentreNumber, series: ExamSeries) -> str:
    """The event subject of a centre's website settings for a series."""
    return f"centre:{centre}/series:{series.code}"


def associate_subject(associate: CentreNumber, series: ExamSeries | None = None) -> str:
    """The event subject of an Associate's controls (for a series)."""
    if series is None:
        return f"associate:{associate}"
    return f"associate:{associate}/series:{series.code}"


@attrs.frozen(kw_only=True)
class CentreSettings:
    """A centre, its own settings, its Associate's controls and what applies (ASC-08)."""

    centre: Centre
    own: CentreAccess
    associate: Associate | None
    controls: AssociateSettings | None
    effective: EffectiveSettings

    @property
    def contact_from_associate(self) -> bool:
        """True when the letters show the Associate's contact ("Default", ASC-05)."""
        return self.effective.contact.source is not SettingSource.CENTRE

    def visible_from(self, policy: Policy) -> pendulum.DateTime:
        """When the centre's candidates may see results: release + effective delay (CRW-05)."""
        return results_visible_from(policy, self.own.series, self.effective.delay.value)

    def fingerprint(self, policy: Policy) -> str:
        """The fingerprint a letter printed now carries (ASC-06)."""
        return letter_fingerprint(self.effective, self.visible_from(policy))

    def has_access(
        self, eligible: Iterable[CandidateNumber], ticked: Iterable[CandidateNumber]
    ) -> frozenset[CandidateNumber]:
        """Which of ``eligible`` may use the website (CRW-06, CRW-07, ASC-03)."""
        return with_access(self.effective.mode.value, eligible, frozenset(ticked))


def load_settings(
    uow: UnitOfWork, centre: CentreNumber | str, series: ExamSeries | str
) -> CentreSettings:
    """Read what applies to ``centre`` for ``series``; :class:`NotFound` for an unknown centre."""
    repos = WebsiteRepositories(uow)
    stored = uow.centres.get(centre)
    s = ExamSeries.parse(series)
    own = repos.access.find(stored.number, s) or first_look(stored.number, s)
    associate = None
    controls = None
    if stored.associate is not None:
        associate = uow.associates.get(stored.associate)
        controls = repos.associate_settings.get(stored.associate, s)
    effective = effective_settings(own, centre=stored, associate=associate, controls=controls)
    return CentreSettings(
        centre=stored, own=own, associate=associate, controls=controls, effective=effective
    )


def event(
    uow: UnitOfWork, *, at: pendulum.DateTime, kind: str, subject: str, details: Mapping[str, Any]
) -> None:
    """Record a website event; ``details`` never hold a password or hash (CRW-13)."""
    uow.events.append(at=at, kind=f"website.{kind}", subject=subject, details=dict(details))


def revoke_without_access(
    uow: UnitOfWork,
    settings: CentreSettings,
    *,
    at: pendulum.DateTime,
    reason: str,
    candidates: Iterable[CandidateNumber] | None = None,
) -> int:
    """Revoke every credential whose candidate no longer has access; return how many.

    Access goes at once when the mode becomes NONE (CRW-06), a candidate is
    unticked (CRW-08), an entry is withdrawn (CRW-03) or the Associate takes
    access away (ASC-03).  Walks the centre's credentials a page at a time
    (or only those of ``candidates``) and records one event per page that
    revoked something.
    """
    repos = WebsiteRepositories(uow)
    centre, series = settings.centre.number, settings.own.series
    live = (CredentialState.UNPRINTED, CredentialState.PRINTED)

    def pages() -> Iterator[list[CandidateNumber]]:
        if candidates is not None:
            wanted = sorted(set(candidates))
            for start in range(0, len(wanted), PAGE):
                records = repos.credentials.among(centre, series, wanted[start : start + PAGE])
                yield [r.candidate for r in records.values() if r.state in live]
            return
        after: CandidateNumber | None = None
        while page := repos.credentials.page(centre, series, after=after, limit=PAGE, states=live):
            after = page[-1].candidate
            yield [r.candidate for r in page]

    total = 0
    for numbers in pages():
        eligible = repos.eligibility.valid_among(centre, series, numbers)
        ticked = (
            repos.selections.ticked_among(centre, series, numbers)
            if settings.effective.mode.value is AccessMode.SELECTED
            else frozenset()
        )
        allowed = settings.has_access(eligible, ticked)
        revoked = sorted(n for n in numbers if n not in allowed)
        for number in revoked:
            repos.credentials.revoke(centre, series, number, at=at)
        if revoked:
            total += len(revoked)
            event(
                uow,
                at=at,
                kind="credentials-revoked",
                subject=centre_subject(centre, series),
                details={"reason": reason, "candidates": [str(n) for n in revoked]},
            )
    return total


def candidate_numbers(
    candidates: Iterable[CandidateNumber | str | Candidate], centre: CentreNumber
) -> tuple[list[CandidateNumber], list[Reason]]:
    """The numbers of ``candidates`` in the order given, and a reason per candidate of
    another centre (CRW-07); a malformed number raises at once."""
    numbers: list[CandidateNumber] = []
    reasons: list[Reason] = []
    for item in candidates:
        if isinstance(item, Candidate):
            if item.centre != centre:
                reasons.append(
                    Reason(
                        code="CRW-07.not-a-candidate-of-this-centre",
                        message=f"candidate {item.number} belongs to centre {item.centre}, "
                        f"not {centre}",
                    )
                )
                continue
            numbers.append(item.number)
        else:
            numbers.append(CandidateNumber.parse(item))
    return numbers, reasons


def series_known(policy: Policy, series: ExamSeries) -> Decision:
    """Refused (CRW-02) when the policy has no calendar for ``series``."""
    try:
        policy.calendar(series)
    except UnknownSeries as exc:
        return Decision.refuse("CRW-02.unknown-series", exc.message)
    return Decision.allow()
