"""The inbox in a real browser: a signed WhatsApp webhook arrives at the ASGI
server, a real Celery worker processes it, it shows up live in the queue of
the agent who speaks the language, the agent replies, and the worker makes
the Cloud API request with the right body (Meta replaced at the HTTP
boundary by respx, answering in its documented shape)."""

import json
import time
import urllib.request
import uuid

import httpx
import pytest
import respx
from celery.contrib.testing.worker import start_worker

from channels_inbox.models import ChannelAccount, ChannelKind, Conversation, Message
from config.celery import app as celery_app
from guestview.models import AgentStatus, Language, Role
from guestview.services import agent_set_status
from tests.browser import ARTIFACTS, MARKS, console
from tests.channels_inbox import meta_payloads as mp
from tests.factories import ContactPointFactory, GuestFactory, PropertyFactory, persona

GRAPH = "https://graph.test/v21.0"

pytestmark = MARKS


@pytest.fixture
def world(settings):
    settings.PUSH_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}"
    hotel_a = PropertyFactory(name="Hotel A Lara", code="hotel-a")
    alice = persona("alice", role=Role.AGENT, properties=[hotel_a], languages=[Language.TR])
    hans = persona("hans", role=Role.AGENT, properties=[hotel_a], languages=[Language.DE])
    for user in (alice, hans):
        agent_set_status(agent=user.agent_profile, status=AgentStatus.ONLINE)
    ahmet = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    ContactPointFactory(guest=ahmet, raw_value="0532 123 45 67", is_primary=True)
    account = ChannelAccount.objects.create(
        property=hotel_a,
        kind=ChannelKind.WHATSAPP,
        name="Hotel A WhatsApp",
        external_id=mp.PHONE_NUMBER_ID,
        access_token="EAAG-test-token",
        app_secret=mp.APP_SECRET,
        verify_token=mp.VERIFY_TOKEN,
        api_base_url=GRAPH,
    )
    return {"account": account, "ahmet": ahmet}


def send_webhook(base_url, body):
    raw, headers = mp.signed(body)
    request = urllib.request.Request(
        f"{base_url}/webhooks/whatsapp",
        data=raw,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": headers["HTTP_X_HUB_SIGNATURE_256"],
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


def test_a_whatsapp_message_reaches_the_right_agent_live_and_the_reply_goes_out(
    asgi_live_server, world, browser, celery_test_queue
):
    alice = console(browser, asgi_live_server, "alice", path="/inbox/")
    hans = console(browser, asgi_live_server, "hans", path="/inbox/")
    assert alice.locator("#queue-list tr.qrow").count() == 0
    assert alice.locator("#queue-list .hint").count() == 1  # "nothing assigned to you"

    with (
        respx.mock(assert_all_called=False) as meta,
        start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=[celery_test_queue],
            shutdown_timeout=20,
        ),
    ):
        meta.route(host="127.0.0.1").pass_through()
        graph = meta.post(f"{GRAPH}/{mp.PHONE_NUMBER_ID}/messages").mock(
            return_value=httpx.Response(
                200,
                json={
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": "905321234567", "wa_id": "905321234567"}],
                    "messages": [{"id": "wamid.HBgLOUTBOUND1"}],
                },
            )
        )
        assert (
            send_webhook(
                asgi_live_server, mp.wa_text("Merhaba, yarın için deniz manzaralı oda var mı?")
            )
            == 200
        )

        # No reload: the queue re-reads itself when the stream says so.
        row = alice.wait_for_selector("#queue-list tr.qrow", timeout=10_000)
        assert "Ahmet Yılmaz" in row.inner_text()
        assert "Yüksek" in row.inner_text()  # high: a room for tomorrow
        assert hans.locator("#queue-list tr.qrow").count() == 0  # he speaks no Turkish
        ARTIFACTS.mkdir(exist_ok=True)
        alice.screenshot(path=str(ARTIFACTS / "inbox-queue.png"), full_page=True)

        alice.click("#queue-list a.guestlink")
        alice.wait_for_selector("#thread .msg-in")
        alice.fill("#reply-text", "Merhaba Ahmet Bey, yarın için iki seçeneğimiz var.")
        alice.click(".replybox button[type=submit]")
        alice.wait_for_selector("#thread .msg-out")

        deadline = time.monotonic() + 15
        while not graph.called and time.monotonic() < deadline:
            time.sleep(0.1)
        assert graph.called, "the worker did not call the Cloud API"
        body = json.loads(graph.calls.last.request.content)
        assert body == {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "905321234567",
            "type": "text",
            "text": {
                "preview_url": False,
                "body": "Merhaba Ahmet Bey, yarın için iki seçeneğimiz var.",
            },
        }
        # The delivery status reaches the open page live.
        alice.wait_for_selector("#thread .msg-out .delivery-sent", timeout=10_000)
        alice.screenshot(path=str(ARTIFACTS / "inbox-conversation.png"), full_page=True)

    conversation = Conversation.objects.get()
    assert conversation.assigned_to.user.username == "alice"
    assert Message.objects.get(direction="out").external_id == "wamid.HBgLOUTBOUND1"
