"""The Asterisk door, driven end to end: the real AMI client (its own loop and
reconnects, the services on Django's sync thread) against a fake Asterisk
replaying recorded transcripts (transcripts/*.ami).

Transactional: the client writes from another thread, on its own connection.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
import time
from io import StringIO

import pytest
from asgiref.sync import sync_to_async
from django.core.management import CommandError, call_command

from guestview import selectors
from guestview.cti.ami import AmiClient, Backoff, channel_extension
from guestview.models import (
    AgentProfile,
    Call,
    CallDirection,
    CallEvent,
    CallOutcome,
    Pbx,
    PbxKind,
    PropertyNumber,
    Role,
    ScreenPop,
)
from tests.factories import PbxFactory, persona
from tests.guestview.cti.fake_ami import SECRET, USERNAME, FakeAmi, Session, load_transcript

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ANSWERED = load_transcript("inbound_answered_by_201")
RING_GROUP = load_transcript("ring_group_201_202_missed")
INTERNAL = load_transcript("internal_201_calls_202")
ANSWERED_CALL_ID = "1719838401.36"
RING_GROUP_CALL_ID = "1719842222.58"


@pytest.fixture(autouse=True)
def _fresh_number_cache(monkeypatch):
    # selectors caches DID → property id for a minute; rows of an earlier test are gone.
    monkeypatch.setattr(selectors, "_number_cache", {})


@pytest.fixture
def lara_number(hotel_a):
    return PropertyNumber.objects.create(
        property=hotel_a, number="+902427101000", label="Reservations"
    )


@pytest.fixture
def asterisk(lara_number):
    return PbxFactory(
        name="Lara Asterisk",
        kind=PbxKind.ASTERISK,
        ami_host="127.0.0.1",
        ami_username=USERNAME,
        ami_secret=SECRET,
    )


@pytest.fixture
def carol(hotel_a):
    """A second agent of hotel A, in the ring group with alice."""
    return persona("carol", role=Role.AGENT, properties=[hotel_a], extension="202")


def run_client(client: AmiClient, *, until, timeout: float = 10.0) -> None:
    """Run the client's real loop until ``until()`` holds (or ``timeout``), then stop it."""

    async def main():
        running = asyncio.ensure_future(client.run())
        deadline = time.monotonic() + timeout
        while not until() and time.monotonic() < deadline and not running.done():
            await asyncio.sleep(0.01)
        client.stop()
        await asyncio.wait_for(running, timeout=5)

    asyncio.run(main())


def client_for(pbx: Pbx, fake: FakeAmi) -> AmiClient:
    pbx.ami_host, pbx.ami_port = fake.address
    pbx.save(update_fields=["ami_host", "ami_port"])
    return AmiClient(pbx, backoff=Backoff(first=0.05, cap=0.2), timeout=2.0)


def replay(pbx: Pbx, *sessions: Session, newline: str = "\r\n") -> tuple[FakeAmi, AmiClient]:
    """Let a fresh client follow ``sessions`` (one per login) to their end."""
    with FakeAmi(*sessions, newline=newline) as fake:
        client = client_for(pbx, fake)
        run_client(
            client,
            until=lambda: (
                fake.logins_accepted >= len(sessions) and client.events_read >= fake.events_sent
            ),
        )
    assert fake.logins_accepted == len(sessions)
    assert client.events_read == fake.events_sent
    return fake, client


def ringing_event(call: Call) -> CallEvent:
    return CallEvent.objects.get(pbx=call.pbx, call_id=call.call_id, kind="ringing")


def pops_of(call: Call) -> set[str]:
    return set(ScreenPop.objects.filter(call=call).values_list("agent__user__username", flat=True))


# --- what a call becomes -------------------------------------------------------------


