import asyncio
import signal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from guestview.cti.ami import AmiClient
from guestview.models import Pbx, PbxKind


class Command(BaseCommand):
    help = (
        "Follow an Asterisk PBX over AMI and pop its calls to the agents' consoles. "
        "Uses the AMI host, port, user and secret of the phone system in Django admin; "
        "reconnects on its own and runs until SIGINT or SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pbx",
            metavar="NAME",
            help="The phone system to follow (default: the only active Asterisk one).",
        )

    def handle(self, *args, pbx: str | None = None, **options):
        row = _pbx_to_follow(pbx)
        # The client works on its own thread's connection; this one would sit idle for weeks.
        connection.close()
        self.stdout.write(f"Following {row.name} at {row.ami_host}:{row.ami_port} (Ctrl-C stops).")
        asyncio.run(_follow(AmiClient(row)))
        self.stdout.write("Stopped.")


def _pbx_to_follow(name: str | None) -> Pbx:
    asterisks = Pbx.objects.filter(kind=PbxKind.ASTERISK)
    if name:
        row = asterisks.filter(name=name).first()
        if row is None:
            known = ", ".join(asterisks.values_list("name", flat=True)) or "none"
            raise CommandError(f"No Asterisk phone system is named {name!r} (known: {known}).")
        if not row.is_active:
            raise CommandError(f"The phone system {name!r} is not active; activate it in admin.")
    else:
        active = list(asterisks.filter(is_active=True).order_by("name")[:10])
        if not active:
            raise CommandError(
                "No active phone system of kind Asterisk (AMI): add one in Django admin "
                "(Phone systems) with its AMI host, user and secret."
            )
        if len(active) > 1:
            names = ", ".join(p.name for p in active)
            raise CommandError(
                f"Several active Asterisk phone systems ({names}): pick one with --pbx NAME."
            )
        row = active[0]
    missing = [
        label
        for label, value in (
            ("AMI host", row.ami_host),
            ("AMI user", row.ami_username),
            ("AMI secret", row.ami_secret),
        )
        if not value
    ]
    if missing:
        raise CommandError(f"{row.name} has no {', '.join(missing)}; set them in Django admin.")
    return row


async def _follow(client: AmiClient) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, client.stop)
    try:
        await client.run()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
