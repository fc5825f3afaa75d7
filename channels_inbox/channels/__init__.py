"""One module per channel: read its webhooks (or pull its API) into the
shapes of base.py, and send through its API. Nothing here writes to the
database; channels_inbox.services applies what they read."""

from __future__ import annotations

from channels_inbox.channels.base import Adapter
from channels_inbox.models import ChannelKind


def adapter_for(kind: str) -> Adapter:
    from channels_inbox.channels import booking, meta, webchat, whatsapp

    adapters: dict[str, Adapter] = {
        ChannelKind.WHATSAPP: whatsapp,
        ChannelKind.INSTAGRAM: meta,
        ChannelKind.MESSENGER: meta,
        ChannelKind.WEBCHAT: webchat,
        ChannelKind.BOOKING: booking,
    }
    try:
        return adapters[kind]
    except KeyError:
        raise ValueError(f"no adapter sends on {kind!r}") from None
