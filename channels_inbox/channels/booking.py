"""(in progress: replaced by the booking adapter)"""

from channels_inbox.channels.base import MalformedPayload, Outgoing, SendError


def parse(data):
    raise MalformedPayload("booking is not connected yet")


def send(account, outgoing: Outgoing) -> str:
    raise SendError("booking is not connected yet", retry=False)
