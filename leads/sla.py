"""The SLA engine: which policy applies to an item, when its deadlines fall
(in business hours where the hotel counts only those), the clocks that carry
them, and the every-minute scan that warns at 80% and escalates a breach
once.

Items are conversations (channels_inbox) and leads. Their services ask here
for a plan (conversation_plan, lead_plan: every deadline and its warning
point, from the item's state), store the due times on the item and hand the
plan to clocks_sync, one statement for any number of items. The scan
(sla_scan) reads only the clock table, through two partial indexes.

Policies, seasons and calendars change a few times a year and are read on
every inbound message: they are cached per process for a minute
(forget_sla_caches() when the admin changes them).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from guestview import bulk
from guestview import calendar as holidays
from guestview.models import Property
from leads.models import (
    BusinessCalendar,
    Deadline,
    Escalation,
    ItemKind,
    Season,
    SlaBreach,
    SlaClock,
    SlaPolicy,
)

logger = logging.getLogger(__name__)

_CACHE_SECONDS = 60
_cache: dict[str, tuple[float, object]] = {}


def forget_sla_caches() -> None:
    _cache.clear()


def _cached(key: str, load):
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is None or now - hit[0] > _CACHE_SECONDS:
        hit = (now, load())
        _cache[key] = hit
    return hit[1]


# --- calendars ------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """A hotel's working time, as the deadline arithmetic needs it."""

    tz: dt.tzinfo
    business_hours_only: bool = False
    # weekday → [(from, to)]; ``to`` at or before ``from`` runs past midnight.
    periods: dict[int, list[tuple[dt.time, dt.time]]] = field(default_factory=dict)
    # date → off from (None: all day).
    holidays: dict[dt.date, dt.time | None] = field(default_factory=dict)

    def open_intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The open periods that start on ``day``, as aware datetimes, cut
        short by a half-day holiday; none on a holiday."""
        if day in self.holidays and self.holidays[day] is None:
            return []
        off_from = self.holidays.get(day)
        out = []
        for starts, ends in self.periods.get(day.weekday(), []):
            begin = dt.datetime.combine(day, starts, tzinfo=self.tz)
            end_day = day if ends > starts else day + dt.timedelta(days=1)
            end = dt.datetime.combine(end_day, ends, tzinfo=self.tz)
            if off_from is not None:
                end = min(end, dt.datetime.combine(day, off_from, tzinfo=self.tz))
            if end > begin:
                out.append((begin, end))
        return sorted(out)


def add_business_time(start: dt.datetime, minutes: float, cal: Calendar | None) -> dt.datetime:
    """``minutes`` after ``start``, counting only open periods when the hotel
    counts business hours only. A start outside business hours counts from
    the next opening; a deadline never falls in a closed period."""
    if cal is None or not cal.business_hours_only or not cal.periods:
        return start + dt.timedelta(minutes=minutes)
    remaining = dt.timedelta(minutes=minutes)
    local = start.astimezone(cal.tz)
    # Yesterday too: its period may run past midnight into today.
    day = local.date() - dt.timedelta(days=1)
    for _day in range(800):  # two years of closed days would be a broken calendar
        for begin, end in cal.open_intervals(day):
            if end <= local:
                continue
            begin = max(begin, local)
            if remaining <= end - begin:
                return (begin + remaining).astimezone(dt.UTC)
            remaining -= end - begin
        day += dt.timedelta(days=1)
    raise ValueError("the business calendar has no open period")


# How far back calendar_for loads holidays: more than any open item's age
# that still matters (an older item's deadlines passed long ago, and
# clocks_sync does not breach a deadline twice).
HOLIDAYS_BACK_DAYS = 400


def calendar_for(property_id: int) -> Calendar:
    def load():
        prop = Property.objects.only("timezone").get(pk=property_id)
        tz = zoneinfo.ZoneInfo(prop.timezone)
        cal = (
            BusinessCalendar.objects.filter(property_id=property_id)
            .prefetch_related("periods")
            .first()
        )
        if cal is None or not cal.business_hours_only:
            return Calendar(tz=tz)
        periods: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
        for period in cal.periods.all():
            periods[period.weekday].append((period.starts, period.ends))
        today = timezone.now().astimezone(tz).date()
        return Calendar(
            tz=tz,
            business_hours_only=True,
            periods=dict(periods),
            # Plans are recomputed from the item's start (a lead's decision from
            # its creation, weeks ago): a holiday that dropped out of this window
            # would move a deadline that already passed. Holidays are a few
            # dozen rows a year, so the window reaches far back.
            holidays=holidays.holidays_between(
                today - dt.timedelta(days=HOLIDAYS_BACK_DAYS), today + dt.timedelta(days=400),
                property_id=property_id,
            ),
        )  # fmt: skip

    return _cached(f"calendar:{property_id}", load)


# --- policies -------------------------------------------------------------------------


def season_at(property_id: int, at: dt.datetime) -> str:
    """The season kind of the hotel on that (local) day; "" outside any."""
    tz = calendar_for(property_id).tz
    seasons = _cached(
        f"seasons:{property_id}",
        lambda: list(
            Season.objects.filter(property_id=property_id).values_list(
                "starts_on", "ends_on", "kind"
            )
        ),
    )
    day = at.astimezone(tz).date()
    return next((kind for starts, ends, kind in seasons if starts <= day <= ends), "")


def _policies() -> list[SlaPolicy]:
    return _cached(
        "policies",
        lambda: sorted(
            SlaPolicy.objects.filter(is_active=True).select_related("escalation_team"),
            key=lambda p: (-p.specificity, p.pk),
        ),
    )


def policy_for(
    *, item_kind: str, property_id: int, channel: str, priority: str, at: dt.datetime
) -> SlaPolicy | None:
    """The most specific active policy matching the item when it started
    (the season of that day decides, so a deadline set on the last day of
    high season keeps high-season targets)."""
    season = season_at(property_id, at)
    for policy in _policies():
        if (
            policy.item_kind == item_kind
            and policy.property_id in (None, property_id)
            and policy.channel in ("", channel)
            and policy.priority in ("", priority)
            and policy.season in ("", season)
        ):
            return policy
    return None


def policy_by_id(policy_id: int | None) -> SlaPolicy | None:
    return next((p for p in _policies() if p.pk == policy_id), None)


@dataclass(frozen=True)
class Targets:
    first_response: int
    next_response: int
    resolution: int
    warn_at_percent: int = 80
    policy_id: int | None = None


def targets_for(
    *, item_kind: str, property_id: int, channel: str, priority: str, at: dt.datetime
) -> Targets:
    policy = policy_for(
        item_kind=item_kind, property_id=property_id, channel=channel, priority=priority, at=at
    )
    if policy is not None:
        return Targets(
            policy.first_response_minutes, policy.next_response_minutes,
            policy.resolution_minutes, policy.warn_at_percent, policy.pk,
        )  # fmt: skip
    # No policy at all (an admin switched them off): the settings' defaults.
    if item_kind == ItemKind.LEAD:
        return Targets(**settings.LEAD_SLA_DEFAULT_MINUTES)
    minutes = settings.INBOX_REPLY_SLA_MINUTES[priority]
    return Targets(minutes, minutes, settings.INBOX_RESOLUTION_SLA_MINUTES)


# --- plans and clocks -----------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    deadline: str
    started_at: dt.datetime
    warn_at: dt.datetime
    due_at: dt.datetime


@dataclass
class Plan:
    """Every deadline of one item: the running clocks and the stopped ones."""

    item_kind: str
    item_id: int
    property_id: int
    policy_id: int | None
    running: list[Clock] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)

    def due(self, deadline: str) -> dt.datetime | None:
        return next((c.due_at for c in self.running if c.deadline == deadline), None)


def _clock(deadline: str, start: dt.datetime, minutes: int, targets: Targets, cal) -> Clock:
    return Clock(
        deadline=deadline,
        started_at=start,
        warn_at=add_business_time(start, minutes * targets.warn_at_percent / 100, cal),
        due_at=add_business_time(start, minutes, cal),
    )


def conversation_plan(conversation) -> Plan:
    """A conversation's deadlines: the reply the guest waits for (first
    response until someone answered once, next response after) and the
    resolution, counted from when it opened; nothing once it is closed."""
    plan = Plan(ItemKind.CONVERSATION, conversation.pk, conversation.property_id, None)
    reply = (
        Deadline.FIRST_RESPONSE
        if conversation.first_response_at is None
        else Deadline.NEXT_RESPONSE
    )
    other = Deadline.NEXT_RESPONSE if reply == Deadline.FIRST_RESPONSE else Deadline.FIRST_RESPONSE
    if conversation.status != "open":
        plan.stopped = [Deadline.FIRST_RESPONSE, Deadline.NEXT_RESPONSE, Deadline.RESOLUTION]
        return plan
    targets = targets_for(
        item_kind=ItemKind.CONVERSATION, property_id=conversation.property_id,
        channel=conversation.channel, priority=conversation.priority,
        at=conversation.created_at,
    )  # fmt: skip
    plan.policy_id = targets.policy_id
    cal = calendar_for(conversation.property_id)
    if conversation.waiting_since is not None:
        minutes = (
            targets.first_response if reply == Deadline.FIRST_RESPONSE else targets.next_response
        )
        plan.running.append(_clock(reply, conversation.waiting_since, minutes, targets, cal))
        plan.stopped.append(other)
    else:
        plan.stopped += [Deadline.FIRST_RESPONSE, Deadline.NEXT_RESPONSE]
    plan.running.append(
        _clock(Deadline.RESOLUTION, conversation.created_at, targets.resolution, targets, cal)
    )
    return plan


def conversation_apply(conversation, plan: Plan) -> list[str]:
    """Put the plan's due times on the conversation; the fields changed."""
    conversation.first_response_due_at = plan.due(Deadline.FIRST_RESPONSE)
    conversation.next_response_due_at = plan.due(Deadline.NEXT_RESPONSE)
    conversation.resolution_due_at = plan.due(Deadline.RESOLUTION)
    # The queue orders by the reply due (channels_inbox.models.in_queue_order).
    conversation.sla_due_at = (
        conversation.first_response_due_at or conversation.next_response_due_at
    )
    return ["first_response_due_at", "next_response_due_at", "resolution_due_at", "sla_due_at"]


