"""The screen-pop call flow: a PBX reports a call at the webhook door, the call
is routed to the agents it rings for, the caller is recognized, and the agent
works the card.

- hotel A's reservations line is +90 242 710 10 00, hotel B's +90 242 720 20 00;
- Ahmet Yılmaz, a guest of hotel A, calls from his mobile 0532 123 45 67;
- the Demirs of hotel A share one family phone, 0533 765 43 21;
- hotel B has its own guest on Ahmet's number, whom alice must never see;
- carol is a second agent of hotel A (extension 203), for ring groups.

Pushes leave after commit: these tests run in a transaction that never
commits, so nothing is published unless a test captures the callbacks.
"""

import contextlib
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone, translation

from guestview import push, selectors, services, urls
from guestview.cti import tokens
from guestview.cti.events import CallEventIn
from guestview.cti.views import MAX_BODY_BYTES
from guestview.models import (
    AgentStatus,
    Call,
    CallEvent,
    CallOutcome,
    ContactKind,
    ContactPoint,
    Guest,
    GuestNote,
    NextStep,
    NoteKind,
    PbxKind,
    PropertyNumber,
    RejectedCallEvent,
    Role,
    ScreenPop,
)
from tests.factories import ContactPointFactory, GuestFactory, PbxFactory, persona

pytestmark = pytest.mark.django_db

EVENTS_URL = reverse("cti:events")
LARA_LINE = "+90 242 710 10 00"
BELEK_LINE = "+90 242 720 20 00"
AHMET_MOBILE = "0532 123 45 67"
DEMIR_PHONE = "0533 765 43 21"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fresh_number_cache(monkeypatch):
    # selectors caches DID → property id for a minute; rows of an earlier test are gone.
    monkeypatch.setattr(selectors, "_number_cache", {})
    monkeypatch.setattr(selectors, "_number_cache_at", 0.0)


@pytest.fixture
def lines(hotel_a, hotel_b):
    PropertyNumber.objects.create(property=hotel_a, number="+902427101000", label="Reservations")
    PropertyNumber.objects.create(property=hotel_b, number="+902427202000", label="Reservations")


@pytest.fixture
def pbx(lines):
    return PbxFactory(name="FreePBX Lara", kind=PbxKind.GENERIC)


@pytest.fixture
def carol(hotel_a):
    return persona("carol", role=Role.AGENT, properties=[hotel_a], extension="203")


@pytest.fixture
def ahmet(hotel_a):
    guest = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    ContactPointFactory(guest=guest, raw_value=AHMET_MOBILE, is_primary=True)
    return guest


@pytest.fixture
def demirs(hotel_a):
    family = [
        GuestFactory(property=hotel_a, first_name=first, last_name="Demir")
        for first in ("Mehmet", "Ayşe")
    ]
    for guest in family:
        ContactPointFactory(guest=guest, raw_value=DEMIR_PHONE)
    return family


@pytest.fixture
def namesake_in_b(hotel_b):
    """A guest of hotel B on Ahmet's number."""
    guest = GuestFactory(property=hotel_b, first_name="Hakan", last_name="Belekli")
    ContactPointFactory(guest=guest, raw_value=AHMET_MOBILE)
    return guest


@pytest.fixture
def published(monkeypatch):
    """What cards would push to Redis, as (agent id, event, event id)."""
    sent = []

    def record(agent_id, *, event, html, event_id=None):
        sent.append((agent_id, event, event_id))
        return True

    monkeypatch.setattr(push, "publish", record)
    return sent


