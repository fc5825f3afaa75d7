"""The SLA engine: deadlines across business hours, holidays, midnight and
season boundaries (frozen time), and the scan that warns once, breaches
once and escalates once."""

import datetime as dt
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connection

from channels_inbox import inbound
from channels_inbox.models import ChannelKind, Conversation
from guestview.models import AgentStatus, Alert, AlertKind, Holiday, Role
from guestview.services import agent_set_status
from kpi.models import EventKind, KpiEvent
from leads import sla
from leads.models import (
    BusinessCalendar,
    BusinessPeriod,
    Deadline,
    Escalation,
    Season,
    SlaBreach,
    SlaClock,
    SlaPolicy,
    Team,
)
from tests.factories import persona

IST = zoneinfo.ZoneInfo("Europe/Istanbul")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=IST)


def office(**extra) -> sla.Calendar:
    """Monday to Friday 09:00-18:00."""
    periods = {d: [(dt.time(9), dt.time(18))] for d in range(5)}
    return sla.Calendar(tz=IST, business_hours_only=True, periods=periods, **extra)


# --- deadline arithmetic (pure) -------------------------------------------------------


def test_without_business_hours_a_deadline_is_wall_clock():
    assert sla.add_business_time(at(2026, 12, 4, 17, 30), 60, sla.Calendar(tz=IST)) == at(
        2026, 12, 4, 18, 30
    )


def test_an_hour_from_friday_evening_ends_on_monday_morning():
    assert sla.add_business_time(at(2026, 12, 4, 17, 30), 60, office()) == at(2026, 12, 7, 9, 30)


def test_a_start_after_hours_counts_from_the_next_opening():
    assert sla.add_business_time(at(2026, 12, 2, 21, 0), 30, office()) == at(2026, 12, 3, 9, 30)


def test_a_holiday_is_skipped_and_a_half_day_eve_closes_at_one():
    cal = office(holidays={dt.date(2026, 5, 26): dt.time(13), dt.date(2026, 5, 27): None,
                           dt.date(2026, 5, 28): None, dt.date(2026, 5, 29): None})  # fmt: skip
    # Tuesday 26 May 12:30: half an hour before the eve closes, then Monday 1 June.
    assert sla.add_business_time(at(2026, 5, 26, 12, 30), 60, cal) == at(2026, 6, 1, 9, 30)


def test_a_night_shift_runs_past_midnight():
    periods = {d: [(dt.time(8), dt.time(12)), (dt.time(22), dt.time(2))] for d in range(7)}
    cal = sla.Calendar(tz=IST, business_hours_only=True, periods=periods)
    assert sla.add_business_time(at(2026, 12, 2, 23, 30), 60, cal) == at(2026, 12, 3, 0, 30)
    # 01:30 is in Tuesday night's shift: 30 minutes to 02:00, then 08:00.
    assert sla.add_business_time(at(2026, 12, 3, 1, 30), 60, cal) == at(2026, 12, 3, 8, 30)


def test_several_periods_a_day_skip_the_lunch_break():
    periods = {d: [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(18))] for d in range(5)}
    cal = sla.Calendar(tz=IST, business_hours_only=True, periods=periods)
    assert sla.add_business_time(at(2026, 12, 2, 11, 30), 60, cal) == at(2026, 12, 2, 13, 30)


# --- policies, seasons, calendars from the database -------------------------------------


@pytest.fixture
def policies(db):
    SlaPolicy.objects.all().delete()  # not the migration's defaults: this test's
    high = SlaPolicy.objects.create(
        name="WA high season", item_kind="conversation", channel=ChannelKind.WHATSAPP,
        season="high", first_response_minutes=5, next_response_minutes=5,
        resolution_minutes=120,
    )  # fmt: skip
    low = SlaPolicy.objects.create(
        name="WA any season", item_kind="conversation", channel=ChannelKind.WHATSAPP,
        first_response_minutes=60, next_response_minutes=30, resolution_minutes=600,
    )  # fmt: skip
    sla.forget_sla_caches()
    return high, low


def conversation(hotel, *, created, **fields):
    return Conversation.objects.create(
        property=hotel, channel=ChannelKind.WHATSAPP, contact_key=f"+9053{created:%H%M%S%f}",
        created_at=created, waiting_since=created, **fields,
    )  # fmt: skip


