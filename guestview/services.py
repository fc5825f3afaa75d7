"""Writes to guest identity and agent setup. Every domain write goes through a
function here: it validates, normalizes and writes in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from guestview import bulk, cards, push, selectors
from guestview.cti.events import CallEventIn
from guestview.identity import normalize_email, normalize_phone
from guestview.models import (
    AgentLanguage,
    AgentProfile,
    AgentStatus,
    Alert,
    AlertKind,
    Call,
    CallDirection,
    CallEvent,
    CallEventKind,
    CallOutcome,
    ContactKind,
    ContactPoint,
    Guest,
    GuestNote,
    Holiday,
    Language,
    NextStep,
    NoteKind,
    Pbx,
    Property,
    Role,
    ScreenPop,
)
from guestview.selectors import SERVE_PROPERTY

_PHONE_KINDS = {ContactKind.PHONE, ContactKind.WHATSAPP}


def contact_value_normalize(*, kind: str, raw: str) -> str:
    """The normalized key of a contact point, or ValidationError."""
    if kind in _PHONE_KINDS:
        value = normalize_phone(raw)
        if value is None:
            raise ValidationError(_("%(raw)s is not a phone number."), params={"raw": raw})
        return value
    if kind == ContactKind.EMAIL:
        value = normalize_email(raw)
        if value is None:
            raise ValidationError(_("%(raw)s is not an e-mail address."), params={"raw": raw})
        return value
    value = raw.strip()
    if not value:
        raise ValidationError(_("A contact value is required."))
    return value


@transaction.atomic
def guest_create(
    *,
    property: Property,
    first_name: str,
    last_name: str,
    language: str = Language.TR,
    nationality: str = "",
    segment: str = "",
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
) -> Guest:
    guest = Guest(
        property=property,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        language=language,
        nationality=nationality.upper(),
        segment=segment,
    )
    guest.full_clean()
    guest.save()
    for i, phone in enumerate(phones):
        contact_point_add(guest=guest, kind=ContactKind.PHONE, raw=phone, is_primary=i == 0)
    for email in emails:
        contact_point_add(guest=guest, kind=ContactKind.EMAIL, raw=email)
    return guest


@transaction.atomic
def guest_rename(*, guest: Guest, first_name: str, last_name: str) -> Guest:
    guest.first_name = first_name.strip()
    guest.last_name = last_name.strip()
    guest.full_clean()
    guest.save(update_fields=["first_name", "last_name", "updated_at"])
    return guest


def contact_point_add(
    *, guest: Guest, kind: str, raw: str, is_primary: bool = False
) -> ContactPoint:
    """Attach a way to reach ``guest``; adding one it already has is a no-op."""
    value = contact_value_normalize(kind=kind, raw=raw)
    contact, _created = ContactPoint.objects.get_or_create(
        guest=guest,
        kind=kind,
        value=value,
        defaults={"raw_value": raw.strip(), "is_primary": is_primary},
    )
    return contact


def agent_profile_ensure(*, user: AbstractBaseUser) -> AgentProfile:
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def agent_setup(
    *,
    user: AbstractBaseUser,
    role: str,
    properties: Iterable[Property] = (),
    languages: Iterable[str] = (),
    extension: str | None = None,
    capacity: int = 4,
) -> AgentProfile:
    """Give ``user`` a console role, the properties they serve and their skills."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s."), params={"role": role})
    user.groups.add(Group.objects.get(name=role))
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    profile = agent_profile_ensure(user=user)
    profile.extension = extension or None
    profile.capacity = capacity
    profile.full_clean()
    profile.save()
    agent_set_languages(agent=profile, languages=languages)
    agent_set_properties(user=user, properties=properties)
    return profile


@transaction.atomic
def agent_set_languages(*, agent: AgentProfile, languages: Iterable[str]) -> None:
    wanted = set(languages)
    unknown = wanted - {Language.TR, Language.EN, Language.DE, Language.RU}
    if unknown:
        raise ValidationError(_("Unknown languages: %(codes)s"), params={"codes": sorted(unknown)})
    agent.languages.exclude(language__in=wanted).delete()
    have = set(agent.languages.values_list("language", flat=True))
    AgentLanguage.objects.bulk_create(
        [AgentLanguage(agent=agent, language=code) for code in sorted(wanted - have)]
    )


