"""Associates and Associate Centres: effective settings and stale letters (ASC-02..06, ASC-08)."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results import Policy
from cambridge_results.errors import InvalidValue
from cambridge_results.rules.associates import settings as associates
from cambridge_results.rules.website.release import results_visible_from
from cambridge_results.values import Associate, Centre, ContactDetails, Delay, ExamSeries, Session
from cambridge_results.values.access import (
    AccessMode,
    AssociateCentreControls,
    AssociateSettings,
    CentreAccess,
    ContactChoice,
    EffectiveSettings,
    SettingSource,
)

JUNE = ExamSeries(year=2026, session=Session.JUNE)
ASSOCIATE_CONTACT = ContactDetails(name="Associate Desk", email="desk@associate.example.org")
CENTRE_CONTACT = ContactDetails(name="Exams Officer", phone="+44 1223 553554")
ASSOCIATE = Associate(number="AS100", name="Associate Ltd", contact=ASSOCIATE_CONTACT)
SUBCENTRE = Centre(number="GB123", name="Riverside School", associate="AS100")
PLAIN = Centre(number="GB456", name="Hilltop College")

delays = st.integers(min_value=0, max_value=30 * 86400).map(lambda s: Delay(seconds=s))
contacts = st.sampled_from(
    [
        None,
        CENTRE_CONTACT,
        ContactDetails(name="Другой", email="x@y.example"),
        ContactDetails(name="Exams Officer", phone="+44 1223 553555"),
    ]
)


@st.composite
def own_settings(draw: st.DrawFn, centre: str = "GB123") -> CentreAccess:
    """A centre's own settings for June 2026."""
    mode = draw(st.sampled_from(AccessMode))
    return CentreAccess(
        centre=centre,
        series=JUNE,
        mode=mode,
        agreed_to_manage_queries=mode is not AccessMode.NONE or draw(st.booleans()),
        contact=draw(contacts),
        delay=draw(delays),
    )


@st.composite
def controls(draw: st.DrawFn) -> AssociateSettings:
    """An Associate's controls for June 2026, with or without a row for GB123."""
    rows = []
    if draw(st.booleans()):
        rows.append(
            AssociateCentreControls(
                centre="GB123",
                give_access=draw(st.booleans()),
                delay=draw(st.none() | delays),
                contact=draw(st.sampled_from(ContactChoice)),
            )
        )
    return AssociateSettings(
        associate="AS100",
        series=JUNE,
        use_defaults=draw(st.booleans()),
        default_delay=draw(delays),
        default_contact_choice=draw(st.sampled_from(ContactChoice)),
        centres=tuple(rows),
    )


def effective(own: CentreAccess, ctl: AssociateSettings) -> EffectiveSettings:
    """Effective settings of the Associate Centre GB123."""
    return associates.effective_settings(own, centre=SUBCENTRE, associate=ASSOCIATE, controls=ctl)


def test_a_centre_without_an_associate_uses_only_its_own_settings() -> None:
    """ASC-08: a plain centre's effective settings are its own."""
    own = CentreAccess(
        centre="GB456",
        series=JUNE,
        mode=AccessMode.ALL,
        agreed_to_manage_queries=True,
        contact=CENTRE_CONTACT,
        delay=Delay(seconds=3600),
    )
    got = associates.effective_settings(own, centre=PLAIN)
    assert (got.access_given.value, got.mode.value) == (True, AccessMode.ALL)
    assert (got.delay.value, got.contact.value) == (own.delay, CENTRE_CONTACT)
    sources = {s.source for s in (got.access_given, got.mode, got.delay, got.contact)}
    assert sources == {SettingSource.CENTRE}


def test_use_defaults_gives_every_centre_access_and_the_associates_settings() -> None:
    """ASC-02: with "Use defaults" the Associate's delay and contact apply to all."""
    own = CentreAccess(
        centre="GB123",
        series=JUNE,
        mode=AccessMode.ALL,
        agreed_to_manage_queries=True,
        contact=CENTRE_CONTACT,
        delay=Delay(seconds=60),
    )
    ctl = AssociateSettings(
        associate="AS100", series=JUNE, use_defaults=True, default_delay=Delay.parse("2 days")
    )
    got = effective(own, ctl)
    assert got.access_given.value is True
    assert got.delay.value == Delay.parse("2 days")
    assert got.contact.value == ASSOCIATE_CONTACT
    assert got.delay.source is SettingSource.ASSOCIATE_DEFAULTS


