"""Writes of the inbox, the agent's side: outbound (message_send checks what
may be sent and queues it; the message_deliver task talks to the channel),
notes, triage corrections, tags, closing, calls. Inbound writes live in
inbound.py, routing in routing.py.

Pushes to open consoles and Celery enqueues happen after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from channels_inbox import live, queueing
from channels_inbox.channels.base import Outgoing, SendError
from channels_inbox.inbound import (
    _preview,
    conversation_for_contact,
    schedule_assignment,
    sla_clocks_sync,
    sla_plan_apply,
)
from channels_inbox.models import (
    CannedReply,
    ChannelAccount,
    ChannelKind,
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    Outcome,
    Priority,
    Scenario,
    Tag,
    TriageCorrection,
    TriageField,
    WhatsAppTemplate,
)
from guestview import services as guest_services
from guestview.models import Call, ContactKind, ContactPoint, Guest, Language
from kpi.models import EventKind
from kpi.services import kpi_event_record

logger = logging.getLogger(__name__)


# --- outbound -------------------------------------------------------------------------


@dataclass(frozen=True)
class SendCheck:
    """Whether free text may go out now, and why not."""

    free_text: bool
    reason: str = ""


def send_check(conversation: Conversation) -> SendCheck:
    if conversation.status != ConversationStatus.OPEN:
        return SendCheck(False, _("The conversation is closed."))
    if conversation.channel == ChannelKind.PHONE:
        return SendCheck(False, _("This is a call: continue on WhatsApp to write to the guest."))
    if conversation.account_id is None:
        return SendCheck(False, _("No channel account to send through."))
    if not conversation.whatsapp_window_open:
        return SendCheck(
            False,
            _(
                "More than 24 hours since the guest's last WhatsApp message: WhatsApp "
                "allows only an approved template until the guest writes again."
            ),
        )
    return SendCheck(True)


@transaction.atomic
def message_send(
    *,
    conversation: Conversation,
    author: AbstractBaseUser,
    text: str = "",
    template: WhatsAppTemplate | None = None,
) -> Message:
    """Queue a reply to the guest on the conversation's channel. Free text
    needs an open WhatsApp window; a template needs to be approved."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    text = (text or "").strip()
    if template is not None:
        if conversation.channel != ChannelKind.WHATSAPP:
            raise ValidationError(_("Templates are sent on WhatsApp only."))
        if not template.is_approved or template.account_id != conversation.account_id:
            raise ValidationError(_("This template is not approved for this number."))
        if conversation.status != ConversationStatus.OPEN:
            raise ValidationError(_("The conversation is closed."))
        text = template.render(_guest_first_name(conversation))
    else:
        check = send_check(conversation)
        if not check.free_text:
            raise ValidationError(check.reason)
        if not text:
            raise ValidationError(_("Write the reply before sending."))
        if len(text) > 4096:
            raise ValidationError(_("A message is at most 4,096 characters."))
    message = Message.objects.create(
        conversation=conversation,
        account=conversation.account,
        direction=Direction.OUT,
        kind=MessageKind.TEMPLATE if template else MessageKind.TEXT,
        text=text,
        template_name=template.name if template else "",
        author=author,
        status=DeliveryStatus.QUEUED,
    )
    agent = getattr(author, "agent_profile", None)
    _conversation_replied(conversation, message, agent=agent)
    if template is not None:
        # Keep the template's language and parameters for the sender.
        message.attachments = [
            {
                "type": "template",
                "language": template.language,
                "params": [_guest_first_name(conversation)],
            }
        ]
        message.save(update_fields=["attachments"])
    from channels_inbox.tasks import message_deliver

    transaction.on_commit(lambda: queueing.enqueue(message_deliver, message.pk))
    return message


def _guest_first_name(conversation: Conversation) -> str:
    if conversation.guest_id:
        return conversation.guest.first_name
    return (conversation.contact_name or "").split(" ")[0]


