"""The consent gate: commercial messages and calls need the guest's ONAY for
that channel; a reply in a conversation the guest started does not; every
decision is written down."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from channels_inbox.models import ChannelAccount, ChannelKind, Conversation
from consent.gate import ConsentRequired, commercial_contact_check
from consent.models import GateLog
from consent.services import consent_record
from leads import services
from leads.models import Campaign, CampaignCall, LeadSource
from tests.factories import ContactPointFactory, GuestFactory

pytestmark = pytest.mark.django_db

PHONE = "+905321112233"


@pytest.fixture
def guest(hotel_a):
    guest = GuestFactory(property=hotel_a, first_name="Selin", last_name="Ak", segment="family")
    ContactPointFactory(guest=guest, raw_value=PHONE)
    return guest


@pytest.fixture
def thread(hotel_a, guest):
    """A WhatsApp conversation the hotel opened (the guest never wrote in it)."""
    account = ChannelAccount.objects.create(
        property=hotel_a, kind=ChannelKind.WHATSAPP, name="WA", external_id="1"
    )
    return Conversation.objects.create(
        property=hotel_a, account=account, channel="whatsapp", contact_key=PHONE, guest=guest,
        last_inbound_at=timezone.now(),
    )  # fmt: skip


def options():
    until = timezone.now() + dt.timedelta(days=2)
    return [
        services.OptionIn("Family Room", "AI", dt.date(2027, 7, 1), dt.date(2027, 7, 8),
                          Decimal("1500"), until),
        services.OptionIn("Suite", "AI", dt.date(2027, 7, 1), dt.date(2027, 7, 8),
                          Decimal("2100"), until),
    ]  # fmt: skip


def offer(lead, by, thread):
    return services.offer_send(
        lead=lead, by=by, options=options(), next_step="confirm", conversation=thread,
        follow_up_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip


def lead_from(source_code, hotel, guest, alice):
    return services.lead_create(
        property=hotel, name=guest.full_name, contact=PHONE, request="Summer",
        source=LeadSource.objects.get(code=source_code), guest=guest, by=alice,
    )  # fmt: skip


def test_an_offer_answering_the_guests_request_needs_no_commercial_consent(
    alice, hotel_a, guest, thread
):
    offer(lead_from("web-form", hotel_a, guest, alice), alice, thread)
    assert GateLog.objects.get().allowed


def test_a_campaign_offer_without_onay_is_refused_and_written_down(alice, hotel_a, guest, thread):
    lead = lead_from("campaign", hotel_a, guest, alice)
    with pytest.raises(ConsentRequired) as refused:
        offer(lead, alice, thread)
    assert "Selin Ak" in refused.value.messages[0] and "ONAY" in refused.value.messages[0]
    decision = GateLog.objects.get()
    assert not decision.allowed and decision.purpose == f"offer:{lead.case_id}"
    assert decision.channel == "MESAJ" and decision.actor == alice
    assert not thread.messages.exists()


def test_onay_opens_the_gate_and_a_later_ret_closes_it_at_once(alice, hotel_a, guest, thread):
    lead = lead_from("campaign", hotel_a, guest, alice)
    consent_record(guest=guest, type="MESAJ", status="ONAY", source="HS_CAGRI_MERKEZI",
                   recipient=PHONE, recorded_by=alice)  # fmt: skip
    offer(lead, alice, thread)
    consent_record(guest=guest, type="MESAJ", status="RET", source="HS_CAGRI_MERKEZI",
                   recipient=PHONE, recorded_by=alice)  # fmt: skip
    decision = commercial_contact_check(guest=guest, type="MESAJ")
    assert not decision.allowed and "RET" in decision.reason


def test_a_campaign_call_needs_onay_for_calls(client_of, alice, hotel_a, guest):
    campaign = Campaign.objects.create(
        name="Early summer", code="early-27", starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=10), offer_text="25% off",
        target_segment="family",
    )  # fmt: skip
    campaign.properties.set([hotel_a])
    url = reverse("leads:campaign_calls", args=[campaign.pk])
    page = client_of(alice).get(url)
    assert "Selin Ak" in page.content.decode() and "+90 532 *** ** 33" in page.content.decode()
    refused = client_of(alice).post(url, {"guest": guest.pk, "outcome": "reached"})
    assert refused.status_code == 400 and not CampaignCall.objects.exists()
    assert not GateLog.objects.get(purpose="campaign:early-27").allowed
    consent_record(guest=guest, type="ARAMA", status="ONAY", source="HS_CAGRI_MERKEZI",
                   recipient=PHONE, recorded_by=alice)  # fmt: skip
    assert client_of(alice).post(url, {"guest": guest.pk, "outcome": "reached"}).status_code == 302
    assert CampaignCall.objects.get().outcome == "reached"
