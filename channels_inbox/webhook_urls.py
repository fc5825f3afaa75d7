from django.urls import path

from channels_inbox import webhooks

app_name = "webhooks"

# No trailing slashes: Meta and the hotels' sites are configured with these
# exact paths and a POST does not follow an APPEND_SLASH redirect.
urlpatterns = [
    path("whatsapp", webhooks.whatsapp, name="whatsapp"),
    path("meta", webhooks.meta, name="meta"),
]
