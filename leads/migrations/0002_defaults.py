"""What a fresh install needs to take leads and keep deadlines: the fixed
set of lead sources, default SLA policies (any hotel, channel and season; an
admin refines them), and the admin role's rights on the apps it configures."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SOURCES = [
    # code, name, the channel whose SLA applies
    ("web-form", "Web form", ""),
    ("ota", "OTA", "booking"),
    ("whatsapp", "WhatsApp", "whatsapp"),
    ("social-dm", "Social DM", "instagram"),
    ("phone", "Phone", "phone"),
    ("callback", "Callback", "phone"),
    ("campaign", "Campaign", ""),
]
# Minutes: first response, next response, resolution (BRIEF.md §2: critical
# escalates at once; messages answered within 15-60 minutes).
CONVERSATION_POLICIES = {
    "critical": (5, 5, 4 * 60, "raise"),
    "high": (15, 15, 24 * 60, "notify"),
    "medium": (60, 60, 48 * 60, "notify"),
    "low": (240, 240, 72 * 60, "notify"),
}
ADMIN_APPS = ["leads", "channels_inbox", "consent", "kpi"]


def load(apps, schema_editor):
    LeadSource = apps.get_model("leads", "LeadSource")
    SlaPolicy = apps.get_model("leads", "SlaPolicy")
    for position, (code, name, channel) in enumerate(SOURCES):
        LeadSource.objects.get_or_create(
            code=code, defaults={"name": name, "channel": channel, "position": position}
        )
    for priority, (first, nxt, resolution, escalation) in CONVERSATION_POLICIES.items():
        SlaPolicy.objects.get_or_create(
            item_kind="conversation", priority=priority, property=None, channel="", season="",
            defaults={
                "name": f"Messages · {priority}", "first_response_minutes": first,
                "next_response_minutes": nxt, "resolution_minutes": resolution,
                "escalation": escalation,
            },
        )
    SlaPolicy.objects.get_or_create(
        item_kind="lead", priority="", property=None, channel="", season="",
        defaults={
            "name": "Leads", "first_response_minutes": 30, "next_response_minutes": 60,
            "resolution_minutes": 14 * 24 * 60, "escalation": "notify",
        },
    )
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.filter(name="admin").first()
    if admin is not None:
        admin.permissions.add(*Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0001_initial"),
        ("guestview", "0002_roles_and_search_index"),
        ("channels_inbox", "0003_conversation_first_response_due_at_and_more"),
        ("consent", "0001_initial"),
        ("kpi", "0001_initial"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