def test_without_give_access_an_associate_centre_has_mode_none() -> None:
    """ASC-03: access removed, the centre's candidates can no longer use the website."""
    own = CentreAccess(
        centre="GB123", series=JUNE, mode=AccessMode.ALL, agreed_to_manage_queries=True
    )
    ctl = AssociateSettings(
        associate="AS100",
        series=JUNE,
        centres=(AssociateCentreControls(centre="GB123", give_access=False),),
    )
    got = effective(own, ctl)
    assert got.mode.value is AccessMode.NONE
    assert got.mode.source is SettingSource.ASSOCIATE_PER_CENTRE


def test_a_per_centre_delay_overrides_the_centres_own_delay() -> None:
    """ASC-04: a delay set by the Associate for one centre is the one on its letters."""
    own = CentreAccess(centre="GB123", series=JUNE, delay=Delay(seconds=60))
    row = AssociateCentreControls(centre="GB123", give_access=True, delay=Delay(seconds=7200))
    got = effective(own, AssociateSettings(associate="AS100", series=JUNE, centres=(row,)))
    assert got.delay.value == Delay(seconds=7200)
    unset = AssociateCentreControls(centre="GB123", give_access=True)
    got = effective(own, AssociateSettings(associate="AS100", series=JUNE, centres=(unset,)))
    assert (got.delay.value, got.delay.source) == (Delay(seconds=60), SettingSource.CENTRE)


def test_centre_defined_contact_is_the_centres_exams_officer() -> None:
    """ASC-05: "Centre defined" uses the centre's contact, "Default" the Associate's."""
    own = CentreAccess(centre="GB123", series=JUNE, contact=CENTRE_CONTACT)
    for choice, expected in (
        (ContactChoice.CENTRE_DEFINED, CENTRE_CONTACT),
        (ContactChoice.DEFAULT, ASSOCIATE_CONTACT),
    ):
        row = AssociateCentreControls(centre="GB123", give_access=True, contact=choice)
        got = effective(own, AssociateSettings(associate="AS100", series=JUNE, centres=(row,)))
        assert got.contact.value == expected


def test_an_associate_centre_needs_its_associate_and_controls() -> None:
    """ASC-08: the function refuses inputs that do not belong together."""
    own = CentreAccess(centre="GB123", series=JUNE)
    with pytest.raises(InvalidValue, match="Associate Centre of AS100"):
        associates.effective_settings(own, centre=SUBCENTRE)
    other = Associate(number="AS999", name="Other")
    ctl = AssociateSettings(associate="AS999", series=JUNE)
    with pytest.raises(InvalidValue, match="belongs to Associate AS100"):
        associates.effective_settings(own, centre=SUBCENTRE, associate=other, controls=ctl)
    with pytest.raises(InvalidValue, match="has no Associate"):
        associates.effective_settings(
            CentreAccess(centre="GB456", series=JUNE), centre=PLAIN, associate=ASSOCIATE
        )


def _source_value(
    source: SettingSource, own: CentreAccess, ctl: AssociateSettings, setting: str
) -> object:
    """What the named source says for a setting, read independently of the rule."""
    row = ctl.row(own.centre)
    if setting == "delay":
        return {
            SettingSource.CENTRE: own.delay,
            SettingSource.ASSOCIATE_DEFAULTS: ctl.default_delay,
            SettingSource.ASSOCIATE_PER_CENTRE: row.delay,
        }[source]
    if setting == "contact":
        associate_side = ASSOCIATE.contact
        return own.contact if source is SettingSource.CENTRE else associate_side
    if setting == "access_given":
        return True if source is SettingSource.ASSOCIATE_DEFAULTS else row.give_access
    raise AssertionError(setting)


@given(own=own_settings(), ctl=controls())
def test_effective_settings_always_come_from_exactly_one_source(
    own: CentreAccess, ctl: AssociateSettings
) -> None:
    """ASC-08: each effective value is the value of the one source it names."""
    got = effective(own, ctl)
    for setting in ("delay", "contact", "access_given"):
        sourced = getattr(got, setting)
        assert sourced.value == _source_value(sourced.source, own, ctl, setting)
    if got.access_given.value:
        assert (got.mode.value, got.mode.source) == (own.mode, SettingSource.CENTRE)
    else:
        assert got.mode.value is AccessMode.NONE
    if ctl.use_defaults:
        assert got.access_given.source is SettingSource.ASSOCIATE_DEFAULTS
        assert got.delay.source is SettingSource.ASSOCIATE_DEFAULTS


