"""Fixtures shared by the candidate results website tests (CRW, ASC)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pendulum
import pytest

from cambridge_results import Policy, example_2026
from cambridge_results.credentials import Secret
from cambridge_results.rendering import FontFace, LetterData
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer
from cambridge_results.values import ContactDetails, Delay, ExamSeries, Session

JUNE_2026 = ExamSeries(year=2026, session=Session.JUNE)


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The 2023 rules with the example 2026 series."""
    return example_2026()


@pytest.fixture
def june_2026() -> ExamSeries:
    """The June 2026 example series."""
    return JUNE_2026


@pytest.fixture
def created() -> pendulum.DateTime:
    """A pinned creation instant for reproducible PDFs."""
    return pendulum.datetime(2026, 3, 23, 9, 30, tz="UTC")


#: Where Debian's fonts-noto-cjk puts the CJK collection (CI installs it).
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

#: Names in the scripts the bundled fonts cover, by candidate number.
SAMPLE_NAMES = {
    "0713": "Zoë Łukasiewicz-Øster",
    "0042": "محمد عبد الله",
    "0100": "अनुष्का शर्मा",
    "0300": "דוד כהן",
    "0400": "Αλέξανδρος Παπαδόπουλος",
}


@pytest.fixture(scope="session")
def renderer() -> FpdfLetterRenderer:
    """The default renderer with only the bundled fonts, shared so fonts are read once."""
    return FpdfLetterRenderer()


@pytest.fixture(scope="session")
def cjk_face() -> FontFace:
    """The system Noto Sans CJK (Simplified Chinese face); skipped when not installed."""
    if not Path(CJK_FONT).is_file():
        reason = f"CJK fallback font not installed ({CJK_FONT}; apt-get install fonts-noto-cjk)"
        # CI installs the font and sets this, so a missing font fails there instead.
        if os.environ.get("CAMBRIDGE_RESULTS_REQUIRE_CJK_FONT") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return FontFace.file(CJK_FONT, family="NotoSansCJK", collection_index=2)


SAMPLE_PASSWORD = "abcd2345efgh"


def make_letter(
    number: str, name: str, *, password: str = SAMPLE_PASSWORD, **extra: object
) -> LetterData:
    """A letter of centre GB123 for June 2026 with pinned values."""
    fields: dict[str, object] = {
        "centre": "GB123",
        "series": "June 2026",
        "candidate_number": number,
        "candidate_name": name,
        "username": "k7mq4-xtw9p",
        "password": Secret(password),
        "contact": ContactDetails(
            name="Ann Lee", phone="+44 1223 553554", email="exams@riverside.example.org"
        ),
        "visible_from": pendulum.datetime(2026, 8, 13, 6, tz="UTC"),
        "delay": Delay.parse("2 days"),
        "centre_name": "Riverside School",
    }
    fields.update(extra)
    return LetterData(**fields)  # type: ignore[arg-type]


@pytest.fixture
def letter_factory() -> Callable[..., LetterData]:
    """Build pinned sample letters: ``letter_factory("0713", "Zoë Brown")``."""
    return make_letter


@pytest.fixture
def sample_letters() -> list[LetterData]:
    """One letter per bundled script, in a fixed order."""
    return [make_letter(n, name) for n, name in SAMPLE_NAMES.items()]
