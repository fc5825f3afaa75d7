"""What the SLA scan does with the clocks it claimed (leads.sla.sla_scan):
warn the agent who has the item, and for a breach record it and run the
policy's escalation — notify the hotel's supervisors, raise the priority, or
hand the item to the least-loaded online member of the policy's team. A
missed reply of a conversation is a missed request (kpi).

Everything is done per batch, not per item: a busy evening can breach a few
thousand items in one minute (make bench-sla)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from channels_inbox.models import PRIORITY_RANK, Conversation, Priority
from guestview import selectors as guest_selectors
from guestview import services as guest_services
from guestview.models import AgentStatus, AlertKind
from guestview.services import AlertDraft
from kpi.models import EventKind
from kpi.services import KpiFact, kpi_events_record
from leads import sla
from leads.models import Deadline, Escalation, ItemKind, Lead, LeadEvent, LeadEventKind

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
    conversations = (
        Conversation.objects.filter(pk__in=ids[ItemKind.CONVERSATION])
        .select_related("assigned_to", "guest")
        .only("pk", "property_id", "channel", "priority", "contact_key", "contact_name",
              "waiting_since", "sla_due_at", "assigned_to__user_id", "guest__first_name",
              "guest__last_name")
    )  # fmt: skip
    for c in conversations:
        items[(ItemKind.CONVERSATION, c.pk)] = Item(
            ItemKind.CONVERSATION, c.pk, c.display_name, conversation_url.format(c.pk),
            c.property_id, c.channel, c.priority, c.assigned_to_id,
            c.assigned_to.user_id if c.assigned_to_id else None, c,
        )  # fmt: skip
    leads = (
        Lead.objects.filter(pk__in=ids[ItemKind.LEAD])
        .select_related("assigned_to", "source")
        .only("pk", "case_id", "name", "property_id", "priority", "source__channel",
              "assigned_to__user_id")
    )  # fmt: skip
    for lead in leads:
        items[(ItemKind.LEAD, lead.pk)] = Item(
            ItemKind.LEAD, lead.pk, f"{lead.case_id} {lead.name}", lead_url.format(lead.pk),
            lead.property_id, lead.source.channel, lead.priority, lead.assigned_to_id,
            lead.assigned_to.user_id if lead.assigned_to_id else None, lead,
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
    reassign: dict[int, list[Item]] = defaultdict(list)
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
                reassign[policy.escalation_team_id].append(item)
        if b.item_kind == ItemKind.CONVERSATION and b.deadline in _REPLY:
            missed.append(item)
    _raise_priority(raise_items)
    drafts += _reassign(reassign)
    _record_missed(missed, now=now)
    guest_services.alerts_send(drafts)
    _lead_events(breaches, items)
    return len(breaches)


def _raise_priority(items: list[Item]) -> None:
    from channels_inbox import live

    for kind, model in ((ItemKind.CONVERSATION, Conversation), (ItemKind.LEAD, Lead)):
        by_new = defaultdict(list)
        for item in items:
            if item.kind == kind and PRIORITY_RANK[Priority(item.priority)] > 0:
                by_new[_RAISED[Priority(item.priority)]].append(item.pk)
        for priority, pks in by_new.items():
            model.objects.filter(pk__in=pks).update(priority=priority)
    changed = [i.obj for i in items if i.kind == ItemKind.CONVERSATION]
    live.conversations_changed(changed)


def _reassign(by_team: dict[int, list[Item]]) -> list[AlertDraft]:
    """Each item to the least-loaded online member of the team who serves
    its hotel; the member hears it. Items with nobody online stay."""
    from channels_inbox import live
    from leads.models import Team

    drafts = []
    for team in Team.objects.filter(pk__in=list(by_team)).prefetch_related("members__user"):
        members = [m for m in team.members.all() if m.status == AgentStatus.ONLINE]
        load = dict(
            Conversation.objects.open()
            .filter(assigned_to__in=members)
            .values_list("assigned_to")
            .annotate(n=Count("id"))
        )
        for item in by_team[team.pk]:
            serving = [
                m for m in members
                if item.property_id in guest_selectors.visible_property_ids(m.user)
            ]  # fmt: skip
            if not serving:
                continue
            member = min(serving, key=lambda m: (load.get(m.pk, 0), m.pk))
            load[member.pk] = load.get(member.pk, 0) + 1
            model = Conversation if item.kind == ItemKind.CONVERSATION else Lead
            model.objects.filter(pk=item.pk).update(assigned_to=member)
            item.obj.assigned_to_id = member.pk
            if item.kind == ItemKind.CONVERSATION:
                live.conversation_changed(item.obj)
                live.agent_assigned(item.obj)
            drafts.append(
                AlertDraft(
                    member.user_id, AlertKind.ESCALATION,
                    _("Escalated to you: %(item)s") % {"item": item.label}, item.url,
                    item.property_id, f"escalation:{item.kind}:{item.pk}",
                )
            )  # fmt: skip
    return drafts


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
