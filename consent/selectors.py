"""Reads of consent: what a guest currently allows, per channel, and the
history behind it.

These take a guest (or guest ids) the caller has already loaded through
guestview.selectors.get_guest_for_user or guests_for_user; they apply no
property scope of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consent.models import ConsentRecord, ConsentSource, ConsentStatus, ConsentType
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


def consent_history_for_guest(guest: Guest) -> QuerySet[ConsentRecord]:
    """Every consent record of ``guest``, newest first, with who recorded it."""
    return guest.consent_records.select_related("recorded_by").order_by(*NEWEST_FIRST)
