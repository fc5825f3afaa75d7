"""The lead screens: the lead queue, a lead (request, pipeline, follow-up,
offer, history), make lead from a conversation or a call, the supervisors'
pipeline board and missed requests, and the campaigns of the day. Function
views: parse, one service, render; with htmx the answer is the fragment."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from channels_inbox import selectors as inbox_selectors
from guestview import selectors as guest_selectors
from leads import selectors, services
from leads.forms import (
    AssignForm,
    FollowUpForm,
    HoldForm,
    LeadFilterForm,
    LeadForm,
    MoveForm,
    NoteForm,
    OfferForm,
)
from leads.models import CampaignCallOutcome, LostReason, NextStep


def _filters(request) -> tuple[LeadFilterForm, selectors.LeadFilter]:
    form = LeadFilterForm(
        request.GET,
        properties=guest_selectors.properties_for_user(request.user),
        sources=selectors.sources(),
    )
    default_view = (
        selectors.LeadView.MINE if getattr(request.user, "agent_profile", None) else "all"
    )
    filters = selectors.LeadFilter(view=default_view)
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.LeadFilter(
            view=data["view"] or default_view,
            property_id=data["property"].pk if data["property"] else None,
            source_id=data["source"].pk if data["source"] else None,
            agent_id=data["agent"],
        )
    return form, filters


@require_GET
@login_required
@vary_on_headers("HX-Request")
def lead_queue(request):
    """The lead queue, apart from the general queue: due follow-ups on top.
    The list re-reads itself when the live stream says leads changed."""
    form, filters = _filters(request)
    context = {
        "form": form,
        "filters": filters,
        "leads": selectors.lead_queue(request.user, filters),
        "counts": selectors.lead_queue_counts(request.user),
        "campaigns": selectors.active_campaigns(guest_selectors.visible_property_ids(request.user)),
        "query": request.GET.urlencode(),
        "now": timezone.now(),
    }
    template_name = "leads/queue.html"
    if request.htmx and not request.htmx.boosted:
        template_name += "#list"
    return render(request, template_name, context)


def _lead_context(request, lead, **extra) -> dict:
    offer_form = extra.pop("offer_form", None) or OfferForm(
        initial={"language": lead.language if lead.language != "other" else "en"}
        | _offer_initial(lead)
    )
    from consent.selectors import consent_state_for_guest

    return {
        "lead": lead,
        # Opt-in on every screen that shows a guest (KVKK).
        "guest_card": {"consent": consent_state_for_guest(lead.guest)} if lead.guest else None,
        "events": selectors.lead_timeline(lead),
        "offers": selectors.lead_offers(lead),
        "conversations": selectors.lead_conversations(lead),
        "channel": services.offer_channel(lead),
        "moves": lead.move_choices,
        "lost_reasons": LostReason.choices,
        "next_steps": NextStep.choices,
        "offer_form": offer_form,
        "follow_up_default": _default_follow_up(),
        "can_supervise": selectors.can_supervise(request.user),
        "agents": selectors.agents_of_property(lead.property_id)
        if selectors.can_supervise(request.user)
        else [],
        "is_mine": lead.assigned_to_id is not None and lead.assigned_to.user_id == request.user.pk,
        "now": timezone.now(),
        **extra,
    }


def _offer_initial(lead) -> dict:
    initial = {}
    valid = timezone.localtime() + dt.timedelta(days=2)
    for i in (1, 2):
        initial |= {
            f"option{i}_arrival": lead.arrival,
            f"option{i}_departure": lead.departure,
            f"option{i}_currency": lead.currency,
            f"option{i}_valid_until": valid.replace(hour=18, minute=0, second=0, microsecond=0),
        }
    initial["option1_room_type"] = lead.room_wish
    return initial


def _default_follow_up() -> dt.datetime:
    """Tomorrow at 10:00 in the console's time: a sensible first guess."""
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    return tomorrow.replace(hour=10, minute=0, second=0, microsecond=0)


def _render_lead(request, lead, *, status=200, **extra):
    lead = selectors.get_lead_for_user(request.user, lead.pk)  # fresh after a write
    template_name = "leads/lead.html"
    if request.htmx:
        template_name += "#workspace"
    return render(request, template_name, _lead_context(request, lead, **extra), status=status)


def _after(request, lead, *, error=None, **extra):
    if error is None and not request.htmx:
        return redirect("leads:lead", pk=lead.pk)
    return _render_lead(request, lead, status=400 if error else 200, error=error, **extra)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_GET
@login_required
def lead_detail(request, pk: int):
    lead = selectors.get_lead_for_user(request.user, pk)
    return _render_lead(request, lead)


