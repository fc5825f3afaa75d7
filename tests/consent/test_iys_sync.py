"""The İYS sync (consent.sync.iys_*): deadlines, batched submits and
polls, the pull of changes made on İYS, overdue alerts and the supervisors'
page. İYS is replaced at the HTTP boundary by respx answering the recorded
bodies in iys_payloads/ (see tests/consent/test_iys_client.py)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import zoneinfo
from pathlib import Path

import httpx
import pytest
import respx
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from consent import iys, sync, tasks
from consent.iys import IysClient, IysSettings
from consent.models import (
    AppendOnlyError,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    ConsentType,
    IysPullCursor,
    IysRequest,
    IysState,
    PulledChange,
)
from consent.selectors import (
    consent_history_for_guest,
    consent_state_for_guest,
    consents_unsynced_counts,
    recipient_masked,
)
from consent.services import consent_record
from guestview.models import Alert, AlertKind, ContactKind, Holiday, Role
from tests.factories import ContactPointFactory, GuestFactory, UserFactory, persona

pytestmark = pytest.mark.django_db

PAYLOADS = Path(__file__).parent / "iys_payloads"
BASE = iys.SANDBOX_URL
BRAND = "/sps/700123/brands/700124"
REQUEST_ID = "5980a44b06f333c25b1ah61bkceb95fa"
STATUS_URL = f"{BRAND}/consents/request/{REQUEST_ID}"
IST = zoneinfo.ZoneInfo("Europe/Istanbul")
PHONE = "+905321234567"  # Ayşe's, as in the recorded payloads
EMAIL = "ayse@example.com.tr"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=IST)


# Monday 2 March 2026, 15:00 in Istanbul: the call center has been busy.
MONDAY = at(2026, 3, 2, 15, 0)


def payload(name: str):
    return json.loads((PAYLOADS / name).read_text())


def answer(status: int, name: str | None = None) -> httpx.Response:
    return httpx.Response(status, json=payload(name)) if name else httpx.Response(status)


def sent(route) -> list:
    return json.loads(route.calls.last.request.content)


@pytest.fixture(autouse=True)
def _only_this_modules_holidays():
    # Migration guestview/0005 preloads Turkey's holidays; deadlines here
    # must not move with them (a test adds the ones it means).
    Holiday.objects.filter(property__isnull=True).delete()


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def iys_on(settings):
    settings.IYS_BASE_URL = BASE
    settings.IYS_USERNAME = "cagri-merkezi@akdenizresorts.com.tr"
    settings.IYS_PASSWORD = "s3cret"
    settings.IYS_CODE = "700123"
    settings.IYS_BRAND_CODE = "700124"


@pytest.fixture
def api(iys_on):
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/oauth2/token", name="token").mock(return_value=answer(200, "token.json"))
        yield router


@pytest.fixture
def api_client(api):
    """What a worker process holds: one client, its token kept."""
    with IysClient(IysSettings.from_django()) as c:
        yield c


@pytest.fixture
def ayse(hotel_a):
    guest = GuestFactory(property=hotel_a, first_name="Ayşe", last_name="Yılmaz")
    ContactPointFactory(guest=guest, raw_value="0532 123 45 67")
    ContactPointFactory(guest=guest, kind=ContactKind.EMAIL, raw_value="Ayse@Example.com.tr")
    return guest


def record(guest, **kwargs) -> ConsentRecord:
    """A consent as the call center takes it, unless the test says otherwise."""
    kwargs.setdefault("type", ConsentType.ARAMA)
    kwargs.setdefault("status", ConsentStatus.ONAY)
    kwargs.setdefault("source", ConsentSource.HS_CAGRI_MERKEZI)
    kwargs.setdefault("recipient", EMAIL if kwargs["type"] == ConsentType.EPOSTA else PHONE)
    return consent_record(guest=guest, **kwargs)


def reloaded(*records: ConsentRecord) -> list[ConsentRecord]:
    by_pk = ConsentRecord.objects.in_bulk([r.pk for r in records])
    return [by_pk[r.pk] for r in records]


def states(*records: ConsentRecord) -> list[str]:
    return [r.iys_state for r in reloaded(*records)]


# --- the deadline --------------------------------------------------------------------


def test_a_consent_we_take_is_due_in_iys_three_business_days_later_skipping_the_weekend(ayse):
    with time_machine.travel(at(2026, 12, 4, 16, 0), tick=False):
        taken = record(ayse, consent_date=at(2026, 12, 4, 15, 0))  # a Friday

    assert taken.iys_state == IysState.PENDING
    assert taken.iys_due_at == at(2026, 12, 9, 15, 0)  # Wednesday, same hour
    assert taken.iys_due_at.tzinfo.key == "Europe/Istanbul"


def test_the_deadline_skips_a_bayram_but_counts_its_half_day_eve(ayse):
    Holiday.objects.create(date=dt.date(2026, 5, 26), name="Arife", off_from=dt.time(13))
    for day in (27, 28, 29, 30):
        Holiday.objects.create(date=dt.date(2026, 5, day), name="Kurban Bayramı")

    with time_machine.travel(at(2026, 5, 25, 11, 0), tick=False):
        taken = record(ayse, consent_date=at(2026, 5, 25, 10, 0))  # Monday before the bayram

    # Tue 26 (arife) counts; Wed 27 to Sat 30 do not; Mon 1 and Tue 2 June do.
    assert ConsentRecord.objects.get(pk=taken.pk).iys_due_at == at(2026, 6, 2, 10, 0)


def test_a_hotels_own_holiday_does_not_move_the_iys_deadline(ayse, hotel_a):
    Holiday.objects.create(date=dt.date(2026, 12, 7), name="Lara festival", property=hotel_a)

    with time_machine.travel(at(2026, 12, 4, 16, 0), tick=False):
        taken = record(ayse, consent_date=at(2026, 12, 4, 15, 0))

    assert taken.iys_due_at == at(2026, 12, 9, 15, 0)


def test_a_form_typed_in_late_is_overdue_from_the_start(ayse, clock):
    late = record(ayse, source=ConsentSource.HS_ISLAK_IMZA, consent_date=at(2026, 2, 23, 10))

    assert late.iys_due_at == at(2026, 2, 26, 10)
    assert late.is_iys_overdue()


def test_nobody_may_record_a_consent_as_if_it_came_from_iys(ayse, alice):
    with pytest.raises(ValidationError) as raised:
        record(ayse, source=ConsentSource.IYS_MOBIL, recorded_by=alice)

    assert "source" in raised.value.message_dict
    assert not ConsentRecord.objects.exists()


# --- append-only, but for the sync state ---------------------------------------------


def test_the_sync_may_move_the_iys_state_but_nothing_may_rewrite_the_statement(ayse, clock):
    taken = record(ayse)
    rows = ConsentRecord.objects.filter(pk=taken.pk)

    rows.update(iys_state=IysState.FAILED, iys_error_code="H175", iys_error_message="RET")

    for rewrite in (
        {"status": ConsentStatus.RET},
        {"iys_due_at": MONDAY},
        {"consent_date": MONDAY},
        {"source": ConsentSource.HS_WEB},
    ):
        with pytest.raises(AppendOnlyError):
            rows.update(**rewrite)
    (saved,) = reloaded(taken)
    assert (saved.iys_state, saved.iys_error_code) == (IysState.FAILED, "H175")
    assert saved.status == ConsentStatus.ONAY
    assert saved.iys_due_at == taken.iys_due_at


# --- submitting ----------------------------------------------------------------------


def test_it_sends_only_the_newest_pending_statement_per_recipient_and_channel(
    ayse, hotel_a, hotel_b, api_client, api, clock
):
    family = GuestFactory(property=hotel_b)  # the same phone, at the other hotel
    older_at_b = record(family, consent_date=at(2026, 3, 1, 9))
    allowed = record(ayse, consent_date=at(2026, 3, 2, 10))
    refused = record(ayse, status=ConsentStatus.RET, consent_date=at(2026, 3, 2, 11))
    messages = record(ayse, type=ConsentType.MESAJ, consent_date=at(2026, 3, 2, 11, 30))
    in_iys = record(ayse, type=ConsentType.EPOSTA, consent_date=at(2026, 3, 2, 9))
    ConsentRecord.objects.filter(pk=in_iys.pk).update(iys_state=IysState.SYNCED)
    route = api.post(f"{BRAND}/consents/request").mock(
        return_value=answer(202, "submit_accepted.json")
    )

    request = sync.iys_submit_pending(client=api_client)

    assert route.call_count == 1
    assert sent(route) == [refused.iys_payload, messages.iys_payload]  # nearest deadline first
    assert states(older_at_b, allowed, refused, messages, in_iys) == [
        IysState.SUPERSEDED,
        IysState.SUPERSEDED,
        IysState.SUBMITTED,
        IysState.SUBMITTED,
        IysState.SYNCED,
    ]
    assert request.request_id == REQUEST_ID
    assert request.item_count == 2
    assert request.submitted_at == MONDAY
    assert request.next_poll_at == MONDAY + dt.timedelta(seconds=300)
    assert [(i.index, i.record_id) for i in request.items.order_by("index")] == [
        (0, refused.pk),
        (1, messages.pk),
    ]
    assert {r.iys_request_id for r in reloaded(refused, messages)} == {request.pk}


def test_what_is_sent_is_not_sent_again_while_iys_is_working_on_it(ayse, api_client, api, clock):
    record(ayse)
    route = api.post(f"{BRAND}/consents/request").mock(
        return_value=answer(202, "submit_accepted.json")
    )

    assert sync.iys_submit_pending(client=api_client) is not None
    assert sync.iys_submit_pending(client=api_client) is None

    assert route.call_count == 1


def test_records_that_came_from_iys_or_were_never_tracked_are_not_sent(
    ayse, api_client, api, clock
):
    record(ayse, source=ConsentSource.IYS_MOBIL, consent_date=at(2026, 3, 1, 9))
    ConsentRecord(
        guest=ayse,
        type=ConsentType.MESAJ,
        status=ConsentStatus.ONAY,
        source=ConsentSource.HS_WEB,
        recipient=PHONE,
    ).save()  # written past consent_record, as the demo loader does
    route = api.post(f"{BRAND}/consents/request")

    assert sync.iys_submit_pending(client=api_client) is None

    assert not route.called
    assert set(ConsentRecord.objects.values_list("iys_state", flat=True)) == {
        IysState.FROM_IYS,
        IysState.UNTRACKED,
    }


@pytest.mark.parametrize(
    "failure",
    [
        answer(500, "error_500.json"),
        answer(429, "error_429.json"),
        httpx.ConnectTimeout("no answer"),
    ],
    ids=["500", "429", "timeout"],
)
def test_when_iys_cannot_take_them_now_they_wait_for_the_next_run(
    ayse, api_client, api, clock, failure
):
    taken = record(ayse)
    route = api.post(f"{BRAND}/consents/request").mock(
        side_effect=[failure, answer(202, "submit_accepted.json")]
    )

    first = sync.iys_submit_pending(client=api_client)

    assert states(taken) == [IysState.PENDING]
    assert first.done_at == MONDAY
    assert first.error
    assert first.request_id == ""

    second = sync.iys_submit_pending(client=api_client)
    assert route.call_count == 2
    assert second.request_id == REQUEST_ID
    assert states(taken) == [IysState.SUBMITTED]


def test_a_refusal_fails_the_consents_it_names_and_sends_the_others_again(
    ayse, hotel_a, api_client, api, clock
):
    others = [GuestFactory(property=hotel_a) for _ in range(3)]
    taken = [
        record(guest, recipient=f"0532 765 43 2{n}", consent_date=at(2026, 3, 2, 9, n))
        for n, guest in enumerate(others)
    ]
    api.post(f"{BRAND}/consents/request").mock(return_value=answer(422, "error_422_batch.json"))

    request = sync.iys_submit_pending(client=api_client)

    bad_number, too_old, fine = reloaded(*taken)
    assert (bad_number.iys_state, bad_number.iys_error_code) == (IysState.FAILED, "H121")
    assert (too_old.iys_state, too_old.iys_error_code) == (IysState.FAILED, "H467")
    assert too_old.iys_error_message == "Üç iş günü öncesinde alınan izinler kaydedilemez."
    assert (fine.iys_state, fine.iys_error_code) == (IysState.PENDING, "")
    assert "H121" in request.error
    assert request.done_at is not None


def test_a_refusal_that_names_no_consent_fails_them_all(ayse, api_client, api, clock):
    taken = [record(ayse), record(ayse, type=ConsentType.EPOSTA)]
    api.post(f"{BRAND}/consents/request").mock(return_value=answer(403, "error_403_brand.json"))

    sync.iys_submit_pending(client=api_client)

    assert [(r.iys_state, r.iys_error_code) for r in reloaded(*taken)] == [
        (IysState.FAILED, "H353"),
        (IysState.FAILED, "H353"),
    ]


def test_a_batch_holds_at_most_the_limit(ayse, hotel_a, api_client, api, clock):
    for n in range(3):
        record(GuestFactory(property=hotel_a), recipient=f"0532 765 43 2{n}")
    route = api.post(f"{BRAND}/consents/request").mock(
        return_value=answer(202, "submit_accepted.json")
    )

    sync.iys_submit_pending(client=api_client, limit=2)

    assert len(sent(route)) == 2
    assert ConsentRecord.objects.filter(iys_state=IysState.PENDING).count() == 1


# --- polling -------------------------------------------------------------------------


@pytest.fixture
def four_sent(ayse, hotel_a, api_client, api, clock):
    """Four consents of four guests in one request, sent on MONDAY."""
    guests = [ayse] + [GuestFactory(property=hotel_a) for _ in range(3)]
    taken = [
        record(guest, recipient=f"0532 765 43 2{n}", consent_date=at(2026, 3, 2, 9, n))
        for n, guest in enumerate(guests)
    ]
    api.post(f"{BRAND}/consents/request").mock(return_value=answer(202, "submit_accepted.json"))
    sync.iys_submit_pending(client=api_client)
    return taken


def test_it_polls_no_sooner_than_300_seconds_after_sending(four_sent, api_client, api, clock):
    route = api.get(STATUS_URL).mock(return_value=answer(200, "request_status_processing.json"))

    clock.shift(dt.timedelta(seconds=299))
    assert sync.iys_poll_due(client=api_client) == 0
    assert not route.called

    clock.shift(dt.timedelta(seconds=2))
    sync.iys_poll_due(client=api_client)
    assert route.call_count == 1


def test_the_poll_maps_each_index_to_its_record(four_sent, api_client, api, clock):
    route = api.get(STATUS_URL).mock(return_value=answer(200, "request_status_mixed.json"))
    clock.shift(dt.timedelta(seconds=301))
    polled_at = MONDAY + dt.timedelta(seconds=301)

    assert sync.iys_poll_due(client=api_client) == 3

    accepted, already_held, queued, overtaken = reloaded(*four_sent)
    assert (accepted.iys_state, accepted.iys_synced_at) == (IysState.SYNCED, polled_at)
    # H174: İYS already holds this very status; what we meant to say is there.
    assert (already_held.iys_state, already_held.iys_error_code) == (IysState.SYNCED, "")
    assert (queued.iys_state, queued.iys_synced_at) == (IysState.SUBMITTED, None)
    # H178: İYS holds a newer consent; the newest wins there as here.
    assert (overtaken.iys_state, overtaken.iys_error_code) == (IysState.SUPERSEDED, "H178")
    request = IysRequest.objects.get()
    assert request.done_at is None
    assert request.polled_at == polled_at
    assert request.next_poll_at == polled_at + dt.timedelta(seconds=600)  # backing off
    item = request.items.get(index=0)
    assert (item.outcome, item.transaction_id[:8]) == ("success", "432cc155")

    finished = copy.deepcopy(payload("request_status_mixed.json"))
    finished[2] = {"index": 2, "status": "success", "transactionId": "532cc155"}
    route.mock(return_value=httpx.Response(200, json=finished))
    assert sync.iys_poll_due(client=api_client) == 0  # not yet time
    clock.shift(dt.timedelta(seconds=601))

    assert sync.iys_poll_due(client=api_client) == 1

    assert states(*four_sent)[2] == IysState.SYNCED
    request.refresh_from_db()
    assert request.done_at is not None
    assert IysRequest.objects.filter(done_at__isnull=True).count() == 0


def test_a_refused_first_ret_is_a_failure_the_supervisor_sees(ayse, api_client, api, clock):
    allowed = record(ayse, consent_date=at(2026, 3, 2, 9))
    refused = record(ayse, type=ConsentType.EPOSTA, status=ConsentStatus.RET)
    api.post(f"{BRAND}/consents/request").mock(return_value=answer(202, "submit_accepted.json"))
    sync.iys_submit_pending(client=api_client)
    api.get(STATUS_URL).mock(return_value=answer(200, "request_status_done.json"))
    clock.shift(dt.timedelta(seconds=301))

    sync.iys_poll_due(client=api_client)

    allowed, refused = reloaded(allowed, refused)
    assert allowed.iys_state == IysState.SYNCED
    assert (refused.iys_state, refused.iys_error_code) == (IysState.FAILED, "H175")
    assert "RET" in refused.iys_error_message
    assert consents_unsynced_counts(property_ids=[ayse.property_id]).failed == 1
    # The refusal still applies here: a RET takes effect at once.
    assert consent_state_for_guest(ayse).email.refused


def test_an_unreachable_iys_is_polled_again_later(four_sent, api_client, api, clock):
    api.get(STATUS_URL).mock(return_value=answer(503))
    clock.shift(dt.timedelta(seconds=301))

    assert sync.iys_poll_due(client=api_client) == 0

    assert set(states(*four_sent)) == {IysState.SUBMITTED}
    request = IysRequest.objects.get()
    assert "503" in request.error
    assert request.next_poll_at > MONDAY + dt.timedelta(seconds=301)


def test_a_claim_that_never_reached_iys_is_put_back_in_line(ayse, api_client, api, clock):
    taken = record(ayse)
    sync._iys_claim(limit=10)  # and then the worker died
    assert states(taken) == [IysState.SUBMITTED]

    clock.shift(dt.timedelta(minutes=11))
    sync.iys_poll_due(client=api_client)

    assert states(taken) == [IysState.PENDING]
    assert IysRequest.objects.get().done_at is not None


# --- pulling changes made on İYS -----------------------------------------------------


@pytest.fixture
def pull_day():
    # Tuesday morning, after the changes in changes_page.json.
    with time_machine.travel(at(2026, 3, 3, 10, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def changes(api):
    return api.get(f"{BRAND}/consents/changes").mock(
        side_effect=[answer(200, "changes_page.json"), answer(204)]
    )


def test_the_pull_records_each_change_for_every_guest_reached_at_it(
    ayse, hotel_b, api_client, changes, pull_day
):
    cousin = GuestFactory(property=hotel_b)  # writes from Ayşe's phone on WhatsApp
    ContactPointFactory(guest=cousin, kind=ContactKind.WHATSAPP, raw_value=PHONE)
    GuestFactory(property=ayse.property)  # nobody's business

    assert sync.iys_pull_changes(client=api_client) == 2

    sms = ConsentRecord.objects.filter(type=ConsentType.MESAJ).order_by("guest_id")
    assert [r.guest for r in sms] == [ayse, cousin]
    for pulled in sms:
        assert (pulled.status, pulled.source) == (ConsentStatus.ONAY, ConsentSource.IYS_KISAMESAJ)
        assert pulled.consent_date == at(2026, 3, 1, 9, 50, 2)
        assert (pulled.iys_state, pulled.iys_due_at, pulled.recorded_by) == (
            IysState.FROM_IYS,
            None,
            None,
        )
    email = ConsentRecord.objects.get(type=ConsentType.EPOSTA)
    assert (email.guest, email.status, email.source) == (ayse, "RET", ConsentSource.IYS_MOBIL)
    assert consent_state_for_guest(ayse).email.refused
    assert list(PulledChange.objects.order_by("id").values_list("guests_matched", "source")) == [
        (2, "IYS_KISAMESAJ"),
        (1, "IYS_MOBIL"),
    ]
    cursor = IysPullCursor.objects.get()
    assert cursor.after == payload("changes_page.json")["after"]
    assert cursor.pulled_at == at(2026, 3, 3, 10, 0)
    assert [c.request.url.params.get("after") for c in changes.calls] == [None, cursor.after]


def test_the_same_change_pulled_twice_is_recorded_once(ayse, api_client, api, pull_day):
    api.get(f"{BRAND}/consents/changes").mock(
        side_effect=[
            answer(200, "changes_page.json"),
            answer(200, "changes_page.json"),  # İYS repeats itself
            answer(204),
        ]
    )

    assert sync.iys_pull_changes(client=api_client) == 2

    assert ConsentRecord.objects.filter(guest=ayse).count() == 2
    assert PulledChange.objects.count() == 2


def test_a_change_without_a_transaction_id_is_recorded_once_too(ayse, api_client, api, pull_day):
    page = copy.deepcopy(payload("changes_page.json"))
    for change in page["list"]:
        del change["transactionId"]
    api.get(f"{BRAND}/consents/changes").mock(
        side_effect=[httpx.Response(200, json=page), httpx.Response(200, json=page), answer(204)]
    )

    assert sync.iys_pull_changes(client=api_client) == 2

    assert ConsentRecord.objects.filter(guest=ayse).count() == 2


def test_a_ret_on_iys_newer_than_our_onay_wins_and_our_onay_is_not_sent(
    ayse, api_client, api, changes, pull_day
):
    ours = record(ayse, type=ConsentType.EPOSTA, consent_date=at(2026, 3, 2, 10))
    submit = api.post(f"{BRAND}/consents/request")

    sync.iys_pull_changes(client=api_client)

    email = consent_state_for_guest(ayse).email
    assert (email.status, email.source) == (ConsentStatus.RET, ConsentSource.IYS_MOBIL)
    assert sync.iys_submit_pending(client=api_client) is None
    assert not submit.called
    assert states(ours) == [IysState.SUPERSEDED]


def test_a_change_on_iys_older_than_ours_is_history_not_the_state(
    ayse, api_client, api, changes, pull_day
):
    # Ayşe refused e-mail on İYS at 23:15 on Monday, then told us yes on Tuesday.
    ours = record(ayse, type=ConsentType.EPOSTA, consent_date=at(2026, 3, 3, 9))
    submit = api.post(f"{BRAND}/consents/request").mock(
        return_value=answer(202, "submit_accepted.json")
    )

    sync.iys_pull_changes(client=api_client)

    email = consent_state_for_guest(ayse).email
    assert (email.status, email.since) == (ConsentStatus.ONAY, at(2026, 3, 3, 9))
    history = [(r.status, r.source) for r in consent_history_for_guest(ayse) if r.type == "EPOSTA"]
    assert history == [("ONAY", "HS_CAGRI_MERKEZI"), ("RET", "IYS_MOBIL")]
    # Ours is newer: İYS is told, and will keep it for the same reason.
    sync.iys_submit_pending(client=api_client)
    assert sent(submit) == [ours.iys_payload]


def test_a_source_iys_adds_later_is_stored_as_iys_with_its_name_kept(
    ayse, api_client, api, pull_day
):
    page = copy.deepcopy(payload("changes_page.json"))
    page["list"][1]["source"] = "IYS_EDEVLET"
    api.get(f"{BRAND}/consents/changes").mock(
        side_effect=[httpx.Response(200, json=page), answer(204)]
    )

    sync.iys_pull_changes(client=api_client)

    email = ConsentRecord.objects.get(type=ConsentType.EPOSTA)
    assert (email.source, email.iys_state) == (ConsentSource.IYS, IysState.FROM_IYS)
    assert "IYS_EDEVLET" in email.note
    assert PulledChange.objects.get(type="EPOSTA").source == "IYS_EDEVLET"


def test_the_cursor_moves_only_with_the_page_it_follows(ayse, api_client, api, pull_day):
    api.get(f"{BRAND}/consents/changes").mock(
        side_effect=[answer(200, "changes_page.json"), answer(500, "error_500.json")]
    )

    with pytest.raises(iys.IysError):
        sync.iys_pull_changes(client=api_client)

    # The first page is stored with its cursor; the next run asks from there.
    assert IysPullCursor.objects.get().after == payload("changes_page.json")["after"]
    assert PulledChange.objects.count() == 2


def test_nothing_new_on_iys_changes_nothing(ayse, api_client, api, pull_day):
    api.get(f"{BRAND}/consents/changes").mock(return_value=answer(204))

    assert sync.iys_pull_changes(client=api_client) == 0

    assert not ConsentRecord.objects.exists()
    assert IysPullCursor.objects.get().after == ""


# --- with İYS off ---------------------------------------------------------------------


def test_with_the_sync_off_nothing_is_sent_polled_or_pulled(ayse, settings, clock):
    settings.IYS_BASE_URL = ""
    taken = record(ayse)

    with respx.mock(assert_all_mocked=True) as router:  # any HTTP call would fail
        assert sync.iys_submit_pending() is None
        assert sync.iys_poll_due() == 0
        assert sync.iys_pull_changes() == 0
        assert tasks.iys_submit_pending() is None
    assert not router.calls
    assert states(taken) == [IysState.PENDING]
    assert sync.iys_client() is None


def test_the_process_keeps_one_client(iys_on, settings, monkeypatch):
    monkeypatch.setattr(sync, "_process_client", None)
    first = sync.iys_client()

    assert sync.iys_client() is first
    settings.IYS_BRAND_CODE = "700999"  # a new configuration gets a new client
    assert sync.iys_client() is not first
    sync.iys_client().close()


@pytest.fixture
def sue(hotel_b):
    return persona("sue", role=Role.SUPERVISOR, properties=[hotel_b], extension="302")


def test_overdue_consents_alert_each_hotels_supervisors_once_a_day(
    settings, alice, sam, sue, bob, ayse, hotel_a, hotel_b
):
    settings.IYS_BASE_URL = ""  # off: nothing reaches İYS, and the hotels must know
    for person in (sam, sue):
        person.agent_profile.ui_language = "en"
        person.agent_profile.save(update_fields=["ui_language"])
    with time_machine.travel(MONDAY, tick=False):
        record(ayse)
        record(ayse, type=ConsentType.EPOSTA)
        record(GuestFactory(property=hotel_b), recipient="0532 765 43 21")
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        record(ayse, type=ConsentType.MESAJ)  # due next Monday: not late this week

    thursday = at(2026, 3, 5, 15, 30)  # three business days have passed
    with time_machine.travel(thursday, tick=False):
        assert sync.iys_overdue_alert() == 2
        assert tasks.iys_overdue_alert() == 0  # hourly, but once a day
    with time_machine.travel(thursday + dt.timedelta(hours=8), tick=False):
        assert sync.iys_overdue_alert() == 0  # 23:30, still Thursday in Istanbul

    (for_sam,) = Alert.objects.filter(recipient=sam)
    assert for_sam.kind == AlertKind.IYS_OVERDUE
    assert for_sam.title == "2 consents not yet in İYS (3 business days passed)"
    assert for_sam.property_id == hotel_a.pk
    assert for_sam.url == reverse("consent:iys_status") + "?show=overdue"
    (for_sue,) = Alert.objects.filter(recipient=sue)
    assert for_sue.title == "1 consent not yet in İYS (3 business days passed)"
    assert not Alert.objects.filter(recipient__in=[alice, bob]).exists()

    with time_machine.travel(thursday + dt.timedelta(days=1), tick=False):
        assert sync.iys_overdue_alert() == 2  # Friday: a new day, a new reminder
    assert Alert.objects.filter(recipient=sam).count() == 2


def test_consents_in_iys_overtaken_or_from_iys_are_never_late(sam, ayse, clock):
    in_iys = record(ayse, consent_date=at(2026, 2, 2, 10))
    record(ayse, type=ConsentType.EPOSTA, consent_date=at(2026, 2, 2, 10))
    record(ayse, type=ConsentType.EPOSTA, status=ConsentStatus.RET, consent_date=at(2026, 2, 3))
    record(ayse, type=ConsentType.MESAJ, source=ConsentSource.IYS_CM, consent_date=at(2026, 2, 2))
    ConsentRecord.objects.filter(pk=in_iys.pk).update(iys_state=IysState.SYNCED)

    assert sync.iys_overdue_alert() == 1  # the RET only: it overtook the e-mail ONAY
    assert consents_unsynced_counts(property_ids=[ayse.property_id]).overdue == 1


# --- the supervisors' page -----------------------------------------------------------

PAGE = reverse("consent:iys_status")


def test_the_page_is_for_supervisors_quality_and_admins_not_agents(
    client_of, alice, sam, quinn, ada
):
    assert client_of(alice).get(PAGE).status_code == 403
    for person in (sam, quinn, ada):
        assert client_of(person).get(PAGE).status_code == 200


def test_the_page_asks_you_to_log_in_first(db):
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_lists_the_hotels_late_consents_first_and_never_another_hotels(
    client_of, sam, bob, ayse, hotel_b, settings, clock
):
    settings.IYS_BASE_URL = ""
    due_later = record(ayse, type=ConsentType.MESAJ)
    late = record(ayse, consent_date=at(2026, 2, 25, 10))
    refused = record(ayse, type=ConsentType.EPOSTA, status=ConsentStatus.RET)
    ConsentRecord.objects.filter(pk=refused.pk).update(
        iys_state=IysState.FAILED, iys_error_code="H175", iys_error_message="İlk izin RET olamaz"
    )
    elsewhere = GuestFactory(property=hotel_b, first_name="Hans", last_name="Becker")
    record(elsewhere, recipient="0532 765 43 21", consent_date=at(2026, 2, 25, 10))

    response = client_of(sam).get(PAGE)

    rows = response.context["rows"]
    # The nearest deadline first; the same deadline in the order they were taken.
    assert [r.pk for r, _recipient, _overdue in rows] == [late.pk, due_later.pk, refused.pk]
    assert [overdue for _r, _recipient, overdue in rows] == [True, False, False]
    counts = response.context["counts"]
    assert (counts.overdue, counts.waiting, counts.failed) == (1, 2, 1)
    html = response.content.decode()
    assert "+90 532 *** ** 67" in html
    assert PHONE not in html and "532 123 45 67" not in html
    assert reverse("guestview:guest_detail", args=[ayse.pk]) in html
    assert "H175" in html
    assert "02.03.2026 10:00" in html  # 25 February + 3 business days, Turkey time
    assert "Hans" not in html
    assert response.context["sync"].enabled is False
    assert 'class="banner"' in html  # the line saying İYS sync is off

    failed_only = client_of(sam).get(PAGE, {"show": "failed"})
    assert [r.pk for r, _recipient, _overdue in failed_only.context["rows"]] == [refused.pk]

    # Bob's own hotel's consent is not his to see here either: he is an agent.
    assert client_of(bob).get(PAGE).status_code == 403


def test_an_admin_sees_every_hotel(client_of, ada, ayse, hotel_b, clock):
    record(ayse)
    record(GuestFactory(property=hotel_b), recipient="0532 765 43 21")

    response = client_of(ada).get(PAGE)

    assert len(response.context["rows"]) == 2


def test_the_page_costs_the_same_queries_for_3_or_30_consents(
    client_of, sam, hotel_a, clock, django_assert_max_num_queries
):
    client = client_of(sam)

    def add(count):
        for _ in range(count):
            guest = GuestFactory(property=hotel_a)
            record(guest, recipient=f"0532 {7000000 + guest.pk:07d}")

    add(3)
    client.get(PAGE)  # warm the session and per-process caches
    with django_assert_max_num_queries(12) as few:
        client.get(PAGE)
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PAGE)
    assert len(response.context["rows"]) == 30


def test_the_masked_recipient_shows_enough_to_tell_two_apart():
    assert recipient_masked("+905321234567") == "+90 532 *** ** 67"
    assert recipient_masked("+4915123456789") == "+49 1512 *****89"
    assert recipient_masked("ayse@example.com.tr") == "a***@example.com.tr"


# --- admin ---------------------------------------------------------------------------


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_the_admin_filters_by_iys_state_and_offers_no_iys_source(client_of, root, ayse, clock):
    pending = record(ayse)
    failed = record(ayse, type=ConsentType.EPOSTA)
    ConsentRecord.objects.filter(pk=failed.pk).update(iys_state=IysState.FAILED)
    client = client_of(root)

    listed = client.get(
        reverse("admin:consent_consentrecord_changelist"), {"iys_state__exact": "failed"}
    )
    add_form = client.get(reverse("admin:consent_consentrecord_add"))
    change = client.get(reverse("admin:consent_consentrecord_change", args=[pending.pk]))

    assert [r.pk for r in listed.context["cl"].result_list] == [failed.pk]
    choices = dict(add_form.context["adminform"].form.fields["source"].choices)
    assert "HS_CAGRI_MERKEZI" in choices and "IYS_MOBIL" not in choices
    assert change.status_code == 200
    assert b"field-iys_state" in change.content and b"field-iys_due_at" in change.content


def test_the_admin_sends_refused_consents_again(client_of, root, ayse, clock):
    failed = record(ayse)
    ConsentRecord.objects.filter(pk=failed.pk).update(
        iys_state=IysState.FAILED, iys_error_code="H353"
    )

    client_of(root).post(
        reverse("admin:consent_consentrecord_changelist"),
        {"action": "send_again_to_iys", "_selected_action": [failed.pk]},
    )

    (again,) = reloaded(failed)
    assert (again.iys_state, again.iys_error_code) == (IysState.PENDING, "")


def test_the_sync_log_is_read_only_and_for_admins(
    client_of, root, bob, ayse, api_client, api, pull_day
):
    api.get(f"{BRAND}/consents/changes").mock(
        side_effect=[answer(200, "changes_page.json"), answer(204)]
    )
    sync.iys_pull_changes(client=api_client)
    change = PulledChange.objects.first()
    bob.is_staff = True
    bob.save(update_fields=["is_staff"])
    # Even allowed to view it, an agent does not see a log that spans every hotel.
    bob.user_permissions.add(Permission.objects.get(codename="view_pulledchange"))

    assert client_of(root).get(reverse("admin:consent_pulledchange_changelist")).status_code == 200
    url = reverse("admin:consent_pulledchange_change", args=[change.pk])
    assert client_of(root).post(url, {}).status_code == 403
    assert client_of(bob).get(reverse("admin:consent_pulledchange_changelist")).status_code == 403
    assert client_of(root).get(reverse("admin:consent_iysrequest_changelist")).status_code == 200


# --- tasks ---------------------------------------------------------------------------


def test_the_beat_runs_the_sync():
    tasks_scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}

    assert {
        "consent.tasks.iys_submit_pending",
        "consent.tasks.iys_poll_due",
        "consent.tasks.iys_pull_changes",
        "consent.tasks.iys_overdue_alert",
    } <= tasks_scheduled
