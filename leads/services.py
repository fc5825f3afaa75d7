"""Writes of leads: intake (web form, a conversation, a call), the status
pipeline with its required fields, follow-ups, assignment, notes, two-option
offers sent on the guest's channel, and option holds that expire.

Every write re-plans the lead's SLA clocks (leads.sla) and tells the
hotel's consoles after commit (the lead queue and board re-read)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels_inbox.models import (
    ChannelKind,
    Conversation,
    ConversationStatus,
    Direction,
    Priority,
)
from consent.gate import commercial_contact_require
from consent.models import ConsentType
from guestview import push
from guestview import services as guest_services
from guestview.identity import normalize_email, normalize_phone
from guestview.models import AgentProfile, AlertKind, Board, Call, ContactKind, Guest, Language
from kpi.models import EventKind
from kpi.services import kpi_event_record
from leads import sla
from leads.models import (
    CLOSED_STATUSES,
    FOLLOW_UP_REQUIRED,
    LEAD_MOVES,
    Campaign,
    CampaignCall,
    CaseCounter,
    Lead,
    LeadEvent,
    LeadEventKind,
    LeadSource,
    LeadStatus,
    LostReason,
    NextStep,
    Offer,
    OfferOption,
    OfferStatus,
)

# --- Case IDs -------------------------------------------------------------------------


def case_id_next(*, year: int) -> str:
    """The next Case ID of the year, M360-2026-000123: one atomic upsert,
    so concurrent intakes never get the same number."""
    table = CaseCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        number = cursor.fetchone()[0]
    return f"M360-{year}-{number:06d}"


# --- intake ---------------------------------------------------------------------------


def contact_normalize(raw: str) -> tuple[str, str]:
    """(kind, value) of a contact an agent or a form gives: an E.164 phone
    or a lower-case e-mail; ValidationError naming the field otherwise."""
    raw = (raw or "").strip()
    if "@" in raw:
        email = normalize_email(raw)
        if email:
            return ContactKind.EMAIL, email
    else:
        phone = normalize_phone(raw)
        if phone:
            return ContactKind.PHONE, phone
    raise ValidationError({"contact": _("A phone number or an e-mail address.")})


def lead_create(
    *,
    property,
    name: str,
    contact: str,
    request: str,
    source: LeadSource,
    by: AbstractBaseUser | None = None,
    guest: Guest | None = None,
    language: str = "",
    arrival: dt.date | None = None,
    departure: dt.date | None = None,
    adults: int = 2,
    children: int = 0,
    room_wish: str = "",
    budget: Decimal | None = None,
    currency: str = "EUR",
    utm: dict[str, str] | None = None,
    conversation: Conversation | None = None,
    call: Call | None = None,
    priority: str = "",
    assign_to: AgentProfile | None = None,
) -> Lead:
    """Open a lead. Refused without the three mandatory fields (name,
    contact, request), with field names in the error. The contact finds or
    makes the guest; an agent's request text passes the KVKK guardrail."""
    errors = {}
    name, request = (name or "").strip(), (request or "").strip()
    if not name:
        errors["name"] = _("The guest's name is required.")
    if not request:
        errors["request"] = _("What does the guest ask for?")
    try:
        kind, contact_value = contact_normalize(contact)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if arrival and departure and departure <= arrival:
        errors["departure"] = _("Departure is after arrival.")
    if errors:
        raise ValidationError(errors)
    if by is not None:
        request = guest_services.note_text_check(request)
    if guest is None:
        from channels_inbox.inbound import guests_for_contacts

        guest = guests_for_contacts(
            property_id=property.pk, kind=kind, names={contact_value: name}
        )[contact_value]
    utm = {k: (v or "")[:120] for k, v in (utm or {}).items() if k in _UTM}
    campaign = None
    if utm.get("campaign"):
        campaign = Campaign.objects.filter(code=utm["campaign"]).first()
    now = timezone.now()
    with transaction.atomic():
        lead = Lead(
            case_id=case_id_next(year=now.astimezone(sla.calendar_for(property.pk).tz).year),
            property=property, guest=guest, name=name[:160], contact=contact_value,
            request=request, language=language or (guest.language if guest else Language.TR),
            source=source, campaign=campaign, arrival=arrival, departure=departure,
            adults=adults, children=children, room_wish=room_wish[:160], budget=budget,
            currency=(currency or "EUR")[:3].upper(), value=budget,
            priority=priority or Priority.HIGH, assigned_to=assign_to, created_by=by,
            created_at=now, status_changed_at=now, **{f"utm_{k}": v for k, v in utm.items()},
        )  # fmt: skip
        lead.clean_fields(exclude=_NOT_CLEANED)
        lead.save()
        if conversation is not None:
            lead.conversations.add(conversation)
        if call is not None:
            lead.calls.add(call)
        _event(lead, LeadEventKind.CREATED, by, _("From %(source)s") % {"source": source.name})
        _replan(lead)
        kpi_event_record(
            kind=EventKind.LEAD_CREATED, at=now, property=lead.property_id,
            channel=source.code, agent=assign_to, subject=f"lead:{lead.pk}",
        )  # fmt: skip
        _changed(lead)
    return lead