@given(own=own_settings(), ctl=controls(), new_delay=delays, new_contact=contacts)
def test_a_setting_follows_its_own_source_and_ignores_the_others(
    own: CentreAccess, ctl: AssociateSettings, new_delay: Delay, new_contact: ContactDetails | None
) -> None:
    """ASC-08: change the centre's own delay and contact; only centre-sourced settings follow."""
    got = effective(own, ctl)
    changed = CentreAccess(
        centre=own.centre,
        series=own.series,
        mode=own.mode,
        agreed_to_manage_queries=own.agreed_to_manage_queries,
        contact=new_contact,
        delay=new_delay,
    )
    again = effective(changed, ctl)
    for setting, new_value in (("delay", new_delay), ("contact", new_contact)):
        before, after = getattr(got, setting), getattr(again, setting)
        assert after.source is before.source
        expected = new_value if before.source is SettingSource.CENTRE else before.value
        assert after.value == expected


def _fingerprint(policy: Policy, settings: EffectiveSettings) -> str:
    visible = results_visible_from(policy, settings.series, settings.delay.value)
    return associates.letter_fingerprint(settings, visible)


@given(own=own_settings(), ctl=controls(), own2=own_settings(), ctl2=controls())
def test_a_letter_is_stale_exactly_when_its_effective_settings_changed(
    policy: Policy,
    own: CentreAccess,
    ctl: AssociateSettings,
    own2: CentreAccess,
    ctl2: AssociateSettings,
) -> None:
    """ASC-06: printed under one set of inputs, stale under another iff contact or delay differ."""
    before, after = effective(own, ctl), effective(own2, ctl2)
    printed = _fingerprint(policy, before)
    changed = (before.contact.value, before.delay.value) != (after.contact.value, after.delay.value)
    assert associates.is_stale(printed, _fingerprint(policy, after)) == changed


def test_a_letter_goes_stale_when_the_associate_changes_the_delay(policy: Policy) -> None:
    """ASC-06: the delay change lists exactly the letters printed before it."""
    own = CentreAccess(
        centre="GB123", series=JUNE, mode=AccessMode.ALL, agreed_to_manage_queries=True
    )
    row = AssociateCentreControls(centre="GB123", give_access=True)
    ctl = AssociateSettings(associate="AS100", series=JUNE, centres=(row,))
    old = _fingerprint(policy, effective(own, ctl))
    slower = AssociateCentreControls(centre="GB123", give_access=True, delay=Delay.parse("1 day"))
    new = _fingerprint(
        policy, effective(own, AssociateSettings(associate="AS100", series=JUNE, centres=(slower,)))
    )
    printed = [("0001", old), ("0002", new), ("0003", None)]
    assert associates.stale_letters(printed, new) == ("0001", "0003")


def test_the_fingerprint_ignores_where_a_value_came_from(policy: Policy) -> None:
    """ASC-06: the same contact and delay from another source do not make a letter stale."""
    own = CentreAccess(
        centre="GB123",
        series=JUNE,
        mode=AccessMode.ALL,
        agreed_to_manage_queries=True,
        contact=ASSOCIATE_CONTACT,
    )
    defaults = AssociateSettings(associate="AS100", series=JUNE, use_defaults=True)
    row = AssociateCentreControls(
        centre="GB123", give_access=True, contact=ContactChoice.CENTRE_DEFINED
    )
    per_centre = AssociateSettings(associate="AS100", series=JUNE, centres=(row,))
    a, b = effective(own, defaults), effective(own, per_centre)
    assert a.contact.source != b.contact.source
    assert _fingerprint(policy, a) == _fingerprint(policy, b)


def test_the_fingerprint_moves_with_the_release_time() -> None:
    """ASC-06: a new release instant changes what the letter says, so the letter is stale."""
    own = CentreAccess(centre="GB456", series=JUNE, contact=CENTRE_CONTACT)
    got = associates.effective_settings(own, centre=PLAIN)
    first = associates.letter_fingerprint(got, pendulum.datetime(2026, 8, 11, 6, tz="UTC"))
    later = associates.letter_fingerprint(got, pendulum.datetime(2026, 8, 12, 6, tz="UTC"))
    assert first != later
    assert first.startswith("lf1-")
