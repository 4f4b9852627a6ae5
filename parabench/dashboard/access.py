"""A dashboard page's import, with its practice and the practice's network, in one query.

``practice_required`` (``parabench.practices.access``) reads the user's practice with its
network, and the page then read its import: two ORM queries, each costing more to build than
to run (0.6 ms of CPU apiece on every page, against about 10 ms for the whole page). Here both
come in one plain SQL statement that still asks for the import *of the user's own practice*: any
other practice's import is not found (a 404), exactly as before.
"""

import functools

from django.db import connection

from parabench import plain_rows
from parabench.practices.models import Network, Practice
from parabench.uploads.models import Import


def _fields(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@functools.cache
def _in_model_order(names: tuple[str, ...]) -> tuple[str, ...]:
    """``Model.from_db`` takes a subset of the fields in the model's order."""
    return tuple(name for name in _fields(Import) if name in names)


@functools.cache
def _statement(import_fields: tuple[str, ...]):
    """The statement, the practice's and network's field names, and the converters of the
    selected columns (``plain_rows``: SQLite returns dates as text)."""
    quote = connection.ops.quote_name
    practice, network = _fields(Practice), _fields(Network)
    selected = (
        [Import._meta.get_field(name) for name in import_fields]
        + list(Practice._meta.concrete_fields)
        + list(Network._meta.concrete_fields)
    )
    converters = plain_rows.converters([(field, field.model._meta.db_table) for field in selected])
    columns = (
        [f"i.{quote(name)}" for name in import_fields]
        + [f"p.{quote(name)}" for name in practice]
        + [f"n.{quote(name)}" for name in network]
    )
    # Names only from the models' metadata, quoted; the values are parameters.
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(Import._meta.db_table)} i "  # noqa: S608
        f"JOIN {quote(Practice._meta.db_table)} p ON p.{quote('id')} = i.{quote('practice_id')} "
        f"LEFT JOIN {quote(Network._meta.db_table)} n ON n.{quote('id')} = p.{quote('network_id')} "
        f"WHERE i.{quote('id')} = %s AND i.{quote('practice_id')} = %s "
        f"AND i.{quote('status')} = %s"
    )
    return sql, practice, network, converters


def own_import(practice_id: int, import_id: int, fields: tuple[str, ...]) -> Import | None:
    """The imported import ``import_id`` of practice ``practice_id`` with only ``fields`` loaded
    (as ``.only()``), its ``practice`` (every field) and that practice's ``network``; None when
    the practice has no such import."""
    import_fields = _in_model_order(("id", *fields))
    sql, practice_fields, network_fields, converters = _statement(import_fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, [import_id, practice_id, Import.Status.IMPORTED.value])
        row = cursor.fetchone()
    if row is None:
        return None
    row = plain_rows.converted(row, converters)
    alias = connection.alias
    imp = Import.from_db(alias, import_fields, row[: len(import_fields)])
    rest = row[len(import_fields) :]
    practice = Practice.from_db(alias, practice_fields, rest[: len(practice_fields)])
    network_values = rest[len(practice_fields) :]
    practice.network = (
        None
        if practice.network_id is None
        else Network.from_db(alias, network_fields, network_values)
    )
    imp.practice = practice
    return imp
