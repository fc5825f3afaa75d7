"""The İYS sync: consent we take goes to İYS in async batches and is polled
for; what guests change on İYS itself is pulled back as new records;
consent not in İYS by its deadline (3 business days) alerts supervisors.
How İYS behaves is documented in consent.iys. Writes of the records
themselves are consent.services'.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from consent import iys
from consent.models import (
    IYS_SOURCES,
    IYS_TIMEZONE,
    ConsentRecord,
    ConsentSource,
    ConsentType,
    IysPullCursor,
    IysRequest,
    IysRequestItem,
    IysState,
    PulledChange,
)
from consent.services import consent_recipient_normalize, consent_record
from guestview.calendar import business_days_add
from guestview.models import AlertKind, ContactKind, ContactPoint, Guest

logger = logging.getLogger(__name__)


def iys_deadline(*, consent_date: dt.datetime) -> dt.datetime:
    """When consent taken at ``consent_date`` must be in İYS: N business days
    later in Turkey time, weekends and national holidays skipped. İYS's
    calendar, not a hotel's: a hotel's own holidays (Holiday.property) do not
    move it."""
    return business_days_add(
        consent_date, settings.IYS_DEADLINE_BUSINESS_DAYS, property_id=None, tz=IYS_TIMEZONE
    )


# --- İYS sync ----------------------------------------------------------------------
#
# A record we take starts PENDING. iys_submit_pending claims up to 1000
# (SUBMITTED, in an IysRequest), sends them, and iys_poll_due reads İYS's
# verdict per index: SYNCED, FAILED (with İYS's code), or back to PENDING when
# İYS asks for the consent again. Only the newest statement per recipient and
# channel is ever sent (İYS keeps one, the newest); older ones still waiting
# become SUPERSEDED. The HTTP calls run outside any transaction holding locks.

# İYS already holds this status for the recipient ("İzin durumu güncellemesi
# için farklı bir durum girilmelidir"): what we meant to say is in İYS.
IYS_ALREADY_HELD = frozenset({"H174"})
# İYS holds a newer consent than ours ("Sistemdeki iznin tarihinden önceki
# tarihli izinlerle güncelleme yapılamaz"): the newest wins, as here.
IYS_HOLDS_NEWER = frozenset({"H178"})
# "İsteğin tekrar gönderilmesi gereken hata kodları": İYS failed on its side
# and asks for the consent again (the integrator Veyosis publishes İYS's list
# with V for H). H123 comes as HTTP 400, which the client reads as final.
IYS_SEND_AGAIN = frozenset(
    {"H015", "H101", "H102", "H103", "H123", "H124", "H179", "H192", "H412", "H470"}
)
# A claim whose POST never got its requestId recorded (the worker died) is
# released after this long; İYS answers a POST within IYS_TIMEOUT seconds.
IYS_CLAIM_LOST_AFTER = dt.timedelta(minutes=10)
# Polls back off from İYS's 300 s to this.
IYS_POLL_MAX_INTERVAL = dt.timedelta(hours=1)
# A request İYS has not fully answered in a day is given up: what it did not
# answer is sent again (H174 then says "already there" for what did arrive).
IYS_POLL_GIVE_UP_AFTER = dt.timedelta(days=1)
IYS_POLL_BATCH = 20
# A pull stops after this many pages and goes on at the next run.
IYS_PULL_MAX_PAGES = 50

_process_client: iys.IysClient | None = None


def iys_client() -> iys.IysClient | None:
    """This process's İYS client, or None when the sync is off. One per
    process, kept: it holds the token, and İYS allows 10 token requests an
    hour from one IP."""
    global _process_client
    config = iys.IysSettings.from_django()
    if not config.enabled:
        return None
    if _process_client is None or _process_client.config != config:
        if _process_client is not None:
            _process_client.close()
        _process_client = iys.IysClient(config)
    return _process_client


def _iys_enabled() -> bool:
    return iys.IysSettings.from_django().enabled


def _newer_statement() -> Exists:
    """A record for the same İYS key (recipient, recipient type, channel),
    newer in the order of consent.selectors.NEWEST_FIRST, from any guest: İYS
    holds one consent per recipient and channel, not per guest."""
    same_key = ConsentRecord.objects.filter(
        recipient=OuterRef("recipient"),
        recipient_type=OuterRef("recipient_type"),
        type=OuterRef("type"),
    )
    return Exists(
        same_key.filter(
            Q(consent_date__gt=OuterRef("consent_date"))
            | Q(consent_date=OuterRef("consent_date"), recorded_at__gt=OuterRef("recorded_at"))
            | Q(
                consent_date=OuterRef("consent_date"),
                recorded_at=OuterRef("recorded_at"),
                id__gt=OuterRef("id"),
            )
        )
    )


def iys_supersede(*, recipient: str | None = None, type: str | None = None) -> int:
    """Records waiting for İYS (or refused by it) that a newer statement for
    the same recipient and channel has overtaken: they are not to be sent,
    nor counted late. All of them, or those of one recipient and channel.
    How many."""
    rows = ConsentRecord.objects.filter(iys_state__in=[IysState.PENDING, IysState.FAILED])
    if recipient is not None:
        rows = rows.filter(recipient=recipient, type=type)
    return rows.filter(_newer_statement()).update(iys_state=IysState.SUPERSEDED)


def _iys_key(record: ConsentRecord) -> tuple[str, str, str]:
    return (record.recipient_type, record.type, record.recipient)


def _newness(record: ConsentRecord) -> tuple:
    return (record.consent_date, record.recorded_at, record.pk)


def _iys_claim(*, limit: int) -> tuple[IysRequest, list[ConsentRecord]] | None:
    """Take up to ``limit`` pending records for one request, in one short
    transaction: SKIP LOCKED, so two workers never claim the same row."""
    with transaction.atomic():
        iys_supersede()
        pending = list(
            ConsentRecord.objects.filter(iys_state=IysState.PENDING)
            .order_by("iys_due_at", "id")
            .select_for_update(skip_locked=True)[:limit]
        )
        newest: dict[tuple, ConsentRecord] = {}
        for record in pending:
            kept = newest.get(_iys_key(record))
            if kept is None or _newness(record) > _newness(kept):
                newest[_iys_key(record)] = record
        # Written since iys_supersede ran: İYS refuses a key twice in one list (H194).
        overtaken = [r.pk for r in pending if newest[_iys_key(r)] is not r]
        if overtaken:
            ConsentRecord.objects.filter(pk__in=overtaken).update(iys_state=IysState.SUPERSEDED)
        records = sorted(newest.values(), key=lambda r: (r.iys_due_at or r.recorded_at, r.pk))
        if not records:
            return None
        request = IysRequest.objects.create(item_count=len(records))
        IysRequestItem.objects.bulk_create(
            IysRequestItem(request=request, record=record, index=index)
            for index, record in enumerate(records)
        )
        ConsentRecord.objects.filter(pk__in=[r.pk for r in records]).update(
            iys_state=IysState.SUBMITTED,
            iys_request=request,
            iys_error_code="",
            iys_error_message="",
        )
    return request, records


def iys_submit_pending(
    *, client: iys.IysClient | None = None, limit: int = iys.MAX_BATCH
) -> IysRequest | None:
    """Send the consents waiting for İYS (at most ``limit``, the most urgent
    first) as one async request. The request, or None when the sync is off or
    nothing waits. When İYS cannot be reached they wait again; when it
    refuses, those it names (or all) are FAILED with its error."""
    if not _iys_enabled():
        return None
    client = client or iys_client()
    claimed = _iys_claim(limit=min(limit, iys.MAX_BATCH))
    if claimed is None:
        return None
    request, records = claimed
    try:
        request_id = client.submit_consents([record.iys_payload for record in records])
    except iys.IysError as exc:
        _iys_submit_refused(request=request, records=records, error=exc)
        request.refresh_from_db()
        return request
    except BaseException:
        _iys_release(request=request, error="not sent: the sync stopped")
        raise
    now = timezone.now()
    request.request_id = request_id
    request.submitted_at = now
    request.next_poll_at = now + iys.FIRST_POLL_AFTER
    request.save(update_fields=["request_id", "submitted_at", "next_poll_at"])
    return request


def _error_text(error: iys.IysError) -> str:
    return str(error)[:500]


def _iys_release(*, request: IysRequest, error: str) -> int:
    """The request's records that are still in it wait again; the request is
    closed with ``error``. How many records."""
    with transaction.atomic():
        released = ConsentRecord.objects.filter(
            iys_request=request, iys_state=IysState.SUBMITTED
        ).update(iys_state=IysState.PENDING)
        IysRequest.objects.filter(pk=request.pk).update(done_at=timezone.now(), error=error[:500])
    return released


def _send_again(error: iys.IysError) -> bool:
    return error.retry or (bool(error.codes) and set(error.codes) <= IYS_SEND_AGAIN)


def _iys_submit_refused(
    *, request: IysRequest, records: Sequence[ConsentRecord], error: iys.IysError
) -> None:
    if _send_again(error):
        logger.warning("İYS request %s not sent, will retry: %s", request.pk, error)
        _iys_release(request=request, error=_error_text(error))
        return
    logger.error("İYS refused request %s: %s", request.pk, error)
    # A 422 names the consents it refused by index; the others were fine and
    # go in the next request. Without an index, the refusal is of them all.
    by_index: dict[int, dict] = {}
    for item in error.errors:
        try:
            by_index.setdefault(int(item["index"]), item)
        except (KeyError, TypeError, ValueError):
            continue
    first = error.errors[0] if error.errors else {}
    verdicts: list[tuple[int, str, str, str]] = []  # (position, outcome, code, message)
    for position, _record in enumerate(records):
        item = by_index.get(position) if by_index else first
        if item is None:
            continue  # not named: sent again below
        code = str(item.get("code") or (error.status_code or ""))
        message = str(item.get("message") or error)
        verdicts.append((position, iys.Outcome.FAILURE, code, message))
    items = {item.index: item for item in request.items.all()}
    with transaction.atomic():
        _iys_apply(
            request=request,
            items=items,
            verdicts=verdicts,
            now=timezone.now(),
        )
        ConsentRecord.objects.filter(iys_request=request, iys_state=IysState.SUBMITTED).update(
            iys_state=IysState.PENDING
        )
        IysRequest.objects.filter(pk=request.pk).update(
            done_at=timezone.now(), error=_error_text(error)
        )


def _iys_apply(
    *,
    request: IysRequest,
    items: dict[int, IysRequestItem],
    verdicts: Iterable[tuple[int, str, str, str]],
    now: dt.datetime,
    transaction_ids: dict[int, str] | None = None,
) -> int:
    """Write İYS's verdict on each index of ``request`` onto its item and its
    record (only while the record is still in this request). How many
    records were settled."""
    to_state: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    changed_items = []
    for index, outcome, code, message in verdicts:
        item = items.get(index)
        if item is None:
            continue
        item.outcome, item.error_code, item.error_message = outcome, code[:20], message[:500]
        if transaction_ids and transaction_ids.get(index):
            item.transaction_id = transaction_ids[index][:100]
        changed_items.append(item)
        if outcome == iys.Outcome.ENQUEUE:
            continue
        if outcome == iys.Outcome.SUCCESS or code in IYS_ALREADY_HELD:
            to_state[(IysState.SYNCED, "", "")].append(item.record_id)
        elif code in IYS_HOLDS_NEWER:
            to_state[(IysState.SUPERSEDED, code, message)].append(item.record_id)
        elif code in IYS_SEND_AGAIN:
            to_state[(IysState.PENDING, "", "")].append(item.record_id)
        else:
            to_state[(IysState.FAILED, code, message)].append(item.record_id)
    if changed_items:
        IysRequestItem.objects.bulk_update(
            changed_items, ["outcome", "error_code", "error_message", "transaction_id"]
        )
    settled = 0
    for (state, code, message), record_ids in to_state.items():
        fields: dict[str, object] = {
            "iys_state": state,
            "iys_error_code": code[:20],
            "iys_error_message": message[:500],
        }
        if state == IysState.SYNCED:
            fields["iys_synced_at"] = now
        settled += ConsentRecord.objects.filter(
            pk__in=record_ids, iys_request=request, iys_state=IysState.SUBMITTED
        ).update(**fields)
    return settled


def _poll_interval(polls: int) -> dt.timedelta:
    """300 s after sending (İYS's minimum), then doubling, at most an hour."""
    return min(iys.FIRST_POLL_AFTER * 2 ** max(polls - 1, 0), IYS_POLL_MAX_INTERVAL)


def iys_release_lost_claims(*, now: dt.datetime | None = None) -> int:
    """Requests claimed but never sent (the worker stopped between the claim
    and İYS's answer): their records wait again. How many records."""
    now = now or timezone.now()
    lost = IysRequest.objects.filter(
        request_id="", done_at__isnull=True, created_at__lt=now - IYS_CLAIM_LOST_AFTER
    )
    return sum(
        _iys_release(request=request, error="claimed but never sent (the worker stopped)")
        for request in lost
    )


def iys_poll_due(*, client: iys.IysClient | None = None) -> int:
    """Ask İYS what became of the requests whose poll time has come. How
    many records it settled (in İYS, refused, or to send again)."""
    if not _iys_enabled():
        return 0
    client = client or iys_client()
    iys_release_lost_claims()
    now = timezone.now()
    with transaction.atomic():
        due = list(
            IysRequest.objects.filter(done_at__isnull=True, next_poll_at__lte=now)
            .exclude(request_id="")
            .order_by("next_poll_at", "id")
            .select_for_update(skip_locked=True)[:IYS_POLL_BATCH]
        )
        # A lease: another worker skips these until the next poll time.
        for request in due:
            request.polls += 1
            request.next_poll_at = now + _poll_interval(request.polls + 1)
        IysRequest.objects.bulk_update(due, ["polls", "next_poll_at"])
    return sum(_iys_poll_one(client=client, request=request) for request in due)


def _iys_poll_one(*, client: iys.IysClient, request: IysRequest) -> int:
    items = {item.index: item for item in request.items.select_related("record")}
    # By position as sent; a record erased since (KVKK) leaves its place empty.
    submitted = [
        items[index].record.iys_payload if index in items else {}
        for index in range(request.item_count)
    ]
    try:
        result = client.request_status(request.request_id, submitted=submitted)
    except iys.IysError as exc:
        if _send_again(exc):
            logger.warning("İYS request %s not polled, will retry: %s", request.request_id, exc)
            IysRequest.objects.filter(pk=request.pk).update(error=_error_text(exc))
            return 0
        # İYS will not say (an unknown requestId): the consents go again.
        logger.error("İYS refused to report request %s: %s", request.request_id, exc)
        return _iys_release(request=request, error=_error_text(exc))
    now = timezone.now()
    with transaction.atomic():
        settled = _iys_apply(
            request=request,
            items=items,
            verdicts=[(r.index, r.outcome, r.error_code, r.error_message) for r in result.items],
            transaction_ids={r.index: r.transaction_id for r in result.items},
            now=now,
        )
        done = result.done
        fields: dict[str, object] = {"polled_at": now, "error": ""}
        given_up = request.submitted_at and now - request.submitted_at > IYS_POLL_GIVE_UP_AFTER
        if not done and given_up:
            settled += ConsentRecord.objects.filter(
                iys_request=request, iys_state=IysState.SUBMITTED
            ).update(iys_state=IysState.PENDING)
            fields["error"] = "no full answer from İYS in a day; the rest is sent again"
            done = True
        if done:
            fields["done_at"] = now
        IysRequest.objects.filter(pk=request.pk).update(**fields)
    return settled


def _guests_reached_at(*, type: str, recipient: str) -> list[Guest]:
    """Our guests (of every hotel: the İYS brand is the chain's) whose
    contact point is this İYS recipient."""
    if type == ConsentType.EPOSTA:
        kinds = [ContactKind.EMAIL]
    else:
        kinds = [ContactKind.PHONE, ContactKind.WHATSAPP]
    contacts = ContactPoint.objects.filter(kind__in=kinds, value=recipient).values("guest_id")
    return list(Guest.objects.filter(id__in=contacts).order_by("id"))


def _iys_store_change(change: iys.PulledConsent, *, now: dt.datetime) -> bool:
    """Record one pulled change for every guest it concerns; False when it
    was stored before."""
    seen = PulledChange.objects.filter(transaction_id=change.transaction_id)
    if not change.transaction_id:
        seen = seen.filter(
            recipient=change.recipient,
            recipient_type=change.recipient_type,
            type=change.type,
            status=change.status,
            source=change.source,
            consent_date=change.consent_date,
        )
    if seen.exists():
        return False
    source = change.source if change.source in IYS_SOURCES else ConsentSource.IYS
    # İYS gives a merchant consent without a date; when İYS took it stands in.
    consent_date = change.consent_date or change.creation_date or now
    guests: list[Guest] = []
    error = ""
    try:
        recipient = consent_recipient_normalize(type=change.type, raw=change.recipient)
        guests = _guests_reached_at(type=change.type, recipient=recipient)
        with transaction.atomic():
            for guest in guests:
                consent_record(
                    guest=guest,
                    type=change.type,
                    status=change.status,
                    source=source,
                    recipient=recipient,
                    recipient_type=change.recipient_type,
                    consent_date=consent_date,
                    note="" if source == change.source else f"İYS: {change.source}"[:200],
                )
    except ValidationError as exc:
        # Kept with its error for the audit; one bad change must not stop the pull.
        logger.error("İYS change %s not recorded: %s", change.transaction_id, exc)
        error = "; ".join(exc.messages)[:300]
    PulledChange.objects.create(
        pulled_at=now,
        recipient=change.recipient,
        recipient_type=change.recipient_type,
        type=change.type,
        status=change.status,
        source=change.source,
        consent_date=change.consent_date,
        creation_date=change.creation_date,
        transaction_id=change.transaction_id,
        guests_matched=0 if error else len(guests),
        error=error,
    )
    return True


def iys_pull_changes(
    *, client: iys.IysClient | None = None, limit: int = iys.MAX_CHANGES_LIMIT
) -> int:
    """Bring in what guests changed on İYS itself (a RET there binds us at
    once): a new record per guest reached at that recipient, of İYS's
    source. Pages until İYS has nothing new; each page and the cursor after
    it are stored together. How many new changes."""
    if not _iys_enabled():
        return 0
    client = client or iys_client()
    cursor, _created = IysPullCursor.objects.get_or_create(source="IYS")
    stored = 0
    for _page in range(IYS_PULL_MAX_PAGES):
        after = cursor.after or None
        page = client.pull_changes(after, limit=limit)
        now = timezone.now()
        with transaction.atomic():
            cursor = IysPullCursor.objects.select_for_update().get(pk=cursor.pk)
            if (cursor.after or None) != after:
                continue  # another worker stored this page meanwhile; go on from its cursor
            for change in page.items:
                stored += _iys_store_change(change, now=now)
            cursor.after = page.after or ""
            cursor.pulled_at = now
            cursor.save(update_fields=["after", "pulled_at"])
        if not page.items or page.after == after:
            break
    return stored


def iys_overdue_alert(*, now: dt.datetime | None = None) -> int:
    """Tell each hotel's supervisors how many of its consents are past their
    İYS deadline: one alert a hotel a day (Turkey time), however often this
    runs, in each supervisor's console language. Runs with the sync off too:
    then nothing reaches İYS, and the hotel must see it. How many alerts."""
    now = now or timezone.now()
    from guestview import selectors as guestview_selectors
    from guestview import services as guestview_services

    overdue = (
        ConsentRecord.objects.iys_overdue(now)
        .values_list("guest__property_id")
        .annotate(count=Count("id"))
        .order_by("guest__property_id")
    )
    day = now.astimezone(IYS_TIMEZONE).date().isoformat()
    url = reverse("consent:iys_status") + "?show=overdue"
    sent = 0
    for property_id, count in overdue:
        by_language: dict[str, list[AbstractBaseUser]] = defaultdict(list)
        for user in guestview_selectors.supervisors_of_property(property_id):
            profile = getattr(user, "agent_profile", None)
            by_language[getattr(profile, "ui_language", None) or settings.LANGUAGE_CODE].append(
                user
            )
        for language, users in by_language.items():
            with translation.override(language):
                title = ngettext(
                    "%(count)d consent not yet in İYS (%(days)d business days passed)",
                    "%(count)d consents not yet in İYS (%(days)d business days passed)",
                    count,
                ) % {"count": count, "days": settings.IYS_DEADLINE_BUSINESS_DAYS}
            sent += len(
                guestview_services.alert_send(
                    users=users,
                    kind=AlertKind.IYS_OVERDUE,
                    title=title,
                    url=url,
                    property_id=property_id,
                    subject=f"iys-overdue:{property_id}:{day}",
                )
            )
    return sent


def iys_send_again(*, records: Iterable[ConsentRecord]) -> int:
    """Put records İYS refused back in line (after the cause is fixed, e.g.
    the brand code); ones a newer statement overtook stay as they are. How
    many."""
    ids = [record.pk for record in records]
    return (
        ConsentRecord.objects.filter(pk__in=ids, iys_state=IysState.FAILED)
        .exclude(_newer_statement())
        .update(iys_state=IysState.PENDING, iys_error_code="", iys_error_message="")
    )
