"""Special needs: a restricted structured field, only with explicit consent,
read only by those allowed, every read logged."""

import pytest
from django.urls import reverse

from consent import needs
from consent.guardrails import HINTS
from consent.models import AccessLog, ExplicitConsent, GuestNeeds
from consent.services import NoteRefused
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


# --- the detail: health by design, never an identifier ------------------------------------


def consented(guest, by):
    needs.explicit_consent_record(guest=guest, by=by, given=True, method="on_call")


@pytest.mark.parametrize(
    ("detail", "category"),
    [
        ("Çölyak; TC 10000000146 ile doğrulandı", "national_id"),
        ("celiac, paid the gluten-free menu with 4111 1111 1111 1111", "payment_card"),
        ("Rollstuhl, Erstattung an DE89370400440532013000", "iban"),
        ("wheelchair, passport no U23456781", "passport"),
    ],
)
def test_an_identifier_in_the_detail_is_refused(alice, guest, detail, category):
    consented(guest, alice)

    with pytest.raises(NoteRefused) as refused:
        needs.needs_set(guest=guest, by=alice, accessibility=["other"], dietary=[], detail=detail)

    assert [f.category for f in refused.value.findings] == [category]
    assert str(HINTS[category]) in refused.value.messages[0]  # what to do instead, as for notes
    assert not GuestNeeds.objects.exists()


def test_health_words_in_the_detail_are_what_it_is_for(alice, guest):
    consented(guest, alice)
    detail = "Çölyak hastası, insülin kullanıyor; tekerlekli sandalye, rampa gerekli"

    saved = needs.needs_set(
        guest=guest, by=alice, accessibility=["other"], dietary=[], detail=detail
    )

    assert saved.detail == detail


def test_needs_refused_with_the_consent_leave_no_consent_behind(alice, guest):
    with pytest.raises(NoteRefused):
        needs.needs_record(
            guest=guest, by=alice, explicit_consent=True, method="on_call",
            dietary=["gluten_free"], detail="kart 4111 1111 1111 1111",
        )  # fmt: skip

    assert not ExplicitConsent.objects.exists() and not GuestNeeds.objects.exists()


def test_needs_record_keeps_the_consent_and_the_needs_and_a_withdrawal_deletes_them(alice, guest):
    kept = needs.needs_record(
        guest=guest, by=alice, explicit_consent=True, method="written", dietary=["halal"]
    )
    assert kept.dietary == ["halal"] and needs.explicit_consent_given(guest)
    needs.needs_record(guest=guest, by=alice, explicit_consent=None, dietary=["kosher"])
    assert GuestNeeds.objects.get().dietary == ["kosher"]

    assert needs.needs_record(guest=guest, by=alice, explicit_consent=False) is None

    assert not GuestNeeds.objects.exists() and not needs.explicit_consent_given(guest)
    assert ExplicitConsent.objects.order_by("-id").first().method == "on_call"
