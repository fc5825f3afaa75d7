"""The agent's screens over HTTP: scope, flows, query counts."""

import pytest
from django.urls import reverse

from channels_inbox import inbound, routing, services
from channels_inbox.channels.base import InboundMessage
from channels_inbox.models import Conversation, Direction, Message, TriageCorrection
from guestview.models import Pbx, PbxKind, PropertyNumber

pytestmark = pytest.mark.django_db


def guest_writes(account, text, *, key="+905321234567", name="Ahmet Yılmaz", n=[0]):  # noqa: B006
    n[0] += 1
    from django.utils import timezone

    inbound.message_receive(
        source=account.kind,
        incoming=InboundMessage(
            external_id=f"wamid.view-{n[0]}",
            contact_key=key,
            contact_kind=account.kind,
            contact_name=name,
            sent_at=timezone.now(),
            text=text,
            account_external_id=account.external_id,
        ),
    )
    return Conversation.objects.get(contact_key=key, status="open")


def test_an_agent_of_another_hotel_gets_404_everywhere(wa_account, bob_client):
    conversation = guest_writes(wa_account, "Merhaba")
    for name in ("conversation",):
        assert (
            bob_client.get(reverse(f"channels_inbox:{name}", args=[conversation.pk])).status_code
            == 404
        )
    for name in (
        "conversation_reply",
        "conversation_note",
        "conversation_claim",
        "conversation_close",
        "conversation_triage",
        "conversation_transfer",
        "conversation_release",
        "conversation_tags",
        "conversation_handoff",
    ):
        url = reverse(f"channels_inbox:{name}", args=[conversation.pk])
        assert bob_client.post(url, {"text": "x"}).status_code == 404, name
    assert "Ahmet" not in bob_client.get(reverse("channels_inbox:queue") + "?view=all").text


def test_the_queue_lists_in_a_fixed_number_of_queries(
    wa_account, alice_client, django_assert_max_num_queries
):
    for i in range(12):
        guest_writes(wa_account, "Yarın için oda var mı?", key=f"+90532000{i:04d}", name=f"G{i}")
    url = reverse("channels_inbox:queue") + "?view=all"
    alice_client.get(url)  # warm the session and the per-request caches
    with django_assert_max_num_queries(12):
        response = alice_client.get(url)
    assert response.text.count('class="qrow') == 12


