"""The 360° card a screen-pop shows: its four blocks, the value signal, what
rendering one costs, and the agent's language.

Ahmet Yılmaz of hotel A calls alice from his mobile. He stayed in July 2025
(Deluxe Sea View, an anniversary cake), comes back next month, likes a
feather-free pillow, allows calls, refused messages, was never asked about
e-mail, and opened the spring early-booking campaign.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from consent.models import ConsentSource, ConsentStatus, ConsentType
from consent.services import consent_record
from guestview import cards, selectors, services
from guestview.cti.events import CallEventIn
from guestview.models import (
    ContactKind,
    Language,
    NoteKind,
    PbxKind,
    PreferenceKey,
    PropertyNumber,
    ScreenPop,
    Segment,
    SourceChannel,
    StayStatus,
)
from tests.factories import (
    ContactPointFactory,
    GuestFactory,
    PbxFactory,
    PreferenceFactory,
    StayFactory,
)
from tests.test_i18n import parse_po, po_path

pytestmark = pytest.mark.django_db

AHMET_MOBILE = "0532 123 45 67"


@pytest.fixture(autouse=True)
def _fresh_number_cache(monkeypatch):
    # selectors caches DID → property id for a minute; rows of an earlier test are gone.
    monkeypatch.setattr(selectors, "_number_cache", {})
    monkeypatch.setattr(selectors, "_number_cache_at", 0.0)


@pytest.fixture
def pbx(hotel_a):
    PropertyNumber.objects.create(property=hotel_a, number="+902427101000")
    return PbxFactory(kind=PbxKind.GENERIC)


@pytest.fixture
def next_month():
    return timezone.localdate() + dt.timedelta(days=30)


@pytest.fixture
def ahmet(hotel_a, next_month):
    guest = GuestFactory(
        property=hotel_a,
        first_name="Ahmet",
        last_name="Yılmaz",
        language=Language.EN,
        nationality="TR",
        segment=Segment.COUPLE,
        source_channel=SourceChannel.WEB,
        last_campaign="Spring early booking",
        last_campaign_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC),
    )
    ContactPointFactory(guest=guest, raw_value="0242 111 22 33", is_primary=True)
    ContactPointFactory(guest=guest, raw_value=AHMET_MOBILE)
    StayFactory(
        guest=guest,
        arrival=dt.date(2025, 7, 1),
        departure=dt.date(2025, 7, 8),
        room_type="Deluxe Sea View",
        notes="Anniversary: cake in the room",
        total_revenue=Decimal("2450.00"),
    )
    StayFactory(
        guest=guest,
        pms_reservation_id="RES-NEXT",
        arrival=next_month,
        departure=next_month + dt.timedelta(days=5),
        room_type="Junior Suite",
        status=StayStatus.UPCOMING,
        total_revenue=Decimal("1800.00"),
    )
    PreferenceFactory(guest=guest, key=PreferenceKey.PILLOW, value="Feather-free pillow")
    PreferenceFactory(guest=guest, key=PreferenceKey.OCCASION, value="Wedding anniversary")
    for channel, status in (
        (ConsentType.ARAMA, ConsentStatus.ONAY),
        (ConsentType.MESAJ, ConsentStatus.RET),
    ):
        consent_record(
            guest=guest,
            type=channel,
            status=status,
            source=ConsentSource.HS_CAGRI_MERKEZI,
            recipient=AHMET_MOBILE,
        )
    return guest


def ring(pbx, *, call_id="c-1", caller=AHMET_MOBILE, extension="201"):
    event = CallEventIn(
        kind="ringing",
        call_id=call_id,
        caller=caller,
        called="+902427101000",
        agent_extension=extension,
        at=timezone.now(),
    )
    return services.call_event_record(pbx=pbx, event=event)


def pop_in(language, pbx, alice, **ring_args) -> str:
    """The pop alice's console gets, rendered in ``language`` from a cold start."""
    services.agent_ui_language_set(agent=alice.agent_profile, language=language)
    pop = ring(pbx, **ring_args).pops[0]
    return cards.render_screenpop(ScreenPop.objects.get(pk=pop.pk))


def block(html, name) -> str:
    found = re.search(rf'<section class="block block-{name}">(.*?)</section>', html, re.DOTALL)
    assert found, f"the {name} block is missing"
    return found.group(1)


def squash(html) -> str:
    return re.sub(r"\s+", " ", html)


# --- the four blocks ----------------------------------------------------------------------


