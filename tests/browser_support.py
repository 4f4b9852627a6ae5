"""Shared Playwright fixtures: Debian's Chromium against pytest-django's live server.

tests/conftest.py registers this module as a plugin, so ``browser`` and ``page`` are available
to every test; do not import them into a module (a second sync Playwright in one process fails).
No browser download: the system Chromium from ``scripts/system-deps.sh`` is driven through
Playwright's own driver.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}

# Playwright's sync API keeps an asyncio loop in this thread; Django then refuses ORM calls from
# the test body ("async context") although nothing here is asynchronous. Only the test process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    """Per module: sync Playwright keeps an event loop running in this thread while it lives, and
    later tests that call asyncio.run() must not find it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} ontbreekt: run `make system-deps` (Debian package chromium).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A fresh browser context (own cookies) on the live server; the server sees committed data."""
    context = browser.new_context(
        base_url=live_server.url, viewport=LAPTOP, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page, username: str, password: str) -> None:
    """Through the real login form, as a person would."""
    page.goto("/inloggen/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def screenshot(page, folder: str, name: str, full_page: bool = True) -> Path:
    """Save under test-artifacts/<folder>/ (gitignored) for people to look at."""
    target = ARTIFACTS / folder / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=full_page)
    return target
