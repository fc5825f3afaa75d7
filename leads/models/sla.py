"""The SLA engine's data: policies per channel × priority × season, seasons
and business-hours calendars per hotel, teams to escalate to, and the clocks
the beat scan reads.

Deadlines are computed when an item (a conversation, a lead) is created or
changes, stored on the item (``first_response_due_at`` …) and on one SlaClock
row per running deadline. The clock table is what the every-minute scan
reads: two partial indexes make "warn now" and "breached now" index range
scans whatever the number of open items (make bench-sla)."""

from __future__ import annotations

import builtins

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels_inbox.models import ChannelKind, Priority
from guestview.models import AgentProfile, Property


class SeasonKind(models.TextChoices):
    HIGH = "high", _("High season")
    LOW = "low", _("Low season")


class Season(models.Model):
    """A date range of a hotel (inclusive, the hotel's local dates)."""

    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.CASCADE, related_name="seasons"
    )
    kind = models.CharField(_("season"), max_length=4, choices=SeasonKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        ordering = ["property", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="season_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.property}: {self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    def clean(self):
        if self.starts_on and self.ends_on and self.property_id:
            overlap = Season.objects.filter(
                property_id=self.property_id,
                starts_on__lte=self.ends_on,
                ends_on__gte=self.starts_on,
            ).exclude(pk=self.pk)
            if overlap.exists():
                raise ValidationError(_("Seasons of a hotel must not overlap."))


class BusinessCalendar(models.Model):
    """When a hotel's call center works. With ``business_hours_only`` the SLA
    clocks count only open periods (several a day; one may cross midnight),
    skipping public holidays (guestview.Holiday); without, they count all
    hours."""

    property = models.OneToOneField(
        Property, verbose_name=_("property"), on_delete=models.CASCADE, related_name="calendar"
    )
    business_hours_only = models.BooleanField(_("count business hours only"), default=False)

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")

    def __str__(self) -> str:
        return str(self.property)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessPeriod(models.Model):
    """An open period of a weekday. ``ends`` at or before ``starts`` means it
    runs past midnight into the next day (a night shift, 22:00–02:00)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("open period")
        verbose_name_plural = _("open periods")
        ordering = ["weekday", "starts"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Team(models.Model):
    """A supervisor's team: where an escalation can send an item."""

    name = models.CharField(_("name"), max_length=80)
    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.CASCADE, related_name="teams"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    members = models.ManyToManyField(AgentProfile, verbose_name=_("members"), related_name="teams")

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["property", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.property})"


class ItemKind(models.TextChoices):
    CONVERSATION = "conversation", _("Conversation")
    LEAD = "lead", _("Lead")


class Escalation(models.TextChoices):
    NOTIFY = "notify", _("Notify the supervisor")
    RAISE = "raise", _("Raise the priority (and notify)")
    REASSIGN = "reassign", _("Reassign to the team (and notify)")


class SlaPolicy(models.Model):
    """Targets for items of one kind on a channel, at a priority, in a
    season, at a hotel; empty means any. The most specific active policy
    wins (leads.sla.policy_for)."""

    name = models.CharField(_("name"), max_length=120)
    item_kind = models.CharField(_("applies to"), max_length=12, choices=ItemKind.choices)
    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", help_text=_("Empty: every hotel."),
    )  # fmt: skip
    channel = models.CharField(_("channel"), max_length=12, choices=ChannelKind.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, blank=True)
    season = models.CharField(_("season"), max_length=4, choices=SeasonKind.choices, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (min)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (min)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (min)"))
    warn_at_percent = models.PositiveSmallIntegerField(_("warn at (%)"), default=80)
    escalation = models.CharField(
        _("when breached"), max_length=10, choices=Escalation.choices, default=Escalation.NOTIFY
    )
    escalation_team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["item_kind", "channel", "priority", "season"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not 1 <= (self.warn_at_percent or 0) <= 99:
            raise ValidationError({"warn_at_percent": _("Between 1 and 99.")})
        if self.escalation == Escalation.REASSIGN and not self.escalation_team_id:
            raise ValidationError({"escalation_team": _("Reassigning needs a team.")})

    @builtins.property  # the field named property shadows the builtin
    def specificity(self) -> int:
        return (
            4 * bool(self.property_id)
            + 2 * bool(self.channel)
            + 2 * bool(self.priority)
            + 1 * bool(self.season)
        )


class Deadline(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    FOLLOW_UP = "follow_up", _("Follow-up")


class SlaClock(models.Model):
    """One running deadline of one item. Re-armed in place when the item
    changes (a new guest message, a new follow-up time); ``stopped_at`` when
    met. ``warned_at``/``breached_at`` make the scan act once per deadline."""

    item_kind = models.CharField(max_length=12, choices=ItemKind.choices)
    item_id = models.BigIntegerField()
    deadline = models.CharField(max_length=14, choices=Deadline.choices)
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(
                fields=["item_kind", "item_id", "deadline"], name="slaclock_one_per_deadline"
            )
        ]
        indexes = [
            models.Index(
                fields=["warn_at"],
                condition=Q(stopped_at__isnull=True, warned_at__isnull=True),
                name="slaclock_to_warn_idx",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(stopped_at__isnull=True, breached_at__isnull=True),
                name="slaclock_to_breach_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_kind}:{self.item_id} {self.deadline} {self.due_at:%Y-%m-%d %H:%M}"


class SlaBreach(models.Model):
    """A deadline that passed, recorded once (evidence and the missed-request
    report); its escalation ran when it was written."""

    item_kind = models.CharField(max_length=12, choices=ItemKind.choices)
    item_id = models.BigIntegerField()
    deadline = models.CharField(max_length=14, choices=Deadline.choices)
    due_at = models.DateTimeField()
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=12, blank=True)
    agent = models.ForeignKey(
        AgentProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalation = models.CharField(max_length=10, choices=Escalation.choices)
    breached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SLA breach")
        verbose_name_plural = _("SLA breaches")
        ordering = ["-breached_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_kind", "item_id", "deadline", "due_at"], name="slabreach_once"
            )
        ]
        indexes = [models.Index(fields=["property", "-breached_at"], name="slabreach_report_idx")]

    def __str__(self) -> str:
        return f"{self.item_kind}:{self.item_id} {self.deadline} breached"
