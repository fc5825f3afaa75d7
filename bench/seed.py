"""make bench-seed: how long `seed_demo --guests N` takes on PostgreSQL.

Creates a fresh database next to the one DATABASE_URL names, migrates it,
times the seed, then measures a floor in the same run: PostgreSQL writing the
same number of rows with generate_series into an unlogged table, i.e. the
least any loader could take on this machine. Prints the figures; the last line
is JSON. Target (issue #2): 1M guests with contact points and ~3M stays in
under 300 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parent.parent
TABLES = [
    "guestview_guest",
    "guestview_contactpoint",
    "guestview_stay",
    "guestview_preference",
    "consent_consentrecord",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guests", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="Keep the bench database.")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/misafir360")
    cfg = dj_database_url.parse(url)
    if not cfg["ENGINE"].endswith("postgresql"):
        print("bench-seed needs DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    bench_db = f"{cfg['NAME']}_bench_seed"
    conninfo = {
        "host": cfg["HOST"] or "127.0.0.1",
        "port": cfg["PORT"] or 5432,
        "user": cfg["USER"] or "postgres",
        "password": cfg["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{bench_db}"')
    bench_url = url.rsplit("/", 1)[0] + f"/{bench_db}"
    env = {**os.environ, "DATABASE_URL": bench_url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603

    print(f"Seeding {args.guests:,} guests into {bench_db} …", flush=True)
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [*manage, "seed_demo", "--guests", str(args.guests)], env=env, check=True, cwd=ROOT
    )
    seconds = time.perf_counter() - started

    with psycopg.connect(dbname=bench_db, autocommit=True, **conninfo) as conn:
        rows = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        total = sum(rows.values())
        started = time.perf_counter()
        conn.execute(
            "CREATE UNLOGGED TABLE bench_floor AS "
            "SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, %s) g",
            [total],
        )
        floor_seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_floor")

    if not args.keep:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')

    counts = ", ".join(f"{table.split('_', 1)[1]}={n:,}" for table, n in rows.items())
    print(f"rows: {counts}")
    print(f"seed_demo: {seconds:.1f} s  (target < 300 s)")
    print(f"floor (server-side generate_series of {total:,} rows): {floor_seconds:.1f} s")
    print(f"ratio to floor: {seconds / floor_seconds:.1f}x")
    print(
        json.dumps(
            {
                "bench": "seed_demo",
                "guests": args.guests,
                "rows": rows,
                "seconds": round(seconds, 1),
                "target_seconds": 300,
                "floor_seconds": round(floor_seconds, 2),
                "ratio_to_floor": round(seconds / floor_seconds, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
