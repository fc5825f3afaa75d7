"""The Celery app. Tasks live in each app's tasks.py; the beat schedule lives here."""

import os
import threading

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("misafir360")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def _triage_warm_up(**_kwargs):
    """Each pool process loads the language models before its first message:
    in the process itself (the models' loader starts threads, which a fork
    from the parent would not carry over) and in a thread (a pool process
    that takes over 4 s to start counts as failed; the first message waits
    for the models if it comes sooner)."""
    from channels_inbox import triage

    threading.Thread(target=triage.warm_up, name="triage-warm-up", daemon=True).start()


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
