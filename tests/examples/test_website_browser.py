"""The reference web app (examples/website) driven in a real browser (issue 12, item 6).

One app and one browser per module; the tests run in order and build on each
other as a centre and an Associate would: the centre chooses SELECTED and
ticks, generates letters and downloads them; the Associate changes a delay,
sees the stale letters and regenerates them; a candidate logs in with a
letter.  Every page is saved as a screenshot under the tests' tmp dir.
"""

from __future__ import annotations

import io
import os
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pendulum
import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow

try:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait
except ImportError:  # pragma: no cover - the test extra installs selenium
    if os.environ.get("CAMBRIDGE_RESULTS_REQUIRE_BROWSER") == "1":
        raise
    pytest.skip("selenium is not installed (the test extra)", allow_module_level=True)


def _submit(browser, css: str) -> None:
    """Click the button ``css`` names and wait until the next page has loaded."""
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, css).click()

    def replaced(driver) -> bool:
        try:
            page.is_enabled()
        except WebDriverException:  # stale, or a node of a document that has gone
            return driver.execute_script("return document.readyState") == "complete"
        return False

    WebDriverWait(browser, 15, poll_frequency=0.05).until(replaced)


def _go(browser, live_app, path: str) -> None:
    browser.get(live_app.url + path)


def _text(browser, css: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, css).text


def _sign_in(browser, live_app, who: str) -> None:
    _go(browser, live_app, "/signin")
    browser.find_element(By.CSS_SELECTOR, f"input[value='{who}']").click()
    _submit(browser, "#sign-in")


def _wait_finished(browser, seconds: float = 30) -> None:
    """Wait while the progress page refreshes itself, until the run has finished."""

    def finished(driver) -> bool:
        try:
            return not driver.find_element(By.ID, "status").text.startswith("Generating")
        except WebDriverException:  # the page was being replaced by its refresh
            return False

    WebDriverWait(browser, seconds, poll_frequency=0.2).until(finished)


def _download(browser, href: str) -> bytes:
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    request = urllib.request.Request(href, headers={"Cookie": cookie})  # noqa: S310 - localhost
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body: bytes = response.read()
    return body


def _numbers(browser) -> list[str]:
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#candidates td.number")]


def test_home_and_staff_sign_in_pages_offer_both_websites(browser, live_app, screenshots):
    """The start page links the candidate website and the staff sign-in, which names every role."""
    _go(browser, live_app, "/")
    assert "Log in to see your results" in browser.page_source
    screenshots("01-home")
    _go(browser, live_app, "/signin")
    labels = browser.find_element(By.TAG_NAME, "form").text
    assert "centre GB100" in labels
    assert "Cambridge Associate GB200" in labels
    screenshots("02-signin")


def test_centre_lists_candidates_in_ascending_number_order_and_searches(
    browser, live_app, screenshots
):
    """CRW-07: the list is in candidate-number order; name, number and UCI each find one."""
    _sign_in(browser, live_app, "centre:GB100")
    assert "Candidate results website administration" in browser.title
    numbers = _numbers(browser)
    assert numbers == sorted(numbers)
    assert len(numbers) == 12
    screenshots("03-centre-all")
    first_row = browser.find_elements(By.CSS_SELECTOR, "#candidates tr")[1]
    cells = [c.text for c in first_row.find_elements(By.TAG_NAME, "td")]
    for query in ("1", cells[3], cells[2].split()[0]):
        box = browser.find_element(By.NAME, "q")
        box.clear()
        box.send_keys(query)
        _submit(browser, "#search button")
        assert "0001" in _numbers(browser), query
    assert len(_numbers(browser)) >= 1
    screenshots("04-centre-search")


def test_centre_refusal_lists_every_problem_and_keeps_the_status(browser, live_app, screenshots):
    """CRW-04: ALL without the agreement or a contact is refused, saying both, nothing saved."""
    _sign_in(browser, live_app, "centre:GB100")
    browser.find_element(By.CSS_SELECTOR, "input[name=mode][value=all]").click()
    agreed = browser.find_element(By.NAME, "agreed")
    if agreed.is_selected():
        agreed.click()
    browser.find_element(By.NAME, "contact_name").clear()
    browser.find_element(By.NAME, "phone").clear()
    _submit(browser, "#status-form button")
    flash = _text(browser, "#flash")
    assert flash.startswith("Not saved")
    assert "agree to manage queries" in flash
    assert "contact's name" in flash
    assert browser.find_element(By.NAME, "contact_name").get_attribute("value") == "Sam Exams"
    screenshots("05-centre-refused")


