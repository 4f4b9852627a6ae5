"""store_export: one row per window of the import, idempotent, inside the caller's transaction."""

import pytest
from django.db import transaction

from parabench.benchmark import casemix, layout
from parabench.benchmark.ingest import store_export
from parabench.benchmark.models import WindowValues
from parabench_format.models import FORMAT_1_1
from tests.benchmark.factories import make_export, make_import
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def _patients(row) -> float:
    return layout.vector(row.values, row.layout_id, ("patients",))[0]


def test_it_stores_one_row_per_window_of_the_export():
    practice = PracticeFactory()
    imp = make_import(practice, 2025, quarters=3, recompute=False)
    windows = set(WindowValues.objects.filter(imp=imp).values_list("window", flat=True))
    assert windows == {"Q1", "Q2", "Q3", "Q1-Q2", "Q1-Q3"}
    row = WindowValues.objects.get(imp=imp, window="Q1-Q3")
    assert row.year == 2025 and row.practice_id == practice.pk
    assert _patients(row) == 200  # 100 + 2 × 50


def test_running_it_again_replaces_the_rows_of_that_import_only():
    practice = PracticeFactory()
    other = make_import(PracticeFactory(), 2025, recompute=False)
    imp = make_import(practice, 2025, quarters=2, recompute=False)
    before = WindowValues.objects.count()
    store_export(imp, make_export(practice.agb_code, 2025, quarters=2, size=3))
    store_export(imp, make_export(practice.agb_code, 2025, quarters=2, size=3))
    assert WindowValues.objects.count() == before
    assert _patients(WindowValues.objects.get(imp=imp, window="Q1")) == 300
    assert WindowValues.objects.filter(imp=other).count() == 7


def test_it_does_not_commit_by_itself():
    practice = PracticeFactory()
    imp = make_import(practice, 2025, recompute=False)
    WindowValues.objects.filter(imp=imp).delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        store_export(imp, make_export(practice.agb_code, 2025))
        raise RuntimeError("the import task fails after storing")
    assert not WindowValues.objects.filter(imp=imp).exists()


def test_it_stores_case_mix_cells_as_uint32_and_leaves_cells_stored_as_float64_before_alone():
    practice = PracticeFactory()
    imp = make_import(practice, 2025, quarters=2, recompute=False, format_version=FORMAT_1_1)
    row = WindowValues.objects.get(imp=imp, window="Q1")
    assert len(row.cells) == 4 * len(casemix.CELL_NAMES)
    counts = layout.vector(row.cells, row.cells_layout_id, casemix.CELL_NAMES, casemix.ENCODINGS)
    # A row stored before: the same counts as float64, its growth computed since.
    WindowValues.objects.filter(pk=row.pk).update(
        cells=counts.astype("<f8").tobytes(), growth=b"handled"
    )
    store_export(imp, make_export(practice.agb_code, 2025, quarters=2, format_version=FORMAT_1_1))
    again = WindowValues.objects.get(pk=row.pk)
    assert bytes(again.growth) == b"handled"  # the same cells: not replaced
    assert bytes(again.cells) == counts.astype("<f8").tobytes()
