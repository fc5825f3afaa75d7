from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from guestview.admin import ReadOnlyAdmin
from leads import sla
from leads.models import (
    BusinessCalendar,
    BusinessPeriod,
    Campaign,
    IntakeForm,
    IntakeSubmission,
    Lead,
    LeadEvent,
    LeadSource,
    Offer,
    OfferOption,
    Season,
    SlaBreach,
    SlaPolicy,
    Team,
)


class SlaCacheMixin:
    """The SLA engine caches these per process for a minute; a change here
    is used by this process at once, by the others within that minute."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sla.forget_sla_caches()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        sla.forget_sla_caches()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sla.forget_sla_caches()


@admin.register(LeadSource)
class LeadSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "channel", "position", "is_active"]
    list_editable = ["position", "is_active"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(SlaCacheMixin, admin.ModelAdmin):
    list_display = [
        "name", "item_kind", "property", "channel", "priority", "season",
        "first_response_minutes", "next_response_minutes", "resolution_minutes", "escalation",
        "is_active",
    ]  # fmt: skip
    list_filter = ["item_kind", "channel", "priority", "season", "escalation", "is_active"]


@admin.register(Season)
class SeasonAdmin(SlaCacheMixin, admin.ModelAdmin):
    list_display = ["property", "kind", "starts_on", "ends_on"]
    list_filter = ["property", "kind"]


class BusinessPeriodInline(admin.TabularInline):
    model = BusinessPeriod
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(SlaCacheMixin, admin.ModelAdmin):
    list_display = ["property", "business_hours_only"]
    inlines = [BusinessPeriodInline]


@admin.register(Team)
class TeamAdmin(SlaCacheMixin, admin.ModelAdmin):
    list_display = ["name", "property", "supervisor"]
    filter_horizontal = ["members"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    def save_related(self, request, form, formsets, change):
        from leads.selectors import forget_campaign_cache

        super().save_related(request, form, formsets, change)
        forget_campaign_cache()

    list_display = ["name", "code", "starts_on", "ends_on", "target_segment", "is_active"]
    list_filter = ["is_active", "target_segment"]
    filter_horizontal = ["properties"]
    search_fields = ["name", "code"]


@admin.register(IntakeForm)
class IntakeFormAdmin(admin.ModelAdmin):
    list_display = ["name", "property", "source", "is_active"]
    readonly_fields = ["api_key", "secret"]


@admin.register(IntakeSubmission)
class IntakeSubmissionAdmin(admin.ModelAdmin):
    """Every post of the hotel sites' lead forms, the refused ones too."""

    list_display = ["received_at", "form", "status", "lead"]
    list_filter = ["status", "form"]
    readonly_fields = [f.name for f in IntakeSubmission._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OfferOptionInline(admin.TabularInline):
    model = OfferOption
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in OfferOption._meta.fields]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["lead", "status", "language", "sent_at"]
    readonly_fields = [f.name for f in Offer._meta.fields]
    inlines = [OfferOptionInline]

    def has_add_permission(self, request):
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """Read here; leads are worked in the console (leads.services), where
    the pipeline's rules hold."""

    list_display = ["case_id", "name", "property", "source", "status", "assigned_to", "created_at"]
    list_filter = ["status", "source", "property"]
    search_fields = ["case_id", "name", "contact"]
    readonly_fields = [f.name for f in Lead._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD")


@admin.register(LeadEvent)
class LeadEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "lead", "kind", "by"]
    list_filter = ["kind"]


@admin.register(SlaBreach)
class SlaBreachAdmin(ReadOnlyAdmin):
    list_display = ["breached_at", "item_kind", "item_id", "deadline", "property", "escalation"]
    list_filter = ["deadline", "item_kind", "escalation", "property"]

    @admin.display(description=_("item"))
    def item(self, obj):
        return f"{obj.item_kind}:{obj.item_id}"
