"""make bench-ingest's floors: the project's settings, the same middleware and
server, but URLs that only know the floor view (bench/ingest_floor.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ingest_floor"
