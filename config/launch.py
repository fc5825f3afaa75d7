"""Runs the whole console on one machine: web (uvicorn, ASGI), a Celery worker
and Celery beat, until Ctrl-C stops all three. ``make demo`` calls it; in
production each runs as its own service (docker-compose.yml).

Without REDIS_URL the embedded Valkey server is started first and stopped at
the end; with REDIS_URL/DATABASE_URL set, those are used as they are.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

import django


def _print_banner(url: str) -> None:
    from django.contrib.auth import get_user_model

    from guestview.models import Role
    from guestview.selectors import properties_served_by

    print("\n" + "=" * 72)
    print(f"  Misafir360 is running at  {url}")
    print(f"  Admin:                    {url}admin/")
    print("  Demo logins (password for all: demo1234):")
    users = get_user_model().objects.filter(groups__name__in=Role.values).distinct()
    for user in users.order_by("username").prefetch_related("groups"):
        roles = ",".join(sorted(g.name for g in user.groups.all()))
        profile = getattr(user, "agent_profile", None)
        langs = "/".join(profile.language_codes).upper() if profile else ""
        props = ", ".join(p.code for p in properties_served_by(user)) or "all"
        print(f"    {user.username:<16} {roles:<11} {langs:<12} {props}")
    print("  Try a call (the screen-pop reaches ayse, ext. 201, in an open console):")
    print(
        f'    curl -H \'X-Misafir-Token: demo-pbx-token\' -d \'{{"event": "ringing", '
        f'"call_id": "demo-1", "caller": "0532 123 45 67", '
        f'"called": "0242 710 10 00", "agent_extension": "201"}}\' {url}cti/events'
    )
    print("  The inbox (Queue) has a morning of WhatsApp/Instagram messages; replies go to")
    print("  a built-in Graph API sandbox. Send a guest message yourself with:")
    print("    .venv/bin/python manage.py inbox_test_message --hotel blk 'Yarın için oda var mı?'")
    print(f"  A hotel page with the web chat widget: {url}webchat/demo/demo-webchat-blk")
    print("  Ctrl-C stops web, worker and beat.")
    print("=" * 72 + "\n", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    embedded = not os.environ.get("REDIS_URL")
    django.setup()  # starts the embedded server when REDIS_URL is unset
    from django.conf import settings

    env = {**os.environ, "REDIS_URL": settings.REDIS_URL}
    if settings.DEBUG:
        # Replies typed in the demo go to the built-in Graph API sandbox
        # (channels_inbox.sandbox) unless a real one is configured.
        env.setdefault("META_GRAPH_URL", f"http://{args.host}:{args.port}/webhooks/sandbox/graph")
    py = sys.executable
    commands = {
        "web": [py, "-m", "uvicorn", "config.asgi:application", "--host", args.host,
                "--port", str(args.port), "--no-access-log", "--lifespan", "on",
                # Open SSE streams must not hold up Ctrl-C.
                "--timeout-graceful-shutdown", "2"],
        "worker": [py, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO",
                   "--concurrency", "2"],
        "beat": [py, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                 "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
    }  # fmt: skip
    procs = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}  # noqa: S603

    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    url = f"http://{args.host}:{args.port}/"
    _wait_for_web(url, procs["web"])
    _wait_for_worker(procs["worker"])
    _print_banner(url)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the rest.", flush=True)
                exit_code = proc.returncode or 1
                stopping = True
        time.sleep(0.5)

    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    if embedded:
        from config.embedded_redis import stop as stop_redis

        stop_redis(settings.RUN_DIR / "valkey")
    print("Stopped.", flush=True)
    return exit_code


def _wait_for_web(url: str, proc: subprocess.Popen) -> None:
    import urllib.request

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "healthz", timeout=1):  # noqa: S310 - our own URL
                return
        except OSError:
            time.sleep(0.3)


def _wait_for_worker(proc: subprocess.Popen) -> None:
    """Until the worker answers a ping, so the banner comes after its start-up log."""
    from config.celery import app

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if app.control.ping(timeout=0.5):
            return


if __name__ == "__main__":
    sys.exit(main())
