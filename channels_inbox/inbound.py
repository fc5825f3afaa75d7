"""Inbound writes of the inbox. A webhook body is stored first
(inbound_store) and answered at once; the drain (inbound_drain, a Celery
task queued once per burst) then applies the pending bodies, oldest first,
in batches: every message into the open conversation of its contact on its
account, opening one and linking the guest when there is none.

A batch takes the common case — bodies holding only guest messages — in a
fixed number of queries whatever its size (make bench-ingest); any other
body (delivery statuses, echoes, Booking.com, web chat) goes through
inbound_process one by one, as does a batch that met a concurrent writer.
Both paths apply a message with the same function (_guest_wrote).

Nothing is lost: a body stays pending until it is processed; if the worker
or Redis was down when it came, the sweeper (beat) drains it later. A
duplicate delivery is one message: (account, external id) is unique.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from channels_inbox import live, queueing
from channels_inbox.channels.base import InboundMessage, MalformedPayload, StatusUpdate
from channels_inbox.models import (
    DELIVERY_RANK,
    PRIORITY_RANK,
    ChannelAccount,
    ChannelKind,
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    InboundPayload,
    Message,
    MessageKind,
    PayloadStatus,
    Priority,
    TriageCorrection,
)
from channels_inbox.triage import triage
from guestview import bulk
from guestview.identity import name_search_key
from guestview.models import ContactKind, ContactPoint, Guest, Language
from kpi.models import EventKind
from kpi.services import KpiFact, kpi_events_record

logger = logging.getLogger(__name__)

# A pending body is given up (failed) after this many attempts.
MAX_ATTEMPTS = 5
# Bodies one batch takes; its queries do not grow with it, its memory does.
BATCH_SIZE = 200
# The drain gives the worker back after this long and queues itself again.
DRAIN_BUDGET_SECONDS = 20


class StatusBeforeMessage(Exception):
    """A status arrived for a message we have not recorded yet (the API's
    answer and the webhook raced): the payload is tried again later."""


def inbound_store(
    *,
    source: str,
    body: str,
    account: ChannelAccount | None = None,
    error: str = "",
) -> InboundPayload:
    """Keep a webhook body before anything else. A body with ``error`` is kept
    as rejected, for inspection; any other waits for the drain, which is
    queued after commit (if the queue is down, the sweeper finds the body)."""
    payload = InboundPayload.objects.create(
        source=source,
        account=account,
        body=body,
        status=PayloadStatus.REJECTED if error else PayloadStatus.PENDING,
        error=error,
    )
    if not error:
        transaction.on_commit(schedule_drain)
    return payload


def schedule_drain() -> None:
    from channels_inbox.tasks import inbound_drain as task

    queueing.enqueue_once(task)


def _due() -> Q:
    return Q(status=PayloadStatus.PENDING) & (
        Q(retry_at__isnull=True) | Q(retry_at__lte=timezone.now())
    )


def inbound_drain(
    *, batch_size: int = BATCH_SIZE, budget_seconds: float = DRAIN_BUDGET_SECONDS
) -> tuple[int, bool]:
    """Process pending bodies, batch after batch, until none is due or the
    budget is spent. How many bodies were taken, and whether more are due."""
    deadline = time.monotonic() + budget_seconds
    taken = 0
    while True:
        n = inbound_batch_process(limit=batch_size)
        taken += n
        if n < batch_size:
            return taken, False
        if time.monotonic() > deadline:
            return taken, True


def inbound_batch_process(*, limit: int = BATCH_SIZE) -> int:
    """One batch of due bodies, oldest first, in one transaction. Bodies
    locked by another worker are skipped (it has them). How many it took."""
    with transaction.atomic():
        payloads = list(
            InboundPayload.objects.select_for_update(skip_locked=True)
            .filter(_due())
            .order_by("received_at", "id")[:limit]
        )
        if not payloads:
            return 0
        simple: list[tuple[InboundPayload, list[InboundMessage]]] = []
        one_by_one: list[InboundPayload] = []
        rejected: list[InboundPayload] = []
        for payload in payloads:
            if payload.source not in _BATCHED_SOURCES:
                one_by_one.append(payload)
                continue
            try:
                events = _parse(payload)
            except MalformedPayload as exc:
                payload.attempts += 1
                payload.status, payload.error = PayloadStatus.REJECTED, str(exc)
                rejected.append(payload)
                continue
            if all(isinstance(e, InboundMessage) and not e.is_echo for e in events):
                simple.append((payload, events))
            else:
                one_by_one.append(payload)
        for payload in rejected:
            _payload_finish(payload)
        if simple:
            try:
                with transaction.atomic():
                    _apply_batch(simple)
            except Exception:
                # A concurrent worker opened the same conversation or stored
                # the same message (or a deadlock), or one body meets a defect:
                # one by one sorts the rest out and keeps that body apart.
                logger.warning("batch of %d failed; one by one", len(simple), exc_info=True)
                one_by_one.extend(payload for payload, _events in simple)
        for payload in one_by_one:
            try:
                with transaction.atomic():
                    inbound_process(payload_id=payload.pk)
            except Exception as exc:  # a defect: keep the body, try later, then give up
                logger.exception("inbound payload %s could not be processed", payload.pk)
                payload.refresh_from_db()  # what a failed batch did to it was rolled back
                payload.attempts += 1
                payload.error = f"{type(exc).__name__}: {exc}"[:2000]
                _payload_finish(payload)
    return len(payloads)


# Sources whose bodies are parsed without a database read (see _parse).
_BATCHED_SOURCES = {ChannelKind.WHATSAPP, ChannelKind.INSTAGRAM, ChannelKind.MESSENGER}


def _payload_finish(payload: InboundPayload) -> None:
    """Save the outcome of an attempt; a body still pending waits a while
    (longer each time) and fails after MAX_ATTEMPTS."""
    now = timezone.now()
    if payload.status == PayloadStatus.PENDING:
        if payload.attempts >= MAX_ATTEMPTS:
            payload.status = PayloadStatus.FAILED
        else:
            payload.retry_at = now + timedelta(seconds=30 * 2 ** max(payload.attempts - 1, 0))
    if payload.status != PayloadStatus.PENDING:
        payload.processed_at = now
        payload.retry_at = None
    payload.save(update_fields=["status", "error", "attempts", "retry_at", "processed_at"])


def inbound_process(*, payload_id: int) -> InboundPayload | None:
    """Apply one stored body: every message and status in it, all or nothing.
    Safe to run twice and from two workers at once (the row is locked; a
    duplicate delivery is one message). A malformed body is marked rejected;
    a status that came before its message leaves it pending for a later
    attempt. None when there was nothing to do."""
    with transaction.atomic():
        payload = (
            InboundPayload.objects.select_for_update(skip_locked=True)
            .filter(pk=payload_id, status=PayloadStatus.PENDING)
            .first()
        )
        if payload is None:
            return None
        payload.attempts += 1
        try:
            with transaction.atomic():
                for event in _parse(payload):
                    if isinstance(event, StatusUpdate):
                        message_status_apply(source=payload.source, update=event)
                    else:
                        message_receive(source=payload.source, incoming=event)
        except MalformedPayload as exc:
            payload.status, payload.error = PayloadStatus.REJECTED, str(exc)
        except (StatusBeforeMessage, ChannelAccount.DoesNotExist) as exc:
            payload.error = str(exc)
        else:
            payload.status, payload.error = PayloadStatus.PROCESSED, ""
        _payload_finish(payload)
    return payload


def _parse(payload: InboundPayload) -> list[InboundMessage | StatusUpdate]:
    from channels_inbox.channels import booking, meta, webchat, whatsapp

    try:
        data = json.loads(payload.body)
    except ValueError as exc:
        raise MalformedPayload(f"not JSON: {exc}") from None
    if payload.source == ChannelKind.WHATSAPP:
        parse = whatsapp.parse
    elif payload.source in (ChannelKind.INSTAGRAM, ChannelKind.MESSENGER):
        parse = meta.parse
    elif payload.source == ChannelKind.WEBCHAT:
        parse = webchat.parse
    elif payload.source == ChannelKind.BOOKING:
        # The queue is the machine account's; messages name no property, the
        # account that pulled them does.
        account_external_id = payload.account.external_id if payload.account else ""
        parse = partial(booking.parse, account_external_id=account_external_id)
    else:
        raise MalformedPayload(f"unknown source {payload.source!r}")
    try:
        return parse(data)
    except MalformedPayload:
        raise
    except Exception as exc:
        # The parsers read no database: whatever they raise is about this body
        # (a "profile" that is a string, "messages": 5), which is kept as
        # rejected rather than retried with the others of its batch.
        raise MalformedPayload(f"not in the documented shape: {type(exc).__name__}: {exc}") from exc


def _account(source: str, external_id: str) -> ChannelAccount:
    try:
        return ChannelAccount.objects.select_related("property").get(
            kind=source, external_id=external_id, is_active=True
        )
    except ChannelAccount.DoesNotExist:
        raise ChannelAccount.DoesNotExist(
            f"no active {source} account {external_id!r}: add it in admin"
        ) from None


# --- one message at a time ------------------------------------------------------------


def message_receive(*, source: str, incoming: InboundMessage) -> Message | None:
    """One guest message into the open conversation of that contact on that
    account (opening one). None when it was delivered before. Runs inside the
    caller's transaction (inbound_process's), which the conversation row is
    locked for."""
    account = _account(source, incoming.account_external_id)
    if Message.objects.filter(account=account, external_id=incoming.external_id).exists():
        return None
    conversation = conversation_for_contact(
        account=account,
        contact_key=incoming.contact_key,
        contact_kind=incoming.contact_kind,
        contact_name=incoming.contact_name,
        at=incoming.sent_at,
        thread_id=incoming.thread_id,
    )
    message = _message_for(conversation, account, incoming)
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return None  # the same delivery, processed at the same moment elsewhere
    if incoming.is_echo:
        from channels_inbox.services import _conversation_replied

        _conversation_replied(conversation, message, agent=None)
        return message
    existed = conversation.last_inbound_at is not None
    corrected = _corrected_fields([conversation.pk])[conversation.pk] if existed else set()
    fields = _guest_wrote(conversation, message, corrected=corrected)
    sla_fields, plan = sla_plan_apply(conversation)
    conversation.save(update_fields=sorted(fields | sla_fields))
    sla_clocks_sync([plan])
    kpi_events_record([_received_fact(conversation, message)])
    live.conversation_changed(conversation, new_message=True)
    if conversation.assigned_to_id is None:
        schedule_assignment(conversation.property_id)
    return message


def conversation_for_contact(
    *,
    account: ChannelAccount,
    contact_key: str,
    contact_kind: str,
    contact_name: str = "",
    at: datetime | None = None,
    thread_id: str = "",
) -> Conversation:
    """The open conversation of this contact on this account, locked for the
    caller's transaction; opened (and linked to the guest) when there is none."""
    open_ = Conversation.objects.select_for_update().filter(
        channel=account.kind,
        account=account,
        contact_key=contact_key,
        status=ConversationStatus.OPEN,
    )
    conversation = open_.first()
    if conversation is not None:
        if contact_name and not conversation.contact_name:
            conversation.contact_name = contact_name[:200]
            conversation.save(update_fields=["contact_name"])
        return conversation
    guest = guests_for_contacts(
        property_id=account.property_id, kind=contact_kind, names={contact_key: contact_name}
    )[contact_key]
    conversation = _conversation_for(account, contact_key, contact_name, at, thread_id, guest)
    try:
        with transaction.atomic():
            conversation.save(force_insert=True)
    except IntegrityError:  # opened by a concurrent delivery a moment ago
        return open_.get()
    return conversation


