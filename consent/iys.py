"""The İYS (İleti Yönetim Sistemi) API, at the HTTP boundary.

A thin client the İYS sync calls: it logs in, sends consents, polls for what
became of them, pulls the changes guests made on İYS itself, and asks for the
consent İYS holds for one recipient. No models and no database here; the sync
decides what to write.

Where each shape comes from (all public; the first is İYS's own spec):

- İYS API OpenAPI 3.2.0 (25/02/2026), copied in WeCanDoItAgency/IYS_Gateway_Api,
  ``openapi-v1.json``. Here is where the following come from:
  ``POST /oauth2/token`` (JSON ``grant_type=password`` with ``username`` and
  ``password``, or ``grant_type=refresh_token`` with ``refresh_token``, answers
  ``access_token, refresh_token, expires_in, refresh_expires_in, token_type``;
  at most 10 token requests an hour from one IP; refused log-ins answer 400
  ``{"error", "error_description"}``);
  ``POST /sps/{iysCode}/brands/{brandCode}/consents/request`` (a JSON array of
  consents, "Kabul edilebilecek izin sayısı 1000'dir", no (recipientType, type,
  recipient) twice in one list (H194), answers 202 ``{requestId, subRequests}``;
  poll no sooner than 300 s later);
  ``GET .../consents/request/{requestId}`` (a JSON array of
  ``{index, status: success|failure|enqueue, subRequestId, requestId,
  transactionId, creationDate, error: {code, message}}``; an empty array
  means "not processed yet", not "failed");
  ``POST .../consents/status`` (body ``{recipient, recipientType, type}``,
  answers the consent with ``consentDate, creationDate, source, transactionId``);
  ``GET .../consents/changes?after=&limit=&source=`` (``source`` IYS by default:
  changes guests made on İYS; HS: our own; ``limit`` at most 1000; answers
  ``{after, list}``, or 204 when there is nothing; the last hour and anything
  older than 7 days are never listed);
  errors as ``{"errors": [{"code": "H174", "message": ..., "location": [...],
  "value": ..., "index": 0}]}``; 401 is H351, 429 is H124.
- durmazmehmet/IYSRestruct, ``IYS.Proxy.API/Controllers/ConsentsController.cs``
  (the same paths, ``changes?source=&limit=&after=``) and
  ``IYS.Application/Services/IysIdentityService.cs`` (refresh first, log in
  again when the refresh fails).
- tarfin-labs/laravel-iys ``src/Consent.php``, inarli/iys-php-client
  ``src/Iys/ConsentManagement/ConsentManagement.php``, ozgur-yalcin/iys
  ``src/iys.go`` and mustafatokmak1881/iys-api ``index.js`` (the same paths
  and bodies; the production and sandbox hosts).

Not confirmed anywhere we could read, so chosen and said here:

- What ``consents/status`` answers for a recipient İYS does not know: the spec
  lists no 404 and no empty answer. We read 404, 204 and an empty body as
  "none", except a 404 naming our İYS number (H001), which is a
  configuration error.
- The time zone of ``creationDate``: the spec gives none; we read it as Turkey
  time, like ``consentDate``.
- The spec's own examples spell ``subRequestId`` and ``subrequestId``, and a
  few error bodies carry the key ``"code:"``; both are read.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import quote

import httpx
from django.conf import settings as django_settings

PRODUCTION_URL = "https://api.iys.org.tr"
SANDBOX_URL = "https://api.sandbox.iys.org.tr"

# One async request takes at most this many consents (H091 above it).
MAX_BATCH = 1000
# One pull lists at most this many changes.
MAX_CHANGES_LIMIT = 1000
# İYS asks not to poll a request sooner than this after sending it.
FIRST_POLL_AFTER = dt.timedelta(seconds=300)

# The same as consent.models.IYS_TIMEZONE and IYS_DATE_FORMAT (a test holds
# them equal); kept here so that this module imports no models.
IYS_TIMEZONE = zoneinfo.ZoneInfo("Europe/Istanbul")
IYS_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

_TYPES = frozenset({"ARAMA", "MESAJ", "EPOSTA"})
_STATUSES = frozenset({"ONAY", "RET"})
# A token is renewed this long before İYS says it expires, so that a call
# never leaves with a token that dies on the way.
_TOKEN_MARGIN_SECONDS = 60.0


@dataclass(frozen=True)
class IysSettings:
    base_url: str
    username: str
    password: str = field(repr=False)
    iys_code: str
    brand_code: str
    timeout: float = 10.0

    @classmethod
    def from_django(cls) -> IysSettings:
        """From ``settings.IYS_*``; an empty ``IYS_BASE_URL`` turns the sync off."""
        return cls(
            base_url=str(getattr(django_settings, "IYS_BASE_URL", "") or "").rstrip("/"),
            username=str(getattr(django_settings, "IYS_USERNAME", "") or ""),
            password=str(getattr(django_settings, "IYS_PASSWORD", "") or ""),
            iys_code=str(getattr(django_settings, "IYS_CODE", "") or ""),
            brand_code=str(getattr(django_settings, "IYS_BRAND_CODE", "") or ""),
            timeout=float(getattr(django_settings, "IYS_TIMEOUT", 10.0)),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.base_url)


class IysError(Exception):
    """İYS refused or could not be reached. ``retry`` says whether trying
    again later can help (timeouts, connection errors, 429, 5xx) or not
    (4xx); ``errors`` are İYS's own (``code``, ``message``, ``location``,
    ``value``, ``index``)."""

    def __init__(
        self,
        message: str,
        *,
        retry: bool,
        status_code: int | None = None,
        errors: list[dict] | None = None,
    ):
        super().__init__(message)
        self.retry = retry
        self.status_code = status_code
        self.errors = errors or []

    @property
    def codes(self) -> list[str]:
        return [str(e["code"]) for e in self.errors if e.get("code")]


class Outcome(StrEnum):
    """What İYS made of one consent of an async request."""

    SUCCESS = "success"
    FAILURE = "failure"
    ENQUEUE = "enqueue"  # still waiting in İYS's queue


@dataclass(frozen=True)
class ConsentResult:
    """One consent of an async request. İYS answers by position (``index``,
    from 0, in the order sent) and does not repeat the consent; recipient,
    type and status are the submitted ones when the poll was given them."""

    index: int | None
    outcome: str
    recipient: str = ""
    recipient_type: str = ""
    type: str = ""
    status: str = ""
    error_code: str = ""
    error_message: str = ""
    transaction_id: str = ""
    sub_request_id: str = ""
    creation_date: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.SUCCESS

    @property
    def pending(self) -> bool:
        return self.outcome == Outcome.ENQUEUE


@dataclass(frozen=True)
class RequestResult:
    done: bool
    items: list[ConsentResult]


@dataclass(frozen=True)
class PulledConsent:
    """A consent as İYS holds it. ``source`` may be one of ours (HS_...) or
    İYS's own (IYS_MOBIL, IYS_KISAMESAJ, IYS_EPOSTA, IYS_CM, IYS_WEB_YENI,
    IYS_AHS_HAT_KAPATMA ...). ``consent_date`` is None only for a TACIR
    consent İYS got without one."""

    recipient: str
    recipient_type: str
    type: str
    status: str
    source: str
    consent_date: dt.datetime | None
    creation_date: dt.datetime | None = None
    transaction_id: str = ""


@dataclass(frozen=True)
class ChangesPage:
    """Changes in İYS's order; ``after`` is the cursor for the next pull (the
    one given, when there was nothing new)."""

    items: list[PulledConsent]
    after: str | None


@dataclass(frozen=True)
class _Token:
    access: str
    refresh: str
    expires_at: float  # on the client's clock
    refresh_expires_at: float


class IysClient:
    """One İYS brand's API. The token lives on the instance: İYS allows 10
    token requests an hour from one IP, so keep one client per worker process
    rather than one per call. Not thread-safe."""

    def __init__(
        self,
        config: IysSettings,
        *,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if not config.enabled:
            raise ValueError("İYS sync is disabled: IYS_BASE_URL is empty.")
        self.config = config
        self._owns_http = http is None
        self._http = http or httpx.Client(
            timeout=config.timeout, headers={"Accept": "application/json"}
        )
        self._clock = clock
        self._token: _Token | None = None
        code, brand = quote(config.iys_code, safe=""), quote(config.brand_code, safe="")
        self._brand_path = f"/sps/{code}/brands/{brand}"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> IysClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- consents ---------------------------------------------------------

    def submit_consents(self, consents: Sequence[Mapping[str, Any]]) -> str:
        """Send consents (each like ``ConsentRecord.iys_payload``) as one
        async request; returns its requestId. İYS takes 1 to 1000, and no
        (recipientType, type, recipient) twice: the newest statement per
        channel is the one to send."""
        if not consents:
            raise ValueError("An İYS request needs at least one consent.")
        if len(consents) > MAX_BATCH:
            raise ValueError(
                f"İYS takes at most {MAX_BATCH} consents in one request, not {len(consents)}."
            )
        seen: set[tuple] = set()
        for i, consent in enumerate(consents):
            key = (
                consent.get("recipientType", "BIREYSEL"),
                consent.get("type"),
                consent.get("recipient"),
            )
            if key in seen:
                raise ValueError(
                    f"consents[{i}]: {key[2]} ({key[1]}) is already in this request; "
                    "İYS refuses the whole list (H194)."
                )
            seen.add(key)
        response = self._call(
            "POST", f"{self._brand_path}/consents/request", json=[dict(c) for c in consents]
        )
        data = _answer(response)
        request_id = data.get("requestId") if isinstance(data, dict) else None
        if not request_id:
            raise IysError(
                "İYS accepted the request but gave no requestId",
                retry=False,
                status_code=response.status_code,
            )
        return str(request_id)

    def request_status(
        self, request_id: str, *, submitted: Sequence[Mapping[str, Any]] | None = None
    ) -> RequestResult:
        """What became of an async request. Pass the consents as submitted
        (same order) to get recipient, type and status on each result and to
        know the request is done only when every consent has an answer."""
        path = f"{self._brand_path}/consents/request/{quote(request_id, safe='')}"
        data = _answer(self._call("GET", path))
        if data is None:
            raw: list = []
        elif isinstance(data, list):
            raw = data
        elif isinstance(data, dict) and isinstance(data.get("subRequests"), list):
            # Documented as a bare array; durmazmehmet/IYSRestruct models a
            # {requestId, subRequests} wrapper, so read that too.
            raw = data["subRequests"]
        else:
            raise IysError("request status: expected a list", retry=False)
        items = sorted(
            (_consent_result(item, position, submitted) for position, item in enumerate(raw)),
            key=lambda r: r.index if r.index is not None else -1,
        )
        answered_all = len(items) >= len(submitted) if submitted is not None else True
        done = bool(items) and answered_all and not any(r.pending for r in items)
        return RequestResult(done=done, items=items)

    def pull_changes(
        self,
        after: str | None,
        limit: int = 100,
        *,
        source: Literal["IYS", "HS"] = "IYS",
    ) -> ChangesPage:
        """Changes from ``after`` on (from 7 days ago when None). ``source``
        IYS: what guests did on İYS itself (a RET there binds us at once);
        HS: what we sent, for reconciliation."""
        if not 1 <= limit <= MAX_CHANGES_LIMIT:
            raise ValueError(f"limit must be 1 to {MAX_CHANGES_LIMIT}, not {limit}.")
        if source not in ("IYS", "HS"):
            raise ValueError(f"source must be IYS or HS, not {source!r}.")
        params: dict[str, str | int] = {"source": source, "limit": limit}
        if after:
            params["after"] = after
        data = _answer(self._call("GET", f"{self._brand_path}/consents/changes", params=params))
        if data is None:  # 204: nothing new
            return ChangesPage(items=[], after=after)
        if not isinstance(data, dict):
            raise IysError("changes: expected an object", retry=False)
        raw = data.get("list") or []
        if not isinstance(raw, list):
            raise IysError("changes.list: expected a list", retry=False)
        items = [_pulled(item, where=f"changes.list[{i}]") for i, item in enumerate(raw)]
        # citizenName (a guest's name İYS sometimes adds) is dropped: the
        # guest's record owns names, and the sync must not copy personal data.
        cursor = data.get("after") or after
        return ChangesPage(items=items, after=str(cursor) if cursor else None)

    def consent_status(
        self, recipient: str, type: str, recipient_type: str = "BIREYSEL"
    ) -> PulledConsent | None:
        """The consent İYS holds for ``recipient`` on channel ``type``, or
        None when it holds none."""
        response = self._call(
            "POST",
            f"{self._brand_path}/consents/status",
            json={"recipient": recipient, "recipientType": recipient_type, "type": type},
        )
        if response.status_code == 404:
            error = _error(response)
            if "H001" in error.codes:  # "Hizmet Sağlayıcı bulunamadı": our İYS number
                raise error
            return None
        data = _answer(response)
        if not data:
            return None
        if not isinstance(data, dict):
            raise IysError("consent status: expected an object", retry=False)
        return _pulled(data, where="consent status")

    # --- tokens and transport ---------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._send(method, path, bearer=self._access_token(), **kwargs)
        if response.status_code == 401:
            # Revoked or expired early: log in afresh, once. A second 401
            # is answered as it is (a configuration error, not a retry).
            self._token = None
            response = self._send(method, path, bearer=self._access_token(), **kwargs)
        return response

    def _access_token(self) -> str:
        now = self._clock()
        token = self._token
        if token is not None and now < token.expires_at:
            return token.access
        if token is not None and token.refresh and now < token.refresh_expires_at:
            try:
                self._token = self._fetch_token(
                    {"grant_type": "refresh_token", "refresh_token": token.refresh}
                )
                return self._token.access
            except IysError as exc:
                if exc.retry:
                    raise
                # Refused (revoked, or İYS restarted): the password still works.
        self._token = self._fetch_token(
            {
                "grant_type": "password",
                "username": self.config.username,
                "password": self.config.password,
            }
        )
        return self._token.access

    def _fetch_token(self, body: dict[str, str]) -> _Token:
        asked_at = self._clock()
        data = _answer(self._send("POST", "/oauth2/token", json=body))
        if not isinstance(data, dict) or not data.get("access_token"):
            raise IysError("İYS gave no access_token", retry=False)
        return _Token(
            access=str(data["access_token"]),
            refresh=str(data.get("refresh_token") or ""),
            expires_at=_expiry(asked_at, data.get("expires_in")),
            refresh_expires_at=_expiry(asked_at, data.get("refresh_expires_in")),
        )

    def _send(self, method: str, path: str, *, bearer: str = "", **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        try:
            return self._http.request(
                method, self.config.base_url + path, headers=headers, **kwargs
            )
        except httpx.TransportError as exc:  # timeouts included
            raise IysError(f"İYS unreachable: {type(exc).__name__}: {exc}", retry=True) from exc


def _expiry(asked_at: float, seconds: object) -> float:
    # Without a lifetime the token is trusted until İYS answers 401.
    try:
        lifetime = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.inf
    return asked_at + lifetime - _TOKEN_MARGIN_SECONDS


def _answer(response: httpx.Response) -> Any:
    """The JSON of a successful answer (None for no content), or IysError."""
    if response.status_code >= 400:
        raise _error(response)
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise IysError(
            "İYS answered something that is not JSON",
            retry=False,
            status_code=response.status_code,
        ) from None


def _error(response: httpx.Response) -> IysError:
    try:
        data = response.json()
    except ValueError:
        data = None
    errors = _parse_errors(data)
    detail = "; ".join(f"{e.get('code', '')} {e.get('message', '')}".strip() for e in errors)
    status = response.status_code
    return IysError(
        f"İYS answered HTTP {status}: {detail or response.text[:300]}",
        retry=status == 429 or status >= 500,
        status_code=status,
        errors=errors,
    )


def _parse_errors(data: object) -> list[dict]:
    if not isinstance(data, dict):
        return []
    raw = data.get("errors")
    if isinstance(raw, dict):  # a few ViA answers send one object
        raw = [raw]
    if isinstance(raw, list):
        return [_clean_error(e) for e in raw if isinstance(e, dict)]
    if data.get("error"):  # OAuth2 answers of /oauth2/token
        return [{"code": str(data["error"]), "message": str(data.get("error_description", ""))}]
    return []


def _clean_error(error: dict) -> dict:
    error = dict(error)
    if "code" not in error and "code:" in error:  # as in the spec's own 403 examples
        error["code"] = error.pop("code:")
    return error


def _consent_result(
    item: object, position: int, submitted: Sequence[Mapping[str, Any]] | None
) -> ConsentResult:
    where = f"request status[{position}]"
    if not isinstance(item, dict):
        raise IysError(f"{where}: expected an object", retry=False)
    outcome = item.get("status")
    if outcome not in {o.value for o in Outcome}:
        raise IysError(f"{where}.status: unknown {outcome!r}", retry=False)
    index = item.get("index")
    if index is None:
        index = position
    try:
        index = int(index)
    except (TypeError, ValueError):
        raise IysError(f"{where}.index: {index!r} is not a number", retry=False) from None
    sent: Mapping[str, Any] = {}
    if submitted is not None and 0 <= index < len(submitted):
        sent = submitted[index]
    error = item.get("error")
    if not isinstance(error, dict):
        errors = item.get("errors")
        error = errors[0] if isinstance(errors, list) and errors else {}
    error = _clean_error(error) if isinstance(error, dict) else {}
    return ConsentResult(
        index=index,
        outcome=str(outcome),
        recipient=str(item.get("recipient") or sent.get("recipient") or ""),
        recipient_type=str(item.get("recipientType") or sent.get("recipientType") or ""),
        type=str(item.get("type") or sent.get("type") or ""),
        status=str(sent.get("status") or ""),
        error_code=str(error.get("code") or ""),
        error_message=str(error.get("message") or ""),
        transaction_id=str(item.get("transactionId") or ""),
        sub_request_id=str(item.get("subRequestId") or item.get("subrequestId") or ""),
        creation_date=_parse_date(item.get("creationDate"), where=f"{where}.creationDate"),
    )


def _pulled(item: object, *, where: str) -> PulledConsent:
    if not isinstance(item, dict):
        raise IysError(f"{where}: expected an object", retry=False)
    for key in ("recipient", "type", "status"):
        if not item.get(key):
            raise IysError(f"{where}.{key} is missing", retry=False)
    if item["type"] not in _TYPES:
        raise IysError(f"{where}.type: unknown {item['type']!r}", retry=False)
    if item["status"] not in _STATUSES:
        raise IysError(f"{where}.status: unknown {item['status']!r}", retry=False)
    return PulledConsent(
        recipient=str(item["recipient"]),
        recipient_type=str(item.get("recipientType") or "BIREYSEL"),  # İYS's default
        type=str(item["type"]),
        status=str(item["status"]),
        source=str(item.get("source") or ""),
        consent_date=_parse_date(item.get("consentDate"), where=f"{where}.consentDate"),
        creation_date=_parse_date(item.get("creationDate"), where=f"{where}.creationDate"),
        transaction_id=str(item.get("transactionId") or ""),
    )


def _parse_date(value: object, *, where: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        naive = dt.datetime.strptime(str(value), IYS_DATE_FORMAT)
    except ValueError:
        raise IysError(f"{where}: {value!r} is not YYYY-MM-DD HH:MM:SS", retry=False) from None
    return naive.replace(tzinfo=IYS_TIMEZONE)