def test_it_pops_the_answered_call_to_the_agent_it_rang(asterisk, hotel_a, alice, bob, caplog):
    caplog.set_level(logging.INFO, logger="guestview")

    replay(asterisk, Session(ANSWERED))

    call = Call.objects.get()
    assert call.pbx == asterisk
    assert call.call_id == ANSWERED_CALL_ID
    assert call.direction == CallDirection.INBOUND
    assert (call.caller_raw, call.caller) == ("05321234567", "+905321234567")
    assert (call.called_raw, call.called) == ("902427101000", "+902427101000")
    assert call.property == hotel_a
    assert call.agent == alice.agent_profile
    assert call.rang_at <= call.answered_at <= call.ended_at
    assert call.outcome == CallOutcome.COMPLETED
    assert pops_of(call) == {"alice"}  # bob, of hotel B, sees nothing of it
    events = CallEvent.objects.filter(pbx=asterisk, call_id=ANSWERED_CALL_ID)
    assert sorted((e.kind, e.agent_extension, e.payload["Event"]) for e in events) == [
        ("answered", "201", "Newstate"),
        ("hangup", "", "Hangup"),
        ("ringing", "201", "Newstate"),
    ]
    assert events.get(kind="hangup").payload["Channel"] == "PJSIP/trunk-provider-00000012"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_it_pops_a_ring_group_call_to_every_ringing_agent_and_calls_it_missed(
    asterisk, hotel_a, alice, carol
):
    replay(asterisk, Session(RING_GROUP))

    call = Call.objects.get(call_id=RING_GROUP_CALL_ID)
    assert (call.caller_raw, call.caller) == ("+905321234567", "+905321234567")
    assert (call.called_raw, call.called) == ("02427101000", "+902427101000")
    assert call.property == hotel_a
    assert call.answered_at is None
    assert call.ended_at is not None
    assert call.outcome == CallOutcome.MISSED
    assert pops_of(call) == {"alice", "carol"}
    # The caller's HangupRequest is not the hang-up; the trunk's Hangup is.
    hangup = CallEvent.objects.get(call_id=RING_GROUP_CALL_ID, kind="hangup")
    assert hangup.payload["Event"] == "Hangup"


def test_an_agent_of_another_hotel_gets_no_pop_even_when_their_phone_rings(asterisk, alice, bob):
    replay(asterisk, Session(RING_GROUP))

    call = Call.objects.get(call_id=RING_GROUP_CALL_ID)
    assert pops_of(call) == {"alice"}
    assert not ScreenPop.objects.filter(agent=bob.agent_profile).exists()


def test_it_ignores_events_other_than_channels_starting_ringing_and_ending(asterisk, alice):
    unrelated = [
        b for b in ANSWERED if b[0].split(": ")[1] not in {"Newchannel", "Newstate", "Hangup"}
    ]
    assert {b[0] for b in unrelated} >= {
        "Event: VarSet",
        "Event: Newexten",
        "Event: DialBegin",
        "Event: PeerStatus",
        "Event: HangupRequest",
    }

    _fake, client = replay(asterisk, Session(unrelated))

    assert client.events_read == len(unrelated) + 1  # and FullyBooted
    assert not CallEvent.objects.exists()
    assert not Call.objects.exists()


def test_it_skips_a_call_an_agent_makes_to_a_colleague(asterisk, alice, carol):
    replay(asterisk, Session(INTERNAL))

    assert not CallEvent.objects.exists()
    assert not ScreenPop.objects.exists()


def test_it_takes_the_caller_from_the_agent_channel_when_it_joined_mid_call(asterisk, alice):
    # Connected after the trunk's Newchannel, up to the ring: the caller comes
    # from the agent channel's connected line, never its own extension (201).
    ringing = next(i for i, b in enumerate(ANSWERED) if "ChannelStateDesc: Ringing" in b)
    replay(asterisk, Session(ANSWERED[3 : ringing + 1]))

    call = Call.objects.get()
    assert ringing_event(call).payload["CallerIDNum"] == "201"
    assert (call.caller_raw, call.caller) == ("05321234567", "+905321234567")
    assert call.called == ""
    assert call.property is None
    assert call.outcome == CallOutcome.RINGING


def test_it_reads_bare_lf_line_endings(asterisk, alice):
    replay(asterisk, Session(ANSWERED), newline="\n")

    assert Call.objects.get().outcome == CallOutcome.COMPLETED


# --- once, whatever happens to the connection -------------------------------------------


def test_a_restarted_client_replaying_the_same_call_changes_nothing(asterisk, alice):
    replay(asterisk, Session(ANSWERED))
    first = Call.objects.get()

    replay(asterisk, Session(ANSWERED))

    again = Call.objects.get()
    assert again.pk == first.pk
    assert (again.rang_at, again.answered_at, again.ended_at) == (
        first.rang_at,
        first.answered_at,
        first.ended_at,
    )
    assert ScreenPop.objects.count() == 1
    assert CallEvent.objects.count() == 3


