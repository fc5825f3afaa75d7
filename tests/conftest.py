"""Personas, built with the real services (as an administrator would):

- alice: agent of hotel A, answers in Turkish and English
- sam:   supervisor of hotel A
- quinn: quality of hotel A
- bob:   agent of hotel B, must see nothing of hotel A's
- ada:   admin (not a superuser); the admin group serves every property

Transactional tests (live server, Celery worker) must say
``django_db(transaction=True, serialized_rollback=True)``: their closing flush
would otherwise drop the role groups that migration 0002 creates, and
agent_setup needs them.
"""

from __future__ import annotations

import pytest
from django.test import Client

from guestview.models import Language, Role
from tests.browser import CHROMIUM
from tests.factories import ChainFactory, PropertyFactory, persona


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at its production cost would make every persona take ~0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_login_throttle(settings):
    # Failed sign-ins of one test (or run) must not lock 127.0.0.1 for the next.
    import uuid

    settings.LOGIN_THROTTLE_PREFIX = f"test-{uuid.uuid4().hex}:login"
    # Every test, the browser ones too, runs under the policy production enforces.
    settings.SECURE_CSP = settings.CONTENT_SECURITY_POLICY
    settings.SECURE_CSP_REPORT_ONLY = {}


@pytest.fixture(autouse=True)
def _fresh_dialed_numbers():
    # selectors caches the DID map per process; tests create and drop numbers.
    from guestview.cti.tokens import forget_pbx_tokens
    from guestview.selectors import forget_routing_caches

    forget_routing_caches()
    forget_pbx_tokens()
    from channels_inbox.webhooks import forget_channel_secrets
    from leads.selectors import forget_campaign_cache
    from leads.sla import forget_sla_caches

    forget_channel_secrets()
    forget_sla_caches()
    forget_campaign_cache()


@pytest.fixture(autouse=True, scope="session")
def _own_celery_queue():
    """Tasks the code under test queues go to a queue of this session's own:
    no demo worker on the same Redis takes them, and they are dropped at the
    end. Tests that want them run start a worker on ``celery_test_queue``."""
    import contextlib
    import uuid

    import redis
    from django.conf import settings as django_settings

    from config.celery import app

    queue = f"m360-test-{uuid.uuid4().hex}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield queue
    app.conf.task_default_queue = previous
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(django_settings.REDIS_URL, socket_timeout=2).delete(queue)


@pytest.fixture
def celery_test_queue(_own_celery_queue):
    return _own_celery_queue


@pytest.fixture
def chain(db):
    return ChainFactory(name="Akdeniz Resorts")


@pytest.fixture
def hotel_a(chain):
    return PropertyFactory(chain=chain, name="Hotel A Lara", code="hotel-a")


@pytest.fixture
def hotel_b(chain):
    return PropertyFactory(chain=chain, name="Hotel B Belek", code="hotel-b")


@pytest.fixture
def alice(hotel_a):
    return persona(
        "alice",
        role=Role.AGENT,
        properties=[hotel_a],
        languages=[Language.TR, Language.EN],
        extension="201",
    )


@pytest.fixture
def sam(hotel_a):
    return persona("sam", role=Role.SUPERVISOR, properties=[hotel_a], extension="301")


@pytest.fixture
def quinn(hotel_a):
    return persona("quinn", role=Role.QUALITY, properties=[hotel_a])


@pytest.fixture
def bob(hotel_b):
    return persona(
        "bob", role=Role.AGENT, properties=[hotel_b], languages=[Language.DE], extension="202"
    )


@pytest.fixture
def ada(db):
    return persona("ada", role=Role.ADMIN)


@pytest.fixture
def client_of():
    """``client_of(alice)``: a test client with that persona logged in."""

    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def alice_client(client_of, alice):
    return client_of(alice)


@pytest.fixture
def bob_client(client_of, bob):
    return client_of(bob)


def pytest_configure(config):
    # STATIC_ROOT is filled by collectstatic in deployments, never in tests.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture
def asgi_live_server(transactional_db, settings):
    """The project's ASGI app under uvicorn in a thread, on a free port, against
    the test database: what pytest-django's WSGI live_server cannot serve is
    the SSE stream of the screen-pop."""
    import socket
    import threading
    import time

    import uvicorn
    from django.core.handlers.asgi import ASGIHandler

    from channels_inbox import triage
    from channels_inbox.door import WebhookDoor

    # Tests run with DEBUG off and no collectstatic: let WhiteNoise serve from
    # the finders, as in development. A fresh handler picks the setting up.
    settings.WHITENOISE_USE_FINDERS = True
    application = WebhookDoor(ASGIHandler())  # as config.asgi serves it
    triage.warm_up()  # as config.asgi does at start (once per test process)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            lifespan="on",  # the door closes its pool at shutdown
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium through Playwright (no downloaded browser), as the
    developers' guide says; browser test modules skip themselves without it.
    Playwright's sync API runs an event loop in this thread; the ORM calls
    the tests make here are still plain synchronous ones."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield chromium
        finally:
            chromium.close()