def event_body(**changes):
    body = {
        "event": "ringing",
        "call_id": "1719838401.36",
        "caller": AHMET_MOBILE,
        "called": LARA_LINE,
        "agent_extension": "201",
        "at": "2026-07-01T14:03:22+03:00",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def send(client, pbx, raw=None, **changes):
    """POST one event to the webhook door as ``pbx``."""
    body = json.dumps(event_body(**changes)) if raw is None else raw
    return client.post(
        EVENTS_URL, body, content_type="application/json", headers={tokens.TOKEN_HEADER: pbx.token}
    )


def ring(pbx, *, call_id="c-1", caller=AHMET_MOBILE, extension="201", at=None, called=LARA_LINE):
    """A ringing event through the service, as every door delivers it."""
    event = CallEventIn(
        kind="ringing",
        call_id=call_id,
        caller=caller,
        called=called,
        agent_extension=extension,
        at=at or timezone.now(),
    )
    return services.call_event_record(pbx=pbx, event=event)


def end(pbx, call_id, *, answered_by=None):
    """Answer (when someone does) and hang up."""
    now = timezone.now()
    if answered_by is not None:
        services.call_event_record(
            pbx=pbx,
            event=CallEventIn(
                kind="answered", call_id=call_id, agent_extension=answered_by, at=now
            ),
        )
    services.call_event_record(
        pbx=pbx, event=CallEventIn(kind="hangup", call_id=call_id, at=now + timedelta(seconds=40))
    )


def pops_of(call) -> set[str]:
    return set(ScreenPop.objects.filter(call=call).values_list("agent__user__username", flat=True))


def translated(language, message):
    with translation.override(language):
        return translation.gettext(message)


# --- the webhook door ------------------------------------------------------------------


def test_it_records_a_ringing_call_and_pops_it_to_the_ringing_agent(client, pbx, hotel_a, alice):
    response = send(client, pbx)

    assert response.status_code == 200
    call = Call.objects.get()
    assert response.json() == {"call": call.pk, "duplicate": False, "pops": 1}
    assert (call.pbx, call.call_id) == (pbx, "1719838401.36")
    assert (call.caller_raw, call.caller) == (AHMET_MOBILE, "+905321234567")
    assert (call.called_raw, call.called) == (LARA_LINE, "+902427101000")
    assert call.property == hotel_a
    assert call.agent == alice.agent_profile
    assert call.outcome == CallOutcome.RINGING
    assert call.rang_at.isoformat() == "2026-07-01T11:03:22+00:00"
    assert pops_of(call) == {"alice"}
    event = CallEvent.objects.get()
    assert (event.kind, event.agent_extension) == ("ringing", "201")
    assert event.payload == event_body()


@pytest.mark.parametrize(
    "caller",
    [
        "0532 123 45 67",
        "+90 (532) 123-45-67",
        "00905321234567",
        "905321234567",
        "5321234567",
        "sip:05321234567@pbx.lara",
    ],
)
def test_it_stores_the_caller_in_e164_from_every_format(client, pbx, alice, caller):
    send(client, pbx, caller=caller)

    call = Call.objects.get()
    assert (call.caller_raw, call.caller) == (caller, "+905321234567")


def test_it_takes_a_caller_sent_as_a_json_number(client, pbx, alice):
    send(client, pbx, caller=905321234567)

    assert Call.objects.get().caller == "+905321234567"


@pytest.mark.parametrize("called", ["+90 242 710 10 00", "0242 710 10 00", "00902427101000"])
def test_it_finds_the_hotel_from_the_dialed_number_in_every_format(
    client, pbx, hotel_a, alice, called
):
    send(client, pbx, called=called)

    assert Call.objects.get().property == hotel_a


def test_it_reads_an_at_without_offset_as_istanbul_time(client, pbx, alice):
    send(client, pbx, at="2026-07-01T14:03:22")

    assert Call.objects.get().rang_at.isoformat() == "2026-07-01T11:03:22+00:00"


def test_it_records_an_event_delivered_twice_once_and_pops_once(
    client, pbx, alice, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(client, pbx)
    with django_capture_on_commit_callbacks(execute=True) as again_callbacks:
        again = send(client, pbx)

    call = Call.objects.get()
    assert first.json() == {"call": call.pk, "duplicate": False, "pops": 1}
    assert again.status_code == 200
    assert again.json() == {"call": call.pk, "duplicate": True, "pops": 0}
    assert CallEvent.objects.count() == 1
    assert ScreenPop.objects.count() == 1
    pop = ScreenPop.objects.get()
    assert published == [(alice.agent_profile.pk, "pop", pop.pk)]
    assert again_callbacks == []


def test_it_completes_an_answered_call_with_its_duration(client, pbx, alice):
    send(client, pbx, at="2026-07-01T14:03:22+03:00")
    send(client, pbx, event="answered", caller=None, at="2026-07-01T14:03:30+03:00")
    response = send(client, pbx, event="hangup", caller=None, at="2026-07-01T14:05:45+03:00")

    assert response.json()["duplicate"] is False
    call = Call.objects.get()
    assert call.outcome == CallOutcome.COMPLETED
    assert call.answered_at.isoformat() == "2026-07-01T11:03:30+00:00"
    assert call.ended_at.isoformat() == "2026-07-01T11:05:45+00:00"
    assert call.duration_seconds == 135
    assert call.agent == alice.agent_profile
    assert CallEvent.objects.count() == 3


def test_it_records_a_call_hung_up_without_answer_as_missed(client, pbx, alice):
    send(client, pbx)
    send(client, pbx, event="hangup", caller=None, at="2026-07-01T14:03:52+03:00")

    call = Call.objects.get()
    assert call.outcome == CallOutcome.MISSED
    assert call.answered_at is None
    assert call.duration_seconds == 0


def test_it_pushes_the_new_state_not_a_pop_when_a_call_is_answered(
    client, pbx, alice, published, django_capture_on_commit_callbacks
):
    send(client, pbx)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, pbx, event="answered", caller=None)

    call = Call.objects.get()
    assert response.json() == {"call": call.pk, "duplicate": False, "pops": 0}
    assert published == [(alice.agent_profile.pk, f"callstate-{call.pk}", None)]


def test_it_pops_nothing_for_a_ringing_that_arrives_after_the_answer(client, pbx, alice, carol):
    send(client, pbx, event="answered", caller=None, agent_extension="201")
    response = send(client, pbx, agent_extension="203")

    assert response.json()["pops"] == 0
    assert not ScreenPop.objects.exists()
    assert Call.objects.get().outcome == CallOutcome.ANSWERED


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", "JSON"),
        (b"[1, 2]", "JSON object"),
        (json.dumps(event_body(call_id=None)).encode(), "'call_id'"),
        (json.dumps(event_body(call_id="")).encode(), "'call_id'"),
        (json.dumps(event_body(event="voicemail")).encode(), "'event'"),
        (json.dumps(event_body(event=None)).encode(), "'event'"),
        (json.dumps(event_body(at="yesterday")).encode(), "'at'"),
        (json.dumps(event_body(at="2026-02-30T10:00:00")).encode(), "'at'"),
        (json.dumps(event_body(caller=None)).encode(), "'caller'"),
        (json.dumps(event_body(agent_extension={"ext": "201"})).encode(), "'agent_extension'"),
        (json.dumps(event_body(call_id="x" * 101)).encode(), "'call_id'"),
    ],
)
def test_it_rejects_an_event_it_cannot_read_and_keeps_it(client, pbx, alice, raw, field):
    response = send(client, pbx, raw=raw)

    assert response.status_code == 400
    assert field in response.json()["error"]
    rejected = RejectedCallEvent.objects.get()
    assert (rejected.pbx, rejected.door) == (pbx, "webhook")
    assert rejected.body == raw.decode()
    assert rejected.error == response.json()["error"]
    assert not Call.objects.exists()
    assert not CallEvent.objects.exists()