def test_the_season_of_the_day_the_item_opened_picks_the_targets(hotel_a, policies):
    Season.objects.create(
        property=hotel_a, kind="high", starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 9, 30)
    )
    sla.forget_sla_caches()
    last_high = conversation(hotel_a, created=at(2026, 9, 30, 23, 59))
    first_low = conversation(hotel_a, created=at(2026, 10, 1, 0, 1))
    assert sla.conversation_plan(last_high).due(Deadline.FIRST_RESPONSE) == at(2026, 10, 1, 0, 4)
    assert sla.conversation_plan(first_low).due(Deadline.FIRST_RESPONSE) == at(2026, 10, 1, 1, 1)


def test_a_hotel_counting_business_hours_only_gets_a_later_deadline(hotel_a, hotel_b, policies):
    cal = BusinessCalendar.objects.create(property=hotel_a, business_hours_only=True)
    for day in range(5):
        BusinessPeriod.objects.create(calendar=cal, weekday=day, starts=dt.time(9),
                                      ends=dt.time(18))  # fmt: skip
    sla.forget_sla_caches()
    friday_evening = at(2026, 12, 4, 17, 30)
    plan_a = sla.conversation_plan(conversation(hotel_a, created=friday_evening))
    plan_b = sla.conversation_plan(conversation(hotel_b, created=friday_evening))
    assert plan_a.due(Deadline.FIRST_RESPONSE) == at(2026, 12, 7, 9, 30)
    assert plan_b.due(Deadline.FIRST_RESPONSE) == at(2026, 12, 4, 18, 30)


def test_public_holidays_come_from_the_holiday_table(hotel_a, policies):
    Holiday.objects.filter(date=dt.date(2026, 12, 7)).delete()
    Holiday.objects.create(date=dt.date(2026, 12, 7), name="Local", property=hotel_a)
    cal = BusinessCalendar.objects.create(property=hotel_a, business_hours_only=True)
    for day in range(5):
        BusinessPeriod.objects.create(calendar=cal, weekday=day, starts=dt.time(9),
                                      ends=dt.time(18))  # fmt: skip
    sla.forget_sla_caches()
    with time_machine.travel(at(2026, 12, 4, 12)):
        plan = sla.conversation_plan(conversation(hotel_a, created=at(2026, 12, 4, 17, 30)))
    assert plan.due(Deadline.FIRST_RESPONSE) == at(2026, 12, 8, 9, 30)


def test_the_most_specific_policy_wins(hotel_a, policies):
    mine = SlaPolicy.objects.create(
        name="Hotel A WA critical", item_kind="conversation", property=hotel_a,
        channel=ChannelKind.WHATSAPP, priority="critical", first_response_minutes=2,
        next_response_minutes=2, resolution_minutes=60,
    )  # fmt: skip
    sla.forget_sla_caches()
    found = sla.policy_for(
        item_kind="conversation", property_id=hotel_a.pk, channel="whatsapp",
        priority="critical", at=at(2026, 12, 1, 12),
    )  # fmt: skip
    assert found == mine


# --- the message path keeps the clocks ----------------------------------------------------


def test_a_guest_message_arms_the_reply_clock_and_a_reply_stops_it(alice, hotel_a, policies):
    from channels_inbox import services
    from channels_inbox.channels.base import InboundMessage
    from channels_inbox.models import ChannelAccount

    ChannelAccount.objects.create(property=hotel_a, kind="whatsapp", name="WA", external_id="1")
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        message = inbound.message_receive(
            source="whatsapp",
            incoming=InboundMessage(
                external_id="w1", contact_key="+905321112233", contact_kind="whatsapp",
                sent_at=at(2026, 12, 1, 10), text="Merhaba, oda var mı?",
                account_external_id="1",
            ),
        )  # fmt: skip
    c = message.conversation
    clock = SlaClock.objects.get(item_id=c.pk, deadline=Deadline.FIRST_RESPONSE)
    assert clock.due_at == at(2026, 12, 1, 11) and c.sla_due_at == clock.due_at
    assert clock.warn_at == at(2026, 12, 1, 10, 48)  # 80%
    with time_machine.travel(at(2026, 12, 1, 10, 5), tick=False):
        services.message_send(conversation=c, author=alice, text="Tabii!")
    clock.refresh_from_db()
    assert clock.stopped_at is not None
    c.refresh_from_db()
    assert c.sla_due_at is None and c.resolution_due_at == at(2026, 12, 1, 20)


# --- the scan ---------------------------------------------------------------------------


@pytest.fixture
def waiting(hotel_a, alice, policies):
    from channels_inbox.models import ChannelAccount

    account = ChannelAccount.objects.create(
        property=hotel_a, kind="whatsapp", name="WA", external_id="1"
    )
    c = conversation(
        hotel_a,
        created=at(2026, 12, 1, 10),
        assigned_to=alice.agent_profile,
        account=account,
        last_inbound_at=at(2026, 12, 1, 10),
    )
    _fields, plan = inbound.sla_plan_apply(c)
    c.save()
    sla.clocks_sync([plan])
    return c


