"""Sign-in throttling, idle sessions, the Content-Security-Policy and the
production cookie settings (guestview.security, config/settings.py).

The throttle counts in the real Redis (settings.REDIS_URL); every test gets a
key prefix of its own, so parallel workers never share counters. Time moves
with time_machine: the throttle and the idle clock read time.time(), Redis's
own expiry only clears keys away.
"""

import asyncio
import html
import json
import uuid
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import django
import pytest
import redis
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.test import AsyncClient, Client, RequestFactory
from django.urls import reverse
from django.utils import translation

import config.urls  # noqa: F401  (it sets admin.site.login_form)
from channels_inbox.models import ChannelAccount, ChannelKind
from guestview import push, security, views
from tests.browser import MARKS as BROWSER_MARKS
from tests.factories import (
    PASSWORD,
    ContactPointFactory,
    GuestFactory,
    PropertyFactory,
    persona,
)
from tests.test_infrastructure import _django_setup  # a fresh interpreter's settings

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")
SEARCH_URL = reverse("guestview:guest_search")
QUEUE_URL = reverse("channels_inbox:queue")
STREAM_URL = reverse("guestview:screenpop_stream")
STATUS_URL = reverse("guestview:agent_status_set")
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@pytest.fixture(autouse=True)
def _own_counters(settings, monkeypatch):
    settings.LOGIN_THROTTLE_PREFIX = f"test-{uuid.uuid4().hex}:login"
    monkeypatch.setattr(security, "_client", None)  # built again from this test's settings
    yield
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    try:
        keys = list(client.scan_iter(f"{settings.LOGIN_THROTTLE_PREFIX}:*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def enforced_csp(settings):
    """The policy as production sends it (the test settings have DEBUG=1's
    report-only: pytest-django turns DEBUG off only after settings.py ran)."""
    settings.SECURE_CSP = settings.CONTENT_SECURITY_POLICY
    settings.SECURE_CSP_REPORT_ONLY = {}


def sign_in(client, username, password=PASSWORD):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def locked_message(minutes):
    with translation.override(settings.LANGUAGE_CODE):
        message = security.LoginThrottleMixin.error_messages["locked"] % {"minutes": minutes}
    assert str(minutes) in message  # (a lazy plural needs its number)
    return message


def wrong_password_message():
    with translation.override(settings.LANGUAGE_CODE):
        return str(security.ThrottledAuthenticationForm.error_messages["invalid_login"])


def idle_message(minutes=30):
    with translation.override(settings.LANGUAGE_CODE):
        return translation.ngettext(
            "You were logged out after %(minutes)d minute without activity.",
            "You were logged out after %(minutes)d minutes without activity.",
            minutes,
        ) % {"minutes": minutes}


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# --- sign-in throttling ----------------------------------------------------------------


def test_five_wrong_passwords_lock_the_username_for_fifteen_minutes(client, alice, clock):
    for _ in range(5):
        response = sign_in(client, "alice", "wrong")
        assert response.status_code == 200
        assert wrong_password_message() in page_text(response)

    refused = sign_in(client, "alice")  # the right password, too late

    assert refused.status_code == 200
    assert locked_message(15) in page_text(refused)
    assert client.get(SEARCH_URL).status_code == 302  # not signed in

    clock.shift(timedelta(minutes=14))
    assert locked_message(1) in page_text(sign_in(client, "alice"))

    clock.shift(timedelta(minutes=1, seconds=1))
    assert sign_in(client, "alice")["Location"] == SEARCH_URL


def test_the_lock_reads_the_same_for_a_username_that_does_not_exist(client, alice, clock):
    for username in ["alice", "nobody-at-all"]:
        for _ in range(5):
            sign_in(client, username, "wrong")
    assert locked_message(15) in page_text(sign_in(client, "alice"))
    assert locked_message(15) in page_text(sign_in(client, "nobody-at-all"))


def test_a_lock_counts_the_username_in_any_case_and_from_any_address(alice, clock):
    for address in [f"10.0.0.{i}" for i in range(5)]:
        sign_in(Client(REMOTE_ADDR=address), "ALICE ", "wrong")

    assert locked_message(15) in page_text(sign_in(Client(REMOTE_ADDR="10.0.1.1"), "alice"))


def test_failures_older_than_fifteen_minutes_do_not_count(client, alice, clock):
    for _ in range(4):
        sign_in(client, "alice", "wrong")
    clock.shift(timedelta(minutes=15, seconds=1))
    sign_in(client, "alice", "wrong")

    assert sign_in(client, "alice")["Location"] == SEARCH_URL


FLOOR = "203.0.113.7"  # the call-center floor's one NAT address


def spray(address, names, password="wrong"):
    """Password spraying: one guess at each name, from one address."""
    client = Client(REMOTE_ADDR=address)
    return [sign_in(client, name, password) for name in names]


def test_a_sprayer_gets_no_second_guess_at_any_name_it_tried(alice, clock):
    names = [f"guess-{i}" for i in range(19)] + ["alice"]
    spray(FLOOR, names)  # 20 failures: the address is locked

    second_round = spray(FLOOR, names, password=PASSWORD)  # alice's is right this time

    assert all(locked_message(15) in page_text(r) for r in second_round)
    assert Client(REMOTE_ADDR=FLOOR).get(SEARCH_URL).status_code == 302
    # alice herself, from her own desk elsewhere: one failure is no lock of her name.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.1"), "alice")["Location"] == SEARCH_URL
    clock.shift(timedelta(minutes=15, seconds=1))  # the window has passed: a guess again
    assert wrong_password_message() in page_text(spray(FLOOR, ["guess-3"])[0])


def test_a_colleague_behind_the_locked_address_signs_in_with_the_right_password(sam, clock):
    spray(FLOOR, [f"guess-{i}" for i in range(25)])  # the address is locked from the 20th

    response = sign_in(Client(REMOTE_ADDR=FLOOR), "sam")

    assert response["Location"] == SEARCH_URL


def test_a_name_that_signed_in_since_it_failed_is_not_held_by_the_address(alice, clock):
    desk = Client(REMOTE_ADDR=FLOOR)
    sign_in(desk, "alice", "wrong")  # a typo at the start of the shift
    assert sign_in(desk, "alice")["Location"] == SEARCH_URL
    desk.post(reverse("logout"))
    spray(FLOOR, [f"guess-{i}" for i in range(20)])

    assert sign_in(desk, "alice")["Location"] == SEARCH_URL


def test_a_successful_sign_in_clears_the_usernames_failures(client, alice, clock):
    for _ in range(4):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice")["Location"] == SEARCH_URL
    client.post(reverse("logout"))

    for _ in range(4):
        sign_in(client, "alice", "wrong")  # would be the 5th to 8th without the reset

    assert sign_in(client, "alice")["Location"] == SEARCH_URL


def test_it_signs_in_without_redis(client, alice, settings, monkeypatch, caplog):
    settings.REDIS_URL = DEAD_REDIS
    monkeypatch.setattr(security, "_client", None)

    for _ in range(6):
        assert sign_in(client, "alice", "wrong").status_code == 200
    response = sign_in(client, "alice")

    assert response["Location"] == SEARCH_URL  # fails open: the call center keeps working
    assert "sign-in throttle unavailable" in caplog.text


def admin_sign_in(client, username, password=PASSWORD):
    return client.post(reverse("admin:login"), {"username": username, "password": password})


def test_the_admin_form_throttles_the_admins_login_page(client, ada, clock):
    assert admin.site.login_form is security.ThrottledAdminAuthenticationForm  # config/urls.py
    for _ in range(5):
        assert admin_sign_in(client, "ada", "wrong").status_code == 200

    assert locked_message(15) in page_text(admin_sign_in(client, "ada"))


def test_the_admins_login_page_is_throttled(client, ada, clock):
    for _ in range(5):
        admin_sign_in(client, "ada", "wrong")

    assert locked_message(15) in page_text(admin_sign_in(client, "ada"))


# --- idle sessions ---------------------------------------------------------------------


def htmx(**extra):
    """Headers of an htmx request from the queue page (nobody clicked)."""
    return {"HX-Request": "true", "HX-Current-URL": f"http://testserver{QUEUE_URL}", **extra}


def by_a_person():
    return htmx(**{security.ACTIVITY_HEADER: "1"})


def test_a_console_idle_for_31_minutes_lands_on_the_login_page_with_the_message(
    alice_client, clock
):
    assert alice_client.get(SEARCH_URL).status_code == 200
    clock.shift(timedelta(minutes=31))

    response = alice_client.get(f"{SEARCH_URL}?q=kaya", follow=True)

    assert response.redirect_chain == [(f"{LOGIN_URL}?next=/guests/%3Fq%3Dkaya", 302)]
    assert idle_message() in page_text(response)
    assert alice_client.get(SEARCH_URL).status_code == 302  # signed out for good


def test_30_minutes_without_activity_are_still_allowed(alice_client, clock):
    alice_client.get(SEARCH_URL)
    clock.shift(timedelta(minutes=30))
    assert alice_client.get(SEARCH_URL).status_code == 200


def test_an_htmx_request_after_expiry_is_sent_to_the_login_page(alice_client, clock):
    alice_client.get(QUEUE_URL)
    clock.shift(timedelta(minutes=31))

    response = alice_client.get(QUEUE_URL, headers=by_a_person())

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN_URL}?next={QUEUE_URL}"
    assert idle_message() in page_text(alice_client.get(LOGIN_URL))


def test_the_stream_is_refused_after_expiry(alice_client, clock):
    alice_client.get(QUEUE_URL)
    clock.shift(timedelta(minutes=31))

    assert alice_client.get(STREAM_URL).status_code == 401


def test_htmx_requests_nobody_triggered_do_not_keep_the_session_alive(alice_client, clock):
    alice_client.get(QUEUE_URL)
    clock.shift(timedelta(minutes=10))
    assert alice_client.get(QUEUE_URL, headers=htmx()).status_code == 200  # an SSE refresh
    clock.shift(timedelta(minutes=10))
    # The call card's seen beacon (hx-trigger="load") is a POST nobody clicked.
    response = alice_client.post(STATUS_URL, {"status": "online"}, headers=htmx())
    assert response.status_code == 200
    clock.shift(timedelta(minutes=11))

    assert alice_client.get(QUEUE_URL)["Location"].startswith(LOGIN_URL)


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        pytest.param("post", {}, id="a form"),
        pytest.param("post", by_a_person(), id="an htmx post someone clicked"),
        pytest.param("get", by_a_person(), id="an htmx get someone typed"),
        pytest.param("get", {}, id="a page"),
    ],
)
def test_what_a_person_does_keeps_the_session_alive(alice_client, clock, method, headers):
    alice_client.get(QUEUE_URL)
    clock.shift(timedelta(minutes=20))
    url = STATUS_URL if method == "post" else QUEUE_URL
    data = {"status": "online", "next": QUEUE_URL} if method == "post" else None
    assert getattr(alice_client, method)(url, data, headers=headers).status_code in {200, 302}
    clock.shift(timedelta(minutes=25))  # 45 minutes after the first page

    assert alice_client.get(QUEUE_URL).status_code == 200