_PHONE_KINDS = [ContactKind.PHONE, ContactKind.WHATSAPP]
# An Instagram handle's display name is not enough to make a guest.
_CREATES_GUESTS = {ContactKind.WHATSAPP, ContactKind.EMAIL, ContactKind.PHONE}


def guests_for_contacts(
    *, property_id: int, kind: str, names: dict[str, str]
) -> dict[str, Guest | None]:
    """The guest each contact (normalized value → name on the channel)
    belongs to, through the normalized identifiers of guestview (a WhatsApp
    number is the same E.164 the phone rings with). An unknown number or
    address with a name becomes a new guest, so a later call from it pops
    their card; a number shared by a family is left for the agent to pick."""
    kinds = _PHONE_KINDS if kind in _PHONE_KINDS else [kind]
    owners: dict[str, set[int]] = defaultdict(set)
    for value, guest_id in ContactPoint.objects.filter(
        kind__in=kinds, value__in=list(names), guest__property_id=property_id
    ).values_list("value", "guest_id"):
        owners[value].add(guest_id)
    known = Guest.objects.in_bulk([min(ids) for ids in owners.values() if len(ids) == 1])
    found: dict[str, Guest | None] = {}
    new: dict[str, Guest] = {}
    for value, name in names.items():
        ids = owners.get(value, set())
        if len(ids) == 1:
            found[value] = known[min(ids)]
        elif ids or not name.strip() or kind not in _CREATES_GUESTS:
            found[value] = None
        else:
            first, _sep, last = name.strip().partition(" ")
            new[value] = Guest(
                property_id=property_id,
                first_name=first[:80],
                last_name=last[:80],
                # Guest.save() keeps this in step; bulk_create does not call it.
                search_name=name_search_key(first[:80], last[:80]),
            )
    if new:
        Guest.objects.bulk_create(new.values())
        ContactPoint.objects.bulk_create(
            ContactPoint(guest=guest, kind=kind, raw_value=value, value=value)
            for value, guest in new.items()
        )
        found.update(new)
    return found


