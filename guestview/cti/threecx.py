"""The 3CX door: what the server-side CRM template (docs/3cx-crm-template.xml)
sends us, and what it expects back.

3CX asks two things. While a call rings, its default scenario looks the
number up (``GET /cti/3cx/lookup?number=…``) and maps our JSON to a contact
through the template's Rules/Variables/Outputs. When a call ends, its
``ReportCall`` scenario journals it (``POST /cti/3cx/report``), which becomes
a ``guestview.services.call_journal_record``.

tests/guestview/cti/test_threecx.py plays the template against these
functions: the paths, the token header, ``CONTACT_FIELDS`` and
``REPORT_FIELDS`` below must change together with the XML.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import OuterRef, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from guestview.cti import tokens
from guestview.cti.events import EventError
from guestview.identity import normalize_phone
from guestview.models import (
    CallDirection,
    CallOutcome,
    ContactKind,
    ContactPoint,
    Guest,
    Pbx,
    PbxKind,
)

# For a template that can only carry the token in the URL or the body.
REPORT_DOOR = "3cx-report"  # RejectedCallEvent.door

# A family or a couple shares a phone; more than this is not a caller, it is
# a switchboard number, and 3CX would only show the first anyway.
LOOKUP_LIMIT = 10

# The keys of each contact in the lookup answer; the template's Variables read
# them as ``contacts.<key>``.
CONTACT_FIELDS = (
    "id",
    "firstName",
    "lastName",
    "companyName",
    "phoneMobile",
    "email",
    "contactUrl",
)

# 3CX's [CallType] → what the call was and how it ended.
CALL_TYPES = {
    "inbound": (CallDirection.INBOUND, CallOutcome.COMPLETED),
    "missed": (CallDirection.INBOUND, CallOutcome.MISSED),
    "outbound": (CallDirection.OUTBOUND, CallOutcome.COMPLETED),
    "notanswered": (CallDirection.OUTBOUND, CallOutcome.NOT_ANSWERED),
}

# The keys of the ReportCall body, each filled from the 3CX variable of the
# same name. 3CX's journal has no call id: see journal_call_id.
REPORT_FIELDS = ("CallType", "Number", "Agent", "Duration", "CallStartTimeUTC", "CallEndTimeUTC")

_MAX_DURATION = timedelta(days=7)
# [Duration] is a .NET TimeSpan: hh:mm:ss, d.hh:mm:ss past a day, maybe with ticks.
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d+):([0-5]\d):([0-5]\d)(?:\.\d+)?$")


def pbx_for_token(token: str) -> Pbx | None:
    """The active 3CX phone system this token belongs to, or None."""
    return tokens.pbx_for_token(token, kinds=[PbxKind.THREECX])


# --- lookup ------------------------------------------------------------------------------


def lookup_number(raw: str) -> str | None:
    """The E.164 form of the number 3CX asks about, or None when it is not a phone."""
    raw = raw or ""
    if raw[:1] == " ":
        # A "+" that reached the query string unencoded is decoded as a space;
        # without it a German +49… would be read as a Turkish national number.
        raw = "+" + raw.lstrip()
    return normalize_phone(raw)


def guests_for_number(e164: str) -> list[Guest]:
    """Guests reachable on this number, with their first e-mail, in one query.

    The PBX is trusted with every guest: 3CX has no user to scope by, and the
    page its ContactUrl opens applies the agent's own scope."""
    reachable = ContactPoint.objects.filter(
        kind__in=[ContactKind.PHONE, ContactKind.WHATSAPP], value=e164
    ).values("guest_id")
    email = (
        ContactPoint.objects.filter(guest=OuterRef("pk"), kind=ContactKind.EMAIL)
        .order_by("-is_primary", "id")
        .values("value")[:1]
    )
    return list(
        Guest.objects.filter(id__in=reachable)
        .select_related("property")
        .annotate(first_email=Subquery(email))
        .order_by("last_name", "first_name", "id")[:LOOKUP_LIMIT]
    )


def lookup_answer(
    guests: Iterable[Guest], *, number: str | None, contact_url: Callable[[Guest], str]
) -> dict:
    """The JSON the template's default scenario maps to 3CX contacts."""
    contacts = [
        {
            "id": guest.pk,
            "firstName": guest.first_name,
            "lastName": guest.last_name,
            "companyName": guest.property.name,
            "phoneMobile": number or "",
            "email": getattr(guest, "first_email", None) or "",
            "contactUrl": contact_url(guest),
        }
        for guest in guests
    ]
    return {"contacts": contacts}


