"""Amounts of money in a currency (fees, EAR-15)."""

from __future__ import annotations

import decimal
import re
from typing import Any

import attrs

from cambridge_results.errors import InvalidValue

__all__ = ["Money"]

_CURRENCY = re.compile(r"[A-Z]{3}", re.ASCII)


def _check_amount(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, decimal.Decimal) or not value.is_finite() or value < 0:
        raise InvalidValue("money.amount", "must be a non-negative decimal", rule="EAR-15")


def _check_currency(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, str) or _CURRENCY.fullmatch(value) is None:
        raise InvalidValue("money.currency", "must be an ISO 4217 code like GBP", rule="EAR-15")


@attrs.frozen(kw_only=True)
class Money:
    """An amount in a currency (ISO 4217 code)."""

    amount: decimal.Decimal = attrs.field(validator=_check_amount)
    currency: str = attrs.field(validator=_check_currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
