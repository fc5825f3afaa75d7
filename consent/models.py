"""Consent to commercial calls, messages and e-mails, kept the İYS way.

İYS (İleti Yönetim Sistemi, law 6563) holds one consent per (recipient, type):
a phone number or e-mail address, a channel, ONAY or RET, where it was given
(source) and when (consentDate, Turkey time). We keep every statement a guest
made as one row and never rewrite one: the current state of a channel is the
newest row (consent.selectors), so a RET takes effect the moment it is written,
and the rows are the evidence of what was said, when, and to whom.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guestview.models import Guest

# İYS reads every consentDate as Turkey time, whatever the property's time zone.
IYS_TIMEZONE = zoneinfo.ZoneInfo("Europe/Istanbul")
IYS_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
# İYS takes no consentDate before its start; older consents go in as HS_2015.
IYS_EARLIEST_CONSENT_DATE = dt.datetime(2015, 5, 1, tzinfo=IYS_TIMEZONE)


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete a consent record."""


class RecipientType(models.TextChoices):
    BIREYSEL = "BIREYSEL", _("Individual")
    TACIR = "TACIR", _("Merchant")


class ConsentType(models.TextChoices):
    """The channel a consent is for (İYS ``type``)."""

    ARAMA = "ARAMA", _("Call")
    MESAJ = "MESAJ", _("Message (SMS, WhatsApp)")
    EPOSTA = "EPOSTA", _("E-mail")


class ConsentStatus(models.TextChoices):
    ONAY = "ONAY", _("Allowed")
    RET = "RET", _("Refused")


class ConsentSource(models.TextChoices):
    """Where the guest said it (İYS ``source``), in the order İYS lists them."""

    HS_2015 = "HS_2015", _("Consent held before 1 May 2015")
    HS_FIZIKSEL_ORTAM = "HS_FIZIKSEL_ORTAM", _("In person")
    HS_ISLAK_IMZA = "HS_ISLAK_IMZA", _("Signed form")
    HS_ETKINLIK = "HS_ETKINLIK", _("Event")
    HS_ATM = "HS_ATM", "ATM"
    HS_EORTAM = "HS_EORTAM", _("Other electronic channel")
    HS_WEB = "HS_WEB", _("Website")
    HS_MOBIL = "HS_MOBIL", _("Mobile app")
    HS_MESAJ = "HS_MESAJ", _("Text message")
    HS_EPOSTA = "HS_EPOSTA", _("E-mail")
    HS_CAGRI_MERKEZI = "HS_CAGRI_MERKEZI", _("Call center")
    HS_SOSYAL_MEDYA = "HS_SOSYAL_MEDYA", _("Social media")
    # The hotel's own decision to stop; İYS accepts it only for a RET.
    HS_KARAR = "HS_KARAR", _("Our decision (refusal only)")


class ConsentRecordQuerySet(models.QuerySet):
    # History is never rewritten. The one thing learnt about a row after it is
    # written is when İYS took it: the İYS sync sets iys_synced_at in bulk,
    # which is why that field may be updated and no other.
    _UPDATABLE = frozenset({"iys_synced_at"})

    def _refuse_rewrites(self, fields):
        rewritten = set(fields) - self._UPDATABLE
        if rewritten:
            raise AppendOnlyError(
                f"Consent records are append-only; cannot update {', '.join(sorted(rewritten))}."
            )

    def update(self, **kwargs):
        self._refuse_rewrites(kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse_rewrites(fields)  # before bulk_update opens its transaction
        return super().bulk_update(objs, fields, batch_size=batch_size)


class ConsentRecord(models.Model):
    """One statement of a guest about commercial contact on one channel.

    Write through consent.services.consent_record; read the current state
    through consent.selectors. Rows are never updated or deleted one by one;
    they go only with their guest (CASCADE), e.g. on a KVKK erasure.
    """

    # db_index=False: the (guest, type, …) index below leads with guest.
    guest = models.ForeignKey(
        Guest,
        verbose_name=_("guest"),
        on_delete=models.CASCADE,
        related_name="consent_records",
        db_index=False,
    )
    # E.164 for ARAMA and MESAJ, lower-case e-mail for EPOSTA (consent.services).
    recipient = models.CharField(_("recipient"), max_length=254)
    recipient_type = models.CharField(
        _("recipient type"),
        max_length=8,
        choices=RecipientType.choices,
        default=RecipientType.BIREYSEL,
    )
    type = models.CharField(_("channel"), max_length=6, choices=ConsentType.choices)
    status = models.CharField(_("status"), max_length=4, choices=ConsentStatus.choices)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    consent_date = models.DateTimeField(
        _("consent date"), default=timezone.now, help_text=_("When the guest said it.")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    # PROTECT, not SET_NULL: nulling it would rewrite the record. People who
    # leave are deactivated, not deleted.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Consent taken outside İYS must reach it within 3 business days.
    iys_synced_at = models.DateTimeField(_("sent to İYS"), null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-consent_date", "-recorded_at", "-id"]
        indexes = [
            # consent.selectors: the newest row per (guest, type), in this order.
            models.Index(
                "guest",
                "type",
                models.F("consent_date").desc(),
                models.F("recorded_at").desc(),
                models.F("id").desc(),
                name="consent_latest_per_type_idx",
            ),
            # İYS reports changes by recipient (a RET given to İYS directly).
            models.Index(fields=["recipient", "type"], name="consent_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.get_status_display()} ({self.recipient})"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("Consent records are append-only; record a new one instead.")
        # A new row with a pk set by hand must not turn into an UPDATE of an old one.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Consent records are append-only; record a RET instead.")

    def clean(self):
        errors = {}
        if self.source == ConsentSource.HS_KARAR and self.status != ConsentStatus.RET:
            errors["source"] = _("Our own decision can only record a refusal.")
        if self.consent_date is not None:
            if self.consent_date > timezone.now():
                errors["consent_date"] = _("The consent date is in the future.")
            elif self.consent_date < IYS_EARLIEST_CONSENT_DATE:
                errors["consent_date"] = _(
                    "İYS takes no consent date before 1 May 2015: record an older consent "
                    "on that day, with the source “Consent held before 1 May 2015”."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def iys_consent_date(self) -> str:
        """consentDate as İYS takes it: ``YYYY-MM-DD HH:MM:SS`` in Turkey time."""
        return self.consent_date.astimezone(IYS_TIMEZONE).strftime(IYS_DATE_FORMAT)

    @property
    def iys_payload(self) -> dict[str, str]:
        """This record as one consent of the İYS API."""
        return {
            "recipient": self.recipient,
            "recipientType": self.recipient_type,
            "type": self.type,
            "source": self.source,
            "status": self.status,
            "consentDate": self.iys_consent_date,
        }
