"""The consent gate: commercial messages and calls need the guest's ONAY for
that channel; a reply in a conversation the guest started does not; every
decision is written down."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from channels_inbox.models import ChannelAccount, ChannelKind, Conversation, Direction, Message
from consent import privacy
from consent.gate import ConsentRequired, commercial_contact_check, commercial_contact_require
from consent.models import ConsentRecord, GateLog
from consent.selectors import consents_for_recipients
from consent.services import consent_record
from leads import services
from leads.models import Campaign, CampaignCall, LeadSource
from tests.factories import ContactPointFactory, GuestFactory

pytestmark = pytest.mark.django_db

PHONE = "+905321112233"
OTHER_PHONE = "+905327654321"


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


def wrote(thread, direction, minutes_ago):
    return Message.objects.create(
        conversation=thread, direction=direction, text="…",
        sent_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )  # fmt: skip


def test_an_offer_in_a_conversation_the_guest_started_is_a_service_reply(
    alice, hotel_a, guest, thread
):
    wrote(thread, Direction.IN, 30)  # "Do you have a family room in July?"
    wrote(thread, Direction.OUT, 20)
    offer(lead_from("campaign", hotel_a, guest, alice), alice, thread)
    assert GateLog.objects.get().reason == "service reply in a guest-initiated conversation"


def test_the_guest_answering_a_thread_the_hotel_opened_does_not_make_it_theirs(
    alice, hotel_a, guest, thread
):
    wrote(thread, Direction.OUT, 30)  # the hotel's campaign template
    wrote(thread, Direction.IN, 20)  # "how much?"
    with pytest.raises(ConsentRequired):
        offer(lead_from("campaign", hotel_a, guest, alice), alice, thread)
    assert not GateLog.objects.get().allowed


def test_an_offer_on_whatsapp_needs_the_onay_of_the_number_it_goes_to(
    alice, hotel_a, guest, thread
):
    lead = lead_from("campaign", hotel_a, guest, alice)
    # ONAY for messages, but given for her other number.
    consent_record(guest=guest, type="MESAJ", status="ONAY", source="HS_CAGRI_MERKEZI",
                   recipient=OTHER_PHONE, recorded_by=alice)  # fmt: skip
    with pytest.raises(ConsentRequired) as refused:
        offer(lead, alice, thread)
    assert "+90 532 *** ** 33" in refused.value.messages[0]
    assert GateLog.objects.get().reason == "never asked (recipient)"
    consent_record(guest=guest, type="MESAJ", status="ONAY", source="HS_CAGRI_MERKEZI",
                   recipient=PHONE, recorded_by=alice)  # fmt: skip
    offer(lead, alice, thread)
    assert GateLog.objects.filter(allowed=True).count() == 1


def family_campaign(hotel):
    campaign = Campaign.objects.create(
        name="Early summer", code="early-27", starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=10), offer_text="25% off",
        target_segment="family",
    )  # fmt: skip
    campaign.properties.set([hotel])
    return campaign


def test_a_campaign_calls_the_primary_number_and_its_consent_decides(client_of, alice, hotel_a):
    guest = GuestFactory(property=hotel_a, first_name="Deniz", last_name="Er", segment="family")
    ContactPointFactory(guest=guest, raw_value=OTHER_PHONE, is_primary=False)
    ContactPointFactory(guest=guest, raw_value=PHONE, is_primary=True)
    campaign = family_campaign(hotel_a)
    # ONAY on the other number: not the one the list gives to call.
    consent_record(guest=guest, type="ARAMA", status="ONAY", source="HS_CAGRI_MERKEZI",
                   recipient=OTHER_PHONE, recorded_by=alice)  # fmt: skip
    url = reverse("leads:campaign_calls", args=[campaign.pk])
    page = client_of(alice).get(url).content.decode()
    assert "+90 532 *** ** 33" in page and "+90 532 *** ** 21" not in page
    refused = client_of(alice).post(url, {"guest": guest.pk, "outcome": "reached"})
    assert refused.status_code == 400 and not CampaignCall.objects.exists()
    assert GateLog.objects.get(purpose="campaign:early-27").reason == "never asked (recipient)"


def test_a_campaign_call_needs_onay_for_calls(client_of, alice, hotel_a, guest):
    campaign = family_campaign(hotel_a)
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


# --- per recipient, as İYS keeps it ------------------------------------------------------


def said(guest, status, *, recipient=PHONE, type="ARAMA", days_ago=0):
    return consent_record(
        guest=guest, type=type, status=status, source="HS_CAGRI_MERKEZI", recipient=recipient,
        consent_date=timezone.now() - dt.timedelta(days=days_ago),
    )  # fmt: skip


def test_a_ret_on_one_number_is_not_undone_by_an_onay_on_another(guest):
    said(guest, "RET", recipient=PHONE, days_ago=2)
    said(guest, "ONAY", recipient=OTHER_PHONE, days_ago=1)

    refused = commercial_contact_check(guest=guest, type="ARAMA", recipient=PHONE)
    allowed = commercial_contact_check(guest=guest, type="ARAMA", recipient=OTHER_PHONE)

    assert not refused.allowed and "RET" in refused.reason and "+90 532 *** ** 33" in refused.reason
    assert allowed.allowed


def test_a_ret_from_another_guest_sharing_the_number_refuses(hotel_a, guest):
    said(guest, "ONAY", days_ago=3)
    husband = GuestFactory(property=hotel_a, first_name="Kerem", last_name="Ak")
    said(husband, "RET", days_ago=1)  # the family's one number: İYS has its RET now

    decision = commercial_contact_check(guest=guest, type="ARAMA", recipient=PHONE)

    assert not decision.allowed and "RET" in decision.reason
    said(guest, "ONAY")  # she allows it again, later: the newest statement decides
    assert commercial_contact_check(guest=guest, type="ARAMA", recipient=PHONE).allowed


def test_a_ret_outlives_the_anonymization_of_the_guest_who_gave_it(settings, hotel_a, guest):
    former = GuestFactory(property=hotel_a)
    said(former, "RET", days_ago=1)
    privacy.guest_anonymize(guest=former)
    assert not ConsentRecord.objects.filter(recipient=PHONE).exists()  # only its keyed hash
    said(guest, "ONAY", type="MESAJ")  # another channel: no say on calls

    decision = commercial_contact_check(guest=guest, type="ARAMA", recipient=PHONE)
    assert not decision.allowed and "RET" in decision.reason

    # A rotated SECRET_KEY kept in the fallbacks still finds the old hash.
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation"
    rotated = commercial_contact_check(guest=guest, type="ARAMA", recipient=PHONE)
    assert not rotated.allowed and "RET" in rotated.reason


def test_the_recipient_is_read_as_records_store_it(guest):
    said(guest, "ONAY", type="EPOSTA", recipient="selin.ak@example.com")
    said(guest, "ONAY")

    assert commercial_contact_check(guest=guest, type="ARAMA", recipient="0532 111 22 33").allowed
    assert commercial_contact_check(
        guest=guest, type="EPOSTA", recipient=" Selin.Ak@Example.com "
    ).allowed
    not_a_number = commercial_contact_check(guest=guest, type="ARAMA", recipient="selin@ak")
    assert not not_a_number.allowed and not_a_number.logged == "recipient not valid"


def test_a_number_nobody_allowed_is_never_asked_whatever_the_guest_allowed_elsewhere(guest):
    said(guest, "ONAY", recipient=OTHER_PHONE)

    decision = commercial_contact_check(guest=guest, type="ARAMA", recipient=PHONE)

    assert not decision.allowed and decision.logged == "never asked (recipient)"
    # Callers that do not pass the recipient yet keep the per-guest answer.
    assert commercial_contact_check(guest=guest, type="ARAMA").allowed


def test_a_decision_for_a_recipient_is_logged_without_the_number(alice, guest):
    said(guest, "ONAY", type="MESAJ")

    commercial_contact_require(
        actor=alice, guest=None, type="MESAJ", purpose="offer:L-1", recipient=PHONE
    )

    decision = GateLog.objects.get()
    assert decision.allowed and decision.guest_id is None
    assert decision.reason.endswith("(recipient)") and "1112233" not in decision.reason


def test_the_consents_of_a_page_of_recipients_take_one_query(
    django_assert_num_queries, hotel_a, guest
):
    said(guest, "ONAY", days_ago=2)
    said(GuestFactory(property=hotel_a), "RET", days_ago=1)
    said(guest, "RET", recipient=OTHER_PHONE)

    with django_assert_num_queries(1):
        states = consents_for_recipients(
            type="ARAMA", recipients=[PHONE, OTHER_PHONE, "+905320000001"]
        )

    assert [states[r].status for r in (PHONE, OTHER_PHONE, "+905320000001")] == [
        "RET", "RET", None,
    ]  # fmt: skip


def test_the_channel_is_named_in_the_language_of_the_screen(guest):
    said(guest, "RET")

    with translation.override("en"):
        english = commercial_contact_check(guest=guest, type="ARAMA").reason
    with translation.override("tr"):
        turkish = commercial_contact_check(guest=guest, type="ARAMA").reason

    assert "refused commercial calls" in english
    assert "çağrılar" in turkish
