"""Replies leave through the channel's API (replaced here at the HTTP
boundary by respx, answering in Meta's documented shapes)."""

import json
from datetime import timedelta

import httpx
import pytest
import respx
from django.core.exceptions import ValidationError
from django.utils import timezone

from channels_inbox import inbound, services
from channels_inbox.channels.base import SendError
from channels_inbox.models import (
    CannedReply,
    Conversation,
    DeliveryStatus,
    Message,
    WhatsAppTemplate,
)
from kpi.models import EventKind, KpiEvent
from tests.channels_inbox import meta_payloads as mp
from tests.channels_inbox.conftest import GRAPH

pytestmark = pytest.mark.django_db


@pytest.fixture
def wa_conversation(client, wa_account):
    raw, headers = mp.signed(mp.wa_text("Merhaba, 3 gece için fiyat alabilir miyim?"))
    stored = client.post("/webhooks/whatsapp", raw, content_type="application/json", **headers)
    inbound.inbound_process(payload_id=stored.json()["stored"])
    return Conversation.objects.get()


def graph_answer(wamid="wamid.HBgLOUT"):
    return httpx.Response(
        200,
        json={
            "messaging_product": "whatsapp",
            "contacts": [{"input": "905321234567", "wa_id": "905321234567"}],
            "messages": [{"id": wamid}],
        },
    )


@respx.mock
def test_a_reply_is_posted_to_the_cloud_api_with_the_documented_body(wa_conversation, alice):
    route = respx.post(f"{GRAPH}/{mp.PHONE_NUMBER_ID}/messages").mock(return_value=graph_answer())
    message = services.message_send(conversation=wa_conversation, author=alice, text="Tabii!")
    assert message.status == DeliveryStatus.QUEUED
    services.message_deliver(message=message)

    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer EAAG-test-token"
    assert json.loads(request.content) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "905321234567",
        "type": "text",
        "text": {"preview_url": False, "body": "Tabii!"},
    }
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.external_id == "wamid.HBgLOUT"


def test_the_first_reply_is_a_kpi_event_once(wa_conversation, alice):
    services.message_send(conversation=wa_conversation, author=alice, text="Merhaba!")
    services.message_send(conversation=wa_conversation, author=alice, text="Size yardımcı olayım.")
    assert KpiEvent.objects.filter(kind=EventKind.FIRST_RESPONSE).count() == 1
    assert KpiEvent.objects.filter(kind=EventKind.REPLY).count() == 2
    wa_conversation.refresh_from_db()
    assert wa_conversation.waiting_since is None and wa_conversation.sla_due_at is None


def test_free_text_is_refused_after_24_hours_and_says_why(wa_conversation, alice):
    Conversation.objects.filter(pk=wa_conversation.pk).update(
        last_inbound_at=timezone.now() - timedelta(hours=25)
    )
    wa_conversation.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.message_send(conversation=wa_conversation, author=alice, text="Hello again")
    assert "24" in refused.value.messages[0]  # "… 24 saatten fazla …" (the console is Turkish)
    assert not Message.objects.filter(direction="out").exists()


@respx.mock
def test_an_approved_template_goes_out_after_24_hours(wa_conversation, wa_account, alice):
    Conversation.objects.filter(pk=wa_conversation.pk).update(
        last_inbound_at=timezone.now() - timedelta(days=3)
    )
    wa_conversation.refresh_from_db()
    template = WhatsAppTemplate.objects.create(
        account=wa_account,
        name="options_follow_up",
        language="tr",
        is_approved=True,
        body="Merhaba {{1}},\nSeçenekleriniz hazır.\nSize uygun bir saatte arayalım mı?",
    )
    route = respx.post(f"{GRAPH}/{mp.PHONE_NUMBER_ID}/messages").mock(return_value=graph_answer())
    message = services.message_send(conversation=wa_conversation, author=alice, template=template)
    services.message_deliver(message=message)
    sent = json.loads(route.calls.last.request.content)
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "options_follow_up"
    assert sent["template"]["language"] == {"code": "tr"}
    assert sent["template"]["components"][0]["parameters"] == [{"type": "text", "text": "Ahmet"}]
    assert message.text.startswith("Merhaba Ahmet,")


def test_an_unapproved_template_is_refused(wa_conversation, wa_account, alice):
    template = WhatsAppTemplate.objects.create(
        account=wa_account, name="draft", language="tr", body="x", is_approved=False
    )
    with pytest.raises(ValidationError):
        services.message_send(conversation=wa_conversation, author=alice, template=template)


@respx.mock
def test_a_server_error_is_retried_and_a_client_error_is_final(wa_conversation, alice, settings):
    route = respx.post(f"{GRAPH}/{mp.PHONE_NUMBER_ID}/messages")
    route.mock(return_value=httpx.Response(503, json={"error": {"message": "busy"}}))
    message = services.message_send(conversation=wa_conversation, author=alice, text="Merhaba")
    with pytest.raises(SendError) as busy:
        services.message_deliver(message=message)
    assert busy.value.retry
    message.refresh_from_db()
    assert message.status == DeliveryStatus.QUEUED

    route.mock(
        return_value=httpx.Response(
            400,
            json={
                "error": {
                    "message": "(#131030) Recipient phone number not in allowed list",
                    "code": 131030,
                }
            },
        )
    )
    services.message_deliver(message=message)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert "131030" in message.error


@respx.mock
def test_a_timeout_is_retried(wa_conversation, alice):
    respx.post(f"{GRAPH}/{mp.PHONE_NUMBER_ID}/messages").mock(side_effect=httpx.ConnectTimeout)
    message = services.message_send(conversation=wa_conversation, author=alice, text="Merhaba")
    with pytest.raises(SendError) as timed_out:
        services.message_deliver(message=message)
    assert timed_out.value.retry


@respx.mock
def test_an_instagram_reply_uses_the_send_api(client, ig_account, alice):
    raw, headers = mp.signed(mp.instagram_text("Hi, is the spa open in winter?"))
    stored = client.post("/webhooks/meta", raw, content_type="application/json", **headers)
    inbound.inbound_process(payload_id=stored.json()["stored"])
    conversation = Conversation.objects.get()
    route = respx.post(f"{GRAPH}/{mp.IG_ACCOUNT_ID}/messages").mock(
        return_value=httpx.Response(
            200, json={"recipient_id": "1143546479620573", "message_id": "aWdfZAG1fOUT"}
        )
    )
    message = services.message_send(conversation=conversation, author=alice, text="Yes, all year.")
    services.message_deliver(message=message)
    assert json.loads(route.calls.last.request.content) == {
        "recipient": {"id": "1143546479620573"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Yes, all year."},
    }


def test_a_canned_reply_fills_in_its_variables(wa_conversation, alice):
    reply = CannedReply.objects.create(
        title="Check-in",
        category="check_in_out",
        language="tr",
        text="Merhaba {guest_name}, {hotel_name} girişi 14:00'te. Sevgiler, {agent_name}",
    )
    text = services.canned_reply_render(
        reply=reply, conversation=wa_conversation, agent_name="Alice"
    )
    assert text == "Merhaba Ahmet, Hotel A Lara girişi 14:00'te. Sevgiler, Alice"
