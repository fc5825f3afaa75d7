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
    "inbox-sweep": {"task": "channels_inbox.tasks.inbound_sweep", "schedule": 30.0},
    "inbox-assign": {
        "task": "channels_inbox.tasks.assign_all_waiting",
        "schedule": crontab(minute="*"),
    },
    "sla-scan": {"task": "leads.tasks.sla_scan", "schedule": crontab(minute="*")},
    "lead-options-expire": {
        "task": "leads.tasks.options_expire",
        "schedule": crontab(minute="*/5"),
    },
    "inbox-booking-pull": {
        "task": "channels_inbox.tasks.booking_pull",
        "schedule": crontab(minute="*"),
    },
    "inbox-resend": {
        "task": "channels_inbox.tasks.messages_resend_stuck",
        "schedule": crontab(minute="*/5"),
    },
    "iys-submit": {"task": "consent.tasks.iys_submit_pending", "schedule": crontab(minute="*/5")},
    "iys-poll": {"task": "consent.tasks.iys_poll_due", "schedule": crontab(minute="2-59/5")},
    "iys-pull": {"task": "consent.tasks.iys_pull_changes", "schedule": crontab(minute="*/15")},
    "iys-overdue": {"task": "consent.tasks.iys_overdue_alert", "schedule": crontab(minute=7)},
    "privacy-retention": {
        "task": "consent.tasks.retention_apply",
        "schedule": crontab(hour=3, minute=30),
    },
}
