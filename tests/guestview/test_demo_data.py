"""seed_demo: the chain, its staff, the showcase guests and bulk-written guests
that the rest of the product (and the demo) can rely on."""

import random
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from guestview import demo_data
from guestview.identity import name_search_key, normalize_phone
from guestview.models import ContactPoint, Guest, Property, Role, Stay
from guestview.selectors import guest_search, properties_for_user

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_it_creates_four_hotels_and_their_staff():
    seed(guests=0)
    assert set(Property.objects.values_list("region", flat=True)) == {
        "belek", "side", "kemer", "bodrum",
    }  # fmt: skip
    User = get_user_model()
    assert User.objects.filter(groups__name=Role.AGENT).count() == 17
    olga = User.objects.get(username="olga")
    assert {p.code for p in properties_for_user(olga)} == {"blk", "sde"}
    assert set(olga.agent_profile.language_codes) == {"ru", "en", "tr"}
    assert olga.check_password(demo_data.DEMO_PASSWORD)
    assert {p.code for p in properties_for_user(User.objects.get(username="admin"))} == {
        "blk", "sde", "kmr", "bdr",
    }  # fmt: skip


def test_it_writes_guests_with_contacts_stays_and_preferences():
    output = seed(guests=300)
    showcase = len(demo_data.SHOWCASE)
    # Not counted: the demo inbox's WhatsApp senders who were not guests yet (no
    # phone contact point of their own, only the WhatsApp number they wrote from)
    # and the demo leads' new guests (their contact point comes from the lead).
    lead_guests = Guest.objects.filter(leads__isnull=False, stays__isnull=True).distinct()
    phone_guests = Guest.objects.filter(contact_points__kind="phone").exclude(pk__in=lead_guests)
    assert phone_guests.distinct().count() == 300 + showcase
    assert "Seeded 300 guests" in output
    assert "12 inbox messages" in output and "12 leads" in output
    # About three stays a guest, most guests reachable by phone.
    assert 600 < Stay.objects.count() < 1300
    assert ContactPoint.objects.filter(kind="phone").exclude(guest__in=lead_guests).count() == (
        300 + showcase
    )
    assert Guest.objects.filter(language="ru", first_name__regex=r"^[А-ЯЁа-яё]").exists()


def test_it_stores_phone_values_that_match_their_raw_form():
    seed(guests=300)
    for raw, value in ContactPoint.objects.filter(kind="phone").values_list("raw_value", "value"):
        assert normalize_phone(raw) == value, raw


def test_it_generates_phones_that_normalize_in_every_market():
    rng = random.Random(7)
    for market in ("tr", "de", "ru", "en"):
        for _ in range(500):
            raw, e164 = demo_data._phone(rng, market)
            assert normalize_phone(raw) == e164, (market, raw)


def test_it_stores_the_same_search_key_as_guest_save():
    seed(guests=200)
    for guest in Guest.objects.all():
        assert guest.search_name == name_search_key(guest.first_name, guest.last_name)


def test_it_does_nothing_with_if_empty_when_guests_exist():
    seed(guests=50)
    before = Guest.objects.count()
    assert "nothing to do" in seed(guests=50, if_empty=True)
    assert Guest.objects.count() == before


def test_it_adds_guests_on_a_second_run_without_id_clashes():
    seed(guests=50)
    seed(guests=50, seed=2)
    # Not inbox-made, not made by the demo leads (their guests have no stays).
    made_by_leads = Guest.objects.filter(leads__isnull=False, stays__isnull=True)
    with_phone = Guest.objects.filter(contact_points__kind="phone").exclude(pk__in=made_by_leads)
    assert with_phone.distinct().count() == 100 + len(demo_data.SHOWCASE)
    # The next row made through the ORM must get a fresh id (sequences reset).
    assert Property.objects.first().guests.create(first_name="Yeni", last_name="Misafir").pk


def test_it_makes_the_showcase_searchable_for_the_hotel_agents():
    seed(guests=0)
    User = get_user_model()
    ayse = User.objects.get(username="ayse")  # Belek
    family = guest_search(user=ayse, query="0532 123 45 67")
    assert sorted(g.full_name for g in family) == ["Ahmet Yılmaz", "Ayşe Yılmaz"]
    olga = User.objects.get(username="olga")  # Belek and Side
    assert {g.full_name for g in guest_search(user=olga, query="ahmet yilmaz")} == {
        "Ahmet Yılmaz", "AHMET YILMAZ",
    }  # fmt: skip
    sergey = User.objects.get(username="sergey")  # Kemer
    assert [g.full_name for g in guest_search(user=sergey, query="ivan petrov")] == ["Иван Петров"]
    assert not guest_search(user=ayse, query="ivan petrov").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY path is PostgreSQL only")
def test_it_rebuilds_the_indexes_it_drops_for_a_large_load(monkeypatch):
    def index_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'guestview_%%'")
            return {row[0] for row in cursor.fetchall()}

    monkeypatch.setattr(demo_data, "REBUILD_INDEXES_FROM", 100)
    dropped = []
    real_drop = demo_data._drop_secondary_indexes
    monkeypatch.setattr(
        demo_data, "_drop_secondary_indexes", lambda: dropped.extend(real_drop()) or dropped
    )
    before = index_names()
    properties = demo_data.seed_reference()
    demo_data.seed_guests(400, properties=properties, batch_size=150)
    assert any("guest_search_name_trgm" in d for d in dropped)
    assert index_names() == before
    assert Guest.objects.count() >= 400
