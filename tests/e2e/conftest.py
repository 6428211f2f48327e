"""Browser journeys: Debian's chromium driven by Playwright against pytest-django's live server."""

import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the main thread for the
# whole session, which makes Django refuse ORM calls there (and in every test
# that runs after the browser starts). The ORM is still only used synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
# axe-core's impacts that fail a journey; "moderate" and "minor" are left to judgement.
BLOCKING_IMPACTS = {"serious", "critical"}
E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_ROOT = E2E_DIR.parents[1] / "test-results" / "e2e"


def pytest_collection_modifyitems(items):
    # This hook sees the whole session's items, not just this folder's.
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Browser tests must run in CI, but {reason}", pytrace=False)
        pytest.skip(f"Browser journeys need Debian's chromium: {reason}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Opens pages in fresh browser contexts: each one a separate visitor with no cookies."""
    opened = []

    def open_page():
        context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)
        context.set_default_timeout(10_000)
        page = context.new_page()
        broken = []

        def note_broken_asset(response):
            # 304: the browser revalidated its cached copy, which it does for a file
            # changed minutes ago (as in a fresh clone); the asset is there.
            missing = not response.ok and response.status != 304
            if response.request.resource_type in {"stylesheet", "script"} and missing:
                broken.append(f"{response.status} for {response.url}")

        page.on("response", note_broken_asset)
        page.on("pageerror", lambda error: broken.append(f"JavaScript error: {error}"))

        def note_refused(message):
            # What the content security policy blocked: a script or style of ours that
            # it stops would leave the page working less, not failing.
            if "Content Security Policy" in message.text:
                broken.append(f"Refused by the policy: {message.text}")

        page.on("console", note_refused)
        opened.append((context, broken))
        return page

    yield open_page
    problems = [problem for _, broken in opened for problem in broken]
    for context, _ in opened:
        context.close()
    # A page without its stylesheet or with a script error still passes the
    # assertions, so it fails here instead of only looking wrong in a screenshot.
    assert not problems, "The pages had broken assets:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


def accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    violations = Axe().run(page).response["violations"]
    return [
        f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
    ]


@pytest.fixture
def screenshot(request):
    """Saves a full-page PNG under test-results/e2e/<test name>/ and returns its path.

    Every page a journey looks at is also checked with axe-core: a serious or critical
    violation fails the journey, with the screenshot already saved to look at.
    """
    folder = SCREENSHOT_ROOT / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        # finished transitions: a button caught mid-fade looked blank
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        problems = accessibility_problems(page)
        assert not problems, f"axe-core on {name} ({page.url}):\n" + "\n".join(problems)
        return path

    return take
