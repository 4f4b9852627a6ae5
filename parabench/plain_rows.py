"""Rows of a plain SQL statement read as the ORM reads them, for the hot paths that write their
statement once per process instead of letting the ORM build it on every request
(``certificates.lookup``, ``dashboard.access``: 0.6–0.8 ms of CPU a query saved).

What the ORM's compiler applies to a fetched row: the database's converters of each column
(SQLite returns dates as text) and the field's own; ``Model.from_db`` then makes the instance.
A leaf module: it imports no app of ParaBench.
"""

from django.db import connection


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