def test_it_reconnects_when_asterisk_drops_the_connection_and_carries_on(asterisk, alice, caplog):
    caplog.set_level(logging.INFO, logger="guestview.cti.ami")
    ringing = next(i for i, b in enumerate(ANSWERED) if "ChannelStateDesc: Ringing" in b)

    fake, _client = replay(
        asterisk,
        Session(ANSWERED[: ringing + 1], drop=True),
        Session(ANSWERED[ringing + 1 :]),
    )

    assert fake.login_attempts == 2
    call = Call.objects.get()
    assert call.outcome == CallOutcome.COMPLETED
    assert call.called == "+902427101000"
    assert pops_of(call) == {"alice"}
    messages = [r.getMessage() for r in caplog.records if r.name == "guestview.cti.ami"]
    assert sum("logged in" in m for m in messages) == 2
    assert any("disconnected: Asterisk closed the connection" in m for m in messages)
    assert any("reconnecting in 0.05 s" in m for m in messages)


def test_a_call_replayed_after_a_reconnect_is_recorded_once(asterisk, alice):
    replay(asterisk, Session(ANSWERED, drop=True), Session(ANSWERED))

    assert Call.objects.count() == 1
    assert ScreenPop.objects.count() == 1
    assert CallEvent.objects.count() == 3


def test_it_pings_a_quiet_asterisk_and_stays_connected(asterisk):
    with FakeAmi(Session([])) as fake:
        client = client_for(asterisk, fake)
        client.ping_interval = 0.1
        run_client(client, until=lambda: False, timeout=0.5)

    pings = [a for a in fake.actions if a["Action"] == "Ping"]
    assert len(pings) >= 2
    assert fake.login_attempts == 1


def test_it_reconnects_when_a_ping_goes_unanswered(asterisk, alice):
    with FakeAmi(Session([], mute=True), Session(ANSWERED)) as fake:
        client = client_for(asterisk, fake)
        client.ping_interval = 0.1
        run_client(
            client,
            until=lambda: fake.logins_accepted == 2 and client.events_read == fake.events_sent,
        )

    assert [a["Action"] for a in fake.actions[:2]] == ["Login", "Ping"]
    assert fake.logins_accepted == 2
    assert Call.objects.get().outcome == CallOutcome.COMPLETED


# --- logging in ---------------------------------------------------------------------


def test_it_logs_in_for_call_events_only(asterisk, alice):
    fake, _client = replay(asterisk, Session([]))

    login = fake.actions[0]
    assert login["Action"] == "Login"
    assert login["ActionID"]
    assert (login["Username"], login["Secret"], login["Events"]) == (USERNAME, SECRET, "call")


def test_it_backs_off_instead_of_spinning_on_a_wrong_secret(asterisk, alice, caplog):
    asterisk.ami_secret = "wrong"
    asterisk.save()
    with FakeAmi(Session(ANSWERED)) as fake:
        client = client_for(asterisk, fake)
        client.backoff = Backoff(first=0.1, cap=1.0)
        run_client(client, until=lambda: False, timeout=0.65)  # tries at 0, 0.1, 0.3

    assert 2 <= fake.login_attempts <= 4
    assert fake.logins_accepted == 0
    assert client.events_read == 0
    assert not CallEvent.objects.exists()
    refusals = [r for r in caplog.records if "login refused" in r.getMessage()]
    assert refusals
    assert refusals[0].levelno == logging.ERROR
    assert "Authentication failed" in refusals[0].getMessage()


def test_it_logs_in_once_the_secret_is_fixed_in_admin(asterisk, alice):
    asterisk.ami_secret = "wrong"
    asterisk.save()
    with FakeAmi(Session(ANSWERED)) as fake:
        client = client_for(asterisk, fake)
        client.backoff = Backoff(first=0.2, cap=0.2)

        async def main():
            running = asyncio.ensure_future(client.run())
            while fake.login_attempts < 1:
                await asyncio.sleep(0.01)
            await sync_to_async(
                lambda: Pbx.objects.filter(pk=asterisk.pk).update(ami_secret=SECRET),
                thread_sensitive=True,
            )()
            deadline = time.monotonic() + 10
            while client.events_read < len(ANSWERED) + 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            client.stop()
            await asyncio.wait_for(running, 5)

        asyncio.run(main())

    assert fake.logins_accepted == 1
    assert Call.objects.get().outcome == CallOutcome.COMPLETED


