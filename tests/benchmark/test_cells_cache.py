"""The statistics worker's case-mix cells between refreshes (``recompute.CellsCache``): a refresh
that takes cells from it publishes exactly what one that reads them all publishes, whatever
changed since; it serves only a refresh in a transaction of its own, on PostgreSQL."""

import numpy as np
import pytest
from django.db import connection

from parabench.benchmark.ingest import store_export
from parabench.benchmark.models import ReferenceRates, WindowValues
from parabench.benchmark.recompute import (
    CELLS_CACHE,
    _copy_runs,
    recompute_all,
    recompute_changed,
    warm_cells,
)
from parabench_format.models import FORMAT_1_1
from tests.benchmark.factories import make_export, make_import
from tests.benchmark.test_recompute import assert_a_full_recompute_changes_nothing
from tests.factories import PracticeFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the cache serves the PostgreSQL reader only"
)


@pytest.fixture
def cache():
    CELLS_CACHE.windows.clear()
    CELLS_CACHE.database = CELLS_CACHE.year = None
    yield CELLS_CACHE
    CELLS_CACHE.windows.clear()


def _rates():
    return {
        window: (n, bytes(blob))
        for window, n, blob in ReferenceRates.objects.filter(year=2026).values_list(
            "window", "n", "rates"
        )
    }


def _world():
    practices = [PracticeFactory() for _ in range(6)]
    imports = [
        make_import(p, 2026, 3, 1 + i, recompute=False, format_version=FORMAT_1_1)
        for i, p in enumerate(practices)
    ]
    recompute_all()
    return practices, imports


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_refresh_from_the_cache_publishes_what_a_full_recompute_does(cache):
    practices, _imports = _world()
    make_import(practices[0], 2026, 3, 9, format_version=FORMAT_1_1)  # fills the cache
    assert set(cache.windows) == {"Q1", "Q2", "Q3", "Q1-Q2", "Q1-Q3"}
    held = {window: ids.copy() for window, (ids, _versions, _cells) in cache.windows.items()}
    make_import(practices[1], 2026, 3, 7, format_version=FORMAT_1_1)  # served from it
    # The cache now holds the window's counted rows: the new row in, the replaced one out.
    for window, (ids, _versions, _cells) in cache.windows.items():
        counted = WindowValues.objects.filter(
            year=2026, window=window, counted=True, cells__isnull=False
        )
        assert ids.tolist() == sorted(counted.values_list("pk", flat=True))
        assert len(set(ids.tolist()) - set(held[window].tolist())) == 1
    assert_a_full_recompute_changes_nothing()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_cells_replaced_in_place_are_read_again_not_taken_from_the_cache(cache):
    """``ingest.store_rows`` replaces a stored export's rows in place (the same ids) when its
    cells differ: the cache must not serve the old ones."""
    practices, imports = _world()
    make_import(practices[0], 2026, 3, 9, format_version=FORMAT_1_1)  # fills the cache
    row = WindowValues.objects.get(imp=imports[2], window="Q1")
    assert row.counted and row.pk in cache.windows["Q1"][0]
    store_export(
        imports[2], make_export(practices[2].agb_code, 2026, 3, 40, format_version=FORMAT_1_1)
    )
    replaced = WindowValues.objects.get(imp=imports[2], window="Q1")
    assert replaced.pk == row.pk and bytes(replaced.cells) != bytes(row.cells)
    before = _rates()
    recompute_changed(2026)
    after = _rates()
    assert after["Q1"] != before["Q1"]
    recompute_all()
    assert _rates() == after  # what reading every cell gives


