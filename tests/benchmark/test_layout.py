"""Named, versioned KPI storage: a stored value is found by its code, never by its position."""

import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from parabench.benchmark import casemix, layout, queries, recompute
from parabench.benchmark.catalogue import COLUMN_INDEX
from parabench.benchmark.kpis import pack, window_values
from parabench.benchmark.models import GroupStatistics, WindowValues
from parabench.benchmark.recompute import recompute_all
from parabench.uploads import importer
from parabench_format.models import export_document
from tests.benchmark.factories import make_export, make_import
from tests.factories import PracticeFactory
from tests.uploads.factories import upload_export

GOLDEN = Path(__file__).parent / "golden" / "layouts.json"
# A KPI the catalogue has today, standing in for "the KPI that was added after these rows".
ADDED = "waiting_within_5_share"


def test_the_layouts_written_today_are_the_pinned_ones():
    """Changing a layout is allowed — stored rows keep theirs and still read — but deliberate:
    update tests/benchmark/golden/layouts.json with the catalogue change."""
    golden = json.loads(GOLDEN.read_text())
    today = {
        "values": layout.values_names(),
        "growth": layout.growth_names(),
        "statistics": layout.statistic_names(),
        "columns": layout.column_names(),
    }
    for kind, names in today.items():
        assert list(names) == golden[kind]["names"], kind
        assert layout.layout_id(names) == golden[kind]["id"], kind


def test_a_layout_id_follows_from_its_names_and_their_order_alone():
    assert layout.layout_id(("a", "b")) == layout.layout_id(["a", "b"])
    assert layout.layout_id(("a", "b")) != layout.layout_id(("b", "a"))
    assert layout.layout_id(("a", "b")) != layout.layout_id(("a", "b", "c"))
    migration = __import__(
        "parabench.benchmark.migrations.0006_layouts", fromlist=["layout_id", "VALUES"]
    )
    assert migration.layout_id(migration.VALUES) == layout.layout_id(migration.VALUES)


@pytest.mark.django_db
def test_reading_maps_by_name_whatever_the_order_and_a_missing_name_is_not_defined():
    old = layout.ensure(("sessions", "patients"))
    new_names = ("patients", "new_kpi", "sessions")  # a KPI added in the middle
    assert layout.vector(pack([30.0, 10.0]), old, new_names).tolist()[::2] == [10.0, 30.0]
    assert np.isnan(layout.vector(pack([30.0, 10.0]), old, new_names)[1])
    many = layout.matrix([pack([30.0, 10.0]), None, pack([3.0, 1.0])], [old, None, old], new_names)
    assert np.array_equal(many, [[10, np.nan, 30], [np.nan] * 3, [1, np.nan, 3]], equal_nan=True)
    rows = layout.ensure(("median", "n"))
    table = layout.table(
        pack([5.0, 50.0, 7.0, 70.0]), rows, old, ("n", "mean", "median"), new_names
    )
    assert np.array_equal(
        table,
        [[70, np.nan, 7], [np.nan] * 3, [50, np.nan, 5]],
        equal_nan=True,
    )


def _rewrite_in_an_older_layout(rows) -> tuple[str, ...]:
    """Store ``rows`` as a catalogue without ``ADDED``, in reverse order, would have."""
    old_values = tuple(n for n in reversed(layout.values_names()) if n != ADDED)
    old_growth = tuple(reversed(layout.growth_names()))
    values_id, growth_id = layout.ensure(old_values), layout.ensure(old_growth)
    for row in rows:
        WindowValues.objects.filter(pk=row.pk).update(
            values=pack(layout.vector(row.values, row.layout_id, old_values)),
            layout_id=values_id,
            growth=pack(layout.vector(row.growth, row.growth_layout_id, old_growth)),
            growth_layout_id=growth_id,
        )
    return old_values


def _figures(imp):
    dashboard = queries.dashboard_for(imp, "national")
    trends = queries.trends_for(imp, "national")
    return (
        {k.code: (k.value, k.stats, k.band, k.verdict) for k in dashboard.kpis},
        [(s.code, s.points) for s in trends.series],
    )


