"""The parts letters share are drawn on every page, and a letter looks the same in its
batch, alone and split from its batch (CRW-09, CRW-10)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pendulum
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cambridge_results.errors import RenderError
from cambridge_results.rendering import LetterData
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer
from cambridge_results.rendering.pdf_split import split_pages
from cambridge_results.rendering.stationery import Stationery
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
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],
)
@given(batches())
def test_a_letter_looks_the_same_in_a_batch_alone_and_split_from_its_batch(
    tmp_path: Path, letter_factory: LetterFactory, specs: list[Spec]
) -> None:
    """CRW-09: a page of a batch, the same letter rendered alone and the letter split from
    the batch (smaller fonts, issue 13) are the same pixels."""
    letters = [letter_factory(n, name, contact=c, delay=d) for n, name, c, d in specs]
    batch = SHARED.render(letters, created=CREATED)
    run = str(len(list(tmp_path.iterdir())))
    drawn = pixels(batch, tmp_path, f"batch{run}")
    assert len(drawn) == len(letters)
    singles = list(split_pages(batch))
    for index, letter in enumerate(letters):
        alone = SHARED.render([letter], created=CREATED)
        assert pixels(alone, tmp_path, f"alone{run}_{index}") == [drawn[index]]
        assert pixels(singles[index], tmp_path, f"single{run}_{index}") == [drawn[index]]


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
    assert form_count(pdf) == 0


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(batches())
def test_replaying_shared_blocks_gives_the_same_bytes_as_drawing_them(
    letter_factory: LetterFactory, specs: list[Spec]
) -> None:
    """CRW-10: a block drawn once and replayed on later pages (``stationery=True``) makes
    a PDF byte for byte the same as drawing every block on every page, whatever the mix of
    names, centres' contacts and delays in the batch."""
    letters = [letter_factory(n, name, contact=c, delay=d) for n, name, c, d in specs]
    assert SHARED.render(letters, created=CREATED) == IN_FULL.render(letters, created=CREATED)


def test_a_letters_text_reads_in_the_order_of_the_page(letter_factory: LetterFactory) -> None:
    """CRW-09: the name comes before the login box, the password before the release time."""
    text = page_texts(SHARED.render([letter_factory("0001", "Zoë Brown")], created=CREATED))[0]
    assert text.index("Candidate name Zoë Brown") < text.index("Your login details")
    assert text.index("Your login details") < text.index("Password")
    assert text.index("Password") < text.index("When you can see your results")
    assert text.index("Questions about your results") < text.index("Important")


def test_a_block_cannot_be_placed_before_a_page_is_started() -> None:
    """CRW-10: a block belongs to a page; placing one on no page is an error."""
    paper = Stationery(FPDF())
    with pytest.raises(RenderError, match="start a page"):
        paper.place("title", 20.0, lambda pdf, y, draw: y)


@pytest.mark.parametrize("extra", ["outline", "encryption"])
def test_stationery_takes_fpdf2_documents_with_an_outline_or_encryption(extra: str) -> None:
    """CRW-10: a document with an outline (start_section) or encrypted by fpdf2 finishes,
    reads back and splits into its pages."""
    pdf = FPDF()
    if extra == "encryption":
        pdf.set_encryption(owner_password="owner")
    pdf.set_font("helvetica", size=12)
    paper = Stationery(pdf)
    for name in ("first", "second"):
        paper.start_page()
        if extra == "outline":
            pdf.start_section(name)
        paper.place("block", 30.0, lambda pdf, y, draw: pdf.text(20, y, "shared block") or y)
        pdf.text(20, 50, f"page {name}")
    data = paper.finish()
    assert page_texts(data) == ["shared block\npage first", "shared block\npage second"]
    singles = list(split_pages(data))
    assert [page_texts(single) for single in singles] == [[t] for t in page_texts(data)]
