"""Console roles as auth groups, and the trigram index that makes name search
fast on PostgreSQL (SQLite, the demo default, scans)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["agent", "supervisor", "quality", "admin"]
# Admins configure the product in Django admin and serve every property.
ADMIN_APPS = ["guestview", "auth", "guardian"]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    admin = Group.objects.get(name="admin")
    admin.permissions.add(*Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS guest_search_name_trgm "
        "ON guestview_guest USING gin (search_name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS guest_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("guestview", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("guardian", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_roles, drop_roles),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
