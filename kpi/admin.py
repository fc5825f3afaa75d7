from django.contrib import admin

from kpi.models import KpiEvent


@admin.register(KpiEvent)
class KpiEventAdmin(admin.ModelAdmin):
    """Read-only: KPI events are evidence."""

    list_display = ["at", "kind", "property", "channel", "agent", "seconds", "subject"]
    list_filter = ["kind", "property", "channel"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
