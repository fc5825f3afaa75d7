"""The 3CX door: contact lookup, call journal, and the CRM template that
drives both (docs/3cx-crm-template.xml), played against the code so that
the two cannot drift apart.

- the Ahmet Yılmaz of hotel A calls on his mobile;
- the Demirs of hotel B share one family phone;
- Klaus Weber has a German number (a "+" that must survive a query string).
"""

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from guestview.cti import threecx, tokens, views
from guestview.models import (
    AgentProfile,
    Call,
    CallDirection,
    CallEvent,
    CallOutcome,
    ContactKind,
    Pbx,
    PbxKind,
    RejectedCallEvent,
)
from tests.factories import ContactPointFactory, GuestFactory

pytestmark = pytest.mark.django_db

LOOKUP_URL = reverse("cti:threecx_lookup")
REPORT_URL = reverse("cti:threecx_report")
TEMPLATE_PATH = Path(settings.BASE_DIR) / "docs" / "3cx-crm-template.xml"


@pytest.fixture
def pbx():
    return Pbx.objects.create(name="3CX Lara", kind=PbxKind.THREECX)


@pytest.fixture
def auth(pbx):
    return {tokens.TOKEN_HEADER: pbx.token}


@pytest.fixture
def ahmet(hotel_a):
    guest = GuestFactory(property=hotel_a, first_name="Ahmet", last_name="Yılmaz")
    ContactPointFactory(guest=guest, raw_value="0532 123 45 67")
    ContactPointFactory(guest=guest, email=True, raw_value="Ahmet.Yilmaz@Example.com")
    return guest


@pytest.fixture
def demirs(hotel_b):
    family = [
        GuestFactory(property=hotel_b, first_name=first, last_name="Demir")
        for first in ("Mehmet", "Ayşe")
    ]
    for guest in family:
        ContactPointFactory(guest=guest, raw_value="0533 765 43 21")
    ContactPointFactory(guest=family[1], email=True, raw_value="ayse@demir.example")
    return family


def lookup(client, number, headers):
    return client.get(LOOKUP_URL, {"number": number}, headers=headers)