# --- journal -----------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalEntry:
    """One ReportCall, read: the keyword arguments of call_journal_record."""

    call_id: str
    direction: str
    outcome: str
    number: str
    agent_extension: str
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: int | None
    payload: dict


def report_fields(body: bytes, content_type: str) -> dict:
    """The ReportCall body as a dict: JSON as the template sends it, or a form
    when an administrator switched the template to UrlEncoded."""
    if content_type == "application/x-www-form-urlencoded":
        try:
            return QueryDict(body, encoding="utf-8").dict()
        except UnicodeDecodeError:
            raise EventError("The body is not UTF-8.") from None
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise EventError(f"The body is not JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise EventError("The body must be a JSON object.")
    return data


def parse_report(data: dict) -> JournalEntry:
    """Read a ReportCall body; EventError names the field that is wrong."""
    call_type = _field(data, "CallType", required=True, max_length=20)
    try:
        direction, outcome = CALL_TYPES[call_type.lower()]
    except KeyError:
        raise EventError(
            f"'CallType' must be one of Inbound, Missed, Outbound, Notanswered; got {call_type!r}."
        ) from None
    number = _field(data, "Number", required=True, max_length=80)
    agent = _field(data, "Agent", required=False, max_length=20)
    started_at = _utc_time(data, "CallStartTimeUTC", required=True)
    ended_at = _utc_time(data, "CallEndTimeUTC", required=False)
    if ended_at is not None and ended_at < started_at:
        raise EventError("'CallEndTimeUTC' is before 'CallStartTimeUTC'.")
    duration_text = _field(data, "Duration", required=False, max_length=30)
    return JournalEntry(
        call_id=journal_call_id(number=number, agent_extension=agent, started_at=started_at),
        direction=direction,
        outcome=outcome,
        number=number,
        agent_extension=agent,
        started_at=started_at,
        ended_at=ended_at,
        duration_seconds=parse_duration(duration_text) if duration_text else None,
        payload={k: v for k, v in data.items() if k != tokens.TOKEN_PARAMETER},
    )


def journal_call_id(*, number: str, agent_extension: str, started_at: datetime) -> str:
    """3CX gives ReportCall no call id, so a call is known by whom it was
    with, which extension took it and the second it started: a repeated
    delivery maps to the same id and call_journal_record keeps it once.
    Hashed, so that the id shown in the admin does not spell a phone number."""
    who = normalize_phone(number) or number
    when = started_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hashlib.sha256(f"{when}|{agent_extension}|{who}".encode()).hexdigest()
    return f"3cx-{digest[:40]}"


def parse_duration(text: str) -> int:
    """Seconds from 3CX's [Duration] (``00:01:15``, ``1.02:03:04``) or a plain count."""
    if text.isdigit() and len(text) <= 9:
        seconds = int(text)
    elif match := _TIMESPAN.match(text):
        days, hours, minutes, secs = (int(part or 0) for part in match.groups())
        seconds = int(
            timedelta(days=days, hours=hours, minutes=minutes, seconds=secs).total_seconds()
        )
    else:
        raise EventError(f"'Duration' must be hh:mm:ss or a number of seconds; got {text!r}.")
    if seconds > _MAX_DURATION.total_seconds():
        raise EventError(f"'Duration' is longer than {_MAX_DURATION.days} days; got {text!r}.")
    return seconds


def _field(data: dict, key: str, *, required: bool, max_length: int) -> str:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is not None and not isinstance(value, str):
        raise EventError(f"'{key}' must be a string.")
    value = (value or "").strip()
    # A variable 3CX could not fill arrives as its own text, "[CallEndTimeUTC]".
    if value.startswith("[") and value.endswith("]"):
        value = ""
    if not value:
        if required:
            raise EventError(f"'{key}' is required.")
        return ""
    if len(value) > max_length:
        raise EventError(f"'{key}' is longer than {max_length} characters.")
    return value


def _utc_time(data: dict, key: str, *, required: bool) -> datetime | None:
    text = _field(data, key, required=required, max_length=40)
    if not text:
        return None
    try:
        at = parse_datetime(text)
        if at is not None:
            if timezone.is_naive(at):
                at = at.replace(tzinfo=UTC)  # the *UTC variables of 3CX, sent without a zone
            at = at.astimezone(UTC)
    except (ValueError, OverflowError):  # no such day, or a zone that leaves years 1..9999
        at = None
    if at is None:
        raise EventError(
            f"'{key}' must be an ISO 8601 time, e.g. 2026-07-01T14:03:22Z; got {text!r}."
        )
    return at
