"""The Asterisk door: a long-running client of the Asterisk Manager Interface
(``manage.py cti_ami``).

It logs in with the AMI account of a ``Pbx`` row, follows the channels of
each call (``Newchannel``, ``Newstate``, ``Hangup``; everything else is
ignored) and turns what happens on an agent's phone into ``CallEventIn`` for
``guestview.services.call_event_record``:

- an agent channel starts ringing  → "ringing" (the card pops to that agent),
- an agent channel goes up         → "answered",
- the call's first channel (the trunk leg: Uniqueid == Linkedid) hangs up
                                   → "hangup".

The call id is Asterisk's Linkedid, shared by every channel of the call. The
caller and the dialed number (DID) are remembered from the trunk channel's
Newchannel, because on the agent's own channel CallerIDNum is usually the
agent's extension. Calls an agent starts (outbound or internal) are not
screen-pops and are skipped.

The services are idempotent per (pbx, call, event, extension), so a replayed
or repeated event changes nothing: a reconnect may safely see a call twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections
from django.utils import timezone

from guestview import services
from guestview.cti.events import CallEventIn
from guestview.models import AgentProfile, CallEventKind, Pbx

logger = logging.getLogger(__name__)

BANNER_PREFIX = "Asterisk Call Manager/"
FOLLOWED_EVENTS = frozenset({"newchannel", "newstate", "hangup"})
# What Asterisk writes where a caller id or connected line is empty.
_UNKNOWN = {"", "<unknown>", "unknown"}


class AmiError(Exception):
    """The other end does not speak AMI as expected (or stopped speaking)."""


class AmiLoginError(AmiError):
    """Asterisk refused the Login action (wrong user or secret, ACL)."""


# --- the wire format ------------------------------------------------------------------


def encode_action(name: str, **fields: str) -> bytes:
    """One AMI action: ``Action: name`` and ``Key: value`` lines, then an empty line."""
    lines = [f"Action: {name}"]
    for key, value in fields.items():
        if "\r" in value or "\n" in value:
            # A secret pasted with a line break would inject a second action.
            raise AmiError(f"The AMI field {key} contains a line break.")
        lines.append(f"{key}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_block(lines: list[str]) -> dict[str, str]:
    """``Key: value`` lines as a dict (a repeated key keeps its last value)."""
    block: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if sep:
            block[key.strip()] = value.strip()
    return block


class BlockReader:
    """Reads AMI blocks (lines up to an empty line) from a stream, CRLF or LF.

    Lines of a block survive a read timeout, so a keep-alive timeout in the
    middle of a block loses nothing."""

    def __init__(self, reader: asyncio.StreamReader):
        self._reader = reader
        self._lines: list[str] = []

    async def line(self, *, timeout: float | None) -> str:
        raw = await asyncio.wait_for(self._reader.readline(), timeout)
        if not raw:
            raise AmiError("Asterisk closed the connection.")
        return raw.decode("utf-8", errors="replace").rstrip("\r\n")

    async def block(self, *, timeout: float | None) -> dict[str, str]:
        while True:
            text = await self.line(timeout=timeout)
            if text:
                self._lines.append(text)
            elif self._lines:
                lines, self._lines = self._lines, []
                return parse_block(lines)


# --- from channels to call events -----------------------------------------------------


def channel_extension(channel: str) -> str:
    """The endpoint part of a channel name: ``PJSIP/201-00000013``, ``SIP/201-0000a1``,
    ``IAX2/201-4711`` and ``Local/201@from-queue-0000002a;1`` all give ``201``."""
    tech, sep, rest = channel.partition("/")
    if not sep:
        return ""
    if tech.lower() == "local":
        return rest.partition("@")[0]
    return rest.rpartition("-")[0]


def _known(value: str | None) -> str:
    value = (value or "").strip()
    # 80: the longest number Call.caller_raw / called_raw keep.
    return "" if value.lower() in _UNKNOWN else value[:80]


@dataclass
class _CallMemory:
    """What the trunk leg told us; the agent legs need it."""

    caller: str = ""
    called: str = ""
    started_by_agent: bool = False


class CallTracker:
    """Per-call memory across events and reconnects, keyed by Linkedid.

    An entry is dropped when the call's first channel hangs up; the cap bounds
    memory when hang-ups are missed (events sent while we were disconnected)."""

    max_calls = 5000

    def __init__(self) -> None:
        self._calls: dict[str, _CallMemory] = {}

    def __len__(self) -> int:
        return len(self._calls)

    @staticmethod
    def follows(block: dict[str, str]) -> bool:
        return block.get("Event", "").lower() in FOLLOWED_EVENTS

    def feed(
        self, block: dict[str, str], *, agent_extensions: frozenset[str], at: datetime
    ) -> CallEventIn | None:
        """The call event ``block`` means, or None."""
        if not self.follows(block):
            return None
        name = block["Event"].lower()
        uniqueid = block.get("Uniqueid", "")
        call_id = block.get("Linkedid") or uniqueid
        if not call_id:
            return None
        extension = channel_extension(block.get("Channel", ""))
        on_agent_channel = extension in agent_extensions
        is_first_channel = uniqueid == call_id

        if name == "hangup":
            if not is_first_channel:
                return None  # one leg of a ring group; the call goes on
            memory = self._calls.pop(call_id, None) or _CallMemory()
            if on_agent_channel or memory.started_by_agent:
                return None
            return CallEventIn(
                kind=CallEventKind.HANGUP,
                call_id=call_id,
                # Unremembered (the call began before we connected): on the
                # trunk leg, CallerIDNum is the caller.
                caller=memory.caller or _known(block.get("CallerIDNum")),
                called=memory.called,
                at=at,
                payload=block,
            )

        if is_first_channel:
            self._remember_first_channel(call_id, block, started_by_agent=on_agent_channel)
            return None
        if not on_agent_channel:
            return None
        memory = self._calls.get(call_id) or _CallMemory()
        if memory.started_by_agent:
            return None  # an agent calling out or calling a colleague
        state = block.get("ChannelStateDesc", "")
        if state == "Ringing":
            kind = CallEventKind.RINGING
        elif state == "Up":
            kind = CallEventKind.ANSWERED
        else:
            return None
        return CallEventIn(
            kind=kind,
            call_id=call_id,
            caller=memory.caller or self._caller(block, agent_extensions, extension),
            called=memory.called,
            agent_extension=extension,
            at=at,
            payload=block,
        )

    def _remember_first_channel(
        self, call_id: str, block: dict[str, str], *, started_by_agent: bool
    ) -> None:
        memory = self._calls.get(call_id)
        if memory is None:
            if len(self._calls) >= self.max_calls:
                del self._calls[next(iter(self._calls))]  # the oldest call
            memory = self._calls[call_id] = _CallMemory(started_by_agent=started_by_agent)
        if started_by_agent:
            return
        memory.caller = memory.caller or _known(block.get("CallerIDNum"))
        # On the trunk's Newchannel, Exten is the dialed DID; later in the
        # dialplan it becomes "s", a ring group or "h": only a number counts.
        exten = _known(block.get("Exten"))
        if not memory.called and exten.removeprefix("+").isdigit() and len(exten) >= 6:
            memory.called = exten

    @staticmethod
    def _caller(block: dict[str, str], agent_extensions: frozenset[str], extension: str) -> str:
        """The external party as an agent channel shows it: usually ConnectedLineNum
        (CallerIDNum being the agent), sometimes CallerIDNum (Dial option ``o``)."""
        for key in ("ConnectedLineNum", "CallerIDNum"):
            value = _known(block.get(key))
            if value and value != extension and value not in agent_extensions:
                return value
        return ""


# --- reconnecting -------------------------------------------------------------------


class Backoff:
    """1, 2, 4 … seconds, capped; back to the start after a successful login."""

    def __init__(self, *, first: float = 1.0, cap: float = 30.0):
        self.first = first
        self.cap = cap
        self._next = first

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self.cap)
        return delay

    def reset(self) -> None:
        self._next = self.first


# --- the database, from the event loop --------------------------------------------------


def _on_fresh_connection(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``func`` in Django's sync thread, on a usable connection: a process
    that lives for weeks must not keep using one the database has dropped."""

    def run(*args: Any, **kwargs: Any) -> Any:
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(run, thread_sensitive=True)


