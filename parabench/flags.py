"""One statement that sets a stored flag from a ranked query: ``UPDATE … FROM``.

Both "which export counts" flags (``Import.is_current`` and ``WindowValues.counted``) are set
this way. Not two updates with ``pk [NOT] IN (ranked subquery)``: after a burst had flipped a
whole national year (70,000 rows) and before autovacuum analysed the table, PostgreSQL took
"NOT counted" for one row and ran ``IN`` as a nested-loop semi join ranking the year again for
each row: quadratic (cancelled after 16 minutes in the import benchmark; at the 90 s timeout in
``bench/bench_counted.py``, where this form took 7.6 s on the same stale statistics and 4.8 s on
fresh ones: docs/benchmarks-counted.md, load 3–5; docs/statistics.md §7). Here the table joins
without a condition of its own, so its estimate is its size whatever the statistics say: a plan
that reads the ranked rows once per table row never costs less than one that looks each ranked
row up by its primary key, hashes or merges them. The SQL of the ranked rows is the ORM's: each
rule stays in one place. SQLite has ``UPDATE … FROM`` since 3.33 (Debian 12 and Python 3.11
here: 3.40).
"""

import sqlite3

from django.db import NotSupportedError, connections
from django.db.models import F


def flag_update_sql(rows, field: str, value: str) -> tuple[str, list]:
    """The statement that sets ``field`` of each row of ``rows`` (a queryset of one model) to its
    boolean annotation ``value``, writing only the rows where the two differ."""
    connection = connections[rows.db]
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33):
        raise NotSupportedError("ParaBench needs SQLite 3.33 or newer (UPDATE … FROM).")
    changed = rows.exclude(**{field: F(value)}).values(row_id=F("pk"), new_value=F(value))
    ranked, params = changed.query.get_compiler(rows.db).as_sql()
    q = connection.ops.quote_name
    table, column = q(rows.model._meta.db_table), q(rows.model._meta.get_field(field).column)
    pk = q(rows.model._meta.pk.column)
    # The flag compared again outside: a row another transaction changed meanwhile is checked
    # anew (PostgreSQL re-evaluates the join condition on its newest version).
    sql = (
        f"UPDATE {table} AS target SET {column} = r.{q('new_value')} "  # noqa: S608
        f"FROM ({ranked}) AS r "
        f"WHERE target.{pk} = r.{q('row_id')} AND target.{column} <> r.{q('new_value')}"
    )
    return sql, list(params)


def update_flag(rows, field: str, value: str) -> int:
    """Run ``flag_update_sql``; returns how many rows it wrote."""
    sql, params = flag_update_sql(rows, field, value)
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
