"""Thin tasks: call one service, own their retries."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from leads import services, sla


@shared_task(bind=True, max_retries=3)
def sla_scan(self) -> dict:
    """Every minute (beat): one scan pass over the SLA clocks — two indexed
    UPDATE ... RETURNING, then the alerts and escalations of what they
    claimed (at most 5,000 of each a pass; the next minute takes the rest).
    Safe to run twice or concurrently: each clock is claimed once. An item
    whose escalation fails is logged and skipped (leads.sla._isolated); the
    database failing the whole pass is retried after 5, 10 and 20 s (the
    claims were rolled back with it)."""
    try:
        result = sla.sla_scan()
    except DatabaseError as exc:
        raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
    return {"warned": result.warned, "breached": result.breached}


@shared_task(bind=True, max_retries=3)
def options_expire(self) -> dict:
    """Every five minutes (beat): remind agents of options about to expire,
    expire the rest; one indexed query when nothing is due. Idempotent
    (reminded_at, expired_at); the database failing is retried after 30,
    60 and 120 s."""
    try:
        reminded, expired = services.options_expire()
    except DatabaseError as exc:
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    return {"reminded": reminded, "expired": expired}