def _agent_extensions() -> frozenset[str]:
    return frozenset(
        AgentProfile.objects.filter(extension__isnull=False, user__is_active=True)
        .exclude(extension="")
        .values_list("extension", flat=True)
    )


def _pbx_reload(pbx: Pbx) -> Pbx:
    # Admins fix a wrong secret in Django admin: the next attempt uses it.
    pbx.refresh_from_db(fields=["ami_host", "ami_port", "ami_username", "ami_secret"])
    return pbx


class AgentExtensions:
    """The extensions of active agents, read at most once per ``max_age`` seconds
    (an agent channel is recognised by its extension on every event)."""

    def __init__(self, *, max_age: float = 60.0):
        self.max_age = max_age
        self._extensions: frozenset[str] = frozenset()
        self._loaded_at: float | None = None

    async def get(self) -> frozenset[str]:
        now = time.monotonic()
        if self._loaded_at is None or now - self._loaded_at > self.max_age:
            self._extensions = await _on_fresh_connection(_agent_extensions)()
            self._loaded_at = now
        return self._extensions


# --- the client ---------------------------------------------------------------------


class AmiClient:
    """Follows one Asterisk until ``stop()``; reconnects with backoff on its own."""

    def __init__(
        self,
        pbx: Pbx,
        *,
        backoff: Backoff | None = None,
        timeout: float = 10.0,
        ping_interval: float = 30.0,
        agents: AgentExtensions | None = None,
    ):
        self.pbx = pbx
        self.backoff = backoff or Backoff()
        self.timeout = timeout  # connect, banner and login
        self.ping_interval = ping_interval  # silence after which we ask "still there?"
        self.agents = agents or AgentExtensions()
        self.tracker = CallTracker()
        # Event blocks read after login, followed or not; tests wait on it.
        self.events_read = 0
        self._action_ids = itertools.count(1)
        self._stop_requested = False
        self._stopping: asyncio.Event | None = None  # made in run(), on its loop

    def __repr__(self) -> str:
        return f"<AmiClient {self.pbx.name}>"

    def stop(self) -> None:
        """Ask ``run()`` to return. Call it on the loop's thread (a signal
        handler added with ``loop.add_signal_handler`` or a task)."""
        self._stop_requested = True
        if self._stopping is not None:
            self._stopping.set()

    async def run(self) -> None:
        """Connect, log in and follow events until ``stop()``; every failure
        (refused, dropped, wrong secret) is logged and retried after a backoff."""
        self._stopping = asyncio.Event()
        if self._stop_requested:
            self._stopping.set()
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            while not stopping.done():
                session = asyncio.ensure_future(self._session())
                await asyncio.wait({session, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not session.done():
                    session.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await session
                    break
                self._log_session_end(session)
                if stopping.done():
                    break
                delay = self.backoff.next()
                logger.info("AMI %s: reconnecting in %g s", self.pbx.name, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(stopping), delay)
        finally:
            stopping.cancel()
            # The sync thread's connection would otherwise outlive the client.
            await sync_to_async(connections.close_all, thread_sensitive=True)()
            logger.info("AMI %s: stopped", self.pbx.name)

    def _log_session_end(self, session: asyncio.Future) -> None:
        exc = session.exception()
        name = self.pbx.name
        if isinstance(exc, AmiLoginError):
            logger.error("AMI %s: login refused: %s", name, exc)
        elif isinstance(exc, (AmiError, OSError, TimeoutError)):
            logger.warning("AMI %s: disconnected: %s", name, exc or type(exc).__name__)
        elif exc is not None:
            logger.error("AMI %s: session failed", name, exc_info=exc)

    async def _session(self) -> None:
        pbx = await _on_fresh_connection(_pbx_reload)(self.pbx)
        logger.info("AMI %s: connecting to %s:%s", pbx.name, pbx.ami_host, pbx.ami_port)
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(pbx.ami_host, pbx.ami_port), self.timeout
        )
        try:
            blocks = BlockReader(reader)
            banner = await blocks.line(timeout=self.timeout)
            if not banner.startswith(BANNER_PREFIX):
                raise AmiError(f"Not an Asterisk manager interface: {banner[:80]!r}.")
            logger.info("AMI %s: connected (%s)", pbx.name, banner)
            await self._login(blocks, writer)
            self.backoff.reset()
            logger.info("AMI %s: logged in as %s; following calls", pbx.name, pbx.ami_username)
            await self._follow(blocks, writer)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _login(self, blocks: BlockReader, writer: asyncio.StreamWriter) -> None:
        action_id = f"m360-login-{next(self._action_ids)}"
        writer.write(
            encode_action(
                "Login",
                ActionID=action_id,
                Username=self.pbx.ami_username,
                Secret=self.pbx.ami_secret,
                Events="call",
            )
        )
        await writer.drain()
        while True:
            block = await blocks.block(timeout=self.timeout)
            if "Response" not in block or block.get("ActionID", action_id) != action_id:
                continue
            if block["Response"].lower() == "success":
                return
            raise AmiLoginError(block.get("Message") or block["Response"])

    async def _follow(self, blocks: BlockReader, writer: asyncio.StreamWriter) -> None:
        # A connection a firewall dropped silently never ends on its own: after
        # ping_interval of silence we send a Ping, after another we reconnect.
        pinged = False
        while True:
            try:
                block = await blocks.block(timeout=self.ping_interval)
            except TimeoutError:
                if pinged:
                    raise AmiError("No answer to Ping; the connection is dead.") from None
                writer.write(encode_action("Ping", ActionID=f"m360-ping-{next(self._action_ids)}"))
                await writer.drain()
                pinged = True
                continue
            pinged = False
            if "Event" in block:
                await self._handle(block, at=timezone.now())
                self.events_read += 1

    async def _handle(self, block: dict[str, str], *, at: datetime) -> None:
        if not self.tracker.follows(block):
            return
        try:
            extensions = await self.agents.get()
            event = self.tracker.feed(block, agent_extensions=extensions, at=at)
            if event is None:
                return
            result = await _on_fresh_connection(services.call_event_record)(
                pbx=self.pbx, event=event
            )
        except Exception:
            # One event that cannot be recorded must not stop the door.
            logger.exception(
                "AMI %s: could not record %s of %s",
                self.pbx.name,
                block.get("Event"),
                block.get("Linkedid"),
            )
            return
        logger.info(
            "AMI %s: call %s %s%s%s",
            self.pbx.name,
            event.call_id,
            event.kind,
            f" at {event.agent_extension}" if event.agent_extension else "",
            " (already recorded)" if result.duplicate else "",
        )
