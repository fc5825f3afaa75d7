"""(in progress: replaced by the webchat adapter)"""

from channels_inbox.channels.base import MalformedPayload, Outgoing, SendError


def parse(data):
    raise MalformedPayload("webchat is not connected yet")


def send(account, outgoing: Outgoing) -> str:
    raise SendError("webchat is not connected yet", retry=False)