def _conversation_for(account, contact_key, contact_name, at, thread_id, guest) -> Conversation:
    return Conversation(
        property=account.property,
        account=account,
        channel=account.kind,
        contact_key=contact_key,
        contact_name=contact_name[:200],
        external_thread_id=thread_id,
        guest=guest,
        created_at=at or timezone.now(),
    )


def _message_for(conversation, account, incoming: InboundMessage) -> Message:
    return Message(
        conversation=conversation,
        account=account,
        direction=Direction.OUT if incoming.is_echo else Direction.IN,
        kind=incoming.kind,
        external_id=incoming.external_id,
        text=incoming.text,
        attachments=incoming.attachments,
        status=DeliveryStatus.SENT if incoming.is_echo else DeliveryStatus.RECEIVED,
        sent_at=incoming.sent_at,
    )


def _received_fact(conversation: Conversation, message: Message) -> KpiFact:
    return KpiFact(
        kind=EventKind.MESSAGE_RECEIVED,
        at=message.sent_at,
        property=conversation.property_id,
        channel=conversation.channel,
        subject=f"message:{message.pk}",
    )


def _corrected_fields(conversation_ids) -> dict[int, set[str]]:
    """What the agents corrected on these conversations (triage keeps off it)."""
    corrected: dict[int, set[str]] = defaultdict(set)
    for conversation_id, field in TriageCorrection.objects.filter(
        conversation_id__in=conversation_ids
    ).values_list("conversation_id", "field"):
        corrected[conversation_id].add(field)
    return corrected


