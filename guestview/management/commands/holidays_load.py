from django.core.management.base import BaseCommand
from django.utils import timezone

from guestview import services


class Command(BaseCommand):
    help = "Load Turkey's public holidays (bayrams and half-day eves included) for some years."

    def add_arguments(self, parser):
        this_year = timezone.now().year
        parser.add_argument("years", nargs="*", type=int, default=range(this_year, this_year + 6))

    def handle(self, *args, years, **options):
        added = services.holidays_load(years=years)
        self.stdout.write(f"{added} holidays added for {', '.join(map(str, years))}.")