@pytest.mark.django_db
def test_rows_stored_before_a_kpi_was_added_still_read_correctly_everywhere():
    practices = [PracticeFactory() for _ in range(6)]
    for size, practice in enumerate(practices, start=1):
        make_import(practice, 2024, size=size, recompute=False)
        make_import(practice, 2025, size=size + 1, recompute=False)
    recompute_all()
    mine = practices[0].imports.get(year=2025)
    before = _figures(mine)

    old_rows = list(WindowValues.objects.filter(practice=practices[0]))
    old_names = _rewrite_in_an_older_layout(old_rows)
    stored = sorted(WindowValues.objects.filter(practice=practices[0]).values_list("values"))
    row = WindowValues.objects.get(imp=mine, window="Q1-Q4")
    # What reading by position (the old rule) would make of such a row: another KPI's number.
    patients = before[0]["patients"][0]
    assert np.frombuffer(bytes(row.values), dtype="<f8")[COLUMN_INDEX["patients"]] != patients
    assert layout.vector(row.values, row.layout_id, ("patients",))[0] == patients

    recompute_all()
    after = _figures(mine)
    # Nothing stored changed, and every figure reads as before but the one the rows lack.
    assert sorted(WindowValues.objects.filter(practice=practices[0]).values_list("values")) == (
        stored
    )
    assert ADDED not in old_names
    assert after[0][ADDED][0] is None
    assert {c: f for c, f in after[0].items() if c != ADDED} == {
        c: f for c, f in before[0].items() if c != ADDED
    }
    assert after[1] == before[1]
    group = GroupStatistics.objects.get(year=2025, window="Q1-Q4", kind="national")
    counts = layout.table(
        group.stats, group.statistics_id, group.columns_id, ("n",), ("patients", ADDED)
    )
    assert counts.tolist() == [[6, 5]]


@pytest.mark.django_db
def test_rebuild_kpis_computes_every_import_again_from_its_stored_export(settings, capsys):
    imports = []
    for practice in [PracticeFactory() for _ in range(5)]:
        imp = upload_export(practice, patients=20)
        importer.run_import(imp.pk)
        imports.append(imp)
    lost = upload_export(PracticeFactory(), patients=20)
    importer.run_import(lost.pk)
    recompute_all()
    original = dict(WindowValues.objects.values_list("pk", "values"))
    _rewrite_in_an_older_layout(WindowValues.objects.all())
    (Path(settings.UPLOAD_STORAGE_DIR) / lost.body_path).unlink()
    lost_rows = sorted(WindowValues.objects.filter(imp=lost).values_list("values", "layout_id"))

    call_command("rebuild_kpis")

    current = layout.layout_id(layout.values_names())
    rebuilt = WindowValues.objects.filter(imp__in=imports)
    assert set(rebuilt.values_list("layout_id", flat=True)) == {current}
    assert {r.pk: bytes(r.values) for r in rebuilt} == {
        pk: bytes(v) for pk, v in original.items() if pk in {r.pk for r in rebuilt}
    }
    assert not np.isnan(
        layout.vector(rebuilt.get(imp=imports[0], window="Q1").values, current, (ADDED,))[0]
    )
    assert not rebuilt.filter(growth__isnull=True).exists()  # the recompute ran after it
    # The import whose export is gone keeps its rows and is reported.
    assert sorted(WindowValues.objects.filter(imp=lost).values_list("values", "layout_id")) == (
        lost_rows
    )
    out = capsys.readouterr()
    assert f"import {lost.pk}" in out.err
    assert "5 imports opnieuw berekend, 1 niet leesbaar" in out.out


BEFORE_OUTCOMES = Path(__file__).parent / "golden" / "layout-values-before-outcomes.json"


@pytest.mark.django_db
def test_rows_stored_before_the_outcome_kpis_keep_every_figure_and_lack_only_the_new_ones():
    """Issue 16 added the outcome KPIs (and their support columns) to the catalogue. A row in
    the layout pinned just before still reads every figure by name; the new ones are not defined
    until ``rebuild_kpis`` computes them from the stored export."""
    pinned = json.loads(BEFORE_OUTCOMES.read_text())
    old_names = tuple(pinned["names"])
    assert layout.layout_id(old_names) == pinned["id"]
    current = layout.values_names()
    added = [name for name in current if name not in old_names]
    assert added == [
        "nprs_improved_share",
        "nprs_change",
        "psk_improved_share",
        "psk_change",
        "support.nprs_measured",
        "support.nprs_change_sd",
        "support.psk_measured",
        "support.psk_change_sd",
    ]
    export = make_export("04123451", 2025, format_version="parabench-mi/1.1")
    values = window_values(export_document(export)["windows"][-1])
    old_id = layout.ensure(old_names)

    read = layout.vector(pack([values[name] for name in old_names]), old_id, current)

    by_name = dict(zip(current, read.tolist(), strict=True))
    assert {n: by_name[n] for n in old_names} == pytest.approx(
        {n: values[n] for n in old_names}, nan_ok=True
    )
    assert all(np.isnan(by_name[name]) for name in added)
    # Read by position (the old rule), the first mix share would now be an outcome KPI.
    assert current.index("nprs_improved_share") == old_names.index("gender_age_mix.female.age_0_17")


