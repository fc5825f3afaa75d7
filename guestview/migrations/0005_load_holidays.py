from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from guestview.calendar import turkish_public_holidays

    Holiday = apps.get_model("guestview", "Holiday")
    this_year = timezone.now().year
    existing = set(Holiday.objects.filter(property__isnull=True).values_list("date", flat=True))
    Holiday.objects.bulk_create(
        Holiday(date=date, name=name[:120], off_from=off_from)
        for date, name, off_from in turkish_public_holidays(range(this_year - 1, this_year + 6))
        if date not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("guestview", "0004_holidays")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