_UTM = ("source", "medium", "campaign", "term", "content")
# clean_fields() checks lengths and choices; these it would look up one query
# each (foreign keys we already hold) or generate (the Case ID).
_NOT_CLEANED = ["case_id", "property", "guest", "source", "assigned_to", "campaign", "created_by"]


def lead_from_conversation(
    *, conversation: Conversation, by: AbstractBaseUser, name: str, contact: str, request: str,
    source: LeadSource, **request_fields,
) -> Lead:  # fmt: skip
    """ "Make lead" on a conversation: the agent who does it has the lead."""
    return lead_create(
        property=conversation.property, name=name, contact=contact, request=request,
        source=source, by=by, guest=conversation.guest, language=conversation.language,
        conversation=conversation, call=conversation.call,
        assign_to=getattr(by, "agent_profile", None), **request_fields,
    )  # fmt: skip


def lead_from_call(
    *, call: Call, by: AbstractBaseUser, name: str, contact: str, request: str,
    source: LeadSource, **request_fields,
) -> Lead:  # fmt: skip
    """ "Make lead" on a call's card (also the new-caller card)."""
    return lead_create(
        property=call.property, name=name, contact=contact, request=request, source=source,
        by=by, guest=call.guest, call=call, assign_to=getattr(by, "agent_profile", None),
        language=call.guest.language if call.guest_id else "", **request_fields,
    )  # fmt: skip


# --- the pipeline ---------------------------------------------------------------------


def _future(at: dt.datetime | None, *, field: str = "follow_up_at") -> dt.datetime:
    if at is None:
        raise ValidationError({field: _("When do you come back to it? Set the next follow-up.")})
    if at < timezone.now() - dt.timedelta(minutes=1):
        raise ValidationError({field: _("The next follow-up is in the future.")})
    return at