def report_body(**changes):
    body = {
        "CallType": "Inbound",
        "Number": "00905321234567",
        "Agent": "201",
        "Duration": "00:01:15",
        "CallStartTimeUTC": "2026-07-01T14:03:22Z",
        "CallEndTimeUTC": "2026-07-01T14:04:52Z",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def report(client, body, headers):
    return client.post(
        REPORT_URL, json.dumps(body), content_type="application/json", headers=headers
    )


# --- lookup --------------------------------------------------------------------------------


def test_it_answers_a_known_caller_as_a_3cx_contact(client, auth, ahmet):
    response = lookup(client, "0532 123 45 67", auth)

    assert response.status_code == 200
    assert response.json() == {
        "contacts": [
            {
                "id": ahmet.pk,
                "firstName": "Ahmet",
                "lastName": "Yılmaz",
                "companyName": "Hotel A Lara",
                "phoneMobile": "+905321234567",
                "email": "ahmet.yilmaz@example.com",
                "contactUrl": f"http://testserver/guests/{ahmet.pk}/",
            }
        ]
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_answers_every_guest_on_a_family_phone(client, auth, demirs):
    response = lookup(client, "0533 765 43 21", auth)

    contacts = response.json()["contacts"]
    assert [(c["firstName"], c["lastName"]) for c in contacts] == [
        ("Ayşe", "Demir"),
        ("Mehmet", "Demir"),
    ]
    assert [c["email"] for c in contacts] == ["ayse@demir.example", ""]


def test_it_finds_a_guest_by_whatsapp_number(client, auth, hotel_a):
    guest = GuestFactory(property=hotel_a)
    ContactPointFactory(guest=guest, kind=ContactKind.WHATSAPP, raw_value="+90 532 999 88 77")

    contacts = lookup(client, "05329998877", auth).json()["contacts"]

    assert [c["id"] for c in contacts] == [guest.pk]


def test_it_shows_ten_guests_of_a_switchboard_number_at_most(client, auth, hotel_a):
    for _ in range(threecx.LOOKUP_LIMIT + 2):
        ContactPointFactory(guest=GuestFactory(property=hotel_a), raw_value="0242 710 10 00")

    contacts = lookup(client, "0242 710 10 00", auth).json()["contacts"]

    assert len(contacts) == threecx.LOOKUP_LIMIT


def test_it_answers_no_contact_for_an_unknown_number(client, auth, ahmet):
    response = lookup(client, "0532 000 00 00", auth)

    assert response.status_code == 200
    assert response.json() == {"contacts": []}


@pytest.mark.parametrize("not_a_phone", ["201", "RES123456", "anonymous", ""])
def test_it_answers_no_contact_for_what_is_not_a_phone(client, auth, ahmet, not_a_phone):
    response = lookup(client, not_a_phone, auth)

    assert response.status_code == 200
    assert response.json() == {"contacts": []}


@pytest.mark.parametrize(
    "number",
    ["0532 123 45 67", "+90 (532) 123-45-67", "00905321234567", "+905321234567", "5321234567"],
)
def test_it_finds_the_caller_in_every_number_format(client, auth, ahmet, number):
    contacts = lookup(client, number, auth).json()["contacts"]

    assert [c["id"] for c in contacts] == [ahmet.pk]


def test_it_reads_a_plus_that_reached_the_query_string_unencoded(client, auth, hotel_a):
    klaus = GuestFactory(property=hotel_a, first_name="Klaus", last_name="Weber")
    ContactPointFactory(guest=klaus, raw_value="+49 151 23456789")

    response = client.get(f"{LOOKUP_URL}?number=+4915123456789", headers=auth)

    assert [c["id"] for c in response.json()["contacts"]] == [klaus.pk]


def test_it_answers_a_family_phone_in_two_queries(client, auth, demirs, django_assert_num_queries):
    with django_assert_num_queries(2):  # the phone system, the guests with their e-mail
        response = lookup(client, "0533 765 43 21", auth)
    assert len(response.json()["contacts"]) == 2


def test_it_does_not_search_for_what_is_not_a_phone(client, auth, django_assert_num_queries):
    with django_assert_num_queries(1):  # the phone system only
        lookup(client, "201", auth)


def test_it_takes_the_token_from_the_query_string_too(client, pbx, ahmet):
    response = client.get(LOOKUP_URL, {"number": "05321234567", "token": pbx.token})

    assert [c["id"] for c in response.json()["contacts"]] == [ahmet.pk]


@pytest.mark.parametrize(
    "headers",
    [{}, {tokens.TOKEN_HEADER: ""}, {tokens.TOKEN_HEADER: "not-the-token"}],
    ids=["missing", "empty", "wrong"],
)
def test_it_refuses_a_lookup_without_the_right_token(client, pbx, ahmet, headers):
    response = lookup(client, "05321234567", headers)

    assert response.status_code == 401
    assert tokens.TOKEN_HEADER in response.json()["error"]


def test_it_refuses_the_token_of_an_inactive_phone_system(client, pbx, auth, ahmet):
    pbx.is_active = False
    pbx.save()

    assert lookup(client, "05321234567", auth).status_code == 401


def test_it_refuses_the_token_of_a_phone_system_that_is_not_a_3cx(client, ahmet):
    webhook_pbx = Pbx.objects.create(name="Asterisk Belek", kind=PbxKind.GENERIC)

    response = lookup(client, "05321234567", {tokens.TOKEN_HEADER: webhook_pbx.token})

    assert response.status_code == 401


def test_it_refuses_a_token_that_is_not_ascii(client, pbx, ahmet):
    response = client.get(LOOKUP_URL, {"number": "05321234567", "token": "çay-ğüşö"})

    assert response.status_code == 401


def test_it_rejects_a_post_to_the_lookup(client, auth):
    assert client.post(LOOKUP_URL, {"number": "05321234567"}, headers=auth).status_code == 405


def test_the_contact_url_opens_the_guest_for_a_signed_in_agent_only(
    client, client_of, alice, auth, ahmet
):
    contact_url = lookup(client, "05321234567", auth).json()["contacts"][0]["contactUrl"]
    path = contact_url.removeprefix("http://testserver")

    assert client_of(alice).get(path).status_code == 200
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


# --- report --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call_type", "direction", "outcome"),
    [
        ("Inbound", CallDirection.INBOUND, CallOutcome.COMPLETED),
        ("Missed", CallDirection.INBOUND, CallOutcome.MISSED),
        ("Outbound", CallDirection.OUTBOUND, CallOutcome.COMPLETED),
        ("Notanswered", CallDirection.OUTBOUND, CallOutcome.NOT_ANSWERED),
    ],
)
def test_it_journals_each_call_type(client, pbx, auth, alice, call_type, direction, outcome):
    response = report(client, report_body(CallType=call_type), auth)

    assert response.status_code == 200
    call = Call.objects.get()
    assert response.json() == {"call": call.pk, "duplicate": False}
    assert (call.pbx, call.direction, call.outcome) == (pbx, direction, outcome)
    # The guest's number: who called us, or whom we called.
    guest_side = (
        (call.called_raw, call.called)
        if direction == CallDirection.OUTBOUND
        else (call.caller_raw, call.caller)
    )
    assert guest_side == ("00905321234567", "+905321234567")
    assert call.agent == AgentProfile.objects.get(user=alice)
    assert call.rang_at == datetime(2026, 7, 1, 14, 3, 22, tzinfo=UTC)
    assert call.ended_at == datetime(2026, 7, 1, 14, 4, 52, tzinfo=UTC)
    assert call.duration_seconds == 75


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        ("00:01:15", 75),
        ("00:00:00", 0),
        ("1:02:03", 3723),
        ("1.00:00:05", 86405),
        ("00:01:15.4560000", 75),
        ("75", 75),
        (75, 75),
    ],
)
def test_it_reads_the_duration_as_3cx_writes_it(client, auth, duration, seconds):
    assert report(client, report_body(Duration=duration), auth).status_code == 200

    assert Call.objects.get().duration_seconds == seconds


