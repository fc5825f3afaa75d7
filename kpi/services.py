"""The one way a KPI fact is written (BRIEF.md §4)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from guestview.models import AgentProfile, Property
from kpi.models import EventKind, KpiEvent


def kpi_event_record(
    *,
    kind: str,
    at: datetime,
    property: Property | int,
    subject: str,
    channel: str = "",
    agent: AgentProfile | int | None = None,
    seconds: float | None = None,
) -> bool:
    """Append one event; recording the same (kind, subject) again is a no-op
    (a retried task must not count a first response twice). True if written."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown KPI event {kind!r}")
    property_id = property if isinstance(property, int) else property.pk
    agent_id = agent.pk if isinstance(agent, AgentProfile) else agent
    # One statement, no savepoint: ON CONFLICT DO NOTHING on both databases.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {KpiEvent._meta.db_table} "  # noqa: S608
            "(kind, at, property_id, channel, agent_id, subject, seconds, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, CURRENT_TIMESTAMP) "
            "ON CONFLICT (kind, subject) DO NOTHING RETURNING id",
            [
                kind,
                at,
                property_id,
                channel,
                agent_id,
                subject,
                None if seconds is None else max(0, round(seconds)),
            ],
        )
        return cursor.fetchone() is not None
