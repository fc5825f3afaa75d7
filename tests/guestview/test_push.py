"""Server push of screen-pops: Redis pub/sub per agent, the SSE stream that
reads it, and the database replay that covers for both.

Real Redis (settings.REDIS_URL). Every test gets its own channel prefix, so
parallel workers sharing one Redis never hear each other.
"""

import asyncio
import json
import time
import uuid
from datetime import timedelta

import pytest
import redis
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone

from guestview import push, selectors, services, views
from guestview.cti.events import CallEventIn
from guestview.models import AgentProfile, CallOutcome, PbxKind, PropertyNumber, Role, ScreenPop
from tests.factories import PbxFactory, UserFactory, persona

STREAM_URL = reverse("guestview:screenpop_stream")
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
CHUNK_TIMEOUT = 5


@pytest.fixture(autouse=True)
def _own_channels(settings, monkeypatch):
    settings.PUSH_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}"
    monkeypatch.setattr(push, "_client", None)  # built again from this test's settings


@pytest.fixture(autouse=True)
def _fresh_number_cache(monkeypatch):
    # selectors caches DID → property id for a minute; rows of an earlier test are gone.
    monkeypatch.setattr(selectors, "_number_cache", {})
    monkeypatch.setattr(selectors, "_number_cache_at", 0.0)


@pytest.fixture
def redis_down(settings, monkeypatch):
    settings.REDIS_URL = DEAD_REDIS
    monkeypatch.setattr(push, "_client", None)


@pytest.fixture
def pbx(hotel_a):
    PropertyNumber.objects.create(property=hotel_a, number="+902427101000")
    return PbxFactory(kind=PbxKind.GENERIC)


