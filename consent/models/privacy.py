"""KVKK's paper trail: who read which guest (AccessLog), what guests asked of
us under article 11 (DataSubjectRequest, answered within 30 days), what an
erasure removed (ErasureLog), and how long each kind of data is kept
(RetentionPolicy). The logs are append-only: not editable or deletable, in
the admin or anywhere else."""

from __future__ import annotations

import builtins

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.models.records import AppendOnlyError
from guestview.models import Guest, Property


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


class AccessLogQuerySet(AppendOnlyQuerySet):
    def expire(self, *, before, limit: int) -> int:
        """The one way access log entries go: the retention job
        (consent.privacy.retention_apply, RetentionCategory.ACCESS_LOG)
        deletes up to ``limit`` entries older than ``before``. Nothing else
        deletes or changes an entry."""
        ids = list(self.filter(at__lt=before).order_by("at").values_list("pk", flat=True)[:limit])
        deleted, _per_model = models.QuerySet.delete(self.model.objects.filter(pk__in=ids))
        return deleted


class AccessAction(models.TextChoices):
    VIEW = "view", _("Opened the guest card")
    SEARCH = "search", _("Searched guests")
    UNMASK = "unmask", _("Showed a full phone number or address")
    EXPORT = "export", _("Exported the guest's data")
    NEEDS = "needs", _("Read the restricted needs")
    ERASE = "erase", _("Anonymized the guest")


