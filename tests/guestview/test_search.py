"""Guest search: the selector and the page agents type into all day."""

import pytest
from django.conf import settings
from django.urls import reverse

from guestview.models import ContactKind
from guestview.selectors import guest_search
from tests.factories import ContactPointFactory, GuestFactory

SEARCH_URL = reverse("guestview:guest_search")


@pytest.fixture
def ahmet(hotel_a):
    """Ahmet Yılmaz of hotel A, reachable by a mobile, WhatsApp and e-mail."""
    guest = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    ContactPointFactory(guest=guest, raw_value="0532 123 45 67", is_primary=True)
    ContactPointFactory(guest=guest, email=True, raw_value="Ahmet.Yilmaz@Example.com")
    return guest


@pytest.fixture
def brigitte(hotel_b):
    """A guest of hotel B, reachable by a German mobile and an e-mail."""
    guest = GuestFactory(property=hotel_b, first_name="Brigitte", last_name="Weiß")
    ContactPointFactory(guest=guest, raw_value="+49 151 23456789")
    ContactPointFactory(guest=guest, email=True, raw_value="brigitte@example.de")
    return guest


def search(user, query, **kwargs):
    return list(guest_search(user=user, query=query, **kwargs))


# --- the selector -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "0532 123 45 67",
        "05321234567",
        "+90 (532) 123-45-67",
        "0090532 123 45 67",
        "532 123 4567",
        "0532.123.45.67",
        "tel:+905321234567",
    ],
)
def test_it_finds_a_guest_by_phone_in_any_format(alice, ahmet, query):
    assert search(alice, query) == [ahmet]


def test_it_finds_a_guest_by_whatsapp_number(alice, hotel_a):
    guest = GuestFactory(property=hotel_a)
    ContactPointFactory(guest=guest, kind=ContactKind.WHATSAPP, raw_value="+7 916 123 45 67")
    assert search(alice, "007 916 123-45-67") == [guest]


def test_it_does_not_match_a_phone_number_partially(alice, ahmet):
    assert search(alice, "0532 123 45 68") == []


@pytest.mark.parametrize(
    "query", ["ahmet yilmaz", "AHMET YILMAZ", "Ahmet Yılmaz", "yılmaz", "YILMAZ ahmet", "ahm"]
)
def test_it_finds_a_guest_by_name_turkish_aware(alice, ahmet, query):
    assert search(alice, query) == [ahmet]


def test_it_finds_both_spellings_of_a_name_with_one_query(alice, hotel_a):
    upper = GuestFactory(property=hotel_a, first_name="AHMET", last_name="YILMAZ")
    proper = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Kaya")
    assert set(search(alice, "ahmet yilmaz")) == {upper, proper}


def test_it_finds_a_cyrillic_name_by_its_latin_spelling(alice, hotel_a):
    andrey = GuestFactory(property=hotel_a, first_name="Андрей", last_name="Соколов")
    assert search(alice, "andrey sokolov") == [andrey]
    assert search(alice, "АНДРЕЙ") == [andrey]


def test_it_requires_every_word_of_a_name(alice, ahmet):
    assert search(alice, "ahmet demir") == []


@pytest.mark.parametrize(
    "query", ["ahmet.yilmaz@example.com", "AHMET.YILMAZ@EXAMPLE.COM", " Ahmet.Yilmaz@Example.com "]
)
def test_it_finds_a_guest_by_email_case_insensitively(alice, ahmet, query):
    assert search(alice, query) == [ahmet]


@pytest.mark.parametrize("query", ["", "   ", "@", "ahmet@", "!!!"])
def test_it_finds_nothing_for_an_empty_or_meaningless_query(alice, ahmet, query):
    assert search(alice, query) == []


def test_it_filters_by_property(sam, ada, hotel_a, hotel_b):
    in_a = GuestFactory(property=hotel_a, first_name="Elif", last_name="Demir")
    in_b = GuestFactory(property=hotel_b, first_name="Elif", last_name="Demir")
    assert set(search(ada, "elif demir")) == {in_a, in_b}
    assert search(ada, "elif demir", property_id=hotel_b.pk) == [in_b]
    # A property outside the user's scope narrows to nothing, it does not widen.
    assert search(sam, "elif demir", property_id=hotel_b.pk) == []


@pytest.mark.parametrize(
    "query",
    [
        "Brigitte Weiß",
        "brigitte weiss",
        "+49 151 23456789",
        "0049 151 2345 6789",
        "BRIGITTE@example.de",
    ],
)
def test_it_never_finds_another_hotels_guest_by_any_key(alice, bob, brigitte, query):
    assert search(bob, query) == [brigitte]  # the key does find her in her own hotel
    assert search(alice, query) == []


# --- the page -------------------------------------------------------------------


