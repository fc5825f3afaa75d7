"""The retention periods (RetentionPolicy, edited in the admin) applied by
the nightly job: what is older than its category's period is anonymized or
removed, in batches, and logged (ErasureLog)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from channels_inbox.models import (
    ChannelKind,
    Conversation,
    ConversationStatus,
    InboundPayload,
    Message,
    PayloadStatus,
)
from consent.models import (
    AccessLog,
    ConsentRecord,
    ErasureLog,
    RetentionCategory,
    RetentionPolicy,
)
from consent.privacy.erasure import (
    ANONYMIZED_PREFIX,
    ANONYMOUS_FIRST_NAME,
    Counts,
    guest_anonymize,
    leads_anonymize,
)
from guestview.models import (
    Call,
    CallDirection,
    CallEvent,
    Guest,
    GuestNote,
    RejectedCallEvent,
    Stay,
)
from leads.models import CLOSED_STATUSES, OPEN_STATUSES, IntakeSubmission, Lead

# The nightly job's batches: a run carries at most this many rows per table,
# and anonymizes at most this many guests (each one ~40 queries).
RETENTION_BATCH = 2000
RETENTION_GUESTS = 200


def guests_inactive_since(before: dt.datetime) -> QuerySet[Guest]:
    """Guests with nothing since ``before``: no stay departing after it, no
    call, message, lead, note or consent statement; nothing open; not
    anonymized already."""
    of_guest = OuterRef("pk")
    return (
        Guest.objects.filter(created_at__lt=before)
        .exclude(Exists(Stay.objects.filter(guest=of_guest, departure__gte=before.date())))
        .exclude(Exists(Call.objects.filter(guest=of_guest, created_at__gte=before)))
        .exclude(
            Exists(
                Conversation.objects.filter(guest=of_guest).filter(
                    Q(last_message_at__gte=before)
                    | Q(created_at__gte=before)
                    | Q(status=ConversationStatus.OPEN)
                )
            )
        )
        .exclude(
            Exists(
                Lead.objects.filter(guest=of_guest).filter(
                    Q(created_at__gte=before)
                    | Q(closed_at__gte=before)
                    | Q(status__in=OPEN_STATUSES)
                )
            )
        )
        .exclude(Exists(GuestNote.objects.filter(guest=of_guest, created_at__gte=before)))
        .exclude(Exists(ConsentRecord.objects.filter(guest=of_guest, consent_date__gte=before)))
        .exclude(Exists(ErasureLog.objects.filter(guest_ref=of_guest)))
        .order_by("pk")
    )


def _first_ids(queryset: QuerySet) -> list[int]:
    return list(queryset.order_by().values_list("pk", flat=True)[:RETENTION_BATCH])


def _expire_messages(before: dt.datetime) -> Counts:
    """Conversation texts: the message texts and attachments, the thread's
    summary and preview. The conversation and its facts stay."""
    counts = Counts()
    ids = _first_ids(Message.objects.filter(sent_at__lt=before).exclude(text="", attachments=[]))
    counts.add(Message, Message.objects.filter(pk__in=ids).update(text="", attachments=[]))
    ids = _first_ids(
        Conversation.objects.filter(last_message_at__lt=before).exclude(
            summary="", last_message_preview=""
        )
    )
    counts.add(
        Conversation,
        Conversation.objects.filter(pk__in=ids).update(summary="", last_message_preview=""),
    )
    return counts


def _expire_calls(before: dt.datetime) -> Counts:
    """Call records: the guest's number on the call, its closed phone
    thread and the PBX's raw events; times, outcome and agent stay."""
    counts = Counts()
    old = Call.objects.filter(created_at__lt=before)
    inbound = _first_ids(
        old.filter(direction=CallDirection.INBOUND).exclude(caller="", caller_raw="")
    )
    outbound = _first_ids(
        old.filter(direction=CallDirection.OUTBOUND).exclude(called="", called_raw="")
    )
    counts.add(
        Call,
        Call.objects.filter(pk__in=inbound).update(caller="", caller_raw="")
        + Call.objects.filter(pk__in=outbound).update(called="", called_raw=""),
    )
    threads = Conversation.objects.filter(
        channel=ChannelKind.PHONE, call_id__in=inbound + outbound, status=ConversationStatus.CLOSED
    ).exclude(contact_key__startswith=ANONYMIZED_PREFIX)
    counts.add(
        Conversation,
        threads.update(
            contact_key=Concat(Value(ANONYMIZED_PREFIX), Cast("pk", CharField())), contact_name=""
        ),
    )
    ids = _first_ids(CallEvent.objects.filter(received_at__lt=before).exclude(payload={}))
    counts.add(CallEvent, CallEvent.objects.filter(pk__in=ids).update(payload={}))
    return counts