def _conversation_replied(conversation: Conversation, message: Message, *, agent) -> None:
    """Our side answered: the guest no longer waits for what they wrote
    before the reply. First response and each reply are KPI events.

    A reply can be older than the guest's last message: the drain applies a
    batch's guest messages first and echoes (written in the channel's own
    app) after. Then the guest still waits, since their first message after
    the reply, and the reply clock runs on: the same as in order."""
    at = message.sent_at
    fields = {"waiting_since", "last_message_at", "last_message_preview"}
    since = conversation.waiting_since
    if conversation.last_inbound_at is None or at >= conversation.last_inbound_at:
        conversation.waiting_since = None
    elif since is not None and since <= at:
        first_after = conversation.messages.filter(
            direction=Direction.IN, sent_at__gt=at
        ).aggregate(first=Min("sent_at"))["first"]
        conversation.waiting_since = first_after or conversation.last_inbound_at
        conversation.missed_at = None  # a new wait, as _guest_wrote starts one
        fields.add("missed_at")
    ended = since is not None and conversation.waiting_since != since
    if conversation.last_message_at is None or at >= conversation.last_message_at:
        conversation.last_message_at = at
        conversation.last_message_preview = _preview(message)
    # An echo older than the thread's first guest message (the batch opened
    # the thread from a later one) was written first, not a response.
    if conversation.first_response_at is None and at >= conversation.created_at:
        conversation.first_response_at = at
        fields.add("first_response_at")
        kpi_event_record(
            kind=EventKind.FIRST_RESPONSE,
            at=at,
            property=conversation.property_id,
            channel=conversation.channel,
            agent=agent,
            subject=f"conversation:{conversation.pk}",
            seconds=(at - conversation.created_at).total_seconds(),
        )
    sla_fields, plan = sla_plan_apply(conversation)  # the reply clock stops (or moves on)
    conversation.save(update_fields=sorted(fields | sla_fields))
    sla_clocks_sync([plan])
    kpi_event_record(
        kind=EventKind.REPLY,
        at=at,
        property=conversation.property_id,
        channel=conversation.channel,
        agent=agent,
        subject=f"message:{message.pk}",
        seconds=(at - since).total_seconds() if ended else None,
    )
    live.conversation_changed(conversation, new_message=True)


def message_deliver(*, message: Message) -> Message:
    """Send a queued message through its channel's API. SendError with
    ``retry`` is raised for the task to try again; any other failure is
    final and shown on the message."""
    from channels_inbox.channels import adapter_for

    if message.status != DeliveryStatus.QUEUED:
        return message  # sent already (a retried task)
    conversation = message.conversation
    template = (message.attachments or [{}])[0] if message.template_name else {}
    outgoing = Outgoing(
        to=conversation.contact_key,
        text=message.text,
        template_name=message.template_name,
        template_language=template.get("language", ""),
        template_params=tuple(template.get("params", ())),
        thread_id=conversation.external_thread_id,
    )
    Message.objects.filter(pk=message.pk).update(send_attempts=F("send_attempts") + 1)
    try:
        external_id = adapter_for(message.account.kind).send(message.account, outgoing)
    except SendError as exc:
        if exc.retry and message.send_attempts + 1 < settings.CHANNEL_SEND_RETRIES:
            Message.objects.filter(pk=message.pk).update(error=str(exc)[:1000])
            raise
        return _message_failed(message, str(exc))
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        message.external_id = external_id
        if message.status == DeliveryStatus.QUEUED:
            message.status = DeliveryStatus.SENT
            message.status_at = timezone.now()
        message.error = ""
        message.save(update_fields=["external_id", "status", "status_at", "error"])
    live.message_status_changed(message)
    return message


def _message_failed(message: Message, error: str) -> Message:
    Message.objects.filter(pk=message.pk).update(
        status=DeliveryStatus.FAILED, status_at=timezone.now(), error=error[:1000]
    )
    message.refresh_from_db()
    live.message_status_changed(message)
    return message


def canned_reply_render(*, reply: CannedReply, conversation: Conversation, agent_name: str) -> str:
    """Fill a canned reply's variables for this conversation."""
    values = {
        "guest_name": _guest_first_name(conversation) or "",
        "hotel_name": conversation.property.name,
        "agent_name": agent_name,
    }
    text = reply.text
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


# --- the agent's hand -----------------------------------------------------------------


