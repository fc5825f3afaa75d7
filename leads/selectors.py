"""Reads of leads, scoped like every guarded read (guestview.selectors): a
lead of a hotel the user does not serve is a 404."""

from __future__ import annotations

import datetime as dt
import operator
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from channels_inbox.models import Conversation
from guestview import selectors as guest_selectors
from guestview.models import AgentProfile, Guest, Property, Role
from leads.models import (
    CASE_ID_RE,
    OPEN_STATUSES,
    Campaign,
    Lead,
    LeadSource,
    LeadStatus,
    OfferOption,
    SlaBreach,
)


def leads_for_user(user: AbstractBaseUser) -> QuerySet[Lead]:
    return Lead.objects.filter(property_id__in=guest_selectors.visible_property_ids(user))


def get_lead_for_user(user: AbstractBaseUser, pk: int) -> Lead:
    try:
        return (
            leads_for_user(user)
            .select_related("property", "guest", "source", "assigned_to__user", "campaign")
            .get(pk=pk)
        )
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404("No such lead.") from None


def lead_for_case_id(user: AbstractBaseUser, text: str) -> Lead | None:
    """Case IDs are searchable everywhere: "m360-2026-000123", any case."""
    text = (text or "").strip().upper()
    if not CASE_ID_RE.match(text):
        return None
    return leads_for_user(user).filter(case_id=text).first()


def get_option_for_user(user: AbstractBaseUser, pk: int) -> OfferOption:
    try:
        return OfferOption.objects.select_related("offer__lead").get(
            pk=pk, offer__lead__property_id__in=guest_selectors.visible_property_ids(user)
        )
    except (OfferOption.DoesNotExist, ValueError, TypeError):
        raise Http404("No such option.") from None


def can_supervise(user: AbstractBaseUser) -> bool:
    return bool(guest_selectors.user_roles(user) & {Role.SUPERVISOR, Role.ADMIN, Role.QUALITY})


class LeadView:
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL = "all"


@dataclass(frozen=True)
class LeadFilter:
    view: str = LeadView.MINE
    property_id: int | None = None
    source_id: int | None = None
    agent_id: int | None = None


def _filtered(user: AbstractBaseUser, filters: LeadFilter) -> QuerySet[Lead]:
    leads = leads_for_user(user)
    profile = getattr(user, "agent_profile", None)
    if filters.view == LeadView.MINE:
        leads = leads.filter(assigned_to=profile) if profile else leads.none()
    elif filters.view == LeadView.UNASSIGNED:
        leads = leads.filter(assigned_to__isnull=True)
    if filters.property_id:
        leads = leads.filter(property_id=filters.property_id)
    if filters.source_id:
        leads = leads.filter(source_id=filters.source_id)
    if filters.agent_id:
        leads = leads.filter(assigned_to_id=filters.agent_id)
    return leads


