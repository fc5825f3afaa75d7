"""make bench-screenpop: server time from a ringing event received to the card
fragment rendered and published, on PostgreSQL with 1M guests / ~3M stays.

Replays 2,000 ringing events (80% known callers, 20% unknown, numbers in
mixed real-world formats) through the real door (POST /cti/events, in-process
Django test client: URL routing, middleware, token check, parsing, the write,
the guest lookup, the card render and the Redis publish), and in the same run
a floor: a minimal Django view doing one indexed lookup and rendering a tiny
template, through the same client and middleware. Prints p50/p95/p99 of both
and their ratio; the last line is JSON. Targets (issue #3): p95 <= 25 ms and
p95 / floor p95 <= 3.

The 1M-guest database (<DATABASE_URL name>_bench_1m) is seeded on the first
run (about two minutes) and reused afterwards; --reseed starts it over.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def prepare_database(url: str, guests: int, reseed: bool) -> str:
    cfg = dj_database_url.parse(url)
    if not cfg["ENGINE"].endswith("postgresql"):
        sys.exit("bench-screenpop needs DATABASE_URL=postgres://…")
    name = f"{cfg['NAME']}_bench_1m"
    conninfo = {"host": cfg["HOST"] or "127.0.0.1", "port": cfg["PORT"] or 5432,
                "user": cfg["USER"] or "postgres", "password": cfg["PASSWORD"] or None}  # fmt: skip
    bench_url = url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": bench_url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    with psycopg.connect(dbname=name, **conninfo) as conn:
        have = conn.execute("SELECT count(*) FROM guestview_guest").fetchone()[0]
    if have < guests:
        print(f"Seeding {guests - have:,} guests into {name} (once) …", flush=True)
        subprocess.run(  # noqa: S603
            [*manage, "seed_demo", "--guests", str(guests - have)], env=env, check=True, cwd=ROOT
        )
    return bench_url


def mixed_format(e164: str, rng: random.Random) -> str:
    """How PBXs and agents really write the number."""
    if e164.startswith("+90"):
        national = e164[3:]
        return rng.choice([
            f"0{national[:3]} {national[3:6]} {national[6:8]} {national[8:]}",
            f"+90 ({national[:3]}) {national[3:6]}-{national[6:8]}-{national[8:]}",
            f"0090{national}",
            f"{national[:3]} {national[3:6]} {national[6:]}",
            e164,
        ])  # fmt: skip
    return rng.choice([e164, "00" + e164[1:], f"{e164[:3]} {e164[3:6]} {e164[6:]}"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--guests", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/misafir360")
    os.environ["DATABASE_URL"] = prepare_database(url, args.guests, args.reseed)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Production settings: DEBUG off (no query log, no template debug info).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("STATIC_ROOT", str(ROOT / ".run" / "staticfiles"))
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    from guestview import push
    from guestview.models import AgentProfile, ContactPoint, Pbx, PbxKind, PropertyNumber

    setup_test_environment()  # the test client's response bookkeeping, nothing else
    rng = random.Random(2000)
    agent = AgentProfile.objects.select_related("user").get(extension="201")  # ayse, Belek
    line = PropertyNumber.objects.filter(property__code="blk").values_list("number", flat=True)[0]
    pbx, _ = Pbx.objects.get_or_create(name="Bench PBX", defaults={"kind": PbxKind.GENERIC})
    known_n = int(args.events * 0.8)
    # Known callers: phones of Belek guests (the hotel the agent serves), by random id.
    max_id = ContactPoint.objects.order_by("-id").values_list("id", flat=True).first()
    known: list[str] = []
    while len(known) < known_n:
        ids = [rng.randrange(1, max_id) for _ in range(2000)]
        known += list(
            ContactPoint.objects.filter(
                id__in=ids, kind="phone", guest__property__code="blk"
            ).values_list("value", flat=True)
        )
    known = known[:known_n]
    unknown = [f"+90555{rng.randrange(10**7):07d}" for _ in range(args.events - known_n)]
    callers = [mixed_format(n, rng) for n in known + unknown]
    rng.shuffle(callers)

    # Count what reaches the agent's channel, to be sure every card was published.
    received = []
    subscriber = redis.Redis.from_url(settings.REDIS_URL).pubsub()
    subscriber.subscribe(push.agent_channel(agent.pk))

    def listen():
        for message in subscriber.listen():
            if message["type"] == "message":
                received.append(json.loads(message["data"])["event"])

    threading.Thread(target=listen, daemon=True).start()
    time.sleep(0.2)

    client = Client()
    run_id = f"{time.time():.0f}"

    def ring(i: int, caller: str) -> float:
        body = json.dumps({"event": "ringing", "call_id": f"bench-{run_id}-{i}",
                           "caller": caller, "called": line, "agent_extension": "201"})  # fmt: skip
        started = time.perf_counter()
        response = client.post("/cti/events", body, content_type="application/json",
                               headers={"X-Misafir-Token": pbx.token})  # fmt: skip
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content
        return elapsed * 1000

    for i in range(100):  # warm-up: connections, template and DID caches
        ring(-1 - i, callers[i % len(callers)])
    times = [ring(i, caller) for i, caller in enumerate(callers)]

    floor_numbers = [ContactPoint.objects.filter(value=n).values_list("value", flat=True).first()
                     or n for n in known[:200]]  # fmt: skip
    with override_settings(ROOT_URLCONF="bench.floor_urls"):
        floor_client = Client()
        for n in floor_numbers[:100]:
            floor_client.get("/floor", {"n": n})
        floor = []
        for i in range(args.events):
            started = time.perf_counter()
            response = floor_client.get("/floor", {"n": floor_numbers[i % len(floor_numbers)]})
            floor.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200

    time.sleep(0.3)
    pops = received.count("pop")
    p50, p95, p99 = (percentile(times, p) for p in (50, 95, 99))
    f50, f95 = percentile(floor, 50), percentile(floor, 95)
    print(f"events: {len(times)} ringing ({known_n} known callers, {len(unknown)} unknown), "
          f"{pops} cards published to the agent")  # fmt: skip
    print(
        f"event → card rendered and published: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
        f"p99 {p99:.2f} ms, mean {statistics.fmean(times):.2f} ms  (target p95 <= 25 ms)"
    )
    print(f"floor (one indexed lookup + tiny template): p50 {f50:.2f} ms, p95 {f95:.2f} ms")
    print(f"ratio p95 / floor p95: {p95 / f95:.2f}  (target <= 3)")
    print(json.dumps({
        "bench": "screenpop", "events": len(times), "published": pops,
        "p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "p99_ms": round(p99, 2),
        "floor_p50_ms": round(f50, 2), "floor_p95_ms": round(f95, 2),
        "ratio_p95": round(p95 / f95, 2),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
