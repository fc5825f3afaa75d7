"""Anonymizing a guest across every app (guest_anonymize), table by table
in _erase: what stays as anonymous statistics or legal evidence, what goes.
What names or reaches the guest is gathered first (Identifiers), from every
app, because the keys that find their rows are what gets erased."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce

import phonenumbers
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from channels_inbox.models import (
    Conversation,
    ConversationStatus,
    InboundPayload,
    Message,
    WebChatVisitor,
)
from consent.access import access_record
from consent.models import (
    AccessAction,
    ConsentRecord,
    DataSubjectRequest,
    ErasureLog,
    GuestNeeds,
    IysRequestItem,
    PulledChange,
)
from consent.models.records import PSEUDONYM_PREFIX, recipient_pseudonym
from consent.pseudonyms import keyed_hash
from guestview.identity import format_phone, normalize_phone
from guestview.models import (
    Alert,
    Call,
    CallDirection,
    CallEvent,
    ContactPoint,
    Guest,
    GuestNote,
    Preference,
    RejectedCallEvent,
    Stay,
)
from leads.models import OPEN_STATUSES, IntakeSubmission, Lead, LeadEvent, Offer

ANONYMOUS_FIRST_NAME = "Anonim"
# What a raw body that named the guest is replaced with (InboundPayload).
ANONYMIZED_BODY = '{"anonymized": true}'
# A reference another system can look up (PMS reservation, contact key).
ANONYMIZED_PREFIX = "anon:"
# Shorter strings (an extension, a short handle) match too much that is not theirs.
_MIN_TERM = 6


def anonymous_name(guest: Guest) -> tuple[str, str]:
    return ANONYMOUS_FIRST_NAME, f"#{guest.pk}"


def _is_anonymous(guest: Guest) -> bool:
    return (guest.first_name, guest.last_name) == anonymous_name(guest)


def reference_pseudonym(value: str) -> str:
    """A keyed hash for a reference another system can look up (a PMS
    reservation number): still one per stay, no longer the PMS's."""
    # 32 hex digits: the hash fits Stay.pms_reservation_id (40).
    return keyed_hash(value, salt="consent.reference", prefix=ANONYMIZED_PREFIX, length=32)


def _phone_forms(e164: str) -> set[str]:
    """How a number shows up in text and bodies: +905321234567, the same
    without the plus (WhatsApp's wa_id) or with a 0 (national) all contain
    5321234567; spaced out, as the console and agents write it."""
    forms = {e164, format_phone(e164)}
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return forms
    forms.add(phonenumbers.national_significant_number(parsed))
    forms.add(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
    return forms


@dataclass
class Identifiers:
    """What names or reaches one guest, gathered from every app before
    anything is erased."""

    names: set[str] = field(default_factory=set)  # as written, and each word of them
    phones: set[str] = field(default_factory=set)  # E.164
    emails: set[str] = field(default_factory=set)
    others: set[str] = field(default_factory=set)  # platform ids, numbers as typed

    def add_name(self, name: str) -> None:
        name = " ".join((name or "").split())
        words = [w for w in name.split() if len(w) >= 2 and w != ANONYMOUS_FIRST_NAME]
        if words and not name.startswith(ANONYMOUS_FIRST_NAME + " #"):
            self.names |= {name, *words}

    def add_contact(self, value: str) -> None:
        value = (value or "").strip()
        if not value or value.startswith((ANONYMIZED_PREFIX, PSEUDONYM_PREFIX)):
            return
        if "@" in value:
            self.emails.add(value.lower())
        elif phone := normalize_phone(value.split("#")[0]):  # a call's thread: +90…#12
            self.phones.add(phone)
            if value != phone and len(value) >= _MIN_TERM:
                self.others.add(value)
        elif len(value) >= _MIN_TERM:
            self.others.add(value)

    def terms(self) -> set[str]:
        """What other tables are searched for: numbers, addresses and
        platform ids, as written and as a JSON or form body escapes them.
        Not names: namesakes are many ("Ahmet Yılmaz"), and what only names
        the guest is found through the guest's own rows."""
        plain = self.emails | self.others
        for phone in self.phones:
            plain |= _phone_forms(phone)
        terms = set()
        for term in plain:
            terms |= {
                term,
                json.dumps(term)[1:-1],
                urllib.parse.quote_plus(term),
                urllib.parse.quote(term),
            }
        return {term for term in terms if len(term) >= _MIN_TERM}

    def masker(self, label: str) -> Callable[[str], str]:
        """Rewrites a text about this guest (an alert's title, a note on
        their request): each term, name and word of a name becomes
        ``label``."""
        masks = sorted(self.terms() | self.names, key=len, reverse=True)
        if not masks:
            return lambda text: text
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(m) for m in masks) + r")(?!\w)", re.IGNORECASE
        )
        return lambda text: pattern.sub(label, text) if text else text


