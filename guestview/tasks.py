from celery import shared_task
from django.conf import settings

from guestview import services


@shared_task
def agents_mark_away() -> int:
    """Every minute (beat): one UPDATE over the online agents; tiny load."""
    return services.agents_mark_away(idle_seconds=settings.AGENT_AWAY_AFTER_SECONDS)