@transaction.atomic
def conversation_note_add(
    *, conversation: Conversation, author: AbstractBaseUser, text: str
) -> Message:
    """An internal note on the thread (never sent). It goes through the note
    service of guestview, where the KVKK guardrail checks every note."""
    text = guest_services.note_text_check(text)
    message = Message.objects.create(
        conversation=conversation,
        direction=Direction.NOTE,
        text=text,
        author=author,
        status=DeliveryStatus.RECEIVED,
    )
    live.conversation_changed(conversation, new_message=True)
    return message


def conversation_triage_correct(
    *, conversation: Conversation, by: AbstractBaseUser, **fields: str
) -> Conversation:
    """The agent knows better: store the correction (for triage accuracy) and
    re-rank the conversation."""
    allowed = {
        TriageField.LANGUAGE: Language.values,
        TriageField.SCENARIO: Scenario.values,
        TriageField.PRIORITY: Priority.values,
    }
    changed = []
    with transaction.atomic():
        for name, value in fields.items():
            if name not in allowed or value not in allowed[name]:
                raise ValidationError(
                    _("Unknown %(field)s %(value)s."), params={"field": name, "value": value}
                )
            current = getattr(conversation, name)
            if value == current:
                continue
            TriageCorrection.objects.create(
                conversation=conversation,
                field=name,
                predicted=conversation.triaged.get(name, current),
                corrected=value,
                by=by,
            )
            setattr(conversation, name, value)
            changed.append(name)
        if changed:
            sla_fields, plan = sla_plan_apply(conversation)  # a new priority, new targets
            conversation.save(update_fields=sorted({*changed, *sla_fields}))
            sla_clocks_sync([plan])
            live.conversation_changed(conversation)
    return conversation


def conversation_tags_set(*, conversation: Conversation, tags: list[Tag]) -> Conversation:
    conversation.tags.set([t for t in tags if t.is_active])
    live.conversation_changed(conversation)
    return conversation


def conversation_guest_link(*, conversation: Conversation, guest: Guest) -> Conversation:
    """The agent says who this is: the thread joins the guest's timeline, and
    the contact joins the guest's contact points for next time."""
    if guest.property_id != conversation.property_id:
        raise ValidationError(_("The guest belongs to another hotel."))
    with transaction.atomic():
        conversation.guest = guest
        conversation.save(update_fields=["guest"])
        kind = {
            ChannelKind.WHATSAPP: ContactKind.WHATSAPP,
            ChannelKind.INSTAGRAM: ContactKind.INSTAGRAM,
            ChannelKind.MESSENGER: ContactKind.MESSENGER,
            ChannelKind.PHONE: ContactKind.PHONE,
        }.get(conversation.channel)
        if kind:
            ContactPoint.objects.get_or_create(
                guest=guest,
                kind=kind,
                value=conversation.contact_key,
                defaults={"raw_value": conversation.contact_key},
            )
    live.conversation_changed(conversation)
    return conversation


def conversation_close(
    *, conversation: Conversation, by: AbstractBaseUser, outcome: str, summary: str = ""
) -> Conversation:
    """Close with an outcome. A call needs its short summary."""
    if outcome not in Outcome.values:
        raise ValidationError(_("Choose an outcome."))
    summary = (summary or "").strip()
    if conversation.channel == ChannelKind.PHONE and not summary:
        raise ValidationError(_("Write a short summary of the call before closing it."))
    if summary:
        summary = guest_services.note_text_check(summary)
    now = timezone.now()
    agent_id = conversation.assigned_to_id
    with transaction.atomic():
        updated = Conversation.objects.filter(
            pk=conversation.pk, status=ConversationStatus.OPEN
        ).update(
            status=ConversationStatus.CLOSED,
            outcome=outcome,
            summary=summary,
            closed_at=now,
            closed_by=by,
            waiting_since=None,
            sla_due_at=None,
            first_response_due_at=None,
            next_response_due_at=None,
            resolution_due_at=None,
        )
        if not updated:
            raise ValidationError(_("The conversation is already closed."))
        conversation.refresh_from_db()
        sla_clocks_sync([sla_plan_apply(conversation)[1]])  # every clock stops
        kpi_event_record(
            kind=EventKind.RESOLVED,
            at=now,
            property=conversation.property_id,
            channel=conversation.channel,
            agent=agent_id,
            subject=f"conversation:{conversation.pk}",
            seconds=(now - conversation.created_at).total_seconds(),
        )
        live.conversation_changed(conversation)
        if agent_id:  # the agent has room for the next one
            schedule_assignment(conversation.property_id)
    return conversation


