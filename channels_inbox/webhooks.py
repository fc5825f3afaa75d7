"""The HTTP doors of the channels: what Meta (WhatsApp Cloud API, Instagram,
Messenger) calls. Authenticated by the X-Hub-Signature-256 of the body,
never by a session (hence csrf_exempt).

Each door verifies, stores the raw body and answers at once; the drain
processes it later (channels_inbox.inbound). A body that is not in the
documented shape is kept as rejected and answered 400, never 500. On
PostgreSQL under uvicorn the POSTs are answered by channels_inbox.door in
front of Django, with the same check(); these views serve the rest (the GET
handshake, SQLite, WSGI, Django's test client).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_inbox import inbound
from channels_inbox.channels.base import signature_valid
from channels_inbox.models import ChannelAccount, ChannelKind

MAX_BODY_BYTES = 1024 * 1024  # Meta batches up to 1,000 updates in one body
SIGNATURE_HEADER = "X-Hub-Signature-256"

# Every webhook asks; accounts change a few times a year. A secret changed in
# the admin is used within this time (forget_channel_secrets()).
_CACHE_SECONDS = 30
_cache: dict[tuple[str, ...], tuple[float, list[tuple[str, str]]]] = {}


def forget_channel_secrets() -> None:
    _cache.clear()


def _cached(key: tuple[str, ...]) -> list[tuple[str, str]] | None:
    cached = _cache.get(key)
    if cached is None or time.monotonic() - cached[0] > _CACHE_SECONDS:
        return None
    return cached[1]


def _credentials(kinds: Iterable[str]) -> list[tuple[str, str]]:
    """(app secret, verify token) of the active accounts of these kinds."""
    key = tuple(sorted(kinds))
    cached = _cached(key)
    if cached is None:
        rows = ChannelAccount.objects.filter(kind__in=key, is_active=True).values_list(
            "app_secret", "verify_token"
        )
        cached = sorted(set(rows))
        _cache[key] = (time.monotonic(), cached)
    return cached


def channel_secrets(kinds: Iterable[str]) -> list[str]:
    """The app secrets a webhook for accounts of these kinds may be signed with."""
    return [secret for secret, _verify in _credentials(kinds) if secret]


async def achannel_secrets(kinds: Iterable[str]) -> list[str]:
    """channel_secrets on the event loop (channels_inbox.door), from the same
    cache: a hit costs no thread; a miss queries in one."""
    kinds = list(kinds)
    cached = _cached(tuple(sorted(kinds)))
    if cached is not None:
        return [secret for secret, _verify in cached if secret]
    return await asyncio.to_thread(_channel_secrets_off_request, kinds)


def _channel_secrets_off_request(kinds: list[str]) -> list[str]:
    try:
        return channel_secrets(kinds)
    finally:
        # No request ends in this thread to give the connection back: do it here.
        connection.close()


def _handshake(request, kinds: Iterable[str]) -> HttpResponse:
    """Meta's subscription check: echo hub.challenge when hub.verify_token is
    one of ours."""
    mode = request.GET.get("hub.mode")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    tokens = {verify for _secret, verify in _credentials(kinds) if verify}
    if mode == "subscribe" and token and token in tokens:
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponse("Verification failed.", status=403, content_type="text/plain")


# The webhook doors: path → (account kinds, the "object" each documents → source).
DOORS: dict[str, tuple[list[str], dict[str, str]]] = {
    "/webhooks/whatsapp": (
        [ChannelKind.WHATSAPP],
        {"whatsapp_business_account": ChannelKind.WHATSAPP},
    ),
    "/webhooks/meta": (
        [ChannelKind.INSTAGRAM, ChannelKind.MESSENGER],
        {"instagram": ChannelKind.INSTAGRAM, "page": ChannelKind.MESSENGER},
    ),
}


@dataclass(frozen=True)
class Checked:
    """What a door makes of a POST before anything is stored: 403 (not
    signed by one of our apps: nothing stored), 400 (signed but malformed:
    kept as rejected with ``error``) or 200 (kept as pending)."""

    status: int
    source: str
    text: str = ""
    error: str = ""


def check(body: bytes, signature: str, *, path: str, secrets: Iterable[str]) -> Checked:
    """The checks of a webhook POST, shared by the Django views and the ASGI
    fast door (channels_inbox.door)."""
    kinds, expected_objects = DOORS[path]
    source = kinds[0]
    if not signature_valid(body, signature, secrets):
        return Checked(403, source, error=f"Missing or wrong {SIGNATURE_HEADER}.")
    try:
        if len(body) > MAX_BODY_BYTES:
            raise ValueError(f"The body is larger than {MAX_BODY_BYTES} bytes.")
        text = body.decode("utf-8")
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("object") not in expected_objects:
            raise ValueError(f"object: expected one of {sorted(expected_objects)}")
        if not isinstance(data.get("entry"), list):
            raise ValueError("entry: expected a list")
    except (ValueError, UnicodeDecodeError) as exc:
        return Checked(
            400,
            source,
            text=body[:MAX_BODY_BYTES].decode("utf-8", "replace"),
            error=f"Malformed payload: {exc}",
        )
    return Checked(200, expected_objects[data["object"]], text=text)


def _receive(request, *, path: str) -> HttpResponse:
    kinds, _objects = DOORS[path]
    secrets = channel_secrets(kinds)
    checked = check(
        request.body, request.headers.get(SIGNATURE_HEADER, ""), path=path, secrets=secrets
    )
    if checked.status == 403:
        return JsonResponse({"error": checked.error}, status=403)
    payload = inbound.inbound_store(source=checked.source, body=checked.text, error=checked.error)
    if checked.error:
        return JsonResponse({"error": checked.error}, status=400)
    return JsonResponse({"stored": payload.pk})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request):
    """``/webhooks/whatsapp``: the callback URL of the WhatsApp product of the
    hotel's Meta app."""
    if request.method == "GET":
        return _handshake(request, DOORS["/webhooks/whatsapp"][0])
    return _receive(request, path="/webhooks/whatsapp")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta(request):
    """``/webhooks/meta``: the callback URL of the Instagram and Messenger
    (page) products of the hotel's Meta app."""
    if request.method == "GET":
        return _handshake(request, DOORS["/webhooks/meta"][0])
    return _receive(request, path="/webhooks/meta")
