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
            # Binary COPY: blobs travel as bytes, not as hex text twice their size.
            types = [_pg_type(model._meta.get_field(f.removesuffix("_id"))) for f in fields]
            quoted = connection.ops.quote_name(table)
            sql = f"COPY {quoted} ({column_list}) FROM STDIN (FORMAT BINARY)"
            with cursor.cursor.copy(sql) as copy:
                copy.set_types(types)
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


_PG_TYPES = {
    "smallint": "int2",
    "integer": "int4",
    "bigint": "int8",
    "varchar": "text",
    "boolean": "bool",
    "bytea": "bytea",
    "timestamp with time zone": "timestamptz",
}


def _pg_type(field) -> str:
    """The PostgreSQL type name psycopg's binary COPY needs for a model field."""
    return _PG_TYPES[field.db_type(connection).split("(")[0]]