def test_it_keeps_retrying_when_asterisk_refuses_the_connection(asterisk, caplog):
    caplog.set_level(logging.INFO, logger="guestview.cti.ami")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        asterisk.ami_port = closed.getsockname()[1]  # nobody listens once closed
    asterisk.save()
    client = AmiClient(asterisk, backoff=Backoff(first=0.05, cap=1.0), timeout=1.0)

    run_client(client, until=lambda: False, timeout=0.3)  # tries at 0, 0.05, 0.15

    messages = [r.getMessage() for r in caplog.records if r.name == "guestview.cti.ami"]
    assert 2 <= sum("connecting to" in m for m in messages) <= 4
    assert any("reconnecting in 0.1 s" in m for m in messages)
    assert messages[-1] == "AMI Lara Asterisk: stopped"


def test_it_waits_1_2_4_up_to_30_seconds_and_starts_over_after_a_login():
    backoff = Backoff()
    assert [backoff.next() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.next() == 1


@pytest.mark.parametrize(
    ("channel", "extension"),
    [
        ("PJSIP/201-00000013", "201"),
        ("SIP/201-0000a1b2", "201"),
        ("IAX2/201-4711", "201"),
        ("Local/201@from-queue-0000002a;1", "201"),
        ("PJSIP/trunk-provider-00000012", "trunk-provider"),
        ("", ""),
    ],
)
def test_it_reads_the_extension_from_the_channel_name(channel, extension):
    assert channel_extension(channel) == extension


# --- manage.py cti_ami --------------------------------------------------------------


def test_the_command_needs_an_active_asterisk(db):
    PbxFactory(name="Webhook", kind=PbxKind.GENERIC)
    PbxFactory(name="Old Asterisk", kind=PbxKind.ASTERISK, is_active=False)

    with pytest.raises(CommandError, match="No active phone system of kind Asterisk"):
        call_command("cti_ami")


def test_the_command_asks_which_when_several_asterisks_are_active(asterisk):
    PbxFactory(name="Belek Asterisk", kind=PbxKind.ASTERISK, ami_host="10.0.0.2")

    with pytest.raises(CommandError, match=r"Belek Asterisk, Lara Asterisk.*--pbx NAME"):
        call_command("cti_ami")


def test_the_command_refuses_an_unknown_name(asterisk):
    with pytest.raises(CommandError, match=r"'Side' \(known: Lara Asterisk\)"):
        call_command("cti_ami", pbx="Side")


def test_the_command_refuses_a_pbx_without_an_ami_secret(asterisk):
    asterisk.ami_secret = ""
    asterisk.save()

    with pytest.raises(CommandError, match="has no AMI secret"):
        call_command("cti_ami", pbx="Lara Asterisk")


class _Watch(logging.Handler):
    def __init__(self, needle: str):
        super().__init__()
        self.needle = needle
        self.seen = threading.Event()

    def emit(self, record):
        if self.needle in record.getMessage():
            self.seen.set()


def test_the_command_follows_calls_until_sigint(asterisk, alice):
    watch = _Watch(f"call {ANSWERED_CALL_ID} hangup")
    logger = logging.getLogger("guestview.cti.ami")
    logger.addHandler(watch)
    finished = threading.Event()

    def interrupt():
        watch.seen.wait(timeout=10)
        if not finished.is_set():
            os.kill(os.getpid(), signal.SIGINT)

    out = StringIO()
    try:
        with FakeAmi(Session(ANSWERED)) as fake:
            asterisk.ami_port = fake.address[1]
            asterisk.save()
            threading.Thread(target=interrupt, daemon=True).start()
            call_command("cti_ami", stdout=out)
            finished.set()
    finally:
        logger.removeHandler(watch)

    assert watch.seen.is_set()
    assert Call.objects.get().outcome == CallOutcome.COMPLETED
    assert out.getvalue().endswith("Stopped.\n")
    assert AgentProfile.objects.get(user=alice).screen_pops.count() == 1