def test_it_rejects_a_body_too_large_and_keeps_its_start(client, pbx, alice):
    raw = json.dumps(event_body(padding="x" * MAX_BODY_BYTES)).encode()

    response = send(client, pbx, raw=raw)

    assert response.status_code == 400
    assert f"larger than {MAX_BODY_BYTES} bytes" in response.json()["error"]
    rejected = RejectedCallEvent.objects.get()
    assert rejected.body == raw[:MAX_BODY_BYTES].decode()
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [{}, {tokens.TOKEN_HEADER: ""}, {tokens.TOKEN_HEADER: "not-the-token"}],
    ids=["missing", "empty", "wrong"],
)
@pytest.mark.parametrize("raw", [json.dumps(event_body()), "{not json"], ids=["valid", "bad"])
def test_it_stores_nothing_without_the_right_token(client, pbx, alice, headers, raw):
    response = client.post(EVENTS_URL, raw, content_type="application/json", headers=headers)

    assert response.status_code == 401
    assert tokens.TOKEN_HEADER in response.json()["error"]
    assert not Call.objects.exists()
    assert not CallEvent.objects.exists()
    assert not RejectedCallEvent.objects.exists()


def test_it_refuses_the_token_of_a_3cx_at_this_door(client, lines, alice):
    threecx = PbxFactory(kind=PbxKind.THREECX)

    assert send(client, threecx).status_code == 401
    assert not Call.objects.exists()


def test_it_takes_the_token_of_an_asterisk_at_this_door(client, lines, alice):
    asterisk = PbxFactory(kind=PbxKind.ASTERISK)

    assert send(client, asterisk).status_code == 200
    assert Call.objects.get().pbx == asterisk


def test_it_refuses_an_inactive_phone_system(client, pbx, alice):
    pbx.is_active = False
    pbx.save()

    assert send(client, pbx).status_code == 401
    assert not Call.objects.exists()
    assert not RejectedCallEvent.objects.exists()


def test_it_rejects_a_get_at_the_webhook(client, pbx):
    assert client.get(EVENTS_URL, headers={tokens.TOKEN_HEADER: pbx.token}).status_code == 405


# --- routing ----------------------------------------------------------------------------


def test_it_pops_nothing_when_the_agent_of_another_hotel_rings_on_hotel_as_line(
    client, pbx, hotel_a, alice, bob
):
    response = send(client, pbx, agent_extension="202")

    assert response.json()["pops"] == 0
    call = Call.objects.get()
    assert call.property == hotel_a
    assert call.agent is None
    assert not ScreenPop.objects.exists()


def test_it_records_but_pops_nothing_for_an_unknown_line(client, pbx, alice):
    response = send(client, pbx, called="0212 555 00 00")

    assert response.status_code == 200
    assert response.json()["pops"] == 0
    call = Call.objects.get()
    assert (call.called, call.property) == ("+902125550000", None)
    assert not ScreenPop.objects.exists()