def _contains_any(column: str, terms: Iterable[str]) -> Q:
    return reduce(lambda q, term: q | Q(**{f"{column}__icontains": term}), terms, Q(pk__in=[]))


@dataclass
class _Scope:
    """The rows of one guest across apps, fixed before any is changed (the
    matching keys are what gets erased)."""

    guest: Guest
    identifiers: Identifiers
    conversation_ids: list[int]
    lead_ids: list[int]
    call_ids: list[int]
    # Every row of theirs by model, for what refers to rows by id (admin history).
    rows: dict[type[models.Model], list[int]]

    @classmethod
    def of(cls, guest: Guest) -> _Scope:
        ids = Identifiers()
        if not _is_anonymous(guest):
            ids.add_name(guest.full_name)
        for kind_value in guest.contact_points.values_list("value", "raw_value"):
            for value in kind_value:
                ids.add_contact(value)
        for recipient in guest.consent_records.values_list("recipient", flat=True):
            ids.add_contact(recipient)
        for name, contact in Lead.objects.filter(guest=guest).values_list("name", "contact"):
            ids.add_name(name)
            ids.add_contact(contact)
        phones = set(ids.phones)
        # Threads and calls of their numbers that nobody linked to them (a
        # family's shared number, an unknown caller) are theirs too.
        by_contact = Q(contact_key__in=phones | ids.emails) | reduce(
            lambda q, p: q | Q(contact_key__startswith=f"{p}#"), phones, Q(pk__in=[])
        )
        conversations = Conversation.objects.filter(
            Q(guest=guest) | (Q(guest__isnull=True) & by_contact)
        )
        for key, name in conversations.values_list("contact_key", "contact_name"):
            ids.add_contact(key)
            ids.add_name(name)
        calls = Call.objects.filter(
            Q(guest=guest)
            | Q(guest__isnull=True, direction=CallDirection.INBOUND, caller__in=phones)
            | Q(guest__isnull=True, direction=CallDirection.OUTBOUND, called__in=phones)
        )
        for direction, caller, called in calls.values_list("direction", "caller", "called"):
            ids.add_contact(caller if direction == CallDirection.INBOUND else called)
        conversation_ids = list(conversations.values_list("pk", flat=True))
        for name, contact in WebChatVisitor.objects.filter(
            conversation_id__in=conversation_ids
        ).values_list("name", "contact"):
            ids.add_name(name)
            ids.add_contact(contact)
        rows = {
            Guest: [guest.pk],
            Conversation: conversation_ids,
            Call: list(calls.values_list("pk", flat=True)),
            Lead: list(Lead.objects.filter(guest=guest).values_list("pk", flat=True)),
        }
        for model in (ContactPoint, Stay, Preference, GuestNote, ConsentRecord):
            rows[model] = list(model.objects.filter(guest=guest).values_list("pk", flat=True))
        return cls(
            guest=guest,
            identifiers=ids,
            conversation_ids=conversation_ids,
            lead_ids=rows[Lead],
            call_ids=rows[Call],
            rows=rows,
        )

    def refuse_open_work(self) -> None:
        """Anonymizing a thread an agent still works on would send their next
        reply nowhere: close the guest's conversations and leads first."""
        open_conversations = Conversation.objects.filter(
            pk__in=self.conversation_ids, status=ConversationStatus.OPEN
        ).count()
        open_leads = Lead.objects.filter(pk__in=self.lead_ids, status__in=OPEN_STATUSES).count()
        if open_conversations or open_leads:
            raise ValidationError(
                _(
                    "Close the guest's open conversations (%(conversations)d) and leads "
                    "(%(leads)d) first: their data is anonymized with the guest."
                )
                % {"conversations": open_conversations, "leads": open_leads},
                code="open_work",
            )


