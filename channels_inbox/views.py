"""The agent's inbox: the queue and the conversation. Function views: parse,
call one service, render. Every form also works without JavaScript (a
redirect back); with htmx the answer is the fragment that changed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from channels_inbox import routing, selectors, services
from channels_inbox.forms import (
    CloseForm,
    HandoffForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    TransferForm,
    TriageForm,
)
from channels_inbox.models import ChannelKind, Outcome, Priority, Scenario, Tag, WhatsAppTemplate
from consent.access import access_record
from consent.models import AccessAction
from guestview import selectors as guest_selectors
from guestview.models import AgentProfile, Language


def _profile(request) -> AgentProfile | None:
    return getattr(request.user, "agent_profile", None)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def queue(request):
    """One queue for every channel: mine / unassigned / all, with filters.
    The list re-reads itself when the live stream says the queue changed."""
    form = QueueFilterForm(
        request.GET, properties=guest_selectors.properties_for_user(request.user)
    )
    filters = selectors.QueueFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.QueueFilter(
            view=data["view"] or (selectors.QueueView.MINE if _profile(request) else "all"),
            channel=data["channel"],
            language=data["language"],
            priority=data["priority"],
            property_id=data["property"].pk if data["property"] else None,
        )
    context = {
        "form": form,
        "filters": filters,
        "conversations": selectors.queue_for_user(request.user, filters),
        "counts": selectors.queue_counts(request.user),
        "query": request.GET.urlencode(),
    }
    template_name = "channels_inbox/queue.html"
    if request.htmx and not request.htmx.boosted:
        template_name += "#list"
    return render(request, template_name, context)


@require_POST
@login_required
def claim_next(request):
    profile = _profile(request)
    if profile is None:
        raise PermissionDenied
    conversation = routing.conversation_claim_next(agent=profile)
    if conversation is None:
        return redirect(f"{_queue_url()}?view=unassigned&empty=1")
    return redirect("channels_inbox:conversation", pk=conversation.pk)


def _queue_url() -> str:
    return reverse("channels_inbox:queue")


def _card_guest(request, conversation):
    """The guest whose card the workspace shows, if the user may see it."""
    if (
        conversation.guest_id
        and conversation.guest.property_id in guest_selectors.visible_property_ids(request.user)
    ):
        return conversation.guest
    return None


def _conversation_context(request, conversation, **extra) -> dict:
    guest = _card_guest(request, conversation)
    card = guest_selectors.guest_card(guest) if guest else None
    check = services.send_check(conversation)
    canned = selectors.canned_replies_for(conversation)
    agent_name = request.user.get_full_name() or request.user.get_username()
    return {
        "conversation": conversation,
        "timeline": selectors.conversation_timeline(conversation),
        "card": card,
        "check": check,
        "canned": [
            (
                reply,
                services.canned_reply_render(
                    reply=reply, conversation=conversation, agent_name=agent_name
                ),
            )
            for reply in canned
        ],
        "templates": selectors.whatsapp_templates_for(conversation),
        "transfer_targets": selectors.transfer_targets(conversation),
        "tags": Tag.objects.filter(is_active=True),
        "selected_tags": set(conversation.tags.values_list("pk", flat=True)),
        "languages": Language.choices,
        "scenarios": Scenario.choices,
        "priorities": Priority.choices,
        "outcomes": Outcome.choices,
        "is_mine": conversation.assigned_to_id is not None
        and conversation.assigned_to.user_id == request.user.pk,
        "can_reassign": routing.can_reassign(request.user),
        "is_call": conversation.channel == ChannelKind.PHONE,
        **extra,
    }


def _render_conversation(request, conversation, *, status=200, **extra):
    context = _conversation_context(request, conversation, **extra)
    template_name = "channels_inbox/conversation.html"
    if request.htmx and not request.htmx.boosted:
        template_name += "#thread" if request.GET.get("part") == "thread" else "#workspace"
    return render(request, template_name, context, status=status)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def conversation(request, pk: int):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    draft = ""
    if request.GET.get("canned"):
        agent_name = request.user.get_full_name() or request.user.get_username()
        for reply in selectors.canned_replies_for(conversation):
            if str(reply.pk) == request.GET["canned"]:
                draft = services.canned_reply_render(
                    reply=reply, conversation=conversation, agent_name=agent_name
                )
    guest = _card_guest(request, conversation)
    if guest is not None and request.GET.get("part") != "thread":  # the refresh shows no card
        access_record(
            actor=request.user, action=AccessAction.VIEW, guest=guest, request=request,
            context=f"conversation:{conversation.pk}",
        )  # fmt: skip
    return _render_conversation(request, conversation, draft=draft)


def _after_action(request, conversation, *, error: str = "", **extra):
    """htmx: the workspace again (with the error); otherwise back to the page."""
    if request.htmx:
        conversation.refresh_from_db()
        return _render_conversation(
            request, conversation, status=400 if error else 200, error=error, **extra
        )
    return redirect("channels_inbox:conversation", pk=conversation.pk)


@require_POST
@login_required
def conversation_reply(request, pk: int):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _after_action(request, conversation, error=_("Write the reply before sending."))
    template = None
    if form.cleaned_data["template"]:
        template = WhatsAppTemplate.objects.filter(
            pk=form.cleaned_data["template"], account_id=conversation.account_id
        ).first()
        if template is None:
            return _after_action(request, conversation, error=_("Choose a template."))
    try:
        services.message_send(
            conversation=conversation,
            author=request.user,
            text=form.cleaned_data["text"],
            template=template,
        )
    except ValidationError as exc:
        return _after_action(
            request, conversation, error=" ".join(exc.messages), draft=form.cleaned_data["text"]
        )
    return _after_action(request, conversation)


@require_POST
@login_required
def conversation_note(request, pk: int):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _after_action(request, conversation, error=_("Write the note before saving."))
    try:
        services.conversation_note_add(
            conversation=conversation, author=request.user, text=form.cleaned_data["text"]
        )
    except ValidationError as exc:
        return _after_action(request, conversation, error=" ".join(exc.messages))
    return _after_action(request, conversation)


@require_POST
@login_required
def conversation_claim(request, pk: int):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    profile = _profile(request)
    if profile is None:
        raise PermissionDenied
    if not routing.conversation_claim(conversation=conversation, agent=profile):
        return _after_action(request, conversation, error=_("Someone else took it first."))
    return _after_action(request, conversation)


@require_POST
@login_required
def conversation_release(request, pk: int):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    routing.conversation_release(conversation=conversation, by=request.user)
    return _after_action(request, conversation)


@require_POST
@login_required
def conversation_transfer(request, pk: int):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    form = TransferForm(request.POST)
    targets = {a.pk: a for a in selectors.transfer_targets(conversation)}
    if not form.is_valid() or form.cleaned_data["agent"] not in targets:
        return _after_action(request, conversation, error=_("Choose a colleague of this hotel."))
    try:
        routing.conversation_transfer(
            conversation=conversation, to=targets[form.cleaned_data["agent"]], by=request.user
        )
    except ValidationError as exc:
        return _after_action(request, conversation, error=" ".join(exc.messages))
    return _after_action(request, conversation)


@require_POST
@login_required
def conversation_triage(request, pk: int):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    form = TriageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Unknown language, scenario or priority.")
    services.conversation_triage_correct(
        conversation=conversation, by=request.user, **form.cleaned_data
    )
    return _after_action(request, conversation)


@require_POST
@login_required
def conversation_tags(request, pk: int):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    ids = [int(v) for v in request.POST.getlist("tags") if v.isdigit()]
    services.conversation_tags_set(
        conversation=conversation, tags=list(Tag.objects.filter(pk__in=ids, is_active=True))
    )
    return _after_action(request, conversation)


@require_POST
@login_required
def conversation_close(request, pk: int):
    conversation = selectors.get_conversation_for_user(request.user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _after_action(request, conversation, error=_("Choose an outcome."))
    try:
        services.conversation_close(
            conversation=conversation,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            summary=form.cleaned_data["summary"],
        )
    except ValidationError as exc:
        return _after_action(request, conversation, error=" ".join(exc.messages), show_close=True)
    if request.htmx:
        return _after_action(request, conversation)
    return redirect("channels_inbox:queue")


@require_POST
@login_required
def conversation_handoff(request, pk: int):
    """Continue a call on WhatsApp: send an approved template to the caller."""
    conversation = selectors.get_conversation_for_user(request.user, pk)
    form = HandoffForm(request.POST)
    templates = {t.pk: t for t in selectors.whatsapp_templates_for(conversation)}
    if not form.is_valid() or form.cleaned_data["template"] not in templates:
        return _after_action(request, conversation, error=_("Choose a template."))
    template = templates[form.cleaned_data["template"]]
    try:
        whatsapp = services.whatsapp_handoff(
            conversation=conversation,
            author=request.user,
            account=template.account,
            template=template,
        )
    except ValidationError as exc:
        return _after_action(request, conversation, error=" ".join(exc.messages))
    if request.htmx:
        return HttpResponseClientRedirect(
            reverse("channels_inbox:conversation", args=[whatsapp.pk])
        )
    return redirect("channels_inbox:conversation", pk=whatsapp.pk)
