"""The WhatsApp and Meta doors: verify, store, answer; then processing turns
stored bodies into conversations. HTTP to Meta is not involved here."""

import json
from datetime import timedelta

import pytest
import time_machine

from channels_inbox import inbound
from channels_inbox.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    InboundPayload,
    Message,
    PayloadStatus,
)
from guestview.models import ContactKind, Guest
from guestview.selectors import guests_for_caller
from kpi.models import EventKind, KpiEvent
from tests.channels_inbox import meta_payloads as mp
from tests.factories import ContactPointFactory, GuestFactory

pytestmark = pytest.mark.django_db

WA_URL = "/webhooks/whatsapp"
META_URL = "/webhooks/meta"


def post(client, url, body, **extra):
    raw, headers = mp.signed(body)
    return client.post(url, raw, content_type="application/json", **{**headers, **extra})


def deliver(client, body, url=WA_URL):
    """Post a signed body and process what was stored, as the worker would."""
    response = post(client, url, body)
    assert response.status_code == 200, response.content
    return inbound.inbound_process(payload_id=response.json()["stored"])


# --- the door ------------------------------------------------------------------------


def test_it_answers_the_handshake_with_the_challenge(client, wa_account):
    response = client.get(
        WA_URL,
        {
            "hub.mode": "subscribe",
            "hub.verify_token": mp.VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"


def test_it_refuses_the_handshake_with_a_wrong_token(client, wa_account):
    response = client.get(
        WA_URL, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    )
    assert response.status_code == 403


def test_it_rejects_a_body_signed_with_another_secret(client, wa_account):
    raw, headers = mp.signed(mp.wa_text("Merhaba"), secret="not-the-app-secret")
    response = client.post(WA_URL, raw, content_type="application/json", **headers)
    assert response.status_code == 403
    assert not InboundPayload.objects.exists()


def test_it_rejects_a_body_without_a_signature(client, wa_account):
    response = client.post(
        WA_URL, json.dumps(mp.wa_text("Merhaba")), content_type="application/json"
    )
    assert response.status_code == 403
    assert not InboundPayload.objects.exists()


def test_it_stores_a_signed_body_and_answers_at_once(client, wa_account):
    response = post(client, WA_URL, mp.wa_text("Merhaba"))
    assert response.status_code == 200
    payload = InboundPayload.objects.get(pk=response.json()["stored"])
    assert payload.status == PayloadStatus.PENDING
    assert json.loads(payload.body)["object"] == "whatsapp_business_account"
    assert not Message.objects.exists()  # processing is the worker's job


def test_malformed_json_is_kept_and_answered_400(client, wa_account):
    response = post(client, WA_URL, b'{"object": "whatsapp_business_account", "entry": [')
    assert response.status_code == 400
    assert "Malformed payload" in response.json()["error"]
    kept = InboundPayload.objects.get()
    assert kept.status == PayloadStatus.REJECTED
    assert kept.body.startswith('{"object"')


def test_a_body_of_another_shape_is_400(client, wa_account):
    response = post(client, WA_URL, {"object": "page", "entry": []})
    assert response.status_code == 400
    assert "object" in response.json()["error"]


def test_a_message_missing_its_sender_is_rejected_when_processed(client, wa_account):
    body = mp.wa_text("Merhaba")
    del body["entry"][0]["changes"][0]["value"]["messages"][0]["from"]
    payload = deliver(client, body)
    assert payload.status == PayloadStatus.REJECTED
    assert "messages[0].from is missing" in payload.error


# --- one guest, one thread -------------------------------------------------------------


def test_a_message_from_a_known_number_joins_the_guests_profile(client, wa_account, hotel_a):
    ahmet = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    ContactPointFactory(guest=ahmet, raw_value="0532 123 45 67")
    deliver(client, mp.wa_text("Yarın için deniz manzaralı oda var mı?", wa_id="905321234567"))

    conversation = Conversation.objects.get()
    assert conversation.guest == ahmet
    assert conversation.contact_key == "+905321234567"
    assert conversation.property == hotel_a
    assert conversation.language == "tr"
    assert conversation.priority == "high"
    assert conversation.waiting_since is not None and conversation.sla_due_at is not None
    message = conversation.messages.get()
    assert message.direction == Direction.IN
    assert message.text == "Yarın için deniz manzaralı oda var mı?"
    assert KpiEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED).count() == 1


def test_a_duplicate_delivery_makes_one_message(client, wa_account):
    body = mp.wa_text("Hello, is breakfast included?", wamid="wamid.DUPLICATE1")
    deliver(client, body)
    second = deliver(client, body)
    assert second.status == PayloadStatus.PROCESSED
    assert Message.objects.count() == 1
    assert InboundPayload.objects.count() == 2  # both deliveries kept


def test_a_second_message_joins_the_open_conversation(client, wa_account):
    deliver(client, mp.wa_text("Hallo", wa_id="4915123456789", name="Hans Müller"))
    deliver(client, mp.wa_text("Ist morgen ein Zimmer frei?", wa_id="4915123456789"))
    conversation = Conversation.objects.get()
    assert conversation.messages.count() == 2
    assert conversation.priority == "high"  # raised by the second message


def test_an_unknown_sender_becomes_a_guest_whose_call_pops_their_card(client, wa_account, hotel_a):
    deliver(client, mp.wa_text("Здравствуйте", wa_id="79161234567", name="Иван Петров"))
    guest = Guest.objects.get()
    assert guest.full_name == "Иван Петров"
    assert guest.contact_points.get().kind == ContactKind.WHATSAPP
    # The same person calls: the screen-pop finds the same profile.
    assert guests_for_caller("+79161234567", property_ids=[hotel_a.pk]) == [guest]


def test_a_family_phone_is_left_for_the_agent_to_pick(client, wa_account, hotel_a):
    for first in ("Ahmet", "Ayşe"):
        guest = GuestFactory(property=hotel_a, first_name=first, last_name="Yılmaz")
        ContactPointFactory(guest=guest, raw_value="0532 123 45 67")
    deliver(client, mp.wa_text("Merhaba"))
    assert Conversation.objects.get().guest is None
    assert Guest.objects.count() == 2


def test_attachments_locations_and_buttons_are_kept_as_metadata(client, wa_account):
    deliver(
        client,
        mp.wa_message(
            {
                "id": "wamid.IMG",
                "type": "image",
                "image": {
                    "caption": "Pasaport değil, oda fotoğrafı",
                    "mime_type": "image/jpeg",
                    "sha256": "abc",
                    "id": "1479537139650973",
                },
            }
        ),
    )
    deliver(
        client,
        mp.wa_message(
            {
                "id": "wamid.LOC",
                "type": "location",
                "location": {"latitude": 36.86, "longitude": 31.05, "name": "Belek"},
            }
        ),
    )
    deliver(
        client,
        mp.wa_message(
            {
                "id": "wamid.BTN",
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "opt-1", "title": "Option 1"},
                },
            }
        ),
    )
    by_id = {m.external_id: m for m in Message.objects.all()}
    assert by_id["wamid.IMG"].kind == "image"
    assert by_id["wamid.IMG"].attachments[0]["id"] == "1479537139650973"
    assert by_id["wamid.LOC"].attachments[0]["latitude"] == 36.86
    assert by_id["wamid.BTN"].text == "Option 1"


