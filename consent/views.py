import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from consent import access, selectors
from consent.forms import AccessReportForm
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
    ``since``, ``until``: YYYY-MM-DDTHH:MM, Turkey time), at the hotels the
    officer serves. A guest of another hotel is a 404; a question the form
    cannot read, a 400 with what is wrong."""
    if not request.user.has_perm("consent.act_as_dpo"):
        raise PermissionDenied
    now = timezone.now()
    form = AccessReportForm(request.GET, users=access.access_report_users(request.user))
    asked = form.cleaned_data if form.is_valid() else {}
    since = asked.get("since") or now - dt.timedelta(days=7)
    until = asked.get("until") or now
    entries, subject = [], None
    if asked.get("guest"):
        entries = access.accesses_to_guest(
            asked["guest"], viewer=request.user, since=since, until=until
        )[:500]
        subject = ("guest", asked["guest"])
    elif asked.get("user"):
        entries = access.accesses_by_user(
            asked["user"].pk, viewer=request.user, since=since, until=until
        ).select_related("actor")[:1000]
        subject = ("user", asked["user"])
    return render(
        request,
        "consent/access_report.html",
        {"form": form, "entries": entries, "subject": subject, "since": since, "until": until,
         "users": form.fields["user"].queryset},
        status=400 if form.errors else 200,
    )  # fmt: skip
