"""Business days and public holidays (guestview.calendar), and alerts."""

import datetime as dt

import pytest

from guestview import calendar, selectors, services
from guestview.models import AlertKind, Holiday

pytestmark = pytest.mark.django_db

IST = calendar.ISTANBUL


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=IST)


@pytest.fixture
def bayram():
    Holiday.objects.filter(property__isnull=True).delete()  # only this test's holidays
    Holiday.objects.create(date=dt.date(2026, 5, 26), name="Arife", off_from=dt.time(13))
    for day in (27, 28, 29, 30):
        Holiday.objects.create(date=dt.date(2026, 5, day), name="Kurban Bayramı")


def test_three_business_days_from_friday_are_wednesday():
    Holiday.objects.filter(property__isnull=True).delete()
    assert calendar.business_days_add(at(2026, 12, 4, 15), 3) == at(2026, 12, 9, 15)


def test_a_bayram_is_skipped_but_its_half_day_eve_counts(bayram):
    # Monday 25 May: Tue 26 (arife, half day: counts), Wed-Sat bayram, Mon 1 Jun, Tue 2 Jun.
    assert calendar.business_days_add(at(2026, 5, 25, 10), 3) == at(2026, 6, 2, 10)


def test_a_hotels_own_holiday_counts_for_that_hotel_only(hotel_a, hotel_b):
    Holiday.objects.filter(property__isnull=True).delete()
    Holiday.objects.create(date=dt.date(2026, 12, 7), name="Local festival", property=hotel_a)
    start = at(2026, 12, 4, 9)
    assert calendar.business_days_add(start, 1, property_id=hotel_a.pk) == at(2026, 12, 8, 9)
    assert calendar.business_days_add(start, 1, property_id=hotel_b.pk) == at(2026, 12, 7, 9)


def test_the_holidays_of_turkey_are_preloaded_with_bayrams_and_eves():
    loaded = {h.date: h for h in Holiday.objects.filter(date__year=2027)}
    assert dt.date(2027, 10, 29) in loaded  # Cumhuriyet Bayramı
    assert dt.date(2027, 3, 9) in loaded  # Ramazan Bayramı moves every year
    assert loaded[dt.date(2027, 10, 28)].off_from == dt.time(13)
    assert services.holidays_load(years=[2027]) == 0  # already there, edits kept


def test_an_alert_reaches_its_people_once_per_subject(alice, sam, bob, hotel_a):
    assert selectors.supervisors_of_property(hotel_a.pk) == [sam]
    first = services.alert_send(
        users=[sam], kind=AlertKind.SLA_BREACH, title="Lead M360-2026-000001 breached",
        property_id=hotel_a.pk, subject="lead:1:first_response",
    )  # fmt: skip
    again = services.alert_send(
        users=[sam], kind=AlertKind.SLA_BREACH, title="again", subject="lead:1:first_response"
    )
    assert len(first) == 1 and again == []
    assert selectors.alerts_for_user(sam).count() == 1
    assert not selectors.alerts_for_user(alice).exists()
    assert services.alerts_mark_read(user=sam) == 1


def test_alerts_without_a_subject_keep_each_its_own_title(sam):
    sent = services.alerts_send(
        [services.AlertDraft(sam.pk, AlertKind.FOLLOW_UP, "Call Anna back"),
         services.AlertDraft(sam.pk, AlertKind.FOLLOW_UP, "Call Boris back")]
    )  # fmt: skip
    assert sorted(a.title for a in sent) == ["Call Anna back", "Call Boris back"]
    assert sorted(selectors.alerts_for_user(sam).values_list("title", flat=True)) == [
        "Call Anna back", "Call Boris back",
    ]  # fmt: skip
