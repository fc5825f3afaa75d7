"""KVKK article 11: data subject requests (registered, due in 30 days,
answered), the copy of a guest's data, anonymization across every app —
proved by searching every table of the database for the guest afterwards —
and the retention periods of the nightly job."""

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone, translation

from channels_inbox import inbound
from channels_inbox import services as inbox_services
from channels_inbox.models import (
    ChannelAccount,
    ChannelKind,
    Conversation,
    ConversationStatus,
    InboundPayload,
    Message,
    PayloadStatus,
    WebChatVisitor,
)
from consent import needs, privacy, tasks
from consent.models import (
    AccessAction,
    AccessLog,
    AppendOnlyError,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    ConsentType,
    DataSubjectRequest,
    ErasureLog,
    ExplicitConsent,
    GuestNeeds,
    IysState,
    PulledChange,
    RequestKind,
    RequestStatus,
    RetentionCategory,
    RetentionPolicy,
)
from consent.models.records import recipient_pseudonym
from consent.services import consent_record
from guestview import services as guest_services
from guestview.cti import tokens
from guestview.models import (
    AlertKind,
    Call,
    CallEvent,
    ContactKind,
    ContactPoint,
    Guest,
    NoteKind,
    PropertyNumber,
    RejectedCallEvent,
    Stay,
)
from kpi.models import KpiEvent
from leads import services as lead_services
from leads.models import IntakeForm, IntakeSubmission, Lead, LeadSource, LeadStatus
from tests.channels_inbox import meta_payloads as mp
from tests.channels_inbox.conftest import GRAPH
from tests.factories import (
    ContactPointFactory,
    GuestFactory,
    PbxFactory,
    PreferenceFactory,
    StayFactory,
)

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zümrüt", "Kırkağaçlı"
PHONE_RAW = "0532 765 43 21"
PHONE = "+905327654321"
WA_ID = "905327654321"  # WhatsApp writes the number without the plus
EMAIL = "zumrut.kirkagacli@posta.example"
# Everything that names or reaches her: none of it may be anywhere afterwards.
NEEDLES = [PHONE, WA_ID, "5327654321", PHONE_RAW, EMAIL, FIRST, LAST]


# --- personas and data ---------------------------------------------------------------


@pytest.fixture
def wa_account(hotel_a):
    return ChannelAccount.objects.create(
        property=hotel_a, kind=ChannelKind.WHATSAPP, name="Hotel A WhatsApp",
        external_id=mp.PHONE_NUMBER_ID, access_token="EAAG-test-token", app_secret=mp.APP_SECRET,
        verify_token=mp.VERIFY_TOKEN, api_base_url=GRAPH,
    )  # fmt: skip


@pytest.fixture
def zumrut(hotel_a):
    guest = GuestFactory(
        property=hotel_a, first_name=FIRST, last_name=LAST, birth_date=dt.date(1986, 4, 2),
        nationality="TR", segment="family",
    )  # fmt: skip
    ContactPointFactory(guest=guest, raw_value=PHONE_RAW, is_primary=True)
    ContactPointFactory(
        guest=guest, kind=ContactKind.EMAIL, raw_value="Zumrut.Kirkagacli@Posta.example"
    )
    return guest


@pytest.fixture
def bob_the_dpo(bob):
    """bob handles data requests too, for hotel B only."""
    bob.user_permissions.add(Permission.objects.get(codename="act_as_dpo"))
    return bob