def test_it_keeps_a_call_without_end_time_or_duration(client, auth):
    body = report_body(CallEndTimeUTC='[[CallEndTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")]')
    del body["Duration"]

    assert report(client, body, auth).status_code == 200

    call = Call.objects.get()
    assert (call.ended_at, call.duration_seconds) == (None, None)


def test_it_reads_a_start_time_without_zone_as_utc(client, auth):
    report(client, report_body(CallStartTimeUTC="2026-07-01 14:03:22", CallEndTimeUTC=None), auth)

    assert Call.objects.get().rang_at == datetime(2026, 7, 1, 14, 3, 22, tzinfo=UTC)


def test_it_journals_a_call_delivered_twice_once(client, auth):
    first = report(client, report_body(), auth)
    again = report(client, report_body(), auth)

    assert again.status_code == 200
    assert again.json() == {"call": first.json()["call"], "duplicate": True}
    assert Call.objects.count() == 1
    assert CallEvent.objects.count() == 1


def test_it_knows_the_same_call_in_another_number_format(client, auth):
    report(client, report_body(Number="00905321234567"), auth)
    again = report(client, report_body(Number="+90 532 123 45 67"), auth)

    assert again.json()["duplicate"] is True
    assert Call.objects.count() == 1


def test_it_journals_two_calls_a_second_apart_as_two(client, auth):
    report(client, report_body(), auth)
    report(client, report_body(CallStartTimeUTC="2026-07-01T14:03:23Z"), auth)

    assert Call.objects.count() == 2


def test_it_journals_the_same_second_on_another_extension_as_another_call(client, auth):
    report(client, report_body(), auth)
    report(client, report_body(Agent="202"), auth)

    assert Call.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"CallType": None}, "CallType"),
        ({"CallType": "Voicemail"}, "CallType"),
        ({"Number": ""}, "Number"),
        ({"Duration": "a while"}, "Duration"),
        ({"Duration": "99999:00:00"}, "Duration"),
        ({"CallStartTimeUTC": "07/01/2026 14:03:22"}, "CallStartTimeUTC"),
        ({"CallStartTimeUTC": "[[CallStartTimeUTC].ToString(...)]"}, "CallStartTimeUTC"),
        ({"CallStartTimeUTC": "0001-01-01T00:00:00+05:00"}, "CallStartTimeUTC"),
        ({"CallStartTimeUTC": "2026-02-30T10:00:00Z"}, "CallStartTimeUTC"),
        ({"CallEndTimeUTC": "2026-07-01T14:00:00Z"}, "CallEndTimeUTC"),
        ({"Agent": {"extension": "201"}}, "Agent"),
    ],
)
def test_it_rejects_a_report_it_cannot_read_and_keeps_it(client, pbx, auth, changes, field):
    body = report_body(**changes)

    response = report(client, body, auth)

    assert response.status_code == 400
    assert f"'{field}'" in response.json()["error"]
    rejected = RejectedCallEvent.objects.get()
    assert (rejected.pbx, rejected.door) == (pbx, "3cx-report")
    assert json.loads(rejected.body) == body
    assert rejected.error == response.json()["error"]
    assert not Call.objects.exists()
    assert not CallEvent.objects.exists()


