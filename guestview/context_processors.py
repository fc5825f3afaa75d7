"""What the console's top bar needs on every page."""

from guestview.models import AgentProfile, AgentStatus
from guestview.selectors import alerts_for_user, user_roles


def console(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:
        profile = user.agent_profile
    except AgentProfile.DoesNotExist:
        profile = None
    return {
        "agent_profile": profile,
        "agent_statuses": AgentStatus.choices,
        "user_roles": user_roles(user),
        # One indexed count (alert_unread_idx) on every page: the bell.
        "unread_alerts": alerts_for_user(user).filter(read_at__isnull=True).count,
    }
