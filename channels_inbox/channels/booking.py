"""Booking.com messages, through the connectivity Messaging API (the
property side): messages wait in a queue of the machine account; we pull them
(``GET /messaging/messages/latest``, at most 100 at a time), store the body,
then confirm them (``PUT /messaging/messages`` with ``number_of_messages``),
which removes them from the queue. A reply is posted into the reservation's
conversation (``POST /messaging/properties/{id}/conversations/{id}``).

Credentials: the machine account's user name and password as
``user:password`` in the channel account's access token (HTTP basic auth),
or a bearer token. ``external_id`` is the Booking.com property id.

Booking.com delivers a message again if it was not confirmed (a crash
between storing and confirming): the (account, message id) uniqueness makes
that one message.
"""

from __future__ import annotations

import json
from datetime import datetime

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels_inbox.channels.base import (
    InboundMessage,
    MalformedPayload,
    Outgoing,
    SendError,
    StatusUpdate,
    answer_json,
)

# A queue bigger than this waits for the next beat (every minute).
MAX_ROUNDS = 20


def _base(account) -> str:
    return (account.api_base_url or settings.BOOKING_API_URL).rstrip("/") + "/messaging"


def _auth(account) -> tuple[dict, tuple[str, str] | None]:
    token = account.access_token
    if ":" in token:
        user, _sep, password = token.partition(":")
        return {}, (user, password)
    return ({"Authorization": f"Bearer {token}"} if token else {}), None


def _request(method: str, url: str, account, **kwargs) -> dict:
    headers, auth = _auth(account)
    try:
        response = httpx.request(
            method,
            url,
            headers={"Accept": "application/json", **headers},
            auth=auth,
            timeout=settings.CHANNEL_HTTP_TIMEOUT_SECONDS,
            **kwargs,
        )
    except httpx.TransportError as exc:
        raise SendError(f"{type(exc).__name__}: {exc}", retry=True) from exc
    return answer_json(response)


def pull(account) -> int:
    """Move the machine account's queued messages into the inbox: store each
    body, then confirm it. Returns how many messages were pulled."""
    from channels_inbox import inbound

    pulled = 0
    for _round in range(MAX_ROUNDS):
        answer = _request("GET", f"{_base(account)}/messages/latest", account)
        messages = (answer.get("data") or {}).get("messages") or []
        if not messages:
            break
        with transaction.atomic():
            inbound.inbound_store(
                source="booking", body=json.dumps(answer, ensure_ascii=False), account=account
            )
        # Stored and committed: now Booking.com may forget them.
        _request(
            "PUT",
            f"{_base(account)}/messages",
            account,
            json={"number_of_messages": len(messages)},
        )
        pulled += len(messages)
        if len(messages) < 100:
            break
    type(account).objects.filter(pk=account.pk).update(pulled_at=timezone.now())
    return pulled


def parse(data: object, *, account_external_id: str = "") -> list[InboundMessage | StatusUpdate]:
    """The messages of a ``GET /messages/latest`` answer. Messages of the
    property (sent from the extranet, or ours) are echoes."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise MalformedPayload("data: expected an object")
    messages = data["data"].get("messages")
    if not isinstance(messages, list):
        raise MalformedPayload("data.messages: expected a list")
    events: list[InboundMessage | StatusUpdate] = []
    for i, message in enumerate(messages):
        where = f"data.messages[{i}]"
        if not isinstance(message, dict):
            raise MalformedPayload(f"{where}: expected an object")
        for key in ("message_id", "conversation", "sender", "timestamp"):
            if not message.get(key):
                raise MalformedPayload(f"{where}.{key} is missing")
        conversation = message["conversation"]
        if not isinstance(conversation, dict) or not conversation.get("conversation_id"):
            raise MalformedPayload(f"{where}.conversation.conversation_id is missing")
        sender = message["sender"] if isinstance(message["sender"], dict) else {}
        metadata = sender.get("metadata") or {}
        participant = str(metadata.get("participant_type", "")).lower()
        try:
            sent_at = datetime.fromisoformat(str(message["timestamp"]).replace("Z", "+00:00"))
        except ValueError:
            raise MalformedPayload(f"{where}.timestamp: not ISO 8601") from None
        reference = conversation.get("conversation_reference") or conversation["conversation_id"]
        property_id = str(conversation.get("property_id") or account_external_id)
        if not property_id:
            raise MalformedPayload(f"{where}: no property to file it under")
        events.append(
            InboundMessage(
                external_id=str(message["message_id"]),
                contact_key=f"booking:{reference}",
                contact_kind="booking",
                contact_name=str(metadata.get("name", "")),
                sent_at=sent_at,
                text=str(message.get("content", "")),
                attachments=[
                    {"type": "document", "id": str(a)} for a in message.get("attachment_ids") or []
                ],
                account_external_id=property_id,
                is_echo=participant in ("property", "hotel"),
                thread_id=str(conversation["conversation_id"]),
            )
        )
    return events


def send(account, outgoing: Outgoing) -> str:
    if outgoing.template_name:
        raise SendError("Booking.com has no message templates", retry=False)
    if not outgoing.thread_id:
        raise SendError("no Booking.com conversation to reply in", retry=False)
    answer = _request(
        "POST",
        f"{_base(account)}/properties/{account.external_id}/conversations/{outgoing.thread_id}",
        account,
        json={"message": {"content": outgoing.text}},
    )
    message_id = (answer.get("data") or {}).get("message_id")
    if not message_id:
        raise SendError(f"no message_id in the answer: {answer}", retry=False)
    return str(message_id)
