"""PostgreSQL: keep a window row's vectors in the row when it has case-mix cells
(``toast_tuple_target`` 3000 instead of PostgreSQL's default of about 2 kB).

Why: a row with cells (values 1,272 bytes stored uncompressed, cells 1,920 bytes that lz4
makes about 700) came to about 2.1 kB, just over the default target; PostgreSQL then moved the
largest value left, the KPI vector, out to the TOAST table. Every refresh after a format-1.1
import reads every counted row of five windows, and fetching 10,000 vectors a window from the
TOAST table one by one made that read 121 ms instead of 77 ms (national window with cells, wall,
median of 9, 2026-11-30). With room for 3,000 bytes the cells are still compressed first, and
the row then fits. Rows stored before keep their vector in the TOAST table (an update of their
flags carries it over as it is); on other databases this migration does nothing.
"""

from django.db import migrations

TABLE = "benchmark_windowvalues"
TARGET = 3000  # bytes; PostgreSQL allows 128–8160


def _set_target(target):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(TABLE)
        if target is None:
            schema_editor.execute(f"ALTER TABLE {table} RESET (toast_tuple_target)")
        else:
            schema_editor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = {int(target)})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("benchmark", "0013_window_values_fewer_indexes")]

    operations = [
        migrations.RunPython(_set_target(TARGET), _set_target(None)),
    ]
