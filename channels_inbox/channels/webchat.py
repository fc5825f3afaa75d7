"""Web chat: the widget on the hotel's site posts a visitor's message to our
own door (channels_inbox.webchat_views), which stores it in this shape; the
agent's replies stay in our database for the widget to fetch, so sending
calls no API."""

from __future__ import annotations

import uuid
from datetime import datetime

from channels_inbox.channels.base import InboundMessage, MalformedPayload, Outgoing


def stored_body(*, account_key: str, visitor, message_id: str, text: str, at: datetime) -> dict:
    """What the door stores for one visitor message (parse() reads it)."""
    return {
        "account": account_key,
        "visitor": visitor.pk,
        "name": visitor.name,
        "contact_key": visitor_contact_key(visitor),
        "contact_kind": visitor_contact_kind(visitor),
        "message_id": message_id,
        "text": text,
        "sent_at": at.isoformat(),
    }


def visitor_contact_kind(visitor) -> str:
    if "@" in visitor.contact:
        return "email"
    return "phone" if visitor.contact.startswith("+") else "webchat"


def visitor_contact_key(visitor) -> str:
    kind = visitor_contact_kind(visitor)
    return visitor.contact if kind != "webchat" else f"webchat:{visitor.pk}"


def parse(data: object) -> list[InboundMessage]:
    if not isinstance(data, dict):
        raise MalformedPayload("expected an object")
    for key in ("account", "contact_key", "contact_kind", "message_id", "sent_at"):
        if not data.get(key):
            raise MalformedPayload(f"{key} is missing")
    try:
        sent_at = datetime.fromisoformat(data["sent_at"])
    except (TypeError, ValueError):
        raise MalformedPayload("sent_at: not ISO 8601") from None
    return [
        InboundMessage(
            external_id=str(data["message_id"]),
            contact_key=str(data["contact_key"]),
            contact_kind=str(data["contact_kind"]),
            contact_name=str(data.get("name", "")),
            sent_at=sent_at,
            text=str(data.get("text", "")),
            account_external_id=str(data["account"]),
        )
    ]


def send(account, outgoing: Outgoing) -> str:
    """The reply is already in the conversation; the widget fetches it."""
    return f"webchat-out:{uuid.uuid4().hex}"
