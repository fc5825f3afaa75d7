import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consent import services, sync
from consent.models import (
    IYS_SOURCES,
    AccessLog,
    ConsentRecord,
    DataSubjectRequest,
    ErasureLog,
    GateLog,
    IysRequest,
    IysRequestItem,
    PulledChange,
    RequestStatus,
    RetentionPolicy,
)
from guestview import selectors as guestview_selectors
from guestview.admin import ReadOnlyAdmin
from guestview.identity import normalize_phone
from guestview.models import Role

_ADD_FIELDS = [
    "guest",
    "type",
    "status",
    "source",
    "recipient",
    "recipient_type",
    "consent_date",
    "note",
]
_IYS_FIELDS = [
    "iys_state",
    "iys_due_at",
    "iys_synced_at",
    "iys_error_code",
    "iys_error_message",
    "iys_request",
]
_ALL_FIELDS = [*_ADD_FIELDS, "recorded_at", "recorded_by", *_IYS_FIELDS]


class ConsentRecordForm(forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = _ADD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # İYS's own sources are written by the İYS pull, never by a person.
        if "source" in self.fields:  # the add form; the change view is read-only
            self.fields["source"].choices = [
                choice for choice in self.fields["source"].choices if choice[0] not in IYS_SOURCES
            ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") and cleaned.get("recipient"):
            cleaned["recipient"] = services.consent_recipient_normalize(
                type=cleaned["type"], raw=cleaned["recipient"]
            )
        return cleaned


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Consent history is read here and added to; it is never changed or
    deleted (a change of mind is a new record). Only its İYS state moves, by
    the sync, or back in line with the "send again" action."""

    form = ConsentRecordForm
    list_display = [
        "guest",
        "type",
        "status",
        "recipient",
        "source",
        "consent_date",
        "recorded_by",
        "iys_state",
        "iys_due_at",
        "iys_error_code",
    ]
    list_filter = ["iys_state", "type", "status", "source"]
    search_fields = ["recipient"]
    list_select_related = ["guest", "recorded_by"]
    raw_id_fields = ["guest"]
    show_full_result_count = False
    actions = ["send_again_to_iys"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(guest__property__in=guestview_selectors.properties_for_user(request.user))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "guest":
            kwargs["queryset"] = guestview_selectors.guests_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # Records hold E.164: find "0532 123 45 67" the way people type it.
        phone = normalize_phone(search_term)
        if phone is not None:
            return queryset.filter(recipient=phone), False
        return super().get_search_results(request, queryset, search_term)

    def get_fields(self, request, obj=None):
        return _ADD_FIELDS if obj is None else _ALL_FIELDS

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_again_permission(self, request):
        return self.has_add_permission(request)

    @admin.action(description=_("Send again to İYS (refused ones)"), permissions=["send_again"])
    def send_again_to_iys(self, request, queryset):
        count = sync.iys_send_again(records=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d consent will be sent to İYS again.",
                "%(count)d consents will be sent to İYS again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def save_model(self, request, obj, form, change):
        # Only adds get here (no change permission). The form has validated and
        # normalized; the write itself goes through the service like any other.
        record = services.consent_record(
            guest=obj.guest,
            type=obj.type,
            status=obj.status,
            source=obj.source,
            recipient=obj.recipient,
            recipient_type=obj.recipient_type,
            consent_date=obj.consent_date,
            recorded_by=request.user,
            note=obj.note,
        )
        # The admin logs and redirects with the object it holds.
        obj.pk = record.pk
        obj._state.adding = False


class _IysLogAdmin(ReadOnlyAdmin):
    """The sync's own bookkeeping: read-only, and for admins only, because
    it spans every hotel (İYS knows the brand, not the hotel)."""

    def has_view_permission(self, request, obj=None):
        roles = guestview_selectors.user_roles(request.user)
        return Role.ADMIN in roles and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


class IysRequestItemInline(admin.TabularInline):
    model = IysRequestItem
    fields = ["index", "record", "outcome", "error_code", "error_message", "transaction_id"]
    readonly_fields = fields
    ordering = ["index"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IysRequest)
class IysRequestAdmin(_IysLogAdmin):
    list_display = [
        "__str__",
        "created_at",
        "submitted_at",
        "item_count",
        "polls",
        "next_poll_at",
        "done_at",
        "error",
    ]
    search_fields = ["request_id"]
    inlines = [IysRequestItemInline]
    show_full_result_count = False


@admin.register(PulledChange)
class PulledChangeAdmin(_IysLogAdmin):
    list_display = [
        "pulled_at",
        "recipient",
        "type",
        "status",
        "source",
        "consent_date",
        "guests_matched",
        "error",
    ]
    list_filter = ["type", "status", "source"]
    search_fields = ["recipient", "transaction_id"]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        phone = normalize_phone(search_term)
        if phone is not None:
            return queryset.filter(recipient=phone), False
        return super().get_search_results(request, queryset, search_term)


# --- KVKK: data subject requests, erasures, retention (consent.privacy) -------------------


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(ReadOnlyAdmin):
    """To find and filter requests; they are registered, answered and acted
    on in the privacy officer's pages (consent.privacy_views), where the
    30-day deadline is set and the erasure runs. Never deleted: evidence."""

    list_display = [
        "__str__", "guest_ref", "property", "kind", "received_on", "due_on", "overdue",
        "status", "answered_at", "page",
    ]  # fmt: skip
    list_filter = ["status", "kind", "property"]
    search_fields = ["=guest_ref"]
    list_select_related = ["property"]
    readonly_fields = [
        "guest", "guest_ref", "property", "kind", "received_on", "due_on", "status", "note",
        "registered_by", "answered_at", "answered_by", "created_at",
    ]  # fmt: skip
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(property__in=guestview_selectors.properties_for_user(request.user))
        )

    def get_ordering(self, request):
        # Open first, the overdue on top (the nearest due date first), then the rest.
        open_first = Case(
            When(status=RequestStatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [open_first.asc(), "due_on", "id"]

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj):
        return obj.is_overdue

    @admin.display(description=_("page"))
    def page(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("privacy:request", args=[obj.pk]), _("Open")
        )


@admin.register(ErasureLog)
class ErasureLogAdmin(ReadOnlyAdmin):
    """What each erasure changed, per table: read-only, like the log is."""

    list_display = ["at", "reason", "guest_ref", "property", "request", "by", "rows"]
    list_filter = ["reason", "property"]
    search_fields = ["=guest_ref"]
    list_select_related = ["property", "by"]
    fields = ["at", "reason", "guest_ref", "property", "request", "by", "counts"]
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request):
        # The retention job's rows span every hotel (no property).
        properties = guestview_selectors.properties_for_user(request.user)
        return (
            super()
            .get_queryset(request)
            .filter(Q(property__in=properties) | Q(property__isnull=True))
        )

    @admin.display(description=_("rows changed"))
    def rows(self, obj):
        return sum(obj.counts.values())


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """How long each kind of data is kept; the nightly job
    (consent.tasks.retention_apply) anonymizes or removes what is older."""

    list_display = ["category", "days", "is_active", "cutoff"]
    list_editable = ["days", "is_active"]
    list_display_links = ["category"]

    @admin.display(description=_("older than this goes"))
    def cutoff(self, obj):
        return (timezone.localdate() - dt.timedelta(days=obj.days)) if obj.is_active else "—"


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Who read which guest; the DPO's report is /consent/access/."""

    list_display = ["at", "actor", "action", "guest_id", "context", "ip"]
    list_filter = ["action"]
    search_fields = ["=guest_id", "actor__username", "context"]
    date_hierarchy = "at"


@admin.register(GateLog)
class GateLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "purpose", "channel", "allowed", "reason"]
    list_filter = ["allowed", "channel"]
