"""Sign-in throttling, idle-session expiry and, on Django 5.2, the
Content-Security-Policy header.

Throttling counts failed sign-ins in Redis, per username and per client
address (settings.LOGIN_*). A locked username is refused from everywhere. A
locked address refuses only the usernames that failed from it within the
window: a call-center floor signs in from one NAT address, and a sprayer or
a shift of mistyped passwords behind it must not lock out the colleague who
types theirs right; the sprayer gets no second guess at any name it tried.

When Redis cannot be reached, sign-ins go on unthrottled, with a warning in
the log: a call center whose agents cannot sign in serves no guest, while
the passwords are still checked and the outage shows on /healthz; a lock
that fails closed would turn any Redis hiccup into a console outage.

Idle expiry: only what a person does keeps a session alive. A full page, a
plain form post, and an htmx request that static/js/console.js marks with
ACTIVITY_HEADER (it was triggered by a click, a key or a form) count; the SSE
stream and the requests that stream events, page loads or timers trigger do
not, or nobody with an open console would ever be idle. Every signed-in user
is subject to it, staff included: their sessions can do the most.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import secrets
import time

import redis
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

logger = logging.getLogger(__name__)

# static/js/console.js sets it on htmx requests a person triggered.
ACTIVITY_HEADER = "X-Console-Activity"
# Epoch seconds of the session's last activity.
_ACTIVE_AT = "m360_active_at"

_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _client


# --- sign-in throttling -----------------------------------------------------------------


def _username_hash(username: str) -> str:
    # Hashed: bounded keys, and no typed-in names lying around in Redis.
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]


def _username_key(username: str) -> str:
    return f"{settings.LOGIN_THROTTLE_PREFIX}:user:{_username_hash(username)}"


def _address_key(ip: str) -> str:
    return f"{settings.LOGIN_THROTTLE_PREFIX}:ip:{ip}"


def _failed_here_key(*, username: str, ip: str) -> str:
    """When ``username`` last failed from ``ip``: what the address lock holds."""
    return f"{_address_key(ip)}:user:{_username_hash(username)}"


def _counters(*, username: str, ip: str) -> list[tuple[str, int]]:
    """(Redis key, limit) of each counter a sign-in attempt touches."""
    counters = [
        (_username_key(username), settings.LOGIN_FAILURES_PER_USERNAME),
        (_address_key(ip), settings.LOGIN_FAILURES_PER_IP),
    ]
    return [(key, limit) for key, limit in counters if limit > 0]


def login_lock_remaining(*, username: str, ip: str) -> int:
    """Seconds until this username may try again from this address; 0 when
    it may now. The address's lock holds only a username that failed from
    it in the last LOGIN_THROTTLE_SECONDS, and only until that failure is
    that old."""
    if not _counters(username=username, ip=ip):
        return 0
    try:
        user_lock, address_lock, failed_here = _redis().mget(
            [
                f"{_username_key(username)}:lock",
                f"{_address_key(ip)}:lock",
                _failed_here_key(username=username, ip=ip),
            ]
        )
    except redis.RedisError:
        logger.warning("sign-in throttle unavailable: signing in unthrottled", exc_info=True)
        return 0
    ends = []
    if settings.LOGIN_FAILURES_PER_USERNAME > 0 and user_lock is not None:
        ends.append(float(user_lock))
    if settings.LOGIN_FAILURES_PER_IP > 0 and address_lock is not None and failed_here is not None:
        ends.append(min(float(address_lock), float(failed_here) + settings.LOGIN_THROTTLE_SECONDS))
    return max(0, math.ceil(max(ends, default=0) - time.time()))


def login_failure_record(*, username: str, ip: str) -> None:
    """Count a failed sign-in. A counter with its limit of failures in the last
    LOGIN_THROTTLE_SECONDS locks its username or address for as long from now;
    the address remembers the username failed from it (login_lock_remaining).

    The failures are a sliding log (a sorted set scored by time) and the lock
    holds its end time: the clock that decides is ours, not Redis's, whose
    expiry only clears keys away."""
    counters = _counters(username=username, ip=ip)
    seconds = settings.LOGIN_THROTTLE_SECONDS
    now = time.time()
    try:
        pipe = _redis().pipeline()
        for key, _limit in counters:
            pipe.zremrangebyscore(key, "-inf", now - seconds)
            pipe.zadd(key, {secrets.token_hex(8): now})
            pipe.zcard(key)
            pipe.expire(key, seconds)
        if settings.LOGIN_FAILURES_PER_IP > 0:
            pipe.set(_failed_here_key(username=username, ip=ip), now, ex=seconds)
        counts = pipe.execute()[2 : 4 * len(counters) : 4]
        reached = [
            key for (key, limit), count in zip(counters, counts, strict=True) if count >= limit
        ]
        if reached:
            pipe = _redis().pipeline()
            for key in reached:
                pipe.set(f"{key}:lock", now + seconds, ex=seconds)
            pipe.execute()
    except redis.RedisError:
        logger.warning("sign-in throttle unavailable: failure not counted", exc_info=True)


def login_success_record(*, username: str, ip: str | None = None) -> None:
    """A correct password clears the username's failures, and that it failed
    from ``ip`` (not the address's count of failures)."""
    keys = [_username_key(username)]
    if ip is not None:
        keys.append(_failed_here_key(username=username, ip=ip))
    try:
        _redis().delete(*keys)
    except redis.RedisError:
        logger.warning("sign-in throttle unavailable: failures not cleared", exc_info=True)


def client_ip(request) -> str:
    # uvicorn --proxy-headers puts the client's address here behind the TLS proxy.
    return request.META.get("REMOTE_ADDR", "")


class LoginThrottleMixin:
    """For an AuthenticationForm: refuses a locked username, or a username
    that failed from a locked address, before the password is checked;
    counts failures, clears them on success."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your username and password didn't match. Please try again."),
        # The same for every username, existing or not.
        "locked": ngettext_lazy(
            "Too many failed sign-ins. Please try again in %(minutes)d minute.",
            "Too many failed sign-ins. Please try again in %(minutes)d minutes.",
            "minutes",
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if seconds := login_lock_remaining(username=username, ip=ip):
            # Refused before the password is checked: a locked name learns nothing.
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": math.ceil(seconds / 60)},
            )
        try:
            cleaned_data = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":  # (the admin's, for non-staff, too)
                login_failure_record(username=username, ip=ip)
            raise
        login_success_record(username=username, ip=ip)
        return cleaned_data


class ThrottledAuthenticationForm(LoginThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(LoginThrottleMixin, AdminAuthenticationForm):
    """For admin.site.login_form: the admin's own login page is another door."""

    error_messages = {
        **LoginThrottleMixin.error_messages,
        "invalid_login": AdminAuthenticationForm.error_messages["invalid_login"],
    }


class ConsoleLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[_ACTIVE_AT] = time.time()
        return response


_login_page = ConsoleLoginView.as_view()


@vary_on_headers("HX-Request")
def login(request):
    """The sign-in page. An htmx request for it (a fragment's request that
    login_required bounced, or console.js asking after a refused stream) is
    answered for the whole page: signed out, HX-Redirect here; signed in, 204."""
    if request.htmx:
        if request.user.is_authenticated:
            return HttpResponse(status=204)
        return HttpResponseClientRedirect(_login_url(request.htmx.current_url_abs_path))
    return _login_page(request)


def _login_url(next_url: str | None) -> str:
    login_path = resolve_url(settings.LOGIN_URL)
    if not next_url or next_url.startswith(login_path):
        return login_path
    return redirect_to_login(next_url).url


# --- idle sessions ----------------------------------------------------------------------


class IdleSessionMiddleware:
    """Signs out a session idle for settings.SESSION_IDLE_TIMEOUT on its next request.

    After HtmxMiddleware (request.htmx) and MessageMiddleware (the notice).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT.total_seconds()
        if not timeout or not request.user.is_authenticated:
            return self.get_response(request)
        stream = request.path_info == reverse("guestview:screenpop_stream")
        now = time.time()
        active_at = request.session.get(_ACTIVE_AT)
        if active_at is not None and now - active_at > timeout:
            return _expired(request, stream=stream, timeout=timeout)
        # Written at most every minute (or tenth of the timeout): one session
        # UPDATE, not one per click.
        if active_at is None or (
            _is_activity(request, stream=stream) and now - active_at > min(60, timeout / 10)
        ):
            request.session[_ACTIVE_AT] = active_at = now
        response = self.get_response(request)
        if stream and response.streaming:
            response.streaming_content = _until(active_at + timeout, response.streaming_content)
        return response


def _is_activity(request, *, stream: bool) -> bool:
    if stream:
        return False
    if request.htmx:
        return request.headers.get(ACTIVITY_HEADER) == "1"
    return True


def _expired(request, *, stream: bool, timeout: float):
    if stream:
        # EventSource gives up on a 401 (htmx's SSE extension retries, slowly);
        # console.js then asks the login page, and that request signs out.
        return HttpResponse(status=401)
    if request.htmx:
        next_url = request.htmx.current_url_abs_path
    else:
        next_url = request.get_full_path() if request.method == "GET" else None
    auth.logout(request)
    minutes = max(1, round(timeout / 60))
    messages.info(
        request,
        ngettext(
            "You were logged out after %(minutes)d minute without activity.",
            "You were logged out after %(minutes)d minutes without activity.",
            minutes,
        )
        % {"minutes": minutes},
    )
    url = _login_url(next_url)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


async def _until(deadline: float, content):
    """The SSE stream, ended once the session's idle deadline has passed
    (checked at each event or keep-alive). The browser reconnects (retry:
    1000) and is let back in only if the agent did something meanwhile."""
    async with contextlib.aclosing(content):
        async for chunk in content:
            yield chunk
            if time.time() >= deadline:
                return


# --- Content-Security-Policy on Django 5.2 ----------------------------------------------


def build_policy(policy: dict) -> str:
    """The header value for a SECURE_CSP-style dict, as Django 6 writes it."""
    directives = []
    for directive, values in policy.items():
        if values is None or values is False:
            continue
        if values is True:
            directives.append(directive)
            continue
        if isinstance(values, str):
            values = [values]
        elif isinstance(values, set):
            values = sorted(values)
        directives.append(f"{directive} {' '.join(values)}")
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    """Django 5.2 LTS has no CSP support: this sends what Django 6's
    django.middleware.csp sends from the same settings (SECURE_CSP,
    SECURE_CSP_REPORT_ONLY), without nonces (no template of ours needs one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for header, name in (
            ("Content-Security-Policy", "SECURE_CSP"),
            ("Content-Security-Policy-Report-Only", "SECURE_CSP_REPORT_ONLY"),
        ):
            policy = getattr(settings, name, None)
            if policy and header not in response:  # a view's own header wins
                response.headers[header] = build_policy(policy)
        return response
