"""The console in a real browser: sign in, search as the agent types, open a guest.

Headless Chromium from the system (/usr/bin/chromium) driven by Playwright
against pytest-django's live server. Screenshots land in test-artifacts/."""

import pytest

from guestview.models import Language, Role
from tests.browser import ARTIFACTS, CHROMIUM, MARKS
from tests.factories import PASSWORD, ContactPointFactory, GuestFactory, PropertyFactory, persona

pytestmark = MARKS


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="tr-TR", viewport={"width": 1280, "height": 800})
        context.set_default_timeout(10_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


@pytest.fixture
def ahmet():
    """Ahmet Yılmaz of hotel A, whom alice serves, and a namesake of hotel B's."""
    hotel_a = PropertyFactory(name="Hotel A Lara", code="hotel-a")
    hotel_b = PropertyFactory(name="Hotel B Belek", code="hotel-b")
    persona(
        "alice",
        role=Role.AGENT,
        properties=[hotel_a],
        languages=[Language.TR, Language.EN],
        extension="201",
    )
    guest = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    ContactPointFactory(guest=guest, raw_value="+90 532 123 45 67", is_primary=True)
    # Same number in another hotel: alice must not see this one.
    other = GuestFactory(property=hotel_b, first_name="Ahmet", last_name="Başka")
    ContactPointFactory(guest=other, raw_value="+90 532 123 45 67")
    return guest


# ahmet before page: the ORM refuses to run while Playwright's event loop does.
def test_an_agent_finds_a_caller_by_phone_and_opens_the_guest(live_server, ahmet, page):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/guests/")

    # Typing searches in place: htmx swaps #results, the page itself stays.
    page.evaluate("window.notReloaded = true")
    page.fill("#id_q", "0532.123.45.67")
    link = page.locator("#results a.guestlink")
    link.wait_for()
    assert link.count() == 1
    assert link.inner_text() == "Ahmet Yılmaz"
    assert page.evaluate("window.notReloaded") is True
    assert "q=0532.123.45.67" in page.url  # hx-push-url keeps the search linkable

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "guest-search.png"), full_page=True)

    link.click()
    page.wait_for_url(f"{live_server.url}/guests/{ahmet.pk}/")
    assert page.locator(".guestname").inner_text() == "Ahmet Yılmaz"
    assert "+90 532 *** ** 67" in page.locator("main").inner_text()  # masked until asked
    page.click(".contactlist .unmask button")  # shown in full, and logged
    page.wait_for_selector(".contactlist:has-text('+90 532 123 45 67')")
    page.screenshot(path=str(ARTIFACTS / "guest-detail.png"), full_page=True)