def test_staff_sessions_expire_too(client_of, ada, clock):
    admin = client_of(ada)
    assert admin.get(reverse("admin:index")).status_code == 200
    clock.shift(timedelta(minutes=31))

    assert admin.get(reverse("admin:index"))["Location"].startswith(LOGIN_URL)


def test_no_idle_expiry_with_a_timeout_of_zero(alice_client, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(0)
    alice_client.get(QUEUE_URL)
    clock.shift(timedelta(hours=3))
    assert alice_client.get(QUEUE_URL).status_code == 200


def test_a_signed_out_htmx_request_navigates_to_the_login_page(client, alice_client):
    # A fragment's request bounced by login_required lands on the login page,
    # which sends the whole page there instead of being swapped into the fragment.
    bounced = client.get(QUEUE_URL, headers=htmx(), follow=True)
    assert bounced.status_code == 200
    assert bounced["HX-Redirect"] == f"{LOGIN_URL}?next={QUEUE_URL}"
    # console.js asks the same after a refused stream: still signed in, nothing to do.
    assert alice_client.get(LOGIN_URL, headers=htmx()).status_code == 204


# The stream: AsyncClient, as tests/guestview/test_push.py reads it.


@pytest.fixture
def own_channels(settings, monkeypatch):
    settings.PUSH_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}"
    monkeypatch.setattr(push, "_client", None)
    monkeypatch.setattr(views, "SSE_KEEPALIVE_SECONDS", 0.1)