# --- The case-mix cells: whole counts as uint32, float64 otherwise and before -------------------


def _counts(rows: int, seed: int = 3) -> np.ndarray:
    """Whole counts of ``rows`` rows of cells (rows × 240), up to the largest uint32."""
    counts = np.random.default_rng(seed).integers(0, 2**32, size=(rows, len(casemix.CELL_NAMES)))
    counts[:, :100] //= 2**20  # and small ones, as most are
    counts[0, 0], counts[0, 1] = 2**32 - 1, 2**24 + 1  # the largest; the first inexact float32
    return counts.astype(np.float64)


@pytest.mark.django_db
def test_cells_of_whole_counts_are_stored_in_four_bytes_a_number_and_read_back_exactly():
    pk = layout.ensure(casemix.CELL_NAMES)
    counts = _counts(3)
    blobs = [casemix.pack_cells(row) for row in counts]
    assert [len(blob) for blob in blobs] == [4 * len(casemix.CELL_NAMES)] * 3
    read = layout.vector(blobs[0], pk, casemix.CELL_NAMES, casemix.ENCODINGS)
    assert read.dtype == np.float64 and np.array_equal(read, counts[0])
    many = layout.matrix(blobs, [pk] * 3, casemix.CELL_NAMES, casemix.ENCODINGS)
    assert np.array_equal(many, counts)
    held = recompute._held_cells(blobs, [pk] * 3)
    assert held.dtype == np.float64  # 2**24 + 1 is no float32
    assert np.array_equal(held, casemix.by_field(counts))


@pytest.mark.django_db
@pytest.mark.parametrize("number", [2.0**32, 2.0**53, 0.5, -1.0, np.nan])
def test_cells_with_a_number_that_is_no_whole_count_below_2_32_are_stored_as_float64(number):
    pk = layout.ensure(casemix.CELL_NAMES)
    counts = _counts(1)[0]
    counts[7] = number
    blob = casemix.pack_cells(counts)
    assert blob == counts.astype("<f8").tobytes()  # the row whole, not a number lost
    read = layout.vector(blob, pk, casemix.CELL_NAMES, casemix.ENCODINGS)
    assert np.array_equal(read, counts, equal_nan=True)


@pytest.mark.django_db
def test_cells_stored_as_float64_before_still_read_alone_and_beside_uint32_rows():
    pk = layout.ensure(casemix.CELL_NAMES)
    counts = _counts(5)
    counts[:, 0] = 2**24  # exact in float32: the cache holds float32
    counts[0, 1] = 2**24 - 1
    old = [row.astype("<f8").tobytes() for row in counts]
    new = [casemix.pack_cells(row) for row in counts]
    assert np.array_equal(
        layout.vector(old[0], pk, casemix.CELL_NAMES, casemix.ENCODINGS), counts[0]
    )
    counts[:, 2:] %= 2**24  # every number exact in float32
    old = [row.astype("<f8").tobytes() for row in counts]
    new = [casemix.pack_cells(row) for row in counts]
    for blobs in (old, new, [old[0], new[1], old[2], new[3], new[4]]):
        matrix = layout.matrix(blobs, [pk] * 5, casemix.CELL_NAMES, casemix.ENCODINGS)
        assert np.array_equal(matrix, counts)
        held = recompute._held_cells(blobs, [pk] * 5)
        assert held.dtype == np.float32 and np.array_equal(held, casemix.by_field(counts))
        cells = recompute._cells_matrix(blobs, [pk] * 5)
        assert np.array_equal(cells, counts.reshape(cells.shape))