def open_work_of(guest: Guest) -> dict[str, list]:
    """What stands in the way of anonymizing ``guest`` (for the page)."""
    scope = _Scope.of(guest)
    return {
        "conversations": list(
            Conversation.objects.filter(
                pk__in=scope.conversation_ids, status=ConversationStatus.OPEN
            )
        ),
        "leads": list(Lead.objects.filter(pk__in=scope.lead_ids, status__in=OPEN_STATUSES)),
    }


class Counts(dict):
    def add(self, model: type[models.Model], rows: int) -> None:
        key = model._meta.label_lower
        self[key] = self.get(key, 0) + rows


def leads_anonymize(lead_ids: list[int], *, name: str, terms: set[str], counts: Counts) -> None:
    """Leads keep their facts (source, dates, party, budget, status, UTM):
    the request, the contact and the name go; a reservation number becomes
    its keyed hash (it stays one per booking)."""
    leads = Lead.objects.filter(pk__in=lead_ids)
    texts = leads.exclude(name=name, contact="", request="", room_wish="")
    changed = set(texts.values_list("pk", flat=True))
    texts.update(name=name, contact="", request="", room_wish="")
    booked = list(
        leads.exclude(reservation_number="").exclude(
            reservation_number__startswith=ANONYMIZED_PREFIX
        )
    )
    for lead in booked:
        lead.reservation_number = reference_pseudonym(lead.reservation_number)
    Lead.objects.bulk_update(booked, ["reservation_number"])
    counts.add(Lead, len(changed | {lead.pk for lead in booked}))
    counts.add(
        LeadEvent, LeadEvent.objects.filter(lead_id__in=lead_ids).exclude(text="").update(text="")
    )
    counts.add(Offer, Offer.objects.filter(lead_id__in=lead_ids).exclude(text="").update(text=""))
    submissions = Q(lead_id__in=lead_ids) | (
        _contains_any("body", terms) if terms else Q(pk__in=[])
    )
    counts.add(
        IntakeSubmission,
        IntakeSubmission.objects.filter(submissions).exclude(body="").update(body=""),
    )


def _rewrite(rows: Iterable[models.Model], fields: list[str], mask: Callable[[str], str]) -> int:
    """Mask ``fields`` of these rows in place; how many changed."""
    changed = []
    for row in rows:
        before = [getattr(row, name) for name in fields]
        for name in fields:
            setattr(row, name, mask(getattr(row, name)))
        if [getattr(row, name) for name in fields] != before:
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, fields)
    return len(changed)