async def _chunk(stream) -> str:
    return (await asyncio.wait_for(anext(stream), 5)).decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_stream_does_not_keep_the_session_alive(alice, clock, own_channels):
    async def scenario():
        client = AsyncClient()
        await client.aforce_login(alice)
        assert (await client.get(QUEUE_URL)).status_code == 200
        clock.shift(timedelta(minutes=20))
        response = await client.get(STREAM_URL)
        assert response.status_code == 200
        stream = response.streaming_content
        try:
            assert await _chunk(stream) == "retry: 1000\n\n"
        finally:
            await stream.aclose()
        clock.shift(timedelta(minutes=11))
        return await client.get(QUEUE_URL)

    assert async_to_sync(scenario)()["Location"].startswith(LOGIN_URL)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_open_stream_ends_when_the_session_has_been_idle_too_long(alice, clock, own_channels):
    async def scenario():
        client = AsyncClient()
        await client.aforce_login(alice)
        await client.get(QUEUE_URL)
        stream = (await client.get(STREAM_URL)).streaming_content
        try:
            assert await _chunk(stream) == "retry: 1000\n\n"
            assert await _chunk(stream) == ": keep-alive\n\n"  # open while the agent may be back
            clock.shift(timedelta(minutes=30, seconds=1))
            # Ended at the next event or keep-alive; the browser reconnects
            # (retry: 1000), and that is refused.
            with pytest.raises(StopAsyncIteration):
                await _chunk(stream)
        finally:
            await stream.aclose()
        return await client.get(STREAM_URL)

    assert async_to_sync(scenario)().status_code == 401


