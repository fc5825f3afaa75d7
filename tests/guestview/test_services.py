"""Writes: guest identity and agent setup go through guestview.services."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from guestview import services, tasks
from guestview.models import (
    AgentProfile,
    AgentStatus,
    ContactKind,
    ContactPoint,
    Guest,
    Language,
    Role,
)
from guestview.selectors import properties_served_by, user_roles
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

# --- guests and their contact points -------------------------------------------


def test_it_creates_a_guest_with_normalized_contact_points(hotel_a):
    guest = services.guest_create(
        property=hotel_a,
        first_name="  Ahmet ",
        last_name="Yılmaz",
        nationality="tr",
        phones=["0532 123 45 67", "+49 (151) 2345-6789"],
        emails=[" Ahmet.Yilmaz@Example.COM "],
    )

    guest.refresh_from_db()
    assert guest.full_name == "Ahmet Yılmaz"
    assert guest.search_name == "ahmet yilmaz"
    assert guest.nationality == "TR"
    contacts = {(c.kind, c.value, c.raw_value, c.is_primary) for c in guest.contact_points.all()}
    assert contacts == {
        (ContactKind.PHONE, "+905321234567", "0532 123 45 67", True),
        (ContactKind.PHONE, "+4915123456789", "+49 (151) 2345-6789", False),
        (ContactKind.EMAIL, "ahmet.yilmaz@example.com", "Ahmet.Yilmaz@Example.COM", False),
    }


@pytest.mark.parametrize("not_a_phone", ["201", "RES123456", "call me maybe", ""])
def test_it_rejects_a_guest_with_a_phone_that_is_not_one_and_writes_nothing(hotel_a, not_a_phone):
    with pytest.raises(ValidationError):
        services.guest_create(
            property=hotel_a,
            first_name="Ahmet",
            last_name="Yılmaz",
            phones=["0532 123 45 67", not_a_phone],
        )
    assert not Guest.objects.exists()
    assert not ContactPoint.objects.exists()


def test_it_rejects_a_guest_with_an_email_that_is_not_one(hotel_a):
    with pytest.raises(ValidationError):
        services.guest_create(
            property=hotel_a, first_name="Ahmet", last_name="Yılmaz", emails=["ahmet"]
        )
    assert not Guest.objects.exists()


def test_it_rejects_a_guest_without_a_name(hotel_a):
    with pytest.raises(ValidationError):
        services.guest_create(property=hotel_a, first_name=" ", last_name="Yılmaz")


def test_it_adds_the_same_phone_twice_as_one_contact_point():
    guest = GuestFactory()
    first = services.contact_point_add(guest=guest, kind=ContactKind.PHONE, raw="0532 123 45 67")
    second = services.contact_point_add(
        guest=guest, kind=ContactKind.PHONE, raw="+90 (532) 123-45-67"
    )
    assert first.pk == second.pk
    assert guest.contact_points.count() == 1
    assert second.raw_value == "0532 123 45 67"  # the first spelling is kept


def test_it_keeps_a_phone_and_the_same_whatsapp_number_apart():
    guest = GuestFactory()
    services.contact_point_add(guest=guest, kind=ContactKind.PHONE, raw="0532 123 45 67")
    # WhatsApp gives wa_ids without the +; they normalize like any phone.
    whatsapp = services.contact_point_add(
        guest=guest, kind=ContactKind.WHATSAPP, raw="905321234567"
    )
    assert whatsapp.value == "+905321234567"
    assert sorted(guest.contact_points.values_list("kind", flat=True)) == ["phone", "whatsapp"]


def test_it_adds_the_same_email_in_other_case_as_one_contact_point():
    guest = GuestFactory()
    services.contact_point_add(guest=guest, kind=ContactKind.EMAIL, raw="Anna@Mail.de")
    services.contact_point_add(guest=guest, kind=ContactKind.EMAIL, raw="anna@mail.DE ")
    assert list(guest.contact_points.values_list("value", flat=True)) == ["anna@mail.de"]


def test_it_keeps_platform_ids_as_given_but_trimmed():
    guest = GuestFactory()
    contact = services.contact_point_add(
        guest=guest, kind=ContactKind.INSTAGRAM, raw="  17841400000000001 "
    )
    assert contact.value == "17841400000000001"
    with pytest.raises(ValidationError):
        services.contact_point_add(guest=guest, kind=ContactKind.INSTAGRAM, raw="   ")


def test_it_renames_a_guest_and_their_search_key(hotel_a):
    guest = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    services.guest_rename(guest=guest, first_name="İsmail", last_name="Işık")
    guest.refresh_from_db()
    assert guest.search_name == "ismail isik"


# --- agent setup -------------------------------------------------------------------


def test_it_sets_up_an_agent_with_role_properties_languages_and_extension(hotel_a, hotel_b):
    user = UserFactory()
    profile = services.agent_setup(
        user=user,
        role=Role.AGENT,
        properties=[hotel_a, hotel_b],
        languages=[Language.TR, Language.EN],
        extension="205",
    )
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == [Role.AGENT]
    assert user_roles(user) == {Role.AGENT}
    assert not user.is_staff
    assert profile.extension == "205"
    assert sorted(profile.language_codes) == ["en", "tr"]
    assert set(properties_served_by(user)) == {hotel_a, hotel_b}


def test_it_makes_an_admin_staff_but_not_superuser(ada):
    ada.refresh_from_db()
    assert ada.is_staff
    assert not ada.is_superuser
    assert ada.groups.filter(name=Role.ADMIN).exists()


def test_it_gives_the_admin_group_global_serve_property_from_the_data_migration():
    admin = Group.objects.get(name=Role.ADMIN)
    assert admin.permissions.filter(codename="serve_property").exists()
    for role in (Role.AGENT, Role.QUALITY):
        assert not Group.objects.get(name=role).permissions.exists()
    # Supervisors read the restricted special needs (consent migration 0006); nothing else.
    supervisor = Group.objects.get(name=Role.SUPERVISOR).permissions
    assert list(supervisor.values_list("codename", flat=True)) == ["view_guestneeds"]


def test_it_updates_languages_and_properties_on_a_second_setup(alice, hotel_b):
    profile = services.agent_setup(
        user=alice, role=Role.AGENT, properties=[hotel_b], languages=[Language.DE]
    )
    assert profile.language_codes == ["de"]
    assert list(properties_served_by(alice)) == [hotel_b]
    assert AgentProfile.objects.filter(user=alice).count() == 1
    assert profile.extension is None


def test_it_rejects_an_unknown_role():
    with pytest.raises(ValidationError):
        services.agent_setup(user=UserFactory(), role="janitor")


def test_it_rejects_an_unknown_language():
    with pytest.raises(ValidationError):
        services.agent_setup(user=UserFactory(), role=Role.AGENT, languages=["fr"])


def test_it_rejects_an_extension_already_taken(alice):
    with pytest.raises(ValidationError):
        services.agent_setup(user=UserFactory(), role=Role.AGENT, extension="201")


# --- agent status ------------------------------------------------------------------


def test_it_sets_an_agents_status_and_when_it_changed(alice):
    profile = alice.agent_profile
    before = timezone.now()
    services.agent_set_status(agent=profile, status=AgentStatus.ONLINE)
    profile.refresh_from_db()
    assert profile.status == AgentStatus.ONLINE
    assert profile.status_changed_at >= before


def test_it_keeps_the_change_time_when_the_status_is_the_same(alice):
    profile = alice.agent_profile
    services.agent_set_status(agent=profile, status=AgentStatus.ONLINE)
    changed_at = AgentProfile.objects.get(pk=profile.pk).status_changed_at
    services.agent_set_status(agent=profile, status=AgentStatus.ONLINE)
    assert AgentProfile.objects.get(pk=profile.pk).status_changed_at == changed_at


def test_it_rejects_an_unknown_status(alice):
    with pytest.raises(ValidationError):
        services.agent_set_status(agent=alice.agent_profile, status="lunch")
    alice.agent_profile.refresh_from_db()
    assert alice.agent_profile.status == AgentStatus.OFFLINE


def _agent(status, *, seen_minutes_ago, changed_minutes_ago=120):
    now = timezone.now()
    user = UserFactory()
    profile = services.agent_setup(user=user, role=Role.AGENT)
    AgentProfile.objects.filter(pk=profile.pk).update(
        status=status,
        status_changed_at=now - timedelta(minutes=changed_minutes_ago),
        last_seen_at=None
        if seen_minutes_ago is None
        else now - timedelta(minutes=seen_minutes_ago),
    )
    return profile


def _status(profile):
    return AgentProfile.objects.values_list("status", flat=True).get(pk=profile.pk)


def test_it_marks_away_only_online_agents_idle_past_the_threshold():
    idle = _agent(AgentStatus.ONLINE, seen_minutes_ago=11)
    active = _agent(AgentStatus.ONLINE, seen_minutes_ago=9)
    away_already = _agent(AgentStatus.AWAY, seen_minutes_ago=60)
    offline = _agent(AgentStatus.OFFLINE, seen_minutes_ago=60)

    assert services.agents_mark_away(idle_seconds=10 * 60) == 1

    assert _status(idle) == AgentStatus.AWAY
    assert _status(active) == AgentStatus.ONLINE
    assert _status(away_already) == AgentStatus.AWAY
    assert _status(offline) == AgentStatus.OFFLINE
    idle.refresh_from_db()
    assert timezone.now() - idle.status_changed_at < timedelta(minutes=1)


def test_it_is_safe_to_mark_away_twice():
    idle = _agent(AgentStatus.ONLINE, seen_minutes_ago=30)
    assert services.agents_mark_away(idle_seconds=600) == 1
    assert services.agents_mark_away(idle_seconds=600) == 0
    assert _status(idle) == AgentStatus.AWAY


def test_it_marks_away_an_online_agent_never_seen_since_going_online_long_ago():
    # A user whose profile is created by the status switch itself (or set online
    # in the admin) has last_seen_at NULL until the presence middleware writes,
    # which it does at most once a minute per session. If they walk away before,
    # nothing ever marks them away and routing keeps feeding an empty console.
    never_seen = _agent(AgentStatus.ONLINE, seen_minutes_ago=None, changed_minutes_ago=120)
    assert services.agents_mark_away(idle_seconds=600) == 1
    assert _status(never_seen) == AgentStatus.AWAY


def test_it_leaves_online_an_agent_who_just_went_online_without_a_request_yet():
    just_online = _agent(AgentStatus.ONLINE, seen_minutes_ago=None, changed_minutes_ago=0)
    assert services.agents_mark_away(idle_seconds=600) == 0
    assert _status(just_online) == AgentStatus.ONLINE


def test_the_task_marks_away_with_the_configured_threshold(settings):
    settings.AGENT_AWAY_AFTER_SECONDS = 5 * 60
    idle = _agent(AgentStatus.ONLINE, seen_minutes_ago=6)
    active = _agent(AgentStatus.ONLINE, seen_minutes_ago=4)

    result = tasks.agents_mark_away.apply()

    assert result.get() == 1
    assert _status(idle) == AgentStatus.AWAY
    assert _status(active) == AgentStatus.ONLINE


def test_the_task_is_registered_under_the_name_beat_schedules():
    from config.celery import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert tasks.agents_mark_away.name in scheduled
    assert tasks.agents_mark_away.name in app.tasks
