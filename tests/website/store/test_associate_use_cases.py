"""An Associate's controls on the store: access, delay, contact, staleness (ASC-01..08).

Every test runs on ``memory://`` and on a real SQLite file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from website_store_support import (
    ASSOCIATE,
    ASSOCIATE_CONTACT,
    CONTACT,
    MAIN,
    POLICY,
    SERIES,
    SUB,
    all_request,
    assert_letters_log_in,
    assoc,
    clock,
    credentials,
    snapshot,
    web,
)

from cambridge_results.associates import (
    AssociateCentreChange,
    AssociateContactChange,
    AssociateDefaults,
)
from cambridge_results.errors import AccessRefused, AssociateRefused, PermissionDenied
from cambridge_results.principals import AssociateOfficer
from cambridge_results.storage.port import Store
from cambridge_results.values import Delay
from cambridge_results.values.access import AccessMode, ContactChoice, SettingSource
from cambridge_results.website import (
    CredentialState,
    GenerationMode,
    GenerationReport,
    GenerationRequest,
)


def _centre_sets_all(store: Store, centre: str = "GB200", **extra: object) -> None:
    web(store, clock=clock(), policy=POLICY).set_access(
        AssociateOfficer(associate="AS001") if centre == "AS001" else _officer(centre),
        centre,
        SERIES,
        all_request(**extra),
    )


def _officer(centre: str) -> object:
    from cambridge_results.principals import CentreOfficer

    return CentreOfficer(centre=centre)


def _give(store: Store, centre: str = "GB200", **controls: object) -> None:
    assoc(store).set_centre(
        ASSOCIATE,
        AssociateCentreChange(
            associate="AS001",
            series=SERIES,
            centre=centre,
            **controls,  # type: ignore[arg-type]
        ),
    )


def _generate(
    store: Store, out: Path, mode: GenerationMode = GenerationMode.NEW, centres: Any = "GB200"
) -> GenerationReport:
    return web(
        store, clock=clock(), policy=POLICY, hasher_name="test-cheap", workers=0
    ).generate_letters(
        ASSOCIATE, GenerationRequest(centres=centres, series=SERIES, mode=mode, out_dir=out)
    )


def _first_letter_text(report: GenerationReport) -> str:
    assert report.zip_file is not None
    with zipfile.ZipFile(report.zip_file) as archive:
        first = archive.read(archive.namelist()[0])
    return PdfReader(io.BytesIO(first)).pages[0].extract_text()


def test_an_associate_centre_has_no_access_until_its_associate_gives_it(
    board: Store, tmp_path: Path
) -> None:
    """ASC-01, ASC-03: the centre's own ALL counts only once the Associate gives access."""
    _centre_sets_all(board)
    settings = web(board).centre_settings(SUB, "GB200", SERIES)
    assert settings.effective.access_given.value is False
    assert settings.effective.mode.value is AccessMode.NONE
    before = snapshot(board)
    with pytest.raises(AssociateRefused) as caught:
        _generate(board, tmp_path)
    assert "ASC-03.access-not-given" in caught.value.codes
    assert snapshot(board) == before


def test_giving_access_generates_nothing_until_someone_asks(board: Store, tmp_path: Path) -> None:
    """ASC-03: access given later: the Associate or the centre must then generate credentials."""
    _centre_sets_all(board)
    _give(board, give_access=True, contact="centre-defined")
    settings = web(board).centre_settings(SUB, "GB200", SERIES)
    assert settings.effective.access_given.source is SettingSource.ASSOCIATE_PER_CENTRE
    assert settings.effective.mode.value is AccessMode.ALL
    assert credentials(board, "GB200") == {}
    report = _generate(board, tmp_path)
    assert report.letters == 4
    assert_letters_log_in(board, report)


def test_taking_access_away_revokes_the_centres_credentials(board: Store, tmp_path: Path) -> None:
    """ASC-03: access removed: that centre's candidates can no longer use the website."""
    _centre_sets_all(board)
    _give(board, give_access=True, contact="centre-defined")
    _generate(board, tmp_path)
    result = assoc(board, clock=clock(), policy=POLICY).set_centre(
        ASSOCIATE,
        AssociateCentreChange(associate="AS001", series=SERIES, centre="GB200", give_access=False),
    )
    assert result.revoked == 4
    assert {r.state for r in credentials(board, "GB200").values()} == {CredentialState.REVOKED}
    kinds = [e.kind for e in web(board).read_history(SUB, "GB200", SERIES)]
    assert kinds[-2:] == ["website.associate-controls-set", "website.credentials-revoked"]


