"""The services the console stands on, exercised for real: the database the
environment names, Redis (or the embedded Valkey), a Celery worker, and settings
that refuse bad values."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from config.embedded_redis import stop as stop_embedded_redis
from guestview import tasks
from guestview.models import AgentProfile, AgentStatus, Role
from tests.factories import persona

BASE_DIR = Path(settings.BASE_DIR)


# --- database ------------------------------------------------------------------------


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="DATABASE_URL does not name PostgreSQL",
)
@pytest.mark.django_db
def test_it_runs_on_postgresql_when_database_url_says_so():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'guest_search_name_trgm'")
        assert cursor.fetchone() == (1,)


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="DATABASE_URL is set")
def test_it_runs_on_sqlite_without_database_url():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


# --- Redis ---------------------------------------------------------------------------


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    yield client
    client.close()


def test_it_reaches_redis(redis_client):
    assert redis_client.ping() is True


def test_it_round_trips_a_pubsub_message(redis_client):
    channel = f"m360-test-{uuid.uuid4().hex}"
    pubsub = redis_client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)
    try:
        assert pubsub.get_message(timeout=2) is None  # swallows the subscribe confirmation
        assert redis_client.publish(channel, "screen-pop 2001") == 1
        message = pubsub.get_message(timeout=5)
    finally:
        pubsub.close()
    assert message is not None
    assert message["channel"] == channel.encode()
    assert message["data"] == b"screen-pop 2001"


def test_it_caches_in_redis():
    from django.core.cache import cache

    key = f"m360-test-{uuid.uuid4().hex}"
    cache.set(key, {"guest": 42}, timeout=30)
    assert cache.get(key) == {"guest": 42}
    cache.delete(key)


# --- Celery --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_celery_worker_runs_the_away_task_through_the_broker():
    carol = persona("carol", role=Role.AGENT)
    AgentProfile.objects.filter(user=carol).update(
        status=AgentStatus.ONLINE, last_seen_at=timezone.now() - timedelta(hours=1)
    )
    # A queue of our own: a demo worker on the same Redis must not take the message.
    queue = f"m360-test-{uuid.uuid4().hex}"
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=20
    ):
        tasks.agents_mark_away.apply_async(queue=queue)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            status = AgentProfile.objects.values_list("status", flat=True).get(user=carol)
            if status == AgentStatus.AWAY:
                break
            time.sleep(0.1)
    assert status == AgentStatus.AWAY


# --- settings fail loudly ------------------------------------------------------------


def _django_setup(tmp_path, code="", *, cwd=BASE_DIR, **env_overrides):
    """Run django.setup() in a fresh interpreter with a controlled environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "LANGUAGE_CODE",
            "TIME_ZONE",
            "AGENT_AWAY_AFTER_SECONDS",
            "MISAFIR_RUN_DIR",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        MISAFIR_RUN_DIR=str(tmp_path / "run"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Never contacted by settings; keeps the embedded server from starting.
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_starts_with_the_controlled_environment(tmp_path):
    result = _django_setup(tmp_path, "from django.conf import settings; print(settings.DEBUG)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("variable", "env"),
    [
        ("DEBUG", {"DEBUG": "maybe"}),
        ("SECRET_KEY", {"DEBUG": "0", "ALLOWED_HOSTS": "console.example"}),
        ("ALLOWED_HOSTS", {"DEBUG": "0", "SECRET_KEY": "s3cret-for-this-test-only"}),
        ("DATABASE_URL", {"DATABASE_URL": "nonsense://x"}),
        ("REDIS_URL", {"REDIS_URL": "http://x"}),
        ("LANGUAGE_CODE", {"LANGUAGE_CODE": "fr"}),
        ("TIME_ZONE", {"TIME_ZONE": "Mars/Base"}),
        ("AGENT_AWAY_AFTER_SECONDS", {"AGENT_AWAY_AFTER_SECONDS": "ten minutes"}),
    ],
)
def test_it_refuses_to_start_with_a_bad_setting(tmp_path, variable, env):
    result = _django_setup(tmp_path, **env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    assert variable in last_line


# --- embedded Valkey -----------------------------------------------------------------


def _wait_until_silent(url, seconds=10):
    client = redis.Redis.from_url(url, socket_timeout=0.5)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            client.ping()
        except redis.ConnectionError:
            return True
        time.sleep(0.05)
    return False


def test_it_starts_an_embedded_valkey_without_redis_url_and_reuses_it(tmp_path):
    print_url = "from django.conf import settings; print(settings.REDIS_URL)"
    data_dir = tmp_path / "run" / "valkey"
    try:
        first = _django_setup(tmp_path, print_url, REDIS_URL=None)
        assert first.returncode == 0, first.stderr
        url = first.stdout.strip()
        assert url.startswith("redis://127.0.0.1:")
        assert redis.Redis.from_url(url, socket_timeout=2).ping() is True

        second = _django_setup(tmp_path, print_url, REDIS_URL=None)
        assert second.stdout.strip() == url  # the running server is shared, not restarted
    finally:
        stopped = stop_embedded_redis(data_dir)
    assert stopped is True
    assert _wait_until_silent(url)
    assert not (data_dir / "port").exists()


def test_it_starts_the_embedded_valkey_with_a_relative_run_dir(tmp_path):
    # MISAFIR_RUN_DIR=.run-ci is what a CI job or a second checkout would set.
    result = _django_setup(
        tmp_path,
        "from django.conf import settings; print(settings.REDIS_URL)",
        cwd=tmp_path,
        PYTHONPATH=str(BASE_DIR),
        MISAFIR_RUN_DIR="relative-run",
        REDIS_URL=None,
    )
    try:
        assert result.returncode == 0, result.stderr[-1500:]
        url = result.stdout.strip()
        assert redis.Redis.from_url(url, socket_timeout=2).ping() is True
    finally:
        stop_embedded_redis(tmp_path / "relative-run" / "valkey")
