"""The permission matrix: every URL of the project, with every persona.

Every route is read from the resolver, so a URL added later must be
classified here (the test fails on an unknown one). For each console URL,
filled with objects of hotel A:
- anonymous → sent to the login page;
- bob (agent of hotel B) → 403/404/405 and nothing of hotel A in the body;
- the roles a page is for → served; other roles → 403.
Public doors (webhooks, CTI, web chat, the lead form, health) answer every
persona the same, without a session, and never show hotel A's guest.
The admin site: staff only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from channels_inbox.models import ChannelAccount, ChannelKind, Conversation
from consent.access import access_record
from consent.models import AccessAction, DataSubjectRequest
from guestview.models import GuestNote, Pbx, PbxKind, ScreenPop
from leads import services as lead_services
from leads.models import Campaign, LeadSource, OfferOption
from tests.factories import ContactPointFactory, GuestFactory

pytestmark = pytest.mark.django_db

SECRET_NAME, SECRET_PHONE = "Zümrüt", "+905321119977"

# Which URL names take which object of the world; the doors with no session.
PUBLIC = {
    "login", "logout", "set_language", "healthz", "cti:events", "cti:threecx_lookup",
    "cti:threecx_report", "webhooks:whatsapp", "webhooks:meta", "webhooks:sandbox",
    "webchat:start", "webchat:messages", "webchat:demo", "leads:intake",
}  # fmt: skip
# Console pages for some roles only (the rest of the console: every role).
ROLE_ONLY = {
    "leads:board": {"sam", "quinn", "ada"},
    "leads:missed": {"sam", "quinn", "ada"},
    "consent:iys_status": {"sam", "quinn", "ada"},
    "consent:access_report": {"ada"},  # consent.act_as_dpo
    "privacy:requests": {"ada"},
    "privacy:request": {"ada"},
    "privacy:request_answer": {"ada"},
    "privacy:request_anonymize": {"ada"},
    "privacy:guest_export_json": {"ada"},
    "privacy:guest_export_page": {"ada"},
}
OBJECT_OF = {
    "channels_inbox:conversation": "conversation", "leads:lead": "lead",
    "leads:campaign_calls": "campaign", "leads:option_hold": "option",
    "guestview:guest_note_done": "note", "guestview:screenpop_dismiss": "pop",
    "privacy:request": "dsr", "privacy:request_answer": "dsr",
    "privacy:request_anonymize": "dsr",
}  # fmt: skip
PREFIX_OBJECT = {"channels_inbox:conversation_": "conversation", "leads:": "lead",
                 "guestview:call_": "call", "guestview:guest_": "guest",
                 "privacy:guest_": "guest"}  # fmt: skip
PERSONAS = ["alice", "sam", "quinn", "ada", "bob"]
# Pages that need a query to make sense.
QUERY = {"leads:new": lambda w: f"?conversation={w['conversation'].pk}"}


def body_of(response) -> str:
    if response.streaming:  # the SSE stream: the persona's own events, never read to the end
        return ""
    return response.content.decode(errors="replace")


def routes():
    """(name, pattern) of every URL but the admin site's."""

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                yield (f"{namespace}:{p.name}" if namespace else p.name), p

    return list(walk(get_resolver().url_patterns))


@pytest.fixture
def world(hotel_a, alice, sam, quinn, ada, bob):
    guest = GuestFactory(property=hotel_a, first_name=SECRET_NAME, last_name="Kırkağaçlı")
    ContactPointFactory(guest=guest, raw_value=SECRET_PHONE)
    account = ChannelAccount.objects.create(
        property=hotel_a, kind=ChannelKind.WHATSAPP, name="WA", external_id="matrix-wa"
    )
    conversation = Conversation.objects.create(
        property=hotel_a, account=account, channel="whatsapp", contact_key=SECRET_PHONE,
        guest=guest, last_inbound_at=timezone.now(), last_message_at=timezone.now(),
    )  # fmt: skip
    note = GuestNote.objects.create(guest=guest, author=alice, kind="request", text="Oda")
    pbx = Pbx.objects.create(name="matrix", kind=PbxKind.GENERIC, property=hotel_a)
    call = pbx.calls.create(call_id="m-1", property=hotel_a, guest=guest, caller=SECRET_PHONE,
                            agent=alice.agent_profile)  # fmt: skip
    pop = ScreenPop.objects.create(agent=alice.agent_profile, call=call)
    lead = lead_services.lead_create(
        property=hotel_a, name=f"{SECRET_NAME} Kırkağaçlı", contact=SECRET_PHONE,
        request="Aile odası", source=LeadSource.objects.get(code="whatsapp"), guest=guest,
        conversation=conversation,
    )  # fmt: skip
    until = timezone.now() + dt.timedelta(days=2)
    offer = lead_services.offer_send(
        lead=lead, by=alice, next_step="confirm", conversation=conversation,
        follow_up_at=timezone.now() + dt.timedelta(days=1),
        options=[lead_services.OptionIn("Family", "AI", dt.date(2027, 7, 1),
                                        dt.date(2027, 7, 8), Decimal("900"), until)] * 2,
    )  # fmt: skip
    campaign = Campaign.objects.create(
        name="Matrix", code="matrix", starts_on=timezone.localdate(),
        ends_on=timezone.localdate(), offer_text="-",
    )  # fmt: skip
    campaign.properties.set([hotel_a])
    dsr = DataSubjectRequest.objects.create(
        guest=guest, guest_ref=guest.pk, property=hotel_a, kind="access",
        received_on=timezone.localdate(), due_on=timezone.localdate(), registered_by=ada,
    )  # fmt: skip
    # bob may be a DPO of his own hotel: he still sees nothing of hotel A.
    bob.user_permissions.add(Permission.objects.get(codename="act_as_dpo"))
    return {
        "guest": guest, "conversation": conversation, "note": note, "call": call, "pop": pop,
        "lead": lead, "option": OfferOption.objects.filter(offer=offer).first(),
        "campaign": campaign, "dsr": dsr,
    }  # fmt: skip


