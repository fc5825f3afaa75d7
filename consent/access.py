"""The access log's one writer and its reports (KVKK: reading a guest's
data is logged; breach support asks who saw what). Views call
access_record after a permission-checked read; the log is append-only.
The reports show a viewer only what happened at the hotels they serve
(guestview.selectors), like every other read of guest data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from consent.models import AccessAction, AccessLog
from guestview import bulk
from guestview import selectors as guestview_selectors
from guestview.models import Role
from guestview.security import client_ip


def _ip(request) -> str | None:
    # None, not "": the column is an inet (access_record_many casts to it).
    return (client_ip(request) or None) if request is not None else None


def access_record(
    *,
    actor: AbstractBaseUser,
    action: str,
    guest=None,
    request=None,
    context: str = "",
    once: bool = False,
) -> AccessLog | None:
    """One read of one guest's data (or of a list, with ``guest`` None).
    ``once``: not again if this person already has this read of this guest
    in this context (a call's card re-rendered as the call goes on); None
    then."""
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    if once and AccessLog.objects.filter(
        actor=actor, action=action, guest_id=guest.pk if guest is not None else None,
        context=context[:120],
    ).exists():  # fmt: skip
        return None
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


def access_report_users(viewer: AbstractBaseUser) -> QuerySet[AbstractBaseUser]:
    """Whom ``viewer`` may ask the access report about: the active people
    with a console role at the hotels ``viewer`` serves (one query per hotel)."""
    user_ids: set[int] = set()
    for property_id in guestview_selectors.visible_property_ids(viewer):
        staff = guestview_selectors.staff_of_property(property_id, roles=Role.values)
        user_ids |= {user.pk for user in staff}
    return get_user_model().objects.filter(pk__in=user_ids).order_by("username")


def accesses_to_guest(
    guest_id: int,
    *,
    viewer: AbstractBaseUser,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AccessLog]:
    """Who accessed guest X (and when, from where, in which context): a
    guest of a hotel ``viewer`` does not serve is a 404."""
    guest = guestview_selectors.get_guest_for_user(viewer, guest_id)
    log = AccessLog.objects.filter(guest_id=guest.pk).select_related("actor")
    if since:
        log = log.filter(at__gte=since)
    if until:
        log = log.filter(at__lt=until)
    return log


def accesses_by_user(
    user_id: int, *, viewer: AbstractBaseUser, since: dt.datetime, until: dt.datetime
) -> QuerySet[AccessLog]:
    """What user Y accessed between two times (breach support), at the
    hotels ``viewer`` serves. Entries of no hotel (a call card with no guest
    linked) are left out: nothing says whose they are."""
    return AccessLog.objects.filter(
        actor_id=user_id,
        property_id__in=guestview_selectors.visible_property_ids(viewer),
        at__gte=since,
        at__lt=until,
    ).order_by("at")
