"""Leads in a real browser: a signed web-form post becomes a lead that shows
up live in the lead queue, the agent sends a two-option offer (which will
not go without the next follow-up), the guest's pick is held as an option,
and the held option's expiry reminder arrives live as a toast."""

import datetime as dt
import hashlib
import hmac
import json
import urllib.request
import uuid

import pytest
from django.utils import timezone

from channels_inbox.models import ChannelAccount, ChannelKind, Conversation, Message
from guestview.models import Alert, AlertKind, Language, Role
from leads import services
from leads.models import IntakeForm, Lead, LeadSource, LeadStatus, OfferOption
from tests.browser import ARTIFACTS, MARKS, console
from tests.factories import ContactPointFactory, GuestFactory, PropertyFactory, persona

pytestmark = MARKS


@pytest.fixture
def world(settings):
    settings.PUSH_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}"
    hotel = PropertyFactory(name="Hotel A Lara", code="hotel-a")
    persona("alice", role=Role.AGENT, properties=[hotel], languages=[Language.TR, Language.EN])
    # Emily wrote on WhatsApp yesterday; today she fills in the hotel's form.
    emily = GuestFactory(property=hotel, first_name="Emily", last_name="Clarke", language="en")
    ContactPointFactory(guest=emily, kind="whatsapp", raw_value="+447911123456")
    account = ChannelAccount.objects.create(
        property=hotel, kind=ChannelKind.WHATSAPP, name="WA", external_id="106540352242922",
        access_token="t", api_base_url="https://graph.test/v21.0",
    )  # fmt: skip
    Conversation.objects.create(
        property=hotel, account=account, channel="whatsapp", contact_key="+447911123456",
        guest=emily, language="en", last_inbound_at=timezone.now() - dt.timedelta(hours=2),
        last_message_at=timezone.now() - dt.timedelta(hours=2),
    )  # fmt: skip
    form = IntakeForm.objects.create(
        property=hotel, name="Booking page", source=LeadSource.objects.get(code="web-form")
    )
    return {"form": form}


