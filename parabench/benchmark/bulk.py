"""Bulk insert of plain tuples: COPY on PostgreSQL, executemany elsewhere.

Why not ``bulk_create``: a full recompute writes hundreds of thousands of rows, and building a
model instance per row costs more than the database work itself.
"""

from datetime import datetime

from django.db import connection


def bulk_insert(model, fields, rows) -> None:
    """Bulk insert plain tuples: COPY on PostgreSQL, executemany elsewhere (no model objects)."""
    table = model._meta.db_table
    columns = [model._meta.get_field(f.removesuffix("_id")).column for f in fields]
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = connection.ops.quote_name(table)
            with cursor.cursor.copy(f"COPY {quoted} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        # Table and column names come from the model's metadata, never from input.
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608
        adapt = connection.ops.adapt_datetimefield_value
        batch = []
        for row in rows:
            if any(isinstance(value, datetime) for value in row):
                row = tuple(adapt(v) if isinstance(v, datetime) else v for v in row)
            batch.append(row)
            if len(batch) >= 10000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
