"""Consent the İYS way: recorded through consent.services, read through
consent.selectors, never rewritten."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone, translation

from consent.models import (
    AppendOnlyError,
    ConsentMethod,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    ConsentType,
    ExplicitConsent,
    RecipientType,
)
from consent.models.records import recipient_pseudonym
from consent.needs import explicit_consent_record
from consent.privacy import guest_anonymize
from consent.selectors import (
    consent_history_for_guest,
    consent_state_for_guest,
    consent_states_for_guests,
)
from consent.services import consent_record
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+905321234567"
EMAIL = "ahmet.yilmaz@example.com"
UTC = dt.UTC
ISTANBUL = zoneinfo.ZoneInfo("Europe/Istanbul")


@pytest.fixture
def ahmet(hotel_a):
    return GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")


def days_ago(days):
    return timezone.now() - dt.timedelta(days=days)


def record(guest, **kwargs):
    """A consent as the call center takes it, unless the test says otherwise."""
    kwargs.setdefault("type", ConsentType.ARAMA)
    kwargs.setdefault("status", ConsentStatus.ONAY)
    kwargs.setdefault("source", ConsentSource.HS_CAGRI_MERKEZI)
    kwargs.setdefault("recipient", EMAIL if kwargs["type"] == ConsentType.EPOSTA else PHONE)
    return consent_record(guest=guest, **kwargs)


# --- recording and the current state ------------------------------------------------


def test_it_records_a_consent_and_shows_it_as_the_current_state(ahmet, alice):
    said_at = days_ago(1)

    saved = consent_record(
        guest=ahmet,
        type=ConsentType.MESAJ,
        status=ConsentStatus.ONAY,
        source=ConsentSource.HS_CAGRI_MERKEZI,
        recipient="0532 123 45 67",
        consent_date=said_at,
        recorded_by=alice,
        note=" Asked for WhatsApp offers ",
    )

    saved.refresh_from_db()
    assert saved.guest == ahmet
    assert saved.recipient == PHONE
    assert saved.recipient_type == RecipientType.BIREYSEL
    assert saved.consent_date == said_at
    assert saved.recorded_by == alice
    assert saved.recorded_at is not None
    assert saved.iys_synced_at is None
    assert saved.note == "Asked for WhatsApp offers"

    state = consent_state_for_guest(ahmet)
    assert state.message.status == ConsentStatus.ONAY
    assert state.message.allowed
    assert state.message.since == said_at
    assert state.message.source == ConsentSource.HS_CAGRI_MERKEZI
    assert state.message.recipient == PHONE
    # Consent to messages says nothing about calls or e-mail.
    assert state.call.status is None
    assert state.email.status is None


def test_it_takes_a_refusal_after_an_approval_into_effect_at_once(ahmet):
    record(ahmet, status=ConsentStatus.ONAY, consent_date=days_ago(30))
    assert consent_state_for_guest(ahmet).call.allowed

    record(ahmet, status=ConsentStatus.RET)

    call = consent_state_for_guest(ahmet).call
    assert call.status == ConsentStatus.RET
    assert call.refused
    assert not call.allowed
    assert ConsentRecord.objects.filter(guest=ahmet).count() == 2  # the approval stays on file


def test_it_keeps_the_newest_by_consent_date_even_when_recorded_out_of_order(ahmet):
    refused_yesterday = days_ago(1)
    record(ahmet, status=ConsentStatus.RET, consent_date=refused_yesterday)
    # A paper form from last week is typed in afterwards: it is history, not news.
    record(
        ahmet,
        status=ConsentStatus.ONAY,
        source=ConsentSource.HS_ISLAK_IMZA,
        consent_date=days_ago(7),
    )

    call = consent_state_for_guest(ahmet).call
    assert call.status == ConsentStatus.RET
    assert call.since == refused_yesterday


def test_it_lets_the_later_recording_win_when_consent_dates_are_equal(ahmet):
    said_at = days_ago(2)
    record(ahmet, status=ConsentStatus.ONAY, consent_date=said_at)
    record(ahmet, status=ConsentStatus.RET, consent_date=said_at)

    assert consent_state_for_guest(ahmet).call.status == ConsentStatus.RET


def test_it_shows_a_channel_never_asked_as_unknown(ahmet):
    record(ahmet, type=ConsentType.EPOSTA, status=ConsentStatus.RET)

    state = consent_state_for_guest(ahmet)

    assert state.call.status is None
    assert state.call.since is None
    assert state.call.source is None
    assert state.call.recipient is None
    assert not state.call.allowed
    assert not state.call.refused
    assert state.email.refused


def test_it_labels_each_channel_for_the_card(ahmet):
    record(ahmet, type=ConsentType.ARAMA, status=ConsentStatus.ONAY)
    record(ahmet, type=ConsentType.MESAJ, status=ConsentStatus.RET)

    state = consent_state_for_guest(ahmet)

    with translation.override("en"):
        assert [str(entry.label) for entry in state] == ["Allowed", "Refused", "Never asked"]
        assert [str(label) for label, _entry in state.channels] == [
            "Call",
            "Message (SMS, WhatsApp)",
            "E-mail",
        ]
        assert str(state.call.source_label) == "Call center"
    assert state.email.source_label is None
    assert state.for_type(ConsentType.MESAJ) == state.message


def test_it_keeps_each_guests_consent_apart(hotel_a, ahmet):
    other = GuestFactory(property=hotel_a)
    record(other, status=ConsentStatus.RET)
    record(ahmet, status=ConsentStatus.ONAY, consent_date=days_ago(3))

    assert consent_state_for_guest(ahmet).call.allowed
    assert consent_state_for_guest(other).call.refused


def test_it_reads_the_state_of_a_guest_in_one_query(ahmet, django_assert_num_queries):
    for type in ConsentType.values:
        record(ahmet, type=type, status=ConsentStatus.ONAY, consent_date=days_ago(5))
        record(ahmet, type=type, status=ConsentStatus.RET, consent_date=days_ago(1))

    with django_assert_num_queries(1):
        state = consent_state_for_guest(ahmet)
        statuses = [(entry.status, entry.since, entry.recipient) for entry in state]

    assert [status for status, _since, _recipient in statuses] == [ConsentStatus.RET] * 3


@pytest.mark.parametrize("guests", [2, 12])
def test_it_reads_the_states_of_many_guests_in_one_query(
    hotel_a, django_assert_num_queries, guests
):
    page = GuestFactory.create_batch(guests, property=hotel_a)
    for guest in page[1:]:
        record(guest, status=ConsentStatus.ONAY, consent_date=days_ago(4))
        record(guest, status=ConsentStatus.RET, consent_date=days_ago(2))
        record(guest, type=ConsentType.EPOSTA, status=ConsentStatus.ONAY)
    not_on_the_page = GuestFactory(property=hotel_a)
    record(not_on_the_page, status=ConsentStatus.ONAY)

    with django_assert_num_queries(1):
        states = consent_states_for_guests(guest.pk for guest in page)
        seen = {pk: [entry.status for entry in state] for pk, state in states.items()}

    never_asked, *asked = page
    assert seen[never_asked.pk] == [None, None, None]
    assert all(seen[guest.pk] == ["RET", None, "ONAY"] for guest in asked)
    assert set(seen) == {guest.pk for guest in page}


def test_it_reads_no_states_for_no_guests(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert consent_states_for_guests([]) == {}


def test_it_lists_the_history_newest_first(ahmet, alice):
    oldest = record(ahmet, consent_date=days_ago(9), recorded_by=alice)
    newest = record(ahmet, status=ConsentStatus.RET, consent_date=days_ago(1))
    middle = record(ahmet, type=ConsentType.EPOSTA, consent_date=days_ago(5))

    assert list(consent_history_for_guest(ahmet)) == [newest, middle, oldest]


# --- what a consent may be recorded for ---------------------------------------------


def test_it_normalizes_a_phone_recipient_to_e164(ahmet):
    saved = record(ahmet, type=ConsentType.ARAMA, recipient="0532 123 45 67")

    assert saved.recipient == "+905321234567"


def test_it_lowercases_an_email_recipient(ahmet):
    saved = record(ahmet, type=ConsentType.EPOSTA, recipient=" Ahmet.Yilmaz@Example.COM ")

    assert saved.recipient == EMAIL


@pytest.mark.parametrize("type", [ConsentType.ARAMA, ConsentType.MESAJ])
def test_it_refuses_an_email_address_for_calls_and_messages(ahmet, type):
    with pytest.raises(ValidationError) as error:
        record(ahmet, type=type, recipient=EMAIL)

    assert "recipient" in error.value.message_dict
    assert EMAIL in error.value.message_dict["recipient"][0]
    assert not ConsentRecord.objects.exists()


def test_it_refuses_a_phone_number_for_email(ahmet):
    with pytest.raises(ValidationError) as error:
        record(ahmet, type=ConsentType.EPOSTA, recipient="0532 123 45 67")

    assert "recipient" in error.value.message_dict
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("not_a_phone", ["201", "RES123456", "0532 123", ""])
def test_it_refuses_a_phone_that_is_not_one(ahmet, not_a_phone):
    with pytest.raises(ValidationError) as error:
        record(ahmet, type=ConsentType.ARAMA, recipient=not_a_phone)

    assert "recipient" in error.value.message_dict
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "WHATSAPP"),
        ("status", "YES"),
        ("source", "HS_TELEFON"),
        ("recipient_type", "KURUMSAL"),
    ],
)
def test_it_refuses_what_iys_does_not_know(ahmet, field, value):
    with pytest.raises(ValidationError) as error:
        record(ahmet, **{field: value})

    assert field in error.value.message_dict
    assert not ConsentRecord.objects.exists()


def test_it_takes_our_own_decision_only_as_a_refusal(ahmet):
    with pytest.raises(ValidationError) as error:
        record(ahmet, status=ConsentStatus.ONAY, source=ConsentSource.HS_KARAR)
    assert "source" in error.value.message_dict

    record(ahmet, status=ConsentStatus.RET, source=ConsentSource.HS_KARAR)
    assert consent_state_for_guest(ahmet).call.refused


def test_it_refuses_a_consent_date_in_the_future(ahmet):
    with pytest.raises(ValidationError) as error:
        record(ahmet, consent_date=timezone.now() + dt.timedelta(minutes=5))

    assert "consent_date" in error.value.message_dict


def test_it_refuses_a_consent_date_before_iys_began(ahmet):
    with pytest.raises(ValidationError) as error:
        record(ahmet, consent_date=dt.datetime(2015, 4, 30, 23, 59, 59, tzinfo=ISTANBUL))
    assert "consent_date" in error.value.message_dict

    # Midnight of 1 May 2015 in Turkey is the earliest date İYS takes (HS_2015).
    saved = record(
        ahmet, source=ConsentSource.HS_2015, consent_date=dt.datetime(2015, 5, 1, tzinfo=ISTANBUL)
    )
    assert saved.iys_consent_date == "2015-05-01 00:00:00"


def test_it_refuses_a_consent_date_without_a_time_zone(ahmet):
    with pytest.raises(ValueError, match="aware"):
        record(ahmet, consent_date=dt.datetime(2025, 7, 1, 12, 0))


# --- İYS -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said_at", "in_iys"),
    [
        (dt.datetime(2025, 7, 1, 9, 30, 5, tzinfo=UTC), "2025-07-01 12:30:05"),
        # Turkey is UTC+3 all year: late on New Year's Eve in UTC is already next year.
        (dt.datetime(2025, 12, 31, 22, 15, tzinfo=UTC), "2026-01-01 01:15:00"),
    ],
)
def test_it_formats_the_consent_date_for_iys_in_istanbul_time(ahmet, settings, said_at, in_iys):
    settings.TIME_ZONE = "Europe/Berlin"  # the server's zone must not matter

    saved = record(ahmet, consent_date=said_at)
    saved.refresh_from_db()

    assert saved.iys_consent_date == in_iys


def test_it_describes_a_record_the_way_iys_takes_it(ahmet):
    saved = record(
        ahmet,
        type=ConsentType.EPOSTA,
        status=ConsentStatus.RET,
        source=ConsentSource.HS_WEB,
        recipient="Ahmet.Yilmaz@Example.com",
        recipient_type=RecipientType.TACIR,
        consent_date=dt.datetime(2025, 3, 1, 7, 0, tzinfo=UTC),
    )

    assert saved.iys_payload == {
        "recipient": EMAIL,
        "recipientType": "TACIR",
        "type": "EPOSTA",
        "source": "HS_WEB",
        "status": "RET",
        "consentDate": "2025-03-01 10:00:00",
    }


# --- append-only -------------------------------------------------------------------


def test_it_refuses_to_update_a_consent_record(ahmet):
    saved = record(ahmet, status=ConsentStatus.ONAY)
    loaded = ConsentRecord.objects.get(pk=saved.pk)
    loaded.status = ConsentStatus.RET

    with pytest.raises(AppendOnlyError):
        loaded.save()
    with pytest.raises(AppendOnlyError):
        loaded.save(update_fields=["status"])

    assert ConsentRecord.objects.get(pk=saved.pk).status == ConsentStatus.ONAY


def test_it_refuses_to_overwrite_a_record_with_a_new_one_carrying_its_pk(ahmet):
    saved = record(ahmet, status=ConsentStatus.ONAY)
    impostor = ConsentRecord(
        pk=saved.pk,
        guest=ahmet,
        type=ConsentType.ARAMA,
        status=ConsentStatus.RET,
        source=ConsentSource.HS_CAGRI_MERKEZI,
        recipient=PHONE,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()

    assert ConsentRecord.objects.get(pk=saved.pk).status == ConsentStatus.ONAY


def test_it_refuses_to_rewrite_consent_records_in_bulk(ahmet):
    saved = record(ahmet, status=ConsentStatus.ONAY)
    saved_too = record(ahmet, type=ConsentType.MESAJ, status=ConsentStatus.ONAY)

    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(guest=ahmet).update(status=ConsentStatus.RET)
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.bulk_update([saved, saved_too], ["note"])

    assert set(ConsentRecord.objects.values_list("status", flat=True)) == {ConsentStatus.ONAY}


def test_it_marks_records_as_sent_to_iys(ahmet):
    saved = record(ahmet)
    sent_at = timezone.now()

    ConsentRecord.objects.filter(pk=saved.pk).update(iys_synced_at=sent_at)

    assert ConsentRecord.objects.get(pk=saved.pk).iys_synced_at == sent_at


def test_it_refuses_to_delete_a_consent_record(ahmet):
    saved = record(ahmet, status=ConsentStatus.RET)

    with pytest.raises(AppendOnlyError):
        saved.delete()

    assert ConsentRecord.objects.filter(pk=saved.pk).exists()
    assert consent_state_for_guest(ahmet).call.refused


def test_it_refuses_to_delete_a_guest_with_consent_history(ahmet):
    record(ahmet)
    record(ahmet, type=ConsentType.EPOSTA)

    with pytest.raises(ProtectedError):
        ahmet.delete()

    assert ConsentRecord.objects.filter(guest=ahmet).count() == 2


def test_it_refuses_to_delete_a_guest_with_explicit_consent_to_keep_their_needs(ahmet, alice):
    explicit_consent_record(guest=ahmet, by=alice, given=True, method=ConsentMethod.ON_CALL)

    with pytest.raises(ProtectedError):
        ahmet.delete()

    assert ExplicitConsent.objects.filter(guest=ahmet).exists()


def test_an_erasure_keeps_the_consent_history_it_cannot_delete(ahmet, alice):
    record(ahmet, status=ConsentStatus.RET)
    explicit_consent_record(guest=ahmet, by=alice, given=True, method=ConsentMethod.WRITTEN)

    guest_anonymize(guest=ahmet)

    kept = ConsentRecord.objects.get(guest=ahmet)
    assert kept.status == ConsentStatus.RET and kept.recipient == recipient_pseudonym(PHONE)
    assert ExplicitConsent.objects.filter(guest=ahmet).exists()


# --- admin ---------------------------------------------------------------------------

ADD_URL = reverse("admin:consent_consentrecord_add")
LIST_URL = reverse("admin:consent_consentrecord_changelist")


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def admin_form(guest, **overrides):
    said_at = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "guest": guest.pk,
        "type": ConsentType.ARAMA,
        "status": ConsentStatus.ONAY,
        "source": ConsentSource.HS_CAGRI_MERKEZI,
        "recipient": "0532 123 45 67",
        "recipient_type": RecipientType.BIREYSEL,
        "consent_date_0": said_at.strftime("%Y-%m-%d"),
        "consent_date_1": said_at.strftime("%H:%M:%S"),
        "note": "",
    }
    return data | overrides


def test_it_adds_a_consent_through_the_admin_as_the_service_would(client_of, root, ahmet):
    response = client_of(root).post(ADD_URL, admin_form(ahmet))

    assert response.status_code == 302
    saved = ConsentRecord.objects.get()
    assert saved.recipient == PHONE
    assert saved.recorded_by == root
    assert consent_state_for_guest(ahmet).call.allowed


def test_it_shows_an_email_given_for_calls_as_an_admin_form_error(client_of, root, ahmet):
    response = client_of(root).post(ADD_URL, admin_form(ahmet, recipient=EMAIL))

    assert response.status_code == 200
    assert "recipient" in response.context["adminform"].form.errors
    assert not ConsentRecord.objects.exists()


def test_it_shows_a_consent_in_the_admin_but_refuses_to_change_or_delete_it(client_of, root, ahmet):
    saved = record(ahmet, status=ConsentStatus.ONAY)
    client = client_of(root)
    change_url = reverse("admin:consent_consentrecord_change", args=[saved.pk])

    assert client.get(change_url).status_code == 200
    response = client.post(change_url, admin_form(ahmet, status=ConsentStatus.RET))
    assert response.status_code == 403
    delete_url = reverse("admin:consent_consentrecord_delete", args=[saved.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403

    assert ConsentRecord.objects.get().status == ConsentStatus.ONAY


def test_it_finds_a_consent_in_the_admin_by_a_phone_as_typed(client_of, root, hotel_a, ahmet):
    record(ahmet, recipient=PHONE)
    record(GuestFactory(property=hotel_a), recipient="0532 765 43 21")

    response = client_of(root).get(LIST_URL, {"q": "0532 123 45 67"})

    assert [r.recipient for r in response.context["cl"].result_list] == [PHONE]


def test_it_hides_hotel_a_consents_from_admin_staff_of_hotel_b(client_of, bob, hotel_b, ahmet):
    bob.is_staff = True
    bob.save(update_fields=["is_staff"])
    bob.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="consent",
            codename__in=["view_consentrecord", "add_consentrecord"],
        )
    )
    record(ahmet, recipient=PHONE)
    record(GuestFactory(property=hotel_b), recipient="0532 765 43 21")
    client = client_of(bob)

    response = client.get(LIST_URL)
    assert [r.recipient for r in response.context["cl"].result_list] == ["+905327654321"]

    response = client.post(ADD_URL, admin_form(ahmet))
    assert "guest" in response.context["adminform"].form.errors
    assert ConsentRecord.objects.count() == 2
