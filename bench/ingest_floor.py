"""The floors of make bench-ingest, served by the same uvicorn:

- ``application``: the least a Django view can do to accept a webhook
  durably — insert the body as one row and answer — through the project's
  middleware (settings bench.ingest_settings);
- ``raw_application``: the least any ASGI app can do — read the body, one
  INSERT through an async psycopg pool, answer — what channels_inbox.door
  is measured against.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.ingest_settings")

from django.core.asgi import get_asgi_application
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

application = get_asgi_application()

from channels_inbox.door import _conninfo, _read_body, _respond  # noqa: E402
from channels_inbox.models import InboundPayload  # noqa: E402


@csrf_exempt
def floor(request):
    row = InboundPayload.objects.create(source="whatsapp", body=request.body.decode())
    return JsonResponse({"stored": row.pk})


urlpatterns = [path("webhooks/whatsapp", floor)]

_pool = None


async def raw_application(scope, receive, send):
    global _pool
    if scope["type"] != "http":
        return
    from psycopg_pool import AsyncConnectionPool

    body = await _read_body(receive)
    if _pool is None:
        _pool = AsyncConnectionPool(_conninfo(), min_size=1, max_size=8, open=False,
                                    kwargs={"autocommit": True})  # fmt: skip
        await _pool.open()
    async with _pool.connection() as conn:
        row = await (
            await conn.execute(
                "INSERT INTO channels_inbox_inboundpayload (source, body, status, error, "
                "attempts, received_at) VALUES ('whatsapp', %s, 'pending', '', 0, now()) "
                "RETURNING id",
                [body.decode()],
            )
        ).fetchone()
    await _respond(send, 200, {"stored": row[0]})