def schedule_assignment(property_id: int) -> None:
    """After commit, the hotel's waiting conversations go to its agents (one
    assigner run per burst)."""
    from channels_inbox.tasks import assign_waiting as task

    transaction.on_commit(lambda: queueing.enqueue_once(task, property_id))


def _guest_wrote(conversation: Conversation, message: Message, *, corrected: set[str]) -> set[str]:
    """Apply one guest message to the conversation in memory: the thread's
    times and preview, triage, the wait. The fields it changed, for the
    caller to save (with the SLA plan, sla_plan_apply)."""
    at = message.sent_at
    first = conversation.last_inbound_at is None
    fields = {"last_inbound_at", "last_message_at", "last_message_preview"}
    if conversation.last_inbound_at is None or at > conversation.last_inbound_at:
        conversation.last_inbound_at = at
    if conversation.last_message_at is None or at >= conversation.last_message_at:
        conversation.last_message_at = at
        conversation.last_message_preview = _preview(message)
    if message.text and message.kind != MessageKind.REACTION:
        _apply_triage(conversation, message, first=first, corrected=corrected)
        fields |= {"language", "scenario", "priority", "triaged"}
    if conversation.waiting_since is None:
        conversation.waiting_since = at
        conversation.missed_at = None
        fields |= {"waiting_since", "missed_at"}
    return fields


def _preview(message: Message) -> str:
    if message.text:
        return message.text[:160]
    return str(MessageKind(message.kind).label) if message.kind in MessageKind.values else ""


