"""Special needs: a restricted structured field, only with explicit consent,
read only by those allowed, every read logged."""

import pytest
from django.urls import reverse

from consent.models import AccessLog, GuestNeeds
from tests.factories import GuestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest(hotel_a):
    return GuestFactory(property=hotel_a)


def post(client, guest, data):
    return client.post(reverse("guestview:guest_needs", args=[guest.pk]), data,
                       HTTP_HX_REQUEST="true")  # fmt: skip


def test_needs_are_refused_without_explicit_consent(alice_client, guest):
    response = post(alice_client, guest, {"dietary": ["gluten_free"]})
    assert response.status_code == 400 and "açık rıza" in response.content.decode()
    assert not GuestNeeds.objects.exists()


def test_an_agent_records_but_does_not_read(alice_client, guest):
    form = {"explicit_consent": "yes", "method": "on_call", "dietary": ["gluten_free"],
            "accessibility": ["wheelchair"]}  # fmt: skip
    response = post(alice_client, guest, form)
    assert response.status_code == 200
    assert GuestNeeds.objects.get().dietary == ["gluten_free"]
    body = alice_client.get(reverse("guestview:guest_needs", args=[guest.pk])).content.decode()
    assert 'value="gluten_free" checked' not in body  # her form does not show what is kept
    assert not AccessLog.objects.filter(action="needs").exists()


def test_a_supervisor_reads_and_the_read_is_logged(alice_client, client_of, sam, guest):
    post(alice_client, guest, {"explicit_consent": "yes", "method": "on_call",
                               "accessibility": ["wheelchair"]})  # fmt: skip
    body = client_of(sam).get(reverse("guestview:guest_needs", args=[guest.pk])).content.decode()
    assert 'value="wheelchair" checked' in body
    assert AccessLog.objects.get(action="needs").actor == sam


def test_withdrawing_consent_deletes_the_needs(client_of, sam, guest):
    post(client_of(sam), guest, {"explicit_consent": "yes", "method": "written",
                                 "dietary": ["halal"]})  # fmt: skip
    post(client_of(sam), guest, {"explicit_consent": "withdrawn"})
    assert not GuestNeeds.objects.exists()


def test_bob_sees_nothing_of_hotel_a(bob_client, guest):
    assert bob_client.get(reverse("guestview:guest_needs", args=[guest.pk])).status_code == 404
