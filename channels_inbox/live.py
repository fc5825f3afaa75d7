"""Live updates of the inbox to open consoles (the SSE stream of guestview):
after commit, the hotel's staff hear that the queue changed, and a console
showing a conversation hears that its thread changed. Best effort, like the
screen-pop: the pages re-read the database when they hear it, and again when
the stream reconnects, so a lost push delays an update but loses nothing."""

from __future__ import annotations

import json

from django.db import transaction

from guestview import push


def conversation_changed(conversation, *, new_message: bool = False) -> None:
    conversations_changed([conversation], new_message=new_message)


def conversations_changed(conversations, *, new_message: bool = False) -> None:
    """The queue and each conversation's page hear it, in one round trip."""
    events = []
    for conversation in conversations:
        data = json.dumps(
            {
                "conversation": conversation.pk,
                "assigned_to": conversation.assigned_to_id,
                "new_message": new_message,
            }
        )
        events.append((conversation.property_id, "queue", data))
        events.append((conversation.property_id, f"conversation-{conversation.pk}", data))
    if events:
        transaction.on_commit(lambda: push.publish_many_to_properties(events), robust=True)


def message_status_changed(message) -> None:
    conversation = message.conversation
    data = json.dumps({"conversation": conversation.pk, "message": message.pk})
    property_id, pk = conversation.property_id, conversation.pk
    transaction.on_commit(
        lambda: push.publish_to_property(property_id, event=f"conversation-{pk}", html=data),
        robust=True,
    )


def agent_assigned(conversation) -> None:
    """The agent who just got a conversation hears it on their own channel."""
    agent_id = conversation.assigned_to_id
    if agent_id is None:
        return
    data = json.dumps({"conversation": conversation.pk})
    transaction.on_commit(lambda: push.publish(agent_id, event="assigned", html=data), robust=True)