def _expire_leads(before: dt.datetime) -> Counts:
    """Closed leads: anonymized as with an erasure (name, contact, request,
    texts of their history and offers); the lead and its facts stay, linked
    to the guest while the guest is kept."""
    counts = Counts()
    ids = _first_ids(
        Lead.objects.filter(status__in=CLOSED_STATUSES, closed_at__lt=before).exclude(request="")
    )
    leads_anonymize(ids, name=ANONYMOUS_FIRST_NAME, terms=set(), counts=counts)
    return counts


def _expire_webhooks(before: dt.datetime) -> Counts:
    """Raw bodies as they arrived: channel webhooks done with (processed,
    rejected, failed; a pending one waits for its processing), rejected CTI
    events, web form posts (the submission row stays, without its body)."""
    counts = Counts()
    ids = _first_ids(
        InboundPayload.objects.filter(received_at__lt=before).exclude(status=PayloadStatus.PENDING)
    )
    counts.add(InboundPayload, InboundPayload.objects.filter(pk__in=ids).delete()[0])
    ids = _first_ids(RejectedCallEvent.objects.filter(received_at__lt=before))
    counts.add(RejectedCallEvent, RejectedCallEvent.objects.filter(pk__in=ids).delete()[0])
    ids = _first_ids(IntakeSubmission.objects.filter(received_at__lt=before).exclude(body=""))
    counts.add(IntakeSubmission, IntakeSubmission.objects.filter(pk__in=ids).update(body=""))
    return counts


def _expire_access_log(before: dt.datetime) -> Counts:
    counts = Counts()
    counts.add(AccessLog, AccessLog.objects.expire(before=before, limit=RETENTION_BATCH))
    return counts


_EXPIRE = {
    RetentionCategory.MESSAGES: _expire_messages,
    RetentionCategory.CALLS: _expire_calls,
    RetentionCategory.LEADS: _expire_leads,
    RetentionCategory.WEBHOOKS: _expire_webhooks,
    RetentionCategory.ACCESS_LOG: _expire_access_log,
}


def retention_apply(*, now: dt.datetime | None = None) -> list[ErasureLog]:
    """Apply every active retention period (RetentionPolicy, admin): what is
    older is anonymized or removed, a batch per table and category per run
    (RETENTION_BATCH rows, RETENTION_GUESTS guests), so a backlog is worked
    off over several runs. Logged as one ErasureLog per guest anonymized
    and one per other category that changed anything; safe to run twice."""
    now = now or timezone.now()
    logs = []
    for policy in RetentionPolicy.objects.filter(is_active=True).order_by("category"):
        before = now - dt.timedelta(days=policy.days)
        reason = f"retention:{policy.category}"
        if policy.category == RetentionCategory.INACTIVE_GUEST:
            for guest in guests_inactive_since(before)[:RETENTION_GUESTS]:
                try:
                    logs.append(guest_anonymize(guest=guest, reason=reason))
                except ValidationError:
                    continue  # something opened since the query: not inactive any more
            continue
        with transaction.atomic():
            counts = _EXPIRE[policy.category](before)
            if any(counts.values()):
                logs.append(ErasureLog.objects.create(reason=reason, counts=dict(counts)))
    return logs
