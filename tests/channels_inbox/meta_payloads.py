"""Webhook bodies in the shapes Meta documents (WhatsApp Cloud API
"messages" webhook; Messenger Platform webhooks for Instagram and pages),
built around the examples of their reference pages, with our ids."""

from __future__ import annotations

import json
import time

from channels_inbox.channels.base import sign

PHONE_NUMBER_ID = "106540352242922"
DISPLAY_NUMBER = "902427101000"
WABA_ID = "102290129340398"
APP_SECRET = "test-app-secret-0d6f"
VERIFY_TOKEN = "m360-verify-7c1"
IG_ACCOUNT_ID = "17841405822304914"
PAGE_ID = "108853451736021"


def _now() -> int:
    return int(time.time())


def whatsapp(value: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def _value(**parts) -> dict:
    return {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": PHONE_NUMBER_ID},
        **parts,
    }


def wa_text(text: str, *, wa_id="905321234567", name="Ahmet Yılmaz", wamid=None, ts=None) -> dict:
    return whatsapp(
        _value(
            contacts=[{"profile": {"name": name}, "wa_id": wa_id}],
            messages=[
                {
                    "from": wa_id,
                    "id": wamid or f"wamid.HBgM{wa_id}FQIAEhgU{abs(hash(text)) % 10**12:012d}",
                    "timestamp": str(ts or _now()),
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        )
    )


def wa_message(message: dict, *, wa_id="905321234567", name="Ahmet Yılmaz") -> dict:
    """Any message object (image, location, interactive, reaction, ...)."""
    message = {"from": wa_id, "timestamp": str(_now()), **message}
    return whatsapp(
        _value(contacts=[{"profile": {"name": name}, "wa_id": wa_id}], messages=[message])
    )


def wa_status(wamid: str, status: str, *, ts=None, recipient="905321234567", errors=None) -> dict:
    entry = {
        "id": wamid,
        "status": status,
        "timestamp": str(ts or _now()),
        "recipient_id": recipient,
    }
    if status in ("sent", "delivered"):
        entry["conversation"] = {
            "id": "CONVERSATION_ID",
            "origin": {"type": "service"},
        }
        entry["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
    if errors:
        entry["errors"] = errors
    return whatsapp(_value(statuses=[entry]))


def instagram_text(text: str, *, igsid="1143546479620573", mid=None, echo=False, ts=None) -> dict:
    sender, recipient = (IG_ACCOUNT_ID, igsid) if echo else (igsid, IG_ACCOUNT_ID)
    message = {
        "mid": mid or f"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3{abs(hash(text)) % 10**9}",
        "text": text,
    }
    if echo:
        message["is_echo"] = True
    return {
        "object": "instagram",
        "entry": [
            {
                "id": IG_ACCOUNT_ID,
                "time": _now() * 1000,
                "messaging": [
                    {
                        "sender": {"id": sender},
                        "recipient": {"id": recipient},
                        "timestamp": (ts or _now()) * 1000,
                        "message": message,
                    }
                ],
            }
        ],
    }


def messenger_delivery(mids: list[str], *, psid="6913412045430120") -> dict:
    return {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": _now() * 1000,
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": PAGE_ID},
                        "timestamp": _now() * 1000,
                        "delivery": {"mids": mids, "watermark": _now() * 1000},
                    }
                ],
            }
        ],
    }


def signed(body: dict | bytes, secret: str = APP_SECRET) -> tuple[bytes, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return raw, {"HTTP_X_HUB_SIGNATURE_256": sign(raw, secret)}
