import time

from django.core.management.base import BaseCommand, CommandError

from channels_inbox.demo_data import seed_inbox
from guestview import demo_data
from guestview.models import Guest, Property
from leads.demo_data import seed_leads


class Command(BaseCommand):
    help = (
        "Create the demo chain (4 hotels, 21 staff) and GUESTS guests with contact points, "
        "stays and preferences. Bulk-loads with COPY on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--guests", type=int, default=5000)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when guests already exist."
        )
        parser.add_argument("--seed", type=int, default=360, help="Random seed (repeatable data).")

    def handle(self, *args, guests: int, if_empty: bool, seed: int, **options):
        if guests < 0:
            raise CommandError("--guests must be zero or more.")
        if if_empty and Guest.objects.exists():
            # Apps that came later (the inbox) add their part to an existing demo.
            seed_inbox(list(Property.objects.all()))
            seed_leads(list(Property.objects.all()))
            self.stdout.write("Demo data already present; nothing to do.")
            return
        started = time.perf_counter()
        properties = demo_data.seed_reference()
        if not Property.objects.exists():
            raise CommandError("No properties were created.")

        def progress(done: int) -> None:
            if guests >= 100_000 and done % 100_000 == 0:
                elapsed = time.perf_counter() - started
                self.stdout.write(f"  {done:>9,} guests  {elapsed:6.1f}s")

        totals = demo_data.seed_guests(guests, properties=properties, seed=seed, progress=progress)
        totals["inbox messages"] = seed_inbox(properties)
        totals["leads"] = seed_leads(properties)
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n:,} {table}" for table, n in totals.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded {summary} in {elapsed:.1f}s."))
        self.stdout.write(
            f"Demo logins: {', '.join(u for u, *_ in demo_data.STAFF)} "
            f"(password {demo_data.DEMO_PASSWORD})."
        )
