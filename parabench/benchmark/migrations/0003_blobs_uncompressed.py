"""PostgreSQL: store the packed float vectors uncompressed (STORAGE EXTERNAL).

Packed floats barely compress, and trying costs the database CPU on every recompute; on other
databases this migration does nothing.
"""

from django.db import migrations

COLUMNS = [
    ("benchmark_windowvalues", "values"),
    ("benchmark_windowvalues", "growth"),
    ("benchmark_groupstatistics", "stats"),
    ("benchmark_grouppositions", "rows"),
    ("benchmark_grouppositions", "shares"),
]


def _set_storage(storage):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        for table, column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET STORAGE {storage}"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [("benchmark", "0002_positions_per_group")]

    operations = [
        migrations.RunPython(_set_storage("EXTERNAL"), _set_storage("EXTENDED")),
    ]
