"""What every channel adapter reads and sends, in one shape."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import httpx
from django.conf import settings


class MalformedPayload(ValueError):
    """The body is not what the channel documents; the message says where."""


class SendError(Exception):
    """The channel refused or could not be reached. ``retry`` says whether
    trying again later can help (timeouts, 429, 5xx) or not (4xx)."""

    def __init__(self, message: str, *, retry: bool):
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class InboundMessage:
    """A message from a guest (or an echo of one the hotel sent elsewhere)."""

    external_id: str
    contact_key: str  # normalized: E.164, platform-scoped id, e-mail, visitor key
    contact_kind: str  # guestview ContactKind of contact_key
    sent_at: datetime
    kind: str = "text"  # channels_inbox.models.MessageKind
    text: str = ""
    attachments: list[dict] = field(default_factory=list)
    contact_name: str = ""
    account_external_id: str = ""  # which of our accounts it reached
    is_echo: bool = False  # sent by the hotel from the channel's own app
    thread_id: str = ""  # the channel's own conversation (Booking.com)


@dataclass(frozen=True)
class StatusUpdate:
    """What the channel says became of a message we sent."""

    external_id: str
    status: str  # channels_inbox.models.DeliveryStatus
    at: datetime
    account_external_id: str = ""
    error: str = ""


@dataclass(frozen=True)
class Outgoing:
    """A message to send: free text, or an approved template."""

    to: str  # contact_key of the conversation
    text: str = ""
    template_name: str = ""
    template_language: str = ""
    template_params: tuple[str, ...] = ()
    thread_id: str = ""


class Adapter(Protocol):
    def send(self, account, outgoing: Outgoing) -> str: ...


def from_unix(value: object, *, where: str, millis: bool = False) -> datetime:
    try:
        seconds = int(str(value)) / (1000 if millis else 1)
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise MalformedPayload(f"{where}: {value!r} is not a Unix timestamp") from None


def signature_valid(body: bytes, header: str, secrets: Iterable[str]) -> bool:
    """Meta's X-Hub-Signature-256: "sha256=" + HMAC-SHA256(app secret, raw
    body), hex. Compared in constant time against each candidate secret."""
    if not header.startswith("sha256="):
        return False
    given = header.removeprefix("sha256=").strip().lower()
    ok = False
    for secret in secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        ok |= hmac.compare_digest(expected, given)
    return ok


def sign(body: bytes, secret: str) -> str:
    """The header value Meta would send (tests, the benchmark)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_json(url: str, *, json: dict, token: str = "", headers: dict | None = None) -> dict:
    """POST to a channel's API; SendError says whether a retry can help."""
    all_headers = {"Authorization": f"Bearer {token}"} if token else {}
    all_headers.update(headers or {})
    try:
        response = httpx.post(
            url, json=json, headers=all_headers, timeout=settings.CHANNEL_HTTP_TIMEOUT_SECONDS
        )
    except httpx.TransportError as exc:
        raise SendError(f"{type(exc).__name__}: {exc}", retry=True) from exc
    return answer_json(response)


def get_json(url: str, *, params: dict | None = None, token: str = "", auth=None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(
            url,
            params=params,
            headers=headers,
            auth=auth,
            timeout=settings.CHANNEL_HTTP_TIMEOUT_SECONDS,
        )
    except httpx.TransportError as exc:
        raise SendError(f"{type(exc).__name__}: {exc}", retry=True) from exc
    return answer_json(response)


def answer_json(response: httpx.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code >= 400:
        detail = data.get("error", {}) if isinstance(data, dict) else {}
        message = detail.get("message") if isinstance(detail, dict) else None
        retry = response.status_code == 429 or response.status_code >= 500
        raise SendError(
            f"HTTP {response.status_code}: {message or response.text[:300]}", retry=retry
        )
    if not isinstance(data, dict):
        raise SendError("the API answered something that is not a JSON object", retry=False)
    return data
