"""What the SLA scan does with the clocks it claimed (leads.sla.sla_scan):
warn the agent who has the item, and for a breach record it and run the
policy's escalation — notify the hotel's supervisors, raise the priority, or
hand the item to the least-loaded online member of the policy's team. A
missed reply of a conversation is a missed request (kpi).

Everything is done per batch, not per item: a busy evening can breach a few
thousand items in one minute (make bench-sla). Reassignments are the
exception, rare by nature: each goes through the assigning service."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from channels_inbox.models import Conversation, Priority
from guestview import bulk
from guestview import selectors as guest_selectors
from guestview import services as guest_services
from guestview.models import AlertKind
from guestview.services import AlertDraft
from kpi.models import EventKind
from kpi.services import KpiFact, kpi_events_record
from leads import sla
from leads.models import (
    Deadline,
    Escalation,
    ItemKind,
    Lead,
    LeadEvent,
    LeadEventKind,
    SlaBreach,
)

logger = logging.getLogger(__name__)

_REPLY = {Deadline.FIRST_RESPONSE, Deadline.NEXT_RESPONSE}
_RAISED = {
    Priority.LOW: Priority.MEDIUM,
    Priority.MEDIUM: Priority.HIGH,
    Priority.HIGH: Priority.CRITICAL,
    Priority.CRITICAL: Priority.CRITICAL,
}


@dataclass
class Item:
    kind: str
    pk: int
    label: str
    url: str
    property_id: int
    channel: str
    priority: str
    agent_id: int | None
    agent_user_id: int | None
    obj: object


def _items(keys) -> dict[tuple[str, int], Item]:
    """The conversations and leads behind clock rows: two queries, only the
    columns an alert or an escalation needs."""
    ids = defaultdict(set)
    for kind, item_id in keys:
        ids[kind].add(item_id)
    items = {}
    # reverse() once per kind, not per item (thousands in a burst).
    conversation_url = reverse("channels_inbox:conversation", args=[0]).replace("/0/", "/{}/")
    lead_url = reverse("leads:lead", args=[0]).replace("/0/", "/{}/")
    # The agent's user and the lead's channel as columns, not as joined
    # models: a burst builds thousands of these, and each model costs.
    conversations = (
        Conversation.objects.filter(pk__in=ids[ItemKind.CONVERSATION])
        .select_related("guest")
        .annotate(agent_user_id=F("assigned_to__user_id"))
        .only("pk", "property_id", "channel", "priority", "status", "language", "contact_key",
              "contact_name", "waiting_since", "sla_due_at", "assigned_to_id",
              "guest__first_name", "guest__last_name")
    )  # fmt: skip
    for c in conversations:
        items[(ItemKind.CONVERSATION, c.pk)] = Item(
            ItemKind.CONVERSATION, c.pk, c.display_name, conversation_url.format(c.pk),
            c.property_id, c.channel, c.priority, c.assigned_to_id, c.agent_user_id, c,
        )  # fmt: skip
    leads = (
        Lead.objects.filter(pk__in=ids[ItemKind.LEAD])
        .annotate(agent_user_id=F("assigned_to__user_id"), channel=F("source__channel"))
        .only("pk", "case_id", "name", "property_id", "priority", "assigned_to_id")
    )  # fmt: skip
    for lead in leads:
        items[(ItemKind.LEAD, lead.pk)] = Item(
            ItemKind.LEAD, lead.pk, f"{lead.case_id} {lead.name}", lead_url.format(lead.pk),
            lead.property_id, lead.channel, lead.priority, lead.assigned_to_id,
            lead.agent_user_id, lead,
        )  # fmt: skip
    return items


def _subject(kind, item_id, deadline, due_at: dt.datetime) -> str:
    return f"{kind}:{item_id}:{deadline}:{int(due_at.timestamp())}"


def warn(rows) -> None:
    """Clocks at their warning point: the agent who has the item hears it.
    Items nobody has are in the queue, ordered by that very deadline."""
    items = _items((kind, item_id) for kind, item_id, *_rest in rows)
    labels = sla.deadline_labels()
    drafts = []
    for kind, item_id, deadline, property_id, due_at in rows:
        item = items.get((kind, item_id))
        if item is None or item.agent_user_id is None:
            continue
        tz = sla.calendar_for(property_id).tz
        drafts.append(
            AlertDraft(
                item.agent_user_id,
                AlertKind.FOLLOW_UP if deadline == Deadline.FOLLOW_UP else AlertKind.SLA_WARNING,
                sla.describe(item.label, deadline, due_at, tz, labels=labels), item.url,
                property_id,
                _subject(kind, item_id, deadline, due_at),
            )
        )  # fmt: skip
    guest_services.alerts_send(drafts)


def breach(rows, *, now: dt.datetime) -> int:
    """Clocks past their deadline, claimed once: record, escalate, count a
    missed request. How many breaches were new."""
    items = _items((kind, item_id) for kind, item_id, *_rest in rows)
    breaches = sla.breach_rows(
        rows,
        channel_of={k: i.channel for k, i in items.items()},
        agent_of={k: i.agent_id for k, i in items.items()},
        now=now,
    )
    if not breaches:
        return 0
    supervisors = {
        pid: guest_selectors.supervisors_of_property(pid)
        for pid in {b.property_id for b in breaches}
    }
    policy_of = {(k, i, d, due): p for k, i, d, _prop, due, p in rows}
    labels = sla.deadline_labels()
    missed_title = _("Missed: %(what)s")
    drafts: list[AlertDraft] = []
    raise_items: list[Item] = []
    reassign: dict[int, list[tuple[Item, SlaBreach]]] = defaultdict(list)
    missed: list[Item] = []
    for b in breaches:
        item = items.get((b.item_kind, b.item_id))
        if item is None:
            continue
        tz = sla.calendar_for(b.property_id).tz
        what = sla.describe(item.label, b.deadline, b.due_at, tz, labels=labels)
        title = missed_title % {"what": what}
        subject = _subject(b.item_kind, b.item_id, b.deadline, b.due_at)
        drafts += [
            AlertDraft(u.pk, AlertKind.SLA_BREACH, title, item.url, b.property_id, subject)
            for u in supervisors[b.property_id]
        ]
        if b.escalation == Escalation.RAISE:
            raise_items.append(item)
        elif b.escalation == Escalation.REASSIGN:
            policy = sla.policy_by_id(policy_of[(b.item_kind, b.item_id, b.deadline, b.due_at)])
            if policy is not None and policy.escalation_team_id:
                reassign[policy.escalation_team_id].append((item, b))
        if b.item_kind == ItemKind.CONVERSATION and b.deadline in _REPLY:
            missed.append(item)
    # The history first: "missed (reassign)" reads before "assigned to …".
    _lead_events(breaches, items)
    _raise_priority(raise_items)
    drafts += _reassign(reassign)
    _record_missed(missed, now=now)
    guest_services.alerts_send(drafts)
    return len(breaches)


def _raise_priority(items: list[Item]) -> None:
    """One step up (critical stays critical), then the item's deadlines are
    planned again: targets are chosen per priority. The deadline that just
    breached keeps its breach (leads.sla.clocks_sync: same start, breached
    once), the others move to the new targets. Rows are locked and re-read:
    an inbound message may have changed the item since the claim."""
    from channels_inbox import live
    from channels_inbox.inbound import sla_plan_apply
    from leads import services

    pks = defaultdict(set)
    for item in items:
        if item.priority != Priority.CRITICAL:
            pks[item.kind].add(item.pk)
    plans = []
    if pks[ItemKind.CONVERSATION]:
        conversations = list(
            Conversation.objects.select_for_update(of=("self",))
            .filter(pk__in=pks[ItemKind.CONVERSATION])
            .exclude(priority=Priority.CRITICAL)
            .only("pk", "property_id", "status", "channel", "priority", "created_at",
                  "waiting_since", "first_response_at", "assigned_to_id")
            .order_by("pk")
        )  # fmt: skip
        fields = {"priority"}
        for conversation in conversations:
            conversation.priority = _RAISED[Priority(conversation.priority)]
            changed, plan = sla_plan_apply(conversation)
            fields |= changed
            plans.append(plan)
        bulk.update_many(Conversation, conversations, sorted(fields))
        live.conversations_changed(conversations)
    if pks[ItemKind.LEAD]:
        leads = list(
            Lead.objects.select_for_update(of=("self",))
            .filter(pk__in=pks[ItemKind.LEAD])
            .exclude(priority=Priority.CRITICAL)
            .select_related("source")
            .order_by("pk")
        )
        fields = {"priority"}
        for lead in leads:
            lead.priority = _RAISED[Priority(lead.priority)]
            plan = sla.lead_plan(lead)
            fields |= set(sla.lead_apply(lead, plan))
            plans.append(plan)
        bulk.update_many(Lead, leads, sorted(fields))
        services.leads_changed(leads)
    sla.clocks_sync(plans)


def _reassign(by_team: dict[int, list[tuple[Item, SlaBreach]]]) -> list[AlertDraft]:
    """Each item to the least-loaded online member of the policy's team who
    serves its hotel, not the agent who has it: the seats of automatic
    assignment (channels_inbox.routing: online agents of the hotel and their
    open conversations), a conversation never above its agent's capacity and
    to one who speaks the guest's language when a member does. Assigned
    through the services, in the name of the team's supervisor:
    conversation_transfer (assigned_at, the pushes, the assigner for the
    agent who is freed) and lead_assign (the history, the push). The member
    hears it, once per missed deadline. Items with nobody stay where they
    are: the supervisors heard of the breach anyway. Reassignments are rare
    (a policy that says so, a breach): one service call per item."""
    from channels_inbox import routing
    from leads import services
    from leads.models import Team

    if not by_team:
        return []
    drafts = []
    seats_of: dict[int, list] = {}  # property id → the hotel's seats, loads kept up to date
    teams = (
        Team.objects.filter(pk__in=list(by_team))
        .select_related("supervisor")
        .prefetch_related("members", "supervisor__groups")
    )
    handed: set[tuple[str, int]] = set()  # two deadlines of one item missed at once: one hand-over
    for team in teams:
        members = {m.pk for m in team.members.all()}
        for item, b in by_team[team.pk]:
            if (item.kind, item.pk) in handed:
                continue
            if item.property_id not in seats_of:
                seats_of[item.property_id] = routing.seats(item.property_id)
            seats = seats_of[item.property_id]
            seat = _least_loaded(
                [s for s in seats if s.agent.pk in members and s.agent.pk != item.agent_id], item
            )
            if seat is None:
                continue
            try:
                if item.kind == ItemKind.CONVERSATION:
                    routing.conversation_transfer(
                        conversation=item.obj, to=seat.agent, by=team.supervisor
                    )
                else:
                    services.lead_assign(lead=item.obj, agent=seat.agent, by=team.supervisor)
            except (ValidationError, PermissionDenied) as exc:
                # Closed meanwhile, or a team whose supervisor may not reassign.
                logger.warning("escalation of %s:%s to %s refused: %s", item.kind, item.pk,
                               seat.agent.pk, exc)  # fmt: skip
                continue
            handed.add((item.kind, item.pk))
            seat.load += 1
            previous = next((s for s in seats if s.agent.pk == item.agent_id), None)
            if previous is not None and item.kind == ItemKind.CONVERSATION:
                previous.load -= 1
            drafts.append(
                AlertDraft(
                    seat.agent.user_id, AlertKind.ESCALATION,
                    _("Escalated to you: %(item)s") % {"item": item.label}, item.url,
                    item.property_id,
                    # Once per missed deadline: the next one escalates again.
                    "escalation:" + _subject(b.item_kind, b.item_id, b.deadline, b.due_at),
                )
            )  # fmt: skip
    return drafts


def _least_loaded(seats: list, item: Item):
    """The seat with the least load for its capacity; for a conversation one
    with room left, who speaks the guest's language if any does."""
    if item.kind == ItemKind.CONVERSATION:
        seats = [s for s in seats if s.free > 0]
        language = item.obj.language
        speakers = [s for s in seats if language in s.languages]
        seats = speakers or seats
    if not seats:
        return None
    return min(seats, key=lambda s: (s.load / max(s.agent.capacity, 1), s.agent.pk))


