"""Keeps AgentProfile.last_seen_at fresh without a write on every request."""

from __future__ import annotations

import time

from django.utils import timezone

from guestview.models import AgentProfile

# One UPDATE a minute per agent is plenty for a 10-minute away threshold.
_WRITE_EVERY_SECONDS = 60


class AgentPresenceMiddleware:
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