def lead_plan(lead) -> Plan:
    """A lead's deadlines: first contact (while new), the follow-up the agent
    set (warned when due, breached when overdue by the policy's next-response
    time) and the decision (won/lost) counted from creation."""
    from leads.models import OPEN_STATUSES, LeadStatus

    plan = Plan(ItemKind.LEAD, lead.pk, lead.property_id, None)
    if lead.status not in OPEN_STATUSES:
        plan.stopped = [Deadline.FIRST_RESPONSE, Deadline.FOLLOW_UP, Deadline.RESOLUTION]
        return plan
    targets = targets_for(
        item_kind=ItemKind.LEAD, property_id=lead.property_id,
        channel=lead.source.channel if lead.source_id else "", priority=lead.priority,
        at=lead.created_at,
    )  # fmt: skip
    plan.policy_id = targets.policy_id
    cal = calendar_for(lead.property_id)
    if lead.status == LeadStatus.NEW and lead.first_contact_at is None:
        plan.running.append(
            _clock(Deadline.FIRST_RESPONSE, lead.created_at, targets.first_response, targets, cal)
        )
    else:
        plan.stopped.append(Deadline.FIRST_RESPONSE)
    if lead.next_follow_up_at:
        due = lead.next_follow_up_at
        plan.running.append(
            Clock(Deadline.FOLLOW_UP, due, warn_at=due,
                  due_at=add_business_time(due, targets.next_response, cal))
        )  # fmt: skip
    else:
        plan.stopped.append(Deadline.FOLLOW_UP)
    plan.running.append(
        _clock(Deadline.RESOLUTION, lead.created_at, targets.resolution, targets, cal)
    )
    return plan


