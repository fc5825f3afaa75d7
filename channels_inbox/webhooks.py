"""The HTTP doors of the channels: what Meta (WhatsApp Cloud API, Instagram,
Messenger) calls. Authenticated by the X-Hub-Signature-256 of the body,
never by a session (hence csrf_exempt).

Each door verifies, stores the raw body and answers at once; a Celery task
processes it (channels_inbox.services.inbound_process). A body that is not in
the documented shape is kept as rejected and answered 400, never 500.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_inbox import services
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


def _credentials(kinds: Iterable[str]) -> list[tuple[str, str]]:
    """(app secret, verify token) of the active accounts of these kinds."""
    key = tuple(sorted(kinds))
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is None or now - cached[0] > _CACHE_SECONDS:
        rows = ChannelAccount.objects.filter(kind__in=key, is_active=True).values_list(
            "app_secret", "verify_token"
        )
        cached = (now, sorted(set(rows)))
        _cache[key] = cached
    return cached[1]


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


def _receive(request, *, kinds: list[str], expected_objects: dict[str, str]) -> HttpResponse:
    body = request.body
    secrets = [secret for secret, _verify in _credentials(kinds) if secret]
    if not signature_valid(body, request.headers.get(SIGNATURE_HEADER, ""), secrets):
        return JsonResponse({"error": f"Missing or wrong {SIGNATURE_HEADER}."}, status=403)
    source = kinds[0]
    try:
        if len(body) > MAX_BODY_BYTES:
            raise ValueError(f"The body is larger than {MAX_BODY_BYTES} bytes.")
        text = body.decode("utf-8")
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("object") not in expected_objects:
            raise ValueError(f"object: expected one of {sorted(expected_objects)}")
        if not isinstance(data.get("entry"), list):
            raise ValueError("entry: expected a list")
        source = expected_objects[data["object"]]
    except (ValueError, UnicodeDecodeError) as exc:
        error = f"Malformed payload: {exc}"
        services.inbound_store(
            source=source, body=body[:MAX_BODY_BYTES].decode("utf-8", "replace"), error=error
        )
        return JsonResponse({"error": error}, status=400)
    payload = services.inbound_store(source=source, body=text)
    return JsonResponse({"stored": payload.pk})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request):
    """``/webhooks/whatsapp``: the callback URL of the WhatsApp product of the
    hotel's Meta app."""
    kinds = [ChannelKind.WHATSAPP]
    if request.method == "GET":
        return _handshake(request, kinds)
    return _receive(
        request, kinds=kinds, expected_objects={"whatsapp_business_account": ChannelKind.WHATSAPP}
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta(request):
    """``/webhooks/meta``: the callback URL of the Instagram and Messenger
    (page) products of the hotel's Meta app."""
    kinds = [ChannelKind.INSTAGRAM, ChannelKind.MESSENGER]
    if request.method == "GET":
        return _handshake(request, kinds)
    return _receive(
        request,
        kinds=kinds,
        expected_objects={"instagram": ChannelKind.INSTAGRAM, "page": ChannelKind.MESSENGER},
    )
