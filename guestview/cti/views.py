"""The HTTP doors of the CTI: what a phone system calls, authenticated by its
Pbx token, never by a user session (hence csrf_exempt)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from guestview import services
from guestview.cti import threecx, tokens
from guestview.cti.events import EventError, parse_webhook
from guestview.models import Pbx, PbxKind, RejectedCallEvent

MAX_BODY_BYTES = 64 * 1024


# --- the generic webhook --------------------------------------------------------------


@csrf_exempt
@require_POST
def events(request):
    """Door 1, ``POST /cti/events``, for any PBX that can send an HTTP request on
    ringing / answered / hang-up (FreePBX dialplan CURL(), Yeastar, NetGSM…):
    ``{"event": "ringing", "call_id": "…", "caller": "0532 123 45 67",
    "called": "+90 242 710 10 00", "agent_extension": "201", "at": "…"}``
    with the PBX's token in the ``X-Misafir-Token`` header."""
    pbx = tokens.pbx_for_token(
        request.headers.get(tokens.TOKEN_HEADER, ""), kinds=[PbxKind.GENERIC, PbxKind.ASTERISK]
    )
    if pbx is None:
        return JsonResponse(
            {"error": f"Missing or unknown {tokens.TOKEN_HEADER} header."}, status=401
        )
    body = request.body
    try:
        if len(body) > MAX_BODY_BYTES:
            raise EventError(f"The body is larger than {MAX_BODY_BYTES} bytes.")
        event = parse_webhook(body)
    except EventError as exc:
        # Kept for inspection: a PBX misconfiguration shows up in the admin.
        RejectedCallEvent.objects.create(
            pbx=pbx,
            door="webhook",
            body=body[:MAX_BODY_BYTES].decode("utf-8", "replace"),
            error=str(exc),
        )
        return JsonResponse({"error": str(exc)}, status=400)
    result = services.call_event_record(pbx=pbx, event=event)
    return JsonResponse(
        {
            "call": result.call.pk if result.call else None,
            "duplicate": result.duplicate,
            "pops": len(result.pops),
        }
    )


# --- 3CX: the server-side CRM template (docs/3cx-crm-template.xml) ---------------------


@csrf_exempt
@require_GET
@never_cache  # guests' names and e-mails: no proxy may keep them
def threecx_lookup(request):
    """3CX asks who is calling: ``GET /cti/3cx/lookup?number=…``."""
    pbx = threecx.pbx_for_token(_threecx_token(request))
    if pbx is None:
        return _threecx_unauthorized()
    number = threecx.lookup_number(request.GET.get("number", ""))
    guests = threecx.guests_for_number(number) if number else []
    answer = threecx.lookup_answer(
        guests,
        number=number,
        contact_url=lambda guest: request.build_absolute_uri(
            reverse("guestview:guest_detail", args=[guest.pk])
        ),
    )
    return JsonResponse(answer)


@csrf_exempt
@require_POST
def threecx_report(request):
    """3CX journals a finished call: ``POST /cti/3cx/report`` (ReportCall)."""
    body = request.body
    data: dict = {}
    error = None
    try:
        if len(body) > MAX_BODY_BYTES:
            raise EventError(f"The body is larger than {MAX_BODY_BYTES} bytes.")
        data = threecx.report_fields(body, request.content_type)
    except EventError as exc:
        error = exc
    pbx = threecx.pbx_for_token(
        _threecx_token(request, body_token=data.get(tokens.TOKEN_PARAMETER))
    )
    if pbx is None:  # checked before anything is stored: strangers fill no table
        return _threecx_unauthorized()
    if error is not None:
        return _threecx_reject(pbx, body, data, error)
    try:
        entry = threecx.parse_report(data)
    except EventError as exc:
        return _threecx_reject(pbx, body, data, exc)
    try:
        result = services.call_journal_record(
            pbx=pbx,
            call_id=entry.call_id,
            direction=entry.direction,
            outcome=entry.outcome,
            number=entry.number,
            agent_extension=entry.agent_extension,
            started_at=entry.started_at,
            ended_at=entry.ended_at,
            duration_seconds=entry.duration_seconds,
            payload=entry.payload,
        )
    except ValidationError as exc:
        return _threecx_reject(pbx, body, data, EventError(" ".join(exc.messages)))
    return JsonResponse(
        {"call": result.call.pk if result.call else None, "duplicate": result.duplicate}
    )


def _threecx_token(request, *, body_token: object = None) -> str:
    token = (
        request.headers.get(tokens.TOKEN_HEADER)
        or request.GET.get(tokens.TOKEN_PARAMETER)
        or (body_token if isinstance(body_token, str) else "")
    )
    return token.strip()


def _threecx_unauthorized() -> JsonResponse:
    return JsonResponse(
        {"error": f"Missing or unknown token: send the {tokens.TOKEN_HEADER} header."},
        status=401,
    )


def _threecx_reject(pbx: Pbx, body: bytes, data: dict, error: EventError) -> JsonResponse:
    # Kept for inspection in the admin, without the token if it came in the body.
    if tokens.TOKEN_PARAMETER in data:
        kept = json.dumps({k: v for k, v in data.items() if k != tokens.TOKEN_PARAMETER})
    else:
        kept = body[:MAX_BODY_BYTES].decode("utf-8", "replace")
    RejectedCallEvent.objects.create(pbx=pbx, door=threecx.REPORT_DOOR, body=kept, error=str(error))
    return JsonResponse({"error": str(error)}, status=400)