def _counted_with_cells(window):
    counted = WindowValues.objects.filter(
        year=2026, window=window, counted=True, cells__isnull=False
    )
    return sorted(counted.values_list("pk", flat=True))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statistics_worker_reads_the_cells_at_its_start_and_no_refresh_reads_them_whole(
    cache, monkeypatch
):
    from parabench.benchmark import recompute
    from parabench.tasks import worker_starting

    practices, _imports = _world()
    worker_starting.send(sender=None, queues=["default"])  # no statistics: nothing read
    assert cache.windows == {}
    worker_starting.send(sender=None, queues=["statistics"])
    assert set(cache.windows) == {"Q1", "Q2", "Q3", "Q1-Q2", "Q1-Q3"}
    for window, (ids, _versions, cells) in cache.windows.items():
        assert ids.tolist() == _counted_with_cells(window)
        assert cells.shape[1] == ids.size
    whole = []  # the windows whose every cell a refresh reads
    read_window_cells = recompute._read_window_cells
    monkeypatch.setattr(
        recompute,
        "_read_window_cells",
        lambda year, window, raw=None: whole.append(window) or read_window_cells(year, window, raw),
    )
    make_import(practices[0], 2026, 3, 9, format_version=FORMAT_1_1)
    assert whole == []  # only the import's rows were read
    for window, (ids, _versions, _cells) in cache.windows.items():
        assert ids.tolist() == _counted_with_cells(window)
    assert_a_full_recompute_changes_nothing()


@postgresql_only
@pytest.mark.django_db
def test_the_cells_are_not_warmed_inside_a_transaction(cache):
    """Within a transaction that may have written a row twice, a row's version names no one
    content (the class's rule): nothing is held."""
    _world()
    assert warm_cells() == 0 and cache.windows == {}


@postgresql_only
@pytest.mark.django_db
def test_a_refresh_inside_another_transaction_leaves_the_cache_alone(cache):
    """Within a transaction that may have written a row twice, a row's version names no one
    content: such a refresh reads every cell."""
    practices, _imports = _world()
    make_import(practices[0], 2026, 3, 9, format_version=FORMAT_1_1)
    assert cache.windows == {}
    assert_a_full_recompute_changes_nothing()


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["<u4", "<f8"])  # as stored now, and as before
def test_cells_are_held_as_float32_only_when_that_is_exact(monkeypatch, encoding):
    from parabench.benchmark import casemix, layout, recompute

    monkeypatch.setattr(recompute, "_PARSED_ROWS", 2)  # the parts of a window, one by one
    pk = layout.ensure(casemix.CELL_NAMES)
    width = len(casemix.CELLS) * len(casemix.FIELDS)
    whole = np.arange(5 * width, dtype=np.float64).reshape(5, width) * 1000
    expected = whole.reshape(5, len(casemix.CELLS), len(casemix.FIELDS)).transpose(2, 0, 1)
    held = recompute._held_cells([row.astype(encoding).tobytes() for row in whole], [pk] * 5)
    assert held.dtype == np.float32 and np.array_equal(held, expected)
    whole[3, 7] = 2.0**24 + 1  # no float32 (in the second part): the window in float64
    held = recompute._held_cells([row.astype(encoding).tobytes() for row in whole], [pk] * 5)
    assert held.dtype == np.float64
    assert np.array_equal(
        held, whole.reshape(5, len(casemix.CELLS), len(casemix.FIELDS)).transpose(2, 0, 1)
    )


@pytest.mark.parametrize("pattern", ["a refresh", "scattered", "none held", "all held"])
def test_cells_are_copied_from_the_cache_and_the_fetched_rows_in_the_rows_order(pattern):
    # ``take`` copies runs of rows; whatever the runs, the rows are those a gather gives.
    rng = np.random.default_rng(5)
    rows = 700
    held_cells = rng.integers(0, 100, size=(5, rows, 48)).astype(np.float32)
    if pattern == "a refresh":  # the old rows of two practices gone, their new rows at the end
        held = np.append(np.delete(np.arange(rows), [10, 333]), [-1, -1])
    elif pattern == "scattered":  # more runs than ``_RUNS``: gathered at once
        held = np.where(rng.random(rows) < 0.5, rng.permutation(rows), -1)
    elif pattern == "none held":
        held = np.full(rows, -1)
    else:
        held = np.arange(rows)
    lacking = int((held < 0).sum())
    missing_cells = rng.integers(0, 100, size=(5, lacking + 3, 48)).astype(np.float32)
    at = np.sort(rng.choice(lacking + 3, size=lacking, replace=False))
    expected = np.empty((5, held.size, 48), dtype=np.float32)
    expected[:, held >= 0] = held_cells[:, held[held >= 0]]
    expected[:, held < 0] = missing_cells[:, at]

    found = np.full_like(expected, np.nan)
    _copy_runs(found, held_cells, held, missing_cells, at)

    assert found.tobytes() == expected.tobytes()