def messages_stuck_ids(*, older_than_seconds: int = 120) -> list[int]:
    """Outbound messages still queued a while after they were written."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Message.objects.filter(
            direction=Direction.OUT, status=DeliveryStatus.QUEUED, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )


# --- calls ----------------------------------------------------------------------------


def call_conversation(*, call: Call) -> Conversation | None:
    """A call's entry in the inbox: answered calls join the guest's timeline
    (closed once summarized), missed ones wait in the queue as callbacks."""
    from guestview.models import CallOutcome

    if call.property_id is None or not call.caller:
        return None
    with transaction.atomic():
        existing = Conversation.objects.select_for_update().filter(call=call).first()
        if existing is not None:
            return existing
        missed = call.outcome in (CallOutcome.MISSED, CallOutcome.NOT_ANSWERED)
        at = call.rang_at or call.created_at
        conversation = Conversation.objects.create(
            property_id=call.property_id,
            channel=ChannelKind.PHONE,
            contact_key=f"{call.caller}#{call.pk}",
            contact_name=call.caller_display,
            guest=call.guest,
            call=call,
            scenario=Scenario.OTHER,
            priority=Priority.HIGH if missed else Priority.LOW,
            language=call.guest.language if call.guest_id else Language.OTHER,
            waiting_since=at if missed else None,
            assigned_to=None if missed else call.agent,
            assigned_at=None if missed else call.answered_at,
            last_inbound_at=at,
            last_message_at=at,
            last_message_preview=_("Missed call — call back") if missed else _("Call"),
            created_at=at,
        )
        Message.objects.create(
            conversation=conversation,
            direction=Direction.EVENT,
            kind=MessageKind.CALL,
            text=str(CallOutcome(call.outcome).label),
            call=call,
            sent_at=at,
        )
        if missed:
            sla_fields, plan = sla_plan_apply(conversation)
            conversation.save(update_fields=sorted(sla_fields))
            sla_clocks_sync([plan])
            kpi_event_record(
                kind=EventKind.CALLBACK_QUEUED,
                at=at,
                property=call.property_id,
                channel=ChannelKind.PHONE,
                subject=f"call:{call.pk}",
            )
            schedule_assignment(call.property_id)
        live.conversation_changed(conversation, new_message=True)
    return conversation


def call_guest_identified(*, call: Call) -> None:
    """The agent said who called: the call's thread joins that guest."""
    for conversation in Conversation.objects.filter(call=call).exclude(guest_id=call.guest_id):
        conversation.guest_id = call.guest_id
        conversation.save(update_fields=["guest"])
        live.conversation_changed(conversation)


def whatsapp_handoff(
    *,
    conversation: Conversation,
    author: AbstractBaseUser,
    account: ChannelAccount,
    template: WhatsAppTemplate,
) -> Conversation:
    """ "Let me send you the options in writing": from a call, open (or join)
    the guest's WhatsApp thread with an approved template."""
    if account.kind != ChannelKind.WHATSAPP or account.property_id != conversation.property_id:
        raise ValidationError(_("Choose a WhatsApp number of this hotel."))
    phone = conversation.contact_key.split("#")[0]
    if not phone.startswith("+"):
        raise ValidationError(_("There is no phone number to write to."))
    with transaction.atomic():
        whatsapp = conversation_for_contact(
            account=account,
            contact_key=phone,
            contact_kind=ContactKind.WHATSAPP,
            contact_name=conversation.contact_name,
        )
        if whatsapp.guest_id is None and conversation.guest_id:
            whatsapp.guest = conversation.guest
            whatsapp.save(update_fields=["guest"])
        if whatsapp.assigned_to_id is None and getattr(author, "agent_profile", None):
            whatsapp.assigned_to = author.agent_profile
            whatsapp.assigned_at = timezone.now()
            whatsapp.save(update_fields=["assigned_to", "assigned_at"])
        message_send(conversation=whatsapp, author=author, template=template)
    return whatsapp
