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
PostgreSQL cannot be reached the answer is 503 and Meta delivers again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import psycopg
import redis.asyncio as aioredis
from django.conf import settings
from psycopg_pool import AsyncConnectionPool

from channels_inbox import queueing, webhooks
from channels_inbox.models import ChannelAccount, InboundPayload, PayloadStatus

logger = logging.getLogger(__name__)

_INSERT = (
    f"INSERT INTO {InboundPayload._meta.db_table} "  # noqa: S608
    "(source, account_id, body, status, error, attempts, received_at) "
    "VALUES (%s, NULL, %s, %s, %s, 0, now()) RETURNING id"
)
_SECRETS = (
    f"SELECT kind, app_secret FROM {ChannelAccount._meta.db_table} "  # noqa: S608
    "WHERE is_active AND app_secret <> ''"
)


def _conninfo() -> str | None:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        return None
    parts = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in parts.items() if v})


class WebhookDoor:
    """ASGI middleware: the webhook POSTs here, everything else to ``app``.
    It answers the lifespan protocol itself (Django does not speak it) to
    close its connections when the server stops."""

    def __init__(self, app, *, conninfo: str | None = None, timeout: float = 5.0):
        self.app = app
        self._conninfo = conninfo
        self._timeout = timeout
        self._pool: AsyncConnectionPool | None = None
        self._redis: aioredis.Redis | None = None
        self._secrets: dict[str, list[str]] = {}
        self._secrets_at = -1e9
        self._lock = asyncio.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] not in webhooks.DOORS
            or (self._conninfo or _conninfo()) is None
        ):
            return await self.app(scope, receive, send)
        body = await _read_body(receive)
        headers = dict(scope["headers"])
        signature = headers.get(webhooks.SIGNATURE_HEADER.lower().encode(), b"").decode("latin-1")
        try:
            status, answer = await self._receive(scope["path"], body, signature)
        except (psycopg.Error, OSError, TimeoutError):
            logger.exception("webhook door: PostgreSQL unreachable; answered 503")
            status, answer = 503, {"error": "Not stored; deliver again later."}
        await _respond(send, status, answer)

    async def _receive(self, path: str, body: bytes, signature: str) -> tuple[int, dict]:
        kinds, _objects = webhooks.DOORS[path]
        secrets = await self._secrets_for(kinds)
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
        await self._schedule_drain()
        return 200, {"stored": row[0]}

    async def _secrets_for(self, kinds: list[str]) -> list[str]:
        # As the Django view's cache: an admin change is used within 30 s.
        if time.monotonic() - self._secrets_at > webhooks._CACHE_SECONDS:
            pool = await self._open_pool()
            async with pool.connection() as conn:
                rows = await (await conn.execute(_SECRETS)).fetchall()
            secrets: dict[str, list[str]] = {}
            for kind, secret in rows:
                secrets.setdefault(kind, []).append(secret)
            self._secrets, self._secrets_at = secrets, time.monotonic()
        return sorted({s for kind in kinds for s in self._secrets.get(kind, [])})

    async def _open_pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    pool = AsyncConnectionPool(
                        self._conninfo or _conninfo(),
                        min_size=1,
                        max_size=settings.WEBHOOK_DOOR_POOL_SIZE,
                        kwargs={"autocommit": True},
                        open=False,
                        timeout=self._timeout,
                    )
                    await pool.open()
                    self._pool = pool
        return self._pool

    async def _schedule_drain(self) -> None:
        """As inbound.schedule_drain: one drain task per burst."""
        from channels_inbox.tasks import inbound_drain

        try:
            if self._redis is None:
                self._redis = aioredis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
            added = await self._redis.set(
                queueing.once_key(inbound_drain), 1, nx=True, ex=queueing.ONCE_SECONDS
            )
        except Exception:  # Redis is down: the sweeper drains it later
            logger.warning("webhook door: could not debounce the drain", exc_info=True)
            added = True
        if added:
            await asyncio.to_thread(queueing.enqueue, inbound_drain)

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
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None


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
