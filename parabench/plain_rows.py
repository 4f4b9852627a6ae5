"""Rows of a plain SQL statement read as the ORM reads them, and new rows written as ``save()``
writes them, for the hot paths that write their statement once per process instead of letting
the ORM build it on every request (``certificates.lookup``, ``dashboard.access``, the uploader's
inserts: 0.4–0.8 ms of CPU a query saved).

What the ORM's compiler applies to a fetched row: the database's converters of each column
(SQLite returns dates as text) and the field's own; ``Model.from_db`` then makes the instance.
A leaf module: it imports no app of ParaBench.
"""

import functools

from django.db import connection
from django.db.models.signals import pre_save


def converters(selected) -> tuple:
    """For the selected columns, ``(field, table alias)`` in column order: the positions that
    need converting, with their converters and column."""
    found = []
    for position, (field, alias) in enumerate(selected):
        column = field.get_col(alias)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            found.append((position, functions, column))
    return tuple(found)


def converted(row, converters) -> list:
    """``row`` with each column's ``converters`` applied."""
    row = list(row)
    for position, functions, column in converters:
        for convert in functions:
            row[position] = convert(row[position], column, connection)
    return row


@functools.cache
def insert_statement(model) -> tuple[str, list, object]:
    """The INSERT of ``model`` that ``save()`` sends for a new row: every concrete field but an
    auto-incremented key, which the database returns. Written once per model and process, from
    its metadata (table and column names, never input)."""
    q = connection.ops.quote_name
    meta = model._meta
    inserted = [f for f in meta.concrete_fields if f is not meta.auto_field]
    returned = meta.auto_field if connection.features.can_return_columns_from_insert else None
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in inserted)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(inserted))})"
        + (f" RETURNING {q(returned.column)}" if returned is not None else "")
    )
    return sql, inserted, returned


def insert_values(instance) -> list:
    """The values ``insert`` sends for ``instance``, in the order of ``insert_statement``'s
    fields: ``pre_save`` sent as ``save()`` sends it, then each field's own ``pre_save`` and
    database value."""
    model = type(instance)
    pre_save.send(sender=model, instance=instance, raw=False, using=connection.alias)
    _sql, inserted, _returned = insert_statement(model)
    return [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in inserted]


def inserted(instance, key) -> None:
    """Mark ``instance`` as a row of the database with its new ``key`` (as ``save()`` does)."""
    if instance._meta.auto_field is not None:
        setattr(instance, instance._meta.auto_field.attname, key)
    instance._state.adding = False
    instance._state.db = connection.alias


def insert(instance) -> None:
    """INSERT ``instance`` as a new row, with each field's own ``pre_save`` and database value (its
    defaults too, ``auto_now_add`` included), and set its key when the database makes it.

    Why not ``save()``: the ORM builds the statement anew on every call, 0.5 ms of CPU for one
    row against 0.06–0.1 ms through the cursor (PostgreSQL); the uploader inserts two per upload.
    ``pre_save`` is sent as ``save()`` sends it (django-tasks' database backend fills in a task's
    "run after" there); ``post_save`` is not, so only for models no receiver of it listens to.
    """
    values = insert_values(instance)
    sql, _inserted, returned = insert_statement(type(instance))
    key = None
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if instance._meta.auto_field is not None:
            key = cursor.fetchone()[0] if returned is not None else cursor.lastrowid
    inserted(instance, key)
