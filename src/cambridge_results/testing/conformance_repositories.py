"""Conformance of the foundation repositories (centres, candidates, syllabuses, entries)."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cambridge_results.errors import (
    DuplicateError,
    InvalidValue,
    NotFound,
)
from cambridge_results.storage.port import Store, UnitOfWork
from cambridge_results.testing.conformance_base import (
    ACTOR,
    _Base,
    rolled_back,
)
from cambridge_results.values import (
    AssessedBy,
    Associate,
    Candidate,
    Centre,
    Component,
    ContactDetails,
    Entry,
    EntryStatus,
    Syllabus,
)

__all__ = ["RepositoryConformance"]


def _contact() -> ContactDetails:
    return ContactDetails(name="Exams Officer", email="exams@example.org")


def _syllabus() -> Syllabus:
    return Syllabus(
        code="0580",
        name="Mathematics",
        qualification="IGCSE",
        components=(
            Component(code="12", name="Paper 12", assessed_by=AssessedBy.BOARD),
            Component(code="42", name="Paper 42", assessed_by=AssessedBy.BOARD),
            Component(code="05", name="Coursework", assessed_by=AssessedBy.CENTRE),
        ),
    )


_names = st.text(
    alphabet=st.characters(categories=("L", "M", "Nd", "Zs", "Pd")), min_size=1, max_size=40
)


def _valid_candidate(given: str, family: str, number: int, uci: bool) -> Candidate | None:
    try:
        return Candidate(
            centre="GB123",
            number=f"{number:04d}",
            given_name=given,
            family_name=family,
            uci=f"GB12326{number:05d}A" if uci else None,
        )
    except InvalidValue:
        return None


class RepositoryConformance(_Base):
    """The foundation repositories over the primitives."""

    @pytest.fixture
    def board(self, store: Store) -> Store:
        """A store with an Associate, two centres, a syllabus and some candidates."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.associates.add(Associate(number="AS001", name="Associate One", contact=_contact()))
            uow.centres.add(Centre(number="GB123", name="Main Centre", contact=_contact()))
            uow.centres.add(Centre(number="GB456", name="Sub Centre", associate="AS001"))
            uow.syllabuses.add(_syllabus())
            for number, given, family, uci in [
                ("1000", "Zoë", "Ångström", None),
                ("0713", "Ali", "Khan", "GB1232600713A"),
                ("0002", "محمد", "Straße", None),
                ("0100", "Mei", "王", "GB1232600100B"),
            ]:
                uow.candidates.add(
                    Candidate(
                        centre="GB123",
                        number=number,
                        given_name=given,
                        family_name=family,
                        uci=uci,
                    )
                )
        return store

    def test_centres_and_associates_round_trip(self, board: Store) -> None:
        """Centres and Associates read back equal, and an Associate lists its centres (ASC-01)."""
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.centres.get("GB123") == Centre(
                number="GB123", name="Main Centre", contact=_contact()
            )
            assert uow.associates.get("as001").contact == _contact()
            assert [c.number.value for c in uow.associates.centres("AS001")] == ["GB456"]
            assert [c.number.value for c in uow.centres.all()] == ["GB123", "GB456"]
            assert [a.number.value for a in uow.associates.all()] == ["AS001"]
            assert uow.centres.find("GB999") is None
            with pytest.raises(NotFound):
                uow.centres.get("GB999")

    def test_saving_a_centre_replaces_its_details(self, board: Store) -> None:
        """``save`` replaces a stored centre; saving an unknown one is NotFound."""
        with board.unit_of_work(actor=ACTOR) as uow:
            uow.centres.save(Centre(number="GB123", name="Renamed", associate="AS001"))
            with pytest.raises(NotFound):
                uow.centres.save(Centre(number="GB999", name="Nobody"))
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.centres.get("GB123").name == "Renamed"
            assert len(uow.associates.centres("AS001")) == 2

    def test_a_centre_of_an_unknown_associate_or_a_duplicate_is_refused(self, board: Store) -> None:
        """Unknown Associate is NotFound, a taken number DuplicateError; nothing is written."""
        with pytest.raises(NotFound), board.unit_of_work(actor=ACTOR) as uow:
            uow.centres.add(Centre(number="GB777", name="Orphan", associate="AS999"))

        def new_then_taken(uow: UnitOfWork) -> None:
            uow.centres.add(Centre(number="GB777", name="New"))
            uow.centres.add(Centre(number="GB123", name="Again"))

        with pytest.raises(DuplicateError), board.unit_of_work(actor=ACTOR) as uow:
            new_then_taken(uow)
        with pytest.raises(InvalidValue), board.unit_of_work(actor=ACTOR) as uow:
            uow.centres.add("GB888")  # type: ignore[arg-type]
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.centres.find("GB777") is None

    def test_a_centres_candidates_come_in_ascending_candidate_number_order(
        self, board: Store
    ) -> None:
        """The candidate list is sorted by candidate number (CRW-07)."""
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            numbers = [c.number.value for c in uow.candidates.for_centre("GB123")]
            assert uow.candidates.for_centre("GB456") == []
        assert numbers == ["0002", "0100", "0713", "1000"]

    def test_candidates_are_found_by_name_part_number_or_uci(self, board: Store) -> None:
        """Search matches any case and script, 713 finds 0713 (EAR-12), and UCIs (CRW-07)."""
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:

            def found(query: str) -> list[str]:
                return [c.number.value for c in uow.candidates.search("GB123", query)]

            assert found("713") == ["0713"]
            assert found("0713") == ["0713"]
            assert found("2") == ["0002"]
            assert found("KHAN") == ["0713"]
            assert found("ali kh") == ["0713"]
            assert found("zoË") == ["1000"]
            assert found("ångSTRÖM") == ["1000"]
            assert found("STRASSE") == ["0002"]
            assert found("محمد") == ["0002"]
            assert found("王") == ["0100"]
            assert found("gb1232600100b") == ["0100"]
            assert found("nobody") == []
            with pytest.raises(InvalidValue):
                found("   ")

    def test_a_uci_belongs_to_one_candidate_only(self, board: Store) -> None:
        """A UCI is unique when present, across centres; candidates without one are fine."""
        with pytest.raises(DuplicateError), board.unit_of_work(actor=ACTOR) as uow:
            uow.candidates.add(
                Candidate(
                    centre="GB456",
                    number="0001",
                    given_name="Copy",
                    family_name="Cat",
                    uci="GB1232600713A",
                )
            )
        with board.unit_of_work(actor=ACTOR) as uow:
            uow.candidates.add(
                Candidate(centre="GB456", number="0001", given_name="No", family_name="Uci")
            )
            found = uow.candidates.by_uci("GB1232600713A")
            assert found is not None
            assert found.number.value == "0713"
            with pytest.raises(DuplicateError):
                uow.candidates.save(
                    attrs.evolve(uow.candidates.get("GB456", "1"), uci="GB1232600100B")
                )

    def test_a_candidate_needs_a_known_centre_and_a_free_number(self, board: Store) -> None:
        """Unknown centre is NotFound; a taken number is DuplicateError; nothing is written."""
        with pytest.raises(NotFound), board.unit_of_work(actor=ACTOR) as uow:
            uow.candidates.add(
                Candidate(centre="GB999", number="1", given_name="A", family_name="B")
            )
        with pytest.raises(DuplicateError), board.unit_of_work(actor=ACTOR) as uow:
            uow.candidates.add(
                Candidate(centre="GB123", number="713", given_name="A", family_name="B")
            )
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.candidates.get("GB123", "713").given_name == "Ali"
            assert uow.candidates.find("GB999", "1") is None

    def test_saving_a_candidate_replaces_names_and_uci(self, board: Store) -> None:
        """``save`` changes a stored candidate; an unknown one is NotFound."""
        with board.unit_of_work(actor=ACTOR) as uow:
            updated = attrs.evolve(uow.candidates.get("GB123", "713"), family_name="Khan-Smith")
            uow.candidates.save(updated)
            with pytest.raises(NotFound):
                uow.candidates.save(attrs.evolve(updated, number="9999", uci=None))
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.candidates.get("GB123", "0713") == updated

    @settings(
        max_examples=25,
        deadline=None,
        # One store serves every example (each example rolls its writes back),
        # and one mixin method runs once per backend class by design.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(given=_names, family=_names, number=st.integers(0, 9999), uci=st.booleans())
    def test_any_valid_candidate_reads_back_equal(
        self, board: Store, given: str, family: str, number: int, uci: bool
    ) -> None:
        """A candidate with any valid names in any script reads back equal (round trip)."""
        candidate = _valid_candidate(given, family, number, uci)
        if candidate is None:
            return
        with rolled_back(board) as uow:
            uow.centres.add(Centre(number="ZZ999", name="Round Trip"))
            candidate = attrs.evolve(candidate, centre="ZZ999")
            uow.candidates.add(candidate)
            assert uow.candidates.get("ZZ999", candidate.number) == candidate
            assert uow.candidates.search("ZZ999", candidate.family_name) == [candidate]

    def test_syllabuses_round_trip_with_their_components(self, board: Store) -> None:
        """A syllabus reads back equal, components and all."""
        with board.unit_of_work(actor=ACTOR) as uow:
            assert uow.syllabuses.get("0580") == _syllabus()
            changed = attrs.evolve(_syllabus(), name="Maths", art_and_design=True)
            uow.syllabuses.save(changed)
            with pytest.raises(DuplicateError):
                uow.syllabuses.add(_syllabus())
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.syllabuses.get("0580") == changed
            assert uow.syllabuses.all() == [changed]
            assert uow.syllabuses.find("9999") is None

    def test_valid_entries_decide_whether_a_centre_or_candidate_is_entered(
        self, board: Store
    ) -> None:
        """CRW-03: only valid (not withdrawn) entries count, per centre and per candidate."""
        with board.unit_of_work(actor=ACTOR) as uow:
            assert not uow.entries.centre_has_valid_entry("GB123", "June 2026")
            for number in ("1000", "0713"):
                uow.entries.add(
                    Entry(
                        centre="GB123",
                        series="June 2026",
                        candidate=number,
                        syllabus="0580",
                        components=("12", "42"),
                    )
                )
            uow.entries.save(
                attrs.evolve(
                    uow.entries.get("GB123", "2026-06", "1000", "0580"),
                    status=EntryStatus.WITHDRAWN,
                )
            )
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.entries.centre_has_valid_entry("GB123", "June 2026")
            assert not uow.entries.centre_has_valid_entry("GB123", "November 2026")
            assert not uow.entries.centre_has_valid_entry("GB456", "June 2026")
            assert uow.entries.candidate_has_valid_entry("GB123", "June 2026", "713")
            assert not uow.entries.candidate_has_valid_entry("GB123", "June 2026", "1000")
            assert uow.entries.candidates_with_valid_entry("GB123", "2026-06") == [
                uow.candidates.get("GB123", "713").number
            ]
            listed = uow.entries.for_centre("GB123", "June 2026")
            assert [e.candidate.value for e in listed] == ["0713", "1000"]
            assert [e.valid for e in listed] == [True, False]
            assert len(uow.entries.for_candidate("GB123", "June 2026", "0713")) == 1

    def test_an_entry_needs_a_known_candidate_syllabus_and_components(self, board: Store) -> None:
        """Unknown candidate or syllabus is NotFound, a foreign component InvalidValue."""
        entry = Entry(
            centre="GB123", series="June 2026", candidate="713", syllabus="0580", components=("12",)
        )
        for bad, error in (
            (attrs.evolve(entry, candidate="5555"), NotFound),
            (attrs.evolve(entry, syllabus="9999"), NotFound),
            (attrs.evolve(entry, components=("12", "99")), InvalidValue),
        ):
            with pytest.raises(error), board.unit_of_work(actor=ACTOR) as uow:
                uow.entries.add(bad)
        with board.unit_of_work(actor=ACTOR) as uow:
            uow.entries.add(entry)
            with pytest.raises(DuplicateError):
                uow.entries.add(entry)
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.entries.for_centre("GB123", "June 2026") == [entry]