def test_at_80_percent_the_agent_is_warned_once(waiting, alice, sam):
    with time_machine.travel(at(2026, 12, 1, 10, 49)):
        assert sla.sla_scan().warned == 1
        assert sla.sla_scan().warned == 0
    alert = Alert.objects.get()
    assert alert.recipient == alice and alert.kind == AlertKind.SLA_WARNING


def test_a_breach_is_recorded_and_escalated_once(waiting, alice, sam, bob):
    with time_machine.travel(at(2026, 12, 1, 11, 1)):
        first = sla.sla_scan()
        second = sla.sla_scan()
    assert (first.breached, second.breached) == (1, 0)
    breach = SlaBreach.objects.get(deadline=Deadline.FIRST_RESPONSE)
    assert breach.agent == alice.agent_profile and breach.channel == "whatsapp"
    assert list(
        Alert.objects.filter(kind=AlertKind.SLA_BREACH).values_list(
            "recipient__username", flat=True
        )
    ) == ["sam"]
    waiting.refresh_from_db()
    assert waiting.missed_at is not None  # a missed request
    assert KpiEvent.objects.filter(kind=EventKind.MISSED).count() == 1


def test_a_new_deadline_after_a_breach_can_breach_again(waiting, alice, sam):
    from channels_inbox import services

    with time_machine.travel(at(2026, 12, 1, 11, 1)):
        sla.sla_scan()
        services.message_send(conversation=waiting, author=alice, text="Sorry for the wait")
    waiting.refresh_from_db()
    waiting.waiting_since = at(2026, 12, 1, 12)  # the guest writes again
    _fields, plan = inbound.sla_plan_apply(waiting)
    waiting.save()
    sla.clocks_sync([plan])
    with time_machine.travel(at(2026, 12, 1, 12, 31)):
        assert sla.sla_scan().breached == 1
    assert SlaBreach.objects.filter(deadline=Deadline.NEXT_RESPONSE).count() == 1


def test_raise_priority_escalates_a_conversation(waiting, sam, policies):
    SlaPolicy.objects.filter(pk=policies[1].pk).update(escalation=Escalation.RAISE)
    sla.forget_sla_caches()
    _fields, plan = inbound.sla_plan_apply(waiting)
    sla.clocks_sync([plan])
    with time_machine.travel(at(2026, 12, 1, 11, 1)):
        sla.sla_scan()
    waiting.refresh_from_db()
    assert waiting.priority == "medium"  # low → medium


def test_reassign_hands_it_to_the_least_loaded_online_team_member(waiting, alice, sam, hotel_a):
    carl = persona("carl", role=Role.AGENT, properties=[hotel_a], languages=["tr"])
    dora = persona("dora", role=Role.AGENT, properties=[hotel_a], languages=["tr"])
    for user in (carl, dora):
        agent_set_status(agent=user.agent_profile, status=AgentStatus.ONLINE)
    conversation(hotel_a, created=at(2026, 12, 1, 9), assigned_to=carl.agent_profile)
    team = Team.objects.create(name="Night desk", property=hotel_a, supervisor=sam)
    team.members.set([carl.agent_profile, dora.agent_profile])
    SlaPolicy.objects.update(escalation=Escalation.REASSIGN, escalation_team=team)
    sla.forget_sla_caches()
    _fields, plan = inbound.sla_plan_apply(waiting)
    sla.clocks_sync([plan])
    with time_machine.travel(at(2026, 12, 1, 11, 1)):
        sla.sla_scan()
    waiting.refresh_from_db()
    assert waiting.assigned_to == dora.agent_profile
    assert Alert.objects.filter(recipient=dora, kind=AlertKind.ESCALATION).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_scanners_at_once_escalate_each_breach_once(hotel_a, sam, policies):
    items = [conversation(hotel_a, created=at(2026, 12, 1, 10, i)) for i in range(40)]
    sla.clocks_sync(inbound.sla_plan_apply(c)[1] for c in items)
    results, barrier = [], threading.Barrier(2)

    def scan():
        try:
            barrier.wait()
            with time_machine.travel(at(2026, 12, 2, 12)):
                results.append(sla.sla_scan(limit=25).breached)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with time_machine.travel(at(2026, 12, 2, 12)):
        results.append(sla.sla_scan().breached)
    # 40 first responses and 40 resolutions, each once, whoever took it.
    assert sum(results) == 80 == SlaBreach.objects.count()
    assert Alert.objects.filter(kind=AlertKind.SLA_BREACH).count() == 80
