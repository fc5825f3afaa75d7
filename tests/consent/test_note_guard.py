"""Every free text an agent writes goes through the guardrail before it is
stored: a refused note leaves no row and no log line, and the agent is told
which category and where."""

import logging

import pytest
from django.urls import reverse

from channels_inbox import services as inbox_services
from channels_inbox.models import Conversation, Message
from consent.services import NoteRefused, note_marked
from guestview import services
from guestview.models import GuestNote
from tests.factories import GuestFactory

pytestmark = pytest.mark.django_db

TCKN = "10000000146"  # checksum-valid


def test_a_guest_note_with_a_valid_tckn_is_refused_and_not_stored(alice, hotel_a, caplog):
    guest = GuestFactory(property=hotel_a)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(NoteRefused) as refused:
        services.guest_note_add(guest=guest, author=alice, text=f"TC kimlik {TCKN} verdi")
    assert [f.category for f in refused.value.findings] == ["national_id"]
    assert "11–21" in refused.value.messages[0]
    assert not GuestNote.objects.exists()
    assert TCKN not in caplog.text


def test_a_conversation_note_and_a_call_summary_go_through_it_too(alice, hotel_a):
    conversation = Conversation.objects.create(
        property=hotel_a, channel="phone", contact_key="+905321234567#1"
    )
    with pytest.raises(NoteRefused):
        inbox_services.conversation_note_add(
            conversation=conversation, author=alice, text="Misafirin diyabeti var"
        )
    with pytest.raises(NoteRefused):
        inbox_services.conversation_close(
            conversation=conversation, by=alice, outcome="answered", summary="Hamile, alt kat"
        )
    assert not Message.objects.exists()
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.summary == ""


def test_ordinary_hotel_notes_pass(alice, hotel_a):
    guest = GuestFactory(property=hotel_a)
    note = services.guest_note_add(
        guest=guest, author=alice,
        text="Deniz manzaralı oda, 2 yetişkin 2 çocuk (5 ve 8 yaş), geç çıkış; rez. 48213377102",
    )  # fmt: skip
    assert note.pk


def test_the_card_marks_where_the_note_was_refused(alice_client, hotel_a):
    guest = GuestFactory(property=hotel_a)
    response = alice_client.post(
        reverse("guestview:guest_note_create", args=[guest.pk]),
        {"text": f"Kimlik {TCKN}, deniz manzarası", "kind": "request", "next_step": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'<mark class="kvkk" title="national_id">{TCKN}</mark>' in body
    assert not GuestNote.objects.exists()


def test_marking_keeps_every_character():
    text = "abc 10000000146 def"
    from consent.guardrails import scan_note

    pieces = note_marked(text, scan_note(text))
    assert "".join(p for p, _c in pieces) == text
    assert ("10000000146", "national_id") in pieces
