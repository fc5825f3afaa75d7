"""Console-wide request handling: the UI language and agent presence."""

from __future__ import annotations

import time

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from guestview.models import AgentProfile

# One UPDATE a minute per agent is plenty for a 10-minute away threshold.
_WRITE_EVERY_SECONDS = 60


class AgentPresenceMiddleware:
    """Keeps AgentProfile.last_seen_at fresh without a write on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            if now - request.session.get("m360_seen", 0) > _WRITE_EVERY_SECONDS:
                request.session["m360_seen"] = now
                AgentProfile.objects.filter(user_id=user.pk).update(last_seen_at=timezone.now())
        return response


class ConsoleLanguageMiddleware:
    """Turkish unless the agent picked another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a
    laptop set up in English would start in English; agents choose here, the
    product default (settings.LANGUAGE_CODE) holds until they do.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response
