"""Leads: Case IDs, intake (web form, conversation), the pipeline's required
fields, follow-up discipline, two-option offers and option expiry."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from decimal import Decimal

import pytest
import respx
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from channels_inbox.models import ChannelAccount, ChannelKind, Conversation, Message
from consent.models import ConsentRecord
from guestview.models import Alert, AlertKind, ContactPoint
from kpi.models import EventKind, KpiEvent
from leads import selectors, services
from leads.models import (
    IntakeForm,
    IntakeSubmission,
    Lead,
    LeadSource,
    LeadStatus,
    Offer,
    OfferOption,
    SlaClock,
)
from tests.channels_inbox.conftest import GRAPH

pytestmark = pytest.mark.django_db

IN_A_DAY = dt.timedelta(days=1)


@pytest.fixture
def web():
    return LeadSource.objects.get(code="web-form")


@pytest.fixture
def whatsapp_source():
    return LeadSource.objects.get(code="whatsapp")


def make(hotel, source, **fields):
    data = {"name": "Ayşe Kaya", "contact": "0532 111 22 33", "request": "Aile odası, Temmuz"}
    return services.lead_create(property=hotel, source=source, **(data | fields))


# --- Case IDs and intake ---------------------------------------------------------------


def test_case_ids_count_up_per_year_and_are_found_in_any_case(hotel_a, web, alice):
    first, second = make(hotel_a, web), make(hotel_a, web)
    year = timezone.now().year
    assert first.case_id == f"M360-{year}-000001" and second.case_id == f"M360-{year}-000002"
    assert selectors.lead_for_case_id(alice, first.case_id.lower()) == first


def test_a_case_id_is_not_found_by_an_agent_of_another_hotel(hotel_a, web, bob):
    lead = make(hotel_a, web)
    assert selectors.lead_for_case_id(bob, lead.case_id) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_intakes_get_different_case_ids(hotel_a):
    source = LeadSource.objects.get(code="web-form")
    ids, errors = [], []

    def intake():
        try:
            for _ in range(10):
                ids.append(make(hotel_a, source).case_id)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors and len(set(ids)) == 30


def test_a_lead_needs_name_contact_and_request(hotel_a, web):
    with pytest.raises(ValidationError) as refused:
        services.lead_create(property=hotel_a, source=web, name=" ", contact="hello", request="")
    assert set(refused.value.message_dict) == {"name", "contact", "request"}
    assert not Lead.objects.exists()


def test_the_contact_finds_or_makes_the_guest(hotel_a, web):
    lead = make(hotel_a, web, contact="+90 (532) 111 22 33")
    assert lead.contact == "+905321112233"
    assert ContactPoint.objects.get(value="+905321112233").guest == lead.guest
    assert make(hotel_a, web, contact="05321112233").guest == lead.guest


def test_a_new_lead_starts_its_first_contact_clock(hotel_a, web):
    lead = make(hotel_a, web)
    clock = SlaClock.objects.get(item_kind="lead", item_id=lead.pk, deadline="first_response")
    assert clock.due_at == lead.created_at + dt.timedelta(minutes=30)
    assert KpiEvent.objects.filter(kind=EventKind.LEAD_CREATED).count() == 1


# --- the pipeline -----------------------------------------------------------------------


def test_contacted_offer_sent_and_option_need_a_follow_up(hotel_a, web, alice):
    lead = make(hotel_a, web)
    for status in (LeadStatus.CONTACTED, LeadStatus.OFFER_SENT):
        with pytest.raises(ValidationError) as refused:
            services.lead_move(lead=lead, to=status, by=alice)
        assert "follow_up_at" in refused.value.message_dict
    lead = services.lead_move(
        lead=lead, to=LeadStatus.CONTACTED, by=alice, follow_up_at=timezone.now() + IN_A_DAY
    )
    assert lead.first_contact_at is not None
    assert SlaClock.objects.get(item_id=lead.pk, deadline="first_response").stopped_at


def test_the_database_refuses_a_worked_lead_without_a_follow_up(hotel_a, web):
    from django.db import IntegrityError, transaction

    lead = make(hotel_a, web)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.OFFER_SENT)


def test_lost_needs_a_reason_and_won_a_reservation_number(hotel_a, web, alice):
    lead = make(hotel_a, web)
    with pytest.raises(ValidationError) as refused:
        services.lead_move(lead=lead, to=LeadStatus.LOST, by=alice)
    assert "lost_reason" in refused.value.message_dict
    services.lead_move(
        lead=lead, to=LeadStatus.CONTACTED, by=alice, follow_up_at=timezone.now() + IN_A_DAY
    )
    with pytest.raises(ValidationError) as refused:
        services.lead_move(lead=lead, to=LeadStatus.WON, by=alice)
    assert "reservation_number" in refused.value.message_dict
    won = services.lead_move(lead=lead, to=LeadStatus.WON, by=alice, reservation_number="R-8812")
    assert won.next_follow_up_at is None and won.closed_at
    assert not SlaClock.objects.filter(item_id=lead.pk, stopped_at__isnull=True).exists()
    assert KpiEvent.objects.filter(kind=EventKind.LEAD_WON).count() == 1


def test_a_follow_up_in_the_past_is_refused(hotel_a, web, alice):
    lead = make(hotel_a, web)
    with pytest.raises(ValidationError):
        services.lead_follow_up_set(lead=lead, at=timezone.now() - IN_A_DAY, by=alice)


def test_due_follow_ups_rise_to_the_top_of_the_agents_queue(hotel_a, web, alice):
    profile = alice.agent_profile
    later = make(hotel_a, web, name="Later")
    due = make(hotel_a, web, name="Due")
    for lead, when in ((later, IN_A_DAY), (due, dt.timedelta(minutes=10))):
        services.lead_assign(lead=lead, agent=profile, by=alice)
        services.lead_follow_up_set(lead=lead, at=timezone.now() + when, by=alice)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        queue = selectors.lead_queue(alice, selectors.LeadFilter(view="mine"))
    assert [lead.name for lead in queue] == ["Due", "Later"]


def test_an_overdue_follow_up_warns_then_escalates(hotel_a, web, alice, sam):
    from leads import sla

    lead = make(hotel_a, web)
    services.lead_assign(lead=lead, agent=alice.agent_profile, by=alice)
    at = timezone.now() + dt.timedelta(hours=1)
    services.lead_follow_up_set(lead=lead, at=at, by=alice)
    with time_machine.travel(at + dt.timedelta(minutes=1)):
        sla.sla_scan()
    assert Alert.objects.get(recipient=alice, kind=AlertKind.FOLLOW_UP)
    with time_machine.travel(at + dt.timedelta(minutes=61)):  # the lead policy: 60 minutes
        sla.sla_scan()
    assert Alert.objects.get(recipient=sam, kind=AlertKind.SLA_BREACH).url.endswith(
        f"/leads/{lead.pk}/"
    )


# --- offers ---------------------------------------------------------------------------


@pytest.fixture
def wa_lead(hotel_a, whatsapp_source, alice):
    account = ChannelAccount.objects.create(
        property=hotel_a, kind=ChannelKind.WHATSAPP, name="WA", external_id="106540352242922",
        access_token="t", api_base_url=GRAPH,
    )  # fmt: skip
    conversation = Conversation.objects.create(
        property=hotel_a, account=account, channel="whatsapp", contact_key="+905321112233",
        last_inbound_at=timezone.now(), language="de",
    )  # fmt: skip
    return services.lead_from_conversation(
        conversation=conversation, by=alice, name="Hans Müller", contact="+905321112233",
        request="Familienzimmer im August", source=whatsapp_source,
    )  # fmt: skip


def options(valid_until=None):
    valid_until = valid_until or timezone.now() + dt.timedelta(days=2)
    return [
        services.OptionIn("Family Room", "AI", dt.date(2027, 8, 1), dt.date(2027, 8, 8),
                          Decimal("1890"), valid_until),
        services.OptionIn("Junior Suite", "UAI", dt.date(2027, 8, 1), dt.date(2027, 8, 8),
                          Decimal("2450"), valid_until),
    ]  # fmt: skip


def test_an_offer_goes_out_in_the_guests_language_and_needs_a_follow_up(wa_lead, alice):
    with pytest.raises(ValidationError) as refused:
        services.offer_send(lead=wa_lead, by=alice, options=options(), next_step="confirm",
                            follow_up_at=None)  # fmt: skip
    assert "follow_up_at" in refused.value.message_dict
    offer = services.offer_send(
        lead=wa_lead, by=alice, options=options(), next_step="confirm",
        follow_up_at=timezone.now() + IN_A_DAY,
    )  # fmt: skip
    assert offer.language == "de"
    assert "Guten Tag Hans" in offer.text and "Halbpension" not in offer.text
    assert "1) Family Room, All inclusive" in offer.text and "7 Nächte" in offer.text
    assert "Antworten Sie einfach mit 1 oder 2" in offer.text
    message = Message.objects.get(pk=offer.message_id)
    assert message.text == offer.text and message.status == "queued"
    wa_lead.refresh_from_db()
    assert wa_lead.status == LeadStatus.OFFER_SENT and wa_lead.value == Decimal("1890")


def test_an_offer_needs_two_valid_options(wa_lead, alice):
    bad = options()
    bad[1] = services.OptionIn("", "AI", dt.date(2027, 8, 8), dt.date(2027, 8, 1), Decimal(0),
                               timezone.now() - IN_A_DAY)  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.offer_send(lead=wa_lead, by=alice, options=bad, next_step="confirm",
                            follow_up_at=timezone.now() + IN_A_DAY)  # fmt: skip
    assert {"option2_room_type", "option2_departure", "option2_price",
            "option2_valid_until"} <= set(refused.value.message_dict)  # fmt: skip


def test_a_held_option_reminds_before_and_releases_after_it_expires(wa_lead, alice):
    until = timezone.now() + dt.timedelta(days=2)
    offer = services.offer_send(
        lead=wa_lead, by=alice, options=options(until), next_step="hold",
        follow_up_at=timezone.now() + IN_A_DAY,
    )  # fmt: skip
    option = offer.options.get(position=2)
    lead = services.option_hold(option=option, by=alice)
    assert lead.status == LeadStatus.OPTION and lead.value == Decimal("2450")
    with time_machine.travel(until - dt.timedelta(hours=3)):
        assert services.options_expire() == (1, 0)
        assert services.options_expire() == (0, 0)  # once
    # The room the hotel keeps for the guest; the option they did not pick is moot.
    reminder = Alert.objects.get(recipient=alice, kind=AlertKind.OPTION_EXPIRING)
    assert "Junior Suite" in reminder.title
    with time_machine.travel(until + dt.timedelta(minutes=1)):
        assert services.options_expire() == (0, 2)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.OFFER_SENT and lead.next_follow_up_at is not None
    assert Alert.objects.filter(recipient=alice, kind=AlertKind.OPTION_EXPIRED).count() == 1
    assert OfferOption.objects.filter(is_held=True).count() == 0


def test_while_the_guest_chooses_both_options_remind(wa_lead, alice):
    until = timezone.now() + dt.timedelta(days=2)
    services.offer_send(
        lead=wa_lead, by=alice, options=options(until), next_step="confirm",
        follow_up_at=timezone.now() + IN_A_DAY,
    )  # fmt: skip
    with time_machine.travel(until - dt.timedelta(hours=3)):
        assert services.options_expire() == (2, 0)


def offered(hotel, source, alice, valid_until):
    """A contacted lead with a sent offer, made in the database (no channel)."""
    lead = services.lead_move(
        lead=make(hotel, source), to=LeadStatus.CONTACTED, by=alice,
        follow_up_at=timezone.now() + IN_A_DAY,
    )  # fmt: skip
    offer = Offer.objects.create(lead=lead, language="tr", next_step="confirm", status="sent")
    for i, room in enumerate(("Family Room", "Suite"), start=1):
        OfferOption.objects.create(
            offer=offer, position=i, room_type=room, board="AI", arrival=dt.date(2027, 8, 1),
            departure=dt.date(2027, 8, 8), price=Decimal(1000 * i), valid_until=valid_until,
        )  # fmt: skip
    return offer


def test_expiring_options_take_the_same_queries_however_many_offers(hotel_a, web, alice):
    until = timezone.now() + dt.timedelta(days=2)
    offered(hotel_a, web, alice, until)
    expiry = until + dt.timedelta(minutes=1)
    with time_machine.travel(expiry), CaptureQueriesContext(connection) as one:
        assert services.options_expire() == (0, 2)
    for _ in range(3):
        offered(hotel_a, web, alice, until + dt.timedelta(hours=1))
    later = until + dt.timedelta(hours=1, minutes=1)
    with time_machine.travel(later), CaptureQueriesContext(connection) as three:
        assert services.options_expire() == (0, 6)
    assert len(three) == len(one)
    assert set(Offer.objects.values_list("status", flat=True)) == {"expired"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_expiring_options_lock_their_leads_before_the_options(hotel_a, web, alice):
    """lead_move locks the lead, then its options: the other order deadlocks."""
    until = timezone.now() + dt.timedelta(days=2)
    offered(hotel_a, web, alice, until)
    expiry = until + dt.timedelta(minutes=1)
    with time_machine.travel(expiry), CaptureQueriesContext(connection) as queries:
        services.options_expire()
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert locks and 'FROM "leads_lead"' in locks[0]


# --- the web form -------------------------------------------------------------------------


@pytest.fixture
def site(hotel_a, web):
    return IntakeForm.objects.create(property=hotel_a, name="Booking page", source=web)


def post_signed(client, site, payload, **headers):
    raw = json.dumps(payload).encode()
    signature = hmac.new(site.secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        reverse("leads:intake"), raw, content_type="application/json",
        HTTP_X_M360_FORM=str(site.pk), HTTP_X_M360_SIGNATURE=f"sha256={signature}", **headers,
    )  # fmt: skip


def test_a_signed_web_form_makes_a_lead_with_utm_and_consent(client, site):
    response = post_signed(client, site, {
        "name": "Olga Ivanova", "phone": "+7 916 123-45-67", "request": "Номер на двоих",
        "arrival": "2027-07-01", "departure": "08.07.2027", "adults": 2, "language": "ru",
        "utm_source": "google", "utm_campaign": "summer27", "consent": True,
    })  # fmt: skip
    assert response.status_code == 201
    lead = Lead.objects.get(case_id=response.json()["case_id"])
    assert (lead.language, lead.utm_source, lead.departure) == ("ru", "google", dt.date(2027, 7, 8))
    consents = ConsentRecord.objects.filter(guest=lead.guest)
    assert {(c.type, c.status, c.source) for c in consents} == {
        ("MESAJ", "ONAY", "HS_WEB"), ("ARAMA", "ONAY", "HS_WEB"),
    }  # fmt: skip
    assert IntakeSubmission.objects.get().lead == lead


def test_a_form_post_with_the_api_key_works_too(client, site):
    response = client.post(
        reverse("leads:intake"),
        {"name": "Tom Smith", "email": "Tom@Example.com", "message": "Late check-out?"},
        HTTP_AUTHORIZATION=f"Bearer {site.api_key}",
    )
    assert response.status_code == 201
    assert Lead.objects.get().contact == "tom@example.com"


def test_field_errors_are_400_with_the_field_names_and_kept(client, site):
    response = post_signed(client, site, {"name": "", "arrival": "31/31/2027", "adults": "many"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"phone", "email", "arrival", "adults"}
    assert IntakeSubmission.objects.get().status == "rejected"
    assert not Lead.objects.exists()


def test_missing_fields_after_parsing_are_named_too(client, site):
    response = post_signed(client, site, {"phone": "+905321112233"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "request"}


def test_a_wrong_signature_is_403_and_kept(client, site):
    response = client.post(
        reverse("leads:intake"), b'{"name": "x"}', content_type="application/json",
        HTTP_X_M360_FORM=str(site.pk), HTTP_X_M360_SIGNATURE="sha256=00",
    )  # fmt: skip
    assert response.status_code == 403
    assert IntakeSubmission.objects.get().status == "refused"


SITE = "https://www.hotel-a.example"


def test_a_browser_form_of_an_allowed_site_may_post_and_read_the_answer(client, site):
    site.allowed_origins = f"{SITE}/\nhttps://booking.hotel-a.example"
    site.save()
    preflight = client.options(
        reverse("leads:intake"), HTTP_ORIGIN=SITE,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-m360-form, x-m360-signature",
    )  # fmt: skip
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SITE
    assert "X-M360-Signature" in preflight["Access-Control-Allow-Headers"]
    payload = {"name": "Tom Smith", "email": "tom@example.com", "request": "Late check-out?"}
    response = post_signed(client, site, payload, HTTP_ORIGIN=SITE)
    assert response.status_code == 201 and response["Access-Control-Allow-Origin"] == SITE


def test_a_browser_post_from_another_site_is_refused_and_kept(client, site):
    site.allowed_origins = SITE
    site.save()
    preflight = client.options(reverse("leads:intake"), HTTP_ORIGIN="https://evil.example")
    assert preflight.status_code == 403 and not preflight.has_header("Access-Control-Allow-Origin")
    payload = {"name": "Tom Smith", "email": "tom@example.com", "request": "Late check-out?"}
    response = post_signed(client, site, payload, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and not response.has_header("Access-Control-Allow-Origin")
    assert IntakeSubmission.objects.get().status == "refused"
    assert not Lead.objects.exists()


def test_malformed_json_is_400_not_500(client, site):
    raw = b"{not json"
    signature = hmac.new(site.secret.encode(), raw, hashlib.sha256).hexdigest()
    response = client.post(
        reverse("leads:intake"), raw, content_type="application/json",
        HTTP_X_M360_FORM=str(site.pk), HTTP_X_M360_SIGNATURE=f"sha256={signature}",
    )  # fmt: skip
    assert response.status_code == 400 and "body" in response.json()["errors"]


# --- screens ----------------------------------------------------------------------------


def test_make_lead_from_a_conversation_refuses_without_the_three_fields(
    alice_client, hotel_a, whatsapp_source
):
    conversation = Conversation.objects.create(
        property=hotel_a, channel="whatsapp", contact_key="+905321112233"
    )
    form = {"conversation": conversation.pk, "source": whatsapp_source.pk, "adults": 2,
            "children": 0, "currency": "EUR"}  # fmt: skip
    response = alice_client.post(reverse("leads:new"), form)
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count('class="error"') >= 3 and not Lead.objects.exists()


def test_a_web_form_lead_shows_its_request_and_history(alice_client, hotel_a, web):
    lead = make(hotel_a, web, request="Aile odası, 10-17 Temmuz")
    response = alice_client.get(reverse("leads:lead", args=[lead.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert lead.case_id in body and "Aile odası, 10-17 Temmuz" in body


def test_an_agent_of_another_hotel_gets_404_on_a_lead(bob_client, hotel_a, web):
    lead = make(hotel_a, web)
    assert bob_client.get(reverse("leads:lead", args=[lead.pk])).status_code == 404
    assert bob_client.post(reverse("leads:claim", args=[lead.pk])).status_code == 404


def test_the_board_is_for_supervisors(alice_client, client_of, sam, hotel_a, web):
    make(hotel_a, web)
    assert alice_client.get(reverse("leads:board")).status_code == 403
    response = client_of(sam).get(reverse("leads:board"))
    assert response.status_code == 200 and "Ayşe Kaya" in response.content.decode()


def test_a_move_on_the_board_answers_with_the_board(client_of, sam, hotel_a, web):
    lead = make(hotel_a, web)
    follow = (timezone.localtime() + IN_A_DAY).strftime("%Y-%m-%dT%H:%M")
    move = {"from": "board", "status": "contacted", "follow_up_at": follow}
    response = client_of(sam).post(
        reverse("leads:move", args=[lead.pk]), move, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="board"' in body and "Ayşe Kaya" in body and "<html" not in body
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    # Without JavaScript the browser goes back to the board.
    response = client_of(sam).post(reverse("leads:move", args=[lead.pk]), move | {"note": "x"})
    assert response.status_code == 302 and response.url == reverse("leads:board")


def test_a_move_on_a_filtered_board_keeps_the_filter(client_of, sam, hotel_a, web):
    lead = make(hotel_a, web)
    make(hotel_a, LeadSource.objects.get(code="phone"), name="Ozan Telefon")
    query = f"source={web.pk}"
    board = client_of(sam).get(reverse("leads:board") + f"?{query}").content.decode()
    # The picker posts with the board's filters, so the board it answers with
    # (and its live re-reads) stays the filtered one.
    assert f'action="{reverse("leads:move", args=[lead.pk])}?{query}"' in board
    assert "Ozan Telefon" not in board
    follow = (timezone.localtime() + IN_A_DAY).strftime("%Y-%m-%dT%H:%M")
    move = {"from": "board", "status": "contacted", "follow_up_at": follow}
    url = reverse("leads:move", args=[lead.pk]) + f"?{query}"
    body = client_of(sam).post(url, move, HTTP_HX_REQUEST="true").content.decode()
    assert "Ayşe Kaya" in body and "Ozan Telefon" not in body
    assert f'hx-get="{reverse("leads:board")}?{query}"' in body
    response = client_of(sam).post(url, move | {"note": "x"})
    assert response.status_code == 302 and response.url == reverse("leads:board") + f"?{query}"


def test_a_move_refused_on_the_board_shows_the_board_and_why(client_of, sam, hotel_a, web):
    lead = make(hotel_a, web)
    response = client_of(sam).post(
        reverse("leads:move", args=[lead.pk]), {"from": "board", "status": "lost"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    # 400 like every refused write of the console; htmx swaps it in (base.html).
    assert response.status_code == 400
    body = response.content.decode()
    with translation.override("tr"):  # the console's language
        why = translation.gettext("Why was it lost?")
    assert 'id="board"' in body and "Ayşe Kaya" in body and why in body
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_the_board_shows_the_30_latest_of_a_stage_and_counts_them_all(sam, hotel_a, web):
    for i in range(32):
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=i)):
            make(hotel_a, web, name=f"Guest {i:02d}", budget=Decimal(100))
    selectors.leads_for_user(sam)  # the hotel scope, cached on the user
    with CaptureQueriesContext(connection) as queries:
        columns = {c.status: c for c in selectors.pipeline(sam, selectors.LeadFilter(view="all"))}
    assert len(queries) == 2  # counts and sums; the cards
    assert "ROW_NUMBER()" in queries[1]["sql"]  # cut per stage in the database, not in Python
    new = columns[LeadStatus.NEW]
    assert (new.count, new.value, len(new.leads)) == (32, Decimal(3200), 30)
    assert [lead.name for lead in new.leads[:2]] == ["Guest 31", "Guest 30"]
    assert columns[LeadStatus.WON].leads == []


def test_the_boards_agent_filter_reads_all_hotels_in_one_query(
    alice, bob, sam, hotel_a, hotel_b, django_assert_num_queries
):
    selectors.agents_of_properties([hotel_a.pk])  # the content type, cached per process
    with django_assert_num_queries(1):
        agents = selectors.agents_of_properties([hotel_a.pk, hotel_b.pk])
    assert agents == [alice.agent_profile, bob.agent_profile]  # agents only: not sam


def test_the_missed_requests_take_a_bad_period_as_the_default(client_of, sam):
    for days, shown in (("x", 7), ("", 7), ("365", 90), ("0", 1), ("14", 14)):
        response = client_of(sam).get(reverse("leads:missed"), {"days": days})
        assert response.status_code == 200 and response.context["days"] == shown


def test_the_lead_queue_lists_in_a_fixed_number_of_queries(
    alice_client, alice, hotel_a, web, django_assert_num_queries
):
    alice_client.get(reverse("leads:queue"))  # the session's first request records presence
    for i in range(8):
        lead = make(hotel_a, web, name=f"Guest {i}")
        services.lead_assign(lead=lead, agent=alice.agent_profile, by=alice)
    # session, user, permissions (2), profile, hotel scope, leads (with hotel, source,
    # agent), counts, campaigns; top bar: roles, unread alerts; the filter's hotels
    # and sources. However many leads.
    with django_assert_num_queries(13):
        response = alice_client.get(reverse("leads:queue"))
    assert response.content.decode().count('class="qrow') == 8


def test_sending_an_offer_from_the_screen_calls_the_cloud_api(client_of, alice, wa_lead):
    from channels_inbox import services as inbox_services

    until = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    follow = (timezone.localtime() + IN_A_DAY).strftime("%Y-%m-%dT%H:%M")
    form = {"next_step": "confirm", "language": "de", "follow_up_at": follow}
    for i, (room, price) in enumerate((("Family Room", "1890"), ("Suite", "2450")), start=1):
        form |= {f"option{i}_room_type": room, f"option{i}_board": "AI",
                 f"option{i}_arrival": "2027-08-01", f"option{i}_departure": "2027-08-08",
                 f"option{i}_price": price, f"option{i}_currency": "EUR",
                 f"option{i}_valid_until": until}  # fmt: skip
    response = client_of(alice).post(reverse("leads:offer_send", args=[wa_lead.pk]), form)
    assert response.status_code == 302
    queued = Message.objects.get(direction="out")
    with respx.mock(assert_all_called=True) as meta:
        api = meta.post(f"{GRAPH}/106540352242922/messages").respond(
            200, json={"messages": [{"id": "wamid.OFFER1"}]}
        )
        inbox_services.message_deliver(message=queued)  # what the worker does
    sent = json.loads(api.calls.last.request.content)
    assert sent["to"] == "905321112233" and "Family Room" in sent["text"]["body"]


def test_the_offer_preview_shows_the_text_the_guest_will_read(client_of, alice, wa_lead):
    until = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    form = {"next_step": "confirm", "language": "en", "follow_up_at": ""}
    for i, (room, price) in enumerate((("Family Room", "1890"), ("Suite", "2450")), start=1):
        form |= {f"option{i}_room_type": room, f"option{i}_board": "AI",
                 f"option{i}_arrival": "2027-08-01", f"option{i}_departure": "2027-08-08",
                 f"option{i}_price": price, f"option{i}_currency": "EUR",
                 f"option{i}_valid_until": until}  # fmt: skip
    response = client_of(alice).post(
        reverse("leads:offer_preview", args=[wa_lead.pk]), form, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="offer-preview"' in body and "1) Family Room, All inclusive" in body