def post_form(base_url, form, payload) -> dict:
    raw = json.dumps(payload).encode()
    signature = hmac.new(form.secret.encode(), raw, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{base_url}/leads/intake", data=raw,
        headers={"Content-Type": "application/json", "X-M360-Form": str(form.pk),
                 "X-M360-Signature": f"sha256={signature}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
        return json.loads(response.read())


def local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def test_a_web_form_lead_gets_an_offer_a_held_option_and_a_reminder(
    asgi_live_server, world, browser
):
    page = console(browser, asgi_live_server, "alice", path="/leads/?view=unassigned", height=1000)
    assert page.locator("#lead-list tr.qrow").count() == 0

    answer = post_form(asgi_live_server, world["form"], {
        "name": "Emily Clarke", "phone": "+44 7911 123456", "request": "Family room, 2+2, July",
        "arrival": "2027-07-10", "departure": "2027-07-17", "adults": 2, "children": 2,
        "language": "en", "consent": True,
    })  # fmt: skip
    # No reload: the list re-reads itself when the stream says leads changed.
    row = page.wait_for_selector(f"#lead-list tr.qrow:has-text('{answer['case_id']}')")
    assert "Emily Clarke" in row.inner_text()
    row.query_selector("a.guestlink").click()
    page.wait_for_selector("#workspace h1")
    page.click("form[action$='/claim/'] button")
    page.wait_for_selector("form[action$='/claim/']", state="detached")  # the workspace came back

    valid_until = timezone.now() + dt.timedelta(days=2)
    for i, (room, price) in enumerate((("Family Room", "1890"), ("Junior Suite", "2450")), 1):
        page.fill(f"input[name=option{i}_room_type]", room)
        page.fill(f"input[name=option{i}_price]", price)
        page.fill(f"input[name=option{i}_valid_until]", local(valid_until))
    follow_up = page.locator("#offer-form input[name=follow_up_at]")
    follow_up.fill("")
    page.click("#offer-form button[type=submit]")
    # The follow-up is required: the browser holds the form and says why.
    assert follow_up.evaluate("el => !el.validity.valid")
    assert not Message.objects.filter(direction="out").exists()

    follow_up.fill(local(timezone.now() + dt.timedelta(days=1)))
    page.click("#offer-form button[hx-post$='/offer/preview/']")
    preview = page.wait_for_selector("#offer-preview:has-text('Family Room')")
    assert "1) Family Room, All inclusive" in preview.inner_text()
    page.click("#offer-form button[type=submit]")
    page.wait_for_selector(".stage-offer_sent")
    offer_text = Message.objects.get(direction="out").text
    assert offer_text.startswith("Hello Emily") and "Junior Suite" in offer_text

    # The guest picks option 1: the hotel holds it.
    page.click("tr:has-text('Family Room') button")
    page.wait_for_selector(".stage-option")
    lead = Lead.objects.get(case_id=answer["case_id"])
    assert lead.status == LeadStatus.OPTION
    assert OfferOption.objects.get(is_held=True).room_type == "Family Room"

    # Beat's reminder run, as if a day and a half had passed: it reaches the
    # agent's open console as a toast.
    reminded, _expired = services.options_expire(now=valid_until - dt.timedelta(hours=3))
    assert reminded == 1  # the held option, not the one the guest did not pick
    toast = page.wait_for_selector("#toasts .toast-option_expiring")
    assert answer["case_id"] in toast.inner_text()
    assert Alert.objects.get(kind=AlertKind.OPTION_EXPIRING).title.count("Family Room") == 1


def test_a_lead_that_arrives_while_the_list_is_being_read_still_shows(
    asgi_live_server, world, browser
):
    """Two leads a moment apart: the second one's event comes while the read
    the first one started is still on its way, and that read lands within the
    second event's debounce. The list must still re-read and show both."""
    page = console(browser, asgi_live_server, "alice", path="/leads/?view=unassigned")
    page.evaluate("""() => { window.leadEvents = 0;
        document.body.addEventListener("htmx:sseMessage", (e) => {
            if (e.detail.type === "leads") window.leadEvents++; }); }""")
    held = []  # the first re-read, answered by the server, not yet given to the page

    def hold(route):
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route("**/leads/?view=unassigned*", hold)
    form = {"phone": "+44 7911 000001", "request": "Double room, August", "consent": True}
    first = post_form(asgi_live_server, world["form"], {**form, "name": "Ann First"})
    while not held:  # the stream's event made the list read (the answer has the first lead)
        page.wait_for_timeout(20)
    second = post_form(asgi_live_server, world["form"], {
        **form, "name": "Ben Second", "phone": "+44 7911 000002"})  # fmt: skip
    page.wait_for_function("window.leadEvents >= 2")
    route, response = held[0]
    route.fulfill(response=response)  # lands inside the second event's 300 ms
    page.wait_for_selector(f"#lead-list tr.qrow:has-text('{first['case_id']}')")
    page.wait_for_selector(f"#lead-list tr.qrow:has-text('{second['case_id']}')")


def test_the_supervisors_board_moves_a_lead_and_keeps_up_live(asgi_live_server, world, browser):
    persona("sam", role=Role.SUPERVISOR, properties=[world["form"].property])
    page = console(browser, asgi_live_server, "sam", path="/leads/board/")
    form = {"phone": "+44 7911 000003", "request": "Sea view room, June", "consent": True}
    first = post_form(asgi_live_server, world["form"], {**form, "name": "Cara Live"})
    card = page.locator(".stage-col-new .leadcard", has_text=first["case_id"])
    card.locator("select[data-move]").select_option("lost")
    card.locator("select[name=lost_reason]").focus()
    # A lead arrives while the supervisor is half-way through a move: the
    # board does not change under their hand (the card keeps what they set)…
    second = post_form(asgi_live_server, world["form"], {
        **form, "name": "Dan Later", "phone": "+44 7911 000004"})  # fmt: skip
    page.wait_for_timeout(1500)  # the board's debounce is 500 ms
    assert page.locator(".leadcard", has_text=second["case_id"]).count() == 0
    assert card.locator("select[data-move]").input_value() == "lost"
    # …and catches up once they leave the card without moving it.
    page.locator("h1").click()
    page.wait_for_selector(f".stage-col-new .leadcard:has-text('{second['case_id']}')")

    card.locator("select[data-move]").select_option("contacted")
    card.locator("button[type=submit]").click()  # the follow-up is filled in for it
    page.wait_for_selector(f".stage-col-contacted .leadcard:has-text('{first['case_id']}')")
    assert Lead.objects.get(case_id=first["case_id"]).status == LeadStatus.CONTACTED
    # The board the move answered with still follows the stream.
    third = post_form(asgi_live_server, world["form"], {
        **form, "name": "Eda Sonra", "phone": "+44 7911 000005"})  # fmt: skip
    page.wait_for_selector(f".stage-col-new .leadcard:has-text('{third['case_id']}')")
    page.screenshot(path=str(ARTIFACTS / "lead-board.png"), full_page=True)
