"""Data subject requests (KVKK art. 11): registered with the day they
reached us, due 30 days later, answered or refused with a reason; and who
handles them: the data protection officer (``consent.act_as_dpo``), for the
hotels they serve."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.models import DataSubjectRequest, ErasureLog, RequestKind, RequestStatus
from consent.services import note_guard
from guestview import selectors as guestview_selectors
from guestview.models import Guest

DPO_PERMISSION = "consent.act_as_dpo"
# KVKK art. 13(2): a request is answered "at the latest within thirty days".
ANSWER_DAYS = 30


def is_dpo(user: AbstractBaseUser) -> bool:
    """The data protection officer's pages: the permission, given to the
    admin role by consent.0005 (or to one person of a hotel)."""
    return user.is_authenticated and user.has_perm(DPO_PERMISSION)


def requests_for_user(user: AbstractBaseUser) -> QuerySet[DataSubjectRequest]:
    """The requests of the hotels ``user`` serves: open ones first, the
    nearest due date first (the overdue on top), then the answered."""
    open_first = Case(
        When(status=RequestStatus.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        DataSubjectRequest.objects.filter(
            property_id__in=guestview_selectors.visible_property_ids(user)
        )
        .alias(open_first=open_first)
        .order_by("open_first", "due_on", "id")
    )


def get_request_for_user(user: AbstractBaseUser, pk: int) -> DataSubjectRequest:
    try:
        return requests_for_user(user).select_related("guest", "property").get(pk=pk)
    except (DataSubjectRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request.") from None


def erasures_of_request(request: DataSubjectRequest) -> QuerySet[ErasureLog]:
    """What was erased of the request's guest, newest first (by request or
    by retention)."""
    return ErasureLog.objects.filter(guest_ref=request.guest_ref).select_related("by")


def _note_checked(note: str) -> str:
    note = (note or "").strip()
    return note_guard(note) if note else ""


def dsr_register(
    *,
    guest: Guest,
    kind: str,
    received_on: dt.date,
    by: AbstractBaseUser,
    note: str = "",
) -> DataSubjectRequest:
    """Write down a guest's request; the answer is due 30 days after it
    reached us, whoever registers it and when."""
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("Choose what the guest asks for.")})
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(guest.property.timezone))
    if received_on > today:
        raise ValidationError({"received_on": _("A request cannot arrive in the future.")})
    return DataSubjectRequest.objects.create(
        guest=guest,
        guest_ref=guest.pk,
        property_id=guest.property_id,
        kind=kind,
        received_on=received_on,
        due_on=received_on + dt.timedelta(days=ANSWER_DAYS),
        note=_note_checked(note),
        registered_by=by,
    )


def dsr_answer(
    *, request: DataSubjectRequest, by: AbstractBaseUser, status: str, note: str = ""
) -> DataSubjectRequest:
    """Close a request as answered or refused; a refusal says why (the
    guest is told the reason). Once."""
    if status not in (RequestStatus.ANSWERED, RequestStatus.REFUSED):
        raise ValidationError({"status": _("Answered or refused.")})
    note = _note_checked(note)
    if status == RequestStatus.REFUSED and not note:
        raise ValidationError({"note": _("Say why it is refused: the guest is told the reason.")})
    with transaction.atomic():
        request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.OPEN:
            raise ValidationError(_("This request is answered already."))
        request.status = status
        request.answered_at = timezone.now()
        request.answered_by = by
        request.note = "\n\n".join(part for part in (request.note, note) if part)
        request.save(update_fields=["status", "answered_at", "answered_by", "note"])
    return request
