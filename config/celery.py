"""The Celery app. Tasks live in each app's tasks.py; the beat schedule lives here."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("misafir360")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "agents-mark-away": {
        "task": "guestview.tasks.agents_mark_away",
        "schedule": crontab(minute="*"),
    },
}
