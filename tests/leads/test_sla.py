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


def office_hours_with_a_holiday(hotel, day: dt.date) -> None:
    """Monday to Friday 9:00-18:00, and a local holiday on ``day``."""
    Holiday.objects.filter(date=day).delete()
    Holiday.objects.create(date=day, name="Local", property=hotel)
    cal = BusinessCalendar.objects.create(property=hotel, business_hours_only=True)
    for weekday in range(5):
        BusinessPeriod.objects.create(calendar=cal, weekday=weekday, starts=dt.time(9),
                                      ends=dt.time(18))  # fmt: skip


def test_public_holidays_come_from_the_holiday_table(hotel_a, policies):
    office_hours_with_a_holiday(hotel_a, dt.date(2026, 12, 7))
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


# --- escalations: raise, reassign, once per deadline ----------------------------------------


@pytest.fixture
def tiered(db):
    """Targets per priority, as a hotel sets them: a low message waits an
    hour for its reply, a medium one half an hour; both raise when missed."""
    SlaPolicy.objects.all().delete()
    for priority, reply, resolution in (("low", 60, 600), ("medium", 30, 300)):
        SlaPolicy.objects.create(
            name=f"WA {priority}", item_kind="conversation", channel=ChannelKind.WHATSAPP,
            priority=priority, first_response_minutes=reply, next_response_minutes=reply,
            resolution_minutes=resolution, escalation=Escalation.RAISE,
        )  # fmt: skip
    sla.forget_sla_caches()


def test_a_raised_priority_moves_the_deadlines_and_the_missed_one_breaches_once(
    hotel_a, alice, sam, tiered
):
    c = conversation(hotel_a, created=at(2026, 12, 1, 10), assigned_to=alice.agent_profile)
    _fields, plan = inbound.sla_plan_apply(c)
    c.save()
    sla.clocks_sync([plan])
    assert c.first_response_due_at == at(2026, 12, 1, 11)
    with time_machine.travel(at(2026, 12, 1, 11, 1)):
        assert sla.sla_scan().breached == 1
    c.refresh_from_db()
    # Medium's targets now: the reply was due at 10:30, the resolution at 15:00.
    assert c.priority == "medium"
    assert c.first_response_due_at == c.sla_due_at == at(2026, 12, 1, 10, 30)
    assert c.resolution_due_at == at(2026, 12, 1, 15)
    reply = SlaClock.objects.get(item_id=c.pk, deadline=Deadline.FIRST_RESPONSE)
    assert reply.due_at == at(2026, 12, 1, 10, 30) and reply.breached_at is not None
    resolution = SlaClock.objects.get(item_id=c.pk, deadline=Deadline.RESOLUTION)
    assert resolution.due_at == at(2026, 12, 1, 15) and resolution.breached_at is None
    # The missed reply moved to 10:30, which passed too: it is not missed again
    # (and raised again, to high, then critical) every minute.
    for minute in (2, 3, 4):
        with time_machine.travel(at(2026, 12, 1, 11, minute)):
            assert sla.sla_scan().breached == 0
    c.refresh_from_db()
    assert c.priority == "medium"
    assert SlaBreach.objects.filter(deadline=Deadline.FIRST_RESPONSE).count() == 1
    assert Alert.objects.filter(recipient=sam, kind=AlertKind.SLA_BREACH).count() == 1


def test_a_new_follow_up_after_a_missed_one_can_be_missed_again(hotel_a, alice):
    from leads import services
    from leads.models import LeadSource

    lead = services.lead_create(
        property=hotel_a, source=LeadSource.objects.get(code="web-form"), name="Ayşe Kaya",
        contact="0532 111 22 33", request="Aile odası", assign_to=alice.agent_profile,
    )  # fmt: skip
    first = lead.created_at + dt.timedelta(hours=1)
    services.lead_follow_up_set(lead=lead, at=first, by=alice)
    with time_machine.travel(first + dt.timedelta(minutes=61)):
        sla.sla_scan()
        # The agent comes back to it and sets the next one: a new deadline.
        services.lead_follow_up_set(lead=lead, at=first + dt.timedelta(hours=2), by=alice)
    with time_machine.travel(first + dt.timedelta(hours=3, minutes=1)):
        assert sla.sla_scan().breached == 1
    assert SlaBreach.objects.filter(item_id=lead.pk, deadline=Deadline.FOLLOW_UP).count() == 2


