"""Booking.com messages: pulled, stored, then confirmed; replies posted into
the reservation's conversation. Booking.com's API is replaced at the HTTP
boundary by respx, answering with a body in its documented shape."""

import json
from pathlib import Path

import httpx
import pytest
import respx

from channels_inbox import inbound, services
from channels_inbox.channels import booking
from channels_inbox.channels.base import SendError
from channels_inbox.models import (
    ChannelAccount,
    ChannelKind,
    Conversation,
    DeliveryStatus,
    InboundPayload,
    Message,
    PayloadStatus,
)

pytestmark = pytest.mark.django_db

API = "https://supply-xml.test"
LATEST = json.loads((Path(__file__).parent / "payloads/booking/messages_latest.json").read_text())
EMPTY = {"meta": {"ruid": "x"}, "warnings": [], "data": {"messages": [], "number_of_messages": 0}}


@pytest.fixture
def booking_account(hotel_a):
    return ChannelAccount.objects.create(
        property=hotel_a,
        kind=ChannelKind.BOOKING,
        name="Hotel A on Booking.com",
        external_id="2098153",
        access_token="machine-account:s3cret",
        api_base_url=API,
    )


def mock_queue(router, *answers):
    latest = router.get(f"{API}/messaging/messages/latest").mock(
        side_effect=[httpx.Response(200, json=a) for a in answers]
    )
    confirm = router.put(f"{API}/messaging/messages").mock(
        return_value=httpx.Response(200, json={"meta": {}, "warnings": [], "data": {}})
    )
    return latest, confirm


@respx.mock
def test_it_stores_the_messages_then_confirms_them(booking_account):
    latest, confirm = mock_queue(respx, LATEST, EMPTY)
    assert booking.pull(booking_account) == 2  # fewer than 100: the queue is empty now
    stored = InboundPayload.objects.get()
    assert stored.source == "booking" and stored.account == booking_account
    assert json.loads(confirm.calls.last.request.content) == {"number_of_messages": 2}
    # Basic auth with the machine account.
    assert latest.calls.last.request.headers["Authorization"].startswith("Basic ")


@respx.mock
def test_processing_opens_the_reservations_conversation(booking_account):
    mock_queue(respx, LATEST, EMPTY)
    booking.pull(booking_account)
    inbound.inbound_process(payload_id=InboundPayload.objects.get().pk)
    conversation = Conversation.objects.get()
    assert conversation.channel == "booking"
    assert conversation.contact_key == "booking:3812391309"
    assert conversation.contact_name == "Sophie Wagner"
    assert conversation.external_thread_id == "f3a9c29d-480d-5f5b-a6c0-65451e335353"
    assert conversation.language == "de"
    # The property's answer from the extranet is our side of the thread.
    assert [m.direction for m in conversation.messages.order_by("sent_at")] == ["in", "out"]
    assert conversation.waiting_since is None


@respx.mock
def test_a_message_delivered_again_is_one_message(booking_account):
    mock_queue(respx, LATEST, LATEST)  # the confirmation was lost: delivered twice
    booking.pull(booking_account)
    booking.pull(booking_account)
    for payload in InboundPayload.objects.all():
        inbound.inbound_process(payload_id=payload.pk)
    assert Message.objects.count() == 2
    assert InboundPayload.objects.filter(status=PayloadStatus.PROCESSED).count() == 2


@respx.mock
def test_an_unreachable_api_stores_and_confirms_nothing(booking_account):
    respx.get(f"{API}/messaging/messages/latest").mock(side_effect=httpx.ConnectError)
    confirm = respx.put(f"{API}/messaging/messages")
    with pytest.raises(SendError) as failed:
        booking.pull(booking_account)
    assert failed.value.retry
    assert not InboundPayload.objects.exists()
    assert not confirm.called


def test_a_body_of_another_shape_is_rejected(booking_account):
    payload = inbound.inbound_store(
        source="booking", body=json.dumps({"data": {"messages": [{"content": "hi"}]}}),
        account=booking_account,
    )  # fmt: skip
    inbound.inbound_process(payload_id=payload.pk)
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.REJECTED
    assert "data.messages[0].message_id is missing" in payload.error


@respx.mock
def test_a_reply_is_posted_into_the_reservations_conversation(booking_account, alice):
    mock_queue(respx, LATEST, EMPTY)
    booking.pull(booking_account)
    inbound.inbound_process(payload_id=InboundPayload.objects.get().pk)
    conversation = Conversation.objects.get()
    url = f"{API}/messaging/properties/2098153/conversations/{conversation.external_thread_id}"
    route = respx.post(url).mock(
        return_value=httpx.Response(
            200, json={"meta": {}, "warnings": [], "data": {"message_id": "8e1f0a2c-reply"}}
        )
    )
    message = services.message_send(
        conversation=conversation, author=alice, text="Ja, ab 10 Uhr ist Ihr Zimmer bereit."
    )
    services.message_deliver(message=message)
    assert json.loads(route.calls.last.request.content) == {
        "message": {"content": "Ja, ab 10 Uhr ist Ihr Zimmer bereit."}
    }
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.external_id == "8e1f0a2c-reply"