@pytest.mark.parametrize("called", ["0212 555 00 00", None], ids=["unknown", "not-sent"])
def test_it_gives_a_call_on_an_unknown_line_to_the_hotel_of_the_phone_system(
    client, pbx, hotel_a, alice, called
):
    pbx.property = hotel_a
    pbx.save()

    response = send(client, pbx, called=called)

    assert response.json()["pops"] == 1
    assert Call.objects.get().property == hotel_a
    assert pops_of(Call.objects.get()) == {"alice"}


def test_a_known_line_wins_over_the_hotel_of_the_phone_system(client, pbx, hotel_a, hotel_b, bob):
    pbx.property = hotel_a
    pbx.save()

    send(client, pbx, called=BELEK_LINE, agent_extension="202")

    call = Call.objects.get()
    assert call.property == hotel_b
    assert pops_of(call) == {"bob"}


def test_it_pops_a_ring_group_call_to_the_online_agents_of_the_hotel_only(
    client, pbx, hotel_a, alice, sam, carol, bob
):
    dave = persona("dave", role=Role.AGENT, properties=[hotel_a], extension="204")
    services.agent_set_status(agent=alice.agent_profile, status=AgentStatus.ONLINE)
    services.agent_set_status(agent=carol.agent_profile, status=AgentStatus.ONLINE)
    services.agent_set_status(agent=dave.agent_profile, status=AgentStatus.AWAY)
    services.agent_set_status(agent=bob.agent_profile, status=AgentStatus.ONLINE)
    # sam (supervisor of hotel A) and ada stay offline.

    response = send(client, pbx, agent_extension=None)

    assert response.json()["pops"] == 2
    call = Call.objects.get()
    assert pops_of(call) == {"alice", "carol"}
    assert call.agent is None  # rang for two: nobody has it until one answers


def test_it_gives_a_ring_group_call_to_its_only_online_agent(client, pbx, alice, carol):
    services.agent_set_status(agent=carol.agent_profile, status=AgentStatus.ONLINE)

    send(client, pbx, agent_extension=None)

    call = Call.objects.get()
    assert pops_of(call) == {"carol"}
    assert call.agent == carol.agent_profile


def test_it_pops_nothing_to_a_deactivated_agent(client, pbx, alice):
    alice.is_active = False
    alice.save()

    assert send(client, pbx).json()["pops"] == 0
    assert not ScreenPop.objects.exists()


def test_a_second_ringing_to_another_extension_pops_to_that_agent_only(
    client, pbx, alice, carol, published, django_capture_on_commit_callbacks
):
    send(client, pbx, agent_extension="201")
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, pbx, agent_extension="203")

    call = Call.objects.get()
    assert response.json() == {"call": call.pk, "duplicate": False, "pops": 1}
    assert pops_of(call) == {"alice", "carol"}
    carols = ScreenPop.objects.get(agent=carol.agent_profile)
    assert published == [(carol.agent_profile.pk, "pop", carols.pk)]
    assert call.agent == alice.agent_profile  # the first to ring keeps it until someone answers