def whatsapp(client, text, *, name=f"{FIRST} {LAST}"):
    raw, headers = mp.signed(mp.wa_text(text, wa_id=WA_ID, name=name))
    response = client.post("/webhooks/whatsapp", raw, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    return inbound.inbound_process(payload_id=response.json()["stored"])


def web_form(client, site, fields):
    raw = json.dumps(fields, ensure_ascii=False).encode()
    signature = hmac.new(site.secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        reverse("leads:intake"), raw, content_type="application/json",
        HTTP_X_M360_FORM=str(site.pk), HTTP_X_M360_SIGNATURE=f"sha256={signature}",
    )  # fmt: skip


def cti(client, pbx, body):
    return client.post(
        reverse("cti:events"), json.dumps(body), content_type="application/json",
        headers={tokens.TOKEN_HEADER: pbx.token},
    )  # fmt: skip


def offer_options():
    until = timezone.now() + dt.timedelta(days=2)
    return [
        lead_services.OptionIn("Family Room", "AI", dt.date(2027, 8, 1), dt.date(2027, 8, 8),
                               Decimal("1890"), until),
        lead_services.OptionIn("Junior Suite", "UAI", dt.date(2027, 8, 1), dt.date(2027, 8, 8),
                               Decimal("2450"), until),
    ]  # fmt: skip


@pytest.fixture
def history(client, zumrut, hotel_a, wa_account, alice, sam, ada):
    """Zümrüt in every app, through the doors and services that write there:
    a stay, a preference, a note, a WhatsApp thread (its raw webhook body
    too), a missed call (and a CTI body that could not be read), a web form
    lead with its consent, an offer, an e-mail consent and what İYS reported,
    an alert, a web chat, admin history and her erasure request."""
    StayFactory(guest=zumrut, pms_reservation_id="PMS-778812", notes=f"{FIRST} Hanım: anniversary")
    PreferenceFactory(guest=zumrut)
    needs.explicit_consent_record(guest=zumrut, by=alice, given=True, method="on_call")
    needs.needs_set(
        guest=zumrut, by=alice, accessibility=["wheelchair"], dietary=["gluten_free"],
        detail=f"{FIRST} Hanım needs a ramp to the beach",
    )  # fmt: skip
    guest_services.guest_note_add(
        guest=zumrut, author=alice, kind=NoteKind.REQUEST,
        text=f"{FIRST} {LAST} wants a sea view; call back on {PHONE_RAW}",
        room_wish=f"sea view, cake for {FIRST}",
    )  # fmt: skip

    whatsapp(client, f"Merhaba, ben {FIRST} {LAST}. Temmuzda aile odası var mı? {EMAIL}")
    thread = Conversation.objects.get(channel=ChannelKind.WHATSAPP)
    assert thread.guest == zumrut

    PropertyNumber.objects.create(property=hotel_a, number="+902427101000", label="Reservations")
    pbx = PbxFactory()
    ring = {"event": "ringing", "call_id": "c-77", "caller": PHONE_RAW,
            "called": "+90 242 710 10 00", "agent_extension": "201"}  # fmt: skip
    assert cti(client, pbx, ring).status_code == 200
    assert cti(client, pbx, {"event": "hangup", "call_id": "c-77"}).status_code == 200
    assert cti(client, pbx, {**ring, "caller": PHONE, "at": "yesterday"}).status_code == 400
    assert Call.objects.get().guest == zumrut

    site = IntakeForm.objects.create(
        property=hotel_a, name="Booking page", source=LeadSource.objects.get(code="web-form")
    )
    response = web_form(client, site, {
        "name": f"{FIRST} {LAST}", "phone": "+90 532 765 43 21",
        "request": "Ağustos için aile odası", "consent": True, "utm_source": "google",
    })  # fmt: skip
    assert response.status_code == 201
    assert web_form(client, site, {"name": f"{FIRST} {LAST}", "email": EMAIL}).status_code == 400
    lead = Lead.objects.get()
    assert lead.guest == zumrut
    lead_services.offer_send(
        lead=lead, by=alice, options=offer_options(), next_step="confirm",
        follow_up_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    lead_services.lead_move(lead=lead, to=LeadStatus.WON, by=alice, reservation_number="RES-99812")

    consent_record(
        guest=zumrut, type=ConsentType.EPOSTA, status=ConsentStatus.ONAY,
        source=ConsentSource.HS_CAGRI_MERKEZI, recipient=EMAIL, recorded_by=alice,
        note=f"{FIRST} Hanım said yes on the phone",
    )  # fmt: skip
    PulledChange.objects.create(
        recipient=PHONE, recipient_type="BIREYSEL", type="MESAJ", status="RET", source="IYS_WEB"
    )

    guest_services.alert_send(
        users=[sam], kind=AlertKind.SLA_WARNING, title=f"{FIRST} {LAST}: first response due 14:30",
        url=f"/inbox/{thread.pk}/", property_id=hotel_a.pk,
        subject=f"conversation:{thread.pk}:first_response:1",
    )  # fmt: skip

    webchat = ChannelAccount.objects.create(
        property=hotel_a, kind=ChannelKind.WEBCHAT, name="Site chat"
    )
    chat = Conversation.objects.create(
        property=hotel_a, account=webchat, channel=ChannelKind.WEBCHAT, contact_key=EMAIL,
        contact_name=f"{FIRST} {LAST}", guest=zumrut, status=ConversationStatus.CLOSED,
    )  # fmt: skip
    WebChatVisitor.objects.create(
        account=webchat, name=f"{FIRST} {LAST}", contact=EMAIL, consent_at=timezone.now(),
        conversation=chat,
    )  # fmt: skip

    LogEntry.objects.create(
        user=ada, content_type=ContentType.objects.get_for_model(Guest),
        object_id=str(zumrut.pk), object_repr=str(zumrut), action_flag=CHANGE, change_message="[]",
    )  # fmt: skip

    request = privacy.dsr_register(
        guest=zumrut, kind=RequestKind.ERASURE, received_on=timezone.localdate(), by=ada,
        note=f"By e-mail from {EMAIL}",
    )  # fmt: skip
    return {"thread": thread, "lead": lead, "request": request}


def close_open_work(zumrut, alice):
    for conversation in Conversation.objects.filter(guest=zumrut, status=ConversationStatus.OPEN):
        inbox_services.conversation_close(
            conversation=conversation, by=alice, outcome="answered",
            summary=f"{FIRST} Hanım wants the offer by e-mail",
        )  # fmt: skip


def hits(needles) -> list[str]:
    """Every text column of every table (JSON as text) that still holds one
    of ``needles``, case-insensitively: "app.Model.field ×rows"."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            match = models.Q()
            for needle in needles:
                match |= models.Q(as_text__icontains=needle)
            rows = (
                model._base_manager.annotate(as_text=Cast(field.attname, models.TextField()))
                .filter(match)
                .count()
            )
            if rows:
                found.append(f"{model._meta.label}.{field.name} ×{rows}")
    return found


# --- anonymization ---------------------------------------------------------------------


def test_after_anonymizing_no_table_holds_her_name_number_or_address(history, zumrut, alice, ada):
    before = hits(NEEDLES)
    # The search finds her where she is (a test that cannot fail proves nothing).
    for table in ["guestview.Guest.first_name", "guestview.ContactPoint.value",
                  "guestview.Call.caller", "guestview.CallEvent.payload",
                  "guestview.RejectedCallEvent.body", "guestview.GuestNote.text",
                  "guestview.Stay.notes", "guestview.Alert.title", "channels_inbox.Message.text",
                  "channels_inbox.Message.external_id", "channels_inbox.InboundPayload.body",
                  "channels_inbox.Conversation.contact_key", "channels_inbox.WebChatVisitor.name",
                  "leads.Lead.name", "leads.Offer.text", "leads.IntakeSubmission.body",
                  "consent.ConsentRecord.recipient", "consent.ConsentRecord.note",
                  "consent.PulledChange.recipient", "consent.DataSubjectRequest.note",
                  "admin.LogEntry.object_repr", "consent.GuestNeeds.detail"]:  # fmt: skip
        assert any(hit.startswith(f"{table} ") for hit in before), (table, before)
    close_open_work(zumrut, alice)
    consents = ConsentRecord.objects.filter(guest=zumrut).count()
    kpi_events = KpiEvent.objects.count()

    log = privacy.guest_anonymize(guest=zumrut, by=ada, request=history["request"])

    assert hits(NEEDLES) == []
    # Consent history stays as evidence, and can still be checked.
    records = ConsentRecord.objects.filter(guest=zumrut)
    assert records.count() == consents == 3
    assert set(records.values_list("recipient", flat=True)) == {
        recipient_pseudonym(PHONE),
        recipient_pseudonym(EMAIL),
    }
    assert not records.filter(iys_state=IysState.PENDING).exists()  # never sent to İYS now
    # Her health data goes; that she consented to keeping it stays.
    assert not GuestNeeds.objects.exists() and ExplicitConsent.objects.filter(guest=zumrut)
    # The anonymous statistics stay.
    assert KpiEvent.objects.count() == kpi_events
    zumrut.refresh_from_db()
    assert (zumrut.first_name, zumrut.last_name, zumrut.segment) == (
        "Anonim", f"#{zumrut.pk}", "family",
    )  # fmt: skip
    assert zumrut.birth_date is None and zumrut.search_name == f"anonim {zumrut.pk}"
    assert Stay.objects.get(guest=zumrut).total_revenue == Decimal("2450.00")
    assert Call.objects.get().guest == zumrut
    assert Message.objects.filter(conversation__guest=zumrut).count() >= 3
    lead = Lead.objects.get()
    assert (lead.status, lead.utm_source, lead.guest) == (LeadStatus.WON, "google", zumrut)
    assert lead.reservation_number.startswith("anon:")
    # What it did is logged, per table, and so is who did it.
    assert log.reason == "request" and log.request == history["request"] and log.by == ada
    assert log.counts["guestview.contactpoint"] == 2
    assert log.counts["consent.consentrecord"] == 3
    assert log.counts["channels_inbox.inboundpayload"] == 1
    assert log.counts["leads.intakesubmission"] == 2
    assert AccessLog.objects.get(action=AccessAction.ERASE).guest_id == zumrut.pk


def test_anonymizing_twice_changes_nothing_the_second_time(history, zumrut, alice, ada):
    close_open_work(zumrut, alice)
    privacy.guest_anonymize(guest=zumrut, by=ada)
    again = privacy.guest_anonymize(guest=zumrut, by=ada)
    assert again.counts and set(again.counts.values()) == {0}
    assert ErasureLog.objects.filter(guest_ref=zumrut.pk).count() == 2


def test_it_refuses_while_a_conversation_is_still_open(history, zumrut, ada):
    with translation.override("en"), pytest.raises(ValidationError, match="Close the guest's open"):
        privacy.guest_anonymize(guest=zumrut, by=ada)
    zumrut.refresh_from_db()
    assert zumrut.first_name == FIRST
    assert ContactPoint.objects.filter(guest=zumrut).count() == 2
    assert not ErasureLog.objects.exists()


def test_it_leaves_another_guest_on_a_shared_number_alone(hotel_a, zumrut, ada):
    husband = GuestFactory(property=hotel_a, first_name="Kemal", last_name="Kırkağaçlıoğlu")
    ContactPointFactory(guest=husband, raw_value=PHONE_RAW)
    PulledChange.objects.create(
        recipient=PHONE, recipient_type="BIREYSEL", type="MESAJ", status="RET", source="IYS_WEB"
    )
    privacy.guest_anonymize(guest=zumrut, by=ada)
    husband.refresh_from_db()
    assert husband.first_name == "Kemal"
    assert ContactPoint.objects.get(guest=husband).value == PHONE
    assert PulledChange.objects.get().recipient == PHONE  # still his İYS audit


def test_a_namesake_keeps_her_messages(client, hotel_a, wa_account, zumrut, ada):
    namesake = GuestFactory(property=hotel_a, first_name=FIRST, last_name=LAST)
    ContactPointFactory(guest=namesake, raw_value="0533 111 22 33")
    raw, headers = mp.signed(mp.wa_text("Merhaba", wa_id="905331112233", name=f"{FIRST} {LAST}"))
    stored = client.post("/webhooks/whatsapp", raw, content_type="application/json", **headers)
    inbound.inbound_process(payload_id=stored.json()["stored"])
    inbox_services.conversation_close(
        conversation=Conversation.objects.get(guest=namesake), by=ada, outcome="answered"
    )

    privacy.guest_anonymize(guest=zumrut, by=ada)

    assert InboundPayload.objects.get().body == raw.decode()
    assert Message.objects.get().text == "Merhaba"
    assert Conversation.objects.get().contact_name == f"{FIRST} {LAST}"
    namesake.refresh_from_db()
    assert namesake.first_name == FIRST


def test_consent_records_refuse_other_rewrites_still():
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.update(recipient="x")


# --- the copy -------------------------------------------------------------------------


def test_the_copy_holds_her_messages_stays_consents_and_leads(client_of, history, zumrut, ada):
    response = client_of(ada).get(
        reverse("privacy:guest_export_json", args=[zumrut.pk]),
        {"request": history["request"].pk},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="guest-{zumrut.pk}.json"'
    data = json.loads(response.content)
    assert data["guest"]["first_name"] == FIRST
    assert {c["value"] for c in data["contact_points"]} == {PHONE, EMAIL}
    assert [s["pms_reservation_id"] for s in data["stays"]] == ["PMS-778812"]
    texts = [m["text"] for c in data["conversations"] for m in c["messages"]]
    assert any("Temmuzda aile odası" in text for text in texts)
    assert len(data["consent_history"]) == 3
    [lead] = data["leads"]
    assert lead["case_id"] == history["lead"].case_id and lead["offers"][0]["options"]
    assert lead["events"] and data["calls"] and data["notes"] and data["web_chat"]
    assert data["needs"][0]["accessibility"] == ["wheelchair"] and data["explicit_consents"]
    assert data["data_subject_requests"][0]["kind"] == str(RequestKind.ERASURE.label)
    export = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (export.actor, export.guest_id, export.context) == (
        ada, zumrut.pk, f"request:{history['request'].pk}",
    )  # fmt: skip


def test_the_copy_is_also_a_page_to_read(client_of, history, zumrut, ada):
    response = client_of(ada).get(reverse("privacy:guest_export_page", args=[zumrut.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Temmuzda aile odası" in page and "PMS-778812" in page
    assert history["lead"].case_id in page
    assert AccessLog.objects.filter(action=AccessAction.EXPORT, guest_id=zumrut.pk).count() == 1


def test_the_copy_is_a_dpo_task(client_of, zumrut, alice, sam):
    for user in (alice, sam):
        response = client_of(user).get(reverse("privacy:guest_export_json", args=[zumrut.pk]))
        assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_a_dpo_of_another_hotel_gets_404(client_of, zumrut, bob_the_dpo):
    client = client_of(bob_the_dpo)
    assert client.get(reverse("privacy:guest_export_json", args=[zumrut.pk])).status_code == 404
    assert client.get(reverse("privacy:guest_export_page", args=[zumrut.pk])).status_code == 404
    assert client.get(reverse("privacy:requests"), {"guest": zumrut.pk}).status_code == 404
    assert not AccessLog.objects.exists()


def test_the_copy_is_plain_json(zumrut, ada):
    data = privacy.guest_export(guest=zumrut, by=ada)
    assert json.loads(json.dumps(data)) == data


# --- requests -------------------------------------------------------------------------


def test_a_request_is_due_thirty_days_after_it_reached_us(zumrut, ada):
    request = privacy.dsr_register(
        guest=zumrut, kind=RequestKind.ACCESS, received_on=dt.date(2026, 3, 2), by=ada
    )
    assert request.due_on == dt.date(2026, 4, 1)
    assert (request.guest_ref, request.property_id) == (zumrut.pk, zumrut.property_id)
    today = timezone.localdate()
    late = privacy.dsr_register(
        guest=zumrut, kind=RequestKind.ACCESS, received_on=today - dt.timedelta(days=31), by=ada
    )
    due_today = privacy.dsr_register(
        guest=zumrut, kind=RequestKind.ACCESS, received_on=today - dt.timedelta(days=30), by=ada
    )
    assert (late.is_overdue, due_today.is_overdue) == (True, False)


def test_a_request_cannot_arrive_in_the_future(zumrut, ada):
    with pytest.raises(ValidationError) as refused:
        privacy.dsr_register(
            guest=zumrut, kind=RequestKind.ACCESS, by=ada,
            received_on=timezone.localdate() + dt.timedelta(days=2),
        )  # fmt: skip
    assert "received_on" in refused.value.message_dict


def test_a_refusal_needs_a_reason_and_a_request_is_answered_once(zumrut, ada):
    request = privacy.dsr_register(
        guest=zumrut, kind=RequestKind.CORRECTION, received_on=timezone.localdate(), by=ada
    )
    with pytest.raises(ValidationError) as refused:
        privacy.dsr_answer(request=request, by=ada, status=RequestStatus.REFUSED)
    assert "note" in refused.value.message_dict
    answered = privacy.dsr_answer(
        request=request, by=ada, status=RequestStatus.ANSWERED, note="Birth date corrected."
    )
    assert (answered.status, answered.answered_by) == (RequestStatus.ANSWERED, ada)
    with translation.override("en"), pytest.raises(ValidationError, match="answered already"):
        privacy.dsr_answer(request=request, by=ada, status=RequestStatus.ANSWERED)


def test_the_list_shows_open_requests_first_the_overdue_marked(
    client_of, ada, hotel_a, django_assert_num_queries
):
    today = timezone.localdate()
    for days_ago in (40, 3, 10):
        guest = GuestFactory(property=hotel_a)
        privacy.dsr_register(
            guest=guest, kind=RequestKind.ACCESS, received_on=today - dt.timedelta(days=days_ago),
            by=ada,
        )  # fmt: skip
    done = privacy.dsr_register(
        guest=GuestFactory(property=hotel_a), kind=RequestKind.ACCESS, received_on=today, by=ada
    )
    privacy.dsr_answer(request=done, by=ada, status=RequestStatus.ANSWERED)
    client = client_of(ada)
    client.get(reverse("privacy:requests"))  # warm the per-process caches
    # session, user, its permissions (2), hotels in scope, open, closed; the
    # console's own: agent profile, roles, unread alerts. Not one per request.
    with django_assert_num_queries(10):
        response = client.get(reverse("privacy:requests"))
    assert response.status_code == 200
    opened = [r.received_on for r in response.context["open_requests"]]
    assert opened == sorted(opened)  # the oldest, most urgent first
    assert [r.is_overdue for r in response.context["open_requests"]] == [True, False, False]
    assert response.content.decode().count('class="is-overdue"') == 1
    assert [r.pk for r in response.context["closed_requests"]] == [done.pk]


def test_a_dpo_registers_a_request_from_the_guest_page_link(client_of, zumrut, ada):
    client = client_of(ada)
    page = client.get(reverse("privacy:requests"), {"guest": zumrut.pk})
    assert page.context["form"].initial["guest"] == zumrut.pk
    response = client.post(reverse("privacy:requests"), {
        "guest": zumrut.pk, "kind": "erasure", "received_on": timezone.localdate().isoformat(),
        "note": "Asked at the front desk.",
    })  # fmt: skip
    request = DataSubjectRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "privacy:request", args=[request.pk]
    )
    assert (request.kind, request.registered_by) == (RequestKind.ERASURE, ada)


def test_a_guest_of_another_hotel_cannot_be_registered(client_of, zumrut, bob_the_dpo):
    response = client_of(bob_the_dpo).post(reverse("privacy:requests"), {
        "guest": zumrut.pk, "kind": "access", "received_on": timezone.localdate().isoformat(),
    })  # fmt: skip
    assert response.status_code == 400
    assert "guest" in response.context["form"].errors
    assert not DataSubjectRequest.objects.exists()


def test_the_pages_are_for_the_dpo(client_of, zumrut, alice, ada):
    request = privacy.dsr_register(
        guest=zumrut, kind=RequestKind.ERASURE, received_on=timezone.localdate(), by=ada
    )
    client = client_of(alice)
    assert client.get(reverse("privacy:requests")).status_code == 403
    assert client.get(reverse("privacy:request", args=[request.pk])).status_code == 403
    anonymize = reverse("privacy:request_anonymize", args=[request.pk])
    assert client.post(anonymize, {"confirm": "on"}).status_code == 403
    zumrut.refresh_from_db()
    assert zumrut.first_name == FIRST


def test_a_request_of_another_hotel_is_404(client_of, zumrut, ada, bob_the_dpo):
    request = privacy.dsr_register(
        guest=zumrut, kind=RequestKind.ERASURE, received_on=timezone.localdate(), by=ada
    )
    client = client_of(bob_the_dpo)
    assert client.get(reverse("privacy:request", args=[request.pk])).status_code == 404
    anonymize = reverse("privacy:request_anonymize", args=[request.pk])
    assert client.post(anonymize, {"confirm": "on"}).status_code == 404


def test_anonymizing_from_the_request_needs_the_confirmation(client_of, zumrut, ada):
    request = privacy.dsr_register(
        guest=zumrut, kind=RequestKind.ERASURE, received_on=timezone.localdate(), by=ada
    )
    client = client_of(ada)
    url = reverse("privacy:request_anonymize", args=[request.pk])
    assert client.post(url, {}).status_code == 400
    assert not ErasureLog.objects.exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    log = ErasureLog.objects.get()
    assert (log.guest_ref, log.request, log.by) == (zumrut.pk, request, ada)
    zumrut.refresh_from_db()
    assert zumrut.first_name == "Anonim"
    page = client.get(reverse("privacy:request", args=[request.pk]))
    assert page.status_code == 200 and "guestview.contactpoint" in page.content.decode()
    answered = client.post(
        reverse("privacy:request_answer", args=[request.pk]), {"status": "answered"}
    )
    assert answered.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED


def test_the_request_page_says_what_to_close_first(client_of, history, zumrut, ada):
    request = history["request"]
    client = client_of(ada)
    page = client.get(reverse("privacy:request", args=[request.pk]))
    assert history["thread"] in page.context["open_work"]["conversations"]
    response = client.post(
        reverse("privacy:request_anonymize", args=[request.pk]), {"confirm": "on"}
    )
    assert response.status_code == 400
    assert "Önce misafirin açık görüşmelerini (2)" in response.context["error"]  # the console: tr


# --- retention -----------------------------------------------------------------------


YEARS_AGO = dt.timedelta(days=3 * 365 + 30)


def test_the_default_periods_are_in_place():
    policies = {p.category: (p.days, p.is_active) for p in RetentionPolicy.objects.all()}
    assert policies == {
        RetentionCategory.INACTIVE_GUEST: (1095, False),
        RetentionCategory.MESSAGES: (730, True),
        RetentionCategory.CALLS: (730, True),
        RetentionCategory.LEADS: (730, True),
        RetentionCategory.WEBHOOKS: (90, True),
        RetentionCategory.ACCESS_LOG: (730, True),
    }


@pytest.fixture
def old_and_new(hotel_a, wa_account, alice):
    """Of each kind, a row older than its period and a recent one."""
    now = timezone.now()
    old, new = now - YEARS_AGO, now - dt.timedelta(days=1)
    thread = Conversation.objects.create(
        property=hotel_a, account=wa_account, channel="whatsapp", contact_key=PHONE,
        status=ConversationStatus.CLOSED, last_message_at=old, summary="Asked about July",
        last_message_preview="Merhaba",
    )  # fmt: skip
    for at in (old, new):
        Message.objects.create(conversation=thread, direction="in", text="Merhaba", sent_at=at)
    pbx = PbxFactory()
    for call_id, at in (("old", old), ("new", new)):
        Call.objects.create(
            pbx=pbx, call_id=call_id, caller=PHONE, caller_raw=PHONE_RAW, created_at=at
        )
        CallEvent.objects.create(
            pbx=pbx, call_id=call_id, kind="ringing", occurred_at=at, received_at=at,
            payload={"caller": PHONE_RAW},
        )  # fmt: skip
    for status, at in ((PayloadStatus.PROCESSED, old), (PayloadStatus.PENDING, old),
                       (PayloadStatus.PROCESSED, new)):  # fmt: skip
        InboundPayload.objects.create(source="whatsapp", body=WA_ID, status=status, received_at=at)
    RejectedCallEvent.objects.create(door="webhook", body=PHONE, error="bad", received_at=old)
    web = LeadSource.objects.get(code="web-form")
    for at in (old, new):
        lead = lead_services.lead_create(
            property=hotel_a,
            source=web,
            name=f"{FIRST} {LAST}",
            contact=PHONE,
            request="Aile odası",
        )
        Lead.objects.filter(pk=lead.pk).update(
            status=LeadStatus.LOST, lost_reason="price", closed_at=at
        )
    IntakeSubmission.objects.create(body=EMAIL, status="accepted", received_at=old)
    for at in (old, new):
        AccessLog.objects.create(actor=alice, action=AccessAction.VIEW, at=at)
    return thread


def test_the_nightly_job_removes_what_is_older_than_its_period(old_and_new):
    logs = privacy.retention_apply()
    by_reason = {log.reason: log.counts for log in logs}
    assert by_reason == {
        "retention:access_log": {"consent.accesslog": 1},
        "retention:calls": {"guestview.call": 1, "channels_inbox.conversation": 0,
                            "guestview.callevent": 1},
        "retention:leads": {"leads.lead": 1, "leads.leadevent": 1, "leads.offer": 0,
                            "leads.intakesubmission": 0},
        "retention:messages": {"channels_inbox.message": 1, "channels_inbox.conversation": 1},
        "retention:webhooks": {"channels_inbox.inboundpayload": 1,
                               "guestview.rejectedcallevent": 1, "leads.intakesubmission": 1},
    }  # fmt: skip
    assert all(log.guest_ref is None and log.property is None and log.by is None for log in logs)
    assert list(Message.objects.order_by("sent_at").values_list("text", flat=True)) == [
        "",
        "Merhaba",
    ]
    old_and_new.refresh_from_db()
    assert (old_and_new.summary, old_and_new.last_message_preview) == ("", "")
    assert dict(Call.objects.values_list("call_id", "caller")) == {"old": "", "new": PHONE}
    assert InboundPayload.objects.filter(status=PayloadStatus.PENDING).count() == 1  # waits
    assert InboundPayload.objects.count() == 2
    assert sorted(Lead.objects.values_list("request", flat=True)) == ["", "Aile odası"]
    assert AccessLog.objects.count() == 1
    # Run again: nothing left to do, nothing logged.
    assert privacy.retention_apply() == []


def test_inactive_guests_are_anonymized_once_the_hotel_turns_it_on(hotel_a, zumrut, ada):
    long_ago = timezone.now() - YEARS_AGO
    Guest.objects.filter(pk=zumrut.pk).update(created_at=long_ago)
    StayFactory(
        guest=zumrut, arrival=long_ago.date(), departure=long_ago.date() + dt.timedelta(days=7)
    )
    regular = GuestFactory(property=hotel_a, created_at=long_ago)
    StayFactory(guest=regular, arrival=timezone.localdate() - dt.timedelta(days=30))
    assert privacy.retention_apply() == []  # off by default
    RetentionPolicy.objects.filter(category=RetentionCategory.INACTIVE_GUEST).update(is_active=True)

    [log] = privacy.retention_apply()

    assert (log.guest_ref, log.reason, log.by) == (zumrut.pk, "retention:inactive_guest", None)
    assert log.counts["guestview.contactpoint"] == 2
    zumrut.refresh_from_db()
    regular.refresh_from_db()
    assert zumrut.first_name == "Anonim" and regular.first_name.startswith("Zeynep")
    assert not AccessLog.objects.exists()  # nobody read anything
    assert privacy.retention_apply() == []  # once


def test_the_access_log_goes_only_through_retention(alice):
    entry = AccessLog.objects.create(actor=alice, action=AccessAction.VIEW)
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=entry.pk).delete()
    assert AccessLog.objects.expire(before=timezone.now() - dt.timedelta(days=1), limit=10) == 0
    assert AccessLog.objects.expire(before=timezone.now() + dt.timedelta(days=1), limit=10) == 1


def test_the_task_runs_the_job(old_and_new):
    assert tasks.retention_apply() == 5
    assert tasks.retention_apply() == 0


# --- admin ---------------------------------------------------------------------------


def test_the_erasure_log_is_read_only_in_the_admin(client_of, zumrut, ada):
    ada.is_staff = True
    ada.save(update_fields=["is_staff"])
    log = privacy.guest_anonymize(guest=zumrut, by=ada)
    client = client_of(ada)
    assert client.get(reverse("admin:consent_erasurelog_changelist")).status_code == 200
    assert client.get(reverse("admin:consent_erasurelog_add")).status_code == 403
    change = client.get(reverse("admin:consent_erasurelog_change", args=[log.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    assert client.get(reverse("admin:consent_erasurelog_delete", args=[log.pk])).status_code == 403
    assert client.get(reverse("admin:consent_datasubjectrequest_changelist")).status_code == 200
    assert client.get(reverse("admin:consent_retentionpolicy_changelist")).status_code == 200


# --- pseudonyms ----------------------------------------------------------------------


def test_the_keyed_hashes_stay_those_already_stored(settings):
    # Hashes written before consent.pseudonyms.keyed_hash must still match:
    # a RET is found by its recipient's hash, a stay by its reservation's.
    settings.SECRET_KEY = "pinned-key-for-stored-hashes"

    assert recipient_pseudonym("+905321112233") == (
        "sha256:bb720dbe3e1c90757acf7e4c0c89ec769e40a144c6a755d3c30c69c07293b660"
    )
    assert privacy.reference_pseudonym("RES000123") == "anon:7face8874e32803c2f6888cb6fa20a86"
    hashed = recipient_pseudonym("+905321112233"), privacy.reference_pseudonym("RES000123")
    assert (recipient_pseudonym(hashed[0]), privacy.reference_pseudonym(hashed[1])) == hashed
    assert privacy.reference_pseudonym("") == ""
