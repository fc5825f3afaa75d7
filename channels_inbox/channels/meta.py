"""Instagram DMs and Facebook Messenger: the Messenger Platform webhook
(``object`` "instagram" or "page", ``entry[].messaging[]``) and sending
through ``POST /{account-id}/messages``."""

from __future__ import annotations

from django.conf import settings

from channels_inbox.channels.base import (
    InboundMessage,
    MalformedPayload,
    Outgoing,
    SendError,
    StatusUpdate,
    from_unix,
    post_json,
)

OBJECTS = {"instagram": "instagram", "page": "messenger"}


def channel_of(data: object) -> str:
    """ "instagram" or "messenger", from the body's ``object``."""
    obj = data.get("object") if isinstance(data, dict) else None
    if obj not in OBJECTS:
        raise MalformedPayload('object: expected "instagram" or "page"')
    return OBJECTS[obj]


def parse(data: object) -> list[InboundMessage | StatusUpdate]:
    channel = channel_of(data)
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise MalformedPayload("entry: expected a list")
    events: list[InboundMessage | StatusUpdate] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("id"):
            raise MalformedPayload(f"entry[{i}].id is missing")
        account_id = str(entry["id"])
        for j, item in enumerate(entry.get("messaging") or []):
            where = f"entry[{i}].messaging[{j}]"
            events.extend(_messaging(item, account_id, channel, where=where))
    return events


def _messaging(item: object, account_id: str, channel: str, *, where: str):
    if not isinstance(item, dict):
        raise MalformedPayload(f"{where}: expected an object")
    sender = (item.get("sender") or {}).get("id")
    recipient = (item.get("recipient") or {}).get("id")
    if not sender or not recipient:
        raise MalformedPayload(f"{where}.sender.id / recipient.id is missing")
    at = from_unix(item.get("timestamp"), where=f"{where}.timestamp", millis=True)
    if "delivery" in item:  # Messenger: our messages reached the guest
        mids = (item["delivery"] or {}).get("mids") or []
        return [StatusUpdate(str(m), "delivered", at, account_id) for m in mids]
    if "read" in item:
        mid = (item["read"] or {}).get("mid")
        return [StatusUpdate(str(mid), "read", at, account_id)] if mid else []
    message = item.get("message")
    if not isinstance(message, dict):
        return []  # reactions, postbacks, referrals: not guest text we route
    if not message.get("mid"):
        raise MalformedPayload(f"{where}.message.mid is missing")
    is_echo = bool(message.get("is_echo"))
    guest_id = str(recipient if is_echo else sender)
    attachments = []
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            payload = attachment.get("payload") or {}
            attachments.append(
                {"type": attachment.get("type", "file")}
                | (
                    {"url": payload["url"]}
                    if isinstance(payload, dict) and "url" in payload
                    else {}
                )
            )
    text = str(message.get("text", ""))
    kind = "text" if text or not attachments else _kind(attachments[0]["type"])
    return [
        InboundMessage(
            external_id=str(message["mid"]),
            contact_key=guest_id,
            contact_kind=channel,
            sent_at=at,
            kind=kind,
            text=text,
            attachments=attachments,
            account_external_id=account_id,
            is_echo=is_echo,
        )
    ]


def _kind(attachment_type: str) -> str:
    return {"image": "image", "video": "video", "audio": "audio", "file": "document"}.get(
        attachment_type, "unsupported"
    )


def send(account, outgoing: Outgoing) -> str:
    if outgoing.template_name:
        raise SendError("templates are a WhatsApp feature", retry=False)
    base = (account.api_base_url or settings.META_GRAPH_URL).rstrip("/")
    answer = post_json(
        f"{base}/{account.external_id}/messages",
        json={
            "recipient": {"id": outgoing.to},
            "messaging_type": "RESPONSE",
            "message": {"text": outgoing.text},
        },
        token=account.access_token,
    )
    if not answer.get("message_id"):
        raise SendError(f"no message_id in the answer: {answer}", retry=False)
    return str(answer["message_id"])
