from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from consent import selectors
from guestview import selectors as guestview_selectors
from guestview.models import Role

# Who answers for consent reaching İYS: not agents, who only take it.
IYS_STATUS_ROLES = frozenset({Role.SUPERVISOR, Role.QUALITY, Role.ADMIN})
PAGE_SIZE = 50


@require_GET
@login_required
def iys_status(request):
    """Consents of the hotels the user serves that are not in İYS yet:
    overdue first, then by deadline, with what İYS said of the refused."""
    if not guestview_selectors.user_roles(request.user) & IYS_STATUS_ROLES:
        raise PermissionDenied
    property_ids = guestview_selectors.visible_property_ids(request.user)
    show = request.GET.get("show", "")
    if show not in selectors.IYS_SHOW:
        show = ""
    now = timezone.now()
    records = selectors.consents_unsynced(property_ids=property_ids, show=show, now=now)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (record, selectors.recipient_masked(record.recipient), record.is_iys_overdue(now))
        for record in page
    ]
    return render(
        request,
        "consent/iys_status.html",
        {
            "page": page,
            "rows": rows,
            "show": show,
            "now": now,
            "counts": selectors.consents_unsynced_counts(property_ids=property_ids, now=now),
            "sync": selectors.iys_sync_status(),
            "deadline_days": settings.IYS_DEADLINE_BUSINESS_DAYS,
        },
    )


@require_GET
@login_required
def access_report(request):
    """Breach support for the data protection officer: who accessed guest
    X (``?guest=``), or what user Y accessed between two times (``?user=``,
    ``since``, ``until``: YYYY-MM-DDTHH:MM, Turkey time)."""
    from django.contrib.auth import get_user_model
    from django.utils.dateparse import parse_datetime

    from consent import access

    if not request.user.has_perm("consent.act_as_dpo"):
        raise PermissionDenied
    now = timezone.now()

    def when(name: str, default):
        value = parse_datetime(request.GET.get(name, "") or "")
        return (
            timezone.make_aware(value) if value and timezone.is_naive(value) else (value or default)
        )

    since, until = when("since", now - timezone.timedelta(days=7)), when("until", now)
    guest_id, user_id = request.GET.get("guest", ""), request.GET.get("user", "")
    entries, subject = [], None
    if guest_id.isdigit():
        entries = access.accesses_to_guest(int(guest_id), since=since, until=until)[:500]
        subject = ("guest", int(guest_id))
    elif user_id.isdigit():
        entries = access.accesses_by_user(int(user_id), since=since, until=until).select_related(
            "actor"
        )[:1000]
        subject = ("user", get_user_model().objects.filter(pk=int(user_id)).first())
    return render(
        request,
        "consent/access_report.html",
        {"entries": entries, "subject": subject, "since": since, "until": until,
         "users": get_user_model().objects.filter(is_active=True).order_by("username")},
    )  # fmt: skip
