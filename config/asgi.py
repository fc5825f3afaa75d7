"""ASGI entry point: uvicorn serves it, because live updates are an SSE stream.
The webhook POSTs are answered in front of Django (channels_inbox.door)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from channels_inbox.door import WebhookDoor  # noqa: E402  (needs the apps loaded)

application = WebhookDoor(django_application)