def test_use_defaults_gives_every_associate_centre_access_with_the_default_settings(
    board: Store, tmp_path: Path
) -> None:
    """ASC-02, ASC-05: "Use defaults": all centres get access, the default delay and contact."""
    _centre_sets_all(board, "GB200")
    _centre_sets_all(board, "GB201")
    assoc(board, clock=clock()).set_contact(
        ASSOCIATE,
        AssociateContactChange(
            associate="AS001", name=ASSOCIATE_CONTACT.name, email=ASSOCIATE_CONTACT.email
        ),
    )
    result = assoc(board, clock=clock(), policy=POLICY).set_defaults(
        ASSOCIATE,
        AssociateDefaults(
            associate="AS001",
            series=SERIES,
            use_defaults=True,
            default_delay="PT36H",
            default_contact=ContactChoice.DEFAULT,
        ),
    )
    assert result.settings.use_defaults
    for centre in ("GB200", "GB201"):
        effective = web(board).centre_settings(ASSOCIATE, centre, SERIES).effective
        assert effective.access_given.source is SettingSource.ASSOCIATE_DEFAULTS
        assert effective.delay.value == Delay.parse("36 hours")
        assert effective.delay.source is SettingSource.ASSOCIATE_DEFAULTS
        assert effective.contact.value == ASSOCIATE_CONTACT
    report = _generate(board, tmp_path, centres=["GB200", "GB201"])
    assert report.letters == 6
    assert report.zip_file is not None
    assert report.zip_file.name == f"{SERIES}_run{report.run:06d}.zip"
    text = _first_letter_text(report)
    assert ASSOCIATE_CONTACT.name in text
    assert "1 day 12 hours" in text
    assert_letters_log_in(board, report)


def test_default_contact_without_associate_details_cannot_print_letters(
    board: Store, tmp_path: Path
) -> None:
    """ASC-05, CRW-04: "Default" contact needs the Associate's contact details on the letters."""
    _centre_sets_all(board, contact_name="", phone="", email="")
    _give(board, give_access=True, contact=ContactChoice.DEFAULT)
    with pytest.raises(AccessRefused) as caught:
        _generate(board, tmp_path)
    assert caught.value.codes == ("CRW-04.contact-missing",)


def test_centre_defined_contact_prints_the_centres_own_contact(
    board: Store, tmp_path: Path
) -> None:
    """ASC-05: "Centre defined" makes the Associate Centre's exams officer the contact."""
    _centre_sets_all(board)
    _give(board, give_access=True, contact="centre-defined", delay="5 hours")
    settings = web(board).centre_settings(SUB, "GB200", SERIES)
    assert settings.effective.contact.source is SettingSource.CENTRE
    assert settings.effective.delay.source is SettingSource.ASSOCIATE_PER_CENTRE
    text = _first_letter_text(_generate(board, tmp_path))
    assert CONTACT.name in text
    assert "This includes a delay of 5 hours" in text


def test_changing_a_delay_makes_the_letters_stale_and_stale_regenerates_exactly_them(
    board: Store, tmp_path: Path
) -> None:
    """ASC-04, ASC-06: a new delay makes printed letters stale; STALE reprints only those."""
    _centre_sets_all(board)
    _give(board, give_access=True, contact="centre-defined")
    _generate(board, tmp_path / "a")
    assert web(board, policy=POLICY).list_stale_letters(SUB, "GB200", SERIES) == ()
    _give(board, delay="P1D")
    stale = web(board, policy=POLICY).list_stale_letters(SUB, "GB200", SERIES)
    assert [n.value for n in stale] == ["0101", "0102", "0103", "0104"]
    old = credentials(board, "GB200")
    report = _generate(board, tmp_path / "b", GenerationMode.STALE)
    assert report.letters == 4
    assert web(board, policy=POLICY).list_stale_letters(SUB, "GB200", SERIES) == ()
    new = credentials(board, "GB200")
    assert all(new[n].password_hash != old[n].password_hash for n in new)
    assert _generate(board, tmp_path / "c", GenerationMode.STALE).letters == 0


