"""Who answers what. Automatic assignment gives the waiting conversations of a
hotel, in queue order, to online agents who serve it and speak the guest's
language, least loaded first, never above an agent's capacity; it runs when a
conversation comes in, an agent comes online or frees up, and every minute.

Two agents never get the same conversation: every assignment is a
conditional UPDATE or a row lock, and the queue is read with
``FOR UPDATE SKIP LOCKED`` so concurrent claims take different rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import get_users_with_perms

from channels_inbox import live
from channels_inbox.models import Conversation, ConversationStatus
from guestview import selectors as guest_selectors
from guestview.models import AgentProfile, AgentStatus, Language, Property, Role

# pg_try_advisory_xact_lock(key, property id): one automatic assigner per
# hotel at a time; a second run finds the work being done and leaves.
_ASSIGNER_LOCK = 360_004


@dataclass
class Seat:
    """An online agent of a hotel, the languages they route on and their open
    conversations (load)."""

    agent: AgentProfile
    languages: set[str]
    load: int

    @property
    def free(self) -> int:
        return self.agent.capacity - self.load


def agents_for_property(property_id: int) -> list[AgentProfile]:
    """Agents (the agent role) who serve the hotel through an object permission."""
    prop = Property(pk=property_id)
    users = get_users_with_perms(prop, only_with_perms_in=["serve_property"], with_group_users=True)
    return list(
        AgentProfile.objects.filter(user__in=users.filter(groups__name=Role.AGENT, is_active=True))
        .select_related("user")
        .prefetch_related("languages")
    )


def seats(property_id: int) -> list[Seat]:
    """The hotel's online agents and their loads: who automatic assignment
    and escalation (leads.escalation) may hand a conversation to."""
    agents = [a for a in agents_for_property(property_id) if a.status == AgentStatus.ONLINE]
    if not agents:
        return []
    loads = dict(
        Conversation.objects.open()
        .filter(assigned_to__in=agents)
        .values_list("assigned_to")
        .annotate(n=Count("id"))
    )
    return [Seat(agent=a, languages=set(a.language_codes), load=loads.get(a.pk, 0)) for a in agents]


def _speaks(seat: Seat, language: str) -> bool:
    # A guest in a language nobody routes on goes to anyone (English first).
    return language == Language.OTHER or language in seat.languages


def assign_waiting(*, property_id: int, limit: int = 200) -> int:
    """Give waiting conversations of one hotel to its online agents. Returns
    how many were assigned."""
    assigned = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)", [_ASSIGNER_LOCK, property_id]
                )
                if not cursor.fetchone()[0]:
                    return 0
        free = [s for s in seats(property_id) if s.free > 0]
        if not free:
            return 0
        waiting = (
            Conversation.objects.waiting()
            .filter(property_id=property_id)
            .in_queue_order()
            .select_for_update(skip_locked=True)[:limit]
        )
        now = timezone.now()
        for conversation in waiting:
            candidates = [s for s in free if s.free > 0 and _speaks(s, conversation.language)]
            if conversation.language == Language.OTHER:
                candidates.sort(key=lambda s: Language.EN not in s.languages)
            if not candidates:
                continue
            seat = min(candidates, key=lambda s: s.load / max(s.agent.capacity, 1))
            conversation.assigned_to = seat.agent
            conversation.assigned_at = now
            conversation.save(update_fields=["assigned_to", "assigned_at"])
            seat.load += 1
            assigned += 1
            live.conversation_changed(conversation)
            live.agent_assigned(conversation)
            if not any(s.free > 0 for s in free):
                break
    return assigned


def conversation_claim(*, conversation: Conversation, agent: AgentProfile) -> bool:
    """The agent takes a waiting conversation by hand. False when someone else
    was faster (or it was closed meanwhile)."""
    if not guest_selectors.agent_serves(agent, conversation.property):
        raise PermissionDenied
    with transaction.atomic():
        taken = Conversation.objects.filter(
            pk=conversation.pk, status=ConversationStatus.OPEN, assigned_to__isnull=True
        ).update(assigned_to=agent, assigned_at=timezone.now())
        if taken:
            conversation.refresh_from_db(fields=["assigned_to", "assigned_at"])
            live.conversation_changed(conversation)
    return bool(taken)


def conversation_claim_next(*, agent: AgentProfile) -> Conversation | None:
    """ "Next, please": the first waiting conversation in queue order that the
    agent may take (their hotels and languages). Concurrent calls skip each
    other's locked rows, so each gets a different one."""
    property_ids = guest_selectors.visible_property_ids(agent.user)
    languages = [*agent.language_codes, Language.OTHER]
    with transaction.atomic():
        conversation = (
            Conversation.objects.waiting()
            .filter(property_id__in=property_ids, language__in=languages)
            .in_queue_order()
            .select_for_update(skip_locked=True)
            .first()
        )
        if conversation is None:
            return None
        conversation.assigned_to = agent
        conversation.assigned_at = timezone.now()
        conversation.save(update_fields=["assigned_to", "assigned_at"])
        live.conversation_changed(conversation)
    return conversation


def can_reassign(user: AbstractBaseUser) -> bool:
    roles = guest_selectors.user_roles(user)
    return bool(roles & {Role.SUPERVISOR, Role.ADMIN})


def conversation_transfer(
    *, conversation: Conversation, to: AgentProfile, by: AbstractBaseUser
) -> Conversation:
    """Hand a conversation to a colleague: its agent may, and so may a
    supervisor (reassign). The colleague must serve the hotel."""
    mine = conversation.assigned_to_id and conversation.assigned_to.user_id == by.pk
    if not (mine or can_reassign(by) or conversation.assigned_to_id is None):
        raise PermissionDenied
    if conversation.status != ConversationStatus.OPEN:
        raise ValidationError(_("The conversation is closed."))
    if conversation.property_id not in guest_selectors.visible_property_ids(to.user):
        raise ValidationError(_("%(agent)s does not serve this hotel."), params={"agent": to})
    with transaction.atomic():
        previous = conversation.assigned_to_id
        conversation.assigned_to = to
        conversation.assigned_at = timezone.now()
        conversation.save(update_fields=["assigned_to", "assigned_at"])
        live.conversation_changed(conversation)
        live.agent_assigned(conversation)
        if previous:
            _reassign_after_commit(conversation.property_id)
    return conversation


def conversation_release(*, conversation: Conversation, by: AbstractBaseUser) -> Conversation:
    """Back to the queue (the agent cannot help, or goes on a break)."""
    mine = conversation.assigned_to_id and conversation.assigned_to.user_id == by.pk
    if not (mine or can_reassign(by)):
        raise PermissionDenied
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(assigned_to=None, assigned_at=None)
        conversation.assigned_to = None
        conversation.assigned_at = None
        live.conversation_changed(conversation)
        _reassign_after_commit(conversation.property_id)
    return conversation


def _reassign_after_commit(property_id: int) -> None:
    from channels_inbox.inbound import schedule_assignment

    schedule_assignment(property_id)


def properties_with_waiting() -> list[int]:
    return list(Conversation.objects.waiting().values_list("property_id", flat=True).distinct())


def agent_came_online(*, agent: AgentProfile) -> None:
    """Run the assigner for every hotel the agent serves."""
    property_ids = guest_selectors.visible_property_ids(agent.user)
    for property_id in set(property_ids) & set(properties_with_waiting()):
        _reassign_after_commit(property_id)
