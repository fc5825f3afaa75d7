"""Rendering the 360° card for a call: used by the call page, by the pop
pushed over SSE (rendered before it is published, in the agent's language)
and by the Last-Event-ID replay."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html

from guestview import push, selectors
from guestview.models import Call, Language, NextStep, NoteKind, ScreenPop


def form_context() -> dict:
    """Choices the card's forms need."""
    return {
        "next_steps": NextStep.choices,
        "note_kinds": NoteKind.choices,
        "guest_languages": Language.choices,
    }


def call_card_context(*, call: Call, user: AbstractBaseUser, pop: ScreenPop | None = None):
    """Which card the call gets: the guest's (one match or already picked), a
    pick list (a family phone), or the new-caller card."""
    visible = selectors.visible_property_ids(user)
    matches = []
    card = None
    if call.guest_id and call.guest.property_id in visible:
        card = selectors.guest_card(call.guest, calling=call.caller)
    elif call.caller:
        matches = selectors.guests_for_caller(call.caller, property_ids=visible)
        if len(matches) == 1:
            card = selectors.guest_card(matches[0], calling=call.caller)
    mode = "card" if card else ("pick" if matches else "new")
    return {
        "call": call,
        "pop": pop,
        "mode": mode,
        "card": card,
        "matches": matches,
        **form_context(),
    }


def render_screenpop(pop: ScreenPop) -> str:
    agent = pop.agent
    with translation.override(agent.ui_language):
        context = call_card_context(call=pop.call, user=agent.user, pop=pop)
        return render_to_string("guestview/call.html#pop", context)


def publish_screenpop(pop: ScreenPop) -> bool:
    return push.publish(pop.agent_id, event="pop", html=render_screenpop(pop), event_id=pop.pk)


def render_call_state(call: Call, language: str) -> str:
    with translation.override(language):
        return render_to_string("guestview/call.html#call_state", {"call": call})


def publish_call_state(call: Call) -> None:
    """Answered / ended: update the state badge of consoles showing the call."""
    for pop in call.screen_pops.select_related("agent"):
        push.publish(
            pop.agent_id,
            event=f"callstate-{call.pk}",
            html=render_call_state(call, pop.agent.ui_language),
        )


def alert_toast(alert, *, kind_label: str | None = None) -> str:
    """The toast an alert shows on a console. Built by hand, not with a
    template: the SLA scan renders thousands in one pass. The title is in the
    language it was written in."""
    label = kind_label if kind_label is not None else alert.get_kind_display()
    kind = format_html('<span class="toast-kind">{}</span>', label)
    body = format_html('<a href="{}">{}</a>', alert.url, alert.title) if alert.url else alert.title
    return format_html(
        '<div class="toast toast-{}" role="status">{}{}</div>', alert.kind, kind, body
    )
