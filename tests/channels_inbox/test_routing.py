"""Routing: the right agent gets it, nobody gets it twice."""

import threading

import pytest
from django.db import close_old_connections, connection

from channels_inbox import routing
from channels_inbox.models import ChannelKind, Conversation
from guestview.models import AgentProfile, AgentStatus, Language, Role
from guestview.services import agent_set_status
from tests.factories import persona


def conversation(account_property, *, language="tr", priority="medium", minutes_ago=5, key=None):
    from datetime import timedelta

    from django.utils import timezone

    since = timezone.now() - timedelta(minutes=minutes_ago)
    return Conversation.objects.create(
        property=account_property,
        channel=ChannelKind.WHATSAPP,
        contact_key=key or f"+90532{Conversation.objects.count():07d}",
        language=language,
        priority=priority,
        waiting_since=since,
        sla_due_at=since + timedelta(minutes=60),
        created_at=since,
    )


def online(user) -> AgentProfile:
    return agent_set_status(agent=user.agent_profile, status=AgentStatus.ONLINE)


@pytest.mark.django_db
def test_it_assigns_to_an_online_agent_who_speaks_the_language(hotel_a, alice, bob):
    online(alice)
    german_speaker = persona(
        "gerda", role=Role.AGENT, properties=[hotel_a], languages=[Language.DE]
    )
    online(german_speaker)
    turkish = conversation(hotel_a, language="tr")
    german = conversation(hotel_a, language="de")
    assert routing.assign_waiting(property_id=hotel_a.pk) == 2
    turkish.refresh_from_db()
    german.refresh_from_db()
    assert turkish.assigned_to.user == alice
    assert german.assigned_to.user == german_speaker


@pytest.mark.django_db
def test_nobody_offline_or_of_another_hotel_gets_work(hotel_a, alice, bob):
    online(bob)  # serves hotel B only
    waiting = conversation(hotel_a)
    assert routing.assign_waiting(property_id=hotel_a.pk) == 0
    waiting.refresh_from_db()
    assert waiting.assigned_to is None


@pytest.mark.django_db
def test_it_respects_capacity_and_gives_the_most_urgent_first(hotel_a, alice):
    AgentProfile.objects.filter(user=alice).update(capacity=2)
    alice.agent_profile.refresh_from_db()
    online(alice)
    low = conversation(hotel_a, priority="low", minutes_ago=50)
    critical = conversation(hotel_a, priority="critical", minutes_ago=1)
    oldest_medium = conversation(hotel_a, priority="medium", minutes_ago=30)
    newer_medium = conversation(hotel_a, priority="medium", minutes_ago=2)
    assert routing.assign_waiting(property_id=hotel_a.pk) == 2
    assigned = set(
        Conversation.objects.filter(assigned_to__isnull=False).values_list("pk", flat=True)
    )
    assert assigned == {critical.pk, oldest_medium.pk}
    assert low.pk not in assigned and newer_medium.pk not in assigned


@pytest.mark.django_db
def test_the_queue_orders_by_priority_then_deadline_then_waiting(hotel_a):
    low = conversation(hotel_a, priority="low", minutes_ago=90)
    high_late = conversation(hotel_a, priority="high", minutes_ago=1)
    high_early = conversation(hotel_a, priority="high", minutes_ago=20)
    critical = conversation(hotel_a, priority="critical", minutes_ago=0)
    order = list(Conversation.objects.waiting().in_queue_order().values_list("pk", flat=True))
    assert order == [critical.pk, high_early.pk, high_late.pk, low.pk]


@pytest.mark.django_db
def test_a_claim_that_lost_the_race_says_so(hotel_a, alice):
    sam_agent = persona("sami", role=Role.AGENT, properties=[hotel_a], languages=[Language.TR])
    waiting = conversation(hotel_a)
    assert routing.conversation_claim(conversation=waiting, agent=alice.agent_profile)
    assert not routing.conversation_claim(conversation=waiting, agent=sam_agent.agent_profile)
    waiting.refresh_from_db()
    assert waiting.assigned_to.user == alice


@pytest.mark.django_db
def test_an_agent_transfers_and_a_supervisor_reassigns(hotel_a, alice, sam):
    colleague = persona("cem", role=Role.AGENT, properties=[hotel_a], languages=[Language.TR])
    waiting = conversation(hotel_a)
    routing.conversation_claim(conversation=waiting, agent=alice.agent_profile)
    routing.conversation_transfer(conversation=waiting, to=colleague.agent_profile, by=alice)
    assert waiting.assigned_to.user == colleague
    routing.conversation_transfer(conversation=waiting, to=alice.agent_profile, by=sam)
    assert waiting.assigned_to.user == alice


@pytest.mark.django_db
def test_an_agent_cannot_take_a_colleagues_conversation_away(hotel_a, alice):
    from django.core.exceptions import PermissionDenied

    colleague = persona("cem", role=Role.AGENT, properties=[hotel_a], languages=[Language.TR])
    waiting = conversation(hotel_a)
    routing.conversation_claim(conversation=waiting, agent=alice.agent_profile)
    with pytest.raises(PermissionDenied):
        routing.conversation_transfer(
            conversation=waiting, to=colleague.agent_profile, by=colleague
        )


def _in_threads(n, work):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait(timeout=20)
            results[i] = work(i)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_claims_take_fifty_different_conversations(hotel_a):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's")
    agents = [
        persona(f"agent{i}", role=Role.AGENT, properties=[hotel_a], languages=[Language.TR])
        for i in range(50)
    ]
    profiles = [a.agent_profile for a in agents]
    for i in range(60):
        conversation(hotel_a, minutes_ago=60 - i, key=f"+9053200000{i:02d}")
    claimed = _in_threads(50, lambda i: routing.conversation_claim_next(agent=profiles[i]))
    ids = [c.pk for c in claimed if c is not None]
    assert len(ids) == 50
    assert len(set(ids)) == 50
    assert Conversation.objects.filter(assigned_to__isnull=False).count() == 50
    # The ten left waiting are the newest: claims go oldest first.
    left = Conversation.objects.filter(assigned_to__isnull=True).values_list(
        "contact_key", flat=True
    )
    assert sorted(left) == [f"+9053200000{i:02d}" for i in range(50, 60)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_agents_claiming_one_conversation_give_it_to_one(hotel_a):
    agents = [
        persona(f"racer{i}", role=Role.AGENT, properties=[hotel_a], languages=[Language.TR])
        for i in range(50)
    ]
    profiles = [a.agent_profile for a in agents]
    contested = conversation(hotel_a)
    wins = _in_threads(
        50, lambda i: routing.conversation_claim(conversation=contested, agent=profiles[i])
    )
    assert wins.count(True) == 1
    contested.refresh_from_db()
    assert contested.assigned_to_id in {p.pk for p in profiles}
