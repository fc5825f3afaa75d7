"""The web chat's door, called by static/webchat/widget.js from the hotel's
own site (another origin): JSON in and out, CORS only for the origins the
hotel lists, no cookies. A visitor starts with name, contact and consent and
gets a secret token; their messages are stored like any channel's webhook
and processed at once (the sweeper retries what could not be); agents'
replies are fetched by the widget, which polls.
"""

from __future__ import annotations

import json
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from channels_inbox import inbound
from channels_inbox.channels import webchat
from channels_inbox.models import (
    ChannelAccount,
    ChannelKind,
    Conversation,
    Direction,
    Message,
    WebChatVisitor,
)
from guestview.identity import normalize_email, normalize_phone
from guestview.models import AgentStatus

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Webchat-Token"  # noqa: S105 - a header name
MAX_TEXT = 2000
STARTS_PER_MINUTE = 30  # per address: a hotel lobby's Wi-Fi is one


def _account(key: str) -> ChannelAccount:
    account = (
        ChannelAccount.objects.select_related("property")
        .filter(kind=ChannelKind.WEBCHAT, external_id=key, is_active=True)
        .first()
    )
    if account is None:
        raise Http404("No such chat.")
    return account


def _cors(response: HttpResponse, request, account: ChannelAccount) -> HttpResponse:
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin and origin in account.origins:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = f"Content-Type, {TOKEN_HEADER}"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


def _origin_refused(request, account: ChannelAccount) -> bool:
    """Browsers say where the page is; a page of another site may not chat
    in the hotel's name. Requests without an Origin (curl, tests) pass."""
    origin = request.headers.get("Origin", "").rstrip("/")
    return bool(origin) and origin not in account.origins


def _over_limit(*keys: str, limit: int) -> bool:
    """A fixed one-minute window per key, in the shared cache (Redis)."""
    window = int(timezone.now().timestamp() // 60)
    for key in keys:
        name = f"webchat:rate:{key}:{window}"
        cache.add(name, 0, timeout=90)
        try:
            if cache.incr(name) > limit:
                return True
        except ValueError:  # expired between add and incr: a new window
            cache.set(name, 1, timeout=90)
    return False


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _json(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _visitor(request, account: ChannelAccount) -> WebChatVisitor | None:
    token = request.headers.get(TOKEN_HEADER, "")
    if not token:
        return None
    return WebChatVisitor.objects.filter(account=account, token=token).first()


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def start(request, key: str):
    """``POST /webchat/<key>/start`` {name, contact, consent, language}."""
    account = _account(key)
    if _origin_refused(request, account):
        return JsonResponse({"error": "This site may not use the chat."}, status=403)
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), request, account)
    if _over_limit(f"start-ip:{_client_ip(request)}", limit=STARTS_PER_MINUTE):
        return _cors(
            JsonResponse({"error": "Too many chats started."}, status=429), request, account
        )
    data = _json(request)
    errors = {}
    name = str(data.get("name", "")).strip()[:120]
    if not name:
        errors["name"] = "Please tell us your name."
    raw_contact = str(data.get("contact", "")).strip()
    contact = normalize_email(raw_contact) if "@" in raw_contact else normalize_phone(raw_contact)
    if not contact:
        errors["contact"] = "An e-mail address or a phone number, please."
    if data.get("consent") is not True:
        errors["consent"] = "We need your consent to answer you."
    if errors:
        return _cors(JsonResponse({"errors": errors}, status=400), request, account)
    visitor = WebChatVisitor.objects.create(
        account=account, name=name, contact=contact, consent_at=timezone.now()
    )
    return _cors(
        JsonResponse({"token": visitor.token, "visitor": visitor.pk}, status=201), request, account
    )


@csrf_exempt
@require_http_methods(["GET", "POST", "OPTIONS"])
def messages(request, key: str):
    """``POST`` {text, client_id}: a visitor's message. ``GET ?after=<id>``:
    the thread as the visitor sees it (never notes) and whether anyone is
    online."""
    account = _account(key)
    if _origin_refused(request, account):
        return JsonResponse({"error": "This site may not use the chat."}, status=403)
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), request, account)
    visitor = _visitor(request, account)
    if visitor is None:
        return _cors(JsonResponse({"error": "Start the chat first."}, status=403), request, account)
    if request.method == "GET":
        return _cors(_thread(request, account, visitor), request, account)
    limit = settings.WEBCHAT_RATE_PER_MINUTE
    # Guests of a hotel, or of one mobile carrier, share an address: the
    # address gets room for several visitors.
    if _over_limit(f"visitor:{visitor.token}", limit=limit) or _over_limit(
        f"ip:{_client_ip(request)}", limit=5 * limit
    ):
        answer = JsonResponse({"error": "Too many messages; wait a minute."}, status=429)
        return _cors(answer, request, account)
    data = _json(request)
    text = str(data.get("text", "")).strip()
    if not text or len(text) > MAX_TEXT:
        answer = JsonResponse({"errors": {"text": f"1 to {MAX_TEXT} characters."}}, status=400)
        return _cors(answer, request, account)
    client_id = str(data.get("client_id") or uuid.uuid4().hex)[:64]
    body = webchat.stored_body(
        account_key=account.external_id, visitor=visitor, message_id=f"{visitor.pk}:{client_id}",
        text=text, at=timezone.now(),
    )  # fmt: skip
    payload = inbound.inbound_store(
        source=ChannelKind.WEBCHAT, body=json.dumps(body, ensure_ascii=False), account=account
    )
    try:
        inbound.inbound_process(payload_id=payload.pk)
    except Exception:  # stored: the queued task or the sweeper processes it later
        logger.exception("web chat message %s kept for later processing", payload.pk)
    if visitor.conversation_id is None:
        conversation = (
            Conversation.objects.filter(account=account, messages__external_id=body["message_id"])
            .values_list("pk", flat=True)
            .first()
        )
        if conversation:
            WebChatVisitor.objects.filter(pk=visitor.pk).update(conversation_id=conversation)
    return _cors(JsonResponse({"accepted": True}, status=202), request, account)


def _thread(request, account: ChannelAccount, visitor: WebChatVisitor) -> JsonResponse:
    after = request.GET.get("after", "")
    messages = Message.objects.filter(
        account=account,
        conversation__contact_key=webchat.visitor_contact_key(visitor),
        direction__in=[Direction.IN, Direction.OUT],
        created_at__gte=visitor.created_at,
    ).order_by("id")
    if after.isdigit():
        messages = messages.filter(pk__gt=int(after))
    from channels_inbox.routing import agents_for_property

    online = any(a.status == AgentStatus.ONLINE for a in agents_for_property(account.property_id))
    return JsonResponse(
        {
            "messages": [
                {
                    "id": m.pk,
                    "from": "guest" if m.direction == Direction.IN else "hotel",
                    "text": m.text,
                    "at": m.sent_at.isoformat(),
                }
                for m in messages[:200]
            ],
            "online": online,
        }
    )


@require_GET
def demo(request, key: str):
    """A stand-in hotel page with the one script tag (DEBUG only)."""
    if not settings.DEBUG:
        raise Http404
    account = _account(key)
    return render(request, "webchat/demo.html", {"account": account})