def lead_apply(lead, plan: Plan) -> list[str]:
    lead.first_response_due_at = plan.due(Deadline.FIRST_RESPONSE)
    lead.next_response_due_at = plan.due(Deadline.FOLLOW_UP)
    lead.resolution_due_at = plan.due(Deadline.RESOLUTION)
    return ["first_response_due_at", "next_response_due_at", "resolution_due_at"]


def clocks_sync(plans: Iterable[Plan], *, now: dt.datetime | None = None) -> None:
    """Write the plans: running clocks inserted or re-armed, stopped ones
    stopped. Two statements for any number of items.

    A re-armed clock whose due time stayed keeps what the scan already did.
    One whose due time moved may warn and breach again, unless it already
    breached for the same start (the same wait for a reply, the same lead):
    new targets after a priority raise, or a calendar that changed, move the
    due time of a deadline that was missed and escalated once already, and
    that must not breach and escalate again every minute. A new start (the
    guest writes again after a reply, a new follow-up time) is a new
    deadline and breaches on its own."""
    plans = list(plans)
    now = now or timezone.now()
    table = SlaClock._meta.db_table
    breached_once = f"{table}.breached_at IS NOT NULL AND {table}.started_at = EXCLUDED.started_at"
    running = [
        (plan.item_kind, plan.item_id, clock.deadline, plan.property_id, plan.policy_id,
         clock.started_at, clock.warn_at, clock.due_at)
        for plan in plans for clock in plan.running
    ]  # fmt: skip
    bulk.insert_many(
        table,
        [("item_kind", "varchar"), ("item_id", "bigint"), ("deadline", "varchar"),
         ("property_id", "bigint"), ("policy_id", "bigint"), ("started_at", "timestamptz"),
         ("warn_at", "timestamptz"), ("due_at", "timestamptz")],
        running,
        suffix="ON CONFLICT (item_kind, item_id, deadline) DO UPDATE SET "
        "policy_id = EXCLUDED.policy_id, started_at = EXCLUDED.started_at, "
        f"warned_at = CASE WHEN ({table}.warn_at = EXCLUDED.warn_at "
        f"AND {table}.stopped_at IS NULL) OR ({breached_once}) THEN {table}.warned_at END, "
        f"breached_at = CASE WHEN ({table}.due_at = EXCLUDED.due_at "
        f"AND {table}.stopped_at IS NULL) OR ({breached_once}) THEN {table}.breached_at END, "
        "warn_at = EXCLUDED.warn_at, due_at = EXCLUDED.due_at, stopped_at = NULL",
    )  # fmt: skip
    stops = [(p.item_kind, p.item_id, d) for p in plans for d in p.stopped]
    if stops:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET stopped_at = %s WHERE stopped_at IS NULL AND "  # noqa: S608
                "(item_kind, item_id, deadline) IN ("
                + ", ".join(["(%s, %s, %s)"] * len(stops))
                + ")",
                [bulk.db_value(now), *[v for stop in stops for v in stop]],
            )


