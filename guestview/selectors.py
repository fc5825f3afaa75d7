"""Reads of guarded guest data. Views read guests, stays and properties only
through these helpers: each one applies the property scope of the user
(django-guardian ``serve_property``), so an agent of hotel B never gets a row of
hotel A. A guarded object that is out of scope is a 404, not a 403, so that
its existence is not disclosed either.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from guestview.identity import fold_name, normalize_email, normalize_phone
from guestview.models import (
    AgentProfile,
    AgentStatus,
    Alert,
    Call,
    CallOutcome,
    ContactKind,
    ContactPoint,
    Guest,
    GuestNote,
    NoteKind,
    Preference,
    Property,
    PropertyNumber,
    Role,
    ScreenPop,
    Stay,
    StayStatus,
)

SERVE_PROPERTY = "guestview.serve_property"


def properties_for_user(user: AbstractBaseUser) -> QuerySet[Property]:
    """The properties whose guests ``user`` may see (all of them for admins)."""
    if not user.is_authenticated or not user.is_active:
        return Property.objects.none()
    return get_objects_for_user(
        user, SERVE_PROPERTY, klass=Property, accept_global_perms=True, with_superuser=True
    ).order_by("name")


def properties_served_by(user: AbstractBaseUser) -> QuerySet[Property]:
    """The properties assigned to ``user`` personally (not through a group or a
    global permission): what the agent profile admin edits."""
    return get_objects_for_user(
        user,
        SERVE_PROPERTY,
        klass=Property,
        use_groups=False,
        accept_global_perms=False,
        with_superuser=False,
    )


def visible_property_ids(user: AbstractBaseUser) -> list[int]:
    # Cached on the user object: one request asks several selectors.
    cached = getattr(user, "_m360_property_ids", None)
    if cached is None:
        cached = list(properties_for_user(user).values_list("id", flat=True))
        user._m360_property_ids = cached
    return cached


def guests_for_user(user: AbstractBaseUser) -> QuerySet[Guest]:
    return Guest.objects.filter(property_id__in=visible_property_ids(user))


def get_guest_for_user(user: AbstractBaseUser, pk: int) -> Guest:
    try:
        return guests_for_user(user).select_related("property").get(pk=pk)
    except (Guest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such guest.") from None


def get_property_for_user(user: AbstractBaseUser, pk: int) -> Property:
    try:
        return properties_for_user(user).get(pk=pk)
    except (Property.DoesNotExist, ValueError, TypeError):
        raise Http404("No such property.") from None


def user_roles(user: AbstractBaseUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    roles = {g.name for g in user.groups.all() if g.name in Role.values}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return roles


def guest_search(
    *, user: AbstractBaseUser, query: str, property_id: int | None = None
) -> QuerySet[Guest]:
    """Guests in ``user``'s scope that match ``query``.

    The query is read as an e-mail when it has an @, as a phone when it
    normalizes to one (any format a PBX or an agent types), otherwise as a
    name: every word must occur in the Turkish-aware folded name, so
    "ahmet yilmaz" finds "AHMET YILMAZ" and "Ahmet Yılmaz".
    """
    guests = guests_for_user(user)
    if property_id is not None:
        guests = guests.filter(property_id=property_id)
    query = (query or "").strip()
    if not query:
        return guests.none()

    if "@" in query:
        email = normalize_email(query)
        if email is None:
            return guests.none()
        matches = ContactPoint.objects.filter(kind=ContactKind.EMAIL, value=email)
        guests = guests.filter(id__in=matches.values("guest_id"))
    elif (phone := normalize_phone(query)) is not None:
        matches = ContactPoint.objects.filter(
            kind__in=[ContactKind.PHONE, ContactKind.WHATSAPP], value=phone
        )
        guests = guests.filter(id__in=matches.values("guest_id"))
    else:
        words = fold_name(query).split()
        if not words:
            return guests.none()
        for word in words:
            guests = guests.filter(search_name__contains=word)

    # Case-insensitive, so "MÜLLER" from an OTA export sorts among the "Müller"s.
    guests = guests.order_by(Lower("last_name"), Lower("first_name"), "id")
    return guests.select_related("property").prefetch_related(
        Prefetch(
            "contact_points",
            queryset=ContactPoint.objects.order_by("-is_primary", "kind", "id"),
        )
    )


# --- calls ---------------------------------------------------------------------------

# Dialed numbers change a few times a year; every ringing event needs one.
# Cleared by forget_routing_caches() when the admin edits them.
_NUMBER_CACHE_SECONDS = 60
_number_cache: dict[str, Property] = {}
_number_cache_at = 0.0


def property_for_number(e164: str) -> Property | None:
    """The hotel a dialed number (DID) rings for."""
    global _number_cache, _number_cache_at
    if not e164:
        return None
    now = time.monotonic()
    if now - _number_cache_at > _NUMBER_CACHE_SECONDS or e164 not in _number_cache:
        _number_cache = {
            number.number: number.property
            for number in PropertyNumber.objects.select_related("property")
        }
        _number_cache_at = now
    return _number_cache.get(e164)


def forget_routing_caches() -> None:
    """After dialed numbers or who serves a hotel change (admin), so the next
    call reads them afresh."""
    global _number_cache_at
    _number_cache_at = 0.0
    _serves_cache.clear()
    _agent_cache.clear()


# Who sits at which extension and serves which hotel, for the screen-pop's
# routing only (views always ask guardian afresh): a change reaches the pops
# within this time, at once when made through the admin or services.
_ROUTING_CACHE_SECONDS = 30
_agent_cache: dict[str, tuple[float, AgentProfile | None]] = {}


def agent_for_extension(extension: str) -> AgentProfile | None:
    """The agent at a PBX extension; cached like the hotel scope below (every
    ringing event asks, extensions change when the admin edits a profile)."""
    now = time.monotonic()
    cached = _agent_cache.get(extension)
    if cached is None or now - cached[0] > _ROUTING_CACHE_SECONDS:
        agent = (
            AgentProfile.objects.select_related("user")
            .filter(extension=extension, user__is_active=True)
            .first()
        )
        cached = (now, agent)
        _agent_cache[extension] = cached
    return cached[1]


def online_agents_for_property(prop: Property) -> QuerySet[AgentProfile]:
    user_ids = get_users_with_perms(
        prop, only_with_perms_in=["serve_property"], with_group_users=True
    ).values("id")
    return AgentProfile.objects.select_related("user").filter(
        user_id__in=user_ids, status=AgentStatus.ONLINE, user__is_active=True
    )


_serves_cache: dict[int, tuple[float, list[int]]] = {}


def agent_serves(agent: AgentProfile, prop: Property) -> bool:
    now = time.monotonic()
    cached = _serves_cache.get(agent.user_id)
    if cached is None or now - cached[0] > _ROUTING_CACHE_SECONDS:
        cached = (now, visible_property_ids(agent.user))
        _serves_cache[agent.user_id] = cached
    else:
        agent.user._m360_property_ids = cached[1]  # the card render reuses it
    return prop.pk in cached[1]


def guests_for_caller(caller: str, *, property_ids: list[int]) -> list[Guest]:
    """Guests of these hotels reachable on this E.164 number (a family phone
    gives several); at most six, for a pick list."""
    contacts = ContactPoint.objects.filter(
        kind__in=[ContactKind.PHONE, ContactKind.WHATSAPP], value=caller
    ).values("guest_id")
    return list(
        Guest.objects.filter(id__in=contacts, property_id__in=property_ids)
        .select_related("property")
        .order_by("last_name", "first_name", "id")[:6]
    )


def get_call_for_user(user: AbstractBaseUser, pk: int) -> Call:
    """A call of a hotel the user serves (the same scope as its guests)."""
    try:
        return (
            Call.objects.select_related("property", "guest", "agent__user")
            .filter(property_id__in=visible_property_ids(user))
            .get(pk=pk)
        )
    except (Call.DoesNotExist, ValueError, TypeError):
        raise Http404("No such call.") from None


def get_note_for_user(user: AbstractBaseUser, pk: int) -> GuestNote:
    """A note about a guest the user may read."""
    try:
        return GuestNote.objects.select_related("guest").get(
            pk=pk, guest__property_id__in=visible_property_ids(user)
        )
    except (GuestNote.DoesNotExist, ValueError, TypeError):
        raise Http404("No such note.") from None


def get_screenpop_for_user(user: AbstractBaseUser, pk: int) -> ScreenPop:
    try:
        return ScreenPop.objects.select_related("call").get(pk=pk, agent__user=user)
    except (ScreenPop.DoesNotExist, ValueError, TypeError):
        raise Http404("No such call.") from None


def screenpops_to_replay(agent: AgentProfile, *, after_id: int | None) -> list[ScreenPop]:
    """What a (re)connecting console should show: after Last-Event-ID, every
    pop since; on a fresh page, the calls still ringing that it has not shown."""
    pops = ScreenPop.objects.filter(agent=agent, dismissed_at__isnull=True).select_related("call")
    recent = timezone.now() - timedelta(minutes=10)
    if after_id is not None:
        pops = pops.filter(pk__gt=after_id, created_at__gte=recent)
    else:
        pops = pops.filter(
            delivered_at__isnull=True, created_at__gte=recent, call__outcome=CallOutcome.RINGING
        )
    return list(pops.order_by("id")[:20])


def missed_calls_for_agent(agent: AgentProfile) -> QuerySet[ScreenPop]:
    """Calls the agent did not see (no console open) or did not answer, and has
    not dealt with yet."""
    return (
        ScreenPop.objects.filter(agent=agent, dismissed_at__isnull=True)
        .filter(
            Q(delivered_at__isnull=True, call__answered_at__isnull=True)
            | Q(call__outcome=CallOutcome.MISSED)
        )
        .exclude(call__outcome=CallOutcome.RINGING)
        .select_related("call__guest", "call__property")
        .order_by("-id")
    )


# --- the 360° card ---------------------------------------------------------------------


@dataclass(frozen=True)
class StaySummary:
    """The Stay History block: PMS facts, reduced to what an agent reads at a glance."""

    count: int  # stays that happened (departed or in house)
    spend: dict[str, Decimal]  # currency → total revenue of those stays
    last: Stay | None  # the most recent stay that happened
    current_or_next: Stay | None  # in house now, or the next upcoming one


@dataclass(frozen=True)
class GuestCard:
    guest: Guest
    contacts: list[ContactPoint]
    stays: StaySummary
    preferences: list[Preference]
    consent: object  # consent.selectors.ConsentState
    open_items: list[GuestNote]
    signal: str  # "vip" / "loyal" / "at_risk" / "returning" / "new"
    hints: list[str]
    leads: list = ()  # leads.Lead, open: the card's lead tag
    campaigns: list = ()  # leads.Campaign running for the guest's segment


_HAPPENED = (StayStatus.DEPARTED, StayStatus.IN_HOUSE)


def stay_summary(guest: Guest) -> StaySummary:
    """One query: all of the guest's stays (tens at most, even for the most
    loyal), totals counted here rather than in a second aggregate query."""
    stays = list(guest.stays.select_related("property").order_by("-arrival"))
    happened = [s for s in stays if s.status in _HAPPENED]
    spend: dict[str, Decimal] = {}
    for stay in happened:
        spend[stay.currency] = spend.get(stay.currency, Decimal(0)) + stay.total_revenue
    today = timezone.localdate()
    upcoming = [
        s
        for s in stays
        if s.status == StayStatus.IN_HOUSE
        or (s.status == StayStatus.UPCOMING and s.arrival >= today)
    ]
    return StaySummary(
        count=len(happened),
        spend=dict(sorted(spend.items())),
        last=next((s for s in stays if s.status == StayStatus.DEPARTED), None),
        current_or_next=min(upcoming, key=lambda s: s.arrival) if upcoming else None,
    )


# Spend thresholds of the value signal, in EUR; other currencies are converted
# with these rough rates (a signal, not accounting).
_EUR_PER = {"EUR": Decimal(1), "TRY": Decimal("0.027"), "USD": Decimal("0.92"),
            "GBP": Decimal("1.17"), "RUB": Decimal("0.010")}  # fmt: skip


def value_signal(guest: Guest, summary: StaySummary) -> str:
    """RFM in one word (BRIEF §5): recency of the last stay, number of stays, spend."""
    eur = sum(amount * _EUR_PER.get(cur, Decimal(1)) for cur, amount in summary.spend.items())
    if summary.count == 0:
        return "new"
    in_house = summary.current_or_next and summary.current_or_next.status == StayStatus.IN_HOUSE
    if in_house:
        years_since = 0.0
    elif summary.last:
        years_since = (timezone.localdate() - summary.last.departure).days / 365
    else:
        years_since = 9.0
    if eur >= 15000 or (guest.segment == "luxury" and summary.count >= 2):
        return "vip"
    if summary.count >= 3 and years_since > 2:
        return "at_risk"
    if summary.count >= 3:
        return "loyal"
    return "returning"


def next_stay_hints(guest: Guest, summary: StaySummary, preferences: list[Preference]) -> list[str]:
    """Cross-sell / upsell ideas for the Action block, most useful first."""
    hints: list[str] = []
    prefs = {p.key: p.value for p in preferences}
    nxt = summary.current_or_next
    if nxt is not None and nxt.status == StayStatus.UPCOMING:
        hints.append(
            _("Upcoming stay on %(date)s: offer airport transfer and a room upgrade.")
            % {"date": nxt.arrival.strftime("%d.%m.%Y")}
        )
    elif summary.last is not None:
        month = date_format(summary.last.arrival, "F")
        hints.append(
            _("Last stay was in %(month)s: offer early booking for %(month)s next season.")
            % {"month": month}
        )
    if guest.segment == "family" or "children" in prefs:
        hints.append(_("Family: propose a family suite with kids club."))
    if "occasion" in prefs:
        hints.append(
            _("Occasion “%(occasion)s”: propose a celebration package.")
            % {"occasion": prefs["occasion"]}
        )
    if guest.segment == "couple" and "view" not in prefs:
        hints.append(_("Couple: a sea-view upgrade usually sells."))
    if not hints:
        hints.append(_("First stay: offer the early-booking rate and half board upgrade."))
    return hints[:3]


def guest_card(guest: Guest, *, calling: str = "") -> GuestCard:
    """Everything the four blocks show, for a guest already loaded through a
    permission-checked helper. Six queries, whatever the history's length
    (campaigns are cached per hotel). ``calling``: the number on the line
    now, listed first so it is on the card."""
    from consent.selectors import consent_state_for_guest
    from leads import selectors as lead_selectors  # leads build on guests; the card shows them

    contacts = list(guest.contact_points.order_by("-is_primary", "kind", "id"))
    contacts.sort(key=lambda cp: cp.value != calling)  # stable: the rest keep their order
    summary = stay_summary(guest)
    preferences = list(guest.preferences.order_by("key"))
    open_items = list(
        guest.notes.filter(is_open=True)
        .filter(Q(kind__in=[NoteKind.REQUEST, NoteKind.COMPLAINT]) | ~Q(next_step=""))
        .order_by("-created_at")[:3]
    )
    consent = consent_state_for_guest(guest)
    return GuestCard(
        guest=guest,
        contacts=contacts,
        stays=summary,
        preferences=preferences,
        consent=consent,
        open_items=open_items,
        signal=value_signal(guest, summary),
        hints=next_stay_hints(guest, summary, preferences),
        leads=lead_selectors.open_leads_for_guest(guest),
        campaigns=lead_selectors.campaigns_for_guest(guest),
    )


def guest_timeline(guest: Guest) -> list[tuple[datetime, str, object]]:
    """The drill-down: conversations on every channel, calls, stays and notes
    of the guest, newest first. Offers (leads) add their entries here."""
    entries: list[tuple[datetime, str, object]] = []
    # Calls have their own entries; their inbox threads would repeat them.
    for conversation in guest.conversations.exclude(channel="phone").order_by("-created_at")[:50]:
        entries.append((conversation.last_message_at or conversation.created_at, "conversation",
                        conversation))  # fmt: skip
    for call in guest.calls.select_related("agent__user", "property").order_by("-created_at")[:50]:
        entries.append((call.rang_at or call.created_at, "call", call))
    for stay in guest.stays.select_related("property").order_by("-arrival")[:50]:
        moment = datetime.combine(
            stay.arrival, datetime.min.time(), tzinfo=timezone.get_current_timezone()
        )
        entries.append((moment, "stay", stay))
    for note in guest.notes.select_related("author").order_by("-created_at")[:50]:
        entries.append((note.created_at, "note", note))
    entries.sort(key=lambda e: e[0], reverse=True)
    return entries


def alerts_for_user(user: AbstractBaseUser) -> QuerySet[Alert]:
    """A person's own alerts, newest first (nobody reads another's)."""
    return Alert.objects.filter(recipient=user)


def staff_of_property(property_id: int, *, roles: Iterable[str]) -> list[AbstractBaseUser]:
    """Active people with one of ``roles`` who serve the hotel (the admin
    group serves every hotel, see properties_for_user)."""
    from django.contrib.auth import get_user_model

    served = get_users_with_perms(
        Property(pk=property_id), only_with_perms_in=["serve_property"], with_group_users=True
    )
    return list(
        get_user_model()
        .objects.filter(pk__in=served.values("pk"), is_active=True, groups__name__in=list(roles))
        .distinct()
    )


def supervisors_of_property(property_id: int) -> list[AbstractBaseUser]:
    return staff_of_property(property_id, roles=[Role.SUPERVISOR])
