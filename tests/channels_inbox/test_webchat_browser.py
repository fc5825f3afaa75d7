"""The widget on a hotel page in real Chromium: a visitor starts the chat,
writes, and sees the agent's reply appear without reloading."""

import uuid

from channels_inbox import services
from channels_inbox.models import ChannelAccount, ChannelKind, Conversation
from tests.browser import ARTIFACTS, MARKS
from tests.factories import PropertyFactory, persona

pytestmark = MARKS


def test_a_visitor_chats_and_sees_the_reply(asgi_live_server, browser, settings):
    settings.DEBUG = True  # the demo hotel page
    settings.PUSH_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}"
    hotel = PropertyFactory(name="Akdeniz Belek Resort", code="blk")
    alice = persona("alice", role="agent", properties=[hotel], languages=["tr", "en"])
    chat = ChannelAccount.objects.create(
        property=hotel, kind=ChannelKind.WEBCHAT, name="Belek web chat",
        external_id=f"demo-{uuid.uuid4().hex[:8]}", allowed_origins=asgi_live_server,
    )  # fmt: skip
    page = browser.new_context(viewport={"width": 1100, "height": 760}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{asgi_live_server}/webchat/demo/{chat.external_id}?lang=en")
    page.click(".m360w-launcher")
    page.fill(".m360w-start input[name=name]", "Emily Clarke")
    page.fill(".m360w-start input[name=contact]", "emily@example.co.uk")
    page.check(".m360w-start input[name=consent]")
    page.click(".m360w-start button[type=submit]")
    page.fill(".m360w-send textarea", "Hi! Do you have a family room in August?")
    page.keyboard.press("Enter")
    page.wait_for_selector(".m360w-guest[data-id]")  # stored and read back
    conversation = Conversation.objects.get(channel="webchat")
    assert conversation.scenario == "reservation"

    reply = services.message_send(
        conversation=conversation, author=alice, text="Hello Emily, yes — from 12 August."
    )
    services.message_deliver(message=reply)
    page.wait_for_selector(".m360w-hotel", timeout=8_000)  # polled, no reload
    assert "from 12 August" in page.inner_text(".m360w-hotel")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat.png"))
