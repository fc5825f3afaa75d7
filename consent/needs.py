"""Accessibility and dietary needs: special-category data (KVKK art. 6),
kept in a structured, restricted field instead of free-text notes, only
with the guest's explicit consent (açık rıza), read only by those with the
permission, every read logged. A form that takes the consent and the
needs together writes through needs_record, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.access import access_record
from consent.models import (
    AccessAction,
    AccessibilityNeed,
    ConsentMethod,
    DietaryNeed,
    ExplicitConsent,
    GuestNeeds,
)
from consent.services import identifier_guard

VIEW_PERMISSION = "consent.view_guestneeds"


def can_read_needs(user: AbstractBaseUser) -> bool:
    return user.has_perm(VIEW_PERMISSION)


def explicit_consent_given(guest) -> bool:
    latest = ExplicitConsent.objects.filter(guest=guest).order_by("-at", "-id").first()
    return bool(latest and latest.given)


@transaction.atomic
def explicit_consent_record(
    *, guest, by: AbstractBaseUser, given: bool, method: str
) -> ExplicitConsent:
    """The guest gives (or withdraws) explicit consent to keep their needs.
    Withdrawn: the needs are deleted at once."""
    if method not in ConsentMethod.values:
        raise ValidationError({"method": _("How did the guest give it?")})
    record = ExplicitConsent.objects.create(guest=guest, given=given, method=method, recorded_by=by)
    if not given:
        GuestNeeds.objects.filter(guest=guest).delete()
    return record


def needs_set(
    *, guest, by: AbstractBaseUser, accessibility: list[str], dietary: list[str], detail: str = ""
) -> GuestNeeds:
    """Keep the guest's needs; refused without their explicit consent, and
    with a kimlik, card, IBAN or passport number in ``detail`` (NoteRefused:
    the detail is health data by design, identifiers never belong there)."""
    if not explicit_consent_given(guest):
        raise ValidationError(
            _("Record the guest's explicit consent (açık rıza) before their needs.")
        )
    unknown = (set(accessibility) - set(AccessibilityNeed.values)) | (
        set(dietary) - set(DietaryNeed.values)
    )
    if unknown:
        raise ValidationError(_("Unknown needs: %(codes)s"), params={"codes": sorted(unknown)})
    identifier_guard(detail or "")
    needs, _created = GuestNeeds.objects.update_or_create(
        guest=guest,
        defaults={"accessibility": sorted(set(accessibility)), "dietary": sorted(set(dietary)),
                  "detail": (detail or "").strip()[:200], "updated_by": by,
                  "updated_at": timezone.now()},
    )  # fmt: skip
    return needs


@transaction.atomic
def needs_record(
    *,
    guest,
    by: AbstractBaseUser,
    explicit_consent: bool | None,
    method: str = "",
    accessibility: Iterable[str] = (),
    dietary: Iterable[str] = (),
    detail: str = "",
) -> GuestNeeds | None:
    """What the guest-needs form says, in one transaction: the explicit
    consent given (True), withdrawn (False, the needs deleted; ``method``
    defaults to on the call) or not asked now (None), then the needs, unless
    it was withdrawn. Needs that are refused (no consent, an unknown code,
    an identifier in ``detail``) leave no consent row behind either."""
    if explicit_consent is not None:
        explicit_consent_record(
            guest=guest,
            by=by,
            given=explicit_consent,
            method=method or ("" if explicit_consent else ConsentMethod.ON_CALL),
        )
    if explicit_consent is False:
        return None
    return needs_set(
        guest=guest, by=by, accessibility=list(accessibility), dietary=list(dietary), detail=detail
    )


def needs_read(*, guest, user: AbstractBaseUser, request=None) -> GuestNeeds | None:
    """The needs, for those allowed to read them; the read is logged."""
    if not can_read_needs(user):
        raise PermissionDenied
    access_record(actor=user, action=AccessAction.NEEDS, guest=guest, request=request)
    return GuestNeeds.objects.filter(guest=guest).first()