@pytest.mark.parametrize("body", [b"CallType=Inbound&", b"[1, 2]", b"\xff\xfe"])
def test_it_rejects_a_body_that_is_not_a_json_object(client, auth, body):
    response = client.post(REPORT_URL, body, content_type="application/json", headers=auth)

    assert response.status_code == 400
    assert RejectedCallEvent.objects.get().door == "3cx-report"


def test_it_keeps_nothing_of_a_report_without_the_right_token(client, pbx):
    response = report(client, {"nonsense": True}, {tokens.TOKEN_HEADER: "not-the-token"})

    assert response.status_code == 401
    assert not RejectedCallEvent.objects.exists()
    assert not Call.objects.exists()


def test_it_takes_the_token_from_the_body_and_does_not_keep_it(client, pbx):
    response = report(client, report_body(token=pbx.token), headers={})

    assert response.status_code == 200
    assert "token" not in CallEvent.objects.get().payload
    bad = report(client, report_body(token=pbx.token, CallType="Voicemail"), headers={})
    assert bad.status_code == 400
    assert pbx.token not in RejectedCallEvent.objects.get().body


def test_it_takes_a_form_encoded_report(client, auth):
    response = client.post(
        REPORT_URL,
        urlencode(report_body(CallType="Missed")),
        content_type="application/x-www-form-urlencoded",
        headers=auth,
    )

    assert response.status_code == 200
    assert Call.objects.get().outcome == CallOutcome.MISSED


def test_it_rejects_a_get_to_the_report(client, auth):
    assert client.get(REPORT_URL, headers=auth).status_code == 405


# --- the template in docs/ -----------------------------------------------------------------

# The variables 3CX fills in a ReportCall, as the template may use them. The
# template playing below fails on any other one: 3CX would leave it unfilled.
JOURNAL_VARIABLES = {
    "CallType": "Outbound",
    "Number": "00905321234567",
    "Agent": "201",
    "Duration": "00:02:05",
    "CallStartTimeUTC": datetime(2026, 7, 1, 9, 15, 0),
    "CallEndTimeUTC": datetime(2026, 7, 1, 9, 17, 30),
}
_METHOD = re.compile(r'\[\[(\w+)\]\.ToString\("([^"]*)"\)\]')
_VARIABLE = re.compile(r"\[(\w+)\]")
_NET_DATE_FORMAT = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def evaluate(expression, variables):
    """What 3CX makes of ``[Var]`` and ``[[Var].ToString("…")]``."""

    def to_string(match):
        fmt = match.group(2)
        for net, python in _NET_DATE_FORMAT.items():
            fmt = fmt.replace(net, python)
        return variables[match.group(1)].strftime(fmt)

    text = _METHOD.sub(to_string, expression)
    return _VARIABLE.sub(lambda match: str(variables[match.group(1)]), text)


@pytest.fixture(scope="module")
def crm():
    return ET.parse(TEMPLATE_PATH).getroot()  # noqa: S314 - our own file


def scenario(crm, scenario_id):
    (found,) = [s for s in crm.iter("Scenario") if s.get("Id", "") == scenario_id]
    return found


def token_headers(crm_scenario, token):
    values = crm_scenario.findall("Request/Headers/Value")
    return {v.get("Key"): evaluate(v.text, {"Token": token}) for v in values}


def test_the_template_is_a_3cx_crm_template(crm):
    assert crm.tag == "Crm"
    assert {"Name", "Version", "Country"} <= set(crm.attrib)
    assert [child.tag for child in crm] == [
        "Number",
        "Connection",
        "Parameters",
        "Authentication",
        "Scenarios",
    ]
    parameters = {p.get("Name"): p.get("Type") for p in crm.iter("Parameter")}
    assert parameters == {"BaseUrl": "String", "Token": "String", "ReportCallEnabled": "Boolean"}
    assert {s.get("Id") for s in crm.iter("Scenario")} == {"", "ReportCall"}


