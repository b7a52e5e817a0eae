"""Cambridge Associates and their Associate Centres (ASC-01..ASC-06, ASC-08).

:func:`effective_settings` is the one pure function that says what applies
to a centre (ASC-08); :func:`letter_fingerprint` tells whether a printed
letter still matches it (ASC-06).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Iterable
from typing import TypeVar

import pendulum

from cambridge_results.errors import InvalidValue
from cambridge_results.values import Associate, Centre, ContactDetails
from cambridge_results.values.access import (
    AccessMode,
    AssociateSettings,
    CentreAccess,
    ContactChoice,
    EffectiveSettings,
    SettingSource,
    Sourced,
)

__all__ = [
    "FINGERPRINT_VERSION",
    "effective_settings",
    "is_stale",
    "letter_fingerprint",
    "stale_letters",
]

K = TypeVar("K", bound=Hashable)

#: Bumped when what the fingerprint covers changes, so old letters read as stale.
FINGERPRINT_VERSION = 1


def effective_settings(
    own: CentreAccess,
    *,
    centre: Centre,
    associate: Associate | None = None,
    controls: AssociateSettings | None = None,
) -> EffectiveSettings:
    """What applies to ``centre``'s candidates for ``own.series`` (ASC-08).

    A centre without an Associate: its own settings, nothing else.  An
    Associate Centre (``centre.associate`` set) needs its ``associate`` and
    that Associate's ``controls`` for the series:

    * access: "Use defaults" gives every centre access (ASC-02), else the
      centre's "Give access" tick; without access the mode is NONE (ASC-03);
    * mode: the centre's own, once it has access;
    * delay: "Use defaults" applies the Associate's default delay; else the
      Associate's delay for this centre if it set one (ASC-04); else the
      centre's own (CRW-05);
    * contact: "Default" is the Associate's default contact details,
      (:attr:`Associate.contact`), "Centre defined" the centre's own contact (ASC-05), chosen under
      "Use defaults" by the default choice, else by the centre's row.

    Each setting names the single source it came from.
    """
    if own.centre != centre.number:
        raise InvalidValue("own.centre", f"settings of {own.centre} given for centre {centre}")
    if centre.associate is None:
        if associate is not None or controls is not None:
            raise InvalidValue("associate", f"centre {centre.number} has no Associate")
        here = SettingSource.CENTRE
        return EffectiveSettings(
            centre=own.centre,
            series=own.series,
            access_given=Sourced(value=True, source=here),
            mode=Sourced(value=own.mode, source=here),
            delay=Sourced(value=own.delay, source=here),
            contact=Sourced(value=own.contact, source=here),
        )
    if associate is None or controls is None:
        raise InvalidValue(
            "associate", f"centre {centre.number} is an Associate Centre of {centre.associate}"
        )
    if associate.number != centre.associate or controls.associate != centre.associate:
        raise InvalidValue(
            "associate", f"centre {centre.number} belongs to Associate {centre.associate}"
        )
    if controls.series != own.series:
        raise InvalidValue("controls.series", f"expected {own.series}, got {controls.series}")

    row = controls.row(centre.number)
    if controls.use_defaults:
        source = SettingSource.ASSOCIATE_DEFAULTS
        access = Sourced(value=True, source=source)
        delay = Sourced(value=controls.default_delay, source=source)
        choice = controls.default_contact_choice
    else:
        source = SettingSource.ASSOCIATE_PER_CENTRE
        access = Sourced(value=row.give_access, source=source)
        delay = (
            Sourced(value=row.delay, source=source)
            if row.delay is not None
            else Sourced(value=own.delay, source=SettingSource.CENTRE)
        )
        choice = row.contact
    contact: Sourced[ContactDetails | None]
    if choice is ContactChoice.DEFAULT:
        contact = Sourced(value=associate.contact, source=source)
    else:
        contact = Sourced(value=own.contact, source=SettingSource.CENTRE)
    mode = (
        Sourced(value=own.mode, source=SettingSource.CENTRE)
        if access.value
        else Sourced(value=AccessMode.NONE, source=access.source)
    )
    return EffectiveSettings(
        centre=own.centre,
        series=own.series,
        access_given=access,
        mode=mode,
        delay=delay,
        contact=contact,
    )


def _contact_data(contact: ContactDetails | None) -> list[str | None] | None:
    if contact is None:
        return None
    return [contact.name, contact.phone, contact.email]


def letter_fingerprint(settings: EffectiveSettings, visible_from: pendulum.DateTime) -> str:
    """A short stable digest of what a letter shows from the effective settings (ASC-06).

    ``visible_from`` is :func:`~cambridge_results.rules.website.release.results_visible_from`
    for the effective delay.
    It covers the contact (name, telephone, email), the delay and the instant
    results can be viewed from (release + delay, which also moves when the
    board's release time does).  It leaves out the candidate's own details
    and credentials, and where each setting came from: a letter is stale
    only when what it would print has changed.
    """
    if visible_from.tzinfo is None:
        raise InvalidValue("visible_from", "must be timezone-aware")
    payload = {
        "version": FINGERPRINT_VERSION,
        "contact": _contact_data(settings.contact.value),
        "delay_seconds": settings.delay.value.seconds,
        "visible_from": visible_from.in_timezone("UTC").isoformat(),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"lf{FINGERPRINT_VERSION}-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def is_stale(printed: str | None, current: str) -> bool:
    """True when a letter printed with fingerprint ``printed`` no longer matches (ASC-06).

    A letter never printed (``None``) is stale: it must be generated.
    """
    return printed != current


def stale_letters(printed: Iterable[tuple[K, str | None]], current: str) -> tuple[K, ...]:
    """The keys (e.g. candidate numbers) whose printed letter is stale, in input order (ASC-06)."""
    return tuple(key for key, fingerprint in printed if is_stale(fingerprint, current))
