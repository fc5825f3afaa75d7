"""The webhook doors at the ASGI level: POST /webhooks/whatsapp and
/webhooks/meta answered in front of Django, on the event loop.

Why: Meta wants an answer within seconds and sends bursts; a webhook POST
through Django's ASGI handler costs ~5 ms of CPU before our view runs (a
thread per request for the sync middleware chain, signals, a pooled
connection checked out per thread), which held a 2-core server under
~320 acks/s (make bench-ingest). Here the same checks (webhooks.check) and
the same row (one INSERT of an InboundPayload) cost a fraction of that.

It does exactly what the Django view does — verify, store, answer — and
nothing else: processing stays with the drain (channels_inbox.inbound). It
is active on PostgreSQL only; elsewhere, and for every other request, the
Django application answers.

Nothing is lost: the answer 200 goes out after the INSERT has committed; if
PostgreSQL cannot be reached the answer is 503 and Meta delivers again. The
drain is queued through the same queueing.enqueue_once as the Django view's,
in a thread the ack does not wait for (if Redis or the broker is down, the
sweeper drains the body later).
"""

from __future__ import annotations

import asyncio
import json
import logging

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections
from psycopg_pool import AsyncConnectionPool

from channels_inbox import queueing, webhooks
from channels_inbox.models import InboundPayload, PayloadStatus

logger = logging.getLogger(__name__)

_INSERT = (
    f"INSERT INTO {InboundPayload._meta.db_table} "  # noqa: S608
    "(source, account_id, body, status, error, attempts, received_at) "
    "VALUES (%s, NULL, %s, %s, %s, 0, now()) RETURNING id"
)
# What libpq understands; Django's connection parameters also carry its own
# (pool, cursor_factory, context, prepare_threshold) for psycopg's connect().
_LIBPQ_KEYWORDS = frozenset(o.keyword.decode() for o in psycopg.pq.Conninfo.get_defaults())


def _conninfo() -> str | None:
    """Django's connection as a libpq string, with everything DATABASE_URL
    and OPTIONS say (?sslmode=require, ...); None when not on PostgreSQL."""
    database = connections["default"]
    if database.vendor != "postgresql":
        return None
    params = database.get_connection_params()
    return psycopg.conninfo.make_conninfo(
        **{k: v for k, v in params.items() if k in _LIBPQ_KEYWORDS and v is not None}
    )


class WebhookDoor:
    """ASGI middleware: the webhook POSTs here, everything else to ``app``.
    It answers the lifespan protocol itself (Django does not speak it) to
    close its connections when the server stops."""

    def __init__(self, app, *, conninfo: str | None = None, timeout: float = 5.0):
        self.app = app
        self._conninfo = conninfo if conninfo is not None else _conninfo()
        self._timeout = timeout
        self._pool: AsyncConnectionPool | None = None
        self._lock = asyncio.Lock()
        self._drain_wanted = False
        self._scheduling: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] not in webhooks.DOORS
            or self._conninfo is None
        ):
            return await self.app(scope, receive, send)
        body = await _read_body(receive)
        headers = dict(scope["headers"])
        signature = headers.get(webhooks.SIGNATURE_HEADER.lower().encode(), b"").decode("latin-1")
        try:
            status, answer = await self._receive(scope["path"], body, signature)
        except (psycopg.Error, DatabaseError, OSError, TimeoutError):
            # psycopg's from the door's pool; Django's from the secrets' query.
            logger.exception("webhook door: PostgreSQL unreachable; answered 503")
            status, answer = 503, {"error": "Not stored; deliver again later."}
        await _respond(send, status, answer)

    async def _receive(self, path: str, body: bytes, signature: str) -> tuple[int, dict]:
        kinds, _objects = webhooks.DOORS[path]
        secrets = await webhooks.achannel_secrets(kinds)
        checked = webhooks.check(body, signature, path=path, secrets=secrets)
        if checked.status == 403:
            return 403, {"error": checked.error}
        pool = await self._open_pool()
        async with pool.connection() as conn:
            row = await (
                await conn.execute(
                    _INSERT,
                    [
                        checked.source,
                        checked.text,
                        PayloadStatus.REJECTED if checked.error else PayloadStatus.PENDING,
                        checked.error,
                    ],
                )
            ).fetchone()
        if checked.error:
            return 400, {"error": checked.error}
        self._schedule_drain()
        return 200, {"stored": row[0]}

    def _schedule_drain(self) -> None:
        """inbound.schedule_drain for a stored body, without waiting: the call
        (queueing.enqueue_once: Redis, maybe the broker) runs in a thread, one
        at a time; bodies stored while it runs make one more call after it.
        So every body is followed by a whole enqueue_once, as in the Django
        view, but a burst costs a thread hop now and then, not one per ack."""
        self._drain_wanted = True
        if self._scheduling is None or self._scheduling.done():
            self._scheduling = asyncio.get_running_loop().create_task(self._schedule_drains())

    async def _schedule_drains(self) -> None:
        from channels_inbox.tasks import inbound_drain

        while self._drain_wanted:
            self._drain_wanted = False
            await asyncio.to_thread(queueing.enqueue_once, inbound_drain)

    async def _open_pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    pool = AsyncConnectionPool(
                        self._conninfo,
                        min_size=1,
                        max_size=settings.WEBHOOK_DOOR_POOL_SIZE,
                        kwargs={"autocommit": True},
                        open=False,
                        timeout=self._timeout,
                    )
                    await pool.open()
                    self._pool = pool
        return self._pool

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        if self._scheduling is not None:
            await self._scheduling
            self._scheduling = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def _read_body(receive) -> bytes:
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= webhooks.MAX_BODY_BYTES + 1:  # enough to say it is too large
            chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _respond(send, status: int, answer: dict) -> None:
    body = json.dumps(answer).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
