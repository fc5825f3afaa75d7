"""The facts the KPI dashboards are computed from: an append-only log of
events (a first response, a reply, a resolution, a missed request, ...), each
written once by kpi.services.kpi_event_record."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guestview.models import AgentProfile, Property


class EventKind(models.TextChoices):
    MESSAGE_RECEIVED = "message_received", _("Guest message received")
    FIRST_RESPONSE = "first_response", _("First response")
    REPLY = "reply", _("Reply")
    RESOLVED = "resolved", _("Resolved")
    MISSED = "missed", _("Missed (no reply within SLA)")
    CALLBACK_QUEUED = "callback_queued", _("Missed call queued for callback")
    LEAD_CREATED = "lead_created", _("Lead created")
    LEAD_WON = "lead_won", _("Lead won")
    LEAD_LOST = "lead_lost", _("Lead lost or cancelled")


class KpiEvent(models.Model):
    """One measured fact. Rows are never changed or deleted (evidence for the
    before/after comparison); ``subject`` makes a repeated record a no-op."""

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("when"))
    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=12, blank=True)
    agent = models.ForeignKey(
        AgentProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the event is about, e.g. "conversation:42" or "message:913".
    subject = models.CharField(_("subject"), max_length=60)
    # The measured duration (first response time, resolution time), if any.
    seconds = models.PositiveIntegerField(_("seconds"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("KPI event")
        verbose_name_plural = _("KPI events")
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["kind", "subject"], name="kpievent_once")]
        indexes = [models.Index(fields=["property", "kind", "at"], name="kpievent_report_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("KPI events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("KPI events are append-only.")
