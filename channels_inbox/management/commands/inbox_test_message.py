import json
import time
import uuid

import httpx
from django.core.management.base import BaseCommand, CommandError

from channels_inbox.channels.base import sign
from channels_inbox.models import ChannelAccount, ChannelKind


class Command(BaseCommand):
    help = (
        "Send a guest's WhatsApp message to a running console the way Meta does: a Cloud API "
        "webhook body, signed with the hotel's app secret. For trying the inbox and for "
        "checking a new WhatsApp account's setup."
    )

    def add_arguments(self, parser):
        parser.add_argument("text")
        parser.add_argument("--hotel", help="Property code (its first active WhatsApp number).")
        parser.add_argument("--account", help="phone_number_id of the WhatsApp account.")
        parser.add_argument(
            "--from",
            dest="sender",
            default="905321234567",
            help="The guest's number, international, digits only.",
        )
        parser.add_argument("--name", default="Ahmet Yılmaz", help="The guest's profile name.")
        parser.add_argument("--url", default="http://127.0.0.1:8000/webhooks/whatsapp")

    def handle(self, *args, text, hotel, account, sender, name, url, **options):
        accounts = ChannelAccount.objects.filter(kind=ChannelKind.WHATSAPP, is_active=True)
        if account:
            accounts = accounts.filter(external_id=account)
        if hotel:
            accounts = accounts.filter(property__code=hotel)
        found = accounts.exclude(app_secret="").first()
        if found is None:
            raise CommandError("No active WhatsApp account with an app secret matches.")
        wa_id = "".join(ch for ch in sender if ch.isdigit())
        body = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "test",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": found.display_number or "0",
                                    "phone_number_id": found.external_id,
                                },
                                "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": f"wamid.test-{uuid.uuid4().hex}",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
        raw = json.dumps(body, ensure_ascii=False).encode()
        try:
            response = httpx.post(
                url,
                content=raw,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": sign(raw, found.app_secret),
                },
                timeout=10,
            )
        except httpx.HTTPError as exc:
            raise CommandError(f"{url}: {exc}") from exc
        self.stdout.write(f"{response.status_code} {response.text}")
        if response.status_code != 200:
            raise CommandError("The console did not accept the message.")
