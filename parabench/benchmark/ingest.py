"""Store the KPI values of imports: called inside the import's transaction (``signals.py``).

Why KPI values and not the raw aggregates: every figure a dashboard or a recompute needs is a KPI
of one window, and a window's KPIs depend only on that window's aggregates (the export carries
distinct counts per window). Computing them once at import keeps recomputes to pure statistics.
The stored export itself stays on disk, so ``manage.py rebuild_kpis`` can compute every row
again after the catalogue changed.

Why many at once: the import worker imports a batch of uploads per transaction, and one query and
one bulk write for the whole batch cost less than the rows' own computation; per export they were
the larger part of an import (``docs/benchmarks-import.md``).
"""

from collections import defaultdict

import numpy as np

from parabench.benchmark import layout
from parabench.benchmark.bulk import bulk_insert
from parabench.benchmark.casemix import CELL_NAMES, ENCODINGS, cell_matrix, pack_cells
from parabench.benchmark.kpis import pack, window_vector
from parabench.benchmark.models import WindowValues
from parabench_format.models import document_date, export_document

_NEW_ROW = (
    "imp_id",
    "practice_id",
    "year",
    "window",
    "values",
    "layout_id",
    "counted",
    "cells",
    "cells_layout_id",
)


def _cells(window) -> bytes | None:
    """A 1.1 window's case-mix cells as one packed vector (``casemix.CELL_NAMES``, stored as
    ``casemix.pack_cells``); None for 1.0."""
    case_mix = window.get("case_mix")
    if case_mix is None:
        return None
    return pack_cells(cell_matrix(case_mix))


def _same_cells(stored, cells: bytes | None, cells_pk) -> bool:
    """Whether a row's stored cells are ``cells`` (in layout ``cells_pk``): by their numbers, for
    a row stored as float64 (before ``casemix.pack_cells``) holds the same counts as uint32."""
    if stored is None or cells is None:
        return stored is None and cells is None
    stored = bytes(stored)
    if stored == cells:
        return True
    read = [
        np.frombuffer(blob, dtype=layout.encoding(len(blob), cells_pk, ENCODINGS))
        for blob in (stored, cells)
    ]
    return np.array_equal(*read)


def store_export(imp, export) -> None:
    """``store_rows`` of one import's validated export (a ``parabench_format`` model)."""
    store_rows([(imp, export_rows(export_document(export)))])


def export_rows(document) -> tuple[int, dict[str, tuple[bytes, bytes | None]]]:
    """What ``store_rows`` writes of an export (its JSON ``document``): its year, and per window
    its packed KPI vector and case-mix cells. Worked out as soon as the importer has read the
    export (``signals.py``), so that the export need not be kept until its batch is stored."""
    return document_date(document["period"]["begin"]).year, {
        window["id"]: (pack(window_vector(window)), _cells(window))
        for window in document["windows"]
    }


def store_rows(batch) -> None:
    """Store (or replace) the per-window KPI values of every ``(imp, export_rows)`` of ``batch``.

    Idempotent: running it again for the same imports replaces their rows and leaves no others.
    It does not commit and does not touch statistics: the caller's transaction decides, and the
    statistics refresh it schedules runs after the commit. New and replaced rows have no growth
    figures (NULL) until a recompute handled them: that is how the refresh finds them.
    """
    layout_id = layout.ensure(layout.values_names())
    cells_layout = layout.ensure(CELL_NAMES)
    existing = defaultdict(dict)
    rows = WindowValues.objects.filter(imp__in=[imp.pk for imp, _ in batch])
    for row in rows.only(
        "pk", "imp_id", "window", "values", "layout_id", "year", "cells", "cells_layout_id"
    ):
        existing[row.imp_id][row.window] = row
    new, stale = [], []
    for imp, (year, wanted) in batch:
        stored = existing.get(imp.pk, {})
        stale += [row.pk for window, row in stored.items() if window not in wanted]
        for window, (blob, cells) in wanted.items():
            row = stored.get(window)
            cells_pk = None if cells is None else cells_layout
            if row is None:
                new.append(
                    (imp.pk, imp.practice_id, year, window, blob, layout_id, False, cells, cells_pk)
                )
            elif (
                bytes(row.values) != blob
                or row.year != year
                or row.layout_id != layout_id
                or row.cells_layout_id != cells_pk
                or not _same_cells(row.cells, cells, cells_pk)
            ):
                WindowValues.objects.filter(pk=row.pk).update(
                    values=blob,
                    layout_id=layout_id,
                    year=year,
                    growth=None,
                    growth_layout=None,
                    cells=cells,
                    cells_layout_id=cells_pk,
                )
    if stale:
        WindowValues.objects.filter(pk__in=stale).delete()
    bulk_insert(WindowValues, _NEW_ROW, new)


def rebuild_all(say=lambda line: None) -> dict:
    """Compute every imported export's KPI rows again from its stored body, in today's layout.

    Why: after the catalogue gained (or changed) a KPI, old rows read correctly by name but lack
    the new KPI; the exports themselves are kept on disk, so the values can be computed again.
    Each import is its own transaction; an unreadable or no longer valid body is reported and
    its rows are left as they are. Then one full recompute. Returns counts and the problems.
    """
    from django.db import transaction
    from django.utils import timezone

    from parabench.benchmark.recompute import recompute_all
    from parabench.uploads import storage
    from parabench.uploads.documents import parse_json
    from parabench.uploads.models import Import
    from parabench.uploads.refusals import Refusal
    from parabench.uploads.validation import validated_export

    report = {"rebuilt": 0, "problems": []}
    imports = Import.objects.filter(status=Import.Status.IMPORTED).order_by("pk")
    for imp in imports.iterator(chunk_size=500):
        try:
            raw = storage.stored_body(imp)
            export = validated_export(
                parse_json(raw), today=timezone.localdate(imp.uploaded_at), raw=raw
            )
        except (OSError, Refusal) as exc:
            report["problems"].append((imp.pk, type(exc).__name__, str(exc)[:200]))
            say(f"import {imp.pk}: {type(exc).__name__} {str(exc)[:200]}")
            continue
        with transaction.atomic():
            store_export(imp, export)
        report["rebuilt"] += 1
    report["recompute"] = recompute_all()
    return report
