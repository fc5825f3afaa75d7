"""What the Chromium tests share: Debian's Chromium, the marks of a browser
test module, where screenshots go, and a signed-in console tab."""

from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # settings.BASE_DIR

# pytestmark of a browser test module: skipped without Chromium; a live
# server needs committed rows, and serialized_rollback keeps the role groups.
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def console(browser, base_url: str, username: str, *, path: str = "", height: int = 900):
    """A console tab signed in as ``username``, on ``path`` (the sign-in's
    landing page without one), with its SSE stream open."""
    page = browser.new_context(viewport={"width": 1366, "height": height}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}/login/" + (f"?next={path}" if path else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_response(lambda r: "/me/stream/" in r.url):
        page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}{path or '/guests/'}")
    return page