@transaction.atomic
def agent_set_properties(*, user: AbstractBaseUser, properties: Iterable[Property]) -> None:
    """Make ``properties`` exactly the set ``user`` serves (object permissions)."""
    wanted = {p.pk: p for p in properties}
    for prop in selectors.properties_served_by(user):
        if prop.pk not in wanted:
            remove_perm(SERVE_PROPERTY, user, prop)
        else:
            wanted.pop(prop.pk)
    for prop in wanted.values():
        assign_perm(SERVE_PROPERTY, user, prop)
    selectors.forget_routing_caches()


def agent_set_status(*, agent: AgentProfile, status: str) -> AgentProfile:
    if status not in AgentStatus.values:
        raise ValidationError(_("Unknown status %(status)s."), params={"status": status})
    if agent.status != status:
        agent.status = status
        agent.status_changed_at = timezone.now()
        agent.save(update_fields=["status", "status_changed_at"])
        if status == AgentStatus.ONLINE:
            from channels_inbox.routing import agent_came_online  # the inbox builds on guestview

            agent_came_online(agent=agent)
    return agent


def agents_mark_away(*, idle_seconds: int) -> int:
    """Online agents with no request for ``idle_seconds`` become away, so that
    routing stops giving work to a console nobody is looking at."""
    cutoff = timezone.now() - timedelta(seconds=idle_seconds)
    idle = Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, status_changed_at__lt=cutoff)
    return AgentProfile.objects.filter(idle, status=AgentStatus.ONLINE).update(
        status=AgentStatus.AWAY, status_changed_at=timezone.now()
    )


# --- calls and the screen-pop ---------------------------------------------------------


@dataclass(frozen=True)
class CallEventResult:
    call: Call | None
    duplicate: bool
    pops: tuple[ScreenPop, ...] = ()


class _CallRaced(Exception):
    """Two first events of one call were written at once; run again."""


def call_event_record(*, pbx: Pbx, event: CallEventIn) -> CallEventResult:
    """Apply one PBX event to its Call, once, and pop the card to the agents
    it rings for. A repeated delivery (same call, event and extension) changes
    nothing and pops nothing. Pushes leave after commit.

    This is the screen-pop's hot path (make bench-screenpop): no savepoints,
    one statement per row written."""
    for _attempt in range(3):
        try:
            return _call_event_record(pbx=pbx, event=event)
        except _CallRaced:
            continue
    raise RuntimeError(f"call {event.call_id}: could not record {event.kind}")


def _call_event_record(*, pbx: Pbx, event: CallEventIn) -> CallEventResult:
    with transaction.atomic():
        if not _call_event_insert(pbx=pbx, event=event):
            return CallEventResult(
                call=Call.objects.filter(pbx=pbx, call_id=event.call_id).first(), duplicate=True
            )
        call = Call.objects.select_for_update().filter(pbx=pbx, call_id=event.call_id).first()
        is_new = call is None
        if is_new:
            call = Call(pbx=pbx, call_id=event.call_id)
        pops: list[ScreenPop] = []
        if event.kind == CallEventKind.RINGING:
            pops = _call_ringing(call, event, is_new=is_new)
        elif event.kind == CallEventKind.ANSWERED:
            _call_answered(call, event)
        elif event.kind == CallEventKind.HANGUP:
            _call_hung_up(call, event)
        try:
            call.save(force_insert=is_new)
        except IntegrityError:
            # Another first event of this call won the insert: the whole
            # transaction (our CallEvent too) rolls back and we start over.
            raise _CallRaced from None
        for pop in pops:
            pop.call = call
        ScreenPop.objects.bulk_create(pops)
        _publish_on_commit(call, pops)
        if event.kind == CallEventKind.HANGUP:
            _call_to_inbox(call)
    return CallEventResult(call=call, duplicate=False, pops=tuple(pops))


def _call_to_inbox(call: Call) -> None:
    """An ended call joins the inbox: missed ones wait as callbacks, answered
    ones stay with the agent until the call is summarized."""
    from channels_inbox.services import call_conversation  # the inbox builds on guestview

    call_conversation(call=call)


def _call_event_insert(*, pbx: Pbx, event: CallEventIn) -> bool:
    """Record the event unless it was recorded before (one statement, no
    savepoint: ON CONFLICT DO NOTHING, PostgreSQL and SQLite alike)."""
    table = CallEvent._meta.db_table
    json_param = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (pbx_id, call_id, kind, agent_extension, occurred_at, "  # noqa: S608
            f"received_at, payload) VALUES (%s, %s, %s, %s, %s, %s, {json_param}) "
            "ON CONFLICT (pbx_id, call_id, kind, agent_extension) DO NOTHING RETURNING id",
            [
                pbx.pk,
                event.call_id,
                event.kind,
                event.agent_extension,
                bulk.db_value(event.at),
                bulk.db_value(timezone.now()),
                json.dumps(event.payload, ensure_ascii=False),
            ],
        )
        return cursor.fetchone() is not None


