"""make bench-ingest: 20,000 signed WhatsApp webhooks over loopback, from a
concurrent client, against the ASGI server (uvicorn) on PostgreSQL.

1. Acks: the real door (POST /webhooks/whatsapp: signature check, shape
   check, the body stored in PostgreSQL, the drain queued once in Redis)
   with no Celery worker running: acks/s and ack latency p50/p95/p99.
2. Floors, same run, same server: a bare Django view that inserts the body
   as one row and answers (through the project's middleware), and a bare
   ASGI app doing the same (bench/ingest_floor.py).
3. Processing: ONE Celery worker process (solo pool) starts on the queued
   drain; time until all 20,000 stored bodies are processed into
   conversations and messages: processed/s. Then it checks that nothing was
   lost or doubled: one message per stored body, no body left pending,
   rejected or failed; if not, it says so and exits with status 1.

The client writes HTTP/1.1 over raw asyncio streams, keep-alive, N
connections: httpx's AsyncClient tops out at ~300 requests/s on this
machine even against an ASGI app that does nothing, which would measure the
client, not the server.

Targets (issue #4): >= 500 acks/s, p99 ack <= 100 ms, >= 300 processed/s on
this 2-core machine. The database (<DATABASE_URL name>_bench_ingest) is made
afresh each run and kept afterwards for inspection. Last line: JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parent.parent

SECRET = "bench-app-secret"  # noqa: S105
NUMBER_ID = "100200300400500"
TEXTS = [
    "Merhaba, yarın için deniz manzaralı oda var mı?", "Havuz saat kaçta açılıyor?",
    "Rezervasyonumu iptal etmek istiyorum", "Odamız çok kirli, klima çalışmıyor!",
    "Hi! Do you have a family room in August?", "Can we get a late check-out tomorrow?",
    "We were charged twice, can you check?", "Thanks a lot!",
    "Guten Tag, ist vom 12. bis 19. Juli ein Zimmer frei?", "Gibt es einen Flughafentransfer?",
    "Ich möchte meine Buchung stornieren", "Danke!",
    "Здравствуйте! Хочу изменить даты бронирования.", "Есть ли трансфер из аэропорта?",
    "В номере грязно!", "Спасибо",
]  # fmt: skip


def sign(body: bytes, secret: str) -> str:
    """X-Hub-Signature-256, as Meta computes it. A copy of
    channels_inbox.channels.base.sign: that package imports the models, which
    need Django set up, and this script only drives servers from outside."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str) -> tuple[str, dict, str]:
    cfg = dj_database_url.parse(url)
    if not cfg["ENGINE"].endswith("postgresql"):
        sys.exit("bench-ingest needs DATABASE_URL=postgres://…")
    name = f"{cfg['NAME']}_bench_ingest"
    conninfo = {"host": cfg["HOST"] or "127.0.0.1", "port": cfg["PORT"] or 5432,
                "user": cfg["USER"] or "postgres", "password": cfg["PASSWORD"] or None}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    bench_url = url.rsplit("/", 1)[0] + f"/{name}"
    return bench_url, conninfo, name


def server_env(bench_url: str, redis_url: str, queue: str, **extra) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": bench_url,
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        "CELERY_QUEUE": queue,
        "PUSH_CHANNEL_PREFIX": f"bench-{queue}",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="m360-bench-static-"),  # no collectstatic here
        **extra,
    }


SETUP = f"""
from django.utils import timezone
from channels_inbox.models import ChannelAccount
from guestview.models import Chain, Property, Role, AgentStatus
from guestview import services
from django.contrib.auth import get_user_model
chain = Chain.objects.create(name="Bench")
hotel = Property.objects.create(chain=chain, name="Bench Hotel", code="bench", region="belek")
ChannelAccount.objects.create(property=hotel, kind="whatsapp", name="Bench WA",
    external_id="{NUMBER_ID}", app_secret="{SECRET}", verify_token="v", access_token="t")
for i, langs in enumerate([["tr", "en"], ["de", "en"], ["ru", "en"], ["tr", "de"]]):
    user = get_user_model().objects.create(username=f"agent{{i}}")
    profile = services.agent_setup(user=user, role=Role.AGENT, properties=[hotel], languages=langs)
    services.agent_set_status(agent=profile, status=AgentStatus.ONLINE)
"""