def lead_move(
    *,
    lead: Lead,
    to: str,
    by: AbstractBaseUser,
    follow_up_at: dt.datetime | None = None,
    lost_reason: str = "",
    reservation_number: str = "",
    note: str = "",
) -> Lead:
    """Move a lead along the pipeline. Contacted, offer sent and option need
    the next follow-up; lost needs a reason; won needs the reservation
    number."""
    now = timezone.now()
    with transaction.atomic():
        # The row as it is now, locked: the caller's copy may be from before
        # another move (a board open in two tabs, an expiry running). Only
        # the lead's row: without of=self every move also locked its source.
        lead = Lead.objects.select_for_update(of=("self",)).select_related("source").get(pk=lead.pk)
        if to not in LeadStatus.values:
            raise ValidationError({"status": _("Unknown status.")})
        if to != lead.status and to not in LEAD_MOVES[LeadStatus(lead.status)]:
            raise ValidationError(
                {"status": _("A lead that is %(from)s cannot become %(to)s.")
                 % {"from": lead.get_status_display(), "to": LeadStatus(to).label}}
            )  # fmt: skip
        if to in FOLLOW_UP_REQUIRED:
            follow_up_at = _future(follow_up_at or lead.next_follow_up_at)
        if to == LeadStatus.LOST and lost_reason not in LostReason.values:
            raise ValidationError({"lost_reason": _("Why was it lost?")})
        reservation_number = (reservation_number or "").strip()
        if to == LeadStatus.WON and not reservation_number:
            raise ValidationError({"reservation_number": _("The reservation number in the PMS.")})
        if note:
            note = guest_services.note_text_check(note)
        previous = lead.status
        lead.status = to
        lead.status_changed_at = now
        if previous == LeadStatus.NEW and to != LeadStatus.NEW and lead.first_contact_at is None:
            lead.first_contact_at = now
        lead.next_follow_up_at = follow_up_at if to in FOLLOW_UP_REQUIRED else None
        lead.lost_reason = lost_reason if to == LeadStatus.LOST else ""
        lead.reservation_number = reservation_number if to == LeadStatus.WON else ""
        lead.closed_at = now if to in CLOSED_STATUSES else None
        if to != LeadStatus.OPTION:
            OfferOption.objects.filter(offer__lead=lead, is_held=True).update(is_held=False)
        lead.clean_fields(exclude=_NOT_CLEANED)
        lead.save()
        text = f"{LeadStatus(previous).label} → {LeadStatus(to).label}"
        if note:
            text += f"\n{note}"
        _event(lead, LeadEventKind.STATUS, by, text)
        _replan(lead)
        if to in (LeadStatus.WON, LeadStatus.LOST, LeadStatus.CANCELLED):
            kpi_event_record(
                kind=EventKind.LEAD_WON if to == LeadStatus.WON else EventKind.LEAD_LOST,
                at=now, property=lead.property_id, channel=lead.source.code,
                agent=lead.assigned_to_id, subject=f"lead:{lead.pk}",
                seconds=(now - lead.created_at).total_seconds(),
            )  # fmt: skip
        _changed(lead)
    return lead


def lead_follow_up_set(
    *, lead: Lead, at: dt.datetime, by: AbstractBaseUser, note: str = ""
) -> Lead:
    """When someone comes back to the lead; a lead that was new is now
    contacted (someone worked it)."""
    at = _future(at)
    if lead.status in CLOSED_STATUSES:
        raise ValidationError(_("The lead is closed."))
    if note:
        note = guest_services.note_text_check(note)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.status == LeadStatus.NEW:
            return lead_move(lead=lead, to=LeadStatus.CONTACTED, by=by, follow_up_at=at, note=note)
        lead.next_follow_up_at = at
        lead.save(update_fields=["next_follow_up_at"])
        tz = sla.calendar_for(lead.property_id).tz
        text = at.astimezone(tz).strftime("%d.%m.%Y %H:%M")
        _event(lead, LeadEventKind.FOLLOW_UP, by, f"{text}\n{note}".strip())
        _replan(lead)
        _changed(lead)
    return lead


def lead_assign(*, lead: Lead, agent: AgentProfile | None, by: AbstractBaseUser) -> Lead:
    from guestview import selectors as guest_selectors

    if agent is not None and lead.property_id not in guest_selectors.visible_property_ids(
        agent.user
    ):
        raise ValidationError(_("%(agent)s does not serve this hotel."), params={"agent": agent})
    with transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(assigned_to=agent)
        lead.assigned_to = agent
        _event(lead, LeadEventKind.ASSIGNED, by, str(agent) if agent else _("Unassigned"))
        _changed(lead)
    return lead