def test_a_raised_lead_gets_the_next_priority_and_breaches_once(hotel_a, alice, sam):
    from leads import services
    from leads.models import Lead, LeadSource

    SlaPolicy.objects.filter(item_kind="lead").update(escalation=Escalation.RAISE)
    sla.forget_sla_caches()
    lead = services.lead_create(
        property=hotel_a, source=LeadSource.objects.get(code="web-form"), name="Ayşe Kaya",
        contact="0532 111 22 33", request="Aile odası", priority="medium",
    )  # fmt: skip
    with time_machine.travel(lead.created_at + dt.timedelta(minutes=31)):
        assert sla.sla_scan().breached == 1
        assert sla.sla_scan().breached == 0
    lead.refresh_from_db()
    assert lead.priority == "high"
    assert lead.first_response_due_at == lead.created_at + dt.timedelta(minutes=30)
    assert Lead.objects.get(pk=lead.pk).events.filter(kind="escalated").count() == 1


@pytest.fixture
def night_desk(hotel_a, sam):
    """Carl and Dora, online, on the team a missed deadline is handed to."""
    carl = persona("carl", role=Role.AGENT, properties=[hotel_a], languages=["tr"])
    dora = persona("dora", role=Role.AGENT, properties=[hotel_a], languages=["tr"])
    for user in (carl, dora):
        agent_set_status(agent=user.agent_profile, status=AgentStatus.ONLINE)
    team = Team.objects.create(name="Night desk", property=hotel_a, supervisor=sam)
    team.members.set([carl.agent_profile, dora.agent_profile])
    SlaPolicy.objects.update(escalation=Escalation.REASSIGN, escalation_team=team)
    sla.forget_sla_caches()
    return carl, dora


def test_reassign_goes_through_the_transfer_and_respects_capacity(
    waiting, alice, hotel_a, night_desk
):
    carl, dora = night_desk
    # Carl is the less loaded but has no room left; Dora has.
    carl.agent_profile.capacity = 1
    carl.agent_profile.save(update_fields=["capacity"])
    conversation(hotel_a, created=at(2026, 12, 1, 9), assigned_to=carl.agent_profile)
    for minute in (10, 11):
        conversation(hotel_a, created=at(2026, 12, 1, 9, minute), assigned_to=dora.agent_profile)
    _fields, plan = inbound.sla_plan_apply(waiting)
    sla.clocks_sync([plan])
    with time_machine.travel(at(2026, 12, 1, 11, 1), tick=False):
        sla.sla_scan()
    waiting.refresh_from_db()
    assert waiting.assigned_to == dora.agent_profile
    assert waiting.assigned_at == at(2026, 12, 1, 11, 1)


def test_reassign_of_a_lead_goes_through_lead_assign(hotel_a, alice, sam, night_desk):
    from leads import services
    from leads.models import LeadEventKind, LeadSource

    carl, _dora = night_desk
    lead = services.lead_create(
        property=hotel_a, source=LeadSource.objects.get(code="web-form"), name="Ayşe Kaya",
        contact="0532 111 22 33", request="Aile odası", assign_to=alice.agent_profile,
    )  # fmt: skip
    with time_machine.travel(lead.created_at + dt.timedelta(minutes=31)):
        sla.sla_scan()
    lead.refresh_from_db()
    assert lead.assigned_to == carl.agent_profile  # both free: the first of the team
    assigned = lead.events.get(kind=LeadEventKind.ASSIGNED)
    assert assigned.text == "Carl" and assigned.by == sam
    assert Alert.objects.filter(
        recipient=carl, kind=AlertKind.ESCALATION, url__endswith=f"/leads/{lead.pk}/"
    ).exists()


