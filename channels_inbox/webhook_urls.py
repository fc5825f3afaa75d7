from django.urls import path

from channels_inbox import sandbox, webhooks

app_name = "webhooks"

# No trailing slashes: Meta and the hotels' sites are configured with these
# exact paths and a POST does not follow an APPEND_SLASH redirect.
urlpatterns = [
    path("whatsapp", webhooks.whatsapp, name="whatsapp"),
    path("meta", webhooks.meta, name="meta"),
    # make demo only (DEBUG): where META_GRAPH_URL points instead of Meta.
    path("sandbox/graph/<str:account_id>/messages", sandbox.graph_messages, name="sandbox"),
]
