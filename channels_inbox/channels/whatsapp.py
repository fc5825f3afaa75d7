"""WhatsApp Business Cloud API: the webhook body (``entry[].changes[].value``
with ``metadata``, ``contacts``, ``messages`` and ``statuses``) and sending
through ``POST /{phone-number-id}/messages``."""

from __future__ import annotations

from django.conf import settings

from channels_inbox.channels.base import (
    InboundMessage,
    MalformedPayload,
    Outgoing,
    StatusUpdate,
    from_unix,
    post_json,
)
from guestview.identity import normalize_phone

_MEDIA = ("image", "document", "audio", "video", "sticker")
_STATUSES = {"sent", "delivered", "read", "failed"}


def parse(data: object) -> list[InboundMessage | StatusUpdate]:
    """Every message and status in a webhook body, in order; MalformedPayload
    naming the first part that is not in the documented shape."""
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise MalformedPayload('object: expected "whatsapp_business_account"')
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise MalformedPayload("entry: expected a list")
    events: list[InboundMessage | StatusUpdate] = []
    for i, entry in enumerate(entries):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise MalformedPayload(f"entry[{i}].changes: expected a list")
        for j, change in enumerate(changes):
            where = f"entry[{i}].changes[{j}]"
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                raise MalformedPayload(f"{where}.value: expected an object")
            if change.get("field", "messages") != "messages":
                continue  # account updates, template reviews: not guest messages
            events.extend(_parse_value(change["value"], where=f"{where}.value"))
    return events


def _parse_value(value: dict, *, where: str) -> list[InboundMessage | StatusUpdate]:
    metadata = value.get("metadata")
    if not isinstance(metadata, dict) or not metadata.get("phone_number_id"):
        raise MalformedPayload(f"{where}.metadata.phone_number_id is missing")
    number_id = str(metadata["phone_number_id"])
    names = {}
    for contact in value.get("contacts") or []:
        if isinstance(contact, dict) and contact.get("wa_id"):
            names[str(contact["wa_id"])] = (contact.get("profile") or {}).get("name", "")
    events: list[InboundMessage | StatusUpdate] = []
    for k, message in enumerate(value.get("messages") or []):
        events.append(_message(message, names, number_id, where=f"{where}.messages[{k}]"))
    for k, status in enumerate(value.get("statuses") or []):
        events.append(_status(status, number_id, where=f"{where}.statuses[{k}]"))
    return events


def wa_id_to_e164(wa_id: str) -> str | None:
    """WhatsApp ids are the number in international form without the plus."""
    digits = "".join(ch for ch in str(wa_id) if ch.isdigit())
    return normalize_phone("+" + digits) if digits else None


def _message(message: object, names: dict, number_id: str, *, where: str) -> InboundMessage:
    if not isinstance(message, dict):
        raise MalformedPayload(f"{where}: expected an object")
    for key in ("from", "id", "timestamp", "type"):
        if not message.get(key):
            raise MalformedPayload(f"{where}.{key} is missing")
    phone = wa_id_to_e164(message["from"])
    if phone is None:
        raise MalformedPayload(f"{where}.from: {message['from']!r} is not a phone number")
    kind = message["type"]
    text = ""
    attachments: list[dict] = []
    body = message.get(kind) if isinstance(message.get(kind), dict) else {}
    if kind == "text":
        text = str(body.get("body", ""))
    elif kind in _MEDIA:
        text = str(body.get("caption", ""))
        attachments.append(
            {"type": kind}
            | {
                k: body[k]
                for k in ("id", "mime_type", "sha256", "filename", "caption")
                if k in body
            }
        )
    elif kind == "location":
        attachments.append(
            {"type": "location"}
            | {k: body[k] for k in ("latitude", "longitude", "name", "address") if k in body}
        )
        text = str(body.get("name") or body.get("address") or "")
    elif kind == "interactive":
        reply = body.get(body.get("type", "")) or {}
        text = str(reply.get("title", ""))
        attachments.append({"type": body.get("type", "interactive"), "id": reply.get("id", "")})
    elif kind == "button":
        text = str(body.get("text", ""))
        attachments.append({"type": "button", "payload": body.get("payload", "")})
    elif kind == "reaction":
        text = str(body.get("emoji", ""))
        attachments.append({"type": "reaction", "message_id": body.get("message_id", "")})
    else:  # "unsupported", "unknown", contacts, order, ...: kept, shown as such
        attachments.append({"type": kind})
        kind = "unsupported"
    return InboundMessage(
        external_id=str(message["id"]),
        contact_key=phone,
        contact_kind="whatsapp",
        contact_name=names.get(str(message["from"]), ""),
        sent_at=from_unix(message["timestamp"], where=f"{where}.timestamp"),
        kind=kind,
        text=text,
        attachments=attachments,
        account_external_id=number_id,
    )


def _status(status: object, number_id: str, *, where: str) -> StatusUpdate:
    if not isinstance(status, dict):
        raise MalformedPayload(f"{where}: expected an object")
    for key in ("id", "status", "timestamp"):
        if not status.get(key):
            raise MalformedPayload(f"{where}.{key} is missing")
    if status["status"] not in _STATUSES:
        raise MalformedPayload(f"{where}.status: unknown {status['status']!r}")
    errors = status.get("errors") or []
    error = "; ".join(
        f"{e.get('code', '')} {e.get('title', '')}: "
        f"{(e.get('error_data') or {}).get('details') or e.get('message', '')}".strip()
        for e in errors
        if isinstance(e, dict)
    )
    return StatusUpdate(
        external_id=str(status["id"]),
        status=status["status"],
        at=from_unix(status["timestamp"], where=f"{where}.timestamp"),
        account_external_id=number_id,
        error=error,
    )


def send(account, outgoing: Outgoing) -> str:
    """Send and return the wamid."""
    base = (account.api_base_url or settings.META_GRAPH_URL).rstrip("/")
    body: dict = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": outgoing.to.lstrip("+"),
    }
    if outgoing.template_name:
        body["type"] = "template"
        body["template"] = {
            "name": outgoing.template_name,
            "language": {"code": outgoing.template_language},
        }
        if outgoing.template_params:
            body["template"]["components"] = [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": p} for p in outgoing.template_params],
                }
            ]
    else:
        body["type"] = "text"
        body["text"] = {"preview_url": False, "body": outgoing.text}
    answer = post_json(
        f"{base}/{account.external_id}/messages", json=body, token=account.access_token
    )
    try:
        return str(answer["messages"][0]["id"])
    except (KeyError, IndexError, TypeError):
        from channels_inbox.channels.base import SendError

        raise SendError(f"no message id in the answer: {answer}", retry=False) from None