def test_a_member_hears_of_a_second_escalation_of_the_same_item(waiting, alice, sam, night_desk):
    from channels_inbox import routing, services

    _carl, dora = night_desk
    Team.objects.get().members.set([dora.agent_profile])
    with time_machine.travel(at(2026, 12, 1, 11, 1)):
        sla.sla_scan()
    waiting.refresh_from_db()
    assert waiting.assigned_to == dora.agent_profile
    with time_machine.travel(at(2026, 12, 1, 11, 5)):
        services.message_send(conversation=waiting, author=dora, text="Bakıyorum")
        routing.conversation_transfer(conversation=waiting, to=alice.agent_profile, by=sam)
    waiting.refresh_from_db()
    waiting.waiting_since = at(2026, 12, 1, 12)  # the guest writes again; nobody answers
    _fields, plan = inbound.sla_plan_apply(waiting)
    waiting.save()
    sla.clocks_sync([plan])
    with time_machine.travel(at(2026, 12, 1, 12, 31)):
        assert sla.sla_scan().breached == 1
    waiting.refresh_from_db()
    assert waiting.assigned_to == dora.agent_profile
    # One alert per missed deadline, not one per conversation for ever.
    assert Alert.objects.filter(recipient=dora, kind=AlertKind.ESCALATION).count() == 2


def test_one_item_failing_its_escalation_does_not_stop_the_others(
    hotel_a, sam, policies, monkeypatch, caplog
):
    from leads import escalation

    good, bad = (conversation(hotel_a, created=at(2026, 12, 1, 10, i)) for i in range(2))
    sla.clocks_sync(inbound.sla_plan_apply(c)[1] for c in (good, bad))
    record_missed = escalation._record_missed

    def defect(items, *, now):
        if any(item.pk == bad.pk for item in items):
            raise RuntimeError("a defect in one item's escalation")
        record_missed(items, now=now)

    monkeypatch.setattr(escalation, "_record_missed", defect)
    with time_machine.travel(at(2026, 12, 1, 11, 5)):
        assert sla.sla_scan().breached == 1
        assert sla.sla_scan().breached == 0  # not claimed again, minute after minute
    assert list(SlaBreach.objects.values_list("item_id", flat=True)) == [good.pk]
    assert Alert.objects.filter(recipient=sam, kind=AlertKind.SLA_BREACH).count() == 1
    good.refresh_from_db()
    assert good.missed_at is not None
    assert SlaClock.objects.get(item_id=bad.pk, deadline=Deadline.FIRST_RESPONSE).breached_at
    assert f"conversation:{bad.pk}" in caplog.text and "not escalated" in caplog.text


def test_the_scan_task_retries_with_backoff_when_the_database_fails(monkeypatch):
    from celery.exceptions import Retry
    from django.db import OperationalError

    from leads import tasks

    def down(**_kwargs):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(sla, "sla_scan", down)
    for retries, countdown in ((0, 5), (1, 10), (2, 20)):
        with pytest.raises(Retry) as retry:
            tasks.sla_scan.apply(retries=retries, throw=True)
        assert retry.value.when == countdown
    with pytest.raises(OperationalError):  # then it gives up: the next minute's pass runs
        tasks.sla_scan.apply(retries=3, throw=True)


# --- holidays of old items ------------------------------------------------------------------


def test_an_old_items_holidays_stay_in_its_deadlines(hotel_a, policies):
    """A deadline counted across a holiday keeps it when the item is planned
    again weeks later (every guest message re-plans from created_at)."""
    office_hours_with_a_holiday(hotel_a, dt.date(2026, 12, 8))
    # Monday 7 December 17:00: ten business hours of resolution skip Tuesday.
    c = conversation(hotel_a, created=at(2026, 12, 7, 17))
    with time_machine.travel(at(2026, 12, 7, 17)):
        sla.forget_sla_caches()
        planned = sla.conversation_plan(c).due(Deadline.RESOLUTION)
    assert planned == at(2026, 12, 9, 18)
    with time_machine.travel(at(2026, 12, 21, 10)):  # two weeks on, the guest writes
        sla.forget_sla_caches()
        assert sla.conversation_plan(c).due(Deadline.RESOLUTION) == planned
