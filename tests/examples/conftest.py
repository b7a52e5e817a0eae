"""Fixtures for the reference web app's browser tests (examples/website).

The app runs under uvicorn on a free localhost port, on a SQLite file with the
sample board and a fixed clock the tests move; Debian's chromium drives it
headless through chromedriver (selenium).  No browser is ever downloaded.
Where ``CAMBRIDGE_RESULTS_REQUIRE_BROWSER=1`` (CI), a missing browser fails
these tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pendulum
import pytest

#: CI sets this so that browser tests that could not run fail instead of skipping.
REQUIRE_BROWSER = os.environ.get("CAMBRIDGE_RESULTS_REQUIRE_BROWSER") == "1"

#: Before the June 2026 release (11 August 2026, 07:00 in London).
BEFORE_RELEASE = pendulum.datetime(2026, 8, 10, 9, 0, tz="Europe/London")

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"CAMBRIDGE_RESULTS_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _tool(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@attrs.frozen(kw_only=True)
class LiveApp:
    """The running example app: its URL, the demo board and where it writes."""

    url: str
    demo: object
    out_dir: Path

    def set_clock(self, at: pendulum.DateTime) -> None:
        """Move the demo's fixed clock."""
        self.demo.fixed_clock.set(at)  # type: ignore[attr-defined]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The example app served by uvicorn in a thread, on a fresh seeded SQLite file."""
    try:
        import uvicorn
        from crw_example.app import create_app
        from crw_example.demo import open_demo
    except ImportError as exc:
        _unavailable(f"the examples extra is not installed ({exc.name})")
    root = tmp_path_factory.mktemp("webapp")
    demo = open_demo(
        f"sqlite:///{root / 'results.db'}", now=BEFORE_RELEASE, candidates_per_centre=12
    )
    app = create_app(demo, out_dir=root / "letters", secret_key="test-only-secret")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the example app did not start")
        time.sleep(0.05)
    try:
        yield LiveApp(url=f"http://127.0.0.1:{port}", demo=demo, out_dir=root / "letters")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        demo.board.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Headless Debian chromium through chromedriver, with a fresh profile."""
    chromium = _tool(("chromium", "chromium-browser"))
    driver_path = _tool(("chromedriver",))
    if chromium is None or driver_path is None:
        _unavailable(
            "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (the test extra)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory, browser: object) -> Callable[[str], Path]:
    """``shot(name)`` saves a full-page PNG of what the browser shows under the test's tmp dir."""
    folder = tmp_path_factory.mktemp("screenshots")

    def shot(name: str) -> Path:
        driver = browser
        # Web fonts (the bundled Noto scripts) load after the page; wait for them.
        driver.execute_async_script("document.fonts.ready.then(() => arguments[0]())")  # type: ignore[attr-defined]
        height = driver.execute_script("return document.body.scrollHeight")  # type: ignore[attr-defined]
        driver.set_window_size(1280, max(700, min(int(height) + 200, 4000)))  # type: ignore[attr-defined]
        path = folder / f"{name}.png"
        assert driver.save_screenshot(str(path)), name  # type: ignore[attr-defined]
        return path

    return shot