def _fill_numbers(call: Call, event: CallEventIn) -> None:
    if event.caller and not call.caller_raw:
        call.caller_raw = event.caller
        call.caller = normalize_phone(event.caller) or ""
    if event.called and not call.called_raw:
        call.called_raw = event.called
        call.called = normalize_phone(event.called) or ""
        call.property = selectors.property_for_number(call.called)
    if call.property_id is None and call.pbx.property_id:
        call.property_id = call.pbx.property_id


def _call_ringing(call: Call, event: CallEventIn, *, is_new: bool) -> list[ScreenPop]:
    _fill_numbers(call, event)
    if call.rang_at is None or event.at < call.rang_at:
        call.rang_at = event.at
    if call.outcome != CallOutcome.RINGING or call.property is None:
        return []  # answered elsewhere already, or a number no hotel owns
    if event.agent_extension:
        agent = selectors.agent_for_extension(event.agent_extension)
        targets = [agent] if agent is not None else []
    else:  # a ring group: every online agent of the hotel
        targets = list(selectors.online_agents_for_property(call.property))
    targets = [a for a in targets if selectors.agent_serves(a, call.property)]
    if len(targets) == 1 and call.agent_id is None:
        call.agent = targets[0]
    if call.guest_id is None and call.caller:
        matches = selectors.guests_for_caller(call.caller, property_ids=[call.property_id])
        if len(matches) == 1:
            call.guest = matches[0]
    existing = set() if is_new else set(call.screen_pops.values_list("agent_id", flat=True))
    return [ScreenPop(agent=a) for a in targets if a.pk not in existing]


def _call_answered(call: Call, event: CallEventIn) -> None:
    _fill_numbers(call, event)
    call.answered_at = call.answered_at or event.at
    if call.ended_at:  # a late or retried "answered" after the hang-up
        call.outcome = CallOutcome.COMPLETED
        call.duration_seconds = max(0, int((call.ended_at - call.answered_at).total_seconds()))
    else:
        call.outcome = CallOutcome.ANSWERED
    if event.agent_extension:
        agent = selectors.agent_for_extension(event.agent_extension)
        if agent is not None:
            call.agent = agent


def _call_hung_up(call: Call, event: CallEventIn) -> None:
    _fill_numbers(call, event)
    call.ended_at = call.ended_at or event.at
    if call.answered_at:
        call.outcome = CallOutcome.COMPLETED
        call.duration_seconds = max(0, int((call.ended_at - call.answered_at).total_seconds()))
    else:
        call.outcome = CallOutcome.MISSED
        call.duration_seconds = 0


def _publish_on_commit(call: Call, pops: list[ScreenPop]) -> None:
    from guestview import cards  # presentation: imported late, it imports the views' templates

    def send() -> None:
        for pop in pops:
            cards.publish_screenpop(pop)
        if not pops:
            cards.publish_call_state(call)

    # robust: a failed push must not turn a recorded event into an error for the
    # PBX; the pop is in the database and reaches the console on replay.
    transaction.on_commit(send, robust=True)


def call_identify(*, call: Call, guest: Guest) -> Call:
    """The agent picked the caller from the pick list (or created them)."""
    from channels_inbox.services import call_guest_identified

    call.guest = guest
    call.save(update_fields=["guest"])
    call_guest_identified(call=call)
    return call


# A card opened later (from the missed-calls list, the next morning) is not
# recognition: only a sighting this soon after the ring counts for the KPI.
RECOGNITION_WINDOW = timedelta(minutes=10)


def call_card_seen(*, call: Call, at: datetime | None = None) -> Call:
    """The card of this call was first rendered in a browser: guest
    recognition time = that moment − ring. Only the first sighting counts."""
    at = at or timezone.now()
    recognition_ms = None
    if call.rang_at and timedelta(0) <= at - call.rang_at <= RECOGNITION_WINDOW:
        recognition_ms = int((at - call.rang_at).total_seconds() * 1000)
    updated = Call.objects.filter(pk=call.pk, card_seen_at__isnull=True).update(
        card_seen_at=at, recognition_ms=recognition_ms
    )
    if updated:
        call.refresh_from_db(fields=["card_seen_at", "recognition_ms"])
    return call