def lead_queue(user: AbstractBaseUser, filters: LeadFilter, *, limit: int = 100) -> list[Lead]:
    """Open leads, the due follow-ups on top (oldest due first), then new
    leads by their first-contact deadline, then the rest by follow-up time.
    One query."""
    now = timezone.now()
    due_first = Case(
        When(next_follow_up_at__lte=now, then=Value(0)),
        When(status=LeadStatus.NEW, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(
        _filtered(user, filters)
        .filter(status__in=OPEN_STATUSES)
        .alias(rank=due_first)
        .order_by("rank", "next_follow_up_at", "first_response_due_at", "created_at", "id")
        .select_related("property", "source", "assigned_to__user")[:limit]
    )


def lead_queue_counts(user: AbstractBaseUser) -> dict[str, int]:
    profile = getattr(user, "agent_profile", None)
    open_ = leads_for_user(user).filter(status__in=OPEN_STATUSES)
    return open_.aggregate(
        all=Count("id"),
        unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
        mine=Count("id", filter=Q(assigned_to=profile, assigned_to__isnull=False)),
        due=Count("id", filter=Q(next_follow_up_at__lte=timezone.now())),
    )


@dataclass
class Column:
    status: str
    label: str
    count: int = 0
    value: Decimal = Decimal(0)
    leads: list[Lead] = field(default_factory=list)


PIPELINE = [
    LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.OFFER_SENT, LeadStatus.OPTION,
    LeadStatus.WON, LeadStatus.LOST, LeadStatus.CANCELLED,
]  # fmt: skip


def pipeline(user: AbstractBaseUser, filters: LeadFilter, *, per_column: int = 30) -> list[Column]:
    """The board: count and value per stage (closed stages: the last 30
    days), the ``per_column`` leads of each that moved last. Two queries,
    however many leads: the counts and sums are aggregates, and the cards
    are cut per stage in the database (ROW_NUMBER() per status)."""
    since = timezone.now() - dt.timedelta(days=30)
    leads = _filtered(user, filters).filter(
        Q(status__in=OPEN_STATUSES) | Q(status_changed_at__gte=since)
    )
    columns = {s: Column(s, LeadStatus(s).label) for s in PIPELINE}
    for row in leads.order_by().values("status").annotate(n=Count("id"), v=Sum("value")):
        column = columns[row["status"]]
        column.count, column.value = row["n"], row["v"] or Decimal(0)
    newest_first = [F("status_changed_at").desc(), F("pk").desc()]
    cards = (
        leads.annotate(place=Window(RowNumber(), partition_by=[F("status")], order_by=newest_first))
        .filter(place__lte=per_column)
        .select_related("source", "assigned_to__user", "property")
        .order_by("status", *newest_first)
    )
    for lead in cards:
        columns[lead.status].leads.append(lead)
    return list(columns.values())


def lead_timeline(lead: Lead):
    return lead.events.select_related("by").order_by("-at", "-id")[:100]


def lead_offers(lead: Lead):
    return lead.offers.prefetch_related("options").order_by("-created_at")


def lead_conversations(lead: Lead) -> list[Conversation]:
    return list(lead.conversations.order_by("-last_message_at")[:10])


def sources() -> QuerySet[LeadSource]:
    return LeadSource.objects.filter(is_active=True)


# --- missed requests ------------------------------------------------------------------


@dataclass(frozen=True)
class MissedReport:
    since: dt.datetime
    until: dt.datetime
    requests: int
    missed: int
    by_channel: list[tuple[str, int, int]]  # channel, requests, missed
    conversations: list[Conversation]

    @property
    def rate(self) -> float:
        return self.missed / self.requests if self.requests else 0.0

    @property
    def rate_percent(self) -> str:
        return f"{self.rate * 100:.1f}"


def missed_requests(
    user: AbstractBaseUser, *, since: dt.datetime, until: dt.datetime, property_id=None
) -> MissedReport:
    """Guest messages nobody answered within their SLA: a conversation is a
    request when its guest waited for a reply in the period, missed when a
    reply deadline breached (leads.escalation marks missed_at). Three
    queries."""
    scope = guest_selectors.visible_property_ids(user)
    if property_id:
        scope = [p for p in scope if p == property_id]
    conversations = Conversation.objects.filter(property_id__in=scope, created_at__lt=until).filter(
        Q(last_inbound_at__gte=since) | Q(missed_at__gte=since)
    )
    by_channel = (
        conversations.values("channel")
        .annotate(
            requests=Count("id"),
            missed=Count(
                "id",
                filter=Q(
                    id__in=SlaBreach.objects.filter(
                        item_kind="conversation",
                        deadline__in=["first_response", "next_response"],
                        breached_at__gte=since,
                        breached_at__lt=until,
                    ).values("item_id")
                ),
            ),
        )
        .order_by("channel")
    )
    rows = [(r["channel"], r["requests"], r["missed"]) for r in by_channel]
    missed = list(
        conversations.filter(missed_at__gte=since, missed_at__lt=until)
        .select_related("property", "guest", "assigned_to__user")
        .order_by("-missed_at")[:200]
    )
    return MissedReport(
        since, until, sum(r[1] for r in rows), sum(r[2] for r in rows), rows, missed
    )


# --- campaigns ------------------------------------------------------------------------


def active_campaigns(property_ids, *, day: dt.date | None = None) -> list[Campaign]:
    day = day or timezone.localdate()
    return list(
        Campaign.objects.filter(
            is_active=True, starts_on__lte=day, ends_on__gte=day, properties__in=property_ids
        )
        .distinct()
        .order_by("ends_on", "name")
    )


_campaign_cache: dict[tuple[int, dt.date], tuple[float, list[Campaign]]] = {}


def campaigns_for_guest(guest: Guest, *, day: dt.date | None = None) -> list[Campaign]:
    """Running campaigns of the guest's hotel whose target the guest is in.
    On every 360° card, so the hotel's campaigns are cached for a minute
    (campaigns change a few times a month)."""
    day = day or timezone.localdate()
    key = (guest.property_id, day)
    hit = _campaign_cache.get(key)
    if hit is None or time.monotonic() - hit[0] > 60:
        hit = (time.monotonic(), active_campaigns([guest.property_id], day=day))
        _campaign_cache[key] = hit
    return [c for c in hit[1] if c.targets(guest)]


def forget_campaign_cache() -> None:
    _campaign_cache.clear()


def open_leads_for_guest(guest: Guest) -> list[Lead]:
    """The guest's open leads, for the card's lead tag: one query."""
    return list(
        Lead.objects.filter(guest=guest, status__in=OPEN_STATUSES)
        .select_related("source")
        .order_by("-created_at")[:3]
    )


@dataclass(frozen=True)
class CampaignDay:
    campaign: Campaign
    leads_today: int
    leads_total: int
    won_total: int


def campaigns_today(user: AbstractBaseUser, *, day: dt.date | None = None) -> list[CampaignDay]:
    """The agents' daily summary: what runs today, its offer and script,
    and how many leads it brought (today and so far)."""
    day = day or timezone.localdate()
    campaigns = active_campaigns(guest_selectors.visible_property_ids(user), day=day)
    counts = {
        row["campaign"]: row
        for row in leads_for_user(user)
        .filter(campaign__in=campaigns)
        .values("campaign")
        .annotate(
            total=Count("id"),
            today=Count("id", filter=Q(created_at__date=day)),
            won=Count("id", filter=Q(status=LeadStatus.WON)),
        )
    }
    return [
        CampaignDay(
            c,
            counts.get(c.pk, {}).get("today", 0),
            counts.get(c.pk, {}).get("total", 0),
            counts.get(c.pk, {}).get("won", 0),
        )
        for c in campaigns
    ]


def agents_of_property(property_id: int):
    """The agents who serve a hotel (a lead's possible owners)."""
    from channels_inbox.routing import agents_for_property

    return sorted(agents_for_property(property_id), key=str)


def agents_of_properties(property_ids) -> list[AgentProfile]:
    """The agents who serve any of these hotels (the board's agent filter),
    in one query: channels_inbox.routing.agents_for_property's rule (the
    agent role, serve_property on the hotel, themselves or through a
    group), the hotels' permission filters joined with OR."""
    from guardian.shortcuts import get_users_with_perms

    served = [
        get_users_with_perms(
            Property(pk=pk), only_with_perms_in=["serve_property"], with_group_users=True
        )
        for pk in property_ids
    ]
    if not served:
        return []
    users = reduce(operator.or_, served).filter(groups__name=Role.AGENT, is_active=True)
    return sorted(AgentProfile.objects.filter(user__in=users).select_related("user"), key=str)


@dataclass(frozen=True)
class CallListEntry:
    guest: Guest
    consent: object  # consent.selectors.ChannelConsent for calls
    phone: str  # masked
    last_call: object | None


def campaign_call_list(user: AbstractBaseUser, campaign: Campaign, *, limit: int = 50):
    """The campaign's target guests at the user's hotels, those who allow
    calls first, with the number to call (campaign_phones), its consent
    for calls (İYS keeps it per number: consents_for_recipients) and the
    last call of this campaign. Five queries for the page."""
    from consent.models import ConsentType
    from consent.selectors import consents_for_recipients, recipient_masked
    from guestview.models import ContactKind

    scope = set(guest_selectors.visible_property_ids(user)) & set(
        campaign.properties.values_list("pk", flat=True)
    )
    guests = Guest.objects.filter(property_id__in=scope)
    if campaign.target_segment:
        guests = guests.filter(segment=campaign.target_segment)
    if campaign.target_language:
        guests = guests.filter(language=campaign.target_language)
    guests = list(guests.filter(contact_points__kind=ContactKind.PHONE).distinct()[: limit * 4])
    phones = campaign_phones([g.pk for g in guests])
    consents = consents_for_recipients(type=ConsentType.ARAMA, recipients=phones.values())
    calls = {}
    for call in campaign.calls.filter(guest__in=guests).order_by("at"):
        calls[call.guest_id] = call
    entries = [
        CallListEntry(g, consents[phones[g.pk]], recipient_masked(phones[g.pk]), calls.get(g.pk))
        for g in guests
    ]
    entries.sort(key=lambda e: (not e.consent.allowed, e.last_call is not None, e.guest.last_name))
    return entries[:limit]


def campaign_phones(guest_ids) -> dict[int, str]:
    """The number a campaign calls for each guest: the primary phone, else
    the first one given (E.164, as consent records store it)."""
    from guestview.models import ContactKind, ContactPoint

    phones: dict[int, str] = {}
    rows = (
        ContactPoint.objects.filter(guest_id__in=list(guest_ids), kind=ContactKind.PHONE)
        .order_by("guest_id", "-is_primary", "pk")
        .values_list("guest_id", "value")
    )
    for guest_id, value in rows:
        phones.setdefault(guest_id, value)
    return phones


def get_campaign_for_user(user: AbstractBaseUser, pk: int) -> Campaign:
    try:
        return (
            Campaign.objects.filter(properties__in=guest_selectors.visible_property_ids(user))
            .distinct()
            .get(pk=pk)
        )
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404("No such campaign.") from None