def test_it_shows_who_is_calling_and_how_they_reach_us(pbx, alice, ahmet):
    identity = squash(block(pop_in("en", pbx, alice), "identity"))

    assert f'<a href="/guests/{ahmet.pk}/">Ahmet Yılmaz</a>' in identity
    assert re.search(r'<dd class="matched" title="[^"]+">\+90 532 123 45 67</dd>', identity)
    assert "<dd>+90 242 *** ** 33</dd>" in identity  # his landline: masked, not highlighted
    assert '<span class="lang lang-en">EN</span> English · TR' in identity
    assert "<dt>Source</dt><dd>Web</dd>" in identity
    assert "<dt>Hotel</dt><dd>Hotel A Lara</dd>" in identity


def test_it_shows_the_stay_history(pbx, alice, ahmet, next_month):
    stays = squash(block(pop_in("en", pbx, alice), "stays"))

    assert "01.07.2025 · Deluxe Sea View · 7 nights" in stays
    assert '<dd class="note">Anniversary: cake in the room</dd>' in stays
    assert '<span class="signal signal-returning">Returning</span>' in stays
    assert "1 stay · 2,450 EUR" in stays  # the upcoming stay is not spend yet
    assert (
        f'<strong class="status status-upcoming">Upcoming</strong> {next_month:%d.%m}–'
        f"{next_month + dt.timedelta(days=5):%d.%m.%Y} · Junior Suite · RES-NEXT"
    ) in stays


def test_it_shows_preferences_segment_consent_and_the_last_campaign(pbx, alice, ahmet):
    prefs = squash(block(pop_in("en", pbx, alice), "prefs"))

    assert "<dt>Segment</dt><dd>Couple</dd>" in prefs
    assert "<dt>Pillow</dt><dd>Feather-free pillow</dd>" in prefs
    assert "<dt>Occasion</dt><dd>Wedding anniversary</dd>" in prefs
    assert "<dt>Last campaign</dt><dd>Spring early booking · 02.03.2026</dd>" in prefs


def test_it_shows_consent_per_channel_in_three_distinct_states(pbx, alice, ahmet):
    prefs = block(pop_in("en", pbx, alice), "prefs")

    permissions = re.findall(
        r'<li class="perm perm-(\w+)".*?<span class="perm-mark" aria-hidden="true">(.)</span>'
        r'.*?<span class="perm-channel">(.*?)</span> <span class="perm-label">(.*?)</span>',
        prefs,
        re.DOTALL,
    )
    assert permissions == [
        ("onay", "✓", "Call", "Allowed"),
        ("ret", "✕", "Message (SMS, WhatsApp)", "Refused"),
        ("unknown", "?", "E-mail", "Never asked"),
    ]


def test_it_follows_a_change_of_mind_on_consent(pbx, alice, ahmet):
    consent_record(
        guest=ahmet,
        type=ConsentType.ARAMA,
        status=ConsentStatus.RET,
        source=ConsentSource.HS_CAGRI_MERKEZI,
        recipient=AHMET_MOBILE,
    )

    prefs = block(pop_in("en", pbx, alice), "prefs")

    assert re.search(r'perm-ret".*?<span class="perm-channel">Call</span>', prefs, re.DOTALL)
    assert "perm-onay" not in prefs


def test_it_suggests_what_to_sell_next(pbx, alice, ahmet, next_month):
    action = squash(block(pop_in("en", pbx, alice), "action"))

    hints = re.findall(r"<li>(.*?)</li>", action[action.index('class="hints"') :])
    assert hints == [
        f"Upcoming stay on {next_month:%d.%m.%Y}: offer airport transfer and a room upgrade.",
        "Occasion “Wedding anniversary”: propose a celebration package.",
        "Couple: a sea-view upgrade usually sells.",
    ]
    assert f'action="/guests/{ahmet.pk}/notes/"' in action
    assert 'name="call"' in action


def test_it_always_shows_and_highlights_the_number_calling_now(pbx, alice, ahmet):
    # A guest with a primary landline and two e-mails: the mobile he calls from
    # is his fourth contact point, and the identity block shows three.
    ContactPointFactory(guest=ahmet, email=True, raw_value="ahmet@example.com")
    ContactPointFactory(guest=ahmet, email=True, raw_value="ahmet.yilmaz@work.example")

    identity = squash(block(pop_in("en", pbx, alice), "identity"))

    assert re.search(r'<dd class="matched" title="[^"]+">\+90 532 123 45 67</dd>', identity)