# --- Content-Security-Policy -----------------------------------------------------------


class InlineCode(HTMLParser):
    """What a policy without 'unsafe-inline' blocks: (kind, where) pairs of
    inline scripts, <style> elements, style attributes and event handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self._in_inline_script = tag == "script" and "src" not in attributes
        if tag == "style":
            self.found.append(("style", "<style>"))
        for name, value in attributes.items():
            if name == "style":
                self.found.append(("style", f"<{tag} style>"))
            if name.startswith("on") or (value or "").startswith("javascript:"):
                self.found.append(("handler", f"<{tag} {name}>"))

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(("script", f"<script>{data.strip()[:40]}…"))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(markup: str, *kinds: str) -> list[str]:
    parser = InlineCode()
    parser.feed(markup)
    return [where for kind, where in parser.found if kind in kinds]


@pytest.fixture
def console_pages(client, alice_client, hotel_a):
    """The pages an agent sees: queue, guest card, leads, search, and sign-in."""
    guest = GuestFactory(property=hotel_a)
    ContactPointFactory(guest=guest, raw_value="+90 532 123 45 67", is_primary=True)
    pages = {
        "login": client.get(LOGIN_URL),
        "queue": alice_client.get(QUEUE_URL),
        "guest card": alice_client.get(reverse("guestview:guest_detail", args=[guest.pk])),
        "lead queue": alice_client.get(reverse("leads:queue")),
        "guest search": alice_client.get(f"{SEARCH_URL}?q={guest.last_name}"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
    return {name: response.content.decode() for name, response in pages.items()}


def test_console_pages_carry_the_enforced_policy(enforced_csp, alice_client, client):
    for response in [alice_client.get(QUEUE_URL), client.get(LOGIN_URL)]:
        assert response["Content-Security-Policy"] == POLICY
        assert "Content-Security-Policy-Report-Only" not in response


def test_no_console_page_has_an_inline_script_or_style(console_pages):
    for name, markup in console_pages.items():
        assert inline_code(markup, "script", "style") == [], name
    # htmx would add its indicator <style> at run time without this.
    assert '"includeIndicatorStyles": false' in console_pages["queue"]


def test_no_console_page_has_an_inline_event_handler(console_pages):
    for name, markup in console_pages.items():
        assert inline_code(markup, "handler") == [], name


def test_the_admin_carries_the_policy_and_needs_no_inline_script(enforced_csp, client_of, ada):
    admin = client_of(ada)
    urls = [
        reverse("admin:index"),
        reverse("admin:guestview_property_changelist"),
        reverse("admin:guestview_property_add"),
        reverse("admin:auth_user_changelist"),
    ]
    for url in urls:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == POLICY
        assert inline_code(response.content.decode(), "script", "handler") == [], url


def test_the_web_chat_still_answers_other_origins(enforced_csp, hotel_a):
    site = "https://www.hotel-a.example"
    chat = ChannelAccount.objects.create(
        property=hotel_a, kind=ChannelKind.WEBCHAT, name="Web chat",
        external_id=f"widget-{uuid.uuid4().hex[:8]}", allowed_origins=site,
    )  # fmt: skip
    response = Client().options(
        reverse("webchat:start", args=[chat.external_id]),
        headers={"Origin": site, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == site


def test_our_middleware_for_django_5_2_sends_what_django_6_sends(settings):
    settings.SECURE_CSP = settings.CONTENT_SECURITY_POLICY
    settings.SECURE_CSP_REPORT_ONLY = {"default-src": ["'none'"], "upgrade-insecure-requests": True}
    middleware = security.ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    response = middleware(RequestFactory().get("/"))

    assert response["Content-Security-Policy"] == POLICY
    assert response["Content-Security-Policy-Report-Only"] == (
        "default-src 'none'; upgrade-insecure-requests"
    )
    if django.VERSION >= (6, 0):
        from django.utils.csp import build_policy

        assert build_policy(settings.CONTENT_SECURITY_POLICY) == POLICY


def test_our_middleware_leaves_a_views_own_policy_alone(settings):
    settings.SECURE_CSP = settings.CONTENT_SECURITY_POLICY
    own = HttpResponse(headers={"Content-Security-Policy": "default-src 'none'"})
    response = security.ContentSecurityPolicyMiddleware(lambda request: own)(
        RequestFactory().get("/")
    )
    assert response["Content-Security-Policy"] == "default-src 'none'"


# --- production settings ---------------------------------------------------------------

PRINT_SECURITY = (
    "from django.conf import settings as s; import json; print(json.dumps({"
    "'csp': s.SECURE_CSP, 'report_only': s.SECURE_CSP_REPORT_ONLY, "
    "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
    "'httponly': s.SESSION_COOKIE_HTTPONLY, 'samesite': s.SESSION_COOKIE_SAMESITE, "
    "'hsts': s.SECURE_HSTS_SECONDS, 'referrer': s.SECURE_REFERRER_POLICY, "
    "'frames': s.X_FRAME_OPTIONS, 'idle': s.SESSION_IDLE_TIMEOUT.total_seconds()}))"
)


def _settings_in(tmp_path, **env) -> dict:
    result = _django_setup(tmp_path, PRINT_SECURITY, CSP_REPORT_ONLY=None, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_enforces_the_policy_and_secures_the_cookies(tmp_path):
    production = _settings_in(
        tmp_path, DEBUG="0", SECRET_KEY="s3cret-for-this-test-only", ALLOWED_HOSTS="console.example"
    )
    assert production == {
        "csp": settings.CONTENT_SECURITY_POLICY,
        "report_only": {},
        "session_secure": True,
        "csrf_secure": True,
        "httponly": True,
        "samesite": "Lax",
        "hsts": 0,  # until HTTPS-only is confirmed: SECURE_HSTS_SECONDS
        "referrer": "same-origin",
        "frames": "DENY",
        "idle": 30 * 60,
    }


def test_development_only_reports_the_policy(tmp_path):
    development = _settings_in(tmp_path, DEBUG="1", SESSION_IDLE_TIMEOUT_MINUTES="45")
    assert development["csp"] == {}
    assert development["report_only"] == settings.CONTENT_SECURITY_POLICY
    assert development["idle"] == 45 * 60


def test_it_refuses_a_negative_idle_timeout(tmp_path):
    result = _django_setup(tmp_path, SESSION_IDLE_TIMEOUT_MINUTES="-5")
    assert "ImproperlyConfigured: SESSION_IDLE_TIMEOUT_MINUTES" in result.stderr


# --- in Chromium, with the policy enforced ---------------------------------------------


def in_chromium(test):
    """Marks of a browser test: the console under the enforced policy."""
    for mark in [*BROWSER_MARKS, pytest.mark.usefixtures("enforced_csp", "own_channels")]:
        test = mark(test)
    return test


# A Playwright init script: the page's CSP does not govern it.
WATCH_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.violations.push(`${e.effectiveDirective} ${e.blockedURI} line ${e.lineNumber}`));
"""