def lead_claim(*, lead: Lead, agent: AgentProfile) -> bool:
    """The agent takes an unassigned lead; False if someone was faster."""
    with transaction.atomic():
        taken = Lead.objects.filter(pk=lead.pk, assigned_to__isnull=True).update(assigned_to=agent)
        if taken:
            lead.assigned_to = agent
            _event(lead, LeadEventKind.ASSIGNED, agent.user, str(agent))
            _changed(lead)
    return bool(taken)


def lead_note_add(*, lead: Lead, by: AbstractBaseUser, text: str) -> LeadEvent:
    text = guest_services.note_text_check(text)
    with transaction.atomic():
        event = _event(lead, LeadEventKind.NOTE, by, text)
        _changed(lead)
    return event


# --- offers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionIn:
    room_type: str
    board: str
    arrival: dt.date
    departure: dt.date
    price: Decimal
    valid_until: dt.datetime
    currency: str = "EUR"


def _option_errors(i: int, option: OptionIn) -> dict:
    errors = {}
    key = f"option{i}"
    if not option.room_type.strip():
        errors[f"{key}_room_type"] = _("Room type.")
    if option.board not in Board.values:
        errors[f"{key}_board"] = _("Board.")
    if not option.arrival or not option.departure or option.departure <= option.arrival:
        errors[f"{key}_departure"] = _("Departure is after arrival.")
    try:
        if option.price is None or Decimal(option.price) <= 0:
            errors[f"{key}_price"] = _("A price above zero.")
    except InvalidOperation:
        errors[f"{key}_price"] = _("A price above zero.")
    if not option.valid_until or option.valid_until <= timezone.now():
        errors[f"{key}_valid_until"] = _("Valid until a time in the future.")
    return errors


# Board names as hotels write them to guests, in the four languages we answer in.
BOARD_NAMES = {
    "tr": {"RO": "Sadece oda", "BB": "Oda kahvaltı", "HB": "Yarım pansiyon",
           "FB": "Tam pansiyon", "AI": "Her şey dahil", "UAI": "Ultra her şey dahil"},
    "en": {"RO": "Room only", "BB": "Bed & breakfast", "HB": "Half board", "FB": "Full board",
           "AI": "All inclusive", "UAI": "Ultra all inclusive"},
    "de": {"RO": "Nur Übernachtung", "BB": "Übernachtung mit Frühstück", "HB": "Halbpension",
           "FB": "Vollpension", "AI": "All inclusive", "UAI": "Ultra All inclusive"},
    "ru": {"RO": "Без питания", "BB": "Завтрак", "HB": "Полупансион", "FB": "Полный пансион",
           "AI": "Всё включено", "UAI": "Ультра всё включено"},
}  # fmt: skip


def offer_render(*, lead: Lead, options: list[OptionIn], next_step: str, language: str) -> str:
    """The offer as the guest reads it, in their language: two options and
    the next step (leads/templates/leads/offer_<language>.txt)."""
    language = language if language in ("tr", "en", "de", "ru") else "en"
    tz = sla.calendar_for(lead.property_id).tz
    with translation.override(language):
        return render_to_string(
            f"leads/offer_{language}.txt",
            {
                "lead": lead,
                "hotel": lead.property.name,
                "first_name": lead.name.split(" ")[0],
                "options": [
                    {
                        "o": o,
                        "nights": (o.departure - o.arrival).days,
                        "valid_until": o.valid_until.astimezone(tz),
                        "board": BOARD_NAMES[language].get(o.board, o.board),
                    }
                    for o in options
                ],
                "next_step": next_step,
            },
        ).strip()


