"""Many rows in one statement, for the hot batch paths (the ingest drain,
the SLA scan, alerts, KPI events).

On PostgreSQL the values travel as one array per column (``unnest``): the
statement stays short whatever the number of rows, so neither psycopg nor
the server parses thousands of placeholders (make bench-sla measured a
third of a burst pass in that parsing). Elsewhere (the SQLite demo) a plain
multi-row VALUES does the same job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection


def db_value(value):
    """A raw statement's parameter as the ORM would store it. On SQLite an
    aware datetime must become naive UTC text, or "10:48+03:00" compares as
    text against the ORM's "07:48" and deadlines come out hours wrong."""
    if connection.vendor != "postgresql" and isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def insert_many(
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence],
    *,
    suffix: str = "",
) -> list[tuple]:
    """INSERT ``rows`` into ``table``; ``columns`` are (name, PostgreSQL
    type); ``suffix`` is what follows (ON CONFLICT …, RETURNING …). The
    returned rows, when ``suffix`` has a RETURNING."""
    if not rows:
        return []
    names = ", ".join(name for name, _type in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{type_}[]" for _name, type_ in columns)
            params = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {suffix}",  # noqa: S608
                params,
            )
        else:
            placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
                f"{', '.join([placeholders] * len(rows))} {suffix}",
                [db_value(value) for row in rows for value in row],
            )
        return cursor.fetchall() if "RETURNING" in suffix.upper() else []


def update_many(model, objs: list, fields: list[str]) -> None:
    """One UPDATE for many rows of ``model``, each to its own values (Django's
    bulk_update builds a CASE per field and row: 70% of an ingest batch's
    time in make bench-ingest)."""
    if not objs or not fields:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields)
        return
    meta = model._meta
    pk = meta.pk
    columns = [pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{_array_type(f)}[]" for f in columns)
    names = ", ".join(quote(f.column) for f in columns)
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns[1:])
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs]
              for f in columns]  # fmt: skip
    table, key = quote(meta.db_table), quote(pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({names}) "  # noqa: S608
            f"WHERE t.{key} = v.{key}",
            params,
        )


def _array_type(field) -> str:
    # "varchar(12)" → "varchar": an array of the bare type is what unnest needs.
    return field.db_type(connection).split("(")[0]
