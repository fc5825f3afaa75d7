"""Thin tasks: take ids, load rows, call one service, own their retries."""

from __future__ import annotations

from celery import shared_task

from channels_inbox import inbound, queueing, routing, services
from channels_inbox.channels.base import SendError
from channels_inbox.models import Message


@shared_task(acks_late=True)
def inbound_drain() -> int:
    """Queued once per burst of webhooks: every pending body, in batches of
    200 (a fixed dozen queries a batch); gives the worker back after 20 s and
    queues itself again if more are due."""
    queueing.release(inbound_drain)
    taken, more = inbound.inbound_drain()
    if more:
        queueing.enqueue_once(inbound_drain)
    return taken


@shared_task
def inbound_sweep() -> int:
    """Every 30 s (beat): bodies left pending because the worker or Redis was
    down when they came are drained now. One indexed query when there are none."""
    if not inbound.inbound_sweep(limit=1):
        return 0
    return inbound.inbound_drain()[0]


@shared_task(bind=True, acks_late=True, max_retries=None)
def message_deliver(self, message_id: int) -> str | None:
    """One outbound API call; retried with backoff (5 s, 10 s, 20 s, ...)
    while the channel is unreachable or busy, CHANNEL_SEND_RETRIES times."""
    message = (
        Message.objects.select_related("conversation", "account").filter(pk=message_id).first()
    )
    if message is None:
        return None
    try:
        return services.message_deliver(message=message).status
    except SendError as exc:
        raise self.retry(exc=exc, countdown=5 * 2 ** min(self.request.retries, 6)) from exc


@shared_task(bind=True, max_retries=3)
def booking_pull(self) -> int:
    """Every minute (beat): each active Booking.com account's queued messages
    (one HTTP round trip when there are none). Retried later when Booking.com
    cannot be reached; what was stored before the failure stays stored."""
    from channels_inbox.channels import booking
    from channels_inbox.models import ChannelAccount, ChannelKind

    pulled = 0
    for account in ChannelAccount.objects.filter(kind=ChannelKind.BOOKING, is_active=True):
        try:
            pulled += booking.pull(account)
        except SendError as exc:
            if not exc.retry:
                raise
            raise self.retry(exc=exc, countdown=30) from exc
    return pulled


@shared_task
def assign_waiting(property_id: int) -> int:
    """One hotel's waiting conversations to its online agents: a few queries.
    Queued once per burst (queueing.enqueue_once)."""
    queueing.release(assign_waiting, property_id)
    return routing.assign_waiting(property_id=property_id)


@shared_task
def assign_all_waiting() -> int:
    """Every minute (beat): the safety net for assignments nobody triggered."""
    return sum(routing.assign_waiting(property_id=p) for p in routing.properties_with_waiting())


@shared_task
def messages_resend_stuck() -> int:
    """Every five minutes (beat): outbound messages still queued (the task was
    lost with Redis) are queued again; message_deliver is idempotent."""
    ids = services.messages_stuck_ids()
    for message_id in ids:
        queueing.enqueue(message_deliver, message_id)
    return len(ids)