def screenpop_delivered(*, pop_ids: Iterable[int]) -> None:
    ScreenPop.objects.filter(pk__in=list(pop_ids), delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )


def screenpop_dismiss(*, pop: ScreenPop) -> ScreenPop:
    if pop.dismissed_at is None:
        pop.dismissed_at = timezone.now()
        pop.save(update_fields=["dismissed_at"])
    return pop


def agent_ui_language_set(*, agent: AgentProfile, language: str) -> None:
    if language != agent.ui_language:
        agent.ui_language = language
        agent.save(update_fields=["ui_language"])
        selectors.forget_routing_caches()  # pops render in the cached agent's language


def note_text_check(text: str) -> str:
    """Every free text an agent writes (guest notes, conversation notes, lead
    notes, call summaries) passes here before it is stored: empty is refused,
    and so is anything the KVKK guardrail finds (consent.services.NoteRefused,
    which names the category and where). Returns the text to store."""
    from consent.services import note_guard

    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The note is empty."))
    return note_guard(text)


def _note_part_check(value: str, field: str) -> str:
    """One free part of a note through note_text_check; a refusal names the
    field (``exc.field``) for the form to mark."""
    if not (value or "").strip():
        return ""
    try:
        return note_text_check(value)
    except ValidationError as exc:
        exc.field = field
        raise


def guest_note_add(
    *,
    guest: Guest,
    author: AbstractBaseUser,
    text: str,
    kind: str = NoteKind.INFO,
    next_step: str = NextStep.NONE,
    due_at: datetime | None = None,
    call: Call | None = None,
    arrival: date | None = None,
    departure: date | None = None,
    adults: int | None = None,
    children: int | None = None,
    room_wish: str = "",
) -> GuestNote:
    """The only way a note is written: free text and the request's
    structured part, the free parts through the KVKK guardrail. A request
    or complaint stays open until its follow-up is done."""
    text = _note_part_check(text, "text")
    room_wish = _note_part_check(room_wish, "room_wish")
    if not text and not (arrival or departure or adults is not None or children or room_wish):
        raise ValidationError(_("Write the note before saving."))
    if kind not in NoteKind.values:
        raise ValidationError(_("Unknown note kind %(kind)s."), params={"kind": kind})
    if next_step not in NextStep.values:
        raise ValidationError(_("Unknown next step %(step)s."), params={"step": next_step})
    note = GuestNote(
        guest=guest,
        author=author,
        text=text,
        kind=kind,
        next_step=next_step,
        due_at=due_at,
        call=call,
        arrival=arrival,
        departure=departure,
        adults=adults,
        children=children,
        room_wish=room_wish,
        is_open=kind in (NoteKind.REQUEST, NoteKind.COMPLAINT) or bool(next_step),
    )
    note.full_clean()
    note.save()
    return note


def guest_note_close(*, note: GuestNote) -> GuestNote:
    note.is_open = False
    note.save(update_fields=["is_open"])
    return note


