"""What the console's top bar needs on every page."""

from guestview.models import AgentProfile, AgentStatus
from guestview.selectors import user_roles


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
    }