def _record_missed(items: list[Item], *, now: dt.datetime) -> None:
    """A guest message nobody answered within its SLA is a missed request:
    marked on the conversation (once per unanswered stretch) and counted."""
    if not items:
        return
    ids = [i.pk for i in items]
    Conversation.objects.filter(pk__in=ids, missed_at__isnull=True).update(missed_at=now)
    kpi_events_record(
        KpiFact(
            kind=EventKind.MISSED,
            at=i.obj.sla_due_at or now,
            property=i.property_id,
            channel=i.channel,
            agent=i.agent_id,
            # Once per unanswered stretch: the stretch starts at waiting_since.
            subject=f"conversation:{i.pk}:{_stamp(i.obj.waiting_since)}",
        )
        for i in items
    )


def _stamp(at: dt.datetime | None) -> int:
    return int(at.timestamp()) if at else 0


def _lead_events(breaches, items) -> None:
    LeadEvent.objects.bulk_create(
        LeadEvent(
            lead_id=b.item_id,
            kind=LeadEventKind.ESCALATED,
            text=_("%(deadline)s missed (%(action)s)")
            % {
                "deadline": sla.deadline_label(b.deadline),
                "action": Escalation(b.escalation).label,
            },
        )
        for b in breaches
        if b.item_kind == ItemKind.LEAD and (b.item_kind, b.item_id) in items
    )