def test_it_highlights_a_whatsapp_number_that_calls(pbx, alice, hotel_a):
    guest = GuestFactory(property=hotel_a)
    ContactPointFactory(guest=guest, kind=ContactKind.WHATSAPP, raw_value="0532 555 44 33")

    identity = squash(block(pop_in("en", pbx, alice, caller="0532 555 44 33"), "identity"))

    assert re.search(
        r'<dt>WhatsApp</dt> ?<dd class="matched" title="[^"]+">\+90 532 555 44 33</dd>', identity
    )


def test_it_flags_an_open_request_above_the_blocks(pbx, alice, ahmet):
    services.guest_note_add(
        guest=ahmet, author=alice, text="Wants a quote for August.", kind=NoteKind.REQUEST
    )

    html = pop_in("en", pbx, alice)

    top = html[html.index('<article class="guestcard"') : html.index('<div class="blocks">')]
    assert 'class="flag flag-request" role="alert"' in top
    assert "Open request" in top
    assert "Wants a quote for August." in top


def test_a_new_guest_gets_a_first_stay_hint_and_no_stays(pbx, alice, hotel_a):
    guest = GuestFactory(property=hotel_a, segment="")
    ContactPointFactory(guest=guest, raw_value="0532 555 44 33")

    html = pop_in("en", pbx, alice, caller="0532 555 44 33")

    stays = squash(block(html, "stays"))
    assert '<span class="muted">none yet</span>' in stays
    assert '<span class="signal signal-new">New</span>' in stays
    assert '<span class="muted">no open reservation</span>' in stays
    assert "First stay: offer the early-booking rate and half board upgrade." in block(
        html, "action"
    )


# --- the value signal ---------------------------------------------------------------------


def years_ago(years: float) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=int(years * 365))


def stays_of(guest, *, count, last_departure, revenue="1000.00", currency="EUR", status=None):
    """``count`` stays that happened, a year apart, the last leaving on ``last_departure``."""
    for n in range(count):
        departure = last_departure - dt.timedelta(days=365 * n)
        StayFactory(
            guest=guest,
            arrival=departure - dt.timedelta(days=7),
            departure=departure,
            total_revenue=Decimal(revenue),
            currency=currency,
            status=status or StayStatus.DEPARTED,
        )


@pytest.mark.parametrize(
    ("segment", "history", "signal"),
    [
        ("", {"count": 0}, "new"),
        ("", {"count": 2, "status": StayStatus.CANCELLED}, "new"),
        ("", {"count": 2, "status": StayStatus.NO_SHOW}, "new"),
        ("", {"count": 1}, "returning"),
        ("", {"count": 2}, "returning"),
        ("", {"count": 3}, "loyal"),
        ("", {"count": 3, "last": 2.5}, "at_risk"),
        ("", {"count": 1, "revenue": "15000.00"}, "vip"),
        ("", {"count": 3, "last": 2.5, "revenue": "6000.00"}, "vip"),
        ("luxury", {"count": 2}, "vip"),
        ("luxury", {"count": 1}, "returning"),
        # 300,000 TRY is about 8,100 EUR: a spend signal, not a number of lira.
        ("", {"count": 1, "revenue": "300000.00", "currency": "TRY"}, "returning"),
        ("", {"count": 1, "revenue": "20000.00", "currency": "GBP"}, "vip"),
    ],
)
def test_it_reads_the_value_signal_from_the_stays(hotel_a, segment, history, signal):
    guest = GuestFactory(property=hotel_a, segment=segment)
    history = dict(history)
    count = history.pop("count")
    last = years_ago(history.pop("last", 0.2))
    stays_of(guest, count=count, last_departure=last, **history)

    assert selectors.value_signal(guest, selectors.stay_summary(guest)) == signal


def test_a_loyal_guest_in_house_right_now_is_not_at_risk(hotel_a):
    guest = GuestFactory(property=hotel_a)
    stays_of(guest, count=3, last_departure=years_ago(2.5))
    today = timezone.localdate()
    StayFactory(
        guest=guest,
        arrival=today - dt.timedelta(days=2),
        departure=today + dt.timedelta(days=3),
        status=StayStatus.IN_HOUSE,
    )

    summary = selectors.stay_summary(guest)

    assert summary.count == 4
    assert selectors.value_signal(guest, summary) == "loyal"