@require_http_methods(["GET", "POST"])
@login_required
def lead_new(request):
    """Make lead, from a conversation or a call (?conversation= / ?call=),
    refused without name, contact and request."""
    conversation = call = None
    origin = request.GET.get("conversation") or request.POST.get("conversation")
    if origin:
        conversation = inbox_selectors.get_conversation_for_user(request.user, origin)
    if request.GET.get("call") or request.POST.get("call"):
        call = guest_selectors.get_call_for_user(
            request.user, request.GET.get("call") or request.POST.get("call")
        )
    if conversation is None and call is None:
        raise PermissionDenied  # leads start from a contact; web forms post to intake
    sources = selectors.sources()
    if request.method == "GET":
        form = LeadForm(initial=_lead_initial(conversation, call), sources=sources)
        return render(request, "leads/new.html", _new_context(form, conversation, call))
    form = LeadForm(request.POST, sources=sources)
    if not form.is_valid():
        return render(request, "leads/new.html", _new_context(form, conversation, call), status=400)
    data = form.cleaned_data
    try:
        if conversation is not None:
            lead = services.lead_from_conversation(
                conversation=conversation, by=request.user, name=data["name"],
                contact=data["contact"], request=data["request"], source=data["source"],
                **form.request_fields(),
            )  # fmt: skip
        else:
            lead = services.lead_from_call(
                call=call, by=request.user, name=data["name"], contact=data["contact"],
                request=data["request"], source=data["source"], **form.request_fields(),
            )  # fmt: skip
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return render(request, "leads/new.html", _new_context(form, conversation, call), status=400)
    return redirect("leads:lead", pk=lead.pk)


def _lead_initial(conversation, call) -> dict:
    from leads.models import LeadSource

    guest = (conversation and conversation.guest) or (call and call.guest)
    contact = ""
    if conversation is not None and conversation.contact_key.startswith("+"):
        contact = conversation.contact_key.split("#")[0]
    elif call is not None:
        contact = call.caller
    name = guest.full_name if guest else (conversation.contact_name if conversation else "")
    channel = conversation.channel if conversation else "phone"
    source = LeadSource.objects.filter(channel=channel, is_active=True).first()
    return {
        "name": name, "contact": contact, "source": source,
        "language": conversation.language if conversation else "",
        "request": conversation.last_message_preview if conversation else "",
    }  # fmt: skip


def _new_context(form, conversation, call) -> dict:
    return {"form": form, "conversation": conversation, "call": call}


@require_POST
@login_required
def lead_move(request, pk: int):
    lead = selectors.get_lead_for_user(request.user, pk)
    # The board answers with itself (only supervisors have it).
    from_board = request.POST.get("from") == "board" and selectors.can_supervise(request.user)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _after(request, lead, error=_("Choose where the lead goes."))
    data = form.cleaned_data
    try:
        services.lead_move(
            lead=lead, to=data["status"], by=request.user, follow_up_at=data["follow_up_at"],
            lost_reason=data["lost_reason"], reservation_number=data["reservation_number"],
            note=data["note"],
        )  # fmt: skip
    except ValidationError as exc:
        if from_board:
            return _board(request, error=_errors(exc), status=400)
        return _after(request, lead, error=_errors(exc), move_to=data["status"])
    if from_board:
        if request.htmx:
            return _board(request)
        # The board's filters ride on the form's action: back to the same board.
        query = request.GET.urlencode()
        return redirect(reverse("leads:board") + (f"?{query}" if query else ""))
    return _after(request, lead)


