"""Thin tasks, each calling one service: those of the İYS sync call
consent.sync, which does nothing while İYS is off (IYS_BASE_URL empty),
except the overdue alert; retention_apply calls consent.privacy. Safe to
run twice: claims use SKIP LOCKED, polls are leased, the pull stores a
change once. The İYS client is one per worker process
(consent.sync.iys_client): İYS allows 10 token requests an hour per IP."""

from __future__ import annotations

from celery import shared_task

from consent import iys, privacy, sync


@shared_task
def iys_submit_pending() -> int | None:
    """Every 5 minutes (beat): one İYS request of at most 1000 consents, the
    nearest deadline first; one POST and a dozen queries, one query when
    nothing waits. When İYS cannot be reached the consents wait for the next
    run, which is the retry."""
    request = sync.iys_submit_pending()
    return request.pk if request else None


@shared_task
def iys_poll_due() -> int:
    """Every 5 minutes (beat): up to 20 requests whose poll time has come,
    one GET each (İYS wants 300 s between a request and its first poll,
    then we back off to an hour). An unreachable İYS is asked again at the
    next poll time."""
    return sync.iys_poll_due()


@shared_task(bind=True, max_retries=3)
def iys_pull_changes(self) -> int:
    """Every 15 minutes (beat): the changes guests made on İYS itself, up to
    50 pages of 1000; usually one GET that answers 204. What was stored
    before a failure stays stored; İYS down is retried a minute later."""
    try:
        return sync.iys_pull_changes()
    except iys.IysError as exc:
        if not exc.retry:
            raise
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task
def iys_overdue_alert() -> int:
    """Hourly (beat), with the sync off too: one grouped count of consents
    past their İYS deadline, one alert per hotel and day to its supervisors."""
    return sync.iys_overdue_alert()


@shared_task
def retention_apply() -> int:
    """Nightly (beat, 03:30 Turkey time): the retention periods of the
    admin (consent.privacy.retention_apply). Per run at most 2000 rows per
    table and category and 200 guests anonymized (~40 queries each, and a
    scan of the stored webhook bodies for each); a backlog goes over several
    nights. Safe to run twice: what is anonymized is not touched again. How
    many erasure log entries it wrote."""
    return len(privacy.retention_apply())