# --- statuses --------------------------------------------------------------------------


def _sent_message(conversation, wamid):
    return Message.objects.create(
        conversation=conversation,
        account=conversation.account,
        direction=Direction.OUT,
        external_id=wamid,
        text="Tabii, iki seçenek gönderiyorum.",
        status=DeliveryStatus.SENT,
    )


def test_statuses_out_of_order_never_go_back(client, wa_account):
    deliver(client, mp.wa_text("Merhaba"))
    sent = _sent_message(Conversation.objects.get(), "wamid.OUT1")
    deliver(client, mp.wa_status("wamid.OUT1", "read"))
    deliver(client, mp.wa_status("wamid.OUT1", "delivered"))
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.READ


def test_a_failed_status_keeps_the_reason(client, wa_account):
    deliver(client, mp.wa_text("Merhaba"))
    sent = _sent_message(Conversation.objects.get(), "wamid.OUT2")
    deliver(
        client,
        mp.wa_status(
            "wamid.OUT2",
            "failed",
            errors=[
                {
                    "code": 131047,
                    "title": "Re-engagement message",
                    "error_data": {
                        "details": "Message failed to send because more than 24 hours have passed"
                    },
                }
            ],
        ),
    )
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.FAILED
    assert "131047" in sent.error and "24 hours" in sent.error