def test_centre_selects_ticks_and_saves(browser, live_app, screenshots):
    """CRW-01, CRW-07, CRW-08: SELECTED with agreement, contact and delay; two ticks saved."""
    _sign_in(browser, live_app, "centre:GB100")
    browser.find_element(By.CSS_SELECTOR, "input[name=mode][value=selected]").click()
    agreed = browser.find_element(By.NAME, "agreed")
    if not agreed.is_selected():
        agreed.click()
    delay = browser.find_element(By.NAME, "delay")
    delay.clear()
    delay.send_keys("1 day")
    _submit(browser, "#status-form button")
    assert _text(browser, "#flash").startswith("Status saved")
    assert "12 August 2026, 07:00" in _text(browser, "#visible-from")
    for number in ("0002", "0005"):
        browser.find_element(By.CSS_SELECTOR, f"input[name=tick][value='{number}']").click()
    _submit(browser, "#ticks button")
    assert _text(browser, "#flash") == "Saved: 2 ticked, 0 unticked."
    ticked = [
        e.get_attribute("value")
        for e in browser.find_elements(By.CSS_SELECTOR, "input[name=tick]")
        if e.is_selected()
    ]
    assert ticked == ["0002", "0005"]
    screenshots("06-centre-selected")


def test_centre_generates_letters_with_progress_and_downloads_them(browser, live_app, screenshots):
    """CRW-10: a run shows its progress, then the combined PDF and the zip, one page per letter."""
    _sign_in(browser, live_app, "centre:GB100")
    _submit(browser, "#generate button")
    assert "/jobs/" in browser.current_url
    screenshots("07-generate-progress")
    _wait_finished(browser)
    assert _text(browser, "#status") == "Finished"
    links = browser.find_elements(By.CSS_SELECTOR, "a.download")
    names = [a.text for a in links]
    assert names[0].endswith(".pdf")
    assert names[-1].endswith(".zip")
    screenshots("08-generate-finished")
    pdf = PdfReader(io.BytesIO(_download(browser, links[0].get_attribute("href"))))
    assert len(pdf.pages) == 2
    with zipfile.ZipFile(io.BytesIO(_download(browser, links[-1].get_attribute("href")))) as z:
        names = sorted(z.namelist())
        assert [n.rsplit("_", 1)[-1] for n in names] == ["0002.pdf", "0005.pdf"]
        (live_app.out_dir.parent / "letter-0002.pdf").write_bytes(z.read(names[0]))


def test_another_officer_cannot_open_a_centres_letters(browser, live_app):
    """ASC-07: the run's files are only for the officer who started it."""
    _sign_in(browser, live_app, "centre:GB100")
    browser.get(browser.find_element(By.CSS_SELECTOR, "a[href^='/jobs/']").get_attribute("href"))
    href = browser.find_elements(By.CSS_SELECTOR, "a.download")[0].get_attribute("href")
    _sign_in(browser, live_app, "centre:GB201")
    with pytest.raises(urllib.error.HTTPError) as refused:
        _download(browser, href)
    assert refused.value.code == 404


def test_associate_sees_stale_letters_after_a_delay_change_and_regenerates(
    browser, live_app, screenshots
):
    """ASC-02, ASC-04, ASC-06: a new default delay makes letters stale until regenerated."""
    _sign_in(browser, live_app, "associate:GB200")
    assert _text(browser, "h1").startswith("Associate Centres")
    browser.find_element(By.CSS_SELECTOR, "#generate input[value=new]").click()
    _submit(browser, "#generate button")
    _wait_finished(browser)
    assert _text(browser, "#status") == "Finished"
    _go(browser, live_app, "/associate")
    assert _text(browser, "#stale-summary") == "No letter is out of date."
    delay = browser.find_element(By.NAME, "default_delay")
    delay.clear()
    delay.send_keys("3 days")
    _submit(browser, "#defaults button")
    assert _text(browser, "#flash").startswith("Saved")
    summary = _text(browser, "#stale-summary")
    assert re.match(r"24 printed letters no longer match", summary), summary
    screenshots("09-associate-stale")
    _submit(browser, "#generate button")
    _wait_finished(browser)
    screenshots("10-associate-regenerated")
    _go(browser, live_app, "/associate")
    assert _text(browser, "#stale-summary") == "No letter is out of date."


