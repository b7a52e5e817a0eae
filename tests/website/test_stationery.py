"""Letters whose shared parts are drawn once per batch look exactly as if drawn in full
(CRW-09, CRW-10)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pendulum
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cambridge_results.errors import RenderError
from cambridge_results.rendering import LetterData
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer
from cambridge_results.rendering.stationery import Stationery, attach
from cambridge_results.values import ContactDetails, Delay

LetterFactory = Callable[..., LetterData]
Spec = tuple[str, str, ContactDetails, Delay]
SCRIPTS = ["Zoë Łukasiewicz-Øster", "محمد عبد الله", "अनुष्का शर्मा", "דוד כהן"]
CREATED = pendulum.datetime(2026, 3, 23, 9, 30, tz="UTC")
SHARED = FpdfLetterRenderer()
IN_FULL = FpdfLetterRenderer(fonts=SHARED.fonts, stationery=False)

needs_pdftoppm = pytest.mark.skipif(
    shutil.which("pdftoppm") is None,
    reason="poppler-utils' pdftoppm is not installed (apt-get install poppler-utils)",
)


def pixels(pdf: bytes, directory: Path, name: str) -> list[bytes]:
    """Every page rasterised by poppler, as PPM bytes."""
    source = directory / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", str(source), str(directory / name)],
        check=True,
        capture_output=True,
    )
    return [p.read_bytes() for p in sorted(directory.glob(f"{name}-*.ppm"))]


def page_texts(pdf: bytes) -> list[str]:
    """The text of every page, as pypdf reads it back."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def form_count(pdf: bytes) -> int:
    """How many different form XObjects the pages paint."""
    forms = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"].get("/XObject", {}).values():
            if ref.get_object()["/Subtype"] == "/Form":
                forms.add(ref.idnum)
    return len(forms)


names = st.one_of(
    st.sampled_from(SCRIPTS),
    st.text(st.sampled_from("abcdefghij KLMNOPQ-'"), min_size=1, max_size=120).filter(str.strip),
)
contacts = st.builds(
    ContactDetails,
    name=st.sampled_from(
        ["Ann Lee", ("Dr Bartholomew Featherstonehaugh-Cholmondeley " * 2).strip()]
    ),
    phone=st.sampled_from([None, "+44 1223 553554"]),
    email=st.sampled_from(["exams@riverside.example.org", "a.very.long.mailbox@example.org"]),
)
delays = st.sampled_from([Delay(), Delay.parse("2 days"), Delay.parse("3 days 4 hours")])


@st.composite
def batches(draw: st.DrawFn) -> list[Spec]:
    """One to four letters of up to two centres, each centre with its own contact and delay."""
    centres = draw(st.lists(st.tuples(contacts, delays), min_size=1, max_size=2))
    count = draw(st.integers(min_value=1, max_value=4))
    specs = []
    for i in range(count):
        contact, delay = centres[draw(st.integers(0, len(centres) - 1))]
        specs.append((f"{i + 1:04d}", draw(names).strip(), contact, delay))
    return specs


@needs_pdftoppm
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches())
def test_pages_with_stationery_are_pixel_identical_to_pages_drawn_in_full(
    tmp_path: Path, letter_factory: LetterFactory, specs: list[Spec]
) -> None:
    """CRW-09: drawing the shared parts once per batch changes no pixel of any letter."""
    letters = [letter_factory(n, name, contact=c, delay=d) for n, name, c, d in specs]
    shared = SHARED.render(letters, created=CREATED)
    in_full = IN_FULL.render(letters, created=CREATED)
    run = str(len(list(tmp_path.iterdir())))
    drawn = pixels(shared, tmp_path, f"shared{run}")
    assert len(drawn) == len(letters)
    assert drawn == pixels(in_full, tmp_path, f"full{run}")


def test_each_letter_shows_its_own_centres_contact_and_delay(
    letter_factory: LetterFactory,
) -> None:
    """CRW-09, ASC-05: blocks are placed per page, so centres in one batch never mix."""
    first = ContactDetails(name="Ann Lee", email="ann@one.example.org")
    second = ContactDetails(name="Bo Chan", phone="+44 1223 000111")
    letters = [
        letter_factory("0001", "Zoë Brown", contact=first, delay=Delay()),
        letter_factory("0002", "Ivan Petrov", contact=second, delay=Delay.parse("2 days")),
        letter_factory("0003", "Ahmed Khan", contact=first, delay=Delay()),
    ]
    pdf = SHARED.render(letters, created=CREATED)
    texts = page_texts(pdf)
    assert len(texts) == 3
    for text, own, other in zip(
        texts, [first, second, first], [second, first, second], strict=True
    ):
        assert own.name in text
        assert other.name not in text
    assert "delay of 2 days" in texts[1]
    assert "delay" not in texts[0] + texts[2]
    # Header, login, important; "when" and "questions" once per centre.
    assert form_count(pdf) == 3 + 2 + 2


def test_a_batch_shares_its_blocks_and_drawing_in_full_shares_none(
    letter_factory: LetterFactory,
) -> None:
    """CRW-10: a hundred letters of one centre paint five forms; in full, none."""
    letters = [letter_factory(f"{i:04d}", "Zoë Brown") for i in range(1, 101)]
    assert form_count(SHARED.render(letters, created=CREATED)) == 5
    assert form_count(IN_FULL.render(letters[:2], created=CREATED)) == 0


def test_stationery_text_reads_before_the_pages_own_text(letter_factory: LetterFactory) -> None:
    """CRW-09: the login box is painted first, so the password is drawn on top of it."""
    text = page_texts(SHARED.render([letter_factory("0001", "Zoë Brown")], created=CREATED))[0]
    assert text.index("Your login details") < text.index("Password")
    assert text.index("Important") < text.index("Candidate name Zoë Brown")


def test_a_block_cannot_be_placed_before_a_page_is_started() -> None:
    """CRW-10: a block belongs to a page; placing one on no page is an error."""
    paper = Stationery(FPDF())
    with pytest.raises(RenderError, match="start a page"):
        paper.place("title", 20.0, lambda pdf, y, draw: y)


def test_attach_refuses_a_pdf_it_did_not_write_or_too_few_pages(
    letter_factory: LetterFactory,
) -> None:
    """CRW-10: stationery goes only onto the renderer's own documents."""
    with pytest.raises(RenderError, match="fewer pages than letters"):
        attach(SHARED.render([letter_factory("0001", "Zoë Brown")], created=CREATED), [[], []])
    with pytest.raises(RenderError):
        attach(b"%PDF-1.4\nnot really\n", [[]])
