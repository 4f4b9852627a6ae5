"""PostgreSQL: compress the case-mix cells with lz4 instead of pglz.

Why: the cells (48 × 5 whole counts, mostly zeros) do compress — 1,920 bytes to about 500 — and
stay in the row that way, but every refresh after a format-1.1 import reads a window's cells of
every practice, and pglz's decompression was a third of that read: 59–66 ms against 46–50 ms
with lz4 per national window (10,000 rows, min/median of 7, 2026-11-30). Rows written before
keep pglz (both read the same); only new values take lz4. Where the server was built without
lz4, or on other databases, this migration does nothing.
"""

from django.db import migrations

TABLE, COLUMN = "benchmark_windowvalues", "cells"


def _set_compression(method):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT %s = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'",
                [method],
            )
            found = cursor.fetchone()
        if not (found and found[0]):
            return
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(TABLE)} ALTER COLUMN {quote(COLUMN)} SET COMPRESSION {method}"
        )

    return apply


class Migration(migrations.Migration):
    dependencies = [("benchmark", "0010_counted_cells_index")]

    operations = [
        migrations.RunPython(_set_compression("lz4"), _set_compression("pglz")),
    ]
