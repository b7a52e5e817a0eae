"""open_board: one application surface over one store, on every backend (issue 11)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pendulum
import pytest

from cambridge_results.associates import Associates
from cambridge_results.board import SCHEMA, Board, open_board
from cambridge_results.board_data import BoardData
from cambridge_results.clock import FixedClock
from cambridge_results.csv_rows import ImportRejected
from cambridge_results.enquiries import Enquiries
from cambridge_results.errors import InvalidValue, PolicyError, RenderError
from cambridge_results.logins import Logins
from cambridge_results.principals import BoardStaff, CentreOfficer
from cambridge_results.reports import Reports
from cambridge_results.sample_board import give_sample_access, sample_board, store_sample_board
from cambridge_results.testing.conformance_base import StoreURL
from cambridge_results.testing.logins_kit import cheap_policy
from cambridge_results.values import CentreNumber
from cambridge_results.website import GenerationMode, GenerationRequest, Website

#: After the June 2026 credential window opens (CRW-02), before results come out.
NOW = pendulum.datetime(2026, 7, 1, 9, tz="UTC")


def _open(url: str) -> Board:
    return open_board(
        url, policy=cheap_policy(), clock=FixedClock(NOW), hasher_name="test-cheap", workers=0
    )


def test_a_board_holds_each_application_object_over_one_context(
    store_url: StoreURL, tmp_path: Path
) -> None:
    """board.website, .associates, .logins, .reports and .enquiries share one store and policy."""
    with _open(store_url(tmp_path)) as board:
        parts = {
            Website: board.website,
            Associates: board.associates,
            Logins: board.logins,
            Reports: board.reports,
            Enquiries: board.enquiries,
        }
        for kind, part in parts.items():
            assert isinstance(part, kind)
            assert part.context is board.context
        assert isinstance(board.data, BoardData)
        assert board.data.context is board.context
        assert board.store.schema_version() == len(SCHEMA)
        assert board.policy.name == cheap_policy().name
        assert board.clock.now() == NOW


def test_letters_generated_through_the_board_are_on_disk_for_every_candidate(
    store_url: StoreURL, tmp_path: Path
) -> None:
    """The sample board stored, access given and letters generated, all through one board."""
    sample = sample_board(associate_centres=1, candidates_per_centre=3)
    with _open(store_url(tmp_path)) as board:
        store_sample_board(board.context, sample)
        give_sample_access(board.website, board.associates, sample)
        report = board.website.generate_letters(
            CentreOfficer(centre="GB100"),
            GenerationRequest(
                centres=("GB100",),
                series=sample.series,
                mode=GenerationMode.ALL,
                out_dir=tmp_path / "letters",
            ),
        )
    assert report.letters == 3
    with zipfile.ZipFile(report.zip_file) as letters:
        assert len(letters.namelist()) == 3


def test_a_wrong_policy_is_refused_before_anything_is_opened(tmp_path: Path) -> None:
    """A policy that is not a Policy is InvalidValue, and no database file appears."""
    db = tmp_path / "board.db"
    with pytest.raises(InvalidValue, match="policy"):
        open_board(f"sqlite:///{db}", policy="international-2023")  # type: ignore[arg-type]
    assert not db.exists()


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"letter_renderer": "no-such-renderer"}, RenderError),
        ({"hasher_name": "no-such-hasher"}, PolicyError),
    ],
    ids=["renderer", "hasher"],
)
def test_an_unknown_renderer_or_hasher_creates_no_database(
    tmp_path: Path, options: dict[str, str], error: type[Exception]
) -> None:
    """Options checkable without the store are checked first: nothing is created."""
    db = tmp_path / "board.db"
    with pytest.raises(error):
        open_board(f"sqlite:///{db}", policy=cheap_policy(), **options)  # type: ignore[arg-type]
    assert not db.exists()


def test_a_closed_board_cannot_be_used(tmp_path: Path) -> None:
    """close() closes the store under every application object."""
    board = _open(f"sqlite:///{tmp_path / 'board.db'}")
    board.close()
    with pytest.raises(Exception, match="closed"):
        board.website.centre_settings(
            CentreOfficer(centre="GB100"), CentreNumber("GB100"), "June 2026"
        )


def test_a_board_is_set_up_from_csv_through_board_data(store_url: StoreURL, tmp_path: Path) -> None:
    """board.data adds Associates and centres; a bad row rejects the whole file, writing nothing."""
    staff = BoardStaff(staff_id="setup")
    with _open(store_url(tmp_path)) as board:
        assert board.data.import_rows(staff, "associates", "number,name\nGB200,North\n") == 1
        centres = "number,name,associate\nGB201,One,GB200\nGB202,Two,GB200\n"
        assert board.data.import_rows(staff, "centres", centres) == 2
        with pytest.raises(ImportRejected) as rejected:
            board.data.import_rows(staff, "centres", "number,name\nGB203,Three\nnot-a-centre,X\n")
        assert [p.line for p in rejected.value.problems] == [3]

        found = board.context.read(
            lambda uow: sorted(str(c.number) for c in uow.associates.centres("GB200")),
            actor="test",
        )
        assert found == ["GB201", "GB202"]
        with pytest.raises(InvalidValue):
            board.data.import_rows(CentreOfficer(centre="GB201"), "centres", centres)