@pytest.fixture
def kaya():
    """Alice's hotel and a guest of it (made before Playwright's loop runs)."""
    hotel = PropertyFactory(name="Hotel A Lara", code="hotel-a")
    persona("alice", role="agent", properties=[hotel], languages=["tr"], extension="201")
    guest = GuestFactory(property=hotel, first_name="Ayşe", last_name="Kayaoğlu")
    ContactPointFactory(guest=guest, raw_value="+90 532 123 45 67", is_primary=True)
    return guest


def console_tab(browser, base_url):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(10_000)
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(f"{base_url}{LOGIN_URL}")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}{SEARCH_URL}")
    return page


@in_chromium
def test_the_console_works_under_the_policy(asgi_live_server, kaya, browser):
    page = console_tab(browser, asgi_live_server)
    marked = {}  # request URL -> its activity header
    page.on("request", lambda r: marked.__setitem__(r.url, r.headers.get("x-console-activity")))
    assert page.evaluate("window.violations") == []

    # The stream's open event makes the list re-read itself: not the agent's doing.
    with (
        page.expect_response(lambda r: f"{QUEUE_URL}?" in r.url),
        page.expect_response(lambda r: STREAM_URL in r.url),
    ):
        page.goto(f"{asgi_live_server}{QUEUE_URL}")
    assert [v for url, v in marked.items() if f"{QUEUE_URL}?" in url] == [None]
    assert page.evaluate("window.violations") == []
    assert page.evaluate("document.querySelectorAll('style').length") == 0

    page.goto(f"{asgi_live_server}{SEARCH_URL}")
    page.fill("#id_q", "Kayaoğlu")  # htmx searches as the agent types
    page.locator("#results a.guestlink").click()
    page.wait_for_url(f"{asgi_live_server}/guests/{kaya.pk}/")
    assert [v for url, v in marked.items() if f"{SEARCH_URL}?" in url][-1] == "1"

    page.click("#timeline-open")  # loaded in place (console.js, not onclick)
    page.wait_for_selector("#timeline :not(#timeline-open)")
    assert page.url == f"{asgi_live_server}/guests/{kaya.pk}/"
    # Only guest_detail.html's own onclick, blocked and harmless, until it goes.
    assert all(v.startswith("script-src-attr") for v in page.evaluate("window.violations"))


