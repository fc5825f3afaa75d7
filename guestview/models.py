"""Guest identity and the hotel side of it: properties, guests, how to reach
them, their stays and preferences, and the agents who serve them.

Field ownership (docs/data-dictionary.md): the PMS is the truth for Stay; the
CRM for Guest.segment and Preference; the call center for AgentProfile.
"""

from __future__ import annotations

import builtins
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guestview.identity import format_phone, name_search_key


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(value)s is not a time zone."), params={"value": value}) from None


class Language(models.TextChoices):
    TR = "tr", _("Turkish")
    EN = "en", _("English")
    DE = "de", _("German")
    RU = "ru", _("Russian")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    ANTALYA = "antalya", "Antalya"
    BELEK = "belek", "Belek"
    SIDE = "side", "Side"
    KEMER = "kemer", "Kemer"
    BODRUM = "bodrum", "Bodrum"
    OTHER = "other", _("Other")


class Chain(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("hotel chain")
        verbose_name_plural = _("hotel chains")

    def __str__(self) -> str:
        return self.name


class Property(models.Model):
    """A hotel. Agents are scoped to properties with the object permission
    ``serve_property`` (django-guardian); see guestview.selectors."""

    chain = models.ForeignKey(
        Chain, verbose_name=_("chain"), on_delete=models.PROTECT, related_name="properties"
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Istanbul", validators=[validate_timezone]
    )

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["name"]
        permissions = [("serve_property", _("Serve this property's guests"))]

    def __str__(self) -> str:
        return self.name


class PropertyNumber(models.Model):
    """A dialed number (DID) that rings for a property; the screen-pop uses it
    to pick the property of an incoming call."""

    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.CASCADE, related_name="numbers"
    )
    number = models.CharField(_("number (E.164)"), max_length=20, unique=True)
    label = models.CharField(_("label"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("dialed number")
        verbose_name_plural = _("dialed numbers")

    def __str__(self) -> str:
        return format_phone(self.number)


class Segment(models.TextChoices):
    FAMILY = "family", _("Family")
    COUPLE = "couple", _("Couple")
    BUSINESS = "business", _("Business")
    LUXURY = "luxury", _("Luxury")


class SourceChannel(models.TextChoices):
    """How the guest first came to the hotel (CRM attribution)."""

    WEB = "web", _("Web")
    OTA = "ota", "OTA"
    CRM_CAMPAIGN = "crm_campaign", _("CRM campaign")
    ORGANIC = "organic", _("Organic")


class Guest(models.Model):
    """A person the hotel knows. The record belongs to one property (the hotel
    whose CRM holds it); only agents serving that property can read it."""

    # db_index=False: the (property, last_name, first_name) index covers it.
    property = models.ForeignKey(
        Property,
        verbose_name=_("property"),
        on_delete=models.PROTECT,
        related_name="guests",
        db_index=False,
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    # guestview.selectors.guest_search reads this; save() keeps it in step with
    # the name, bulk inserts (seed_demo) must set it. Trigram-indexed on PostgreSQL.
    search_name = models.CharField(max_length=400, editable=False, default="")
    language = models.CharField(
        _("language / market"), max_length=5, choices=Language.choices, default=Language.TR
    )
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, help_text="ISO 3166")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    segment = models.CharField(_("segment"), max_length=10, choices=Segment.choices, blank=True)
    source_channel = models.CharField(
        _("source channel"), max_length=15, choices=SourceChannel.choices, blank=True
    )
    last_campaign = models.CharField(_("last campaign"), max_length=120, blank=True)
    last_campaign_at = models.DateTimeField(_("last campaign interaction"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["property", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = name_search_key(self.first_name, self.last_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @builtins.property  # the field named property shadows the builtin
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", "WhatsApp"
    INSTAGRAM = "instagram", "Instagram"
    MESSENGER = "messenger", "Messenger"
    TELEGRAM = "telegram", "Telegram"


class ContactPoint(models.Model):
    """One way to reach a guest. ``value`` is the normalized key every channel
    resolves on: E.164 for phone and WhatsApp, lower-case for e-mail, the
    platform-scoped id for Instagram/Messenger."""

    # db_index=False here and on Stay/Preference.guest: a composite index or
    # unique constraint leading with guest covers it; saves load time at 1M guests.
    guest = models.ForeignKey(
        Guest,
        verbose_name=_("guest"),
        on_delete=models.CASCADE,
        related_name="contact_points",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ContactKind.choices)
    raw_value = models.CharField(_("as given"), max_length=200)
    value = models.CharField(_("normalized"), max_length=200)
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(
                fields=["guest", "kind", "value"], name="contactpoint_unique_per_guest"
            )
        ]
        # Equality lookups only (screen-pop, inbox, search): a plain btree, no
        # LIKE index that db_index=True would add on PostgreSQL.
        indexes = [models.Index(fields=["value"], name="contactpoint_value_idx")]

    def __str__(self) -> str:
        return self.display_value

    @property
    def display_value(self) -> str:
        if self.kind in (ContactKind.PHONE, ContactKind.WHATSAPP):
            return format_phone(self.value)
        return self.value


class Board(models.TextChoices):
    RO = "RO", _("Room only")
    BB = "BB", _("Bed & breakfast")
    HB = "HB", _("Half board")
    FB = "FB", _("Full board")
    AI = "AI", _("All inclusive")
    UAI = "UAI", _("Ultra all inclusive")


class StayStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    IN_HOUSE = "in_house", _("In house")
    DEPARTED = "departed", _("Departed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class Stay(models.Model):
    """A reservation as the PMS knows it (the PMS is the source of truth)."""

    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, related_name="stays"
    )
    guest = models.ForeignKey(
        Guest,
        verbose_name=_("guest"),
        on_delete=models.CASCADE,
        related_name="stays",
        db_index=False,
    )
    pms_reservation_id = models.CharField(_("PMS reservation"), max_length=40)
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    room_type = models.CharField(_("room type"), max_length=60)
    adults = models.PositiveSmallIntegerField(_("adults"), default=2)
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    board = models.CharField(_("board"), max_length=3, choices=Board.choices, default=Board.AI)
    total_revenue = models.DecimalField(_("total revenue"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(_("status"), max_length=10, choices=StayStatus.choices)
    # Only what the hotel allows agents to see (room wishes, occasion); never
    # health or other KVKK special categories.
    notes = models.TextField(_("stay notes"), blank=True)

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        ordering = ["-arrival"]
        constraints = [
            models.UniqueConstraint(
                fields=["property", "pms_reservation_id"], name="stay_unique_pms_reservation"
            ),
            models.CheckConstraint(
                condition=models.Q(departure__gte=models.F("arrival")),
                name="stay_departure_after_arrival",
            ),
        ]
        indexes = [models.Index(fields=["guest", "-arrival"])]

    def __str__(self) -> str:
        return f"{self.pms_reservation_id} ({self.arrival:%d.%m.%Y})"

    @builtins.property  # the field named property shadows the builtin
    def nights(self) -> int:
        return (self.departure - self.arrival).days


class PreferenceKey(models.TextChoices):
    BED = "bed", _("Bed")
    SMOKING = "smoking", _("Smoking")
    CHILDREN = "children", _("Children's needs")
    VIEW = "view", _("View")
    FLOOR = "floor", _("Floor")
    PILLOW = "pillow", _("Pillow")
    DIET = "diet", _("Diet")
    OCCASION = "occasion", _("Occasion")


class PreferenceSource(models.TextChoices):
    CRM = "crm", "CRM"
    PMS = "pms", "PMS"
    AGENT = "agent", _("Agent")
    GUEST = "guest", _("Guest")


class Preference(models.Model):
    guest = models.ForeignKey(
        Guest,
        verbose_name=_("guest"),
        on_delete=models.CASCADE,
        related_name="preferences",
        db_index=False,
    )
    key = models.CharField(_("preference"), max_length=20, choices=PreferenceKey.choices)
    value = models.CharField(_("value"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=PreferenceSource.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        constraints = [
            models.UniqueConstraint(fields=["guest", "key"], name="preference_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.value}"


class Role(models.TextChoices):
    """The console's roles, one auth Group each (created by a data migration)."""

    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    QUALITY = "quality", _("Quality")
    ADMIN = "admin", _("Admin")


class AgentStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentProfile(models.Model):
    """What routing needs to know about a person at the console. The properties
    they serve are guardian object permissions, not a field here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    extension = models.CharField(
        _("PBX extension"), max_length=10, unique=True, null=True, blank=True
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=4, help_text=_("Most conversations open at once.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AgentStatus.choices, default=AgentStatus.OFFLINE
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    # Set by AgentPresenceMiddleware at most once a minute; read by
    # guestview.tasks.agents_mark_away.
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    # The UI language of the agent's console (set when the live stream opens);
    # screen-pop cards are rendered in it before they are published.
    ui_language = models.CharField(max_length=5, default="tr", editable=False)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def language_codes(self) -> list[str]:
        return [skill.language for skill in self.languages.all()]


class AgentLanguage(models.Model):
    """A language an agent answers in; routing matches it to the guest's."""

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=[c for c in Language.choices if c[0] != Language.OTHER],
    )

    class Meta:
        verbose_name = _("spoken language")
        verbose_name_plural = _("spoken languages")
        constraints = [
            models.UniqueConstraint(fields=["agent", "language"], name="agentlanguage_unique")
        ]

    def __str__(self) -> str:
        return self.get_language_display()


class PbxKind(models.TextChoices):
    GENERIC = "generic", _("Generic webhook")
    ASTERISK = "asterisk", "Asterisk (AMI)"
    THREECX = "3cx", "3CX"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Pbx(models.Model):
    """A phone system that tells us about calls. Its token authenticates the
    webhook and 3CX doors; the AMI fields are for ``manage.py cti_ami``."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PbxKind.choices)
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    is_active = models.BooleanField(_("active"), default=True)
    # For calls whose dialed number is unknown or not sent (3CX journaling).
    property = models.ForeignKey(
        Property,
        verbose_name=_("hotel"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The hotel of calls that carry no known dialed number."),
    )
    ami_host = models.CharField(_("AMI host"), max_length=200, blank=True)
    ami_port = models.PositiveIntegerField(_("AMI port"), default=5038)
    ami_username = models.CharField(_("AMI user"), max_length=80, blank=True)
    ami_secret = models.CharField(_("AMI secret"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("phone system")
        verbose_name_plural = _("phone systems")

    def __str__(self) -> str:
        return self.name


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallOutcome(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    COMPLETED = "completed", _("Completed")
    MISSED = "missed", _("Missed")
    NOT_ANSWERED = "not_answered", _("Not answered")


class Call(models.Model):
    """One phone call as the PBX reported it, and what the console made of it."""

    pbx = models.ForeignKey(Pbx, on_delete=models.PROTECT, related_name="calls")
    call_id = models.CharField(_("call id"), max_length=100)
    direction = models.CharField(
        _("direction"), max_length=10, choices=CallDirection.choices, default=CallDirection.INBOUND
    )
    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="calls",
    )  # fmt: skip
    guest = models.ForeignKey(
        Guest, verbose_name=_("guest"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="calls",
    )  # fmt: skip
    agent = models.ForeignKey(
        AgentProfile, verbose_name=_("agent"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="calls",
    )  # fmt: skip
    caller_raw = models.CharField(_("caller (as sent)"), max_length=80, blank=True)
    caller = models.CharField(_("caller"), max_length=20, blank=True, help_text="E.164")
    called_raw = models.CharField(_("dialed number (as sent)"), max_length=80, blank=True)
    called = models.CharField(_("dialed number"), max_length=20, blank=True)
    rang_at = models.DateTimeField(_("rang"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=CallOutcome.choices, default=CallOutcome.RINGING
    )
    # kpi reads recognition_ms: ring → first render of the card in the agent's
    # browser. Set once, by guestview.services.call_card_seen.
    card_seen_at = models.DateTimeField(_("card first seen"), null=True, blank=True)
    recognition_ms = models.PositiveIntegerField(_("guest recognition (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["pbx", "call_id"], name="call_unique_per_pbx")
        ]
        indexes = [
            models.Index(fields=["guest", "-created_at"], name="call_guest_idx"),
            models.Index(fields=["caller", "-created_at"], name="call_caller_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.caller or self.caller_raw}"

    @builtins.property  # the field named property shadows the builtin
    def caller_display(self) -> str:
        return format_phone(self.caller) if self.caller else self.caller_raw


class CallEventKind(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    HANGUP = "hangup", _("Hang-up")
    REPORT = "report", _("Journal report")


class CallEvent(models.Model):
    """Every event a PBX sent, once: the unique constraint makes a repeated
    delivery of (call, event, extension) a no-op."""

    pbx = models.ForeignKey(Pbx, on_delete=models.PROTECT, related_name="events")
    call_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=CallEventKind.choices)
    agent_extension = models.CharField(max_length=20, blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        constraints = [
            models.UniqueConstraint(
                fields=["pbx", "call_id", "kind", "agent_extension"], name="callevent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.kind}"


class RejectedCallEvent(models.Model):
    """A request to a CTI door that could not be read, kept for inspection."""

    pbx = models.ForeignKey(Pbx, on_delete=models.SET_NULL, null=True, blank=True)
    door = models.CharField(max_length=20)
    body = models.TextField()
    error = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rejected call event")
        verbose_name_plural = _("rejected call events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.door} {self.received_at:%Y-%m-%d %H:%M:%S}: {self.error[:60]}"


class ScreenPop(models.Model):
    """A call shown (or to be shown) to one agent. Its id is the SSE event id,
    so a reconnecting browser asks for what came after (Last-Event-ID)."""

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="screen_pops")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="screen_pops")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "call"], name="screenpop_once_per_agent")
        ]
        indexes = [models.Index(fields=["agent", "-id"], name="screenpop_agent_idx")]

    def __str__(self) -> str:
        return f"{self.agent} ← {self.call}"


class NextStep(models.TextChoices):
    NONE = "", _("No follow-up")
    OFFER = "offer", _("Send an offer")
    OPTION = "option", _("Hold an option")
    CALLBACK = "callback", _("Call back")


class NoteKind(models.TextChoices):
    REQUEST = "request", _("Request")
    COMPLAINT = "complaint", _("Complaint")
    INFO = "info", _("Information")


class GuestNote(models.Model):
    """What an agent wrote about a call or a guest. Written only through
    guestview.services.guest_note_add, where the KVKK guardrail hooks in."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="notes")
    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices)
    text = models.TextField(_("note"), blank=True)
    # The structured part of a request: what was asked is in fields, not in
    # free text (KVKK: the less free text, the less can slip into it).
    arrival = models.DateField(_("arrival"), null=True, blank=True)
    departure = models.DateField(_("departure"), null=True, blank=True)
    adults = models.PositiveSmallIntegerField(_("adults"), null=True, blank=True)
    children = models.PositiveSmallIntegerField(_("children"), null=True, blank=True)
    room_wish = models.CharField(_("room wish"), max_length=120, blank=True)
    next_step = models.CharField(
        _("next step"), max_length=10, choices=NextStep.choices, blank=True
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # Open requests and complaints are flagged at the top of the card.
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("guest note")
        verbose_name_plural = _("guest notes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["guest", "-created_at"], name="guestnote_guest_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(departure__isnull=True)
                | models.Q(arrival__isnull=True)
                | models.Q(departure__gt=models.F("arrival")),
                name="guestnote_departure_after_arrival",
            ),
        ]

    def __str__(self) -> str:
        return (self.text or self.details)[:60]

    @property
    def details(self) -> str:
        """The structured part in one line: "12.07–15.07.2027 · 2+1 · sea view"."""
        parts = []
        if self.arrival and self.departure:
            parts.append(f"{self.arrival:%d.%m}–{self.departure:%d.%m.%Y}")
        elif self.arrival:
            parts.append(f"{self.arrival:%d.%m.%Y}")
        if self.adults is not None or self.children:
            parts.append(f"{self.adults or 0}+{self.children or 0}")
        if self.room_wish:
            parts.append(self.room_wish)
        return " · ".join(parts)


class Holiday(models.Model):
    """A public holiday: no business day, or from ``off_from`` on (an arife,
    the eve of a bayram, is off from 13:00). Turkish public holidays are
    loaded for the coming years (``manage.py holidays_load``, run by a
    migration) and editable in the admin; a row with a property is that
    hotel's own (a local festival), one without is for every hotel.
    Read by guestview.calendar (SLA business hours, İYS's 3 business days)."""

    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120)
    property = models.ForeignKey(
        Property,
        verbose_name=_("property"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        help_text=_("Empty: every hotel (a national holiday)."),
    )
    off_from = models.TimeField(
        _("off from"), null=True, blank=True, help_text=_("Empty: the whole day is off.")
    )

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]
        # Two partial constraints, not one with nulls_distinct: SQLite (the
        # demo) has no NULLS NOT DISTINCT.
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(property__isnull=True),
                name="holiday_national_once_per_day",
            ),
            models.UniqueConstraint(
                fields=["date", "property"],
                condition=models.Q(property__isnull=False),
                name="holiday_local_once_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.name}"


class AlertKind(models.TextChoices):
    SLA_WARNING = "sla_warning", _("Deadline near")
    SLA_BREACH = "sla_breach", _("Deadline missed")
    ESCALATION = "escalation", _("Escalated to you")
    FOLLOW_UP = "follow_up", _("Follow-up due")
    OPTION_EXPIRING = "option_expiring", _("Option expires soon")
    OPTION_EXPIRED = "option_expired", _("Option expired")
    IYS_OVERDUE = "iys_overdue", _("Consent not yet in İYS")
    CONSENT_REFUSED = "consent_refused", _("Sending refused: no consent")


class Alert(models.Model):
    """Something a person at the console must see: pushed live to their open
    consoles and kept here until read (guestview.services.alert_send)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    property = models.ForeignKey(
        Property, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # What it is about ("lead:12:first_response"), so one event alerts once.
    subject = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="alert_unread_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject"],
                condition=~models.Q(subject=""),
                name="alert_once_per_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title