@pytest.fixture
def subscriber(settings):
    """A Redis pub/sub connection of our own, as a console's stream would hold."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=CHUNK_TIMEOUT)
    pubsub = client.pubsub()
    yield pubsub
    pubsub.close()
    client.close()


def listen(pubsub, channel):
    pubsub.subscribe(channel)
    confirmation = pubsub.get_message(timeout=CHUNK_TIMEOUT)
    assert confirmation is not None and confirmation["type"] == "subscribe"


def next_message(pubsub) -> dict | None:
    deadline = time.monotonic() + CHUNK_TIMEOUT
    while time.monotonic() < deadline:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message is not None:
            return json.loads(message["data"])
    return None


def event(kind, *, call_id="c-1", extension="201", caller="0532 999 88 77"):
    return CallEventIn(
        kind=kind,
        call_id=call_id,
        caller=caller if kind == "ringing" else "",
        called="+90 242 710 10 00",
        agent_extension=extension,
        at=timezone.now(),
    )


def ring(pbx, call_id="c-1", extension="201"):
    return services.call_event_record(
        pbx=pbx, event=event("ringing", call_id=call_id, extension=extension)
    )


# --- publish and the message format -----------------------------------------------------


def test_it_publishes_a_json_message_on_the_agents_channel(subscriber):
    listen(subscriber, push.agent_channel(42))

    delivered = push.publish(42, event="pop", html="<p>Ahmet Yılmaz</p>", event_id=7)

    assert delivered is True
    assert next_message(subscriber) == {"event": "pop", "id": 7, "html": "<p>Ahmet Yılmaz</p>"}


def test_it_keeps_each_agents_channel_to_themselves(subscriber):
    listen(subscriber, push.agent_channel(42))

    push.publish(43, event="pop", html="<p>not for 42</p>", event_id=8)

    assert subscriber.get_message(ignore_subscribe_messages=True, timeout=0.3) is None


def test_the_channel_name_carries_the_prefix(settings):
    assert push.agent_channel(42) == f"{settings.PUSH_CHANNEL_PREFIX}:agent:42"


def test_it_formats_every_line_of_the_data_as_a_data_line():
    html = '<section class="callpop">\n  <h2>Ahmet</h2>\r\n\n</section>'

    message = push.sse_message(event="pop", data=html, event_id=17)

    assert message == (
        "id: 17\n"
        "event: pop\n"
        'data: <section class="callpop">\n'
        "data:   <h2>Ahmet</h2>\n"
        "data: \n"
        "data: </section>\n"
        "\n"
    )


def test_it_formats_an_event_without_id_or_data():
    assert push.sse_message(event="callstate-3", data="") == "event: callstate-3\ndata: \n\n"


# --- when Redis is away ----------------------------------------------------------------


@pytest.mark.django_db
def test_publish_says_false_and_does_not_raise_without_redis(redis_down, caplog):
    assert push.publish(42, event="pop", html="<p>x</p>", event_id=1) is False
    assert "will be replayed" in caplog.text


@pytest.mark.django_db
def test_a_call_still_pops_from_the_database_without_redis(
    redis_down, pbx, alice, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = ring(pbx)

    assert len(callbacks) == 1
    assert "will be replayed" in caplog.text  # push.publish saw the outage itself…
    assert "on_commit" not in caplog.text  # …and raised nothing for on_commit to catch
    pop = ScreenPop.objects.get()
    assert result.pops == (pop,)
    assert pop.delivered_at is None
    assert selectors.screenpops_to_replay(alice.agent_profile, after_id=None) == [pop]


@pytest.mark.django_db
def test_it_pushes_the_answer_to_the_consoles_showing_the_call(
    subscriber, pbx, alice, django_capture_on_commit_callbacks
):
    call = ring(pbx).call
    listen(subscriber, push.agent_channel(alice.agent_profile.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.call_event_record(pbx=pbx, event=event("answered"))

    message = next_message(subscriber)
    assert (message["event"], message["id"]) == (f"callstate-{call.pk}", None)
    assert f'class="callstate callstate-{CallOutcome.ANSWERED}"' in message["html"]


@pytest.mark.django_db
def test_it_pushes_a_rendered_pop_after_commit(
    subscriber, pbx, alice, django_capture_on_commit_callbacks
):
    listen(subscriber, push.agent_channel(alice.agent_profile.pk))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ring(pbx)
    assert subscriber.get_message(ignore_subscribe_messages=True, timeout=0.2) is None
    for callback in callbacks:
        callback()

    message = next_message(subscriber)
    pop = ScreenPop.objects.get()
    assert (message["event"], message["id"]) == ("pop", pop.pk)
    assert f'data-call="{pop.call_id}"' in message["html"]


# --- what a (re)connecting console replays -----------------------------------------------


@pytest.fixture
def carol(hotel_a):
    return persona("carol", role=Role.AGENT, properties=[hotel_a], extension="203")


@pytest.mark.django_db
def test_it_replays_only_the_later_pops_of_that_agent_after_a_last_event_id(pbx, alice, carol):
    seen = ring(pbx, call_id="c-1").pops[0]
    later = ring(pbx, call_id="c-2").pops[0]
    ring(pbx, call_id="c-2", extension="203")  # the same call rings for carol too
    dismissed = ring(pbx, call_id="c-3").pops[0]
    services.screenpop_dismiss(pop=dismissed)
    latest = ring(pbx, call_id="c-4").pops[0]
    services.call_event_record(pbx=pbx, event=event("hangup", call_id="c-4"))
    services.screenpop_delivered(pop_ids=[latest.pk])

    replay = selectors.screenpops_to_replay(alice.agent_profile, after_id=seen.pk)

    assert replay == [later, latest]


@pytest.mark.django_db
def test_it_replays_nothing_older_than_ten_minutes(pbx, alice):
    seen = ring(pbx, call_id="c-1").pops[0]
    old = ring(pbx, call_id="c-2").pops[0]
    ScreenPop.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    assert selectors.screenpops_to_replay(alice.agent_profile, after_id=seen.pk) == []
    assert selectors.screenpops_to_replay(alice.agent_profile, after_id=None) == [seen]


@pytest.mark.django_db
def test_a_fresh_console_replays_only_undelivered_calls_still_ringing(pbx, alice):
    ringing = ring(pbx, call_id="ringing").pops[0]
    shown = ring(pbx, call_id="shown").pops[0]
    services.screenpop_delivered(pop_ids=[shown.pk])
    ring(pbx, call_id="over")
    services.call_event_record(pbx=pbx, event=event("hangup", call_id="over"))

    assert selectors.screenpops_to_replay(alice.agent_profile, after_id=None) == [ringing]


# --- the SSE stream itself ----------------------------------------------------------------


async def next_chunk(stream) -> str:
    return (await asyncio.wait_for(anext(stream), CHUNK_TIMEOUT)).decode()


async def next_event(stream) -> str:
    """The next chunk that is not a keep-alive comment."""
    while (chunk := await next_chunk(stream)) == ": keep-alive\n\n":
        pass
    return chunk


async def open_stream(user, *, language=None, **headers):
    client = AsyncClient()
    await client.aforce_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = await client.get(STREAM_URL, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    return response.streaming_content


async def close(stream):
    await stream.aclose()
    await asyncio.sleep(0.05)  # let the generator's finally close its Redis connection


def pop_chunk_id(chunk: str) -> int:
    lines = chunk.split("\n")
    assert lines[1] == "event: pop", chunk
    assert all(line.startswith("data: ") for line in lines[2:-2]), chunk
    return int(lines[0].removeprefix("id: "))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_stream_replays_a_missed_pop_then_carries_a_live_one(pbx, alice, monkeypatch):
    monkeypatch.setattr(views, "SSE_KEEPALIVE_SECONDS", 0.2)
    missed = ring(pbx, call_id="before-the-console-opened").pops[0]

    async def scenario():
        stream = await open_stream(alice)
        try:
            assert await next_chunk(stream) == "retry: 1000\n\n"
            replayed = await next_chunk(stream)
            assert pop_chunk_id(replayed) == missed.pk
            assert f'data-call="{missed.call_id}"' in replayed
            delivered = await ScreenPop.objects.aget(pk=missed.pk)
            assert delivered.delivered_at is not None

            publisher = asyncio.create_task(sync_to_async(ring)(pbx, call_id="while-open"))
            live = await next_event(stream)
            result = await publisher
            assert pop_chunk_id(live) == result.pops[0].pk
            assert f'data-call="{result.call.pk}"' in live

            await next_chunk(stream)  # the stream marks a pop delivered once it has sent it
            delivered = await ScreenPop.objects.aget(pk=result.pops[0].pk)
            assert delivered.delivered_at is not None
        finally:
            await close(stream)

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_stream_resumes_after_the_last_event_id(pbx, alice):
    seen = ring(pbx, call_id="seen").pops[0]
    missed = ring(pbx, call_id="missed").pops[0]

    async def scenario():
        stream = await open_stream(alice, language="en", **{"Last-Event-ID": str(seen.pk)})
        try:
            assert await next_chunk(stream) == "retry: 1000\n\n"
            assert pop_chunk_id(await next_chunk(stream)) == missed.pk
        finally:
            await close(stream)

    async_to_sync(scenario)()
    # The console asked in English: later pops are rendered in English.
    assert AgentProfile.objects.get(user=alice).ui_language == "en"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_stream_replays_then_ends_when_redis_is_down(pbx, alice, redis_down):
    missed = ring(pbx).pops[0]

    async def scenario():
        stream = await open_stream(alice)
        try:
            chunks = [await next_chunk(stream) for _ in range(3)]
            with pytest.raises(StopAsyncIteration):
                await next_chunk(stream)
        finally:
            await close(stream)
        return chunks

    chunks = async_to_sync(scenario)()

    assert chunks[0] == "retry: 1000\n\n"
    assert pop_chunk_id(chunks[1]) == missed.pk
    assert chunks[2] == "retry: 3000\n\n"  # the browser reconnects, and replays, soon


@pytest.mark.django_db
def test_the_stream_tells_a_user_without_agent_profile_to_stop(client_of):
    nobody = UserFactory(username="nobody")

    assert client_of(nobody).get(STREAM_URL).status_code == 204


@pytest.mark.django_db
def test_the_stream_sends_anonymous_users_to_login(client):
    response = client.get(STREAM_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
