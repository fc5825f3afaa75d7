"""The access log's one writer and its reports (KVKK: reading a guest's
data is logged; breach support asks who saw what). Views call
access_record after a permission-checked read; the log is append-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from consent.models import AccessAction, AccessLog
from guestview import bulk


def _ip(request) -> str | None:
    # REMOTE_ADDR is the proxy's own behind one; deployments that terminate
    # TLS in front set it right (uvicorn --proxy-headers, docker-compose.yml).
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def access_record(
    *,
    actor: AbstractBaseUser,
    action: str,
    guest=None,
    request=None,
    context: str = "",
) -> AccessLog:
    """One read of one guest's data (or of a list, with ``guest`` None)."""
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    return AccessLog.objects.create(
        actor=actor,
        action=action,
        guest_id=guest.pk if guest is not None else None,
        property_id=guest.property_id if guest is not None else None,
        ip=_ip(request),
        context=context[:120],
        path=(request.path[:200] if request is not None else ""),
    )


def access_record_many(
    *, actor: AbstractBaseUser, action: str, guests: Iterable, request=None, context: str = ""
) -> int:
    """A list that showed several guests (search results): a row each, in
    one statement."""
    now = timezone.now()
    ip, path = _ip(request), (request.path[:200] if request is not None else "")
    rows = [(actor.pk, action, g.pk, g.property_id, now, ip, context[:120], path) for g in guests]
    bulk.insert_many(
        AccessLog._meta.db_table,
        [("actor_id", "integer"), ("action", "varchar"), ("guest_id", "bigint"),
         ("property_id", "bigint"), ("at", "timestamptz"), ("ip", "inet"),
         ("context", "varchar"), ("path", "varchar")],
        rows,
    )  # fmt: skip
    return len(rows)


def accesses_to_guest(
    guest_id: int, *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> QuerySet[AccessLog]:
    """Who accessed guest X (and when, from where, in which context)."""
    log = AccessLog.objects.filter(guest_id=guest_id).select_related("actor")
    if since:
        log = log.filter(at__gte=since)
    if until:
        log = log.filter(at__lt=until)
    return log


def accesses_by_user(
    user_id: int, *, since: dt.datetime, until: dt.datetime
) -> QuerySet[AccessLog]:
    """What user Y accessed between two times (breach support)."""
    return AccessLog.objects.filter(actor_id=user_id, at__gte=since, at__lt=until).order_by("at")
