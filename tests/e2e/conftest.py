"""Browser tests: Playwright's sync API driving Debian's Chromium against ``live_server``.

- Chromium is ``/usr/bin/chromium`` (never ``playwright install``: no network).
  Missing: the tests are skipped, or fail when CI=true.
- ``live_server`` runs the site with DEBUG off, so the custom error pages show.
- Every browser context refuses requests to any other host, and records them
  in ``external_requests`` so that a test can insist there were none.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses
# database calls from a thread with a running loop unless told it is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: browser tests need Debian's chromium package"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def external_requests():
    """URLs the page tried to load from hosts other than the live server (all refused)."""
    return []


@pytest.fixture
def new_context(browser, live_server, external_requests):
    """``new_context(viewport=..., **options)``: a Japanese-locale browser context."""
    own_host = urlsplit(live_server.url).netloc
    contexts = []

    def refuse_other_hosts(route):
        url = route.request.url
        if urlsplit(url).scheme in {"http", "https"} and urlsplit(url).netloc != own_host:
            external_requests.append(url)
            route.abort()
        else:
            route.continue_()

    def make(viewport=DESKTOP, **options):
        options.setdefault("locale", "ja-JP")
        options.setdefault("timezone_id", "Asia/Tokyo")
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(15_000)
        context.route("**/*", refuse_other_hosts)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    return new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    ).new_page()