def test_associate_sets_access_delay_and_contact_per_centre(browser, live_app, screenshots):
    """ASC-02, ASC-04, ASC-05: without defaults one centre gets access, a delay and its contact."""
    _sign_in(browser, live_app, "associate:GB200")
    browser.find_element(By.NAME, "use_defaults").click()
    _submit(browser, "#defaults button")
    assert _text(browser, "#flash").startswith("Saved")
    browser.find_element(By.CSS_SELECTOR, "input[aria-label='Give GB201 access']").click()
    delay = browser.find_element(By.CSS_SELECTOR, "input[form='centre-GB201'][name=delay]")
    delay.clear()
    delay.send_keys("1 day")
    contact = browser.find_element(By.CSS_SELECTOR, "select[form='centre-GB201']")
    contact.find_element(By.CSS_SELECTOR, "option[value=centre-defined]").click()
    _submit(browser, "button[form='centre-GB201']")
    assert _text(browser, "#flash").startswith("Saved")
    row = browser.find_elements(By.CSS_SELECTOR, "#centres tr")[1].text
    assert "12 August 2026, 07:00" in row
    assert browser.find_element(
        By.CSS_SELECTOR, "input[aria-label='Give GB201 access']"
    ).is_selected()
    assert not browser.find_element(
        By.CSS_SELECTOR, "input[aria-label='Give GB202 access']"
    ).is_selected()
    name = browser.find_element(By.CSS_SELECTOR, "#contact input[name=name]")
    name.clear()
    name.send_keys("Northern Results Desk")
    _submit(browser, "#contact button")
    assert _text(browser, "#flash") == "Default contact details saved."
    screenshots("11-associate-per-centre")


def test_candidate_login_refuses_wrong_details_then_locks_saying_when(
    browser, live_app, screenshots
):
    """LOG-01, LOG-02: the generic answer twice, then the lockout with the time to try again."""
    _go(browser, live_app, "/results/login")
    screenshots("12-candidate-login")
    messages = []
    for _ in range(4):
        browser.find_element(By.NAME, "username").send_keys("nobody-here")
        browser.find_element(By.NAME, "password").send_keys("not-the-password")
        _submit(browser, "#login button")
        messages.append(_text(browser, "#refused"))
    assert messages[0] == messages[1]
    assert "try again" in messages[-1].lower()
    screenshots("13-candidate-locked")


def _letter_credentials(path: Path) -> tuple[str, str]:
    text = PdfReader(path).pages[0].extract_text()
    username = re.search(r"Username\s+(\S+)", text)
    password = re.search(r"Password\s+(\S+(?: \S+)*)", text)
    assert username, text
    assert password, text
    return username.group(1), password.group(1).replace(" ", "")


def test_candidate_sees_when_results_come_then_provisional_results(browser, live_app, screenshots):
    """LOG-03, CRW-05, CRW-11: before release + delay the time; after, results and the warning."""
    username, password = _letter_credentials(live_app.out_dir.parent / "letter-0002.pdf")
    _go(browser, live_app, "/results/login")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    _submit(browser, "#login button")
    assert browser.current_url.endswith("/results"), browser.page_source
    assert "12 August 2026, 07:00" in _text(browser, "#not-yet")
    screenshots("14-candidate-not-yet")
    live_app.set_clock(pendulum.datetime(2026, 8, 12, 9, tz="Europe/London"))
    browser.refresh()
    assert "Provisional results" in _text(browser, "h1")
    assert "screenshots" in _text(browser, "#no-screenshots")
    screenshots("15-candidate-results")
