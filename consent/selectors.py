"""Reads of consent: what a guest currently allows, per channel, and the
history behind it; what a recipient (a number, an address) allows, whoever's
records say it, which is how İYS keeps it and what the consent gate asks.

These take a guest (or guest ids) the caller has already loaded through
guestview.selectors.get_guest_for_user or guests_for_user, or a recipient;
they apply no property scope of their own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consent.iys import IysSettings
from consent.models import (
    IYS_TIMEZONE,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    ConsentType,
    IysPullCursor,
    IysRequest,
    IysState,
)
from consent.models.records import recipient_pseudonyms
from guestview.identity import format_phone
from guestview.models import Guest

# Newest first. The selectors below and the index consent_latest_per_type_idx
# agree on this order; change them together.
NEWEST_FIRST = [F("consent_date").desc(), F("recorded_at").desc(), F("id").desc()]


@dataclass(frozen=True)
class ChannelConsent:
    """The current consent of a guest on one channel; ``status`` None means
    they were never asked."""

    type: str
    status: str | None = None
    since: dt.datetime | None = None
    source: str | None = None
    recipient: str | None = None

    @property
    def allowed(self) -> bool:
        return self.status == ConsentStatus.ONAY

    @property
    def refused(self) -> bool:
        return self.status == ConsentStatus.RET

    @property
    def label(self) -> Promise:
        if self.status is None:
            return _("Never asked")
        return ConsentStatus(self.status).label

    @property
    def type_label(self) -> Promise:
        return ConsentType(self.type).label

    @property
    def source_label(self) -> Promise | None:
        return ConsentSource(self.source).label if self.source else None


@dataclass(frozen=True)
class ConsentState:
    """What a guest allows on each channel İYS knows: calls, messages (SMS,
    WhatsApp) and e-mail. Iterates in that order."""

    call: ChannelConsent
    message: ChannelConsent
    email: ChannelConsent

    @classmethod
    def from_latest(cls, records: Iterable[ConsentRecord]) -> ConsentState:
        """Built from the newest record of each type (missing types: never asked)."""
        entries = {
            record.type: ChannelConsent(
                type=record.type,
                status=record.status,
                since=record.consent_date,
                source=record.source,
                recipient=record.recipient,
            )
            for record in records
        }
        return cls(
            call=entries.get(ConsentType.ARAMA, ChannelConsent(ConsentType.ARAMA)),
            message=entries.get(ConsentType.MESAJ, ChannelConsent(ConsentType.MESAJ)),
            email=entries.get(ConsentType.EPOSTA, ChannelConsent(ConsentType.EPOSTA)),
        )

    def __iter__(self) -> Iterator[ChannelConsent]:
        return iter((self.call, self.message, self.email))

    @property
    def channels(self) -> list[tuple[Promise, ChannelConsent]]:
        """(channel label, entry) pairs, for a template loop."""
        return [(entry.type_label, entry) for entry in self]

    def for_type(self, type: str) -> ChannelConsent:
        return {entry.type: entry for entry in self}[type]


def _latest_per_type(guest_ids: list[int]) -> QuerySet[ConsentRecord]:
    # One query on SQLite and PostgreSQL alike: Django wraps a filter on a
    # window function in a subquery.
    return (
        ConsentRecord.objects.filter(guest_id__in=guest_ids)
        .annotate(
            newness=Window(
                RowNumber(), partition_by=[F("guest_id"), F("type")], order_by=NEWEST_FIRST
            )
        )
        .filter(newness=1)
        .only("guest_id", "type", "status", "consent_date", "source", "recipient")
        .order_by()
    )


def consent_state_for_guest(guest: Guest) -> ConsentState:
    """The current consent of ``guest`` on every channel, in one query."""
    return ConsentState.from_latest(_latest_per_type([guest.pk]))


def consent_states_for_guests(guest_ids: Iterable[int]) -> dict[int, ConsentState]:
    """The current consent of each of ``guest_ids`` (a page of a list), in one
    query. Every id gets a state, never-asked when there is no record."""
    guest_ids = list(guest_ids)
    if not guest_ids:
        return {}
    latest: dict[int, list[ConsentRecord]] = {guest_id: [] for guest_id in guest_ids}
    for record in _latest_per_type(guest_ids):
        latest[record.guest_id].append(record)
    return {guest_id: ConsentState.from_latest(records) for guest_id, records in latest.items()}


def _newness(record: ConsentRecord) -> tuple:
    # NEWEST_FIRST, in Python.
    return (record.consent_date, record.recorded_at, record.pk)


def consents_for_recipients(*, type: str, recipients: Iterable[str]) -> dict[str, ChannelConsent]:
    """The current consent of each of ``recipients`` on ``type``, in one
    query: the newest record for that recipient and channel, of any guest.
    İYS keeps one consent per recipient and channel, so a RET given while
    the number was another guest's still stands. A recipient is as records
    store it (consent.services.consent_recipient_normalize: E.164, a
    lower-case address); the records of an anonymized guest are found by
    its keyed hash, so a RET outlives the erasure. Every recipient gets an
    entry, never-asked when there is no record."""
    recipients = list(dict.fromkeys(recipients))
    stored_as = {}
    for recipient in recipients:
        stored_as[recipient] = recipient
        for pseudonym in recipient_pseudonyms(recipient):
            stored_as[pseudonym] = recipient
    # The newest row per stored form (the number, its hashes), then the
    # newest of those: a handful of rows per recipient, whatever its history.
    newest_per_form = (
        ConsentRecord.objects.filter(type=type, recipient__in=list(stored_as))
        .annotate(newness=Window(RowNumber(), partition_by=[F("recipient")], order_by=NEWEST_FIRST))
        .filter(newness=1)
        .only("type", "status", "consent_date", "source", "recipient", "recorded_at")
        .order_by()
    )
    latest: dict[str, ConsentRecord] = {}
    for record in newest_per_form if recipients else ():
        recipient = stored_as[record.recipient]
        if recipient not in latest or _newness(record) > _newness(latest[recipient]):
            latest[recipient] = record
    return {
        recipient: ChannelConsent(
            type=type,
            status=record.status,
            since=record.consent_date,
            source=record.source,
            recipient=recipient,
        )
        if (record := latest.get(recipient))
        else ChannelConsent(type, recipient=recipient)
        for recipient in recipients
    }


def consent_for_recipient(*, type: str, recipient: str) -> ChannelConsent:
    """The current consent of one recipient on ``type`` (consents_for_recipients)."""
    return consents_for_recipients(type=type, recipients=[recipient])[recipient]


def consent_history_for_guest(guest: Guest) -> QuerySet[ConsentRecord]:
    """Every consent record of ``guest``, newest first, with who recorded it."""
    return guest.consent_records.select_related("recorded_by").order_by(*NEWEST_FIRST)


# --- İYS sync ------------------------------------------------------------------------

# The lists of the supervisors' page (consent.views.iys_status), by ?show=.
IYS_SHOW = ("", "overdue", "today", "waiting", "failed")


def _end_of_day(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(IYS_TIMEZONE)
    return dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=IYS_TIMEZONE)


def _show_filter(show: str, now: dt.datetime) -> Q:
    waiting = Q(iys_state__in=[IysState.PENDING, IysState.SUBMITTED])
    return {
        "overdue": Q(iys_due_at__lt=now),
        "today": Q(iys_due_at__gte=now, iys_due_at__lt=_end_of_day(now)),
        "waiting": waiting,
        "failed": Q(iys_state=IysState.FAILED),
    }.get(show, Q())


def consents_unsynced(
    *, property_ids: Iterable[int], show: str = "", now: dt.datetime | None = None
) -> QuerySet[ConsentRecord]:
    """Consents of these hotels that should be in İYS and are not (to send,
    sent and awaiting İYS, refused by it), the nearest deadline first, so
    the overdue ones lead. ``show`` narrows it: overdue, today (due later
    today, Turkey time), waiting (not refused), failed."""
    now = now or timezone.now()
    return (
        ConsentRecord.objects.iys_unsynced()
        .filter(guest__property_id__in=list(property_ids))
        .filter(_show_filter(show, now))
        .select_related("guest__property")
        .order_by(F("iys_due_at").asc(nulls_last=True), "id")
    )


@dataclass(frozen=True)
class UnsyncedCounts:
    overdue: int = 0
    due_today: int = 0
    waiting: int = 0
    failed: int = 0


def consents_unsynced_counts(
    *, property_ids: Iterable[int], now: dt.datetime | None = None
) -> UnsyncedCounts:
    """How many of consents_unsynced are overdue, due later today, waiting
    (to send or awaiting İYS) and refused; one query."""
    now = now or timezone.now()
    counts = (
        ConsentRecord.objects.iys_unsynced()
        .filter(guest__property_id__in=list(property_ids))
        .aggregate(
            overdue=Count("id", filter=_show_filter("overdue", now)),
            due_today=Count("id", filter=_show_filter("today", now)),
            waiting=Count("id", filter=_show_filter("waiting", now)),
            failed=Count("id", filter=_show_filter("failed", now)),
        )
    )
    return UnsyncedCounts(**counts)


@dataclass(frozen=True)
class IysSyncStatus:
    enabled: bool
    last_pulled_at: dt.datetime | None = None
    last_sent_at: dt.datetime | None = None


def iys_sync_status() -> IysSyncStatus:
    """Whether the sync runs (IYS_BASE_URL set), and when it last pulled and
    sent; two small queries."""
    if not IysSettings.from_django().enabled:
        return IysSyncStatus(enabled=False)
    cursor = IysPullCursor.objects.filter(source="IYS").only("pulled_at").first()
    sent = IysRequest.objects.aggregate(last=Max("submitted_at"))["last"]
    return IysSyncStatus(
        enabled=True, last_pulled_at=cursor.pulled_at if cursor else None, last_sent_at=sent
    )


def recipient_masked(recipient: str) -> str:
    """An İYS recipient for a list others may look over: ``+90 532 *** ** 67``,
    ``a***@example.com``. Enough to tell two apart, not to dial or write."""
    if "@" in recipient:
        local, _at, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    shown = format_phone(recipient)
    groups = re.findall(r"\d+", shown)
    if len(groups) < 3:  # not a number phonenumbers can lay out
        return recipient[:3] + "*" * max(len(recipient) - 5, 3) + recipient[-2:]
    # Country code and area or operator code stay, and the last two digits.
    digits_kept = len(groups[0]) + len(groups[1])
    last_masked = sum(len(g) for g in groups) - 2
    out, seen = [], 0
    for char in shown:
        if char.isdigit():
            seen += 1
            out.append(char if seen <= digits_kept or seen > last_masked else "*")
        else:
            out.append(char)
    return "".join(out)
