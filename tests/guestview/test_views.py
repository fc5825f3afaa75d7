"""Pages around the search: sign-in, language, the agent's status, health."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from guestview.models import AgentProfile, AgentStatus
from leads.selectors import forget_campaign_cache
from tests.factories import PASSWORD, ContactPointFactory, GuestFactory, StayFactory, UserFactory

LOGIN_URL = reverse("login")
STATUS_URL = reverse("guestview:agent_status_set")
SEARCH_URL = reverse("guestview:guest_search")


def translated(language, message):
    """``message`` as the catalogs in use (Django's and ours) say it in ``language``."""
    with translation.override(language):
        return translation.gettext(message)


# --- sign-in and language ------------------------------------------------------------


def test_it_renders_the_login_page_in_turkish_by_default(client, db):
    turkish_password = translated("tr", "Password")
    assert turkish_password != "Password"  # the catalog has it, so the check below means something

    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="tr">' in body
    assert turkish_password in body
    assert ">Password<input" not in body


def test_it_stays_in_turkish_when_the_browser_asks_for_english(client, db):
    # Agents choose with the switch; a laptop set up in English does not decide.
    response = client.get(LOGIN_URL, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="tr">' in response.content.decode()


def test_it_switches_the_language_and_remembers_it(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN_URL})
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get(LOGIN_URL).content.decode()
    assert '<html lang="en">' in body
    assert ">Password<input" in body

    client.post("/i18n/setlang/", {"language": "tr", "next": LOGIN_URL})
    assert '<html lang="tr">' in client.get(LOGIN_URL).content.decode()


def test_it_ignores_a_language_we_do_not_offer(client, db):
    client.post("/i18n/setlang/", {"language": "fr", "next": LOGIN_URL})
    assert '<html lang="tr">' in client.get(LOGIN_URL).content.decode()


def test_it_logs_an_agent_in_and_lands_on_guest_search(client, alice):
    response = client.post(LOGIN_URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == SEARCH_URL

    page = client.get(SEARCH_URL)
    assert page.status_code == 200
    assert page.context["user"] == alice
    assert 'id="agent-status"' in page.content.decode()


def test_it_follows_next_after_login(client, alice):
    response = client.post(
        LOGIN_URL, {"username": "alice", "password": PASSWORD, "next": f"{SEARCH_URL}?q=kaya"}
    )
    assert response["Location"] == f"{SEARCH_URL}?q=kaya"


def test_it_refuses_a_wrong_password(client, alice):
    response = client.post(LOGIN_URL, {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert client.get(SEARCH_URL).status_code == 302


def test_it_refuses_an_inactive_user(client, alice):
    alice.is_active = False
    alice.save()
    response = client.post(LOGIN_URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get(SEARCH_URL).status_code == 302


def test_it_sends_a_logged_in_agent_from_login_to_the_console(alice_client):
    assert alice_client.get(LOGIN_URL)["Location"] == SEARCH_URL


def test_it_logs_out(alice_client):
    response = alice_client.post(reverse("logout"))
    assert response["Location"] == LOGIN_URL
    assert alice_client.get(SEARCH_URL).status_code == 302


def test_it_sends_home_to_guest_search(alice_client):
    assert alice_client.get("/")["Location"] == SEARCH_URL


def test_it_shows_the_admin_link_only_to_staff(client_of, alice, ada):
    admin_url = reverse("admin:index")
    assert f'href="{admin_url}"' not in client_of(alice).get(SEARCH_URL).content.decode()
    assert f'href="{admin_url}"' in client_of(ada).get(SEARCH_URL).content.decode()
    assert client_of(ada).get(admin_url).status_code == 200
    assert client_of(alice).get(admin_url).status_code == 302


def test_it_lists_every_hotels_guests_in_the_admin_for_an_admin(client_of, ada, hotel_a, hotel_b):
    GuestFactory(property=hotel_a, first_name="Elif", last_name="Demir")
    GuestFactory(property=hotel_b, first_name="Brigitte", last_name="Weiß")
    response = client_of(ada).get(reverse("admin:guestview_guest_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Elif Demir" in body
    assert "Brigitte Weiß" in body


# --- presence and status ---------------------------------------------------------------


def test_it_records_when_an_agent_was_last_seen_at_most_once_a_minute(alice_client, alice):
    assert AgentProfile.objects.get(user=alice).last_seen_at is None
    alice_client.get(SEARCH_URL)
    seen = AgentProfile.objects.get(user=alice).last_seen_at
    assert timezone.now() - seen < timedelta(seconds=10)

    long_ago = seen - timedelta(hours=1)
    AgentProfile.objects.filter(user=alice).update(last_seen_at=long_ago)
    alice_client.get(SEARCH_URL)
    assert AgentProfile.objects.get(user=alice).last_seen_at == long_ago


def test_it_switches_status_and_goes_back_to_the_page(alice_client, alice):
    response = alice_client.post(STATUS_URL, {"status": "online", "next": f"{SEARCH_URL}?q=kaya"})
    assert response.status_code == 302
    assert response["Location"] == f"{SEARCH_URL}?q=kaya"
    assert AgentProfile.objects.get(user=alice).status == AgentStatus.ONLINE


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
def test_it_does_not_redirect_off_site_after_a_status_switch(alice_client, next_url):
    response = alice_client.post(STATUS_URL, {"status": "away", "next": next_url})
    assert response["Location"] == "/"


def test_it_switches_status_for_htmx_with_only_the_status_fragment(alice_client, alice):
    response = alice_client.post(STATUS_URL, {"status": "away"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="agent-status"')
    assert "status-away" in body
    assert '<option value="away" selected>' in body
    assert "<html" not in body
    assert AgentProfile.objects.get(user=alice).status == AgentStatus.AWAY


def test_it_rejects_an_unknown_status(alice_client, alice):
    response = alice_client.post(STATUS_URL, {"status": "lunch"})
    assert response.status_code == 400
    assert AgentProfile.objects.get(user=alice).status == AgentStatus.OFFLINE


def test_it_rejects_a_status_switch_by_get(alice_client):
    assert alice_client.get(STATUS_URL, {"status": "online"}).status_code == 405


def test_it_redirects_an_anonymous_status_switch_to_login(client, db):
    response = client.post(STATUS_URL, {"status": "online"})
    assert response["Location"].startswith(LOGIN_URL)
    assert not AgentProfile.objects.exists()


def test_it_creates_the_profile_of_a_user_switching_status_the_first_time(client_of, db):
    user = UserFactory()
    client_of(user).post(STATUS_URL, {"status": "online"})
    assert AgentProfile.objects.get(user=user).status == AgentStatus.ONLINE


# session, user, permissions (2), property scope, the guest with its property,
# then the card: contact points, stays, preferences, consent state, open notes,
# open leads, running campaigns (7; campaigns are cached per hotel for a minute);
# the access log entry; top bar (3: profile, roles, unread alerts). However long
# the history.
DETAIL_QUERIES = 17
# Request scaffolding (5), the guest, the access log entry, conversations, calls,
# stays, notes, top bar (3).
TIMELINE_QUERIES = 14


def test_it_shows_the_guest_detail_in_a_constant_number_of_queries(
    alice_client, hotel_a, hotel_b, django_assert_num_queries
):
    alice_client.get(SEARCH_URL)  # the first request of a session also records presence
    for count in (1, 6):
        guest = GuestFactory(property=hotel_a)
        ContactPointFactory.create_batch(count, guest=guest)
        # Stays at a sister hotel count too.
        StayFactory.create_batch(count, guest=guest, property=hotel_b, status="departed")

        forget_campaign_cache()  # each request pays for it, as the first of a minute does
        with django_assert_num_queries(DETAIL_QUERIES):
            response = alice_client.get(reverse("guestview:guest_detail", args=[guest.pk]))

        body = response.content.decode()
        assert body.count("<dd>+90 532 ***") == min(count, 3)  # the card shows three, masked
        assert f"{count} stay" in body or f"{count} konaklama" in body

        with django_assert_num_queries(TIMELINE_QUERIES):
            response = alice_client.get(reverse("guestview:guest_timeline", args=[guest.pk]))
        body = response.content.decode()
        assert body.count("Hotel B Belek") == count


# --- health --------------------------------------------------------------------------


def test_it_reports_health_with_database_and_redis(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "redis": "ok"}


def test_it_reports_degraded_health_when_redis_does_not_answer(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    payload = json.loads(response.content)
    assert payload["status"] == "degraded"
    assert payload["database"] == "ok"
    assert payload["redis"].startswith("error: ")
