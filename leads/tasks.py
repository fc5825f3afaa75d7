"""Thin tasks: call one service, own their retries."""

from __future__ import annotations

from celery import shared_task

from leads import services, sla


@shared_task
def sla_scan() -> dict:
    """Every minute (beat): one scan pass over the SLA clocks — two indexed
    UPDATE ... RETURNING, then the alerts and escalations of what they
    claimed (at most 5,000 of each a pass; the next minute takes the rest).
    Safe to run twice or concurrently: each clock is claimed once."""
    result = sla.sla_scan()
    return {"warned": result.warned, "breached": result.breached}


@shared_task
def options_expire() -> dict:
    """Every five minutes (beat): remind agents of options about to expire,
    expire the rest; one indexed query when nothing is due."""
    reminded, expired = services.options_expire()
    return {"reminded": reminded, "expired": expired}
