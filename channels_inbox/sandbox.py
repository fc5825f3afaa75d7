"""The demo's stand-in for Meta's Graph API (DEBUG only): ``make demo``
points META_GRAPH_URL here, so replies typed in the demo console go through
the real sending path (Celery task, HTTP request, retries) and come back
"sent" with a message id, without a WhatsApp Business account."""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def graph_messages(request, account_id: str):
    if not settings.DEBUG:
        raise Http404
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": {"message": "Invalid JSON", "code": 100}}, status=400)
    if body.get("messaging_product") == "whatsapp":
        to = str(body.get("to", ""))
        return JsonResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.sandbox-{uuid.uuid4().hex}"}],
            }
        )
    recipient = (body.get("recipient") or {}).get("id", "")
    return JsonResponse({"recipient_id": recipient, "message_id": f"m_sandbox-{uuid.uuid4().hex}"})
