import contextlib
import json

import redis
import redis.asyncio
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from consent.access import access_record, access_record_many
from consent.models import AccessAction, ConsentSource, ConsentStatus, ConsentType
from consent.selectors import recipient_masked
from consent.services import NoteRefused, consent_record, note_marked
from guestview import cards, push, selectors, services
from guestview.forms import AgentStatusForm, GuestSearchForm, NewCallerForm, NoteForm
from guestview.models import AgentProfile, ScreenPop


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
    if form.is_valid() and (lead := _case_id_lead(request.user, form.cleaned_data["q"])):
        # Case IDs are searchable everywhere; the live search jumps there too.
        url = reverse("leads:lead", args=[lead.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if form.is_valid() and form.cleaned_data["q"].strip():
        chosen = form.cleaned_data["property"]
        guests = selectors.guest_search(
            user=request.user,
            query=form.cleaned_data["q"],
            property_id=chosen.pk if chosen else None,
        )
        page = Paginator(guests, settings.GUEST_SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        # Who saw which guests in a list; the words are not kept (a phone number).
        access_record_many(
            actor=request.user, action=AccessAction.SEARCH, guests=page.object_list,
            request=request, context=f"search ({len(form.cleaned_data['q'])} characters)",
        )  # fmt: skip
    template_name = "guestview/guest_search.html"
    if request.htmx and not (request.htmx.boosted or request.htmx.history_restore_request):
        template_name += "#results"
    consents = {}
    if page is not None:  # opt-in on every screen that shows a guest: one query
        from consent.selectors import consent_states_for_guests

        consents = consent_states_for_guests([g.pk for g in page.object_list])
    return render(request, template_name, {"form": form, "page": page, "consents": consents})


def _case_id_lead(user, query: str):
    from leads.selectors import lead_for_case_id  # leads build on guests

    return lead_for_case_id(user, query)


@require_GET
@login_required
def guest_detail(request, pk: int):
    guest = selectors.get_guest_for_user(request.user, pk)
    access_record(actor=request.user, action=AccessAction.VIEW, guest=guest, request=request)
    return render(
        request,
        "guestview/guest_detail.html",
        {"guest": guest, "card": selectors.guest_card(guest), **cards.form_context()},
    )


@require_GET
@login_required
def guest_timeline(request, pk: int):
    """The drill-down under the card: every call, stay and note, newest first."""
    guest = selectors.get_guest_for_user(request.user, pk)
    access_record(
        actor=request.user, action=AccessAction.VIEW, guest=guest, request=request,
        context="timeline",
    )  # fmt: skip
    template_name = "guestview/guest_timeline.html"
    if request.htmx:
        template_name += "#entries"
    return render(
        request, template_name, {"guest": guest, "timeline": selectors.guest_timeline(guest)}
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


# --- calls and the screen-pop ---------------------------------------------------------


def _optional_pop(request) -> ScreenPop | None:
    pop_id = request.POST.get("pop")
    return selectors.get_screenpop_for_user(request.user, pop_id) if pop_id else None


def _render_call(request, call, *, pop=None, status=200, **extra):
    context = {**cards.call_card_context(call=call, user=request.user, pop=pop), **extra}
    template_name = "guestview/call.html"
    if request.htmx:
        template_name += "#pop"
    return render(request, template_name, context, status=status)


@require_GET
@login_required
def call_detail(request, pk: int):
    call = selectors.get_call_for_user(request.user, pk)
    if call.guest_id:  # logged as served (the page's beacon then adds nothing)
        access_record(
            actor=request.user, action=AccessAction.VIEW, guest=call.guest, request=request,
            context=f"call:{call.pk}", once=True,
        )  # fmt: skip
    return _render_call(request, call)


@require_POST
@login_required
def call_seen(request, pk: int):
    """Beacon from the card's first render in the browser (recognition time)."""
    call = selectors.get_call_for_user(request.user, pk)
    services.call_card_seen(call=call)
    if call.guest_id:  # the pop showed this guest's card (once: it re-renders as the call goes)
        access_record(
            actor=request.user, action=AccessAction.VIEW, guest=call.guest, request=request,
            context=f"call:{call.pk}", once=True,
        )  # fmt: skip
    return HttpResponse(status=204)


@require_POST
@login_required
def call_identify(request, pk: int):
    call = selectors.get_call_for_user(request.user, pk)
    guest = selectors.get_guest_for_user(request.user, request.POST.get("guest"))
    pop = _optional_pop(request)  # checked before anything is written
    return _identified(request, call, guest, pop)


@require_POST
@login_required
def call_guest_create(request, pk: int):
    """The new-caller card: create the guest with the calling number."""
    call = selectors.get_call_for_user(request.user, pk)
    pop = _optional_pop(request)
    form = NewCallerForm(request.POST)
    if not form.is_valid() or call.property is None:
        error = _("First and last name are needed.") if call.property else _("Unknown line.")
        return _render_call(request, call, pop=pop, status=400, form_error=error)
    try:
        guest = services.guest_create(
            property=call.property,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            language=form.cleaned_data["language"],
            phones=[call.caller_raw] if call.caller else [],
        )
    except ValidationError as exc:
        return _render_call(request, call, pop=pop, status=400, form_error=" ".join(exc.messages))
    return _identified(request, call, guest, pop)


def _identified(request, call, guest, pop):
    """Link the caller to the call; the pop (or the call page) shows the card."""
    services.call_identify(call=call, guest=guest)
    if not request.htmx:
        return redirect("guestview:call_detail", pk=call.pk)
    return _render_call(request, call, pop=pop)


@require_POST
@login_required
def screenpop_dismiss(request, pk: int):
    pop = selectors.get_screenpop_for_user(request.user, pk)
    services.screenpop_dismiss(pop=pop)
    if request.htmx:
        return HttpResponse("")
    return redirect("guestview:missed_calls")


@require_GET
@login_required
def missed_calls(request):
    profile = getattr(request.user, "agent_profile", None)
    pops = selectors.missed_calls_for_agent(profile)[:50] if profile else []
    return render(request, "guestview/missed_calls.html", {"pops": pops})


@require_POST
@login_required
def guest_note_create(request, pk: int):
    guest = selectors.get_guest_for_user(request.user, pk)
    form = NoteForm(request.POST)
    call = None
    if request.POST.get("call"):
        call = selectors.get_call_for_user(request.user, request.POST["call"])
    context = {"g": guest, "call": call, **cards.form_context()}
    status = 200
    if form.is_valid():
        try:
            services.guest_note_add(
                guest=guest,
                author=request.user,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                next_step=form.cleaned_data["next_step"],
                call=call,
                **form.details(),
            )
            context["saved"] = True
        except NoteRefused as exc:
            # Shown back to its author to fix, marked; stored and logged nowhere.
            refused = form.cleaned_data[getattr(exc, "field", "text")].strip()
            context["note_error"], status = " ".join(exc.messages), 400
            context["note_draft"] = request.POST
            context["note_marked"] = note_marked(refused, exc.findings)
        except ValidationError as exc:
            context["note_error"], status = " ".join(exc.messages), 400
            context["note_draft"] = request.POST
    else:
        context["note_error"], status = (
            " ".join(m for errors in form.errors.values() for m in errors),
            400,
        )
        context["note_draft"] = request.POST
    if not request.htmx:
        if status != 200:
            messages.error(request, context["note_error"])
        return redirect("guestview:guest_detail", pk=guest.pk)
    return render(request, "guestview/card.html#action", context, status=status)


@require_POST
@login_required
def guest_note_done(request, pk: int):
    """The follow-up of an open request or complaint is done: the flag goes."""
    note = selectors.get_note_for_user(request.user, pk)
    services.guest_note_close(note=note)
    if request.htmx:
        return HttpResponse("")
    return redirect("guestview:guest_detail", pk=note.guest_id)


# Comments keep proxies from closing an idle stream; EventSource ignores them.
SSE_KEEPALIVE_SECONDS = 15


@require_GET
@login_required
async def screenpop_stream(request):
    """text/event-stream of the agent's screen-pops (pub/sub per agent), with
    Last-Event-ID replay from the database. Served by the ASGI server."""
    user = await request.auser()
    agent = await sync_to_async(_released(AgentProfile.objects.filter(user=user).first))()
    if agent is None:
        return HttpResponse(status=204)  # EventSource stops retrying on 204
    set_language = sync_to_async(_released(services.agent_ui_language_set))
    await set_language(agent=agent, language=request.LANGUAGE_CODE)
    last_id = request.headers.get("Last-Event-ID", "")
    after_id = int(last_id) if last_id.isdigit() else None
    # Subscribe before the response starts: the browser's "open" event (on
    # which the inbox's pages re-read what they show) then comes after the
    # subscription, so nothing published in between is missed.
    client = redis.asyncio.Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub()
    property_ids = await sync_to_async(_released(selectors.visible_property_ids))(user)
    try:
        # The hotels' channels carry the inbox's queue and thread updates.
        await pubsub.subscribe(
            push.agent_channel(agent.pk), *(push.property_channel(p) for p in property_ids)
        )
        subscribed = True
    except redis.RedisError:
        subscribed = False
    response = StreamingHttpResponse(
        _screenpop_events(agent, after_id, client=client, pubsub=pubsub, subscribed=subscribed),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response


def _released(function):
    """Run ``function`` and give the thread's database connection back to the
    pool: a stream stays open for hours and must not hold one meanwhile."""

    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:  # (a test's transaction)
                    connection.close()

    return run


def _replay(agent: AgentProfile, after_id: int | None) -> list[tuple[int, str]]:
    pops = selectors.screenpops_to_replay(agent, after_id=after_id)
    rendered = [(pop.pk, cards.render_screenpop(pop)) for pop in pops]
    services.screenpop_delivered(pop_ids=[pop_id for pop_id, _html in rendered])
    return rendered


async def _screenpop_events(
    agent: AgentProfile, after_id: int | None, *, client, pubsub, subscribed: bool
):
    """Subscribed before the replay (by the view), so nothing published
    meanwhile is lost."""
    sent: set[int] = set()
    try:
        yield "retry: 1000\n\n"
        for pop_id, html in await sync_to_async(_released(_replay))(agent, after_id):
            sent.add(pop_id)
            yield push.sse_message(event="pop", data=html, event_id=pop_id)
        if not subscribed:
            # Redis is down: the database replay above is all we have; end the
            # stream so the browser reconnects (and replays) in a few seconds.
            yield "retry: 3000\n\n"
            return
        while True:
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=SSE_KEEPALIVE_SECONDS
            )
            if message is None:
                yield ": keep-alive\n\n"
                continue
            data = json.loads(message["data"])
            event_id = data.get("id")
            if event_id in sent:
                continue
            yield push.sse_message(event=data["event"], data=data["html"], event_id=event_id)
            if event_id:
                sent.add(event_id)
                delivered = sync_to_async(_released(services.screenpop_delivered))
                await delivered(pop_ids=[event_id])
    except redis.RedisError:
        yield "retry: 3000\n\n"
    finally:
        with contextlib.suppress(redis.RedisError):
            await pubsub.aclose()
            await client.aclose()


@require_GET
@login_required
def alerts(request):
    """My alerts: deadlines, escalations, options, consents; newest first."""
    page = Paginator(selectors.alerts_for_user(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "guestview/alerts.html", {"page": page})


@require_POST
@login_required
def alerts_read(request):
    services.alerts_mark_read(user=request.user)
    return redirect("guestview:alerts")


def _unmask_context(request, guest) -> str:
    """Where the card was shown in full (the evidence log keeps only what the
    server checked): a call or a conversation of this guest the user can see."""
    from channels_inbox.selectors import get_conversation_for_user

    for name, getter in (("call", selectors.get_call_for_user),
                         ("conversation", get_conversation_for_user)):  # fmt: skip
        value = request.POST.get(name, "")
        if value.isascii() and value.isdigit():
            try:
                item = getter(request.user, int(value))
            except Http404:
                return ""
            return f"{name}:{item.pk}" if item.guest_id == guest.pk else ""
    return ""


@require_POST
@login_required
def guest_contacts_unmask(request, pk: int):
    """Show a guest's phone numbers and addresses in full, on purpose: logged."""
    guest = selectors.get_guest_for_user(request.user, pk)
    access_record(
        actor=request.user, action=AccessAction.UNMASK, guest=guest, request=request,
        context=_unmask_context(request, guest),
    )  # fmt: skip
    contacts = list(guest.contact_points.order_by("-is_primary", "kind", "id"))
    if not request.htmx:
        return redirect("guestview:guest_detail", pk=guest.pk)
    return render(request, "guestview/card.html#contacts", {"contacts": contacts, "unmasked": True})


@require_http_methods(["GET", "POST"])
@login_required
def guest_consent_record(request, pk: int):
    """Record what the guest says about commercial calls, messages or
    e-mail, in two steps: the agent states it, then confirms it was said
    (the second POST writes). GET: the block as it is (cancel)."""
    guest = selectors.get_guest_for_user(request.user, pk)
    extra: dict = {}
    status = 200
    if request.method == "POST":
        data = request.POST
        type_, said, recipient = (
            data.get("type", ""),
            data.get("status", ""),
            data.get("recipient", ""),
        )
        known = set(guest.contact_points.values_list("value", flat=True))
        if (
            type_ not in ConsentType.values
            or said not in ConsentStatus.values
            or recipient not in known
        ):
            extra["consent_error"], status = (
                _("Choose the channel, the answer and the number."),
                400,
            )
        elif data.get("confirm") != "yes":
            extra["consent_confirm"] = {
                "type": type_, "status": said, "recipient": recipient,
                "type_label": ConsentType(type_).label, "status_label": ConsentStatus(said).label,
                "recipient_shown": recipient_masked(recipient),
            }  # fmt: skip
        else:
            try:
                record = consent_record(
                    guest=guest, type=type_, status=said, source=ConsentSource.HS_CAGRI_MERKEZI,
                    recipient=recipient, recorded_by=request.user,
                )  # fmt: skip
            except ValidationError as exc:
                extra["consent_error"], status = " ".join(exc.messages), 400
            else:
                extra["consent_saved"] = _("Recorded: %(status)s for %(channel)s.") % {
                    "status": record.get_status_display(), "channel": record.get_type_display()
                }  # fmt: skip
    if not request.htmx:
        if extra.get("consent_error"):
            messages.error(request, extra["consent_error"])
        return redirect("guestview:guest_detail", pk=guest.pk)
    context = {"card": selectors.guest_card(guest), "g": guest, **extra}
    return render(request, "guestview/card.html#prefs", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def guest_needs(request, pk: int):
    """The restricted special-needs field: anyone serving the hotel records
    (with the guest's explicit consent first); only those with the
    permission read, and each read is logged."""
    from consent import needs as guest_needs_service  # KVKK's own app owns the field

    guest = selectors.get_guest_for_user(request.user, pk)
    context: dict = {"g": guest, "can_read": guest_needs_service.can_read_needs(request.user)}
    status = 200
    if request.method == "POST":
        try:
            guest_needs_service.needs_record(
                guest=guest, by=request.user,
                explicit_consent={"yes": True, "withdrawn": False}.get(
                    request.POST.get("explicit_consent", "")
                ),
                method=request.POST.get("method", ""),
                accessibility=request.POST.getlist("accessibility"),
                dietary=request.POST.getlist("dietary"),
                detail=request.POST.get("detail", ""),
            )  # fmt: skip
            context["needs_saved"] = True
        except ValidationError as exc:
            context["needs_error"], status = " ".join(exc.messages), 400
    context["consented"] = guest_needs_service.explicit_consent_given(guest)
    if context["can_read"]:
        context["needs"] = guest_needs_service.needs_read(
            guest=guest, user=request.user, request=request
        )
    context |= _needs_choices()
    if not request.htmx:
        return render(request, "guestview/needs.html", context, status=status)
    return render(request, "guestview/needs.html#needs", context, status=status)


def _needs_choices() -> dict:
    from consent.models import AccessibilityNeed, ConsentMethod, DietaryNeed

    return {
        "accessibility_choices": AccessibilityNeed.choices,
        "dietary_choices": DietaryNeed.choices,
        "methods": ConsentMethod.choices,
    }
