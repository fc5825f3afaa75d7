from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from channels_inbox.models import (
    CannedReply,
    ChannelAccount,
    Conversation,
    InboundPayload,
    Message,
    PayloadStatus,
    Tag,
    TriageCorrection,
    WhatsAppTemplate,
)
from channels_inbox.webhooks import forget_channel_secrets


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "property", "external_id", "display_number", "is_active"]
    list_filter = ["kind", "property", "is_active"]
    search_fields = ["name", "external_id", "display_number"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_channel_secrets()


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "language", "property", "is_active"]
    list_filter = ["category", "language", "property", "is_active"]
    search_fields = ["title", "text"]


@admin.register(WhatsAppTemplate)
class WhatsAppTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "account", "is_approved"]
    list_filter = ["is_approved", "language", "account"]


@admin.register(InboundPayload)
class InboundPayloadAdmin(admin.ModelAdmin):
    """Every webhook body as it came: the rejected ones are here to inspect."""

    list_display = ["received_at", "source", "status", "attempts", "short_error"]
    list_filter = ["status", "source"]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in InboundPayload._meta.fields]
    actions = ["retry"]

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.error[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") or request.POST.get("action") == "retry"

    @admin.action(description=_("Process again"))
    def retry(self, request, queryset):
        from channels_inbox.inbound import schedule_drain

        InboundPayload.objects.filter(pk__in=queryset.values("pk")).update(
            status=PayloadStatus.PENDING, attempts=0, error="", retry_at=None
        )
        transaction.on_commit(schedule_drain)


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["sent_at", "direction", "kind", "text", "status", "author"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "property", "status", "priority", "scenario", "language",
                    "assigned_to", "last_message_at"]  # fmt: skip
    list_filter = ["status", "channel", "priority", "scenario", "language", "property"]
    search_fields = ["contact_key", "contact_name"]
    raw_id_fields = ["guest", "call", "assigned_to", "account"]
    readonly_fields = ["triaged", "first_response_at", "missed_at", "created_at"]
    inlines = [MessageInline]


@admin.register(TriageCorrection)
class TriageCorrectionAdmin(admin.ModelAdmin):
    list_display = ["at", "field", "predicted", "corrected", "by"]
    list_filter = ["field"]

    def has_change_permission(self, request, obj=None):
        return False