def bodies(n: int, senders: int, rng: random.Random) -> list[tuple[bytes, str]]:
    now = int(time.time())
    out = []
    for i in range(n):
        wa_id = f"90532{rng.randrange(senders):07d}"
        body = {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "902427101000", "phone_number_id": NUMBER_ID},
                "contacts": [{"profile": {"name": f"Misafir {wa_id[-4:]}"}, "wa_id": wa_id}],
                "messages": [{"from": wa_id, "id": f"wamid.bench.{i}.{uuid.uuid4().hex[:8]}",
                              "timestamp": str(now), "type": "text",
                              "text": {"body": rng.choice(TEXTS)}}],
            }}]}],
        }  # fmt: skip
        raw = json.dumps(body, ensure_ascii=False).encode()
        out.append((raw, sign(raw, SECRET)))
    return out


def _up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def server(env: dict, port: int, workers: int, app: str = "config.asgi:application"):
    cmd = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--no-access-log", "--lifespan", "auto",
           "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while not _up(port):
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.2)
        time.sleep(2)  # every worker process up, not just the first
        yield port
    finally:
        stop(proc, timeout=10)


def stop(proc: subprocess.Popen, *, timeout: float) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


async def fire(port: int, items: list[tuple[bytes, str]], concurrency: int) -> tuple:
    """POST every (body, signature) over ``concurrency`` keep-alive
    connections: requests/s, latencies (ms), non-200 answers."""
    pending = list(reversed(items))
    latencies: list[float] = []
    errors = 0

    async def connection():
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while pending:
                raw, signature = pending.pop()
                head = (
                    f"POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    f"Content-Type: application/json\r\nX-Hub-Signature-256: {signature}\r\n"
                    f"Content-Length: {len(raw)}\r\n\r\n"
                ).encode()
                started = time.perf_counter()
                writer.write(head + raw)
                status = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += status.split(b" ")[1:2] != [b"200"]
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return len(items) / (time.perf_counter() - started), latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20_000)
    parser.add_argument("--senders", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/misafir360"
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    queue = f"bench-ingest-{uuid.uuid4().hex[:8]}"
    bench_url, conninfo, name = prepare_database(url)
    env = server_env(bench_url, redis_url, queue)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run([*manage, "shell", "-c", SETUP], env=env, check=True, cwd=ROOT)  # noqa: S603
    rng = random.Random(4)
    items = bodies(args.n, args.senders, rng)
    floor_items = bodies(args.n, args.senders, rng)
    print(f"{args.n:,} signed webhooks, {args.senders:,} senders, {args.concurrency} in flight, "
          f"uvicorn --workers {args.workers}, DB {name}", flush=True)  # fmt: skip

    floor_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.ingest_settings"}
    floors = {}
    for label, app, chunk in (
        ("django", "bench.ingest_floor:application", floor_items[: args.n // 2]),
        ("asgi", "bench.ingest_floor:raw_application", floor_items[args.n // 2 :]),
    ):
        with server(floor_env, free_port(), args.workers, app=app) as port:
            asyncio.run(fire(port, chunk[:300], args.concurrency))  # warm up
            floors[label] = asyncio.run(fire(port, chunk[300:], args.concurrency))
    with psycopg.connect(dbname=name, autocommit=True, **conninfo) as conn:
        conn.execute("TRUNCATE channels_inbox_inboundpayload")  # the floors' rows
    with server(env, free_port(), args.workers) as port:
        asyncio.run(fire(port, items[:300], args.concurrency))  # warm up (processed later too)
        acks_per_s, latencies, errors = asyncio.run(fire(port, items[300:], args.concurrency))

    with psycopg.connect(dbname=name, autocommit=True, **conninfo) as conn:
        stored = conn.execute("SELECT count(*) FROM channels_inbox_inboundpayload").fetchone()[0]
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "--queues", queue, "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
            env=env, cwd=ROOT,
        )  # fmt: skip
        started = time.perf_counter()
        try:
            deadline = started + 900
            while time.perf_counter() < deadline:
                pending = conn.execute(
                    "SELECT count(*) FROM channels_inbox_inboundpayload WHERE status = 'pending'"
                ).fetchone()[0]
                if pending == 0:
                    break
                time.sleep(0.25)
            processing_s = time.perf_counter() - started
        finally:
            stop(worker, timeout=20)
        counts = dict(conn.execute(
            "SELECT status, count(*) FROM channels_inbox_inboundpayload GROUP BY status"
        ).fetchall())  # fmt: skip
        messages = conn.execute("SELECT count(*) FROM channels_inbox_message").fetchone()[0]
        conversations = conn.execute("SELECT count(*) FROM channels_inbox_conversation").fetchone()[
            0
        ]

    processed = counts.get("processed", 0)
    processed_per_s = processed / processing_s
    result = {
        "n": stored,
        "acks_per_s": round(acks_per_s, 1),
        "p50_ack_ms": round(percentile(latencies, 50), 2),
        "p95_ack_ms": round(percentile(latencies, 95), 2),
        "p99_ack_ms": round(percentile(latencies, 99), 2),
        "errors": errors,
        "floor_acks_per_s": round(floors["django"][0], 1),
        "floor_p99_ms": round(percentile(floors["django"][1], 99), 2),
        "ratio": round(floors["django"][0] / acks_per_s, 2),
        "asgi_floor_acks_per_s": round(floors["asgi"][0], 1),
        "asgi_floor_p99_ms": round(percentile(floors["asgi"][1], 99), 2),
        "asgi_ratio": round(floors["asgi"][0] / acks_per_s, 2),
        "processed_per_s": round(processed_per_s, 1),
        "processed": processed,
        "messages": messages,
        "conversations": conversations,
        "not_processed": {k: v for k, v in counts.items() if k != "processed"},
    }
    print(
        f"acks:       {acks_per_s:8.1f}/s   p50 {result['p50_ack_ms']} ms   "
        f"p95 {result['p95_ack_ms']} ms   p99 {result['p99_ack_ms']} ms   non-200: {errors}"
    )
    print(
        f"floor:      {floors['django'][0]:8.1f}/s   p99 {result['floor_p99_ms']} ms   "
        f"(bare Django view, one INSERT; non-200: {floors['django'][2]})   "
        f"floor/acks = {result['ratio']}"
    )
    print(
        f"asgi floor: {floors['asgi'][0]:8.1f}/s   p99 {result['asgi_floor_p99_ms']} ms   "
        f"(bare ASGI app, one INSERT; non-200: {floors['asgi'][2]})   "
        f"floor/acks = {result['asgi_ratio']}"
    )
    print(
        f"processing: {processed_per_s:8.1f}/s   {processed:,} bodies in {processing_s:.1f} s "
        f"by one worker -> {messages:,} messages in {conversations:,} conversations"
    )
    print(f"targets: acks >= 500/s {'met' if acks_per_s >= 500 else 'NOT met'}, "
          f"p99 <= 100 ms {'met' if result['p99_ack_ms'] <= 100 else 'NOT met'}, "
          f"processing >= 300/s {'met' if processed_per_s >= 300 else 'NOT met'}")  # fmt: skip
    intact = messages == stored and processed == stored and not result["not_processed"]
    print(
        f"check: {stored:,} bodies stored, {processed:,} processed, {messages:,} messages, "
        f"not processed {result['not_processed']}: {'ok' if intact else 'LOST OR DOUBLED'}"
    )
    print(json.dumps(result))
    if not intact:
        sys.exit(1)


if __name__ == "__main__":
    main()