def test_an_agent_claims_replies_and_closes(wa_account, alice, alice_client):
    conversation = guest_writes(wa_account, "Merhaba, havuz kaçta açılıyor?")
    url = reverse("channels_inbox:conversation", args=[conversation.pk])
    page = alice_client.get(url)
    assert "havuz kaçta" in page.text
    alice_client.post(reverse("channels_inbox:conversation_claim", args=[conversation.pk]))
    alice_client.post(
        reverse("channels_inbox:conversation_reply", args=[conversation.pk]),
        {"text": "Havuzumuz 08:00'de açılıyor."},
    )
    assert Message.objects.filter(direction=Direction.OUT, status="queued").count() == 1
    response = alice_client.post(
        reverse("channels_inbox:conversation_close", args=[conversation.pk]),
        {"outcome": "answered"},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == "closed"
    assert conversation.assigned_to.user == alice


def test_a_correction_is_stored_for_accuracy(wa_account, alice, alice_client):
    conversation = guest_writes(wa_account, "Merhaba")
    alice_client.post(
        reverse("channels_inbox:conversation_triage", args=[conversation.pk]),
        {"language": "tr", "scenario": "complaint", "priority": "critical"},
    )
    corrections = {c.field: (c.predicted, c.corrected) for c in TriageCorrection.objects.all()}
    assert corrections["scenario"][1] == "complaint"
    assert corrections["priority"][1] == "critical"
    assert "language" not in corrections  # unchanged, not a correction
    conversation.refresh_from_db()
    assert conversation.priority == "critical"
    # A later message does not overwrite what the agent said.
    guest_writes(wa_account, "teşekkürler")
    conversation.refresh_from_db()
    assert conversation.scenario == "complaint"


def test_the_reply_box_says_why_the_window_is_closed(wa_account, alice_client):
    from datetime import timedelta

    from django.utils import timezone

    conversation = guest_writes(wa_account, "Merhaba")
    Conversation.objects.filter(pk=conversation.pk).update(
        last_inbound_at=timezone.now() - timedelta(hours=30)
    )
    page = alice_client.get(reverse("channels_inbox:conversation", args=[conversation.pk]))
    assert "24" in page.text and 'id="reply-text"' not in page.text


def test_a_missed_call_waits_in_the_queue_as_a_callback(hotel_a, alice, alice_client, client):
    pbx = Pbx.objects.create(name="PBX", kind=PbxKind.GENERIC)
    PropertyNumber.objects.create(property=hotel_a, number="+902427101000")
    for event in ("ringing", "hangup"):
        client.post(
            "/cti/events",
            {
                "event": event,
                "call_id": "c-9",
                "caller": "0532 765 43 21",
                "called": "0242 710 10 00",
                "agent_extension": "201",
            },
            content_type="application/json",
            HTTP_X_MISAFIR_TOKEN=pbx.token,
        )
    callback = Conversation.objects.get(channel="phone")
    assert callback.waiting_since is not None and callback.priority == "high"
    assert callback.messages.get().kind == "call"
    page = alice_client.get(reverse("channels_inbox:queue") + "?view=unassigned")
    assert "+90 532 765 43 21" in page.text


def test_an_answered_call_needs_a_summary_before_closing(hotel_a, alice, alice_client, client):
    pbx = Pbx.objects.create(name="PBX", kind=PbxKind.GENERIC)
    PropertyNumber.objects.create(property=hotel_a, number="+902427101000")
    for event in ("ringing", "answered", "hangup"):
        client.post(
            "/cti/events",
            {
                "event": event,
                "call_id": "c-10",
                "caller": "0532 765 43 21",
                "called": "0242 710 10 00",
                "agent_extension": "201",
            },
            content_type="application/json",
            HTTP_X_MISAFIR_TOKEN=pbx.token,
        )
    call = Conversation.objects.get(channel="phone")
    assert call.assigned_to.user == alice and call.waiting_since is None
    close = reverse("channels_inbox:conversation_close", args=[call.pk])
    refused = alice_client.post(close, {"outcome": "answered"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert "summary" in refused.text
    alice_client.post(close, {"outcome": "answered", "summary": "Fiyat sordu, teklif gidecek."})
    call.refresh_from_db()
    assert call.status == "closed" and call.summary.startswith("Fiyat sordu")


def test_take_the_next_one_opens_it(wa_account, alice, alice_client):
    conversation = guest_writes(wa_account, "Merhaba")
    response = alice_client.post(reverse("channels_inbox:claim_next"))
    assert response.status_code == 302
    assert response["Location"] == reverse("channels_inbox:conversation", args=[conversation.pk])


def test_the_workspace_answers_htmx_with_the_fragment(wa_account, alice_client):
    conversation = guest_writes(wa_account, "Merhaba")
    url = reverse("channels_inbox:conversation", args=[conversation.pk])
    fragment = alice_client.get(url + "?part=thread", HTTP_HX_REQUEST="true")
    assert fragment.text.lstrip().startswith('<ol id="thread"')
    assert "<html" not in fragment.text


def test_routing_is_not_fooled_by_a_closed_conversation(wa_account, alice):
    conversation = guest_writes(wa_account, "Merhaba")
    services.conversation_close(conversation=conversation, by=alice, outcome="answered")
    assert not routing.conversation_claim(conversation=conversation, agent=alice.agent_profile)
    # The guest writes again: a new thread opens.
    again = guest_writes(wa_account, "Bir sorum daha var")
    assert again.pk != conversation.pk


def test_the_guest_card_beside_a_conversation_is_masked_and_its_view_logged(
    wa_account, hotel_a, alice, alice_client
):
    from consent.models import AccessLog
    from tests.factories import ContactPointFactory, GuestFactory

    guest = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    ContactPointFactory(guest=guest, raw_value="0532 765 43 21", is_primary=True)
    conversation = guest_writes(wa_account, "Merhaba", key="+905327654321")
    Conversation.objects.filter(pk=conversation.pk).update(guest=guest)
    url = reverse("channels_inbox:conversation", args=[conversation.pk])
    page = alice_client.get(url).text
    assert "Ahmet Yılmaz" in page and "+90 532 765 43 21" not in page
    entry = AccessLog.objects.get(actor=alice, guest_id=guest.pk)
    assert (entry.action, entry.context) == ("view", f"conversation:{conversation.pk}")
    # The thread's periodic refresh shows no card: no new row.
    alice_client.get(url + "?part=thread", HTTP_HX_REQUEST="true")
    assert AccessLog.objects.filter(guest_id=guest.pk).count() == 1
    # "Show in full" from here names the conversation.
    unmask = reverse("guestview:guest_contacts_unmask", args=[guest.pk])
    assert (
        "+90 532 765 43 21"
        in alice_client.post(unmask, {"conversation": conversation.pk}, HTTP_HX_REQUEST="true").text
    )
    assert AccessLog.objects.get(action="unmask").context == f"conversation:{conversation.pk}"
