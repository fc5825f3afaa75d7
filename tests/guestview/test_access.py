"""Property scope: an agent reads the guests of the hotels they serve, and
nothing of any other hotel, not even whether a guest exists there."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import URLPattern, reverse
from guardian.models import UserObjectPermission

from guestview import services, urls
from guestview.selectors import (
    get_guest_for_user,
    get_property_for_user,
    guest_search,
    guests_for_user,
    properties_for_user,
    properties_served_by,
)
from tests.factories import (
    ContactPointFactory,
    GuestFactory,
    PreferenceFactory,
    PropertyFactory,
    StayFactory,
    UserFactory,
)


@pytest.fixture
def guest_a(hotel_a):
    """A guest of hotel A with everything the detail page shows."""
    guest = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    ContactPointFactory(guest=guest, raw_value="0532 123 45 67", is_primary=True)
    StayFactory(guest=guest, notes="Anniversary: cake in the room")
    PreferenceFactory(guest=guest, value="Feather-free pillow")
    return guest


def guest_urls(guest):
    """Every URL of guestview under guests/ that takes a pk, filled with this guest's.

    Read from guestview.urls, so a guest URL added later is covered here too."""
    found = []
    for pattern in urls.urlpatterns:
        if not isinstance(pattern, URLPattern) or not str(pattern.pattern).startswith("guests/"):
            continue
        pk_names = [name for name in pattern.pattern.converters if "pk" in name]
        if pk_names:
            kwargs = {name: guest.pk for name in pk_names}
            found.append(reverse(f"{urls.app_name}:{pattern.name}", kwargs=kwargs))
    assert found, "guestview.urls has no guest URL with a pk any more: update this test"
    return found


def test_it_lists_the_guest_detail_among_guest_urls(guest_a):
    assert reverse("guestview:guest_detail", args=[guest_a.pk]) in guest_urls(guest_a)


def test_it_hides_every_guest_url_of_hotel_a_from_the_agent_of_hotel_b(
    client_of, alice, bob, guest_a
):
    alice_client, bob_client = client_of(alice), client_of(bob)
    for url in guest_urls(guest_a):
        # The same URL works for the agent of A: the 404 below is the scope, not a typo.
        served = [alice_client.get(url).status_code, alice_client.post(url).status_code]
        assert any(status < 400 for status in served), (url, served)

        refused = [bob_client.get(url).status_code, bob_client.post(url).status_code]
        assert all(status in (403, 404, 405) for status in refused), (url, refused)
        assert any(status in (403, 404) for status in refused), (url, refused)


def test_it_does_not_leak_the_guest_into_the_404_page(bob_client, guest_a):
    response = bob_client.get(reverse("guestview:guest_detail", args=[guest_a.pk]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Yılmaz" not in body
    assert "Anniversary" not in body


def test_it_answers_404_for_a_guest_that_does_not_exist(alice_client, guest_a):
    response = alice_client.get(reverse("guestview:guest_detail", args=[guest_a.pk + 1000]))
    assert response.status_code == 404


def test_it_redirects_anonymous_users_to_login_from_every_guest_url(client, guest_a):
    for url in [reverse("guestview:guest_search"), *guest_urls(guest_a)]:
        response = client.get(url)
        if response.status_code == 405:  # a POST-only URL (e.g. adding a note)
            response = client.post(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("persona", ["alice", "sam", "quinn", "ada"])
def test_it_shows_hotel_a_guest_to_those_who_serve_hotel_a(request, client_of, persona, guest_a):
    user = request.getfixturevalue(persona)
    response = client_of(user).get(reverse("guestview:guest_detail", args=[guest_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ahmet Yılmaz" in body
    assert "+90 532 *** ** 67" in body and "+90 532 123 45 67" not in body  # masked
    assert "Anniversary: cake in the room" in body
    assert "Feather-free pillow" in body


def test_it_raises_404_from_the_access_helper_out_of_scope(alice, bob, guest_a):
    assert get_guest_for_user(alice, guest_a.pk) == guest_a
    with pytest.raises(Http404):
        get_guest_for_user(bob, guest_a.pk)


@pytest.mark.parametrize("bad_pk", [None, "abc", 10**9])
def test_it_raises_404_from_the_access_helper_for_a_bad_pk(alice, guest_a, bad_pk):
    with pytest.raises(Http404):
        get_guest_for_user(alice, bad_pk)


def test_it_raises_404_for_a_property_out_of_scope(alice, hotel_a, hotel_b):
    assert get_property_for_user(alice, hotel_a.pk) == hotel_a
    with pytest.raises(Http404):
        get_property_for_user(alice, hotel_b.pk)


@pytest.mark.parametrize(
    ("persona", "hotels"),
    [
        ("alice", ("hotel_a",)),
        ("sam", ("hotel_a",)),
        ("quinn", ("hotel_a",)),
        ("bob", ("hotel_b",)),
        ("ada", ("hotel_a", "hotel_b")),
    ],
)
def test_it_scopes_properties_for_each_persona(db, request, persona, hotels):
    user = request.getfixturevalue(persona)
    expected = {request.getfixturevalue(name) for name in hotels}
    assert set(properties_for_user(user)) == expected


def test_it_gives_the_admin_every_property_through_the_group_not_personally(ada, hotel_a, hotel_b):
    assert not ada.is_superuser
    assert set(properties_for_user(ada)) == {hotel_a, hotel_b}
    assert list(properties_served_by(ada)) == []


def test_it_gives_an_admin_a_property_created_later(ada, chain):
    later = PropertyFactory(chain=chain)
    assert later in properties_for_user(ada)


def test_it_shows_nothing_to_a_user_without_a_role(db, hotel_a, guest_a):
    nobody = UserFactory()
    assert list(properties_for_user(nobody)) == []
    assert list(guests_for_user(nobody)) == []


def test_it_shows_nothing_to_anonymous_users(hotel_a, guest_a):
    assert list(properties_for_user(AnonymousUser())) == []


@pytest.mark.parametrize("persona", ["alice", "ada"])
def test_it_shows_nothing_to_an_inactive_user(request, persona, guest_a):
    user = request.getfixturevalue(persona)
    user.is_active = False
    user.save()
    assert list(properties_for_user(user)) == []
    assert list(guests_for_user(user)) == []
    assert list(guest_search(user=user, query="ahmet")) == []
    with pytest.raises(Http404):
        get_guest_for_user(user, guest_a.pk)


def test_it_logs_out_a_user_deactivated_mid_shift(alice_client, alice, guest_a):
    url = reverse("guestview:guest_detail", args=[guest_a.pk])
    assert alice_client.get(url).status_code == 200
    alice.is_active = False
    alice.save()
    assert alice_client.get(url).status_code == 302


def _served_property_pks(user):
    return set(
        UserObjectPermission.objects.filter(
            user=user, permission__codename="serve_property"
        ).values_list("object_pk", flat=True)
    )


def test_it_sets_exactly_the_properties_an_agent_serves(alice, hotel_a, hotel_b, chain):
    hotel_c = PropertyFactory(chain=chain)
    assert _served_property_pks(alice) == {str(hotel_a.pk)}

    services.agent_set_properties(user=alice, properties=[hotel_b, hotel_c])
    assert _served_property_pks(alice) == {str(hotel_b.pk), str(hotel_c.pk)}
    assert set(properties_served_by(alice)) == {hotel_b, hotel_c}

    services.agent_set_properties(user=alice, properties=[hotel_c])
    assert _served_property_pks(alice) == {str(hotel_c.pk)}

    services.agent_set_properties(user=alice, properties=[])
    assert _served_property_pks(alice) == set()
    assert UserObjectPermission.objects.filter(user=alice).count() == 0


def test_it_leaves_other_users_permissions_alone(alice, sam, hotel_a, hotel_b):
    services.agent_set_properties(user=alice, properties=[hotel_b])
    assert _served_property_pks(sam) == {str(hotel_a.pk)}


def test_it_is_idempotent_when_setting_the_same_properties(alice, hotel_a):
    services.agent_set_properties(user=alice, properties=[hotel_a, hotel_a])
    services.agent_set_properties(user=alice, properties=[hotel_a])
    assert UserObjectPermission.objects.filter(user=alice).count() == 1


def test_it_moves_an_agent_to_another_hotel_and_their_view_with_it(
    client_of, alice, hotel_b, guest_a
):
    url = reverse("guestview:guest_detail", args=[guest_a.pk])
    services.agent_set_properties(user=alice, properties=[hotel_b])
    assert client_of(alice).get(url).status_code == 404


def test_showing_a_number_in_full_is_logged(alice_client, alice, guest_a, hotel_a):
    from consent.models import AccessLog
    from guestview.models import Call
    from tests.factories import PbxFactory

    pbx = PbxFactory()
    call = Call.objects.create(pbx=pbx, call_id="c1", property=hotel_a, guest=guest_a)
    other = Call.objects.create(pbx=pbx, call_id="c2", property=hotel_a)
    url = reverse("guestview:guest_contacts_unmask", args=[guest_a.pk])
    response = alice_client.post(url, {"call": call.pk}, HTTP_HX_REQUEST="true")
    assert "+90 532 123 45 67" in response.content.decode()
    entry = AccessLog.objects.get(action="unmask")
    assert (entry.actor, entry.guest_id, entry.context) == (alice, guest_a.pk, f"call:{call.pk}")
    assert entry.ip == "127.0.0.1"
    # The evidence keeps only what the server checked: not another guest's call,
    # not a call the user cannot see, not free text.
    for posted in ({"call": other.pk}, {"call": 10**9}, {"call": "²"}, {"context": "made up"}):
        alice_client.post(url, posted, HTTP_HX_REQUEST="true")
        assert AccessLog.objects.filter(action="unmask").latest("pk").context == ""


def test_opening_a_card_and_searching_are_logged(alice_client, alice, guest_a):
    from consent.models import AccessLog

    alice_client.get(reverse("guestview:guest_detail", args=[guest_a.pk]))
    alice_client.get(reverse("guestview:guest_search"), {"q": "0532 123 45 67"})
    log = AccessLog.objects.filter(actor=alice, guest_id=guest_a.pk)
    assert sorted(log.values_list("action", flat=True)) == ["search", "view"]
    assert "0532" not in log.get(action="search").context  # what was typed is not kept


def test_bob_cannot_unmask_hotel_a_numbers(bob_client, guest_a):
    url = reverse("guestview:guest_contacts_unmask", args=[guest_a.pk])
    assert bob_client.post(url).status_code == 404


def test_no_one_deletes_a_guest_in_the_admin(client_of, ada, guest_a):
    """A guest leaves by anonymization (a data subject request), which keeps
    the consent evidence; a delete would cascade it away unlogged."""
    admin = client_of(ada)
    assert admin.get(reverse("admin:guestview_guest_change", args=[guest_a.pk])).status_code == 200
    delete = reverse("admin:guestview_guest_delete", args=[guest_a.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    assert type(guest_a).objects.filter(pk=guest_a.pk).exists()