def test_an_upcoming_stay_alone_keeps_a_guest_new(hotel_a):
    guest = GuestFactory(property=hotel_a)
    next_year = timezone.localdate() + dt.timedelta(days=365)
    StayFactory(guest=guest, arrival=next_year, departure=next_year, status=StayStatus.UPCOMING)

    summary = selectors.stay_summary(guest)

    assert selectors.value_signal(guest, summary) == "new"
    assert summary.current_or_next.arrival == next_year


@pytest.mark.parametrize(
    ("segment", "count", "last", "signal", "label"),
    [
        ("luxury", 2, 0.2, "vip", "VIP"),
        ("", 3, 0.2, "loyal", "Loyal"),
        ("", 3, 2.5, "at_risk", "At risk"),
        ("", 1, 0.2, "returning", "Returning"),
    ],
)
def test_it_shows_the_value_signal_on_the_card(
    pbx, alice, hotel_a, segment, count, last, signal, label
):
    guest = GuestFactory(property=hotel_a, segment=segment)
    ContactPointFactory(guest=guest, raw_value=AHMET_MOBILE)
    stays_of(guest, count=count, last_departure=years_ago(last))

    stays = block(pop_in("en", pbx, alice), "stays")

    assert f'<span class="signal signal-{signal}">{label}</span>' in stays


# --- what a pop costs -----------------------------------------------------------------------

# The agent, the call, the agent's user and their hotels (guardian: user and group
# permissions, then the ids); the guest; the card: contacts, stays (with their
# totals), preferences, open items, consent, open leads (the lead tag), running
# campaigns (cached per hotel for a minute); the hotel, once for the call bar and
# once for the identity block.
QUERIES_PER_POP = 16


@pytest.mark.parametrize("stays", [1, 8])
def test_it_renders_a_pop_in_constant_queries(
    pbx, alice, hotel_a, stays, django_assert_num_queries
):
    guest = GuestFactory(property=hotel_a)
    ContactPointFactory(guest=guest, raw_value=AHMET_MOBILE)
    stays_of(guest, count=stays, last_departure=years_ago(0.2))
    for key in (PreferenceKey.PILLOW, PreferenceKey.VIEW, PreferenceKey.DIET):
        PreferenceFactory(guest=guest, key=key)
    services.guest_note_add(guest=guest, author=alice, text="Call back", kind=NoteKind.REQUEST)
    services.agent_ui_language_set(agent=alice.agent_profile, language="en")
    pop = ScreenPop.objects.get(pk=ring(pbx).pops[0].pk)

    with django_assert_num_queries(QUERIES_PER_POP):
        html = cards.render_screenpop(pop)

    assert f"{stays} stay" in squash(block(html, "stays"))


# --- the agent's language ---------------------------------------------------------------


def turkish(msgid: str) -> str | None:
    """The Turkish of ``msgid`` in locale/tr as it is now, None while untranslated."""
    for entry in parse_po(po_path("tr")):
        if entry.msgid == msgid and entry.msgctxt is None:
            if entry.translated and "fuzzy" not in entry.flags:
                return entry.msgstr[0]
            return None
    return None


def test_it_renders_the_card_in_the_agents_language(pbx, alice, ahmet):
    english = pop_in("en", pbx, alice, call_id="c-en")
    turkish_card = pop_in("tr", pbx, alice, call_id="c-tr")

    # Strings the Turkish catalog has long had: they prove the language switch.
    assert "<dt>Phone</dt>" in english
    assert "<dt>Telefon</dt>" in turkish_card
    assert "<dt>Yastık</dt>" in turkish_card
    assert ">Gelecek</strong>" in turkish_card
    assert "<dt>Phone</dt>" not in turkish_card


@pytest.mark.parametrize(
    "msgid",
    [
        "Stay history",
        "Identity & channel",
        "Preferences & segment",
        "Action & notes",
        "Next stay opportunity",
        "Never asked",
        "Returning",
    ],
)
def test_it_renders_card_wording_in_turkish_when_translated(pbx, alice, ahmet, msgid):
    english = pop_in("en", pbx, alice, call_id="c-en")
    assert msgid in english

    expected = turkish(msgid)
    if expected is None:
        pytest.skip(f"{msgid!r} has no Turkish msgstr in locale/tr/LC_MESSAGES/django.po yet")
    turkish_card = pop_in("tr", pbx, alice, call_id="c-tr")
    assert expected in turkish_card
    assert msgid not in turkish_card
