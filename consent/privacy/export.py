"""The copy of a guest's data (an access request): every app's rows about
them, as JSON values, for the file and the readable page."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from channels_inbox.models import Conversation, Message, WebChatVisitor
from consent.access import access_record
from consent.models import (
    AccessAction,
    AccessLog,
    ConsentRecord,
    DataSubjectRequest,
    ExplicitConsent,
    GuestNeeds,
)
from guestview.models import Call, ContactPoint, Guest, GuestNote, Preference, Stay
from leads.models import Lead, LeadEvent, Offer, OfferOption

EXPORT_FORMAT = "misafir360/guest-export/1"


def _plain(value, tz: dt.tzinfo):
    if isinstance(value, dt.datetime):
        # RFC 3339 with a space: readable on the page, parseable in the file.
        return value.astimezone(tz).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: models.Model, fields: Iterable[str], tz: dt.tzinfo) -> dict:
    """The fields of ``obj`` as JSON values; choices as their label (the copy
    is for a person to read)."""
    row = {}
    for name in fields:
        model_field = obj._meta.get_field(name)
        if model_field.choices:
            row[name] = str(getattr(obj, f"get_{name}_display")())
        else:
            row[name] = _plain(getattr(obj, model_field.attname), tz)
    return row


# What the copy holds of each table (the staff and internal keys left out).
EXPORT_FIELDS = {
    "request": ["kind", "received_on", "due_on", "status"],
    "guest": ["first_name", "last_name", "language", "nationality", "birth_date", "segment",
              "source_channel", "last_campaign", "last_campaign_at", "created_at", "updated_at"],
    "contact_points": ["kind", "raw_value", "value", "is_primary", "created_at"],
    "stays": ["pms_reservation_id", "arrival", "departure", "room_type", "adults", "children",
              "board", "total_revenue", "currency", "status", "notes"],
    "preferences": ["key", "value", "source", "updated_at"],
    "needs": ["accessibility", "dietary", "detail", "updated_at"],
    "explicit_consents": ["at", "given", "method"],
    "notes": ["created_at", "kind", "arrival", "departure", "adults", "children", "room_wish",
              "text", "next_step", "due_at", "is_open"],
    "consent_history": ["consent_date", "type", "status", "source", "recipient",
                        "recipient_type", "iys_state"],
    "calls": ["created_at", "direction", "caller", "called", "rang_at", "answered_at",
              "ended_at", "duration_seconds", "outcome"],
    "conversations": ["channel", "contact_key", "contact_name", "created_at", "status",
                      "language", "scenario", "outcome", "closed_at", "summary"],
    "messages": ["sent_at", "direction", "kind", "text", "attachments", "status"],
    "leads": ["case_id", "created_at", "name", "contact", "request", "arrival", "departure",
              "adults", "children", "room_wish", "budget", "currency", "status", "closed_at",
              "reservation_number", "utm_source", "utm_campaign"],
    "lead_events": ["at", "kind", "text"],
    "offers": ["sent_at", "language", "next_step", "text", "status"],
    "offer_options": ["position", "room_type", "board", "arrival", "departure", "price",
                      "currency", "valid_until"],
    "web_chat": ["created_at", "name", "contact", "consent_at"],
    "data_subject_requests": ["kind", "received_on", "due_on", "status", "answered_at"],
    "access_log": ["at", "action", "context"],
}  # fmt: skip
EXPORT_MODELS = {
    "request": DataSubjectRequest, "guest": Guest, "contact_points": ContactPoint, "stays": Stay,
    "preferences": Preference, "needs": GuestNeeds, "explicit_consents": ExplicitConsent,
    "notes": GuestNote, "consent_history": ConsentRecord,
    "calls": Call, "conversations": Conversation, "messages": Message, "leads": Lead,
    "lead_events": LeadEvent, "offers": Offer, "offer_options": OfferOption,
    "web_chat": WebChatVisitor, "data_subject_requests": DataSubjectRequest,
    "access_log": AccessLog,
}  # fmt: skip
# Headings for fields their model leaves unnamed.
_HEADINGS = {
    "created_at": _("Created"),
    "at": _("When"),
    "sent_at": _("Sent"),
    "kind": _("Kind"),
    "text": _("Text"),
    "attachments": _("Attachments"),
    "position": _("Option"),
    "utm_source": "UTM source",
    "utm_campaign": "UTM campaign",
}


def export_columns(part: str) -> list[tuple[str, str]]:
    """(key, heading) of one part of the copy, for the readable page."""
    columns = []
    for name in EXPORT_FIELDS[part]:
        heading = EXPORT_MODELS[part]._meta.get_field(name).verbose_name
        if str(heading) == name.replace("_", " "):  # the model gave it no name
            heading = _HEADINGS.get(name, heading)
        columns.append((name, capfirst(heading)))
    return columns


def guest_export(
    *,
    guest: Guest,
    by: AbstractBaseUser,
    request: DataSubjectRequest | None = None,
    http_request=None,
) -> dict:
    """Everything we hold about ``guest``, from every app, as JSON values:
    the answer to an access request. Who of the staff did what is left out
    (it is the staff's data; the access log tells the hotel), and so are
    internal keys. Written to the access log as an EXPORT."""
    tz = zoneinfo.ZoneInfo(guest.property.timezone)

    def rows(part: str, objs) -> list[dict]:
        return [_row(obj, EXPORT_FIELDS[part], tz) for obj in objs]

    conversations = guest.conversations.order_by("created_at", "id").prefetch_related(
        models.Prefetch("messages", queryset=Message.objects.order_by("sent_at", "id"))
    )
    leads = (
        guest.leads.order_by("created_at", "id")
        .select_related("source")
        .prefetch_related(
            models.Prefetch("events", queryset=LeadEvent.objects.order_by("at", "id")),
            models.Prefetch("offers", queryset=Offer.objects.order_by("created_at", "id")),
            "offers__options",
        )
    )
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": _plain(timezone.now(), tz),
        "hotel": guest.property.name,
        "request": _row(request, EXPORT_FIELDS["request"], tz) if request else None,
        "guest": {"id": guest.pk, **_row(guest, EXPORT_FIELDS["guest"], tz)},
        "contact_points": rows("contact_points", guest.contact_points.order_by("kind", "id")),
        "stays": rows("stays", guest.stays.order_by("arrival", "id")),
        "preferences": rows("preferences", guest.preferences.order_by("key")),
        # Special-category data, read here for the guest's own copy (the
        # EXPORT entry of the access log records it).
        "needs": rows("needs", GuestNeeds.objects.filter(guest=guest)),
        "explicit_consents": rows(
            "explicit_consents", ExplicitConsent.objects.filter(guest=guest).order_by("at", "id")
        ),
        "notes": rows("notes", guest.notes.order_by("created_at", "id")),
        "consent_history": rows(
            "consent_history",
            guest.consent_records.order_by("consent_date", "recorded_at", "id"),
        ),
        "calls": rows("calls", Call.objects.filter(guest=guest).order_by("created_at", "id")),
        "conversations": [
            {
                **_row(conversation, EXPORT_FIELDS["conversations"], tz),
                "messages": rows("messages", conversation.messages.all()),
            }
            for conversation in conversations
        ],
        "leads": [
            {
                **_row(lead, EXPORT_FIELDS["leads"], tz),
                "source": lead.source.name,
                "events": rows("lead_events", lead.events.all()),
                "offers": [
                    {
                        **_row(offer, EXPORT_FIELDS["offers"], tz),
                        "options": rows("offer_options", offer.options.all()),
                    }
                    for offer in lead.offers.all()
                ],
            }
            for lead in leads
        ],
        "web_chat": rows(
            "web_chat",
            WebChatVisitor.objects.filter(conversation__guest=guest).order_by("created_at"),
        ),
        "data_subject_requests": rows(
            "data_subject_requests",
            DataSubjectRequest.objects.filter(guest_ref=guest.pk).order_by("received_on", "id"),
        ),
        "access_log": rows(
            "access_log", AccessLog.objects.filter(guest_id=guest.pk).order_by("at", "id")
        ),
    }
    access_record(
        actor=by,
        action=AccessAction.EXPORT,
        guest=guest,
        request=http_request,
        context=f"request:{request.pk}" if request is not None else "privacy",
    )
    return data
