"""Thin tasks: take ids, load rows, call one service, own their retries."""

from __future__ import annotations

from celery import shared_task

from channels_inbox import routing, services
from channels_inbox.channels.base import SendError
from channels_inbox.models import Message


@shared_task(acks_late=True)
def inbound_process(payload_id: int) -> str | None:
    """One stored webhook body (a few messages at most): a handful of queries
    per message. The sweeper catches what this never got to run."""
    payload = services.inbound_process(payload_id=payload_id)
    return payload.status if payload else None


@shared_task
def inbound_sweep() -> int:
    """Every minute (beat): process payloads left pending because the worker
    or Redis was down when they arrived. Small unless there was an outage."""
    ids = services.inbound_sweep()
    for payload_id in ids:
        services.inbound_process(payload_id=payload_id)
    return len(ids)


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
    """One hotel's waiting conversations to its online agents: a few queries."""
    return routing.assign_waiting(property_id=property_id)


@shared_task
def assign_all_waiting() -> int:
    """Every minute (beat): the safety net for assignments nobody triggered."""
    return sum(routing.assign_waiting(property_id=p) for p in routing.properties_with_waiting())


@shared_task
def conversations_mark_missed() -> int:
    """Every minute (beat): one indexed scan of overdue open conversations."""
    return services.conversations_mark_missed()


@shared_task
def messages_resend_stuck() -> int:
    """Every five minutes (beat): outbound messages still queued (the task was
    lost with Redis) are queued again; message_deliver is idempotent."""
    ids = services.messages_stuck_ids()
    for message_id in ids:
        services._enqueue(message_deliver, message_id)
    return len(ids)
