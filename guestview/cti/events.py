"""The one internal call event every PBX door produces."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from guestview.models import CallEventKind

# What the generic webhook accepts; "report" is internal (3CX journaling).
WEBHOOK_EVENTS = (CallEventKind.RINGING, CallEventKind.ANSWERED, CallEventKind.HANGUP)


class EventError(ValueError):
    """A call event that cannot be read; the message says what to fix."""


@dataclass(frozen=True)
class CallEventIn:
    kind: str
    call_id: str
    caller: str = ""
    called: str = ""
    agent_extension: str = ""
    at: datetime = field(default_factory=timezone.now)
    payload: dict = field(default_factory=dict)


def _text(data: dict, key: str, *, required: bool, max_length: int) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise EventError(f"'{key}' is required.")
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise EventError(f"'{key}' must be a string.")
    value = value.strip()
    if len(value) > max_length:
        raise EventError(f"'{key}' is longer than {max_length} characters.")
    return value


def parse_webhook(body: bytes) -> CallEventIn:
    """``POST /cti/events``: {event, call_id, caller, called, agent_extension, at}."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise EventError(f"The body is not JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise EventError("The body must be a JSON object.")
    kind = _text(data, "event", required=True, max_length=20)
    if kind not in WEBHOOK_EVENTS:
        raise EventError(f"'event' must be one of {', '.join(WEBHOOK_EVENTS)}; got {kind!r}.")
    at_text = _text(data, "at", required=False, max_length=40)
    if at_text:
        try:
            at = parse_datetime(at_text)
        except ValueError:
            at = None
        if at is None:
            raise EventError("'at' must be an ISO 8601 date-time, e.g. 2026-07-01T14:03:22+03:00.")
        if timezone.is_naive(at):
            at = timezone.make_aware(at)  # the PBX's local time: Europe/Istanbul
    else:
        at = timezone.now()
    return CallEventIn(
        kind=kind,
        call_id=_text(data, "call_id", required=True, max_length=100),
        caller=_text(data, "caller", required=kind == CallEventKind.RINGING, max_length=80),
        called=_text(data, "called", required=False, max_length=80),
        agent_extension=_text(data, "agent_extension", required=False, max_length=20),
        at=at,
        payload=data,
    )