def _erase(scope: _Scope) -> Counts:
    """Every table that can hold the guest, in the order of the apps. Each
    step changes only what is not anonymous yet, so a second run counts 0."""
    guest, ids = scope.guest, scope.identifiers
    first, last = anonymous_name(guest)
    label = f"{first} {last}"
    terms, mask = ids.terms(), ids.masker(label)
    counts = Counts()

    # guestview.Guest: the row stays for statistics (hotel, language,
    # segment, source, created); the name, birth date and nationality go.
    # save() recomputes search_name.
    erased = {"first_name": first, "last_name": last, "birth_date": None, "nationality": ""}
    changed = [name for name, value in erased.items() if getattr(guest, name) != value]
    if changed:
        for name, value in erased.items():
            setattr(guest, name, value)
        guest.save(update_fields=[*erased, "updated_at"])
    counts.add(Guest, int(bool(changed)))
    # ContactPoint, Preference: the identifiers and tastes themselves, deleted.
    counts.add(ContactPoint, ContactPoint.objects.filter(guest=guest).delete()[0])
    counts.add(Preference, Preference.objects.filter(guest=guest).delete()[0])
    # consent.GuestNeeds: special-category data (health), deleted. Its
    # ExplicitConsent rows (given or withdrawn, how, when) stay: evidence.
    counts.add(GuestNeeds, GuestNeeds.objects.filter(guest=guest).delete()[0])
    # Stay: kept for revenue and repeat-stay statistics; the free-text notes
    # go and the PMS reservation number becomes its keyed hash.
    stays = list(
        Stay.objects.filter(guest=guest).exclude(
            notes="", pms_reservation_id__startswith=ANONYMIZED_PREFIX
        )
    )
    for stay in stays:
        stay.notes, stay.pms_reservation_id = "", reference_pseudonym(stay.pms_reservation_id)
    Stay.objects.bulk_update(stays, ["notes", "pms_reservation_id"])
    counts.add(Stay, len(stays))
    # GuestNote: kind, dates, party and open/closed stay (complaint
    # statistics); its free parts go.
    counts.add(
        GuestNote,
        GuestNote.objects.filter(guest=guest)
        .exclude(text="", room_wish="")
        .update(text="", room_wish=""),
    )
    # Call: the guest's side of the number (the caller of an inbound call,
    # the called of an outbound one); the hotel's line, times, outcome,
    # agent and recognition time stay. ScreenPop has ids only: kept.
    calls = Call.objects.filter(pk__in=scope.call_ids)
    counts.add(
        Call,
        calls.filter(direction=CallDirection.INBOUND)
        .exclude(caller="", caller_raw="")
        .update(caller="", caller_raw="")
        + calls.filter(direction=CallDirection.OUTBOUND)
        .exclude(called="", called_raw="")
        .update(called="", called_raw=""),
    )
    # CallEvent: the PBX's raw event holds the caller.
    keys = list(calls.values_list("pbx_id", "call_id"))
    events = reduce(lambda q, k: q | Q(pbx_id=k[0], call_id=k[1]), keys, Q(pk__in=[]))
    counts.add(CallEvent, CallEvent.objects.filter(events).exclude(payload={}).update(payload={}))
    # RejectedCallEvent: a body a CTI door could not read, with the number in it.
    rejected = _contains_any("body", terms) | _contains_any("error", terms)
    counts.add(
        RejectedCallEvent,
        RejectedCallEvent.objects.filter(rejected)
        .exclude(body="", error="")
        .update(body="", error=""),
    )
    # Alert: titled with the guest's name or number ("Hans Müller: reply due"):
    # the alerts about their threads and leads, and any other with their number.
    about = _contains_any("title", terms)
    for pk in scope.conversation_ids:
        about |= Q(subject__startswith=f"conversation:{pk}:")
    for pk in scope.lead_ids:
        about |= Q(subject__startswith=f"lead:{pk}:")
    counts.add(Alert, _rewrite(Alert.objects.filter(about), ["title"], mask))

    # channels_inbox.Conversation: kept (queue, SLA and KPI statistics); the
    # contact key becomes anon:<id> (the one-open-per-contact key stays
    # unique), the name on the channel, summary and preview go. Tags,
    # triage and its corrections hold no personal data: kept.
    conversations = Conversation.objects.filter(pk__in=scope.conversation_ids)
    counts.add(
        Conversation,
        conversations.exclude(
            contact_key__startswith=ANONYMIZED_PREFIX, contact_name="", summary="",
            last_message_preview="", external_thread_id="",
        ).update(
            contact_key=Concat(Value(ANONYMIZED_PREFIX), Cast("pk", CharField())),
            contact_name="", summary="", last_message_preview="", external_thread_id="",
        ),
    )  # fmt: skip
    # Message: direction, kind, times and delivery stay; the text, the
    # attachments and the channel's id go (a WhatsApp message id carries the
    # number). A webhook Meta delivers again later would come back as new.
    counts.add(
        Message,
        Message.objects.filter(conversation_id__in=scope.conversation_ids)
        .exclude(text="", attachments=[], error="", external_id=None)
        .update(text="", attachments=[], error="", external_id=None),
    )
    # InboundPayload: any raw webhook body with their number, address or
    # platform id (WhatsApp writes the number without the plus; Booking.com
    # the reservation). The whole body goes, with whatever else it carried:
    # what mattered of it is in the messages.
    bodies = _contains_any("body", terms) | _contains_any("error", terms)
    counts.add(
        InboundPayload,
        InboundPayload.objects.filter(bodies)
        .exclude(body=ANONYMIZED_BODY)
        .update(body=ANONYMIZED_BODY, error=""),
    )
    visitors = Q(conversation_id__in=scope.conversation_ids) | _contains_any("contact", terms)
    counts.add(
        WebChatVisitor,
        WebChatVisitor.objects.filter(visitors)
        .exclude(name="", contact="")
        .update(name="", contact=""),
    )

    # leads: Lead, LeadEvent, Offer, IntakeSubmission (the web form's raw
    # posts). OfferOption (rooms, prices), SlaClock and SlaBreach hold ids
    # and facts only: kept.
    leads_anonymize(scope.lead_ids, name=label, terms=terms, counts=counts)

    # consent.ConsentRecord: the legal evidence stays (who said ONAY or RET,
    # when, on which channel, where), the recipient becomes its keyed hash.
    # PulledChange, the İYS pull's audit, the same — unless the number is
    # another guest's too, whose audit it still is.
    recipients = ids.phones | ids.emails
    counts.add(
        ConsentRecord, ConsentRecord.objects.filter(guest=guest).pseudonymize(mask_note=mask)
    )
    shared = set(ContactPoint.objects.filter(value__in=recipients).values_list("value", flat=True))
    pulled = 0
    for recipient in recipients - shared:
        pulled += PulledChange.objects.filter(recipient=recipient).update(
            recipient=recipient_pseudonym(recipient)
        )
    counts.add(PulledChange, pulled)
    counts.add(
        IysRequestItem,
        _rewrite(IysRequestItem.objects.filter(record__guest=guest), ["error_message"], mask),
    )
    # DataSubjectRequest: the request is evidence too; its note loses the
    # names and addresses. AccessLog (ids only) and KpiEvent: kept.
    counts.add(
        DataSubjectRequest,
        _rewrite(DataSubjectRequest.objects.filter(guest_ref=guest.pk), ["note"], mask),
    )
    # django.contrib.admin's history names what was edited (str(obj)): the
    # entries about the guest's rows, and any other with their number.
    history = _contains_any("object_repr", terms)
    types = ContentType.objects.get_for_models(*scope.rows)
    for model, pks in scope.rows.items():
        history |= Q(content_type=types[model], object_id__in=[str(pk) for pk in pks])
    counts.add(LogEntry, _rewrite(LogEntry.objects.filter(history), ["object_repr"], mask))
    return counts


def guest_anonymize(
    *,
    guest: Guest,
    by: AbstractBaseUser | None = None,
    request: DataSubjectRequest | None = None,
    reason: str = "request",
    http_request=None,
) -> ErasureLog:
    """Anonymize ``guest`` across every app (see _erase for each table), in
    one transaction, and log it: the ErasureLog with the rows changed per
    table, and an ERASE access entry when a person did it (``by``; the
    retention job passes None). Refused while the guest has open
    conversations or leads. Running it again is safe: it changes what came
    since, usually nothing, and logs counts of 0."""
    with transaction.atomic():
        guest = Guest.objects.select_for_update().select_related("property").get(pk=guest.pk)
        scope = _Scope.of(guest)
        scope.refuse_open_work()
        counts = _erase(scope)
        log = ErasureLog.objects.create(
            guest_ref=guest.pk,
            property_id=guest.property_id,
            request=request,
            reason=reason,
            counts=dict(sorted(counts.items())),
            by=by,
        )
        if by is not None:
            access_record(
                actor=by,
                action=AccessAction.ERASE,
                guest=guest,
                request=http_request,
                context=f"erasure:{log.pk}",
            )
    return log