def test_it_renders_the_search_page_with_results(alice_client, ahmet):
    response = alice_client.get(SEARCH_URL, {"q": "0532 123 45 67"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert 'id="id_q"' in body
    assert reverse("guestview:guest_detail", args=[ahmet.pk]) in body
    assert "+90 532 *** ** 67" in body and "+90 532 123 45 67" not in body  # masked in lists
    assert "a***@example.com" in body


def test_it_shows_no_results_section_before_a_query(alice_client, ahmet):
    response = alice_client.get(SEARCH_URL)
    assert response.status_code == 200
    assert response.context["page"] is None


def test_it_hides_another_hotels_guest_on_the_page(alice_client, brigitte):
    response = alice_client.get(SEARCH_URL, {"q": "brigitte"})
    assert response.context["page"].paginator.count == 0
    assert "Brigitte" not in response.content.decode()


def test_it_rejects_a_property_filter_outside_the_users_scope(alice_client, hotel_b, brigitte):
    response = alice_client.get(SEARCH_URL, {"q": "brigitte", "property": hotel_b.pk})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "property" in response.context["form"].errors


def test_it_filters_by_property_on_the_page(client_of, ada, hotel_a, hotel_b):
    GuestFactory(property=hotel_a, first_name="Elif", last_name="Demir")
    in_b = GuestFactory(property=hotel_b, first_name="Elif", last_name="Demir")
    response = client_of(ada).get(SEARCH_URL, {"q": "elif", "property": hotel_b.pk})
    assert list(response.context["page"]) == [in_b]


def test_it_paginates_results(alice_client, hotel_a):
    assert settings.GUEST_SEARCH_PAGE_SIZE == 25
    GuestFactory.create_batch(30, property=hotel_a, last_name="Kaya")

    first = alice_client.get(SEARCH_URL, {"q": "kaya"}).context["page"]
    second = alice_client.get(SEARCH_URL, {"q": "kaya", "page": 2}).context["page"]

    assert first.paginator.count == 30
    assert first.paginator.num_pages == 2
    assert len(first) == 25
    assert len(second) == 5
    assert not {g.pk for g in first} & {g.pk for g in second}


def test_it_links_the_next_page_keeping_the_query(alice_client, hotel_a):
    GuestFactory.create_batch(26, property=hotel_a, last_name="Kaya")
    body = alice_client.get(SEARCH_URL, {"q": "kaya"}).content.decode()
    assert 'href="?q=kaya&page=2"' in body
    assert 'hx-get="?q=kaya&page=2"' in body


def test_it_returns_only_the_results_fragment_to_htmx(alice_client, ahmet):
    response = alice_client.get(SEARCH_URL, {"q": "ahmet yilmaz"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert 'id="id_q"' not in body
    assert reverse("guestview:guest_detail", args=[ahmet.pk]) in body


def test_it_serves_the_full_page_to_an_htmx_history_restore(alice_client, ahmet):
    # htmx 2 (static/vendor) sends HX-Request *and* HX-History-Restore-Request on a
    # history cache miss (back button) and swaps the answer into <body>: a bare
    # fragment there loses the search form and the top bar.
    response = alice_client.get(
        SEARCH_URL,
        {"q": "ahmet yilmaz"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    body = response.content.decode()
    assert "<html" in body
    assert 'id="id_q"' in body


def test_it_varies_the_search_page_on_the_htmx_header(alice_client, ahmet):
    # One URL, two representations (page and fragment): without Vary the browser
    # cache may show the bare fragment when the agent navigates back to it.
    response = alice_client.get(SEARCH_URL, {"q": "ahmet yilmaz"})
    vary = {h.strip().lower() for h in response.get("Vary", "").split(",")}
    assert "hx-request" in vary


def test_it_redirects_anonymous_users_to_login(client, ahmet):
    response = client.get(SEARCH_URL, {"q": "ahmet"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- query counts -----------------------------------------------------------------

# Measured, then pinned. A steady-state search is 11 queries whatever the page holds:
#   1 session, 2 user,
#   3-4 the user's own and group permissions (guardian's global serve_property check),
#   5 the ids of the properties in scope (cached on request.user for the request),
#   6 the result count (Paginator), 7 the page of guests,
#   8 one prefetch of all their contact points (not one query per guest),
#   9 the property <select> choices, 10 the access log (one insert for the page),
#   the consent of the listed guests (one query),
#   11-13 the top bar: agent profile, role groups, unread alerts.
# The property of each guest comes with select_related. More queries for 25 results
# than for 3 would be an N+1; fewer would mean something stopped being shown.
SEARCH_QUERIES = 14


@pytest.mark.parametrize("matches", [3, 25])
def test_it_searches_in_a_constant_number_of_queries(
    alice_client, hotel_a, django_assert_num_queries, matches
):
    for guest in GuestFactory.create_batch(matches, property=hotel_a, last_name="Kaya"):
        ContactPointFactory(guest=guest, is_primary=True)
        ContactPointFactory(guest=guest, email=True)
    # The first request of a session also records the agent's presence.
    alice_client.get(SEARCH_URL)

    with django_assert_num_queries(SEARCH_QUERIES):
        response = alice_client.get(SEARCH_URL, {"q": "kaya"})

    assert len(response.context["page"]) == matches
    assert response.content.decode().count('class="chip chip-') == 2 * matches