def _apply_triage(
    conversation: Conversation, message: Message, *, first: bool, corrected: set[str]
) -> None:
    """The first message sets language, scenario and priority; a later one can
    only raise the priority (a complaint after a question), and nothing the
    agent corrected is overwritten."""
    result = triage(message.text, received_at=message.sent_at)
    if first or not conversation.triaged:
        conversation.triaged = {
            "language": result.language,
            "scenario": result.scenario,
            "priority": result.priority,
            "message": message.pk,
        }
        if "language" not in corrected:
            conversation.language = result.language
        if "scenario" not in corrected:
            conversation.scenario = result.scenario
        if "priority" not in corrected:
            conversation.priority = result.priority
        return
    if "priority" not in corrected and (
        PRIORITY_RANK[Priority(result.priority)] < PRIORITY_RANK[Priority(conversation.priority)]
    ):
        conversation.priority = result.priority
        if "scenario" not in corrected:
            conversation.scenario = result.scenario
    if conversation.language == Language.OTHER and "language" not in corrected:
        conversation.language = result.language


def sla_plan_apply(conversation: Conversation) -> tuple[set[str], object]:
    """The conversation's SLA deadlines from its state (leads.sla: policy,
    season, business hours), put on it: the fields changed and the plan,
    for leads.sla.clocks_sync once the row is saved."""
    from leads import sla  # leads builds on the inbox; the SLA engine is theirs

    plan = sla.conversation_plan(conversation)
    return set(sla.conversation_apply(conversation, plan)), plan


def sla_clocks_sync(plans) -> None:
    from leads import sla

    sla.clocks_sync(plans)


def message_status_apply(*, source: str, update: StatusUpdate) -> bool:
    """Move an outbound message's status forward (never back: webhooks come
    in any order). True when it changed."""
    account = _account(source, update.account_external_id)
    message = (
        Message.objects.select_for_update()
        .filter(account=account, external_id=update.external_id)
        .first()
    )
    if message is None:
        raise StatusBeforeMessage(f"{update.status} for unknown message {update.external_id}")
    new = DeliveryStatus(update.status)
    if DELIVERY_RANK.get(DeliveryStatus(message.status), -1) >= DELIVERY_RANK[new]:
        return False
    message.status = new
    message.status_at = update.at
    if update.error:
        message.error = update.error
    message.save(update_fields=["status", "status_at", "error"])
    live.message_status_changed(message)
    return True


# --- a batch at a time ----------------------------------------------------------------


