from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from guestview import selectors, services
from guestview.cti import tokens
from guestview.identity import normalize_phone
from guestview.models import (
    AgentLanguage,
    AgentProfile,
    Call,
    Chain,
    ContactPoint,
    Guest,
    Holiday,
    Pbx,
    Preference,
    Property,
    PropertyNumber,
    RejectedCallEvent,
    Stay,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the admin may read but never add, change or delete here (the
    models of the append-only logs refuse it too). Shared by every app's
    evidence: access and gate logs, KPI events, lead history, SLA breaches."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class PropertyNumberForm(forms.ModelForm):
    class Meta:
        model = PropertyNumber
        fields = ["number", "label"]

    def clean_number(self):
        number = normalize_phone(self.cleaned_data["number"])
        if number is None:
            raise ValidationError(_("Not a phone number."))
        return number


class PropertyNumberInline(admin.TabularInline):
    model = PropertyNumber
    form = PropertyNumberForm
    extra = 1


@admin.register(Property)
class PropertyAdmin(GuardedModelAdmin):
    """Object permissions (who serves this hotel) are under "Object permissions"."""

    list_display = ["name", "code", "region", "chain", "timezone"]
    list_filter = ["region", "chain"]
    search_fields = ["name", "code"]
    inlines = [PropertyNumberInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        selectors.forget_routing_caches()


class ContactPointForm(forms.ModelForm):
    class Meta:
        model = ContactPoint
        fields = ["kind", "raw_value", "is_primary"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and cleaned.get("raw_value"):
            self.instance.value = services.contact_value_normalize(
                kind=cleaned["kind"], raw=cleaned["raw_value"]
            )
        return cleaned


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    form = ContactPointForm
    extra = 0
    readonly_fields = ["value"]
    fields = ["kind", "raw_value", "value", "is_primary"]


class PreferenceInline(admin.TabularInline):
    model = Preference
    extra = 0


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "property", "language", "segment", "updated_at"]
    list_filter = ["property", "language", "segment"]
    search_fields = ["search_name", "contact_points__value"]
    list_select_related = ["property"]
    show_full_result_count = False  # a COUNT(*) over a million guests on every page
    inlines = [ContactPointInline, PreferenceInline]

    def get_queryset(self, request):
        # Admins see all properties; staff who are not get their own scope.
        return (
            super()
            .get_queryset(request)
            .filter(property__in=selectors.properties_for_user(request.user))
        )

    def has_delete_permission(self, request, obj=None):
        # A guest leaves through a data subject request (anonymization, with
        # its erasure log), never through a delete that would cascade away
        # the evidence of their consents.
        return False


@admin.register(Stay)
class StayAdmin(admin.ModelAdmin):
    list_display = ["pms_reservation_id", "guest", "property", "arrival", "departure", "status"]
    list_filter = ["property", "status", "board"]
    search_fields = ["pms_reservation_id"]
    raw_id_fields = ["guest"]
    list_select_related = ["guest", "property"]
    show_full_result_count = False
    date_hierarchy = "arrival"


class AgentLanguageInline(admin.TabularInline):
    model = AgentLanguage
    extra = 0


class AgentProfileForm(forms.ModelForm):
    properties = forms.ModelMultipleChoiceField(
        label=_("Properties served"),
        queryset=Property.objects.all(),
        required=False,
        widget=admin.widgets.FilteredSelectMultiple(_("properties"), is_stacked=False),
    )

    class Meta:
        model = AgentProfile
        fields = ["user", "extension", "capacity", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["properties"].initial = list(
                selectors.properties_served_by(self.instance.user)
            )


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    form = AgentProfileForm
    list_display = ["__str__", "extension", "capacity", "status", "last_seen_at"]
    list_filter = ["status", "languages__language"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "extension"]
    raw_id_fields = ["user"]
    inlines = [AgentLanguageInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.agent_set_properties(
            user=form.instance.user, properties=form.cleaned_data["properties"]
        )


@admin.register(Pbx)
class PbxAdmin(admin.ModelAdmin):
    """Phone systems: copy the token into the PBX (webhook header or 3CX
    template); Asterisk rows also hold the AMI login for manage.py cti_ami."""

    list_display = ["name", "kind", "property", "is_active"]
    list_filter = ["kind", "is_active"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "property", "is_active", "token"]}),
        (_("Asterisk AMI"), {"fields": ["ami_host", "ami_port", "ami_username", "ami_secret"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        tokens.forget_pbx_tokens()


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Calls are written by the PBX doors only; the admin reads them."""

    list_display = ["call_id", "caller", "property", "guest", "agent", "outcome", "rang_at",
                    "recognition_ms"]  # fmt: skip
    list_filter = ["outcome", "direction", "property", "pbx"]
    search_fields = ["call_id", "caller", "caller_raw"]
    list_select_related = ["property", "guest", "agent__user"]
    show_full_result_count = False
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RejectedCallEvent)
class RejectedCallEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "door", "pbx", "error"]
    list_filter = ["door", "pbx"]
    readonly_fields = ["received_at", "door", "pbx", "error", "body"]

    def has_add_permission(self, request):
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Turkey's holidays are loaded for the coming years (manage.py
    holidays_load); fix a date here if the government moves one."""

    list_display = ["date", "name", "off_from", "property"]
    list_filter = ["property"]
    date_hierarchy = "date"
    search_fields = ["name"]