@require_POST
@login_required
def lead_follow_up(request, pk: int):
    lead = selectors.get_lead_for_user(request.user, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _after(
            request, lead, error=_("When do you come back to it? Set the next follow-up.")
        )
    try:
        services.lead_follow_up_set(
            lead=lead, at=form.cleaned_data["follow_up_at"], by=request.user,
            note=form.cleaned_data["note"],
        )  # fmt: skip
    except ValidationError as exc:
        return _after(request, lead, error=_errors(exc))
    return _after(request, lead)


@require_POST
@login_required
def lead_claim(request, pk: int):
    lead = selectors.get_lead_for_user(request.user, pk)
    profile = getattr(request.user, "agent_profile", None)
    if profile is None:
        raise PermissionDenied
    if not services.lead_claim(lead=lead, agent=profile):
        return _after(request, lead, error=_("Someone else took it first."))
    return _after(request, lead)


@require_POST
@login_required
def lead_assign(request, pk: int):
    """A supervisor gives the lead to an agent of its hotel (or to nobody)."""
    if not selectors.can_supervise(request.user):
        raise PermissionDenied
    lead = selectors.get_lead_for_user(request.user, pk)
    form = AssignForm(request.POST)
    agents = {a.pk: a for a in selectors.agents_of_property(lead.property_id)}
    if not form.is_valid() or (
        form.cleaned_data["agent"] and form.cleaned_data["agent"] not in agents
    ):
        return _after(request, lead, error=_("Choose a colleague of this hotel."))
    agent = agents.get(form.cleaned_data["agent"]) if form.cleaned_data["agent"] else None
    try:
        services.lead_assign(lead=lead, agent=agent, by=request.user)
    except ValidationError as exc:
        return _after(request, lead, error=_errors(exc))
    return _after(request, lead)


@require_POST
@login_required
def lead_note(request, pk: int):
    lead = selectors.get_lead_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _after(request, lead, error=_("Write the note before saving."))
    try:
        services.lead_note_add(lead=lead, by=request.user, text=form.cleaned_data["text"])
    except ValidationError as exc:
        return _after(request, lead, error=_errors(exc), note_draft=form.cleaned_data["text"])
    return _after(request, lead)


@require_POST
@login_required
def offer_preview(request, pk: int):
    """The offer as the guest will read it (htmx, while the agent types)."""
    lead = selectors.get_lead_for_user(request.user, pk)
    form = OfferForm(request.POST)
    form.is_valid()  # a preview of what is there
    data = getattr(form, "cleaned_data", {})
    options = [o for o in form.options() if o.arrival and o.departure and o.price]
    text = ""
    if len(options) == 2 and data.get("next_step"):
        text = services.offer_render(
            lead=lead, options=options, next_step=data["next_step"],
            language=data.get("language") or lead.language,
        )  # fmt: skip
    return render(request, "leads/lead.html#preview", {"preview": text})


@require_POST
@login_required
def offer_send(request, pk: int):
    lead = selectors.get_lead_for_user(request.user, pk)
    form = OfferForm(request.POST)
    if not form.is_valid():
        return _after(request, lead, error=_("Check the two options."), offer_form=form)
    try:
        services.offer_send(
            lead=lead, by=request.user, options=form.options(),
            next_step=form.cleaned_data["next_step"],
            follow_up_at=form.cleaned_data["follow_up_at"],
            language=form.cleaned_data["language"],
        )  # fmt: skip
    except ValidationError as exc:
        return _after(request, lead, error=_errors(exc), offer_form=form)
    return _after(request, lead)


@require_POST
@login_required
def option_hold(request, pk: int):
    option = selectors.get_option_for_user(request.user, pk)
    lead = option.offer.lead
    form = HoldForm(request.POST)
    follow_up_at = form.cleaned_data["follow_up_at"] if form.is_valid() else None
    try:
        services.option_hold(option=option, by=request.user, follow_up_at=follow_up_at)
    except ValidationError as exc:
        return _after(request, lead, error=_errors(exc))
    return _after(request, lead)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def board(request):
    """The supervisors' pipeline: count and value per stage; a lead moves
    with its stage picker (htmx, lead_move answers with the board)."""
    return _board(request)


def _board(request, *, error=None, status=200):
    if not selectors.can_supervise(request.user):
        raise PermissionDenied
    form, filters = _filters(request)
    if filters.view == selectors.LeadView.MINE:
        filters = selectors.LeadFilter(
            view=selectors.LeadView.ALL, property_id=filters.property_id,
            source_id=filters.source_id, agent_id=filters.agent_id,
        )  # fmt: skip
    context = {
        "form": form,
        "columns": selectors.pipeline(request.user, filters),
        "agents": selectors.agents_of_properties(
            guest_selectors.visible_property_ids(request.user)
        ),
        "filters": filters,
        "error": error,
        "lost_reasons": LostReason.choices,
        "follow_up_default": _default_follow_up(),
        "query": request.GET.urlencode(),
    }
    template_name = "leads/board.html"
    if request.htmx and not request.htmx.boosted:
        template_name += "#columns"
    return render(request, template_name, context, status=status)


@require_GET
@login_required
def missed(request):
    """Missed requests (no reply within the SLA): the list and the rate."""
    if not selectors.can_supervise(request.user):
        raise PermissionDenied
    days = _days(request.GET.get("days"))
    until = timezone.now()
    report = selectors.missed_requests(
        request.user, since=until - dt.timedelta(days=days), until=until
    )
    return render(request, "leads/missed.html", {"report": report, "days": days})


def _days(value, *, default: int = 7) -> int:
    """The report's period: 1 to 90 days. Like the filters of the other
    lists, a value that is not a number is the default, not an error."""
    try:
        return min(max(int(value), 1), 90)
    except (TypeError, ValueError):
        return default


@require_GET
@login_required
def campaigns_today(request):
    """The agents' daily summary of the running campaigns."""
    return render(
        request,
        "leads/campaigns.html",
        {"days": selectors.campaigns_today(request.user), "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def campaign_calls(request, pk: int):
    """A campaign's call list: its target guests at the agent's hotels; a
    call is recorded only with the guest's ONAY for calls (the server
    refuses the rest, and says why)."""
    campaign = selectors.get_campaign_for_user(request.user, pk)
    error = None
    if request.method == "POST":
        guest = guest_selectors.get_guest_for_user(request.user, request.POST.get("guest"))
        try:
            services.campaign_call_record(
                campaign=campaign, guest=guest, by=request.user,
                outcome=request.POST.get("outcome", ""),
            )  # fmt: skip
        except ValidationError as exc:
            error = _errors(exc)
        else:
            return redirect("leads:campaign_calls", pk=campaign.pk)
    return render(
        request,
        "leads/campaign_calls.html",
        {"campaign": campaign, "entries": selectors.campaign_call_list(request.user, campaign),
         "error": error, "outcomes": CampaignCallOutcome.choices},
        status=400 if error else 200,
    )  # fmt: skip
