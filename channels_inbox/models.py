"""The unified inbox: every channel's messages in one queue (BRIEF.md §2).

Flow: a channel's webhook body is stored first (InboundPayload), answered at
once, then a Celery task turns it into Messages of Conversations. A
Conversation is one guest's thread on one channel account; it is triaged
(language, scenario, priority), routed to an agent and closed with an outcome.
"""

from __future__ import annotations

import builtins
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guestview.models import AgentProfile, Call, Guest, Language, Property


class ChannelKind(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    INSTAGRAM = "instagram", "Instagram"
    MESSENGER = "messenger", "Messenger"
    WEBCHAT = "webchat", _("Web chat")
    BOOKING = "booking", "Booking.com"
    PHONE = "phone", _("Phone")


def _new_secret() -> str:
    return secrets.token_urlsafe(24)


class ChannelAccount(models.Model):
    """One hotel's presence on one channel: a WhatsApp Business number
    (``external_id`` = phone_number_id), an Instagram account or Facebook page
    (its id), a web chat widget (its public key), a Booking.com hotel id.

    Meta signs webhooks with the app secret; several accounts usually share one
    app, so the webhook views try the distinct secrets of the active accounts."""

    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, related_name="channels"
    )
    kind = models.CharField(_("channel"), max_length=12, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=120)
    external_id = models.CharField(
        _("external id"),
        max_length=120,
        help_text=_(
            "WhatsApp phone_number_id, Instagram account id, Facebook page id, "
            "Booking.com hotel id, or the web chat widget key."
        ),
        default=_new_secret,
    )
    display_number = models.CharField(_("display number"), max_length=40, blank=True)
    access_token = models.TextField(_("access token"), blank=True)
    app_secret = models.CharField(
        _("app secret"), max_length=200, blank=True, help_text=_("Verifies webhook signatures.")
    )
    verify_token = models.CharField(
        _("verify token"), max_length=200, blank=True, help_text=_("For Meta's GET handshake.")
    )
    api_base_url = models.URLField(
        _("API base URL"), blank=True, help_text=_("Empty: the channel's public API.")
    )
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_("Web chat only: the hotel sites that may embed the widget, one per line."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Booking.com pulls: where the last pull stopped (the API's own cursor).
    pull_cursor = models.CharField(max_length=200, blank=True, editable=False)
    pulled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        ordering = ["property__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="channelaccount_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"

    @builtins.property  # the field named property shadows the builtin
    def origins(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line]


class PayloadStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    PROCESSED = "processed", _("Processed")
    REJECTED = "rejected", _("Rejected (malformed)")
    FAILED = "failed", _("Failed")


class InboundPayload(models.Model):
    """A webhook body exactly as it arrived, written before anything else so
    that no delivery is lost: the processing task, or the sweeper when the
    worker or Redis was down, turns it into messages later."""

    source = models.CharField(_("source"), max_length=12, choices=ChannelKind.choices)
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=PayloadStatus.choices, default=PayloadStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A body left pending after an attempt (a status before its message, an
    # unknown account) is not taken again before this.
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound payload")
        verbose_name_plural = _("inbound payloads")
        ordering = ["-received_at"]
        # The sweeper's scan: pending rows, oldest first.
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=Q(status="pending"),
                name="inboundpayload_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} #{self.pk} {self.status}"


class Scenario(models.TextChoices):
    RESERVATION = "reservation", _("Reservation")
    CHANGE_CANCEL = "change_cancel", _("Change / cancel")
    INFO = "info", _("Information")
    COMPLAINT = "complaint", _("Complaint")
    PAYMENT = "payment", _("Payment")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


PRIORITY_RANK = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    BOOKED = "booked", _("Booked")
    LEAD = "lead", _("Handed to sales")
    OFFER_SENT = "offer_sent", _("Offer sent")
    COMPLAINT_HANDLED = "complaint_handled", _("Complaint handled")
    NO_REPLY_NEEDED = "no_reply_needed", _("No reply needed")
    SPAM = "spam", _("Spam")


class TagKind(models.TextChoices):
    CHANNEL = "channel", _("Channel")
    LANGUAGE = "language", _("Language")
    TOPIC = "topic", _("Topic")
    URGENCY = "urgency", _("Urgency")
    REVENUE = "revenue", _("Revenue potential")


class Tag(models.Model):
    """Admin-managed tags, in sets by kind."""

    kind = models.CharField(_("tag set"), max_length=10, choices=TagKind.choices)
    name = models.CharField(_("name"), max_length=60)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="tag_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class ConversationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ConversationStatus.OPEN)

    def waiting(self):
        """Open and nobody has it."""
        return self.open().filter(assigned_to__isnull=True)

    def in_queue_order(self):
        """Priority, then SLA deadline, then who has waited longest."""
        rank = Case(
            *(When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()),
            default=Value(9),
            output_field=IntegerField(),
        )
        return self.alias(priority_rank=rank).order_by(
            "priority_rank", models.F("sla_due_at").asc(nulls_last=True), "waiting_since", "id"
        )


class Conversation(models.Model):
    """One guest's thread on one channel account. At most one is open per
    (account, contact); a closed one stays in the guest's timeline."""

    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("channel account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conversations",
    )
    channel = models.CharField(_("channel"), max_length=12, choices=ChannelKind.choices)
    # The normalized identifier the channel gave: E.164 for WhatsApp and phone,
    # the platform-scoped id for Instagram/Messenger, an e-mail or visitor key
    # for web chat, the reservation for Booking.com.
    contact_key = models.CharField(_("contact"), max_length=200)
    contact_name = models.CharField(_("name on the channel"), max_length=200, blank=True)
    guest = models.ForeignKey(
        Guest,
        verbose_name=_("guest"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    # The channel's own thread (Booking.com conversation id); empty elsewhere.
    external_thread_id = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ConversationStatus.choices,
        default=ConversationStatus.OPEN,
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.OTHER
    )
    scenario = models.CharField(
        _("scenario"), max_length=14, choices=Scenario.choices, default=Scenario.OTHER
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.LOW
    )
    # What triage said, kept apart from the agent's corrections (accuracy).
    triaged = models.JSONField(default=dict, blank=True, editable=False)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True)
    assigned_to = models.ForeignKey(
        AgentProfile,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    # The oldest guest message not answered yet; None when the ball is with
    # the guest. The queue orders by it, the SLA deadline counts from it.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    # The SLA deadlines (leads.sla plans them, with their clocks). sla_due_at
    # is the reply due now, first or next: the queue orders by it.
    sla_due_at = models.DateTimeField(_("reply due"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # kpi reads these; set once (first_response_at) or on each message.
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    last_inbound_at = models.DateTimeField(_("last guest message"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    last_message_preview = models.CharField(max_length=160, blank=True)
    missed_at = models.DateTimeField(_("missed its SLA"), null=True, blank=True)
    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    summary = models.TextField(_("summary"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "account", "contact_key"],
                condition=Q(status="open"),
                name="conversation_one_open_per_contact",
            )
        ]
        indexes = [
            models.Index(
                fields=["property", "sla_due_at"],
                condition=Q(status="open"),
                name="conversation_open_idx",
            ),
            models.Index(
                fields=["assigned_to"], condition=Q(status="open"), name="conversation_mine_idx"
            ),
            models.Index(fields=["guest", "-last_message_at"], name="conversation_guest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.display_name}"

    @builtins.property
    def display_name(self) -> str:
        if self.guest_id:
            return self.guest.full_name
        if self.contact_name:
            return self.contact_name
        if self.channel in (ChannelKind.INSTAGRAM, ChannelKind.MESSENGER):
            # A platform-scoped id means nothing to an agent; its end tells two apart.
            return f"{self.get_channel_display()} …{self.contact_key[-4:]}"
        return self.contact_key

    @builtins.property
    def is_overdue(self) -> bool:
        return bool(self.sla_due_at and self.waiting_since and self.sla_due_at < timezone.now())

    @builtins.property
    def whatsapp_window_open(self) -> bool:
        """WhatsApp lets a business send free text only within 24 hours of the
        guest's last message; after that, only approved templates."""
        if self.channel != ChannelKind.WHATSAPP:
            return True
        return bool(
            self.last_inbound_at
            and timezone.now() - self.last_inbound_at < settings.WHATSAPP_SERVICE_WINDOW
        )


class Direction(models.TextChoices):
    IN = "in", _("From the guest")
    OUT = "out", _("To the guest")
    NOTE = "note", _("Internal note")
    EVENT = "event", _("Event")


class MessageKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    DOCUMENT = "document", _("Document")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    STICKER = "sticker", _("Sticker")
    LOCATION = "location", _("Location")
    INTERACTIVE = "interactive", _("Reply button")
    REACTION = "reaction", _("Reaction")
    TEMPLATE = "template", _("Template")
    CALL = "call", _("Call")
    UNSUPPORTED = "unsupported", _("Unsupported")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


# Statuses only move forward: a "delivered" arriving after "read" changes
# nothing (webhooks are not ordered). Failed ends it.
DELIVERY_RANK = {
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
    DeliveryStatus.FAILED: 4,
}


class Message(models.Model):
    """One entry of a conversation: a guest message, our reply, an internal
    note or an event (a call). Duplicate deliveries of a channel message are
    one row: (account, external_id) is unique."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    kind = models.CharField(
        _("kind"), max_length=12, choices=MessageKind.choices, default=MessageKind.TEXT
    )
    # The channel's id: wamid.…, Instagram mid, Booking message id. NULL for
    # notes and for outbound messages until the API answers.
    # NULL, not "": the unique constraint below must let many rows have none.
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    text = models.TextField(_("text"), blank=True)
    # Attachment metadata only (type, media id, mime type, caption, file name,
    # location, reply button ids); the media itself stays with the channel.
    attachments = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    template_name = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    status_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    sent_at = models.DateTimeField(_("time"), default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="message_once_per_account"
            )
        ]
        indexes = [models.Index(fields=["conversation", "sent_at"], name="message_conv_idx")]

    def __str__(self) -> str:
        return f"{self.direction} {self.text[:40]}"

    @property
    def is_from_guest(self) -> bool:
        return self.direction == Direction.IN


class TriageField(models.TextChoices):
    LANGUAGE = "language", _("Language")
    SCENARIO = "scenario", _("Scenario")
    PRIORITY = "priority", _("Priority")


class TriageCorrection(models.Model):
    """An agent corrected what triage said: the accuracy of triage is measured
    against these (kpi and bench/triage_accuracy.py)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="corrections"
    )
    field = models.CharField(max_length=10, choices=TriageField.choices)
    predicted = models.CharField(max_length=20)
    corrected = models.CharField(max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("triage correction")
        verbose_name_plural = _("triage corrections")

    def __str__(self) -> str:
        return f"{self.field}: {self.predicted} → {self.corrected}"


class ReplyCategory(models.TextChoices):
    GREETING = "greeting", _("Greeting")
    RESERVATION = "reservation", _("Reservation")
    CANCEL_CHANGE = "cancel_change", _("Cancel / change")
    PAYMENT = "payment", _("Payment")
    CHECK_IN_OUT = "check_in_out", _("Check-in / check-out")
    TRANSFER = "transfer", pgettext_lazy("airport", "Transfer")
    COMPLAINT = "complaint", _("Complaint")
    CLOSING = "closing", _("Closing")


class CannedReply(models.Model):
    """The standard answer bank. ``text`` may use {guest_name}, {hotel_name}
    and {agent_name}; the reply box fills them in."""

    title = models.CharField(_("title"), max_length=80)
    category = models.CharField(_("category"), max_length=14, choices=ReplyCategory.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=[c for c in Language.choices if c[0] != "other"]
    )
    text = models.TextField(_("text"))
    property = models.ForeignKey(
        Property,
        verbose_name=_("property"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: every hotel."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["category", "language", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class WhatsAppTemplate(models.Model):
    """An approved WhatsApp message template (greeting + clear info +
    question): the only thing we may send outside the 24-hour window."""

    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("WhatsApp number"),
        on_delete=models.CASCADE,
        related_name="templates",
        limit_choices_to={"kind": ChannelKind.WHATSAPP},
    )
    name = models.CharField(_("template name at Meta"), max_length=120)
    language = models.CharField(
        _("language"), max_length=10, help_text=_("Meta's code: tr, en_US, de, ru.")
    )
    body = models.TextField(
        _("body"), help_text=_("Three lines; {{1}} is the guest's name, as approved at Meta.")
    )
    is_approved = models.BooleanField(_("approved by Meta"), default=False)

    class Meta:
        verbose_name = _("WhatsApp template")
        verbose_name_plural = _("WhatsApp templates")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name", "language"], name="whatsapptemplate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def render(self, guest_name: str) -> str:
        return self.body.replace("{{1}}", guest_name)


class WebChatVisitor(models.Model):
    """A visitor of a hotel's web site who started the chat widget. ``token``
    is the visitor's secret (kept in the browser's storage)."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=_new_secret)
    name = models.CharField(_("name"), max_length=120)
    contact = models.CharField(_("contact"), max_length=200)
    consent_at = models.DateTimeField(_("consent given"))
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("web chat visitor")
        verbose_name_plural = _("web chat visitors")

    def __str__(self) -> str:
        return self.name
