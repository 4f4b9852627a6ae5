"""Named storage: every stored vector says which name each of its numbers belongs to.

Packed vectors stay (one blob per row: see models.py for why), but a blob never stands alone: its
row refers to a **layout**, an ordered tuple of names (KPI codes, mix columns, growth KPIs,
statistic names) kept once in ``benchmark_layout``. A layout's id is derived from its content
(the first 8 bytes of the SHA-256 of its names), so the same tuple has the same id in every
database and process, and a layout never changes: it is a version of the storage, not a
setting. Reading maps a blob's numbers to the names the code asks for, by name; a name the blob
does not have reads as NaN ("not defined"). So adding, removing or reordering KPIs in the
catalogue changes nothing stored, and old rows still read correctly
(``manage.py rebuild_kpis`` then fills the new KPIs from the stored exports).

Why the mapping stays cheap: a handful of layouts exist (one per catalogue version), the names
of each are read once per process (immutable, so cached by id), and many rows of one layout are
mapped with one fancy-index of a matrix.
"""

import functools
import hashlib

import numpy as np

from parabench.benchmark import catalogue as cat
from parabench.benchmark import stats


def layout_id(names) -> int:
    """The id of an ordered tuple of names: content-addressed, a signed 64-bit integer."""
    digest = hashlib.sha256("\n".join(names).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def ensure(names) -> int:
    """Store the layout of ``names`` unless it is stored already; its id.

    One statement per write path (an import, a recompute), not per row: cheap enough that no
    process has to remember which layouts exist (a test database is emptied between tests).
    """
    from parabench.benchmark.models import Layout

    names = tuple(names)
    pk = layout_id(names)
    Layout.objects.bulk_create([Layout(id=pk, names=list(names))], ignore_conflicts=True)
    return pk


# The layouts the code writes today. The statistic names come from the one list in stats.py.
def values_names() -> tuple[str, ...]:
    return cat.STORED_COLUMNS


def growth_names() -> tuple[str, ...]:
    return tuple(k.code for k in cat.GROWTH_KPIS)


def statistic_names() -> tuple[str, ...]:
    return tuple(stats.STAT_FIELDS)


def column_names() -> tuple[str, ...]:
    return cat.COLUMNS


@functools.lru_cache(maxsize=256)
def names_of(pk: int) -> tuple[str, ...]:
    """The names of a stored layout (immutable: cached for the life of the process)."""
    from parabench.benchmark.models import Layout

    return tuple(Layout.objects.values_list("names", flat=True).get(pk=pk))


@functools.lru_cache(maxsize=1024)
def _index(pk: int, wanted: tuple[str, ...]) -> np.ndarray:
    """For each wanted name its position in layout ``pk``, or -1 when the layout lacks it."""
    position = {name: i for i, name in enumerate(names_of(pk))}
    return np.array([position.get(name, -1) for name in wanted], dtype=np.intp)


def take(matrix: np.ndarray, pk: int | None, wanted: tuple[str, ...], axis: int = -1):
    """The ``wanted`` names of ``matrix`` (laid out as layout ``pk`` along ``axis``), NaN where
    the layout lacks a name or ``pk`` is None."""
    matrix = np.asarray(matrix, dtype=np.float64)
    shape = list(matrix.shape)
    shape[axis] = len(wanted)
    if pk is None:
        return np.full(shape, np.nan)
    index = _index(pk, wanted)
    if index.size == matrix.shape[axis] and (index == np.arange(index.size)).all():
        return matrix  # the layout is the one asked for: nothing to map
    out = np.full(shape, np.nan)
    present = index >= 0
    selection = [slice(None)] * matrix.ndim
    selection[axis] = present
    source = [slice(None)] * matrix.ndim
    source[axis] = index[present]
    out[tuple(selection)] = matrix[tuple(source)]
    return out


def width(pk: int) -> int:
    return len(names_of(pk))


# How a blob's numbers are stored: little-endian float64, unless a column says it also takes other
# encodings (``encodings``: dtypes of different sizes). Then a blob's length says which it has:
# width × the dtype's size bytes, one size per dtype (the case-mix cells: ``casemix.ENCODINGS``).
FLOAT64 = ("<f8",)


def encoding(size: int, pk: int, encodings=FLOAT64) -> np.dtype:
    """The dtype of a blob of ``size`` bytes in layout ``pk``: the one of ``encodings`` whose
    numbers of the layout's width make that many bytes."""
    if len(encodings) == 1:
        return np.dtype(encodings[0])
    n = width(pk)
    for dtype in encodings:
        if size == n * np.dtype(dtype).itemsize:
            return np.dtype(dtype)
    raise ValueError(f"a stored vector of {size} bytes is no encoding of layout {pk} ({n} names)")


def stored(blobs, pk: int, encodings=FLOAT64) -> np.ndarray:
    """Blobs of one layout as a (rows × width) matrix of the numbers as stored (writable).

    Joined into a ``bytearray``, which numpy can write to: joined into ``bytes`` the matrix had
    to be copied once more to be writable (13 MB a window's values, 19 MB its cells, twelve
    matrices a refresh with cells). Every row of one encoding (the rule: rows are written in
    one) is read in one go: each blob has at least the narrowest and at most the widest
    encoding's length, so the joined length is rows × one encoding's row only when every blob
    has that encoding."""
    joined = bytearray().join(blobs)
    n = width(pk)
    for dtype in map(np.dtype, encodings):
        if len(joined) == len(blobs) * n * dtype.itemsize:
            return np.frombuffer(joined, dtype=dtype).reshape(len(blobs), n)
    del joined
    out = np.empty((len(blobs), n), dtype=np.result_type(*encodings))
    for i, blob in enumerate(blobs):
        out[i] = np.frombuffer(blob, dtype=encoding(len(blob), pk, encodings))
    return out


def vector(blob, pk: int | None, wanted: tuple[str, ...], encodings=FLOAT64) -> np.ndarray:
    """One stored vector, by name."""
    if blob is None or pk is None:
        return np.full(len(wanted), np.nan)
    blob = bytes(blob)
    return take(np.frombuffer(blob, dtype=encoding(len(blob), pk, encodings)), pk, wanted)


def matrix(blobs, pks, wanted: tuple[str, ...], encodings=FLOAT64) -> np.ndarray:
    """Many stored vectors (each with its layout id) as one (rows × wanted) matrix, by name.

    Rows are grouped by layout: one ``stored`` and one mapping per layout, not per row.
    When every row has one layout (the rule: a layout changes only with a new catalogue), the
    blobs are joined as they come: grouping 10,000 rows one by one in Python cost 0.15 s of a
    national incremental refresh's ten matrices (cProfile, load 7).
    """
    layouts = set(pks)
    if len(layouts) == 1 and None not in layouts and None not in blobs:
        (pk,) = layouts
        return take(stored(blobs, pk, encodings), pk, wanted)
    out = np.full((len(blobs), len(wanted)), np.nan)
    groups: dict[int, list[int]] = {}
    for i, (blob, pk) in enumerate(zip(blobs, pks, strict=True)):
        if blob is not None and pk is not None:
            groups.setdefault(pk, []).append(i)
    for pk, rows in groups.items():
        out[rows] = take(stored([blobs[i] for i in rows], pk, encodings), pk, wanted)
    return out


def table(blob, rows_pk: int | None, columns_pk: int | None, rows, columns) -> np.ndarray | None:
    """A stored (statistics × columns) matrix, by statistic name and column name."""
    if blob is None or rows_pk is None or columns_pk is None:
        return None
    stored = np.frombuffer(bytes(blob), dtype="<f8").reshape(width(rows_pk), width(columns_pk))
    return take(take(stored, rows_pk, tuple(rows), axis=0), columns_pk, tuple(columns), axis=1)
