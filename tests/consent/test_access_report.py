"""The data protection officer's access report: who accessed a guest, what
a user accessed, at the officer's own hotels only; a question it cannot
read is a 400 that says what is wrong, never a 500."""

import datetime as dt
import html
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from consent.access import access_record, access_report_users
from consent.models import AccessAction, AccessLog
from guestview.models import Role
from tests.factories import GuestFactory, persona

pytestmark = pytest.mark.django_db

REPORT = reverse("consent:access_report")
ISTANBUL = zoneinfo.ZoneInfo("Europe/Istanbul")


@pytest.fixture
def guest_a(hotel_a):
    return GuestFactory(property=hotel_a)


@pytest.fixture
def guest_b(hotel_b):
    return GuestFactory(property=hotel_b)


@pytest.fixture
def dpo_of_b(bob):
    bob.user_permissions.add(Permission.objects.get(codename="act_as_dpo"))
    return bob


@pytest.fixture
def ursula(hotel_a, hotel_b):
    """An agent of both hotels: her day shows at each in part."""
    return persona("ursula", role=Role.AGENT, properties=[hotel_a, hotel_b])


def page(response) -> str:
    return html.unescape(response.content.decode())


def test_it_answers_an_impossible_date_with_400_and_says_so(client_of, ada, alice):
    response = client_of(ada).get(REPORT, {"user": alice.pk, "since": "2026-02-30T10:00"})

    assert response.status_code == 400
    error = response.context["form"].errors["since"][0]
    assert error in page(response)


@pytest.mark.parametrize("field", ["guest", "user"])
def test_it_answers_a_digit_that_is_no_number_with_400(client_of, ada, field):
    response = client_of(ada).get(REPORT, {field: "²"})

    assert response.status_code == 400
    assert response.context["form"].errors[field][0] in page(response)


def test_it_reads_the_period_in_turkey_time(client_of, ada, alice, guest_a):
    at = dt.datetime(2026, 3, 2, 10, 30, tzinfo=ISTANBUL)
    AccessLog.objects.create(actor=alice, action=AccessAction.VIEW, guest_id=guest_a.pk,
                             property=guest_a.property, at=at)  # fmt: skip
    client = client_of(ada)

    inside = client.get(REPORT, {"user": alice.pk, "since": "2026-03-02T10:00",
                                 "until": "2026-03-02T11:00"})  # fmt: skip
    after = client.get(REPORT, {"user": alice.pk, "since": "2026-03-02T10:31",
                                "until": "2026-03-02T11:00"})  # fmt: skip

    assert inside.status_code == 200 and list(inside.context["entries"])
    assert after.status_code == 200 and not list(after.context["entries"])


def test_a_dpo_of_hotel_b_gets_a_404_for_a_guest_of_hotel_a(client_of, dpo_of_b, alice, guest_a):
    access_record(actor=alice, action=AccessAction.VIEW, guest=guest_a)

    assert client_of(dpo_of_b).get(REPORT, {"guest": guest_a.pk}).status_code == 404


def test_a_dpo_of_hotel_b_sees_only_hotel_b_of_what_a_user_accessed(
    client_of, dpo_of_b, ursula, guest_a, guest_b
):
    access_record(actor=ursula, action=AccessAction.VIEW, guest=guest_a)
    access_record(actor=ursula, action=AccessAction.VIEW, guest=guest_b)

    response = client_of(dpo_of_b).get(REPORT, {"user": ursula.pk})

    assert [e.guest_id for e in response.context["entries"]] == [guest_b.pk]
    assert f"#{guest_a.pk}<" not in response.content.decode()


def test_the_user_list_holds_the_people_of_the_viewers_hotels(
    client_of, dpo_of_b, ada, alice, sam, ursula
):
    assert set(access_report_users(dpo_of_b)) == {dpo_of_b, ursula}
    assert {alice, sam, ursula, dpo_of_b} <= set(access_report_users(ada))
    response = client_of(dpo_of_b).get(REPORT, {"user": alice.pk})
    assert response.status_code == 400 and "user" in response.context["form"].errors
    assert "Alice" not in response.content.decode()
