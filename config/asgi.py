"""ASGI entry point: uvicorn serves it, because live updates are an SSE stream.
The webhook POSTs are answered in front of Django (channels_inbox.door)."""

import os
import threading

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from channels_inbox.door import WebhookDoor  # noqa: E402  (needs the apps loaded)

application = WebhookDoor(django_application)

from channels_inbox import triage  # noqa: E402

# Web chat messages are triaged in the web process: load the language models
# while the server starts, not in the first guest's request.
threading.Thread(target=triage.warm_up, name="triage-warm-up", daemon=True).start()
