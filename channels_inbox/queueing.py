"""Putting work on the Celery queue without ever failing the request that
asks for it, and without asking twice for work that is already asked for.

A broker outage must not lose anything: every task here has a database row
behind it (a pending payload, a waiting conversation, a queued message) and
a beat job that finds rows nobody queued. So enqueueing is best effort.

Debounced work (``enqueue_once``): a burst of 500 webhooks needs one drain
task, not 500. The first caller sets a Redis key and queues the task (and
deletes the key again if the broker refused it); later callers see the key
and stop. The task clears the key *before* it reads the database
(``release``), so anything committed after that sets the key again and
queues a new run: nothing committed is left unseen.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# A key outlives a lost task by at most this long; the beat jobs cover it.
ONCE_SECONDS = 60
# One client per process and URL. Not Django's cache: under ASGI each request
# runs in a thread of its own, and the cache (one per thread) would open a new
# Redis connection for every webhook (make bench-ingest measured 2 ms each).
_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis:
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients[url]


def enqueue(task, *args) -> bool:
    """Queue ``task(*args)``; False (and a warning) when the broker is down."""
    try:
        task.apply_async(args, retry=False)
    except Exception:  # the broker is down: the row stays, a beat job finds it
        logger.warning("could not queue %s%s; a beat job will", task.name, args, exc_info=True)
        return False
    return True


def once_key(task, *args) -> str:
    # The queue name keeps deployments (and test sessions) on one Redis apart.
    queue = task.app.conf.task_default_queue
    return ":".join(["m360", "once", queue, task.name, *map(str, args)])


def enqueue_once(task, *args) -> bool:
    """Queue ``task(*args)`` unless a run of it is queued and not started."""
    debounced = False
    try:
        if not _redis().set(once_key(task, *args), 1, nx=True, ex=ONCE_SECONDS):
            return False
        debounced = True
    except Exception:  # Redis is down: the broker is too, most likely; try anyway
        logger.warning("could not debounce %s%s", task.name, args, exc_info=True)
    if enqueue(task, *args):
        return True
    if debounced:  # nothing is queued: the next caller must queue it, not wait out the key
        release(task, *args)
    return False


def release(task, *args) -> None:
    """Called first thing by a debounced task: from here on, new work queues
    a new run."""
    try:
        _redis().delete(once_key(task, *args))
    except Exception:
        logger.warning("could not release %s%s", task.name, args, exc_info=True)
