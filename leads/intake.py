"""``POST /leads/intake``: the hotel site's lead form.

Authenticated per form (leads.IntakeForm), either with the API key — header
``Authorization: Bearer <key>``, from the hotel's server — or by signing the
body: ``X-M360-Form: <form id>`` and ``X-M360-Signature: sha256=<hex
HMAC-SHA256 of the raw body with the form's secret>``. JSON or a classic
form post. Fields: name, phone and/or email, request (message), arrival,
departure (YYYY-MM-DD or DD.MM.YYYY), adults, children, room, budget,
currency, language, utm_source … utm_content, consent (the guest ticked "I
agree to receive offers": recorded the İYS way for the given phone and/or
address, source HS_WEB).

A page that posts from the visitor's browser (fetch, another origin than
ours) needs its site in the form's allowed origins: the browser asks first
(OPTIONS, the CORS preflight) and reads the answer only for those; a post
whose Origin is not one of them is refused (403), like the web chat's
(channels_inbox.webchat_views). Whatever a page carries is public, so for
a browser form the origin list is what keeps other sites out.

Every post is stored first (IntakeSubmission). Field errors answer 400
with the field names; a bad key or signature 403; a lead 201 with its Case
ID. Never a 500 for bad input.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_inbox.channels.base import signature_valid
from consent.models import ConsentSource, ConsentStatus, ConsentType
from consent.services import consent_record
from guestview.models import Language
from leads import services
from leads.models import IntakeForm, IntakeStatus, IntakeSubmission

MAX_BODY = 64 * 1024


def _form_for(request, body: bytes) -> IntakeForm | None:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        key = auth.removeprefix("Bearer ").strip()
        form = IntakeForm.objects.filter(api_key=key, is_active=True).select_related("source")
        return form.select_related("property").first()
    form_id = request.headers.get("X-M360-Form", "")
    signature = request.headers.get("X-M360-Signature", "")
    if not (form_id.isascii() and form_id.isdigit()) or not signature:
        return None
    form = (
        IntakeForm.objects.filter(pk=int(form_id), is_active=True)
        .select_related("property", "source")
        .first()
    )
    if form is None:
        return None
    # The same "sha256=<hex>" HMAC as Meta's webhooks.
    return form if signature_valid(body, signature, [form.secret]) else None


CORS_HEADERS = "Authorization, Content-Type, X-M360-Form, X-M360-Signature"


def _origin(request) -> str:
    return request.headers.get("Origin", "").rstrip("/")


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    """Let the page of an allowed origin read the answer."""
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = CORS_HEADERS
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


def _preflight(request) -> HttpResponse:
    """The browser asks before it posts, without the form's headers' values:
    an origin any active form allows may go on (the post itself is checked
    against its own form)."""
    origin = _origin(request)
    forms = IntakeForm.objects.filter(is_active=True).exclude(allowed_origins="")
    if origin and any(origin in form.origins for form in forms.only("allowed_origins")):
        return _cors(HttpResponse(status=204), origin)
    return JsonResponse({"error": "This site may not post lead forms."}, status=403)


def _fields(request, body: bytes) -> dict:
    if request.content_type == "application/json":
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data
    return request.POST.dict()  # form-encoded or multipart, parsed by Django


def _date(value, field: str, errors: dict) -> dt.date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            continue
    errors[field] = [_("A date: YYYY-MM-DD or DD.MM.YYYY.")]
    return None


def _int(value, field: str, errors: dict, *, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
        if not 0 <= number <= 30:
            raise ValueError
        return number
    except (TypeError, ValueError):
        errors[field] = [_("A whole number from 0 to 30.")]
        return default


def _truthy(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "on", "yes", "evet", "ja", "да"}


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def intake(request):
    if request.method == "OPTIONS":
        return _preflight(request)
    body = request.body[: MAX_BODY + 1]
    submission = IntakeSubmission(
        body=body[:MAX_BODY].decode("utf-8", "replace"), content_type=request.content_type or ""
    )
    form = _form_for(request, body)
    if form is None:
        submission.status = IntakeStatus.REFUSED
        submission.errors = {"auth": ["Missing or wrong API key or signature."]}
        submission.save()
        return JsonResponse({"error": "Missing or wrong API key or signature."}, status=403)
    submission.form = form
    # Browsers say where the page is; servers posting with the key send no Origin.
    origin = _origin(request)
    if origin and origin not in form.origins:
        submission.status = IntakeStatus.REFUSED
        submission.errors = {"origin": [f"{origin} is not an allowed origin of this form."]}
        submission.save()
        return JsonResponse({"error": "This site may not post this form."}, status=403)
    return _cors(_submit(form, submission, request, body), origin)


def _submit(form: IntakeForm, submission: IntakeSubmission, request, body: bytes) -> JsonResponse:
    errors: dict[str, list[str]] = {}
    try:
        if len(body) > MAX_BODY:
            raise ValueError(f"the body is larger than {MAX_BODY} bytes")
        data = _fields(request, body)
    except (ValueError, UnicodeDecodeError) as exc:
        data, errors["body"] = {}, [f"Malformed body: {exc}"]
    lead = None
    if not errors:
        lead, errors = _make_lead(form, data)
    submission.status = IntakeStatus.ACCEPTED if lead else IntakeStatus.REJECTED
    submission.errors, submission.lead = errors, lead
    submission.save()
    if lead is None:
        return JsonResponse({"errors": errors}, status=400)
    return JsonResponse({"case_id": lead.case_id}, status=201)


def _make_lead(form: IntakeForm, data: dict):
    errors: dict[str, list[str]] = {}
    phone, email = str(data.get("phone") or "").strip(), str(data.get("email") or "").strip()
    if not phone and not email:
        errors["phone"] = errors["email"] = [_("A phone number or an e-mail address.")]
    arrival = _date(data.get("arrival"), "arrival", errors)
    departure = _date(data.get("departure"), "departure", errors)
    adults = _int(data.get("adults"), "adults", errors, default=2)
    children = _int(data.get("children"), "children", errors, default=0)
    budget = None
    if data.get("budget") not in (None, ""):
        try:
            budget = Decimal(str(data["budget"]).replace(",", "."))
        except InvalidOperation:
            errors["budget"] = [_("A number.")]
    language = str(data.get("language") or "").lower()[:2]
    if language and language not in Language.values:
        errors["language"] = [_("tr, en, de or ru.")]
    if errors:
        return None, errors
    utm = {k: str(data.get(f"utm_{k}") or "") for k in services._UTM}
    request_text = str(data.get("request") or data.get("message") or "")
    try:
        with transaction.atomic():
            lead = services.lead_create(
                property=form.property, name=str(data.get("name") or ""),
                contact=phone or email, request=request_text,
                source=form.source, language=language, arrival=arrival, departure=departure,
                adults=adults, children=children, room_wish=str(data.get("room") or ""),
                budget=budget, currency=str(data.get("currency") or "EUR"), utm=utm,
            )  # fmt: skip
            if _truthy(data.get("consent")) and lead.guest_id:
                _record_consent(lead, phone=phone, email=email)
    except ValidationError as exc:
        return None, {
            ("phone" if field == "contact" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return lead, {}


def _record_consent(lead, *, phone: str, email: str) -> None:
    """The form's consent box, in İYS terms: a message (and call) permission
    for the phone, an e-mail permission for the address, given on the web."""
    for channel_types, recipient in (
        ((ConsentType.MESAJ, ConsentType.ARAMA), phone),
        ((ConsentType.EPOSTA,), email),
    ):
        if not recipient:
            continue
        for type_ in channel_types:
            consent_record(
                guest=lead.guest, type=type_, status=ConsentStatus.ONAY,
                source=ConsentSource.HS_WEB, recipient=recipient, consent_date=timezone.now(),
                note=lead.case_id,
            )  # fmt: skip
