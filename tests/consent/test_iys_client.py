"""The İYS client, with İYS replaced at the HTTP boundary by respx answering
the recorded bodies in iys_payloads/ (shapes from İYS's OpenAPI spec; see
the consent.iys docstring). No database."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import httpx
import pytest
import respx

from consent import iys
from consent.iys import IysClient, IysError, IysSettings

PAYLOADS = Path(__file__).parent / "iys_payloads"
BASE = iys.SANDBOX_URL
BRAND = "/sps/700123/brands/700124"
ISTANBUL = dt.timezone(dt.timedelta(hours=3))

# Two consents as ConsentRecord.iys_payload writes them: Ayşe allowed text
# messages on the phone and refused e-mail, both at the call center.
AYSE_SMS = {
    "recipient": "+905321234567",
    "recipientType": "BIREYSEL",
    "type": "MESAJ",
    "source": "HS_CAGRI_MERKEZI",
    "status": "ONAY",
    "consentDate": "2026-03-02 14:05:00",
}
AYSE_EMAIL = {
    "recipient": "ayse@example.com.tr",
    "recipientType": "BIREYSEL",
    "type": "EPOSTA",
    "source": "HS_CAGRI_MERKEZI",
    "status": "RET",
    "consentDate": "2026-03-02 14:06:10",
}


def payload(name: str):
    return json.loads((PAYLOADS / name).read_text())


def token(number: int) -> dict:
    """The recorded token answer, numbered so that tests can tell them apart."""
    answer = payload("token.json")
    answer["access_token"] = f"access-{number}"
    answer["refresh_token"] = f"refresh-{number}"
    return answer


def answer(status: int, name: str | None = None) -> httpx.Response:
    return httpx.Response(status, json=payload(name)) if name else httpx.Response(status)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def config():
    return IysSettings(
        base_url=BASE,
        username="cagri-merkezi@akdenizresorts.com.tr",
        password="s3cret",
        iys_code="700123",
        brand_code="700124",
    )


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/oauth2/token", name="token").mock(
            side_effect=[httpx.Response(200, json=token(n)) for n in range(1, 6)]
        )
        yield router


@pytest.fixture
def client(api, config, clock):
    with IysClient(config, clock=clock) as c:
        yield c


def sent_json(call) -> object:
    return json.loads(call.request.content)


# --- tokens ---------------------------------------------------------------


def test_it_logs_in_once_and_reuses_the_token(api, client):
    route = api.post(f"{BRAND}/consents/request").mock(
        return_value=answer(202, "submit_accepted.json")
    )

    client.submit_consents([AYSE_SMS])
    client.submit_consents([AYSE_EMAIL])

    assert api["token"].call_count == 1
    assert sent_json(api["token"].calls[0]) == {
        "grant_type": "password",
        "username": "cagri-merkezi@akdenizresorts.com.tr",
        "password": "s3cret",
    }
    assert [c.request.headers["Authorization"] for c in route.calls] == [
        "Bearer access-1",
        "Bearer access-1",
    ]


def test_a_401_triggers_one_relogin_and_the_call_is_sent_again(api, client):
    route = api.post(f"{BRAND}/consents/request").mock(
        side_effect=[answer(401, "error_401.json"), answer(202, "submit_accepted.json")]
    )

    assert client.submit_consents([AYSE_SMS]) == "5980a44b06f333c25b1ah61bkceb95fa"

    assert api["token"].call_count == 2
    assert sent_json(api["token"].calls[1])["grant_type"] == "password"
    assert route.calls[1].request.headers["Authorization"] == "Bearer access-2"


def test_a_second_401_is_not_retried_again(api, client):
    api.post(f"{BRAND}/consents/request").mock(return_value=answer(401, "error_401.json"))

    with pytest.raises(IysError) as raised:
        client.submit_consents([AYSE_SMS])

    assert api["token"].call_count == 2
    assert raised.value.status_code == 401
    assert raised.value.retry is False
    assert raised.value.codes == ["H351"]


def test_an_expired_token_is_renewed_with_the_refresh_token(api, client, clock):
    route = api.get(f"{BRAND}/consents/changes").mock(return_value=answer(204))
    client.pull_changes(None)

    clock.now += 7200  # expires_in of the recorded token
    client.pull_changes(None)

    assert sent_json(api["token"].calls[1]) == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
    }
    assert route.calls[1].request.headers["Authorization"] == "Bearer access-2"


def test_it_renews_a_little_before_the_token_expires(api, client, clock):
    api.get(f"{BRAND}/consents/changes").mock(return_value=answer(204))
    client.pull_changes(None)

    clock.now += 7200 - 61
    client.pull_changes(None)
    assert api["token"].call_count == 1

    clock.now += 2
    client.pull_changes(None)
    assert api["token"].call_count == 2


def test_it_logs_in_again_when_the_refresh_token_has_expired_too(api, client, clock):
    api.get(f"{BRAND}/consents/changes").mock(return_value=answer(204))
    client.pull_changes(None)

    clock.now += 14400  # refresh_expires_in
    client.pull_changes(None)

    assert sent_json(api["token"].calls[1])["grant_type"] == "password"


def test_a_refused_refresh_falls_back_to_logging_in(api, client, clock):
    api["token"].mock(
        side_effect=[
            httpx.Response(200, json=token(1)),
            answer(400, "token_invalid_credentials.json"),
            httpx.Response(200, json=token(3)),
        ]
    )
    route = api.get(f"{BRAND}/consents/changes").mock(return_value=answer(204))
    client.pull_changes(None)

    clock.now += 7200
    client.pull_changes(None)

    grants = [sent_json(c)["grant_type"] for c in api["token"].calls]
    assert grants == ["password", "refresh_token", "password"]
    assert route.calls[1].request.headers["Authorization"] == "Bearer access-3"


def test_wrong_credentials_are_not_retried(api, client):
    api["token"].mock(return_value=answer(400, "token_invalid_credentials.json"))
    api.get(f"{BRAND}/consents/changes").mock(return_value=answer(204))

    with pytest.raises(IysError) as raised:
        client.pull_changes(None)

    assert raised.value.retry is False
    assert raised.value.errors == [
        {"code": "invalid_request", "message": "Kullanıcı kimlik bilgileri geçersiz."}
    ]


# --- sending consents -----------------------------------------------------


def test_the_async_submit_posts_the_documented_body(api, client):
    route = api.post(f"{BRAND}/consents/request").mock(
        return_value=answer(202, "submit_accepted.json")
    )

    request_id = client.submit_consents([AYSE_SMS, AYSE_EMAIL])

    assert request_id == "5980a44b06f333c25b1ah61bkceb95fa"
    request = route.calls.last.request
    assert str(request.url) == f"{BASE}/sps/700123/brands/700124/consents/request"
    assert request.headers["Content-Type"] == "application/json"
    assert sent_json(route.calls.last) == [AYSE_SMS, AYSE_EMAIL]


def test_it_sends_up_to_1000_consents_and_refuses_more_before_calling_iys(api, client):
    route = api.post(f"{BRAND}/consents/request").mock(
        return_value=answer(202, "submit_accepted.json")
    )
    batch = [AYSE_SMS | {"recipient": f"+90532{n:07d}"} for n in range(1001)]

    with pytest.raises(ValueError, match="at most 1000"):
        client.submit_consents(batch)
    assert not route.called

    client.submit_consents(batch[:1000])
    assert len(sent_json(route.calls.last)) == 1000


def test_it_refuses_an_empty_request(api, client):
    with pytest.raises(ValueError):
        client.submit_consents([])
    assert not api["token"].called


def test_it_refuses_one_recipient_twice_on_a_channel_in_one_request(api, client):
    changed_mind = AYSE_SMS | {"status": "RET", "consentDate": "2026-03-02 15:00:00"}

    with pytest.raises(ValueError, match="H194"):
        client.submit_consents([AYSE_SMS, changed_mind])
    assert not api["token"].called


def test_a_refused_request_carries_the_errors_and_is_not_retried(api, client):
    api.post(f"{BRAND}/consents/request").mock(return_value=answer(422, "error_422_batch.json"))

    with pytest.raises(IysError) as raised:
        client.submit_consents([AYSE_SMS, AYSE_EMAIL])

    error = raised.value
    assert error.retry is False
    assert error.status_code == 422
    assert error.codes == ["H121", "H467"]
    assert error.errors[1] == {
        "index": 1,
        "code": "H467",
        "location": ["consentDate"],
        "message": "Üç iş günü öncesinde alınan izinler kaydedilemez.",
        "value": "2026-02-20 10:00:00",
    }


def test_an_error_code_under_the_misspelt_key_is_read(api, client):
    api.post(f"{BRAND}/consents/request").mock(return_value=answer(403, "error_403_brand.json"))

    with pytest.raises(IysError) as raised:
        client.submit_consents([AYSE_SMS])

    assert raised.value.codes == ["H353"]
    assert raised.value.retry is False


@pytest.mark.parametrize(
    ("status", "body"), [(500, "error_500.json"), (503, None), (429, "error_429.json")]
)
def test_server_errors_and_rate_limits_may_be_retried(api, client, status, body):
    api.post(f"{BRAND}/consents/request").mock(return_value=answer(status, body))

    with pytest.raises(IysError) as raised:
        client.submit_consents([AYSE_SMS])

    assert raised.value.retry is True
    assert raised.value.status_code == status


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.ConnectError])
def test_timeouts_and_connection_errors_may_be_retried(api, client, failure):
    api.post(f"{BRAND}/consents/request").mock(side_effect=failure("no answer"))

    with pytest.raises(IysError) as raised:
        client.submit_consents([AYSE_SMS])

    assert raised.value.retry is True
    assert raised.value.status_code is None


def test_a_timeout_while_logging_in_may_be_retried(api, client):
    api["token"].mock(side_effect=httpx.ConnectTimeout("no answer"))

    with pytest.raises(IysError) as raised:
        client.pull_changes(None)

    assert raised.value.retry is True


# --- polling a request ----------------------------------------------------


def test_the_status_poll_maps_success_and_failure(api, client):
    route = api.get(f"{BRAND}/consents/request/5980a44b06f333c25b1ah61bkceb95fa").mock(
        return_value=answer(200, "request_status_done.json")
    )

    result = client.request_status(
        "5980a44b06f333c25b1ah61bkceb95fa", submitted=[AYSE_SMS, AYSE_EMAIL]
    )

    assert route.called
    assert result.done is True
    sms, email = result.items  # in the order sent, whatever İYS's order
    assert (sms.index, sms.recipient, sms.type, sms.status) == (0, "+905321234567", "MESAJ", "ONAY")
    assert sms.ok is True
    assert sms.transaction_id.startswith("432cc155")
    assert sms.creation_date == dt.datetime(2026, 3, 2, 14, 25, 47, tzinfo=ISTANBUL)
    assert (email.index, email.recipient, email.type, email.status) == (
        1,
        "ayse@example.com.tr",
        "EPOSTA",
        "RET",
    )
    assert email.ok is False
    assert email.error_code == "H175"
    assert "RET" in email.error_message
    assert email.transaction_id == ""


def test_without_the_submitted_consents_the_results_still_say_which_failed(api, client):
    api.get(f"{BRAND}/consents/request/5980a44b06f333c25b1ah61bkceb95fa").mock(
        return_value=answer(200, "request_status_done.json")
    )

    result = client.request_status("5980a44b06f333c25b1ah61bkceb95fa")

    assert result.done is True
    assert [(r.index, r.ok, r.error_code, r.recipient) for r in result.items] == [
        (0, True, "", ""),
        (1, False, "H175", ""),
    ]


def test_queued_consents_mean_the_request_is_still_processing(api, client):
    api.get(f"{BRAND}/consents/request/5980a44b06f333c25b1ah61bkceb95fa").mock(
        return_value=answer(200, "request_status_processing.json")
    )

    result = client.request_status("5980a44b06f333c25b1ah61bkceb95fa")

    assert result.done is False
    assert [r.pending for r in result.items] == [True, True]
    assert result.items[0].sub_request_id == "3e141ad8-cdd5-49f2-a4b9-28ed76bc9677"


def test_an_empty_answer_means_not_processed_yet_not_failed(api, client):
    api.get(f"{BRAND}/consents/request/5980a44b06f333c25b1ah61bkceb95fa").mock(
        return_value=httpx.Response(200, json=[])
    )

    result = client.request_status("5980a44b06f333c25b1ah61bkceb95fa", submitted=[AYSE_SMS])

    assert result.done is False
    assert result.items == []


def test_a_partial_answer_is_not_done(api, client):
    only_first = [i for i in payload("request_status_done.json") if i["index"] == 0]
    api.get(f"{BRAND}/consents/request/5980a44b06f333c25b1ah61bkceb95fa").mock(
        return_value=httpx.Response(200, json=only_first)
    )

    result = client.request_status(
        "5980a44b06f333c25b1ah61bkceb95fa", submitted=[AYSE_SMS, AYSE_EMAIL]
    )

    assert result.done is False
    assert [r.ok for r in result.items] == [True]


def test_an_unknown_item_status_is_refused_rather_than_guessed(api, client):
    api.get(f"{BRAND}/consents/request/5980a44b06f333c25b1ah61bkceb95fa").mock(
        return_value=httpx.Response(200, json=[{"index": 0, "status": "partial"}])
    )

    with pytest.raises(IysError, match="partial") as raised:
        client.request_status("5980a44b06f333c25b1ah61bkceb95fa")
    assert raised.value.retry is False


# --- pulling changes ------------------------------------------------------


def test_pull_changes_parses_turkey_time_and_returns_the_next_cursor(api, client):
    route = api.get(f"{BRAND}/consents/changes").mock(return_value=answer(200, "changes_page.json"))

    page = client.pull_changes("1772400000_532cc155", limit=50)

    params = route.calls.last.request.url.params
    assert dict(params) == {"source": "IYS", "limit": "50", "after": "1772400000_532cc155"}
    assert page.after == payload("changes_page.json")["after"]
    allowed, refused = page.items
    assert (allowed.recipient, allowed.type, allowed.status, allowed.source) == (
        "+905321234567",
        "MESAJ",
        "ONAY",
        "IYS_KISAMESAJ",
    )
    assert (refused.recipient, refused.type, refused.status, refused.source) == (
        "ayse@example.com.tr",
        "EPOSTA",
        "RET",
        "IYS_MOBIL",
    )
    # 23:15 in Istanbul is 20:15 UTC the same day.
    assert refused.consent_date == dt.datetime(2026, 3, 2, 23, 15, 40, tzinfo=ISTANBUL)
    assert refused.consent_date.astimezone(dt.UTC) == dt.datetime(
        2026, 3, 2, 20, 15, 40, tzinfo=dt.UTC
    )
    assert refused.consent_date.tzinfo.key == "Europe/Istanbul"
    assert refused.creation_date == dt.datetime(2026, 3, 2, 23, 15, 41, tzinfo=ISTANBUL)
    assert refused.recipient_type == "BIREYSEL"
    assert refused.transaction_id.startswith("632cc155")


def test_the_first_pull_sends_no_cursor(api, client):
    route = api.get(f"{BRAND}/consents/changes").mock(return_value=answer(200, "changes_page.json"))

    client.pull_changes(None)

    assert "after" not in route.calls.last.request.url.params
    assert route.calls.last.request.url.params["limit"] == "100"


def test_our_own_changes_can_be_pulled_for_reconciliation(api, client):
    route = api.get(f"{BRAND}/consents/changes").mock(return_value=answer(204))

    client.pull_changes(None, source="HS")

    assert route.calls.last.request.url.params["source"] == "HS"


def test_nothing_new_keeps_the_cursor(api, client):
    api.get(f"{BRAND}/consents/changes").mock(return_value=answer(204))

    page = client.pull_changes("1772460617_632cc155")

    assert page.items == []
    assert page.after == "1772460617_632cc155"


def test_an_empty_list_keeps_the_cursor_too(api, client):
    api.get(f"{BRAND}/consents/changes").mock(return_value=httpx.Response(200, json={"list": []}))

    page = client.pull_changes("1772460617_632cc155")

    assert (page.items, page.after) == ([], "1772460617_632cc155")


@pytest.mark.parametrize("limit", [0, 1001])
def test_the_pull_limit_is_1_to_1000(api, client, limit):
    with pytest.raises(ValueError):
        client.pull_changes(None, limit=limit)


def test_the_guests_name_is_not_passed_on(api, client):
    api.get(f"{BRAND}/consents/changes").mock(return_value=answer(200, "changes_page.json"))

    allowed = client.pull_changes(None).items[0]

    assert "Ayşe Yılmaz" not in repr(allowed)


def test_a_change_without_a_status_is_refused_rather_than_skipped(api, client):
    broken = copy.deepcopy(payload("changes_page.json"))
    del broken["list"][1]["status"]
    api.get(f"{BRAND}/consents/changes").mock(return_value=httpx.Response(200, json=broken))

    with pytest.raises(IysError, match=r"list\[1\]\.status") as raised:
        client.pull_changes(None)
    assert raised.value.retry is False


def test_a_date_not_in_iys_format_is_refused(api, client):
    broken = copy.deepcopy(payload("changes_page.json"))
    broken["list"][0]["consentDate"] = "2026-03-01T09:50:02Z"
    api.get(f"{BRAND}/consents/changes").mock(return_value=httpx.Response(200, json=broken))

    with pytest.raises(IysError, match="consentDate"):
        client.pull_changes(None)


def test_a_merchant_consent_without_a_date_has_none(api, client):
    merchant = copy.deepcopy(payload("changes_page.json"))
    merchant["list"][0] |= {"recipientType": "TACIR", "consentDate": ""}
    api.get(f"{BRAND}/consents/changes").mock(return_value=httpx.Response(200, json=merchant))

    pulled = client.pull_changes(None).items[0]

    assert (pulled.recipient_type, pulled.consent_date) == ("TACIR", None)


# --- one recipient --------------------------------------------------------


def test_consent_status_asks_for_one_recipient_and_channel(api, client):
    route = api.post(f"{BRAND}/consents/status").mock(
        return_value=answer(200, "consent_status.json")
    )

    held = client.consent_status("+905321234567", "MESAJ")

    assert sent_json(route.calls.last) == {
        "recipient": "+905321234567",
        "recipientType": "BIREYSEL",
        "type": "MESAJ",
    }
    assert (held.status, held.source, held.type) == ("ONAY", "HS_CAGRI_MERKEZI", "MESAJ")
    assert held.consent_date == dt.datetime(2026, 3, 2, 14, 5, tzinfo=ISTANBUL)


@pytest.mark.parametrize(
    "not_found",
    [
        httpx.Response(404, json={"errors": [{"code": "H097", "message": "İzin bulunamadı."}]}),
        httpx.Response(204),
        httpx.Response(200, json={}),
    ],
)
def test_a_recipient_iys_does_not_know_is_none(api, client, not_found):
    api.post(f"{BRAND}/consents/status").mock(return_value=not_found)

    assert client.consent_status("+905329876543", "ARAMA") is None


def test_an_unknown_iys_number_is_an_error_not_a_missing_consent(api, client):
    api.post(f"{BRAND}/consents/status").mock(
        return_value=httpx.Response(
            404,
            json={"errors": [{"message": "Hizmet Sağlayıcı:700123 bulunamadı.", "code": "H001"}]},
        )
    )

    with pytest.raises(IysError) as raised:
        client.consent_status("+905321234567", "MESAJ")
    assert raised.value.retry is False


# --- settings -------------------------------------------------------------


def test_settings_are_read_from_django(settings):
    settings.IYS_BASE_URL = "https://api.iys.org.tr/"
    settings.IYS_USERNAME = "cagri-merkezi@akdenizresorts.com.tr"
    settings.IYS_PASSWORD = "s3cret"
    settings.IYS_CODE = 700123
    settings.IYS_BRAND_CODE = "700124"
    settings.IYS_TIMEOUT = 4

    config = IysSettings.from_django()

    assert config == IysSettings(
        base_url="https://api.iys.org.tr",
        username="cagri-merkezi@akdenizresorts.com.tr",
        password="s3cret",
        iys_code="700123",
        brand_code="700124",
        timeout=4.0,
    )
    assert config.enabled is True
    assert "s3cret" not in repr(config)


def test_without_a_base_url_the_sync_is_off(settings):
    settings.IYS_BASE_URL = ""

    config = IysSettings.from_django()

    assert config.enabled is False
    assert config.timeout == 10.0
    with pytest.raises(ValueError, match="disabled"):
        IysClient(config)


def test_it_reads_dates_in_the_zone_and_format_the_records_write():
    from consent import models

    assert iys.IYS_TIMEZONE == models.IYS_TIMEZONE
    assert iys.IYS_DATE_FORMAT == models.IYS_DATE_FORMAT
