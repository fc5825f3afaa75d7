"""Queueing that never fails its caller: a debounced task the broker refused
is asked for again by the next caller, not 60 seconds later."""

from contextlib import contextmanager

import pytest

from channels_inbox import queueing, tasks
from config.celery import app as celery_app

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1; Redis itself stays up


@contextmanager
def broker_down():
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD_BROKER
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        celery_app.conf.broker_url = previous
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


@pytest.fixture
def drain_not_queued():
    queueing.release(tasks.inbound_drain)
    yield tasks.inbound_drain
    queueing.release(tasks.inbound_drain)


def test_a_task_the_broker_refused_is_queued_as_soon_as_the_broker_is_back(
    drain_not_queued, caplog
):
    with broker_down():
        assert queueing.enqueue_once(drain_not_queued) is False
    assert "could not queue" in caplog.text
    assert queueing.enqueue_once(drain_not_queued) is True
    assert queueing.enqueue_once(drain_not_queued) is False  # queued: the burst is debounced
