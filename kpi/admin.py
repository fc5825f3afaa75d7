from django.contrib import admin

from guestview.admin import ReadOnlyAdmin
from kpi.models import KpiEvent


@admin.register(KpiEvent)
class KpiEventAdmin(ReadOnlyAdmin):
    """Read-only: KPI events are evidence."""

    list_display = ["at", "kind", "property", "channel", "agent", "seconds", "subject"]
    list_filter = ["kind", "property", "channel"]
    date_hierarchy = "at"
