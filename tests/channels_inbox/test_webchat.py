"""The web chat door: start with consent, send, fetch replies; CORS for the
hotel's own sites only; rate limits; nothing of the agents' notes leaks."""

import uuid

import pytest

from channels_inbox import services
from channels_inbox.models import ChannelAccount, ChannelKind, Conversation, Message
from guestview.models import AgentStatus
from guestview.services import agent_set_status

pytestmark = pytest.mark.django_db

SITE = "https://www.hotel-a.example"


@pytest.fixture
def client():
    """Each test from an address of its own: the rate limits count per
    address and minute in the shared cache."""
    from django.test import Client

    return Client(REMOTE_ADDR=f"fd00::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}")


@pytest.fixture
def chat(hotel_a):
    return ChannelAccount.objects.create(
        property=hotel_a,
        kind=ChannelKind.WEBCHAT,
        name="Hotel A web chat",
        external_id=f"widget-{uuid.uuid4().hex[:8]}",  # the cache's rate keys differ per test
        allowed_origins=f"{SITE}\nhttps://hotel-a.example",
    )


def start(client, chat, **overrides):
    body = {"name": "Sophie Wagner", "contact": "sophie@example.de", "consent": True, **overrides}
    return client.post(
        f"/webchat/{chat.external_id}/start", body, content_type="application/json",
        HTTP_ORIGIN=SITE,
    )  # fmt: skip


def send(client, chat, token, text, client_id="c1"):
    return client.post(
        f"/webchat/{chat.external_id}/messages", {"text": text, "client_id": client_id},
        content_type="application/json", HTTP_X_WEBCHAT_TOKEN=token, HTTP_ORIGIN=SITE,
    )  # fmt: skip


def fetch(client, chat, token, after=0):
    return client.get(
        f"/webchat/{chat.external_id}/messages", {"after": after},
        HTTP_X_WEBCHAT_TOKEN=token, HTTP_ORIGIN=SITE,
    ).json()  # fmt: skip


def test_it_needs_consent_to_start_and_names_the_field(client, chat):
    response = start(client, chat, consent=False)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"consent"}
    assert start(client, chat, contact="not a contact").json()["errors"].keys() == {"contact"}


def test_a_message_opens_a_conversation_on_the_hotels_queue(client, chat, hotel_a):
    token = start(client, chat).json()["token"]
    assert send(client, chat, token, "Hallo, ist morgen ein Zimmer frei?").status_code == 202
    conversation = Conversation.objects.get()
    assert conversation.property == hotel_a and conversation.channel == "webchat"
    assert conversation.contact_key == "sophie@example.de"
    assert conversation.guest.full_name == "Sophie Wagner"  # an e-mail and a name: a guest
    assert conversation.priority == "high"


def test_a_retried_send_is_one_message(client, chat):
    token = start(client, chat).json()["token"]
    send(client, chat, token, "Merhaba", client_id="same")
    send(client, chat, token, "Merhaba", client_id="same")
    assert Message.objects.count() == 1


def test_the_visitor_sees_replies_but_never_notes(client, chat, alice):
    token = start(client, chat).json()["token"]
    send(client, chat, token, "Is breakfast included?")
    conversation = Conversation.objects.get()
    services.conversation_note_add(conversation=conversation, author=alice, text="VIP, be quick")
    reply = services.message_send(conversation=conversation, author=alice, text="Yes, it is!")
    services.message_deliver(message=reply)
    seen = fetch(client, chat, token)["messages"]
    assert [(m["from"], m["text"]) for m in seen] == [
        ("guest", "Is breakfast included?"), ("hotel", "Yes, it is!"),
    ]  # fmt: skip
    assert fetch(client, chat, token, after=seen[0]["id"])["messages"][0]["text"] == "Yes, it is!"


def test_it_says_whether_anyone_is_online(client, chat, alice):
    token = start(client, chat).json()["token"]
    assert fetch(client, chat, token)["online"] is False
    agent_set_status(agent=alice.agent_profile, status=AgentStatus.ONLINE)
    assert fetch(client, chat, token)["online"] is True


def test_a_wrong_token_is_refused(client, chat):
    start(client, chat)
    assert send(client, chat, "guessed", "hi").status_code == 403


@pytest.fixture
def own_minute():
    """The limits count per minute in Redis, shared by the test workers: each
    rate test gets a minute of its own, from its start to its end."""
    import datetime as dt
    import random

    import time_machine

    minute = dt.datetime(2031, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=random.randrange(10**6))
    with time_machine.travel(minute + dt.timedelta(seconds=5), tick=False):
        yield


def test_too_many_messages_get_429(client, chat, settings, own_minute):
    settings.WEBCHAT_RATE_PER_MINUTE = 3
    token = start(client, chat).json()["token"]
    codes = [send(client, chat, token, f"msg {i}", client_id=str(i)).status_code for i in range(5)]
    assert codes == [202, 202, 202, 429, 429]


def test_one_address_gets_room_for_several_visitors_but_not_a_flood(
    client, chat, settings, own_minute
):
    settings.WEBCHAT_RATE_PER_MINUTE = 2
    address = f"fd01::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    codes = []
    for visitor in range(7):
        token = start(client, chat, contact=f"guest{visitor}@example.com").json()["token"]
        for i in range(2):
            codes.append(client.post(
                f"/webchat/{chat.external_id}/messages", {"text": f"hi {i}", "client_id": str(i)},
                content_type="application/json", HTTP_X_WEBCHAT_TOKEN=token, REMOTE_ADDR=address,
            ).status_code)  # fmt: skip
    assert codes.count(202) == 10  # five visitors' worth from one address
    assert codes[10:] == [429] * 4


def test_cors_is_for_the_hotels_sites_only(client, chat):
    url = f"/webchat/{chat.external_id}/start"
    allowed = client.options(url, HTTP_ORIGIN=SITE)
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == SITE
    other = client.options(url, HTTP_ORIGIN="https://evil.example")
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other


def test_an_unknown_widget_is_404(client):
    assert (
        client.post("/webchat/nope/start", {}, content_type="application/json").status_code == 404
    )


def test_an_empty_message_is_400(client, chat):
    token = start(client, chat).json()["token"]
    assert send(client, chat, token, "   ").status_code == 400
