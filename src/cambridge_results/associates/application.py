"""An Associate's settings as one object: :class:`Associates` (ASC-01..08)."""

from __future__ import annotations

from cambridge_results._arguments import checked_arguments
from cambridge_results.associates import use_cases
from cambridge_results.associates.requests import (
    AssociateCentreChange,
    AssociateContactChange,
    AssociateDefaults,
)
from cambridge_results.associates.use_cases import AssociateResult
from cambridge_results.context import Context
from cambridge_results.errors import InvalidValue
from cambridge_results.principals import Principal
from cambridge_results.storage.events import Event
from cambridge_results.values import Associate, CentreNumber, ExamSeries
from cambridge_results.values.access import AssociateSettings

__all__ = ["Associates"]


def _request(value: object, kind: type) -> None:
    if not isinstance(value, kind):
        raise InvalidValue("request", f"must be a {kind.__name__}, not {type(value).__name__}")


@checked_arguments
class Associates:
    """An Associate's controls over its Associate Centres (ASC-01..06).

    Only the Associate itself may change them (``PermissionDenied``, ASC-07).
    Giving access generates nothing (ASC-03); taking it away revokes the
    centre's credentials at once.  Changing a delay or a contact makes printed
    letters stale (ASC-06).  Every change goes through
    :meth:`Context.write <cambridge_results.context.Context.write>`.
    """

    def __init__(self, context: Context) -> None:
        if not isinstance(context, Context):
            raise InvalidValue("context", f"must be a Context, not {type(context).__name__}")
        self.context = context

    def get_settings(
        self, principal: Principal, associate: CentreNumber | str, series: ExamSeries | str
    ) -> AssociateSettings:
        """The Associate's controls for a series (defaults if it never set any)."""
        return use_cases.get_settings(self.context, principal, associate, series)

    def set_defaults(self, principal: Principal, request: AssociateDefaults) -> AssociateResult:
        """Set "Use defaults" and the default delay and contact choice (ASC-02, ASC-04, ASC-05)."""
        _request(request, AssociateDefaults)
        return use_cases.set_defaults(self.context, principal, request)

    def set_centre(self, principal: Principal, request: AssociateCentreChange) -> AssociateResult:
        """Set one Associate Centre's row: give access, delay, contact (ASC-01..05)."""
        _request(request, AssociateCentreChange)
        return use_cases.set_centre(self.context, principal, request)

    def set_contact(self, principal: Principal, request: AssociateContactChange) -> Associate:
        """Set the Associate's default contact details (ASC-05, CRW-04)."""
        _request(request, AssociateContactChange)
        return use_cases.set_contact(self.context, principal, request)

    def history(
        self,
        principal: Principal,
        associate: CentreNumber | str,
        series: ExamSeries | str | None = None,
    ) -> list[Event]:
        """The Associate's own website events (for one series, if given), oldest first."""
        return use_cases.associate_history(self.context, principal, associate, series)
