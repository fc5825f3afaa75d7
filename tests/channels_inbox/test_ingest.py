"""The drain: stored bodies applied in batches, with the same outcome as one
by one; duplicates, malformed bodies, statuses and concurrent workers; and a
Redis outage that delays the work but loses none of it."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_inbox import inbound, tasks
from channels_inbox.models import (
    ChannelAccount,
    ChannelKind,
    Conversation,
    InboundPayload,
    Message,
    PayloadStatus,
)
from config.celery import app as celery_app
from guestview.models import Guest
from kpi.models import EventKind, KpiEvent
from tests.channels_inbox import meta_payloads as mp
from tests.factories import ContactPointFactory, GuestFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def store(body: dict, *, source: str = ChannelKind.WHATSAPP) -> InboundPayload:
    return inbound.inbound_store(source=source, body=json.dumps(body))


def from_senders(n: int, *, start: int = 0, text="Merhaba, yarın için oda var mı?") -> list:
    return [
        store(mp.wa_text(text, wa_id=f"90532{i:07d}", name=f"Misafir {i}", wamid=f"wamid.B{i}"))
        for i in range(start, start + n)
    ]


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_a_batch_takes_a_fixed_number_of_queries_whatever_its_size(wa_account):
    from_senders(1, start=999)
    inbound.inbound_batch_process()  # SLA policies and calendars are cached per process
    from_senders(3)
    few = queries_of(inbound.inbound_batch_process)
    # SQLite before Django 6 caps a statement at 999 variables: a bulk insert
    # of 60 conversations is two statements there, a fact of the backend.
    cap = connection.features.max_query_params
    n = 60 if cap is None or cap > 999 else 20
    from_senders(n, start=100)
    many = queries_of(inbound.inbound_batch_process)
    assert few == many
    assert Message.objects.count() == 4 + n
    assert Conversation.objects.count() == 4 + n
    assert not InboundPayload.objects.exclude(status=PayloadStatus.PROCESSED).exists()


def test_a_batch_ends_where_one_by_one_ends(hotel_a, wa_account):
    """The same guests write the same messages to two numbers of the hotel:
    one is processed one by one, the other in one batch."""
    other = ChannelAccount.objects.create(
        property=hotel_a, kind=ChannelKind.WHATSAPP, name="Second number", external_id="2002"
    )
    known = GuestFactory(property=hotel_a, first_name="Ayşe", last_name="Kaya")
    ContactPointFactory(guest=known, kind="phone", value="+905321111111")
    script = [
        ("905321111111", "Ayşe", "Merhaba, havuz kaçta açılıyor?", 1_000),
        ("905321111111", "Ayşe", "Odamız çok kirli, klima çalışmıyor!", 1_060),
        ("905322222222", "Hans Müller", "Guten Tag, ist im August ein Zimmer frei?", 1_010),
        ("905322222222", "Hans Müller", "👍", 1_070),
        ("905323333333", "", "Спасибо", 1_020),
    ]
    now = int(time.time()) - 3_000
    for account in (wa_account, other):
        for n, (wa_id, name, text, ts) in enumerate(script):
            body = mp.wa_text(text, wa_id=wa_id, name=name, wamid=f"wamid.{n}", ts=now + ts)
            body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = (
                account.external_id
            )
            payload = store(body)
            if account == wa_account:
                inbound.inbound_process(payload_id=payload.pk)
    assert inbound.inbound_batch_process() == len(script)

    def outcome(account):
        return [
            (
                c.contact_key, c.contact_name, c.guest_id == known.pk, c.guest_id is None,
                c.language, c.scenario, c.priority, c.waiting_since, c.sla_due_at,
                c.last_inbound_at, c.last_message_preview, c.messages.count(),
                c.triaged["language"],
            )
            for c in Conversation.objects.filter(account=account).order_by("contact_key")
        ]  # fmt: skip

    assert outcome(other) == outcome(wa_account)
    assert outcome(other)[0][4:7] == ("tr", "complaint", "critical")  # raised by the 2nd message
    assert outcome(other)[2][3]  # "Спасибо" from a number without a name: no guest
    # A new guest for Hans on each number's path, once: the same number resolves to him later.
    assert Guest.objects.filter(first_name="Hans").count() == 1
    kpi = KpiEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED)
    assert kpi.count() == 2 * len(script)


def test_a_duplicate_delivery_within_one_batch_is_one_message(wa_account):
    body = mp.wa_text("Merhaba", wamid="wamid.TWICE")
    store(body)
    store(body)
    inbound.inbound_batch_process()
    assert Message.objects.filter(external_id="wamid.TWICE").count() == 1
    assert set(InboundPayload.objects.values_list("status", flat=True)) == {"processed"}


def test_a_body_delivered_again_after_its_batch_is_one_message(wa_account):
    body = mp.wa_text("Merhaba", wamid="wamid.AGAIN")
    store(body)
    inbound.inbound_batch_process()
    store(body)
    inbound.inbound_batch_process()
    assert Message.objects.filter(external_id="wamid.AGAIN").count() == 1


def test_a_malformed_body_is_rejected_and_its_batch_goes_on(wa_account):
    broken = mp.wa_text("Merhaba")
    del broken["entry"][0]["changes"][0]["value"]["messages"][0]["from"]
    bad = store(broken)
    from_senders(2)
    assert inbound.inbound_batch_process() == 3
    bad.refresh_from_db()
    assert bad.status == PayloadStatus.REJECTED and ".from is missing" in bad.error
    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    ("spoil", "error"),
    [
        (lambda value: value["contacts"][0].update(profile="Ahmet Yılmaz"), "AttributeError"),
        (lambda value: value.update(messages=5), "TypeError"),
    ],
    ids=["a profile that is a string", "messages that are a number"],
)
def test_a_body_the_parser_cannot_read_is_rejected_and_never_taken_again(wa_account, spoil, error):
    odd = mp.wa_text("Merhaba", wamid="wamid.ODD")
    spoil(odd["entry"][0]["changes"][0]["value"])
    bad = store(odd)
    from_senders(2)
    assert inbound.inbound_batch_process() == 3
    assert Message.objects.count() == 2
    bad.refresh_from_db()
    assert bad.status == PayloadStatus.REJECTED and error in bad.error
    assert inbound.inbound_batch_process() == 0


def test_a_body_that_breaks_its_batch_is_kept_apart_and_given_up_after_its_attempts(
    wa_account, monkeypatch
):
    real_triage = inbound.triage

    def triage(text, **kwargs):
        if text == "BOOM":
            raise RuntimeError("triage broke")
        return real_triage(text, **kwargs)

    monkeypatch.setattr(inbound, "triage", triage)
    bad = store(mp.wa_text("BOOM", wamid="wamid.BOOM"))
    from_senders(2)
    assert inbound.inbound_batch_process() == 3
    assert Message.objects.count() == 2  # the others of its batch, one by one
    bad.refresh_from_db()
    assert bad.status == PayloadStatus.PENDING and bad.error == "RuntimeError: triage broke"
    assert bad.attempts == 1
    assert inbound.inbound_batch_process() == 0  # not before its retry time
    for _attempt in range(2, inbound.MAX_ATTEMPTS + 1):
        with time_machine.travel(bad.retry_at + timedelta(seconds=1)):
            assert inbound.inbound_batch_process() == 1
        bad.refresh_from_db()
    assert bad.status == PayloadStatus.FAILED and bad.attempts == inbound.MAX_ATTEMPTS
    assert Message.objects.count() == 2


@pytest.mark.parametrize("path", ["batch", "one by one"])
def test_a_name_given_later_fills_the_conversations_missing_one(wa_account, path):
    store(mp.wa_text("Merhaba", wa_id="905324444444", name="", wamid="wamid.N1"))
    inbound.inbound_batch_process()
    assert Conversation.objects.get().contact_name == ""
    later = store(
        mp.wa_text("Oda var mı?", wa_id="905324444444", name="Zeynep Demir", wamid="wamid.N2")
    )
    if path == "batch":
        assert inbound.inbound_batch_process() == 1
    else:
        inbound.inbound_process(payload_id=later.pk)
    assert Conversation.objects.get().contact_name == "Zeynep Demir"


def test_an_echo_older_than_the_guests_next_message_leaves_the_guest_waiting(ig_account):
    """The agent answered from the Instagram app at 10:00, the guest wrote
    again at 10:05; the batch applies the guest's messages first, the echo
    after: the guest waits since 10:05, as if they had come in order."""
    start = int(time.time()) - 600
    for body in (
        mp.instagram_text("Merhaba, fiyat alabilir miyim?", mid="m.1", ts=start),
        mp.instagram_text("Tabii, tarihleriniz nedir?", mid="m.2", ts=start + 300, echo=True),
        mp.instagram_text("15-20 Temmuz, iki kişi", mid="m.3", ts=start + 600),
    ):
        store(body, source=ChannelKind.INSTAGRAM)
    assert inbound.inbound_batch_process() == 3
    conversation = Conversation.objects.get()
    assert conversation.waiting_since == datetime.fromtimestamp(start + 600, tz=UTC)
    assert conversation.first_response_at == datetime.fromtimestamp(start + 300, tz=UTC)
    assert conversation.next_response_due_at is not None  # the reply clock runs
    assert conversation.last_message_preview == "15-20 Temmuz, iki kişi"
    reply = KpiEvent.objects.get(kind=EventKind.REPLY)
    assert reply.seconds == 300  # it answered the first message


def test_a_body_for_an_unknown_number_waits_and_its_batch_goes_on(wa_account):
    stray = mp.wa_text("Merhaba", wamid="wamid.STRAY")
    stray["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    lost = store(stray)
    from_senders(2)
    inbound.inbound_batch_process()
    lost.refresh_from_db()
    assert lost.status == PayloadStatus.PENDING and "add it in admin" in lost.error
    assert lost.retry_at is not None
    assert inbound.inbound_batch_process() == 0  # not before its retry time
    assert Message.objects.count() == 2


def test_statuses_in_a_batch_go_one_by_one_in_order(wa_account):
    store(mp.wa_text("Merhaba"))
    inbound.inbound_batch_process()
    conversation = Conversation.objects.get()
    Message.objects.create(
        conversation=conversation, account=wa_account, direction="out", external_id="wamid.O1",
        status="sent",
    )  # fmt: skip
    store(mp.wa_status("wamid.O1", "delivered"))
    store(mp.wa_text("Teşekkürler", wamid="wamid.T"))
    store(mp.wa_status("wamid.O1", "read"))
    assert inbound.inbound_batch_process() == 3
    assert Message.objects.get(external_id="wamid.O1").status == "read"
    assert Message.objects.filter(conversation=conversation, direction="in").count() == 2


def test_the_drain_task_takes_every_pending_body(wa_account, settings):
    from_senders(7)
    assert tasks.inbound_drain() == 7
    assert Message.objects.count() == 7


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_draining_the_same_duplicates_make_one_message_each(hotel_a):
    """Meta delivers every message twice and two workers drain at once."""
    ChannelAccount.objects.create(
        property=hotel_a, kind=ChannelKind.WHATSAPP, name="WA", external_id=mp.PHONE_NUMBER_ID
    )
    bodies = [
        mp.wa_text("Merhaba", wa_id=f"90533{i % 15:07d}", name=f"M {i % 15}", wamid=f"wamid.D{i}")
        for i in range(60)
    ]
    for body in bodies + bodies[::-1]:
        store(body)
    errors = []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            while inbound.inbound_batch_process(limit=20):
                pass
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert Message.objects.count() == 60
    assert Conversation.objects.count() == 15
    assert set(InboundPayload.objects.values_list("status", flat=True)) == {"processed"}


@pytest.fixture
def redis_down(settings):
    """Broker and Redis unreachable, as when Redis is down."""
    settings.REDIS_URL = DEAD_REDIS
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD_REDIS
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.broker_url = previous
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_a_webhook_during_a_redis_outage_is_kept_and_drained_by_the_sweeper(
    client, wa_account, redis_down, django_capture_on_commit_callbacks, caplog
):
    raw, headers = mp.signed(mp.wa_text("Merhaba, yarın oda var mı?"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/webhooks/whatsapp", raw, content_type="application/json", **headers
        )
    assert response.status_code == 200  # Meta would retry a 500 for days; it got its ack
    payload = InboundPayload.objects.get()
    assert payload.status == PayloadStatus.PENDING
    assert "could not queue" in caplog.text
    assert not Message.objects.exists()

    # Redis is back; the beat's sweeper finds what nobody queued.
    assert tasks.inbound_sweep() == 0  # younger than INBOX_SWEEP_AFTER_SECONDS: maybe queued
    with time_machine.travel(payload.received_at + timedelta(seconds=31)):
        assert tasks.inbound_sweep() == 1
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.PROCESSED
    assert Message.objects.get().text == "Merhaba, yarın oda var mı?"