@in_chromium
def test_an_idle_console_shows_the_login_page_by_itself(asgi_live_server, kaya, browser, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=3)
    page = console_tab(browser, asgi_live_server)
    page.goto(f"{asgi_live_server}{QUEUE_URL}")

    # The stream ends at the deadline, its reconnection is refused (401), and
    # console.js asks the login page, which sends the tab there.
    page.wait_for_url(f"{asgi_live_server}{LOGIN_URL}?next={QUEUE_URL}", timeout=15_000)
    assert idle_message(1) in page.inner_text("main")


# --- error pages ------------------------------------------------------------------------------


def test_a_page_not_open_to_the_role_is_the_consoles_own_403(client_of, sam):
    """A supervisor typing the DPO's access report: the console around it, in its language."""
    response = client_of(sam).get(reverse("consent:access_report"))
    assert response.status_code == 403
    body = response.content.decode()
    with translation.override("tr"):
        title = translation.gettext("Not for your role")
    assert title in body and 'class="card errorpage"' in body and "Misafir360" in body


def test_a_guest_of_another_hotel_is_the_consoles_own_404(alice_client, hotel_b):
    guest = GuestFactory(property=hotel_b)
    response = alice_client.get(reverse("guestview:guest_detail", args=[guest.pk]))
    assert response.status_code == 404
    with translation.override("tr"):
        title = translation.gettext("Not found")
    assert title in response.content.decode()