def offer_send(
    *,
    lead: Lead,
    by: AbstractBaseUser,
    options: list[OptionIn],
    next_step: str,
    follow_up_at: dt.datetime | None,
    conversation: Conversation | None = None,
    language: str = "",
) -> Offer:
    """Send a two-option offer on the guest's channel (the lead's open
    conversation, WhatsApp's 24-hour window permitting) and move the lead to
    offer sent, which needs the next follow-up."""
    from channels_inbox import services as inbox_services

    errors = {}
    if len(options) != 2:
        errors["options"] = _("An offer has two options.")
    for i, option in enumerate(options, start=1):
        errors.update(_option_errors(i, option))
    if next_step not in NextStep.values:
        errors["next_step"] = _("Choose the next step.")
    if lead.status in CLOSED_STATUSES:
        errors["status"] = _("The lead is closed.")
    try:
        follow_up_at = _future(follow_up_at)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    conversation = conversation or offer_channel(lead)
    if conversation is None:
        errors["channel"] = _(
            "No open conversation with the guest to send it in: continue on WhatsApp from "
            "their call, or wait until they write."
        )
    if errors:
        raise ValidationError(errors)
    # Outside the transaction below: a refusal is written down even though
    # nothing is sent.
    commercial_contact_require(
        actor=by, guest=lead.guest or conversation.guest, type=ConsentType.MESAJ,
        purpose=f"offer:{lead.case_id}",
        service_reply=lead.source.guest_initiated or _guest_started(conversation),
        recipient=_phone_of(conversation),
    )  # fmt: skip
    language = language or lead.language
    text = offer_render(lead=lead, options=options, next_step=next_step, language=language)
    with transaction.atomic():
        message = inbox_services.message_send(conversation=conversation, author=by, text=text)
        offer = Offer.objects.create(
            lead=lead, language=language, next_step=next_step, text=text,
            status=OfferStatus.SENT, message=message, created_by=by, sent_at=timezone.now(),
        )  # fmt: skip
        OfferOption.objects.bulk_create(
            OfferOption(
                offer=offer, position=i, room_type=o.room_type.strip()[:80], board=o.board,
                arrival=o.arrival, departure=o.departure, price=Decimal(o.price),
                currency=(o.currency or "EUR").upper()[:3], valid_until=o.valid_until,
            )
            for i, o in enumerate(options, start=1)
        )  # fmt: skip
        lead.conversations.add(conversation)
        Lead.objects.filter(pk=lead.pk).update(value=min(Decimal(o.price) for o in options))
        _event(lead, LeadEventKind.OFFER, by, text)
        lead_move(lead=lead, to=LeadStatus.OFFER_SENT, by=by, follow_up_at=follow_up_at)
    return offer


def _guest_started(conversation: Conversation) -> bool:
    """The guest wrote first: an answer in it is a service reply. A thread
    the hotel opened (a template, a campaign) stays commercial even once
    the guest writes back in it."""
    first = (
        conversation.messages.filter(direction__in=[Direction.IN, Direction.OUT])
        .order_by("sent_at", "pk")
        .values_list("direction", flat=True)
        .first()
    )
    return first == Direction.IN


def _phone_of(conversation: Conversation) -> str | None:
    """The number the offer goes to, when the channel writes to a number
    (WhatsApp): İYS keeps the consent of that number. Other channels write
    to a platform's id, and the gate decides by the guest's own records."""
    if conversation.channel == ChannelKind.WHATSAPP:
        return conversation.contact_key.split("#")[0]
    return None


def offer_channel(lead: Lead) -> Conversation | None:
    """Where an offer to the lead can go now: its newest open conversation
    on a messaging channel whose window is open."""
    candidates = Conversation.objects.filter(
        status=ConversationStatus.OPEN, property_id=lead.property_id
    ).exclude(channel=ChannelKind.PHONE)
    if lead.guest_id:
        candidates = candidates.filter(guest_id=lead.guest_id) | candidates.filter(leads=lead)
    else:
        candidates = candidates.filter(leads=lead)
    for conversation in candidates.select_related("account").order_by("-last_message_at")[:5]:
        if conversation.account_id and conversation.whatsapp_window_open:
            return conversation
    return None