def url_of(name: str, pattern: URLPattern, world) -> str:
    if not pattern.pattern.converters:
        return reverse(name) + (QUERY[name](world) if name in QUERY else "")
    kind = OBJECT_OF.get(name) or next(
        (obj for prefix, obj in PREFIX_OBJECT.items() if name.startswith(prefix)), None
    )
    assert kind, f"{name}: which object does it take? classify it in this test"
    return reverse(name, kwargs={"pk": world[kind].pk})


def test_every_url_is_classified():
    names = {name for name, _p in routes()}
    console = names - PUBLIC
    for name, pattern in routes():
        if name in console and pattern.pattern.converters:
            assert name in OBJECT_OF or any(name.startswith(p) for p in PREFIX_OBJECT), name
    assert set(ROLE_ONLY) <= names and names | {"webhooks:sandbox"} >= PUBLIC


def test_anonymous_users_are_sent_to_the_login_page_from_every_console_url(client, world):
    for name, pattern in routes():
        if name in PUBLIC:
            continue
        url = url_of(name, pattern, world)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"].startswith(reverse("login")), name


def test_bob_of_hotel_b_gets_nothing_of_hotel_a_anywhere(client_of, bob, world):
    client = client_of(bob)
    for name, pattern in routes():
        if name in PUBLIC or not pattern.pattern.converters:
            continue
        url = url_of(name, pattern, world)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (403, 404, 405), (name, method.__name__, response)
            body = body_of(response)
            assert SECRET_NAME not in body and "1119977" not in body, (name, method.__name__)


def test_lists_show_bob_nothing_of_hotel_a(client_of, bob, world):
    client = client_of(bob)
    for name, pattern in routes():
        if name in PUBLIC or pattern.pattern.converters:
            continue
        for method in (client.get, client.post):
            body = body_of(method(reverse(name)))
            assert SECRET_NAME not in body and "1119977" not in body, (name, method.__name__)
    search = client.get(reverse("guestview:guest_search"), {"q": SECRET_PHONE})
    assert SECRET_NAME not in search.content.decode()


@pytest.mark.parametrize("who", PERSONAS[:-1])
def test_each_role_gets_its_pages_and_is_refused_the_others(request, client_of, world, who):
    client = client_of(request.getfixturevalue(who))
    for name, pattern in routes():
        if name in PUBLIC or name.endswith(("_anonymize", "_answer")):
            continue  # writes with consequences; their refusals are below
        url = url_of(name, pattern, world)
        response = client.get(url)
        if response.status_code == 405:
            continue  # POST-only actions: covered by their own tests
        allowed = ROLE_ONLY.get(name)
        if allowed is not None and who not in allowed:
            assert response.status_code == 403, (who, name, response.status_code)
        else:
            assert response.status_code in (200, 204, 302), (who, name, response.status_code)


@pytest.mark.parametrize("who", ["alice", "sam", "quinn", "bob"])
def test_only_the_dpo_may_anonymize_or_answer(request, client_of, world, who):
    client = client_of(request.getfixturevalue(who))
    dsr = world["dsr"]
    for name in ("privacy:request_anonymize", "privacy:request_answer"):
        response = client.post(reverse(name, args=[dsr.pk]), {"confirm": "yes"})
        assert response.status_code in (403, 404), (who, name, response.status_code)
    world["guest"].refresh_from_db()
    assert world["guest"].first_name == SECRET_NAME


def test_bobs_access_report_holds_nothing_of_hotel_a(client_of, alice, sam, bob, world):
    # bob is a DPO (world): of hotel B only. Hotel A's guest was read, and
    # the reads were logged, as the console logs them.
    guest = world["guest"]
    for actor, action in ((alice, AccessAction.VIEW), (sam, AccessAction.UNMASK)):
        access_record(actor=actor, action=action, guest=guest, context=f"call:{world['call'].pk}")
    client = client_of(bob)
    report = reverse("consent:access_report")

    by_guest = client.get(report, {"guest": guest.pk})
    by_user = client.get(report, {"user": alice.pk})
    unasked = client.get(report)

    assert by_guest.status_code == 404
    assert by_user.status_code == 400 and not by_user.context["entries"]
    assert unasked.status_code == 200
    for response in (by_guest, by_user, unasked):
        body = body_of(response)
        assert SECRET_NAME not in body and "1119977" not in body
        assert f"#{guest.pk}<" not in body and f"call:{world['call'].pk}" not in body
        assert "Alice" not in body and "Sam" not in body  # hotel A's people, not listed


def test_public_doors_need_no_session_and_show_no_guest(client, world):
    for name, pattern in routes():
        if name not in PUBLIC or name in ("logout", "set_language"):
            continue
        kwargs = {k: "unknown-key" for k in pattern.pattern.converters}
        url = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code < 500, (name, method.__name__, response.status_code)
            body = body_of(response)
            assert SECRET_NAME not in body and "1119977" not in body, name


def test_the_admin_site_is_for_staff_only(client_of, alice, sam, ada):
    url = reverse("admin:index")
    for user in (alice, sam):
        response = client_of(user).get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client_of(ada).get(url).status_code == 200
