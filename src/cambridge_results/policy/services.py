"""The enquiry services a policy offers (EAR-01..EAR-05, EAR-06 families)."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import Any

import attrs

from cambridge_results._checks import (
    Check,
    flag,
    member,
    optional_at_least,
    tuple_of,
)
from cambridge_results.errors import InvalidValue
from cambridge_results.values import Session
from cambridge_results.values._text import ascii_pattern, human_text
from cambridge_results.values.exams import AssessedBy, qualification_code

__all__ = ["ReviewKind", "ServiceDefinition", "codes", "service_code"]


class ReviewKind(enum.Enum):
    """Which EAR-06 family a service belongs to: only one re-check or review per syllabus."""

    RECHECK_OR_REVIEW = "recheck-or-review"
    GROUP = "group"
    NO_RESULT_OR_PENDING = "no-result-or-pending"


_SERVICE_CODE = re.compile(r"[0-9A-Z/]{1,8}", re.ASCII)
_MAX_NAME = 200


def service_code(value: object, field: str) -> str:
    return ascii_pattern(value, field, _SERVICE_CODE, "a short service code like 1S or 2P")


def _check_service_code(_: Any, __: Any, value: Any) -> None:
    service_code(value, "service.code")


def _service_name(value: object) -> str:
    return human_text(value, "service.name", max_length=_MAX_NAME)


def codes(field: str, check_one: Callable[[str, str], object]) -> Check[tuple[str, ...]]:
    """A validator for a tuple of codes, each checked by ``check_one(code, field)``."""
    is_tuple = tuple_of(field, str)

    def check(instance: Any, attribute: Any, value: Any) -> None:
        is_tuple(instance, attribute, value)
        for i, code in enumerate(value):
            check_one(code, f"{field}[{i}]")

    return check


def _upper_qualification(code: str, field: str) -> None:
    if qualification_code(code, field) != code:
        raise InvalidValue(field, "must be in upper case, like AS-A-LEVEL")


def _check_optional_assessed_by(_: Any, __: Any, value: Any) -> None:
    if value is not None:
        member("service.assessed_by", AssessedBy)(_, __, value)


@attrs.frozen(kw_only=True)
class ServiceDefinition:
    """One enquiry service of the EAR-01 table, as data so a policy can add or withdraw it."""

    code: str = attrs.field(validator=_check_service_code)
    name: str = attrs.field(converter=_service_name)
    kind: ReviewKind = attrs.field(validator=member("service.kind", ReviewKind))
    #: Who must have assessed the component; ``None`` for X/Q enquiries.
    assessed_by: AssessedBy | None = attrs.field(validator=_check_optional_assessed_by)
    copy_of_script: bool = attrs.field(default=False, validator=flag("service.copy_of_script"))
    report: bool = attrs.field(default=False, validator=flag("service.report"))
    excludes_multiple_choice: bool = attrs.field(
        default=False, validator=flag("service.excludes_multiple_choice")
    )
    excludes_art_and_design: bool = attrs.field(
        default=False, validator=flag("service.excludes_art_and_design")
    )
    excludes_portfolio_route: bool = attrs.field(
        default=False, validator=flag("service.excludes_portfolio_route")
    )
    #: Group services (5, 9) are for a group of candidates, never one (EAR-01).
    group_min: int | None = attrs.field(
        default=None, validator=optional_at_least("service.group_min", 1, rule="EAR-01")
    )
    group_max: int | None = attrs.field(
        default=None, validator=optional_at_least("service.group_max", 1, rule="EAR-01")
    )
    free: bool = attrs.field(default=False, validator=flag("service.free"))
    #: Empty means every qualification; else only these (EAR-21: 2P for AS & A Level).
    qualifications: tuple[str, ...] = attrs.field(
        default=(), validator=codes("service.qualifications", _upper_qualification)
    )
    #: Empty means every session; else only these (EAR-21: 2P June only).
    sessions: tuple[Session, ...] = attrs.field(
        default=(), validator=tuple_of("service.sessions", Session)
    )
    turnaround_days: int | None = attrs.field(
        default=None, validator=optional_at_least("service.turnaround_days", 1, rule="EAR-21")
    )

    def __attrs_post_init__(self) -> None:
        if (self.group_min is None) != (self.group_max is None):
            raise InvalidValue(
                "service.group_max", "group_min and group_max go together", rule="EAR-01"
            )
        if self.group_min is not None and self.kind is not ReviewKind.GROUP:
            raise InvalidValue(
                "service.group_min", "only group services have a group size", rule="EAR-01"
            )
        if (
            self.group_min is not None
            and self.group_max is not None
            and self.group_min > self.group_max
        ):
            raise InvalidValue("service.group_max", "must be at least group_min", rule="EAR-01")

    @property
    def is_group(self) -> bool:
        """True for services asked for a group of candidates (5 and 9)."""
        return self.kind is ReviewKind.GROUP
