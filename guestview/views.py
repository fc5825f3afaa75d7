from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from guestview import selectors, services
from guestview.forms import AgentStatusForm, GuestSearchForm


@require_GET
@login_required
def home(request):
    return redirect("guestview:guest_search")


@require_GET
@login_required
@vary_on_headers("HX-Request")  # one URL, two answers: page or #results fragment
def guest_search(request):
    form = GuestSearchForm(request.GET, properties=selectors.properties_for_user(request.user))
    page = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        chosen = form.cleaned_data["property"]
        guests = selectors.guest_search(
            user=request.user,
            query=form.cleaned_data["q"],
            property_id=chosen.pk if chosen else None,
        )
        page = Paginator(guests, settings.GUEST_SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    template_name = "guestview/guest_search.html"
    if request.htmx and not (request.htmx.boosted or request.htmx.history_restore_request):
        template_name += "#results"
    return render(request, template_name, {"form": form, "page": page})


@require_GET
@login_required
def guest_detail(request, pk: int):
    guest = selectors.get_guest_for_user(request.user, pk)
    return render(
        request,
        "guestview/guest_detail.html",
        {
            "guest": guest,
            "contact_points": guest.contact_points.order_by("-is_primary", "kind", "id"),
            "stays": selectors.stays_for_guest(guest),
            "preferences": guest.preferences.order_by("key"),
        },
    )


@require_POST
@login_required
def agent_status_set(request):
    form = AgentStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Unknown status.")
    profile = services.agent_profile_ensure(user=request.user)
    services.agent_set_status(agent=profile, status=form.cleaned_data["status"])
    if request.htmx:
        return render(request, "base.html#agent_status", {"agent_profile": profile})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)
