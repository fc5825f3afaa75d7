from django import forms
from django.contrib import admin

from consent import services
from consent.models import ConsentRecord
from guestview import selectors as guestview_selectors
from guestview.identity import normalize_phone

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
_ALL_FIELDS = [*_ADD_FIELDS, "recorded_at", "recorded_by", "iys_synced_at"]


class ConsentRecordForm(forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = _ADD_FIELDS

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
    deleted (a change of mind is a new record)."""

    form = ConsentRecordForm
    list_display = [
        "guest",
        "type",
        "status",
        "recipient",
        "source",
        "consent_date",
        "recorded_by",
        "iys_synced_at",
    ]
    list_filter = ["type", "status", "source"]
    search_fields = ["recipient"]
    list_select_related = ["guest", "recorded_by"]
    raw_id_fields = ["guest"]
    show_full_result_count = False

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
