"""Agents record consent during a call, in two steps: state it, then
confirm the guest said so. A RET takes effect at once."""

import pytest
from django.urls import reverse

from consent.models import ConsentRecord
from consent.selectors import consent_state_for_guest
from tests.factories import ContactPointFactory, GuestFactory

pytestmark = pytest.mark.django_db

PHONE = "+905321112233"


@pytest.fixture
def guest(hotel_a):
    guest = GuestFactory(property=hotel_a)
    ContactPointFactory(guest=guest, raw_value=PHONE)
    return guest


def post(client, guest, **data):
    url = reverse("guestview:guest_consent_record", args=[guest.pk])
    return client.post(url, data, HTTP_HX_REQUEST="true")


def test_the_first_step_only_asks_for_confirmation(alice_client, guest):
    response = post(alice_client, guest, type="MESAJ", status="ONAY", recipient=PHONE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="confirm" value="yes"' in body and "+90 532 *** ** 33" in body
    assert not ConsentRecord.objects.exists()


def test_the_confirmed_statement_is_recorded_as_the_call_centers(alice_client, alice, guest):
    post(alice_client, guest, type="MESAJ", status="ONAY", recipient=PHONE, confirm="yes")
    record = ConsentRecord.objects.get()
    assert (record.type, record.status, record.source) == ("MESAJ", "ONAY", "HS_CAGRI_MERKEZI")
    assert record.recorded_by == alice and record.recipient == PHONE
    assert record.iys_due_at is not None  # goes to İYS within 3 business days


def test_a_ret_takes_effect_at_once(alice_client, guest):
    post(alice_client, guest, type="ARAMA", status="ONAY", recipient=PHONE, confirm="yes")
    response = post(alice_client, guest, type="ARAMA", status="RET", recipient=PHONE, confirm="yes")
    assert consent_state_for_guest(guest).call.refused
    assert "perm-ret" in response.content.decode()


def test_a_number_that_is_not_the_guests_is_refused(alice_client, guest):
    response = post(
        alice_client, guest, type="MESAJ", status="ONAY", recipient="+905559998877", confirm="yes"
    )
    assert response.status_code == 400 and not ConsentRecord.objects.exists()


def test_bob_cannot_record_for_hotel_a(bob_client, guest):
    assert post(bob_client, guest, type="MESAJ", status="ONAY", recipient=PHONE).status_code == 404


def test_the_dpo_sees_who_accessed_a_guest_and_what_a_user_accessed(
    alice_client, client_of, alice, ada, guest
):
    alice_client.get(reverse("guestview:guest_detail", args=[guest.pk]))
    report = reverse("consent:access_report")
    assert alice_client.get(report, {"guest": guest.pk}).status_code == 403
    by_guest = client_of(ada).get(report, {"guest": guest.pk}).content.decode()
    assert "Alice" in by_guest
    by_user = client_of(ada).get(report, {"user": alice.pk}).content.decode()
    assert f"#{guest.pk}" in by_user