class AccessLog(AppendOnlyModel):
    """One read of personal data. Written by consent.access.access_record;
    ``guest`` is kept as a plain id so the entry outlives an erasure (the
    evidence of who looked stays, the name does not)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    action = models.CharField(_("what"), max_length=8, choices=AccessAction.choices)
    guest_id = models.BigIntegerField(_("guest"), null=True, blank=True, db_index=True)
    property = models.ForeignKey(
        Property, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Where it happened: "call:123", "conversation:45", the search words'
    # length (never the words: they may be a phone number), "lead:9".
    context = models.CharField(_("context"), max_length=120, blank=True)
    path = models.CharField(_("page"), max_length=200, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["guest_id", "-at"], name="accesslog_guest_idx"),
            models.Index(fields=["actor", "-at"], name="accesslog_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.guest_id}"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (a copy of the data)")
    CORRECTION = "correction", _("Correction")
    ERASURE = "erasure", _("Erasure")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused (with reason)")


class DataSubjectRequest(models.Model):
    """A guest's request under KVKK art. 11: answered within 30 days."""

    guest = models.ForeignKey(
        Guest, verbose_name=_("guest"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="data_requests",
    )  # fmt: skip
    # The guest's id stays when the guest is anonymized (the request is evidence).
    guest_ref = models.BigIntegerField(_("guest id"), null=True, blank=True)
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("request"), max_length=10, choices=RequestKind.choices)
    received_on = models.DateField(_("received"))
    due_on = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=8, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        ordering = ["due_on", "id"]
        permissions = [("act_as_dpo", _("Handle data subject requests and read the access log"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @builtins.property  # the field named property shadows the builtin
    def is_overdue(self) -> bool:
        return self.status == RequestStatus.OPEN and self.due_on < timezone.localdate()


class ErasureLog(AppendOnlyModel):
    """What an anonymization removed, per table, without the data itself.
    One row per guest anonymized; the retention job's other categories
    (messages, calls, ...) write one row per run and category, with no
    guest and no hotel (it spans them)."""

    guest_ref = models.BigIntegerField(_("guest id"), null=True, blank=True)
    property = models.ForeignKey(
        Property, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "request" or "retention:<category>" (RetentionCategory: up to 20 characters).
    reason = models.CharField(_("why"), max_length=40)
    counts = models.JSONField(_("rows changed per table"), default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("erasure log entry")
        verbose_name_plural = _("erasure log")
        ordering = ["-at"]

    def __str__(self) -> str:
        if self.guest_ref is None:
            return f"{self.at:%Y-%m-%d} {self.reason}"
        return f"{self.at:%Y-%m-%d} guest {self.guest_ref} ({self.reason})"


class RetentionCategory(models.TextChoices):
    INACTIVE_GUEST = "inactive_guest", _("Guests with no stay, call, message or lead")
    MESSAGES = "messages", _("Conversation texts")
    CALLS = "calls", _("Call records")
    LEADS = "leads", _("Closed leads")
    WEBHOOKS = "webhooks", _("Raw webhook bodies")
    ACCESS_LOG = "access_log", _("Access log")


class RetentionPolicy(models.Model):
    """How long one kind of data is kept; the nightly job anonymizes or
    removes what is older (consent.privacy.retention_apply) and logs it."""

    category = models.CharField(
        _("data"), max_length=20, choices=RetentionCategory.choices, unique=True
    )
    days = models.PositiveIntegerField(_("kept for (days)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.days} d"


class GateLog(AppendOnlyModel):
    """Every check of the consent gate on a commercial contact: what was
    tried, for whom, allowed or refused and why (consent.gate)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    guest_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    property = models.ForeignKey(
        Property, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=6)  # ConsentType
    purpose = models.CharField(_("purpose"), max_length=60)  # "offer:12", "campaign:summer27"
    allowed = models.BooleanField(_("allowed"))
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consent gate decision")
        verbose_name_plural = _("consent gate decisions")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.purpose} {'ok' if self.allowed else 'refused'}"


class ConsentMethod(models.TextChoices):
    ON_CALL = "on_call", _("Said on a recorded call")
    WRITTEN = "written", _("Signed form")
    ONLINE = "online", _("Online form")


class ExplicitConsent(AppendOnlyModel):
    """Açık rıza (KVKK art. 6): the guest's explicit consent to keep their
    accessibility and dietary needs, given or withdrawn, one row each time.
    The newest row is the state (consent.needs)."""

    # PROTECT, like ConsentRecord.guest: the rows are evidence, and a KVKK
    # erasure keeps them (consent.privacy.guest_anonymize deletes the needs).
    guest = models.ForeignKey(Guest, on_delete=models.PROTECT, related_name="explicit_consents")
    given = models.BooleanField(_("given"))
    method = models.CharField(_("how"), max_length=8, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("explicit consent (special needs)")
        verbose_name_plural = _("explicit consents (special needs)")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.guest_id} {'given' if self.given else 'withdrawn'} {self.at:%Y-%m-%d}"


class AccessibilityNeed(models.TextChoices):
    WHEELCHAIR = "wheelchair", _("Wheelchair user")
    STEP_FREE = "step_free", _("Step-free access")
    HEARING = "hearing", _("Hearing impaired")
    VISUAL = "visual", _("Visually impaired")
    OTHER = "other", _("Other (see detail)")


class DietaryNeed(models.TextChoices):
    GLUTEN_FREE = "gluten_free", _("Gluten-free (celiac)")
    LACTOSE_FREE = "lactose_free", _("Lactose-free")
    NUT_ALLERGY = "nut_allergy", _("Nut allergy")
    SEAFOOD_ALLERGY = "seafood_allergy", _("Seafood allergy")
    DIABETIC = "diabetic", _("Diabetic")
    HALAL = "halal", _("Halal")
    KOSHER = "kosher", _("Kosher")
    OTHER = "other", _("Other (see detail)")


class GuestNeeds(models.Model):
    """A guest's accessibility and dietary needs: special-category data,
    kept only with explicit consent (ExplicitConsent) and shown only to
    those with the view permission (supervisors and admins by default);
    every read is logged (consent.needs)."""

    guest = models.OneToOneField(Guest, on_delete=models.CASCADE, related_name="needs")
    accessibility = models.JSONField(_("accessibility"), default=list, blank=True)
    dietary = models.JSONField(_("dietary"), default=list, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("special needs")
        verbose_name_plural = _("special needs")

    def __str__(self) -> str:
        return f"needs of {self.guest_id}"