# --- the scan -------------------------------------------------------------------------


@dataclass
class ScanResult:
    warned: int = 0
    breached: int = 0


SCAN_LIMIT = 5_000


def sla_scan(*, now: dt.datetime | None = None, limit: int = SCAN_LIMIT) -> ScanResult:
    """One pass (Celery beat, every minute): clocks at their warning point
    warn the agent who has the item; clocks past their deadline record one
    SlaBreach and run their policy's escalation. Each clock is claimed with
    a conditional UPDATE under SKIP LOCKED, in the same transaction as what
    it causes: two scanners, or a scanner killed halfway, never act twice."""
    from leads import escalation

    now = now or timezone.now()
    result = ScanResult()
    table = SlaClock._meta.db_table
    if connection.vendor == "postgresql":
        # = ANY(ARRAY(...)): the claimed ids first, then the pk index; "id IN
        # (subquery)" planned a hash join over the whole table (make bench-sla).
        claim = "id = ANY(ARRAY(SELECT id FROM {t} WHERE {where} ORDER BY {order} LIMIT %s " \
                "FOR UPDATE SKIP LOCKED))"  # fmt: skip
    else:  # SQLite (the demo): one writer at a time anyway
        claim = "id IN (SELECT id FROM {t} WHERE {where} ORDER BY {order} LIMIT %s)"
    to_warn = claim.format(
        t=table, order="warn_at",
        where="stopped_at IS NULL AND warned_at IS NULL AND warn_at <= %s AND due_at > %s",
    )  # fmt: skip
    to_breach = claim.format(
        t=table, order="due_at", where="stopped_at IS NULL AND breached_at IS NULL AND due_at <= %s"
    )
    at = bulk.db_value(now)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET warned_at = %s WHERE {to_warn} "  # noqa: S608
                "RETURNING item_kind, item_id, deadline, property_id, due_at",
                [at, at, at, limit],
            )
            warned = cursor.fetchall()
            cursor.execute(
                # A breached clock leaves the warning index too (warned or not).
                f"UPDATE {table} SET breached_at = %s, warned_at = COALESCE(warned_at, %s) "  # noqa: S608
                f"WHERE {to_breach} "
                "RETURNING item_kind, item_id, deadline, property_id, due_at, policy_id",
                [at, at, at, limit],
            )
            breached = cursor.fetchall()
        if connection.vendor != "postgresql":  # SQLite hands back text for timestamps
            warned = [(*r[:4], _aware(r[4])) for r in warned]
            breached = [(*r[:4], _aware(r[4]), r[5]) for r in breached]
        if warned:
            _isolated(escalation.warn, warned, what="warning")
            result.warned = len(warned)
        if breached:
            result.breached = _isolated(
                lambda rows: escalation.breach(rows, now=now), breached, what="breach"
            )
    return result