def test_a_ring_group_ringing_again_pops_only_to_agents_not_yet_popped(client, pbx, alice, carol):
    services.agent_set_status(agent=alice.agent_profile, status=AgentStatus.ONLINE)
    send(client, pbx, agent_extension="201")
    services.agent_set_status(agent=carol.agent_profile, status=AgentStatus.ONLINE)

    response = send(client, pbx, agent_extension=None)

    assert response.json()["pops"] == 1
    assert pops_of(Call.objects.get()) == {"alice", "carol"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_extensions_ringing_at_the_same_instant_both_get_the_pop(
    pbx, alice, carol, published, monkeypatch
):
    """A PBX that rings a group sends one request per extension, at once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time: the race needs PostgreSQL")
    both_looked = threading.Barrier(2)
    find_hotel = selectors.property_for_number

    def after_both_looked_for_the_call(e164):
        # Each request has looked for the Call (and found none) before either creates it.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_looked.wait(timeout=1)
        return find_hotel(e164)

    monkeypatch.setattr(selectors, "property_for_number", after_both_looked_for_the_call)
    statuses = {}

    def deliver(extension):
        try:
            client = Client(raise_request_exception=False)
            statuses[extension] = send(client, pbx, agent_extension=extension).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(ext,)) for ext in ("201", "203")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == {"201": 200, "203": 200}
    assert pops_of(Call.objects.get()) == {"alice", "carol"}
    assert CallEvent.objects.count() == 2


# --- who is calling ---------------------------------------------------------------------


def test_it_recognizes_the_one_guest_on_the_number(client, alice_client, pbx, ahmet):
    send(client, pbx)

    call = Call.objects.get()
    assert call.guest == ahmet
    page = alice_client.get(reverse("guestview:call_detail", args=[call.pk]))
    assert page.status_code == 200
    assert page.context["mode"] == "card"
    assert page.context["card"].guest == ahmet
    assert "Ahmet Yılmaz" in page.content.decode()


def test_it_asks_who_is_calling_on_a_family_phone_then_takes_the_pick(
    client, alice_client, pbx, demirs
):
    mehmet, ayse = demirs
    send(client, pbx, caller=DEMIR_PHONE)
    call = Call.objects.get()
    detail_url = reverse("guestview:call_detail", args=[call.pk])

    assert call.guest is None
    page = alice_client.get(detail_url)
    assert page.context["mode"] == "pick"
    assert page.context["matches"] == [ayse, mehmet]

    response = alice_client.post(
        reverse("guestview:call_identify", args=[call.pk]), {"guest": ayse.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url
    call.refresh_from_db()
    assert call.guest == ayse
    page = alice_client.get(detail_url)
    assert page.context["mode"] == "card"
    assert page.context["card"].guest == ayse


def test_it_answers_the_pick_with_the_card_fragment_over_htmx(client, alice_client, pbx, demirs):
    mehmet, _ayse = demirs
    result = send(client, pbx, caller=DEMIR_PHONE)
    call = Call.objects.get(pk=result.json()["call"])
    pop = ScreenPop.objects.get()

    response = alice_client.post(
        reverse("guestview:call_identify", args=[call.pk]),
        {"guest": mehmet.pk, "pop": pop.pk},
        headers=HTMX,
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="callpop"')
    assert "Mehmet Demir" in body
    assert reverse("guestview:screenpop_dismiss", args=[pop.pk]) in body


def test_it_offers_to_create_an_unknown_caller_and_links_them(client, alice_client, pbx, hotel_a):
    send(client, pbx, caller="0532 999 88 77")
    call = Call.objects.get()
    detail_url = reverse("guestview:call_detail", args=[call.pk])
    assert alice_client.get(detail_url).context["mode"] == "new"

    response = alice_client.post(
        reverse("guestview:call_guest_create", args=[call.pk]),
        {"first_name": " Selin ", "last_name": "Kaya", "language": "en"},
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url
    guest = Guest.objects.get(first_name="Selin")
    assert (guest.property, guest.last_name, guest.language) == (hotel_a, "Kaya", "en")
    phone = ContactPoint.objects.get(guest=guest)
    assert (phone.kind, phone.value, phone.raw_value) == (
        ContactKind.PHONE,
        "+905329998877",
        "0532 999 88 77",
    )
    call.refresh_from_db()
    assert call.guest == guest
    assert alice_client.get(detail_url).context["mode"] == "card"


def test_it_asks_again_for_a_new_caller_without_a_name(client, alice_client, pbx):
    send(client, pbx, caller="0532 999 88 77")
    call = Call.objects.get()

    response = alice_client.post(
        reverse("guestview:call_guest_create", args=[call.pk]),
        {"first_name": "", "last_name": "Kaya", "language": "tr"},
        headers=HTMX,
    )

    assert response.status_code == 400
    # Read from the page (a partial's render gives no response.context on Django 5.2).
    body = response.content.decode()
    assert translated("tr", "First and last name are needed.") in body
    assert 'class="error" role="alert"' in body
    assert not Guest.objects.exists()
    call.refresh_from_db()
    assert call.guest is None


def test_it_never_matches_the_guest_of_another_hotel_on_the_same_number(
    client, alice_client, pbx, namesake_in_b
):
    send(client, pbx)

    call = Call.objects.get()
    assert call.guest is None
    page = alice_client.get(reverse("guestview:call_detail", args=[call.pk]))
    assert page.context["mode"] == "new"
    assert page.context["matches"] == []
    assert "Belekli" not in page.content.decode()


def test_it_refuses_to_identify_a_call_with_a_guest_of_another_hotel(
    client, alice_client, pbx, namesake_in_b
):
    send(client, pbx)
    call = Call.objects.get()

    response = alice_client.post(
        reverse("guestview:call_identify", args=[call.pk]), {"guest": namesake_in_b.pk}
    )

    assert response.status_code == 404
    call.refresh_from_db()
    assert call.guest is None


# --- the call's pages, as alice and as bob ----------------------------------------------


@pytest.fixture
def ahmets_call(pbx, ahmet, alice):
    return ring(pbx, at=timezone.now() - timedelta(seconds=2)).call


# How bob pokes at every URL of a call or pop of alice's: method and form data.
CALL_URLS = {
    "call_detail": ("get", {}),
    "call_seen": ("post", {}),
    "call_identify": ("post", {"guest": "ahmet"}),
    "call_guest_create": ("post", {"first_name": "Bob", "last_name": "Was Here", "language": "tr"}),
    "screenpop_dismiss": ("post", {}),
}


def test_it_knows_every_url_of_a_call_or_a_pop():
    found = {
        pattern.name
        for pattern in urls.urlpatterns
        if isinstance(pattern, URLPattern)
        and str(pattern.pattern).startswith(("calls/<int:pk>", "pops/<int:pk>"))
    }
    assert found == set(CALL_URLS), "a call URL was added or removed: update CALL_URLS"


@pytest.mark.parametrize("name", CALL_URLS)
def test_it_hides_every_call_url_of_hotel_a_from_the_agent_of_hotel_b(
    bob_client, ahmets_call, ahmet, name
):
    method, data = CALL_URLS[name]
    data = {key: ahmet.pk if value == "ahmet" else value for key, value in data.items()}
    pop = ScreenPop.objects.get()
    pk = pop.pk if name == "screenpop_dismiss" else ahmets_call.pk

    response = getattr(bob_client, method)(reverse(f"guestview:{name}", args=[pk]), data)

    assert response.status_code == 404
    assert "Yılmaz" not in response.content.decode()
    call = Call.objects.get()
    assert (call.card_seen_at, call.guest) == (None, ahmet)
    assert Guest.objects.count() == 1
    assert ScreenPop.objects.get().dismissed_at is None


def test_it_shows_the_call_to_the_supervisor_but_not_alices_pop(client_of, sam, ahmets_call):
    sams = client_of(sam)
    pop = ScreenPop.objects.get()

    assert sams.get(reverse("guestview:call_detail", args=[ahmets_call.pk])).status_code == 200
    assert sams.post(reverse("guestview:screenpop_dismiss", args=[pop.pk])).status_code == 404


def test_it_records_when_the_card_was_first_seen_once(alice_client, ahmets_call):
    seen_url = reverse("guestview:call_seen", args=[ahmets_call.pk])

    response = alice_client.post(seen_url)

    assert response.status_code == 204
    call = Call.objects.get()
    assert call.card_seen_at is not None
    assert call.recognition_ms == int((call.card_seen_at - call.rang_at).total_seconds() * 1000)
    assert 2000 <= call.recognition_ms < 60_000
    first_sighting = (call.card_seen_at, call.recognition_ms)

    assert alice_client.post(seen_url).status_code == 204
    call.refresh_from_db()
    assert (call.card_seen_at, call.recognition_ms) == first_sighting


def test_a_call_card_is_one_view_in_the_access_log_however_often_it_renders(
    client_of, alice, sam, ahmet, ahmets_call
):
    from consent.models import AccessLog

    Call.objects.filter(pk=ahmets_call.pk).update(guest=ahmet)
    for user in (alice, sam):
        client = client_of(user)
        client.get(reverse("guestview:call_detail", args=[ahmets_call.pk]))
        for _ in range(2):  # the page's beacon, then a re-render of the pop
            client.post(reverse("guestview:call_seen", args=[ahmets_call.pk]))
    views = AccessLog.objects.filter(guest_id=ahmet.pk, action="view")
    assert sorted(views.values_list("actor__username", flat=True)) == ["alice", "sam"]
    assert set(views.values_list("context", flat=True)) == {f"call:{ahmets_call.pk}"}


def test_it_answers_the_beacon_of_a_call_that_rang_a_month_ago(alice_client, pbx, ahmet, alice):
    # An agent opens an old missed call from the list: the beacon fires on that page too.
    call = ring(pbx, at=timezone.now() - timedelta(days=30)).call

    response = alice_client.post(reverse("guestview:call_seen", args=[call.pk]))

    assert response.status_code == 204
    call.refresh_from_db()
    # Opened a month later: seen, but that is not recognition time.
    assert call.card_seen_at is not None
    assert call.recognition_ms is None


def test_it_takes_the_seen_beacon_only_as_a_post(alice_client, ahmets_call):
    response = alice_client.get(reverse("guestview:call_seen", args=[ahmets_call.pk]))

    assert response.status_code == 405
    assert Call.objects.get().card_seen_at is None


def test_it_dismisses_a_pop_over_htmx_and_without_js(alice_client, pbx, alice, ahmet):
    first = ring(pbx, call_id="c-1").pops[0]
    second = ring(pbx, call_id="c-2").pops[0]

    over_htmx = alice_client.post(
        reverse("guestview:screenpop_dismiss", args=[first.pk]), headers=HTMX
    )
    plain = alice_client.post(reverse("guestview:screenpop_dismiss", args=[second.pk]))

    assert (over_htmx.status_code, over_htmx.content) == (200, b"")
    assert plain.status_code == 302
    assert plain["Location"] == reverse("guestview:missed_calls")
    assert ScreenPop.objects.filter(dismissed_at__isnull=True).count() == 0


def test_it_keeps_the_first_dismissal_time(alice_client, ahmets_call):
    pop = ScreenPop.objects.get()
    url = reverse("guestview:screenpop_dismiss", args=[pop.pk])
    alice_client.post(url)
    pop.refresh_from_db()
    first = pop.dismissed_at

    alice_client.post(url)

    pop.refresh_from_db()
    assert pop.dismissed_at == first is not None


# --- missed calls -----------------------------------------------------------------------


@pytest.fixture
def calls_of_the_day(pbx, ahmet, alice, carol):
    """Six calls that rang for alice, by what became of them."""
    closed_console = ring(pbx, call_id="closed-console").call
    end(pbx, "closed-console")
    seen_and_answered = ring(pbx, call_id="seen-and-answered")
    services.screenpop_delivered(pop_ids=[seen_and_answered.pops[0].pk])
    end(pbx, "seen-and-answered", answered_by="201")
    seen_nobody_answered = ring(pbx, call_id="seen-nobody-answered")
    services.screenpop_delivered(pop_ids=[seen_nobody_answered.pops[0].pk])
    end(pbx, "seen-nobody-answered")
    carol_took_it = ring(pbx, call_id="carol-took-it").call
    end(pbx, "carol-took-it", answered_by="203")
    still_ringing = ring(pbx, call_id="still-ringing").call
    already_done = ring(pbx, call_id="already-done")
    end(pbx, "already-done")
    services.screenpop_dismiss(pop=already_done.pops[0])
    return {
        "closed_console": closed_console,
        "seen_and_answered": seen_and_answered.call,
        "seen_nobody_answered": seen_nobody_answered.call,
        "carol_took_it": carol_took_it,
        "still_ringing": still_ringing,
        "already_done": already_done.call,
    }


def test_it_lists_the_calls_alice_missed_and_not_the_others(alice_client, calls_of_the_day):
    response = alice_client.get(reverse("guestview:missed_calls"))

    assert response.status_code == 200
    listed = [pop.call for pop in response.context["pops"]]
    assert listed == [calls_of_the_day["seen_nobody_answered"], calls_of_the_day["closed_console"]]
    body = response.content.decode()
    assert reverse("guestview:call_detail", args=[calls_of_the_day["closed_console"].pk]) in body
    assert "Ahmet Yılmaz" in body
    seen = reverse("guestview:call_detail", args=[calls_of_the_day["seen_and_answered"].pk])
    assert seen not in body


def test_it_lists_nothing_of_alices_for_bob(bob_client, calls_of_the_day):
    response = bob_client.get(reverse("guestview:missed_calls"))

    assert list(response.context["pops"]) == []
    assert "Yılmaz" not in response.content.decode()


@pytest.mark.parametrize("missed", [1, 6])
def test_it_lists_missed_calls_in_constant_queries(
    alice_client, pbx, ahmet, alice, missed, django_assert_num_queries
):
    for n in range(missed):
        ring(pbx, call_id=f"missed-{n}")
        end(pbx, f"missed-{n}")

    # session, user, agent profile, roles (menu), unread alerts (bell), the pops with
    # their calls, guests and hotels; then presence: last_seen_at and the session
    with django_assert_num_queries(10):
        response = alice_client.get(reverse("guestview:missed_calls"))
    assert len(response.context["pops"]) == missed


# --- notes on the card ------------------------------------------------------------------


def note_url(guest):
    return reverse("guestview:guest_note_create", args=[guest.pk])


def test_it_saves_a_note_from_the_card_through_the_service(alice_client, alice, ahmet, ahmets_call):
    response = alice_client.post(
        note_url(ahmet),
        {
            "text": "Wants a sea-view room in August.",
            "kind": NoteKind.REQUEST,
            "next_step": NextStep.OFFER,
            "call": ahmets_call.pk,
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert translated("tr", "Note saved.") in response.content.decode()
    note = GuestNote.objects.get()
    assert (note.guest, note.author, note.call) == (ahmet, alice, ahmets_call)
    assert (note.kind, note.next_step, note.is_open) == (NoteKind.REQUEST, NextStep.OFFER, True)
    assert note.text == "Wants a sea-view room in August."


def test_it_answers_an_empty_note_with_the_error_in_the_fragment(alice_client, ahmet):
    response = alice_client.post(
        note_url(ahmet), {"text": "   ", "kind": NoteKind.INFO, "next_step": ""}, headers=HTMX
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert body.lstrip().startswith('<form class="noteform"')
    assert (
        f'<p class="error" role="alert">{translated("tr", "Write the note before saving.")}</p>'
        in body
    )
    assert not GuestNote.objects.exists()


def test_a_request_is_noted_in_fields_and_shown_on_the_card(alice_client, ahmet, ahmets_call):
    response = alice_client.post(
        note_url(ahmet),
        {"kind": NoteKind.REQUEST, "next_step": NextStep.OFFER, "arrival": "2027-07-12",
         "departure": "2027-07-15", "adults": "2", "children": "1", "room_wish": "sea view",
         "text": "", "call": ahmets_call.pk},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    note = GuestNote.objects.get()
    assert (str(note.arrival), str(note.departure), note.adults, note.children) == (
        "2027-07-12", "2027-07-15", 2, 1,
    )  # fmt: skip
    assert (note.room_wish, note.text, note.is_open) == ("sea view", "", True)
    card = alice_client.get(reverse("guestview:call_detail", args=[ahmets_call.pk])).text
    assert "12.07–15.07.2027 · 2+1 · sea view" in card  # the open request, at the top


def test_a_request_whose_departure_is_not_after_arrival_is_refused_and_kept(alice_client, ahmet):
    response = alice_client.post(
        note_url(ahmet),
        {"kind": NoteKind.REQUEST, "arrival": "2027-07-15", "departure": "2027-07-12",
         "room_wish": "twin beds", "text": "x"},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert translated("tr", "Departure must be after arrival.") in body
    assert 'value="twin beds"' in body and 'value="2027-07-15"' in body  # nothing lost
    assert not GuestNote.objects.exists()


def test_a_room_wish_passes_the_kvkk_guardrail_too(alice_client, ahmet):
    response = alice_client.post(
        note_url(ahmet),
        {"kind": NoteKind.REQUEST, "room_wish": "engelli odası, tekerlekli sandalye", "text": ""},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 400
    assert '<mark class="kvkk" title="health">' in response.content.decode()
    assert not GuestNote.objects.exists()


def test_it_refuses_a_note_with_a_call_of_another_hotel(
    client_of, bob, hotel_b, alice, ahmets_call
):
    guest_of_b = GuestFactory(property=hotel_b)

    response = client_of(bob).post(
        note_url(guest_of_b),
        {"text": "Hello", "kind": NoteKind.INFO, "call": ahmets_call.pk},
        headers=HTMX,
    )

    assert response.status_code == 404
    assert not GuestNote.objects.exists()


def test_it_flags_an_open_complaint_at_the_top_of_the_card_until_it_is_closed(
    alice_client, alice, ahmet, ahmets_call
):
    detail_url = reverse("guestview:call_detail", args=[ahmets_call.pk])
    services.guest_note_add(guest=ahmet, author=alice, text="Just asked about parking.")
    complaint = services.guest_note_add(
        guest=ahmet,
        author=alice,
        text="Air conditioning broken in room 412.",
        kind=NoteKind.COMPLAINT,
    )

    body = alice_client.get(detail_url).content.decode()

    card = body[body.index('<article class="guestcard"') :]
    flag = card[: card.index('<div class="blocks">')]
    assert 'class="flag flag-complaint" role="alert"' in flag
    assert "Air conditioning broken in room 412." in flag
    assert "parking" not in flag  # information, nothing to follow up

    services.guest_note_close(note=complaint)

    assert "flag-complaint" not in alice_client.get(detail_url).content.decode()


def test_it_closes_an_open_complaint_from_its_flag(alice_client, bob_client, ahmet, alice):
    complaint = services.guest_note_add(
        guest=ahmet, author=alice, text="Noisy room, wants a move.", kind=NoteKind.COMPLAINT
    )
    done_url = reverse("guestview:guest_note_done", args=[complaint.pk])
    detail_url = reverse("guestview:guest_detail", args=[ahmet.pk])
    assert done_url in alice_client.get(detail_url).content.decode()

    assert bob_client.post(done_url, headers=HTMX).status_code == 404  # another hotel's agent
    complaint.refresh_from_db()
    assert complaint.is_open

    response = alice_client.post(done_url, headers=HTMX)

    assert response.status_code == 200
    complaint.refresh_from_db()
    assert not complaint.is_open
    assert "flag-complaint" not in alice_client.get(detail_url).content.decode()


def test_it_shows_the_call_in_the_guests_timeline(alice_client, pbx, ahmet, alice):
    ring(pbx, call_id="answered-call")
    end(pbx, "answered-call", answered_by="201")

    response = alice_client.get(reverse("guestview:guest_timeline", args=[ahmet.pk]))

    kinds = [kind for _moment, kind, _item in response.context["timeline"]]
    assert kinds == ["call"]
    assert 'class="entry entry-call"' in response.content.decode()