def test_a_status_before_its_message_waits_for_the_sweeper(client, wa_account):
    deliver(client, mp.wa_text("Merhaba"))
    early = deliver(client, mp.wa_status("wamid.LATE", "delivered"))
    assert early.status == PayloadStatus.PENDING
    assert early.retry_at > early.received_at  # not taken again at once
    assert inbound.inbound_sweep(older_than_seconds=0) == []
    _sent_message(Conversation.objects.get(), "wamid.LATE")
    with time_machine.travel(early.retry_at + timedelta(seconds=1)):
        assert inbound.inbound_sweep() == [early.pk]
        inbound.inbound_drain()
    early.refresh_from_db()
    assert early.status == PayloadStatus.PROCESSED
    assert Message.objects.get(external_id="wamid.LATE").status == DeliveryStatus.DELIVERED


def test_a_status_that_never_finds_its_message_fails_after_five_attempts(client, wa_account):
    early = deliver(client, mp.wa_status("wamid.NEVER", "delivered"))
    for _attempt in range(4):
        with time_machine.travel(early.retry_at + timedelta(seconds=1)):
            inbound.inbound_drain()
        early.refresh_from_db()
    assert early.status == PayloadStatus.FAILED
    assert early.attempts == 5 and "wamid.NEVER" in early.error


# --- Instagram and Messenger ------------------------------------------------------------


def test_an_instagram_dm_opens_a_conversation(client, ig_account):
    deliver(client, mp.instagram_text("Hi! Do you have a family room in August?"), url=META_URL)
    conversation = Conversation.objects.get()
    assert conversation.channel == "instagram"
    assert conversation.contact_key == "1143546479620573"
    assert conversation.language == "en"
    assert conversation.guest is None  # a display name is not enough to make a guest


def test_an_instagram_echo_is_our_side_of_the_thread(client, ig_account):
    deliver(client, mp.instagram_text("Merhaba, fiyat alabilir miyim?"), url=META_URL)
    deliver(client, mp.instagram_text("Tabii, tarihleriniz nedir?", echo=True), url=META_URL)
    conversation = Conversation.objects.get()
    assert [m.direction for m in conversation.messages.order_by("id")] == ["in", "out"]
    assert conversation.waiting_since is None  # answered from the Instagram app


def test_a_messenger_delivery_updates_our_message(client, messenger_account):
    conversation = Conversation.objects.create(
        property=messenger_account.property,
        account=messenger_account,
        channel="messenger",
        contact_key="6913412045430120",
    )
    sent = _sent_message(
        conversation,
        "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",
    )
    deliver(client, mp.messenger_delivery([sent.external_id]), url=META_URL)
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.DELIVERED


def test_the_meta_door_checks_the_signature_too(client, ig_account):
    raw, headers = mp.signed(mp.instagram_text("hi"), secret="wrong")
    assert client.post(META_URL, raw, content_type="application/json", **headers).status_code == 403


def test_a_get_on_the_stored_door_never_500s(client):
    assert client.get(WA_URL).status_code == 403
    assert client.put(WA_URL).status_code == 405