def _isolated(act, rows: list[tuple], *, what: str) -> int:
    """``act(rows)`` in a savepoint; when it fails, again one row at a time,
    so that one item whose escalation raises does not take the others down
    with it. The claims stay either way: a row that fails on its own is
    logged and left claimed, not escalated (claimed again, it would fail
    again every minute, and roll back the whole pass each time). What
    ``act`` counted (the breaches escalated)."""
    try:
        with transaction.atomic():
            return act(rows) or 0
    except Exception:
        if connection.needs_rollback or connection.closed_in_transaction:
            raise  # the connection, not an item: the whole pass fails (the task retries)
        if len(rows) == 1:
            logger.exception("SLA %s of %s:%s %s failed; not escalated", what, *rows[0][:3])
            return 0
        logger.exception("SLA %s batch of %d failed; trying them one by one", what, len(rows))
    done = 0
    for row in rows:
        done += _isolated(act, [row], what=what)
    return done


def breach_rows(rows, *, channel_of, agent_of, now) -> list[SlaBreach]:
    """Record the SlaBreach of each claimed (item_kind, item_id, deadline,
    property, due_at, policy) row in one statement; a breach already on
    record (a clock stopped and re-armed at the same deadline) is left out,
    so it escalates once. The breaches that are new."""
    if not rows:
        return []
    rows_in = []
    for kind, item_id, deadline, property_id, due_at, policy_id in rows:
        policy = policy_by_id(policy_id)
        rows_in.append((kind, item_id, deadline, due_at, property_id,
                        channel_of.get((kind, item_id), ""), agent_of.get((kind, item_id)),
                        policy.escalation if policy else Escalation.NOTIFY, now))  # fmt: skip
    inserted = bulk.insert_many(
        SlaBreach._meta.db_table,
        [("item_kind", "varchar"), ("item_id", "bigint"), ("deadline", "varchar"),
         ("due_at", "timestamptz"), ("property_id", "bigint"), ("channel", "varchar"),
         ("agent_id", "bigint"), ("escalation", "varchar"), ("breached_at", "timestamptz")],
        rows_in,
        suffix="ON CONFLICT (item_kind, item_id, deadline, due_at) DO NOTHING RETURNING id, "
        "item_kind, item_id, deadline, due_at, property_id, channel, agent_id, escalation",
    )  # fmt: skip
    return [
        SlaBreach(pk=pk, item_kind=kind, item_id=item_id, deadline=deadline, due_at=_aware(due_at),
                  property_id=property_id, channel=channel, agent_id=agent_id,
                  escalation=escalation, breached_at=now)
        for pk, kind, item_id, deadline, due_at, property_id, channel, agent_id, escalation
        in inserted
    ]  # fmt: skip


def _aware(value) -> dt.datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def deadline_label(deadline: str) -> str:
    return str(Deadline(deadline).label) if deadline in Deadline.values else deadline


def deadline_labels() -> dict[str, str]:
    """The labels in the current language, once per batch."""
    return {value: str(label) for value, label in Deadline.choices}


def describe(item_label: str, deadline: str, due_at: dt.datetime, tz, *, labels=None) -> str:
    return _("%(item)s: %(deadline)s due %(when)s") % {
        "item": item_label,
        "deadline": (labels or {}).get(deadline) or deadline_label(deadline),
        "when": due_at.astimezone(tz).strftime("%d.%m %H:%M"),
    }