def _apply_batch(batch: list[tuple[InboundPayload, list[InboundMessage]]]) -> None:
    """Guest messages of many bodies in a fixed number of queries: accounts,
    known messages, open conversations (locked, in id order), guests of new
    contacts, then one insert of conversations, one of messages, one update
    of conversations, one insert of KPI events, one update of the bodies.
    Rows are inserted in a fixed order so two workers never deadlock; a
    conflict with one raises IntegrityError for the caller to go one by one."""
    wanted = {(p.source, m.account_external_id) for p, events in batch for m in events}
    accounts = {
        (a.kind, a.external_id): a
        for a in ChannelAccount.objects.select_related("property").filter(
            kind__in={kind for kind, _id in wanted},
            external_id__in={external_id for _kind, external_id in wanted},
            is_active=True,
        )
    }
    done: list[InboundPayload] = []
    incoming: list[tuple[ChannelAccount, InboundMessage]] = []
    for payload, events in batch:
        missing = [m for m in events if (payload.source, m.account_external_id) not in accounts]
        payload.attempts += 1
        if missing:
            payload.error = (
                f"no active {payload.source} account {missing[0].account_external_id!r}: "
                "add it in admin"
            )
            _payload_finish(payload)
            continue
        done.append(payload)
        incoming += [(accounts[(payload.source, m.account_external_id)], m) for m in events]

    known = set(
        Message.objects.filter(
            account__in={a.pk for a, _m in incoming},
            external_id__in={m.external_id for _a, m in incoming},
        ).values_list("account_id", "external_id")
    )
    threads: dict[tuple[int, str], list[InboundMessage]] = defaultdict(list)
    account_of: dict[tuple[int, str], ChannelAccount] = {}
    for account, message in incoming:
        if (account.pk, message.external_id) in known:
            continue  # delivered before
        known.add((account.pk, message.external_id))
        threads[(account.pk, message.contact_key)].append(message)
        account_of[(account.pk, message.contact_key)] = account

    conversations = _open_conversations(threads, account_of)
    messages: list[Message] = []
    for key in sorted(threads):
        thread = sorted(threads[key], key=lambda m: m.sent_at)
        threads[key] = thread
        messages += [_message_for(conversations[key], account_of[key], m) for m in thread]
    Message.objects.bulk_create(messages)

    existing = [c.pk for key, c in conversations.items() if c.last_inbound_at is not None]
    corrected = _corrected_fields(existing)
    fields = {"contact_name"}  # _open_conversations fills a missing one
    facts = []
    for message in messages:
        conversation = message.conversation
        fields |= _guest_wrote(conversation, message, corrected=corrected[conversation.pk])
        facts.append(_received_fact(conversation, message))
    touched = list(conversations.values())
    plans = []
    for conversation in touched:
        sla_fields, plan = sla_plan_apply(conversation)
        plans.append(plan)
        fields |= sla_fields
    bulk.update_many(Conversation, touched, sorted(fields))
    sla_clocks_sync(plans)
    kpi_events_record(facts)
    InboundPayload.objects.filter(pk__in=[p.pk for p in done]).update(
        status=PayloadStatus.PROCESSED,
        error="",
        attempts=F("attempts") + 1,
        retry_at=None,
        processed_at=timezone.now(),
    )
    live.conversations_changed(touched, new_message=True)
    for property_id in sorted({c.property_id for c in touched if c.assigned_to_id is None}):
        schedule_assignment(property_id)


def _open_conversations(threads, account_of) -> dict[tuple[int, str], Conversation]:
    """The open conversation of every (account, contact), locked, its
    missing contact name filled (as conversation_for_contact does); the
    missing ones opened, with their guests."""
    if not threads:
        return {}
    found = {
        (c.account_id, c.contact_key): c
        for c in Conversation.objects.select_for_update()
        .filter(
            status=ConversationStatus.OPEN,
            account__in={account_id for account_id, _key in threads},
            contact_key__in={key for _account_id, key in threads},
        )
        .order_by("id")
        if (c.account_id, c.contact_key) in threads
    }
    for key, conversation in found.items():
        conversation.account = account_of[key]
        if not conversation.contact_name:
            conversation.contact_name = _contact_name(threads[key])[:200]
    missing = sorted(key for key in threads if key not in found)
    by_contact: dict[tuple[int, str], dict[str, str]] = defaultdict(dict)
    for key in missing:
        first = threads[key][0]
        by_contact[(account_of[key].property_id, first.contact_kind)][first.contact_key] = (
            _contact_name(threads[key])
        )
    guests: dict[tuple[int, str], Guest | None] = {}
    for (property_id, kind), names in sorted(by_contact.items()):
        for value, guest in guests_for_contacts(
            property_id=property_id, kind=kind, names=names
        ).items():
            guests[(property_id, value)] = guest
    new = []
    for key in missing:
        account, thread = account_of[key], threads[key]
        name = by_contact[(account.property_id, thread[0].contact_kind)][thread[0].contact_key]
        new.append(
            _conversation_for(
                account, thread[0].contact_key, name, min(m.sent_at for m in thread),
                thread[0].thread_id, guests[(account.property_id, thread[0].contact_key)],
            )
        )  # fmt: skip
    Conversation.objects.bulk_create(new)
    found.update(((c.account_id, c.contact_key), c) for c in new)
    return found


def _contact_name(thread: list[InboundMessage]) -> str:
    return next((m.contact_name for m in thread if m.contact_name), "")


def inbound_sweep(*, older_than_seconds: int | None = None, limit: int = 500) -> list[int]:
    """Bodies due and still pending after a while (the worker or Redis was
    down when they came): their ids, oldest first."""
    age = (
        older_than_seconds if older_than_seconds is not None else settings.INBOX_SWEEP_AFTER_SECONDS
    )
    cutoff = timezone.now() - timedelta(seconds=age)
    return list(
        InboundPayload.objects.filter(_due(), received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
