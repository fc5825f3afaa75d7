"""The webhook door in front of Django (channels_inbox.door): the same
answers as the Django views, through the ASGI application uvicorn serves.
Transactional: the door writes through connections of its own."""

import asyncio
import json

import httpx
import psycopg
import pytest
from django.core.handlers.asgi import ASGIHandler
from django.db import connections

from channels_inbox import inbound, queueing, tasks
from channels_inbox.door import WebhookDoor, _conninfo
from channels_inbox.models import InboundPayload, Message, PayloadStatus
from channels_inbox.webhooks import forget_channel_secrets
from tests.channels_inbox import meta_payloads as mp

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def call(door: WebhookDoor, method: str, path: str, **kwargs) -> httpx.Response:
    async def go():
        transport = httpx.ASGITransport(app=door)
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as client:
                return await client.request(method, path, **kwargs)
        finally:
            await door.close()

    return asyncio.run(go())


def signed_post(door, body, *, secret=mp.APP_SECRET, path="/webhooks/whatsapp"):
    raw, headers = mp.signed(body, secret=secret)
    return call(
        door, "POST", path, content=raw,
        headers={"Content-Type": "application/json",
                 "X-Hub-Signature-256": headers["HTTP_X_HUB_SIGNATURE_256"]},
    )  # fmt: skip


@pytest.fixture
def door():
    return WebhookDoor(ASGIHandler())


def test_it_stores_a_signed_body_which_the_drain_turns_into_a_message(door, wa_account):
    response = signed_post(door, mp.wa_text("Merhaba, yarın oda var mı?"))
    assert response.status_code == 200
    payload = InboundPayload.objects.get(pk=response.json()["stored"])
    assert payload.status == PayloadStatus.PENDING and payload.source == "whatsapp"
    assert json.loads(payload.body)["object"] == "whatsapp_business_account"
    inbound.inbound_drain()
    assert Message.objects.get().text == "Merhaba, yarın oda var mı?"


def test_it_refuses_a_body_signed_with_another_secret_and_stores_nothing(door, wa_account):
    response = signed_post(door, mp.wa_text("Merhaba"), secret="not-ours")
    assert response.status_code == 403
    assert "X-Hub-Signature-256" in response.json()["error"]
    assert not InboundPayload.objects.exists()


def test_it_keeps_malformed_json_and_answers_400(door, wa_account):
    raw = b'{"object": "whatsapp_business_account", "entry": [}'
    response = call(
        door, "POST", "/webhooks/whatsapp", content=raw,
        headers={"X-Hub-Signature-256": mp.sign(raw, mp.APP_SECRET)},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"].startswith("Malformed payload")
    kept = InboundPayload.objects.get()
    assert kept.status == PayloadStatus.REJECTED and kept.body == raw.decode()


def test_an_instagram_body_on_the_meta_door_is_stored_as_instagram(door, ig_account):
    response = signed_post(door, mp.instagram_text("Hi!"), path="/webhooks/meta")
    assert response.status_code == 200
    assert InboundPayload.objects.get().source == "instagram"


def test_everything_else_is_answered_by_django(door, wa_account):
    params = {"hub.mode": "subscribe", "hub.verify_token": mp.VERIFY_TOKEN, "hub.challenge": "42"}
    response = call(door, "GET", "/webhooks/whatsapp", params=params)
    assert response.status_code == 200 and response.text == "42"
    assert call(door, "GET", "/healthz").status_code == 200


def test_it_answers_503_when_postgresql_is_unreachable_so_meta_delivers_again(wa_account):
    door = WebhookDoor(ASGIHandler(), conninfo="host=127.0.0.1 port=1 dbname=x", timeout=0.5)
    response = signed_post(door, mp.wa_text("Merhaba"))
    assert response.status_code == 503


def test_a_redis_outage_delays_the_drain_but_the_body_is_kept(door, wa_account, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = signed_post(door, mp.wa_text("Merhaba"))
    assert response.status_code == 200
    assert InboundPayload.objects.get().status == PayloadStatus.PENDING


def test_a_secret_changed_in_the_admin_is_used_once_the_cache_is_forgotten(door, wa_account):
    assert signed_post(door, mp.wa_text("Merhaba", wamid="wamid.S1")).status_code == 200
    wa_account.app_secret = "rotated-app-secret"
    wa_account.save()
    forget_channel_secrets()  # as the admin's save does
    assert signed_post(door, mp.wa_text("Merhaba", wamid="wamid.S2")).status_code == 403
    rotated = mp.wa_text("Merhaba", wamid="wamid.S3")
    assert signed_post(door, rotated, secret="rotated-app-secret").status_code == 200


def test_a_burst_of_webhooks_queues_one_drain(door, wa_account, monkeypatch):
    queued = []
    monkeypatch.setattr(queueing, "enqueue", lambda task, *args: queued.append(task.name) or True)
    queueing.release(tasks.inbound_drain)
    try:
        for n in range(3):
            body = mp.wa_text("Merhaba", wamid=f"wamid.BURST{n}")
            assert signed_post(door, body).status_code == 200
    finally:
        queueing.release(tasks.inbound_drain)
    assert queued == [tasks.inbound_drain.name]


def test_it_connects_with_the_options_of_database_url(monkeypatch):
    database = connections["default"]
    if database.vendor != "postgresql":
        pytest.skip("the door serves PostgreSQL only")
    # DATABASE_URL=postgres://…?sslmode=require&application_name=… puts them here.
    monkeypatch.setitem(database.settings_dict["OPTIONS"], "sslmode", "require")
    monkeypatch.setitem(database.settings_dict["OPTIONS"], "application_name", "m360-door")
    params = psycopg.conninfo.conninfo_to_dict(_conninfo())
    assert params["sslmode"] == "require" and params["application_name"] == "m360-door"
    assert params["dbname"] == database.settings_dict["NAME"]
    assert not {"pool", "server_side_binding", "prepare_threshold", "cursor_factory"} & set(params)
