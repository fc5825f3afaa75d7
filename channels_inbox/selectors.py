"""Reads of the inbox. Every read of a conversation goes through these
helpers: they apply the hotel scope of the user (guestview.selectors), so an
agent of hotel B gets a 404 for a conversation of hotel A."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from channels_inbox.models import (
    CannedReply,
    ChannelAccount,
    ChannelKind,
    Conversation,
    Direction,
    Message,
    Tag,
    WhatsAppTemplate,
)
from channels_inbox.routing import agents_for_property
from guestview.models import AgentProfile
from guestview.selectors import visible_property_ids


def conversations_for_user(user: AbstractBaseUser) -> QuerySet[Conversation]:
    return Conversation.objects.filter(property_id__in=visible_property_ids(user))


def get_conversation_for_user(user: AbstractBaseUser, pk: int) -> Conversation:
    try:
        return (
            conversations_for_user(user)
            .select_related("property", "account", "guest", "assigned_to__user", "call")
            .get(pk=pk)
        )
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such conversation.") from None


class QueueView:
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL = "all"
    CHOICES = (MINE, UNASSIGNED, ALL)


@dataclass(frozen=True)
class QueueFilter:
    view: str = QueueView.MINE
    channel: str = ""
    language: str = ""
    priority: str = ""
    property_id: int | None = None


def queue_for_user(
    user: AbstractBaseUser, filters: QueueFilter, *, limit: int = 100
) -> list[Conversation]:
    """Open conversations in queue order: priority, SLA deadline, waiting time.
    Two queries whatever the length (conversations, their tags)."""
    conversations = conversations_for_user(user).open()
    profile = getattr(user, "agent_profile", None)
    if filters.view == QueueView.MINE:
        conversations = (
            conversations.filter(assigned_to=profile) if profile else conversations.none()
        )
    elif filters.view == QueueView.UNASSIGNED:
        conversations = conversations.filter(assigned_to__isnull=True)
    if filters.channel:
        conversations = conversations.filter(channel=filters.channel)
    if filters.language:
        conversations = conversations.filter(language=filters.language)
    if filters.priority:
        conversations = conversations.filter(priority=filters.priority)
    if filters.property_id:
        conversations = conversations.filter(property_id=filters.property_id)
    return list(
        conversations.in_queue_order()
        .select_related("property", "guest", "assigned_to__user")
        .prefetch_related("tags")[:limit]
    )


def queue_counts(user: AbstractBaseUser) -> dict[str, int]:
    """How many are mine and how many nobody has, for the tabs (one query)."""
    profile = getattr(user, "agent_profile", None)
    counts = (
        conversations_for_user(user)
        .open()
        .aggregate(
            mine=Count("id", filter=Q(assigned_to=profile))
            if profile
            else Count("id", filter=Q(pk=None)),
            unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
            all=Count("id"),
        )
    )
    return counts


def conversation_timeline(conversation: Conversation, *, limit: int = 200) -> list[Message]:
    """The thread, and when the guest is known, every channel of theirs in one
    timeline (tomorrow's phone agent sees yesterday's WhatsApp offer)."""
    if conversation.guest_id:
        scope = Q(conversation__guest_id=conversation.guest_id) | Q(conversation=conversation)
    else:
        scope = Q(conversation=conversation)
    messages = (
        Message.objects.filter(scope)
        .select_related("conversation", "author", "call")
        .order_by("-sent_at", "-id")[:limit]
    )
    return list(reversed(messages))


def canned_replies_for(conversation: Conversation) -> list[CannedReply]:
    """The answer bank of the conversation's hotel by category, the guest's
    language first in each."""
    replies = CannedReply.objects.filter(is_active=True).filter(
        Q(property__isnull=True) | Q(property_id=conversation.property_id)
    )
    return sorted(replies, key=lambda r: (r.category, r.language != conversation.language, r.title))


def whatsapp_templates_for(conversation: Conversation) -> list[WhatsAppTemplate]:
    """Approved templates the conversation may use: its own number's, or for a
    call (the "continue on WhatsApp" handoff) those of the hotel's numbers."""
    templates = WhatsAppTemplate.objects.filter(is_approved=True).select_related("account")
    if conversation.channel == ChannelKind.WHATSAPP:
        templates = templates.filter(account_id=conversation.account_id)
    elif conversation.channel == ChannelKind.PHONE:
        templates = templates.filter(
            account__property_id=conversation.property_id, account__is_active=True
        )
    else:
        return []
    # The guest's language first (Meta's codes: "tr", "en_US", "de", "ru").
    return sorted(
        templates.order_by("name", "language"),
        key=lambda t: not t.language.startswith(conversation.language),
    )


def whatsapp_accounts_for(conversation: Conversation) -> list[ChannelAccount]:
    return list(
        ChannelAccount.objects.filter(
            kind=ChannelKind.WHATSAPP, property_id=conversation.property_id, is_active=True
        )
    )


def transfer_targets(conversation: Conversation) -> list[AgentProfile]:
    """Colleagues who serve the conversation's hotel, for transfer."""
    agents = agents_for_property(conversation.property_id)
    return sorted(
        (a for a in agents if a.pk != conversation.assigned_to_id),
        key=lambda a: (a.status != "online", str(a)),
    )


def active_tags() -> list[Tag]:
    return list(Tag.objects.filter(is_active=True))


def visible_to_guest(conversation: Conversation) -> QuerySet[Message]:
    """What the guest sees of a thread (web chat): never notes or events."""
    return conversation.messages.filter(direction__in=[Direction.IN, Direction.OUT])
