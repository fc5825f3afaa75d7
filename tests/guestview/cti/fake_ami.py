"""A stand-in for Asterisk's manager interface, for tests: a TCP server on
127.0.0.1 that sends the banner, checks the Login action like Asterisk does
(a wrong secret gets ``Response: Error`` and the connection is closed), then
replays recorded event blocks.

Each accepted login plays the next ``Session`` (the last one again when they
run out); a session can drop the connection at its end, as a restarting
Asterisk or a broken network does.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from dataclasses import dataclass
from pathlib import Path

TRANSCRIPTS = Path(__file__).parent / "transcripts"
BANNER = "Asterisk Call Manager/7.0.3"
USERNAME = "misafir360"
SECRET = "s3cret-ami"


def load_transcript(name: str) -> list[list[str]]:
    """The event blocks of ``transcripts/<name>.ami`` (blocks end with an empty line)."""
    blocks: list[list[str]] = []
    lines: list[str] = []
    for line in (TRANSCRIPTS / f"{name}.ami").read_text(encoding="utf-8").splitlines():
        if line.strip():
            lines.append(line.rstrip())
        elif lines:
            blocks.append(lines)
            lines = []
    if lines:
        blocks.append(lines)
    return blocks


@dataclass
class Session:
    blocks: list[list[str]]
    drop: bool = False  # close the connection once the blocks are sent
    mute: bool = False  # then answer nothing, like a link a firewall cut silently


class FakeAmi:
    def __init__(
        self,
        *sessions: Session,
        username: str = USERNAME,
        secret: str = SECRET,
        newline: str = "\r\n",
    ):
        self.sessions = list(sessions) or [Session(blocks=[])]
        self.username = username
        self.secret = secret
        self.newline = newline
        self.login_attempts = 0
        self.logins_accepted = 0
        # Event blocks written to clients so far (FullyBooted included).
        self.events_sent = 0
        self.actions: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        assert self._server is not None, "start() the server first"
        return self._server.server_address[:2]

    def start(self) -> FakeAmi:
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                fake._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeAmi:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- one connection ------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(0.1)
        connection = _Connection(sock, self._stopping)
        connection.send(BANNER + self.newline)
        login = connection.read_block()
        if login is None:
            return
        with self._lock:
            self.actions.append(login)
            self.login_attempts += 1
        action_id = login.get("ActionID", "")
        accepted = (
            login.get("Action", "").lower() == "login"
            and login.get("Username") == self.username
            and login.get("Secret") == self.secret
        )
        if not accepted:
            # Asterisk answers, then ends the session.
            connection.send(
                self._block(
                    ["Response: Error", f"ActionID: {action_id}", "Message: Authentication failed"]
                )
            )
            return
        with self._lock:
            session = self.sessions[min(self.logins_accepted, len(self.sessions) - 1)]
            self.logins_accepted += 1
            self.events_sent += 1 + len(session.blocks)
        connection.send(
            self._block(
                ["Response: Success", f"ActionID: {action_id}", "Message: Authentication accepted"]
            )
            + self._block(
                [
                    "Event: FullyBooted",
                    "Privilege: system,all",
                    "Uptime: 86400",
                    "LastReload: 3600",
                    "Status: Fully Booted",
                ]
            )
            + "".join(self._block(block) for block in session.blocks)
        )
        if session.drop:
            return
        while (action := connection.read_block()) is not None:
            with self._lock:
                self.actions.append(action)
            if session.mute:
                continue
            reply = ["Response: Success", f"ActionID: {action.get('ActionID', '')}"]
            if action.get("Action", "").lower() == "ping":
                connection.send(self._block([*reply, "Ping: Pong", "Timestamp: 1719838500.000000"]))
            elif action.get("Action", "").lower() == "logoff":
                connection.send(
                    self._block(["Response: Goodbye", "Message: Thanks for all the fish."])
                )
                return

    def _block(self, lines: list[str]) -> str:
        return self.newline.join(lines) + self.newline * 2


class _Connection:
    """Blocking line I/O on a socket that gives up when the server stops."""

    def __init__(self, sock: socket.socket, stopping: threading.Event):
        self._sock = sock
        self._stopping = stopping
        self._buffer = b""

    def send(self, text: str) -> None:
        # The client may have gone away; the test sees that through the client.
        with contextlib.suppress(OSError):
            self._sock.sendall(text.encode())

    def read_block(self) -> dict[str, str] | None:
        """The next action the client sent, or None when it hung up."""
        block: dict[str, str] = {}
        while True:
            line = self._read_line()
            if line is None:
                return None
            if line:
                key, _sep, value = line.partition(":")
                block[key.strip()] = value.strip()
            elif block:
                return block

    def _read_line(self) -> str | None:
        while b"\n" not in self._buffer:
            if self._stopping.is_set():
                return None
            try:
                data = self._sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return None
            if not data:
                return None
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode().rstrip("\r")