def call_journal_record(
    *,
    pbx: Pbx,
    call_id: str,
    direction: str,
    outcome: str,
    number: str,
    agent_extension: str = "",
    started_at: datetime,
    ended_at: datetime | None = None,
    duration_seconds: int | None = None,
    payload: dict | None = None,
) -> CallEventResult:
    """A PBX's after-the-call journal entry (3CX ReportCall): creates or
    completes the Call with its final outcome. Once per call."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                CallEvent.objects.create(
                    pbx=pbx,
                    call_id=call_id,
                    kind=CallEventKind.REPORT,
                    agent_extension=agent_extension,
                    occurred_at=ended_at or started_at,
                    payload=payload or {},
                )
        except IntegrityError:
            return CallEventResult(
                call=Call.objects.filter(pbx=pbx, call_id=call_id).first(), duplicate=True
            )
        if direction not in CallDirection.values or outcome not in CallOutcome.values:
            raise ValidationError(_("Unknown call direction or outcome."))
        call = Call.objects.select_for_update().filter(pbx=pbx, call_id=call_id).first()
        if call is None:
            call = Call(pbx=pbx, call_id=call_id)
        call.direction = direction
        call.outcome = outcome
        if direction == CallDirection.OUTBOUND and number and not call.called_raw:
            call.called_raw = number  # the guest we called
            call.called = normalize_phone(number) or ""
        elif number and not call.caller_raw:
            call.caller_raw = number
            call.caller = normalize_phone(number) or ""
        if call.property_id is None and pbx.property_id:
            call.property_id = pbx.property_id
        call.rang_at = call.rang_at or started_at
        call.ended_at = call.ended_at or ended_at
        if outcome in (CallOutcome.ANSWERED, CallOutcome.COMPLETED) and call.answered_at is None:
            call.answered_at = started_at
        if duration_seconds is not None:
            call.duration_seconds = duration_seconds
        if agent_extension and call.agent_id is None:
            call.agent = selectors.agent_for_extension(agent_extension)
        guest_number = call.called if direction == CallDirection.OUTBOUND else call.caller
        if call.guest_id is None and guest_number and call.property_id:
            matches = selectors.guests_for_caller(guest_number, property_ids=[call.property_id])
            if len(matches) == 1:
                call.guest = matches[0]
        call.save()
        if call.ended_at or outcome in (CallOutcome.MISSED, CallOutcome.NOT_ANSWERED):
            _call_to_inbox(call)
    return CallEventResult(call=call, duplicate=False)


def holidays_load(*, years: Iterable[int]) -> int:
    """Add Turkey's national holidays of these years (guestview.calendar);
    rows already there, perhaps edited by an admin, are kept. How many were
    added."""
    from guestview.calendar import turkish_public_holidays

    existing = set(Holiday.objects.filter(property__isnull=True).values_list("date", flat=True))
    new = [
        Holiday(date=date, name=name[:120], off_from=off_from)
        for date, name, off_from in turkish_public_holidays(years)
        if date not in existing
    ]
    Holiday.objects.bulk_create(new)
    return len(new)


@dataclass(frozen=True)
class AlertDraft:
    user_id: int
    kind: str
    title: str
    url: str = ""
    property_id: int | None = None
    subject: str = ""


def alert_send(
    *,
    users: Iterable[AbstractBaseUser],
    kind: str,
    title: str,
    url: str = "",
    property_id: int | None = None,
    subject: str = "",
) -> list[Alert]:
    """Tell these people (see alerts_send)."""
    return alerts_send([AlertDraft(u.pk, kind, title, url, property_id, subject) for u in users])


def alerts_send(drafts: Iterable[AlertDraft]) -> list[Alert]:
    """Tell people at once (a toast on their open consoles, after commit, in
    one Redis round trip) and keep it under their bell until read. With a
    ``subject`` one event alerts a person once however often it is sent (a
    rescan, a retried task). Two statements for any number of alerts (the
    SLA scan sends thousands). The alerts that were new."""
    drafts = list({(d.user_id, d.kind, d.subject or id(d)): d for d in drafts}.values())
    for draft in drafts:
        if draft.kind not in AlertKind.values:
            raise ValueError(f"unknown alert kind {draft.kind!r}")
    if not drafts:
        return []
    now = timezone.now()
    inserted = bulk.insert_many(
        Alert._meta.db_table,
        [("recipient_id", "integer"), ("property_id", "bigint"), ("kind", "varchar"),
         ("title", "varchar"), ("url", "varchar"), ("subject", "varchar"),
         ("created_at", "timestamptz")],
        [(d.user_id, d.property_id, d.kind, d.title[:200], d.url[:300], d.subject, now)
         for d in drafts],
        # alert_once_per_subject is a partial unique index: name its predicate.
        suffix="ON CONFLICT (recipient_id, kind, subject) WHERE NOT (subject = '') "
        "DO NOTHING RETURNING id, recipient_id, kind, subject, title, url, property_id",
    )  # fmt: skip
    fresh = [
        Alert(pk=pk, recipient_id=user_id, kind=kind, subject=subject, created_at=now,
              title=title, url=url, property_id=property_id)
        for pk, user_id, kind, subject, title, url, property_id in inserted
    ]  # fmt: skip
    if not fresh:
        return []
    profiles = dict(
        AgentProfile.objects.filter(user_id__in={a.recipient_id for a in fresh}).values_list(
            "user_id", "pk"
        )
    )
    labels = {kind: str(label) for kind, label in AlertKind.choices}
    events = [
        (profiles[a.recipient_id], cards.alert_toast(a, kind_label=labels[a.kind]))
        for a in fresh
        if a.recipient_id in profiles
    ]
    transaction.on_commit(lambda: push.publish_many(events, event="alert"), robust=True)
    return fresh


def alerts_mark_read(*, user: AbstractBaseUser) -> int:
    """The bell's "mark all read"."""
    return Alert.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