def test_the_same_contact_from_another_source_does_not_make_letters_stale(
    board: Store, tmp_path: Path
) -> None:
    """ASC-06: a letter is stale only when what it prints changes, not where it came from."""
    _centre_sets_all(board)
    assoc(board, clock=clock()).set_contact(
        ASSOCIATE,
        AssociateContactChange(
            associate="AS001", name=CONTACT.name, phone=CONTACT.phone, email=CONTACT.email
        ),
    )
    _give(board, give_access=True, contact="default")
    _generate(board, tmp_path)
    _give(board, contact="centre-defined")
    assert web(board, policy=POLICY).list_stale_letters(SUB, "GB200", SERIES) == ()
    assoc(board, clock=clock()).set_contact(
        ASSOCIATE,
        AssociateContactChange(associate="AS001", name="Somebody Else", phone="+44 1223 000000"),
    )
    assert web(board, policy=POLICY).list_stale_letters(SUB, "GB200", SERIES) == ()
    _give(board, contact="default")
    assert len(web(board, policy=POLICY).list_stale_letters(SUB, "GB200", SERIES)) == 4


def test_only_the_associate_itself_changes_its_controls(board: Store) -> None:
    """ASC-07: the Associate Centre, another centre or another Associate may not."""
    before = snapshot(board)
    for who in (SUB, MAIN, AssociateOfficer(associate="AS002")):
        with pytest.raises(PermissionDenied) as caught:
            assoc(board, clock=clock(), policy=POLICY).set_defaults(
                who, AssociateDefaults(associate="AS001", series=SERIES, use_defaults=True)
            )
        assert caught.value.rule == "ASC-07"
        with pytest.raises(PermissionDenied):
            assoc(board, clock=clock()).set_contact(
                who, AssociateContactChange(associate="AS001", name="X Y", phone="+44 1223 553554")
            )
        with pytest.raises(PermissionDenied):
            assoc(board).get_settings(who, "AS001", SERIES)
    assert snapshot(board) == before


def test_the_associate_may_not_set_its_centres_own_mode(board: Store) -> None:
    """ASC-07: the centre decides its own mode; the Associate steers through its controls."""
    before = snapshot(board)
    with pytest.raises(PermissionDenied) as caught:
        web(board, clock=clock(), policy=POLICY).set_access(
            ASSOCIATE, "GB200", SERIES, all_request()
        )
    assert "ASC-07.centre-decides" in caught.value.message
    assert snapshot(board) == before


def test_controls_for_a_centre_that_is_not_an_associate_centre_are_refused(board: Store) -> None:
    """ASC-01: an Associate controls only its own Associate Centres."""
    before = snapshot(board)
    with pytest.raises(AssociateRefused) as caught:
        _give(board, "GB100", give_access=True)
    assert caught.value.codes == ("ASC-01.not-an-associate-centre",)
    assert snapshot(board) == before


def test_the_associates_history_and_settings_read_back(board: Store) -> None:
    """SPEC 5: the Associate's changes are events; its settings read back as saved."""
    _give(board, give_access=True, delay="PT2H", contact="centre-defined")
    assoc(board, clock=clock(), policy=POLICY).set_defaults(
        ASSOCIATE, AssociateDefaults(associate="AS001", series=SERIES, default_delay="P1D")
    )
    assoc(board, clock=clock()).set_contact(
        ASSOCIATE,
        AssociateContactChange(associate="AS001", name="Omar Haddad", email="o@a.example"),
    )
    settings = assoc(board).get_settings(ASSOCIATE, "AS001", SERIES)
    assert settings.use_defaults is False
    assert settings.default_delay == Delay.parse("1 day")
    (row,) = settings.centres
    assert (row.give_access, row.delay, row.contact) == (
        True,
        Delay.parse("2 hours"),
        ContactChoice.CENTRE_DEFINED,
    )
    history = assoc(board).history(ASSOCIATE, "AS001")
    assert [e.kind for e in history] == [
        "website.associate-defaults-set",
        "website.associate-contact-set",
    ]
    assert assoc(board).history(ASSOCIATE, "AS001", SERIES)[0].details["default_delay"] == "P1D"
    centre_events = web(board).read_history(ASSOCIATE, "GB200")
    assert [e.kind for e in centre_events] == ["website.associate-controls-set"]
    assert centre_events[0].details == {
        "associate": "AS001",
        "give_access": True,
        "delay": "PT2H",
        "contact": "centre-defined",
    }
