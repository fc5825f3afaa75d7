"""Consent to commercial calls, messages and e-mails, kept the İYS way.

İYS (İleti Yönetim Sistemi, law 6563) holds one consent per (recipient, type):
a phone number or e-mail address, a channel, ONAY or RET, where it was given
(source) and when (consentDate, Turkey time). We keep every statement a guest
made as one row and never rewrite one: the current state of a channel is the
newest row (consent.selectors), so a RET takes effect the moment it is written,
and the rows are the evidence of what was said, when, and to whom.

What we learn about a row afterwards is how İYS took it (``iys_state`` and
its companions): consent taken by us must reach İYS within 3 business days,
and what guests change on İYS itself comes back as new rows of İYS's own
sources. consent.sync runs that sync; IysRequest, PulledChange and
IysPullCursor are its bookkeeping.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.pseudonyms import keyed_hash, keyed_hashes
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
    # Where guests change their mind on İYS itself (its e-Devlet site, app,
    # SMS short number, call center...), as İYS's consents/changes names them.
    # Only the İYS pull writes these (consent.sync.iys_pull_changes); a
    # source İYS adds later is stored as IYS, its raw name kept in PulledChange.
    IYS_CM = "IYS_CM", _("İYS call center")
    IYS_WEB = "IYS_WEB", _("İYS website")
    IYS_WEB_YENI = "IYS_WEB_YENI", _("İYS website (new)")
    IYS_MOBIL = "IYS_MOBIL", _("İYS mobile app")
    IYS_KISAMESAJ = "IYS_KISAMESAJ", _("İYS text message")
    IYS_EPOSTA = "IYS_EPOSTA", _("İYS e-mail")
    IYS_AHS_HAT_KAPATMA = "IYS_AHS_HAT_KAPATMA", _("İYS: phone line closed")
    IYS = "IYS", _("İYS (other)")


# What guests told İYS directly: already there, nothing to send, no deadline.
IYS_SOURCES = frozenset(value for value in ConsentSource.values if value.startswith("IYS"))


class IysState(models.TextChoices):
    """Where a consent record stands with İYS (consent.sync.iys_*)."""

    PENDING = "pending", _("To send")
    SUBMITTED = "submitted", _("Sent, awaiting İYS")
    SYNCED = "synced", _("In İYS")
    FAILED = "failed", _("Refused by İYS")
    # A newer statement for the same recipient and channel exists (ours or
    # İYS's): İYS keeps one consent per recipient and channel, the newest.
    SUPERSEDED = "superseded", _("Superseded")
    FROM_IYS = "from_iys", _("From İYS")
    # Written in bulk outside consent_record (the demo loader's COPY, rows
    # older than the sync): nobody knows, so nothing is sent or counted late.
    UNTRACKED = "untracked", _("Not tracked")


# Not (yet) in İYS although they should be: what the deadline applies to.
IYS_UNSYNCED = (IysState.PENDING, IysState.SUBMITTED, IysState.FAILED)

# What an erased guest's recipient becomes (ConsentRecordQuerySet.pseudonymize).
PSEUDONYM_PREFIX = "sha256:"


_RECIPIENT_SALT = "consent.recipient"


def recipient_pseudonym(recipient: str) -> str:
    """The keyed hash that stands for a recipient after a KVKK erasure:
    "did +90532… consent on that day?" is answered by hashing the number
    and comparing, without the number being stored. Keyed with SECRET_KEY
    (a rotated key must stay in SECRET_KEY_FALLBACKS for old hashes to be
    checked); an already pseudonymized recipient is returned as it is."""
    return keyed_hash(recipient, salt=_RECIPIENT_SALT, prefix=PSEUDONYM_PREFIX)


def recipient_pseudonyms(recipient: str) -> set[str]:
    """Every hash ``recipient`` may be stored under after an erasure (one
    per key, SECRET_KEY_FALLBACKS too): what the consent gate also looks for,
    so a RET outlives the anonymization of the guest who gave it."""
    return keyed_hashes(recipient, salt=_RECIPIENT_SALT, prefix=PSEUDONYM_PREFIX)


class ConsentRecordQuerySet(models.QuerySet):
    # History is never rewritten. What is learnt about a row after it is
    # written is how İYS took it: the İYS sync (consent.sync) moves these
    # fields in bulk, which is why they may be updated and no other. The
    # statement itself, and the deadline derived from it, never change.
    _UPDATABLE = frozenset(
        {
            "iys_state",
            "iys_request",
            "iys_request_id",
            "iys_error_code",
            "iys_error_message",
            "iys_synced_at",
        }
    )

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

    def pseudonymize(self, *, mask_note=None) -> int:
        """The one rewrite besides the İYS fields, for KVKK erasure only
        (consent.privacy.guest_anonymize): the rows stay, as the evidence of
        what was said, when and on which channel, but the recipient becomes
        its keyed hash (recipient_pseudonym) and ``mask_note``, given, takes
        names and numbers out of the note. A record still waiting for İYS is
        never sent now (its recipient is gone): it leaves the İYS work list as
        not tracked. How many rows changed; a second run changes none."""
        changed = set()
        for pk, recipient, note in self.values_list("pk", "recipient", "note"):
            fields = {}
            if (pseudonym := recipient_pseudonym(recipient)) != recipient:
                fields["recipient"] = pseudonym
            if mask_note is not None and (masked := mask_note(note)) != note:
                fields["note"] = masked
            if fields:
                models.QuerySet.update(self.model.objects.filter(pk=pk), **fields)
                changed.add(pk)
        unsent = self.filter(iys_state__in=[IysState.PENDING, IysState.FAILED])
        unsent_ids = set(unsent.values_list("pk", flat=True))
        models.QuerySet.update(
            self.model.objects.filter(pk__in=unsent_ids), iys_state=IysState.UNTRACKED
        )
        return len(changed | unsent_ids)

    def iys_unsynced(self):
        return self.filter(iys_state__in=IYS_UNSYNCED)

    def iys_overdue(self, now: dt.datetime):
        """Not in İYS and past the deadline İYS sets (3 business days)."""
        return self.iys_unsynced().filter(iys_due_at__lt=now)


class ConsentRecord(models.Model):
    """One statement of a guest about commercial contact on one channel.

    Write through consent.services.consent_record; read the current state
    through consent.selectors. Rows are never updated or deleted. A KVKK
    erasure does not delete them either: it anonymizes the guest and turns
    the recipient into its keyed hash (ConsentRecordQuerySet.pseudonymize),
    the rows staying as the evidence of what was said.
    """

    # PROTECT: a guest with consent history cannot be deleted (the admin's
    # delete would take the evidence with it); consent.privacy.guest_anonymize
    # is the way a guest goes. db_index=False: the (guest, type, …) index
    # below leads with guest.
    guest = models.ForeignKey(
        Guest,
        verbose_name=_("guest"),
        on_delete=models.PROTECT,
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
    note = models.CharField(_("note"), max_length=200, blank=True)

    # --- İYS sync state: set by consent.sync, the only fields that change.
    # db_default: the demo loader writes rows with COPY, without these columns.
    iys_state = models.CharField(
        _("İYS"),
        max_length=10,
        choices=IysState.choices,
        default=IysState.UNTRACKED,
        db_default=IysState.UNTRACKED,
        editable=False,
    )
    # Consent taken outside İYS must reach it within 3 business days of
    # consent_date (settings.IYS_DEADLINE_BUSINESS_DAYS); set once, at creation.
    # None for what came from İYS.
    iys_due_at = models.DateTimeField(_("due in İYS by"), null=True, blank=True, editable=False)
    # The request this record was last sent in (its history: IysRequestItem).
    iys_request = models.ForeignKey(
        "IysRequest",
        verbose_name=_("İYS request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    iys_error_code = models.CharField(
        _("İYS error"), max_length=20, blank=True, default="", db_default="", editable=False
    )
    iys_error_message = models.CharField(
        _("İYS error message"),
        max_length=500,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    iys_synced_at = models.DateTimeField(_("in İYS since"), null=True, blank=True, editable=False)

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
            # The sync's work list, the overdue alert and the supervisors' page:
            # the few rows not in İYS yet, by deadline.
            models.Index(
                fields=["iys_due_at", "id"],
                condition=models.Q(iys_state__in=IYS_UNSYNCED),
                name="consent_iys_unsynced_idx",
            ),
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

    def is_iys_overdue(self, now: dt.datetime | None = None) -> bool:
        return (
            self.iys_state in IYS_UNSYNCED
            and self.iys_due_at is not None
            and self.iys_due_at < (now or timezone.now())
        )

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


class IysRequest(models.Model):
    """One async request to İYS: up to 1000 consents, sent in one POST and
    answered per position (IysRequestItem.index) when polled, no sooner than
    300 s later. Written by consent.sync.iys_submit_pending and
    iys_poll_due; never edited by hand."""

    # Empty from the claim until İYS answers the POST; a request left empty
    # (the worker stopped in between) is released by iys_poll_due.
    request_id = models.CharField(_("İYS request id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("claimed"), default=timezone.now)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True)
    polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    polls = models.PositiveSmallIntegerField(_("polls"), default=0)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    item_count = models.PositiveIntegerField(_("consents"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("İYS request")
        verbose_name_plural = _("İYS requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_poll_at"],
                condition=models.Q(done_at__isnull=True),
                name="iysrequest_open_idx",
            )
        ]

    def __str__(self) -> str:
        return self.request_id or f"#{self.pk}"


class IysRequestItem(models.Model):
    """A consent record at its position in a request: İYS answers by index."""

    request = models.ForeignKey(IysRequest, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(
        ConsentRecord, on_delete=models.CASCADE, related_name="iys_request_items"
    )
    index = models.PositiveIntegerField(_("index"))
    # What İYS made of it: success, failure or enqueue (consent.iys.Outcome);
    # empty until it says.
    outcome = models.CharField(_("outcome"), max_length=10, blank=True)
    error_code = models.CharField(_("error"), max_length=20, blank=True)
    error_message = models.CharField(_("error message"), max_length=500, blank=True)
    transaction_id = models.CharField(_("İYS transaction"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("İYS request item")
        verbose_name_plural = _("İYS request items")
        ordering = ["request", "index"]
        constraints = [
            models.UniqueConstraint(fields=["request", "index"], name="iysrequestitem_index_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request} [{self.index}]"


class IysPullCursor(models.Model):
    """Where the pull of İYS's consents/changes stands: one row per İYS
    ``source`` list (IYS: what guests did on İYS itself)."""

    source = models.CharField(max_length=3, unique=True, default="IYS")
    after = models.CharField(_("cursor"), max_length=200, blank=True)
    pulled_at = models.DateTimeField(_("last pulled"), null=True, blank=True)

    class Meta:
        verbose_name = _("İYS pull cursor")
        verbose_name_plural = _("İYS pull cursors")

    def __str__(self) -> str:
        return f"{self.source} after {self.after or '-'}"


class PulledChange(models.Model):
    """One change İYS reported, as it came (the audit of the pull), and how
    many of our guests it was recorded for. A change is stored once: by its
    transactionId, or by all its fields when İYS gives none."""

    pulled_at = models.DateTimeField(_("pulled"), default=timezone.now)
    recipient = models.CharField(_("recipient"), max_length=254)
    recipient_type = models.CharField(_("recipient type"), max_length=8)
    type = models.CharField(_("channel"), max_length=6)
    status = models.CharField(_("status"), max_length=4)
    # Raw: İYS's own name, even one ConsentSource does not know yet.
    source = models.CharField(_("source"), max_length=40, blank=True)
    consent_date = models.DateTimeField(_("consent date"), null=True, blank=True)
    creation_date = models.DateTimeField(_("in İYS since"), null=True, blank=True)
    transaction_id = models.CharField(_("İYS transaction"), max_length=100, blank=True)
    guests_matched = models.PositiveIntegerField(_("guests"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("change pulled from İYS")
        verbose_name_plural = _("changes pulled from İYS")
        ordering = ["-pulled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction_id"],
                condition=~models.Q(transaction_id=""),
                name="pulledchange_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.status} ({self.source})"
