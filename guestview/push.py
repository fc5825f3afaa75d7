"""Server push to an agent's open console: Redis pub/sub, one channel per
agent, read by the SSE stream (guestview.views.screenpop_stream).

Publishing is best effort by design: what is published is also in the
database (ScreenPop), so a browser that was not listening gets it from the
Last-Event-ID replay, and an agent with no console open finds the call in the
missed-calls list. A Redis outage therefore delays a pop but loses nothing.
"""

from __future__ import annotations

import json
import logging

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_client: redis.Redis | None = None


def agent_channel(agent_id: int) -> str:
    # The prefix keeps test workers (and several deployments on one Redis) apart.
    return f"{settings.PUSH_CHANNEL_PREFIX}:agent:{agent_id}"


def property_channel(property_id: int) -> str:
    """Everyone serving a hotel listens here (the inbox's queue updates)."""
    return f"{settings.PUSH_CHANNEL_PREFIX}:property:{property_id}"


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _client


def publish(agent_id: int, *, event: str, html: str, event_id: int | None = None) -> bool:
    """Send one SSE event to every open console of the agent; False when Redis
    could not be reached (the database copy remains)."""
    return _publish(agent_channel(agent_id), event=event, html=html, event_id=event_id)


def publish_to_property(property_id: int, *, event: str, html: str) -> bool:
    """Send one SSE event to every open console of the hotel's staff."""
    return _publish(property_channel(property_id), event=event, html=html, event_id=None)


def publish_many_to_properties(events: list[tuple[int, str, str]]) -> bool:
    """Several (property id, event, html) in one round trip (a batch of
    inbound messages touches many conversations)."""
    if not events:
        return True
    try:
        pipe = _redis().pipeline(transaction=False)
        for property_id, event, html in events:
            message = json.dumps({"event": event, "id": None, "html": html})
            pipe.publish(property_channel(property_id), message)
        pipe.execute()
    except redis.RedisError:
        logger.warning("push of %d events failed; pages re-read", len(events), exc_info=True)
        return False
    return True


def publish_many(events: list[tuple[int, str]], *, event: str) -> bool:
    """(agent id, html) pairs, one event each, in one round trip."""
    if not events:
        return True
    try:
        pipe = _redis().pipeline(transaction=False)
        for agent_id, html in events:
            pipe.publish(
                agent_channel(agent_id), json.dumps({"event": event, "id": None, "html": html})
            )
        pipe.execute()
    except redis.RedisError:
        logger.warning("push of %d %s events failed", len(events), event, exc_info=True)
        return False
    return True


def _publish(channel: str, *, event: str, html: str, event_id: int | None) -> bool:
    message = json.dumps({"event": event, "id": event_id, "html": html})
    try:
        _redis().publish(channel, message)
    except redis.RedisError:
        logger.warning("push to %s failed; it will be replayed", channel, exc_info=True)
        return False
    return True


def sse_message(*, event: str, data: str, event_id: int | None = None) -> str:
    """One event in the text/event-stream format (every data line prefixed)."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {event}")
    # Split on the newlines the SSE format knows only: str.splitlines() would
    # also break at U+2028 and friends, which EventSource keeps as text.
    normalized = data.replace("\r\n", "\n").replace("\r", "\n")
    lines.extend(f"data: {line}" for line in normalized.split("\n"))
    return "\n".join(lines) + "\n\n"
