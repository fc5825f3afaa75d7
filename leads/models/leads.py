"""Leads (BRIEF.md §2): a guest's request handed to sales, with a Case ID,
a fixed source tag, a status pipeline, two-option offers and a mandatory
next follow-up while it is being worked. Campaign briefs live here too: what
marketing runs, so the call center knows."""

from __future__ import annotations

import builtins
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels_inbox.models import ChannelKind, Conversation, Priority
from guestview.models import AgentProfile, Board, Call, Guest, Language, Property, Segment

CASE_ID_RE = re.compile(r"^M360-(\d{4})-(\d{6,})$", re.IGNORECASE)


class LeadSource(models.Model):
    """The fixed set of source tags (6–8 values, BRIEF.md §2), admin-managed:
    web-form, ota, whatsapp, social-dm, phone, callback, campaign."""

    MAX_ACTIVE = 8

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    # The channel whose SLA policies apply to the lead (empty: any channel's).
    channel = models.CharField(
        _("SLA channel"), max_length=12, choices=ChannelKind.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # consent.gate: an offer to a lead the guest started (a form, a DM, a
    # call) answers them; a campaign's lead is ours, and needs their ONAY.
    guest_initiated = models.BooleanField(
        _("guest initiated"), default=True,
        help_text=_("Offers to these leads answer the guest; others need commercial consent."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.is_active:
            others = LeadSource.objects.filter(is_active=True).exclude(pk=self.pk).count()
            if others + 1 > self.MAX_ACTIVE:
                raise ValidationError(
                    _("At most %(n)d sources are active: a fixed, short list keeps reports clean."),
                    params={"n": self.MAX_ACTIVE},
                )


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    OFFER_SENT = "offer_sent", _("Offer sent")
    OPTION = "option", _("Option held")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled")


# Where a lead may go from each status (the pipeline board offers these).
LEAD_MOVES: dict[str, list[str]] = {
    LeadStatus.NEW: [LeadStatus.CONTACTED, LeadStatus.OFFER_SENT, LeadStatus.LOST,
                     LeadStatus.CANCELLED],
    LeadStatus.CONTACTED: [LeadStatus.OFFER_SENT, LeadStatus.OPTION, LeadStatus.WON,
                           LeadStatus.LOST, LeadStatus.CANCELLED],
    LeadStatus.OFFER_SENT: [LeadStatus.CONTACTED, LeadStatus.OPTION, LeadStatus.WON,
                            LeadStatus.LOST, LeadStatus.CANCELLED],
    LeadStatus.OPTION: [LeadStatus.OFFER_SENT, LeadStatus.WON, LeadStatus.LOST,
                        LeadStatus.CANCELLED],
    LeadStatus.WON: [],
    LeadStatus.LOST: [LeadStatus.CONTACTED],
    LeadStatus.CANCELLED: [LeadStatus.CONTACTED],
}  # fmt: skip
# While a lead is worked it must say when someone comes back to it.
FOLLOW_UP_REQUIRED = {LeadStatus.CONTACTED, LeadStatus.OFFER_SENT, LeadStatus.OPTION}
OPEN_STATUSES = {LeadStatus.NEW, *FOLLOW_UP_REQUIRED}
CLOSED_STATUSES = {LeadStatus.WON, LeadStatus.LOST, LeadStatus.CANCELLED}


class LostReason(models.TextChoices):
    PRICE = "price", _("Price")
    AVAILABILITY = "availability", _("No availability")
    COMPETITOR = "competitor", _("Booked elsewhere")
    DATES = "dates", _("Dates changed / trip off")
    NO_ANSWER = "no_answer", _("No answer from the guest")
    OTHER = "other", _("Other")


class CaseCounter(models.Model):
    """The last Case ID number of a year (leads.services.case_id_next)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class LeadQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def follow_up_due(self, now=None):
        return self.open().filter(next_follow_up_at__lte=now or timezone.now())


class Lead(models.Model):
    """A request handed to sales. Written only through leads.services."""

    case_id = models.CharField(_("Case ID"), max_length=20, unique=True, editable=False)
    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, related_name="leads"
    )
    guest = models.ForeignKey(
        Guest, verbose_name=_("guest"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="leads",
    )  # fmt: skip
    # The three mandatory fields of a DM handed to sales: name, contact, request.
    name = models.CharField(_("name"), max_length=160)
    contact = models.CharField(_("contact"), max_length=200, help_text=_("Phone or e-mail."))
    request = models.TextField(_("request"))
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.TR
    )
    source = models.ForeignKey(
        LeadSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="leads"
    )
    utm_source = models.CharField(max_length=120, blank=True)
    utm_medium = models.CharField(max_length=120, blank=True)
    utm_campaign = models.CharField(max_length=120, blank=True)
    utm_term = models.CharField(max_length=120, blank=True)
    utm_content = models.CharField(max_length=120, blank=True)
    campaign = models.ForeignKey(
        "leads.Campaign", verbose_name=_("campaign"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="leads",
    )  # fmt: skip
    # What the guest asks for.
    arrival = models.DateField(_("arrival"), null=True, blank=True)
    departure = models.DateField(_("departure"), null=True, blank=True)
    adults = models.PositiveSmallIntegerField(_("adults"), default=2)
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    room_wish = models.CharField(_("room wish"), max_length=160, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")

    status = models.CharField(
        _("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.HIGH
    )
    assigned_to = models.ForeignKey(
        AgentProfile, verbose_name=_("agent"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="leads",
    )  # fmt: skip
    next_follow_up_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)
    lost_reason = models.CharField(
        _("reason lost"), max_length=14, choices=LostReason.choices, blank=True
    )
    reservation_number = models.CharField(_("reservation number"), max_length=40, blank=True)
    # What is on the table: the cheaper option of the last offer, else the budget.
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    conversations = models.ManyToManyField(
        Conversation, verbose_name=_("conversations"), blank=True, related_name="leads"
    )
    calls = models.ManyToManyField(Call, verbose_name=_("calls"), blank=True, related_name="leads")

    # SLA (leads.sla sets these with the clocks; kpi reads first_contact_at).
    first_response_due_at = models.DateTimeField(_("first contact due"), null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("next contact due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        constraints = [
            # The follow-up discipline, in the database too.
            models.CheckConstraint(
                condition=~Q(status__in=sorted(FOLLOW_UP_REQUIRED))
                | Q(next_follow_up_at__isnull=False),
                name="lead_follow_up_while_worked",
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.LOST) | ~Q(lost_reason=""),
                name="lead_lost_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.WON) | ~Q(reservation_number=""),
                name="lead_won_has_reservation",
            ),
        ]
        indexes = [
            models.Index(
                fields=["property", "next_follow_up_at"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="lead_open_follow_up_idx",
            ),
            models.Index(fields=["assigned_to", "status"], name="lead_agent_idx"),
            models.Index(fields=["guest", "-created_at"], name="lead_guest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name}"

    @builtins.property  # the field named property shadows the builtin
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @builtins.property
    def follow_up_overdue(self) -> bool:
        return bool(
            self.is_open and self.next_follow_up_at and self.next_follow_up_at < timezone.now()
        )

    @builtins.property
    def nights(self) -> int | None:
        if self.arrival and self.departure:
            return (self.departure - self.arrival).days
        return None

    @builtins.property
    def moves(self) -> list[str]:
        return LEAD_MOVES[LeadStatus(self.status)]

    @builtins.property
    def move_choices(self) -> list[tuple[str, str]]:
        return [(s, LeadStatus(s).label) for s in self.moves]


class LeadEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    FOLLOW_UP = "follow_up", _("Follow-up set")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Note")
    OFFER = "offer", _("Offer sent")
    OPTION = "option", _("Option")
    ESCALATED = "escalated", _("Escalated")


class LeadEvent(models.Model):
    """The lead's history, append-only: who changed what, when."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=LeadEventKind.choices)
    text = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lead", "-at"], name="leadevent_lead_idx")]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.kind}"


class NextStep(models.TextChoices):
    CONFIRM = "confirm", _("Reply to confirm one option")
    CALL_BACK = "call_back", _("We call you back")
    HOLD = "hold", _("We hold the option for you")
    DEPOSIT = "deposit", _("Pay the deposit to confirm")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")


class Offer(models.Model):
    """Two options and a next step, in the guest's language, sent on the
    guest's channel (leads.services.offer_send)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    next_step = models.CharField(_("next step"), max_length=10, choices=NextStep.choices)
    text = models.TextField(_("text as sent"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT
    )
    message = models.ForeignKey(
        "channels_inbox.Message", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.lead.case_id} offer {self.pk}"


class OfferOption(models.Model):
    """One of the two options. When the guest picks it the lead holds it
    (status option) until ``valid_until``; the agent is reminded before and
    the hold is released after (leads.tasks.options_expire)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=1)
    room_type = models.CharField(_("room type"), max_length=80)
    board = models.CharField(_("board"), max_length=3, choices=Board.choices)
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    valid_until = models.DateTimeField(_("valid until"))
    is_held = models.BooleanField(_("held"), default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("offer option")
        verbose_name_plural = _("offer options")
        ordering = ["position"]
        indexes = [
            models.Index(
                fields=["valid_until"], condition=Q(expired_at__isnull=True),
                name="offeroption_live_idx",
            )
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=Q(departure__gt=models.F("arrival")), name="offeroption_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.room_type} {self.get_board_display()} {self.price} {self.currency}"

    @builtins.property
    def nights(self) -> int:
        return (self.departure - self.arrival).days


def _intake_key() -> str:
    return secrets.token_urlsafe(24)


class IntakeForm(models.Model):
    """A hotel site's lead form: it posts with the API key (server to server)
    or signs the body with the secret (HMAC-SHA256)."""

    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    api_key = models.CharField(_("API key"), max_length=64, unique=True, default=_intake_key)
    secret = models.CharField(_("HMAC secret"), max_length=64, default=_intake_key)
    source = models.ForeignKey(LeadSource, on_delete=models.PROTECT, related_name="+")
    allowed_origins = models.TextField(
        _("allowed origins"), blank=True, help_text=_("Sites that may post from a browser.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("web lead form")
        verbose_name_plural = _("web lead forms")

    def __str__(self) -> str:
        return f"{self.property} · {self.name}"

    @builtins.property
    def origins(self) -> list[str]:
        """The sites of allowed_origins, one per line (leads.intake's CORS)."""
        lines = self.allowed_origins.splitlines()
        return [line.strip().rstrip("/") for line in lines if line.strip()]


class IntakeStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Lead made")
    REJECTED = "rejected", _("Rejected (field errors)")
    REFUSED = "refused", _("Refused (key or signature)")


class IntakeSubmission(models.Model):
    """Every post to the lead intake, kept as it came: what became a lead
    and what was refused, with the field errors (nothing is lost)."""

    form = models.ForeignKey(
        IntakeForm, on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    body = models.TextField()
    content_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=IntakeStatus.choices)
    errors = models.JSONField(default=dict, blank=True)
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("web form submission")
        verbose_name_plural = _("web form submissions")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.status}"


class Campaign(models.Model):
    """A marketing campaign the call center must know: shown in the console
    while it runs, and on the 360° card of guests in its segment."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("utm_campaign"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    offer_text = models.TextField(_("offer"))
    target_segment = models.CharField(
        _("target segment"), max_length=10, choices=Segment.choices, blank=True,
        help_text=_("Empty: every guest."),
    )  # fmt: skip
    target_language = models.CharField(
        _("target market"), max_length=5, choices=Language.choices, blank=True
    )
    call_script = models.TextField(_("call script"), blank=True)
    properties = models.ManyToManyField(Property, verbose_name=_("hotels"), related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def targets(self, guest: Guest) -> bool:
        return (not self.target_segment or guest.segment == self.target_segment) and (
            not self.target_language or guest.language == self.target_language
        )


class CampaignCallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached, interested")
    NOT_INTERESTED = "not_interested", _("Reached, not interested")
    NO_ANSWER = "no_answer", _("No answer")
    CALL_BACK = "call_back", _("Asked to be called back")


class CampaignCall(models.Model):
    """An agent called a guest of a campaign's target list. Only with the
    guest's ONAY for calls (consent.gate; a refusal is in GateLog)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="calls")
    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="campaign_calls")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=CampaignCallOutcome.choices)
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("campaign call")
        verbose_name_plural = _("campaign calls")
        ordering = ["-at"]
        indexes = [models.Index(fields=["campaign", "guest"], name="campaigncall_idx")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.guest_id} · {self.outcome}"