def option_hold(
    *, option: OfferOption, by: AbstractBaseUser, follow_up_at: dt.datetime | None = None
) -> Lead:
    """The guest picked this option: the hotel holds it until its validity
    (lead status option); the follow-up defaults to the reminder time."""
    lead = option.offer.lead
    if option.expired_at or option.valid_until <= timezone.now():
        raise ValidationError(_("This option has expired."))
    follow_up_at = follow_up_at or max(
        option.valid_until - dt.timedelta(hours=settings.LEAD_OPTION_REMIND_HOURS),
        timezone.now() + dt.timedelta(minutes=5),
    )
    with transaction.atomic():
        # The lead first, then its options: the order of lead_move and
        # options_expire (the other order deadlocks against them).
        Lead.objects.select_for_update().filter(pk=lead.pk).values_list("pk").get()
        OfferOption.objects.filter(offer__lead=lead).update(is_held=False)
        OfferOption.objects.filter(pk=option.pk).update(is_held=True)
        Offer.objects.filter(pk=option.offer_id).update(status=OfferStatus.ACCEPTED)
        Lead.objects.filter(pk=lead.pk).update(value=option.price)
        until = option.valid_until.astimezone(sla.calendar_for(lead.property_id).tz)
        _event(
            lead, LeadEventKind.OPTION, by,
            _("Holding %(option)s until %(until)s")
            % {"option": option, "until": until.strftime("%d.%m.%Y %H:%M")},
        )  # fmt: skip
        lead = lead_move(lead=lead, to=LeadStatus.OPTION, by=by, follow_up_at=follow_up_at)
    return lead


