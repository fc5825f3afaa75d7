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
from tests.factories import ChainFactory, PropertyFactory, persona


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at its production cost would make every persona take ~0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
