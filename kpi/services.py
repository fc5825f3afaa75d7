"""The one way a KPI fact is written (BRIEF.md §4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from guestview import bulk
from guestview.models import AgentProfile, Property
from kpi.models import EventKind, KpiEvent


@dataclass(frozen=True)
class KpiFact:
    kind: str
    at: datetime
    property: Property | int
    subject: str
    channel: str = ""
    agent: AgentProfile | int | None = None
    seconds: float | None = None

    def row(self) -> list:
        if self.kind not in EventKind.values:
            raise ValueError(f"unknown KPI event {self.kind!r}")
        prop = self.property if isinstance(self.property, int) else self.property.pk
        agent = self.agent.pk if isinstance(self.agent, AgentProfile) else self.agent
        seconds = None if self.seconds is None else max(0, round(self.seconds))
        return [self.kind, self.at, prop, self.channel, agent, self.subject, seconds]


def kpi_events_record(facts: Iterable[KpiFact]) -> int:
    """Append events; recording the same (kind, subject) again is a no-op (a
    retried task must not count a first response twice). How many were new."""
    now = timezone.now()
    rows = [[*fact.row(), now] for fact in facts]
    # One statement, no savepoint: ON CONFLICT DO NOTHING on both databases.
    return len(
        bulk.insert_many(
            KpiEvent._meta.db_table,
            [("kind", "varchar"), ("at", "timestamptz"), ("property_id", "bigint"),
             ("channel", "varchar"), ("agent_id", "bigint"), ("subject", "varchar"),
             ("seconds", "integer"), ("created_at", "timestamptz")],
            rows,
            suffix="ON CONFLICT (kind, subject) DO NOTHING RETURNING id",
        )
    )  # fmt: skip


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
    """Append one event (see kpi_events_record). True if it was new."""
    fact = KpiFact(
        kind=kind, at=at, property=property, subject=subject, channel=channel, agent=agent,
        seconds=seconds,
    )  # fmt: skip
    return kpi_events_record([fact]) == 1