def options_expire(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Every few minutes (beat): agents are reminded of options that expire
    within LEAD_OPTION_REMIND_HOURS; options past their validity expire, and
    a held one releases its lead (back to offer sent, the follow-up due now).
    Idempotent: reminded_at and expired_at are set once. (reminded, expired)

    Which options remind: while the guest chooses (contacted, offer sent)
    both of an offer; once the lead holds one (option), only that one, the
    room the hotel keeps for the guest; the other would remind if the hold
    were released before it expires.

    Locks the leads first, then their options, in the order lead_move and
    option_hold take them (a lead moved on the board while its option
    expires must not deadlock). A lead locked right now (another run, an
    agent moving it) waits for the next run."""
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=settings.LEAD_OPTION_REMIND_HOURS)
    pending = OfferOption.objects.filter(expired_at__isnull=True, valid_until__lte=soon)
    to_remind = Q(reminded_at__isnull=True, valid_until__gt=now) & (
        Q(offer__lead__status__in=sorted(_CHOOSING))
        | Q(offer__lead__status=LeadStatus.OPTION, is_held=True)
    )
    to_expire = Q(valid_until__lte=now)
    lead_ids = set(pending.filter(to_remind | to_expire).values_list("offer__lead_id", flat=True))
    if not lead_ids:
        return 0, 0
    drafts = []
    with transaction.atomic():
        locked = list(
            Lead.objects.select_for_update(skip_locked=True)
            .filter(pk__in=lead_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        due = list(
            pending.filter(to_remind, offer__lead__in=locked)
            .select_for_update(of=("self",))
            .select_related("offer__lead__assigned_to")
        )
        for option in due:
            lead = option.offer.lead
            tz = sla.calendar_for(lead.property_id).tz
            if lead.assigned_to_id:
                drafts.append(
                    guest_services.AlertDraft(
                        lead.assigned_to.user_id, AlertKind.OPTION_EXPIRING,
                        _("%(case)s: %(option)s expires %(when)s")
                        % {"case": lead.case_id, "option": option,
                           "when": option.valid_until.astimezone(tz).strftime("%d.%m %H:%M")},
                        reverse("leads:lead", args=[lead.pk]), lead.property_id,
                        f"option-expiring:{option.pk}",
                    )
                )  # fmt: skip
        OfferOption.objects.filter(pk__in=[o.pk for o in due]).update(reminded_at=now)

        gone = list(
            pending.filter(to_expire, offer__lead__in=locked)
            .select_for_update(of=("self",))
            .select_related("offer__lead__assigned_to", "offer__lead__source")
        )
        OfferOption.objects.filter(pk__in=[o.pk for o in gone]).update(expired_at=now)
        # An offer expires with its last option: one statement for all of them.
        Offer.objects.filter(pk__in={o.offer_id for o in gone}).exclude(
            Exists(OfferOption.objects.filter(offer=OuterRef("pk"), expired_at__isnull=True))
        ).update(status=OfferStatus.EXPIRED)
        for option in gone:
            lead = option.offer.lead
            if not (option.is_held and lead.status == LeadStatus.OPTION):
                continue
            lead_move(
                lead=lead, to=LeadStatus.OFFER_SENT, by=None,
                follow_up_at=now + dt.timedelta(minutes=1),
                note=_("The option %(option)s expired; the hold is released.") % {"option": option},
            )  # fmt: skip
            users = [lead.assigned_to.user_id] if lead.assigned_to_id else []
            drafts += [
                guest_services.AlertDraft(
                    u, AlertKind.OPTION_EXPIRED,
                    _("%(case)s: the option expired, call the guest") % {"case": lead.case_id},
                    reverse("leads:lead", args=[lead.pk]), lead.property_id,
                    f"option-expired:{option.pk}",
                )
                for u in users
            ]  # fmt: skip
        guest_services.alerts_send(drafts)
    return len(due), len(gone)


# Stages in which the guest still chooses between an offer's options.
_CHOOSING = {LeadStatus.OFFER_SENT, LeadStatus.CONTACTED}


# --- campaign calls -------------------------------------------------------------------


def campaign_call_record(
    *, campaign: Campaign, guest: Guest, by: AbstractBaseUser, outcome: str
) -> CampaignCall:
    """An agent called a guest of the campaign's list, at the number the list
    gave (leads.selectors.campaign_phones): only with that number's ONAY for
    commercial calls (consent.gate refuses otherwise, and logs both)."""
    from leads.models import CampaignCallOutcome
    from leads.selectors import campaign_phones

    if outcome not in CampaignCallOutcome.values:
        raise ValidationError({"outcome": _("How did the call go?")})
    if guest.property_id not in set(campaign.properties.values_list("pk", flat=True)):
        raise ValidationError(_("The guest's hotel is not in this campaign."))
    phone = campaign_phones([guest.pk]).get(guest.pk)
    if phone is None:
        raise ValidationError(_("The guest has no phone number to call."))
    commercial_contact_require(
        actor=by, guest=guest, type=ConsentType.ARAMA, purpose=f"campaign:{campaign.code}",
        recipient=phone,
    )  # fmt: skip
    return CampaignCall.objects.create(campaign=campaign, guest=guest, agent=by, outcome=outcome)


# --- helpers --------------------------------------------------------------------------


def _event(lead: Lead, kind: str, by, text: str = "") -> LeadEvent:
    return LeadEvent.objects.create(lead=lead, kind=kind, by=by, text=text)


def _replan(lead: Lead) -> None:
    plan = sla.lead_plan(lead)
    fields = sla.lead_apply(lead, plan)
    Lead.objects.filter(pk=lead.pk).update(**{f: getattr(lead, f) for f in fields})
    sla.clocks_sync([plan])


def _changed(lead: Lead) -> None:
    """The hotel's consoles re-read their lead queue and board."""
    leads_changed([lead])


def leads_changed(leads) -> None:
    """After commit, in one round trip: the consoles of each lead's hotel
    re-read their lead queue and board (the SLA scan changes many at once)."""
    events = []
    for lead in leads:
        data = json.dumps({"lead": lead.pk, "assigned_to": lead.assigned_to_id})
        events.append((lead.property_id, "leads", data))
    if events:
        transaction.on_commit(lambda: push.publish_many_to_properties(events), robust=True)
