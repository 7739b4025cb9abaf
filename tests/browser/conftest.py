"""A real browser against a live server: Playwright driving the system's Chromium.

The browser is the distribution's Chromium (never one Playwright downloads). Without it,
or without Playwright, the browser tests skip, unless REQUIRE_BROWSER=1 (CI) turns the
skip into a failure. BROWSER_SCREENSHOTS=<folder> keeps screenshots the tests take.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    """A headless Chromium for these tests (skipped without it, unless required).

    Playwright drives the browser from an event loop in this thread; Django refuses
    database work in a thread with a running loop unless told it is safe. It is: the test
    code is synchronous, the live server runs in threads of its own. The permission
    lasts as long as the browser: a process started by later tests (a deploy check)
    must not inherit it.
    """
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[dev]')")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield launched
            launched.close()


@pytest.fixture
def site(live_server, eager, settings) -> str:
    """The live server's base URL; events are delivered in-process, as `make run` does."""
    return live_server.url


@pytest.fixture
def new_page(browser):
    """Return a factory of pages, each in a fresh browser profile (cookies, storage)."""
    contexts = []

    def make(viewport: dict = DESKTOP):
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """Return a function that saves a screenshot when BROWSER_SCREENSHOTS names a folder."""
    folder = os.environ.get("BROWSER_SCREENSHOTS")

    def take(page, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take