def test_the_template_calls_the_paths_the_views_serve(crm):
    lookup_url = scenario(crm, "").find("Request").get("Url")
    report_url = scenario(crm, "ReportCall").find("Request").get("Url")

    assert lookup_url == f"[BaseUrl]{LOOKUP_URL}?number=[Number]"
    assert report_url == f"[BaseUrl]{REPORT_URL}"
    assert resolve(LOOKUP_URL).func is views.threecx_lookup
    assert resolve(REPORT_URL).func is views.threecx_report
    assert scenario(crm, "").find("Request").get("RequestType") == "Get"
    assert scenario(crm, "ReportCall").find("Request").get("RequestType") == "Post"
    assert scenario(crm, "ReportCall").find("Request").get("RequestEncoding") == "Json"


def test_the_template_sends_the_token_in_the_header_the_doors_read(crm):
    for scenario_id in ("", "ReportCall"):
        assert token_headers(scenario(crm, scenario_id), "t0k3n") == {tokens.TOKEN_HEADER: "t0k3n"}


def test_the_template_reads_exactly_the_fields_the_lookup_answers(crm):
    lookup_scenario = scenario(crm, "")
    paths = {v.get("Path") for v in lookup_scenario.iter("Variable")}
    names = {v.get("Name") for v in lookup_scenario.iter("Variable")}

    assert paths == {f"contacts.{field}" for field in threecx.CONTACT_FIELDS}
    assert {rule.text for rule in lookup_scenario.iter("Rule")} <= paths
    for output in lookup_scenario.iter("Output"):
        assert set(_VARIABLE.findall(output.get("Value"))) <= names, output.get("Type")


def test_the_template_reports_exactly_the_fields_the_door_reads(crm):
    values = scenario(crm, "ReportCall").findall("Request/PostValues/Value")

    assert [v.get("Key") for v in values] == list(threecx.REPORT_FIELDS)
    for value in values:  # each key carries the 3CX variable of its name
        assert re.search(rf"\[{value.get('Key')}\]", value.text)


def test_a_lookup_played_through_the_template_gives_3cx_the_guest(client, pbx, crm, ahmet):
    lookup_scenario = scenario(crm, "")
    url = evaluate(
        lookup_scenario.find("Request").get("Url"),
        {"BaseUrl": "http://testserver", "Number": "00905321234567"},
    )

    answer = client.get(url, headers=token_headers(lookup_scenario, pbx.token)).json()

    # What 3CX does with it: each contact that passes the rules becomes a
    # contact whose outputs are filled from the variables.
    (rule_path,) = [rule.text for rule in lookup_scenario.iter("Rule")]
    matches = [c for c in answer["contacts"] if c.get(rule_path.removeprefix("contacts."))]
    (contact,) = matches
    variables = {
        v.get("Name"): contact[v.get("Path").removeprefix("contacts.")]
        for v in lookup_scenario.iter("Variable")
    }
    outputs = {
        o.get("Type"): evaluate(o.get("Value"), variables) for o in lookup_scenario.iter("Output")
    }
    assert outputs == {
        "ContactUrl": f"http://testserver/guests/{ahmet.pk}/",
        "FirstName": "Ahmet",
        "LastName": "Yılmaz",
        "CompanyName": "Hotel A Lara",
        "PhoneMobile": "+905321234567",
        "Email": "ahmet.yilmaz@example.com",
        "EntityId": str(ahmet.pk),
        "EntityType": "Contacts",
    }


def test_a_report_played_through_the_template_journals_the_call(client, pbx, crm, alice):
    report_scenario = scenario(crm, "ReportCall")
    body = {
        v.get("Key"): evaluate(v.text, JOURNAL_VARIABLES)
        for v in report_scenario.findall("Request/PostValues/Value")
    }
    url = evaluate(report_scenario.find("Request").get("Url"), {"BaseUrl": ""})

    response = client.post(
        url,
        json.dumps(body),
        content_type="application/json",
        headers=token_headers(report_scenario, pbx.token),
    )

    assert response.status_code == 200, response.content
    call = Call.objects.get()
    assert (call.direction, call.outcome) == (CallDirection.OUTBOUND, CallOutcome.COMPLETED)
    assert call.called == "+905321234567"  # outbound: the number we called
    assert call.agent == AgentProfile.objects.get(user=alice)
    assert call.rang_at == datetime(2026, 7, 1, 9, 15, 0, tzinfo=UTC)
    assert call.ended_at == datetime(2026, 7, 1, 9, 17, 30, tzinfo=UTC)
    assert call.duration_seconds == 125
