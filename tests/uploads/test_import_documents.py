"""The import reads an accepted export as its plain JSON document and stores exactly what it
stored when it read the format's models (issue 18, session 21).

``golden/model_path_imports.json`` holds what the import stored for the exports below when every
reader took the validated ``Export`` models (commit a39d222): per window a digest of its packed KPI
vector and of its case-mix cells, and per import its window sessions and warnings — among them a
replaced export's sessions compared with its successor's. A reader of the document that reads a
wrong name, a date as text or a 1.0 window's absent parts stores something else and fails here, on
the path that trusts an accepted body and on the one that validates a changed body again in full.

Only a change of the figures themselves (a KPI added to the catalogue, a warning reworded) makes
the file out of date: write it again with ``PARABENCH_WRITE_MODEL_PATH=1`` and say why.
"""

import hashlib
import json
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from parabench.benchmark.models import WindowValues
from parabench.uploads import importer, intake
from parabench.uploads.models import Import
from parabench_format.models import FORMAT_1_0, FORMAT_1_1
from tests.benchmark.factories import export_dict
from tests.factories import PracticeFactory
from tests.uploads.exports import as_format_1_0, export_bytes, make_export

GOLDEN = Path(__file__).parent / "golden" / "model_path_imports.json"


def _client(year: int, today: date, one_zero: bool = False, **kwargs):
    """An export of the export client's own aggregation, made at nine on ``today``."""

    def made(agb: str):
        document = make_export(agb, year=year, today=today, **kwargs)
        return as_format_1_0(document) if one_zero else document

    return made, datetime(today.year, today.month, today.day, 12, tzinfo=UTC)


def _filled(year: int, quarters: int, size: int, format_version: str):
    """An export whose every part is filled (case-mix cells and outcome measures in 1.1)."""

    def made(agb: str):
        return export_dict(agb, year, quarters, size, format_version=format_version)

    exported = datetime.fromisoformat(made("00000000")["exported_at"])
    return made, exported + timedelta(days=1)


def _cases() -> dict:
    cases = {}
    for one_zero, tag in ((False, "1.1"), (True, "1.0")):
        cases |= {
            f"client {tag} full year": _client(2023, date(2024, 2, 10), one_zero, patients=30),
            f"client {tag} Q1, tariff high": _client(
                2024, date(2024, 4, 20), one_zero, tariff_cents=400_00, seed=2
            ),
            f"client {tag} long episodes, tariff low": _client(
                2023, date(2024, 3, 1), one_zero, sessions_per_episode=45, tariff_cents=5_00
            ),
            f"client {tag} no therapists": _client(
                2023, date(2024, 2, 20), one_zero, therapists=0, seed=4
            ),
            f"client {tag} closed year": _client(
                2022, date(2023, 3, 1), one_zero, year_closed=True, patients=3, seed=5
            ),
        }
    made, now = _client(2023, date(2024, 2, 14), patients=20, seed=7)
    cases["client 1.1 dates as Unix seconds"] = (lambda agb: _in_seconds(made(agb)), now)
    for format_version, tag in ((FORMAT_1_1, "1.1"), (FORMAT_1_0, "1.0")):
        for quarters, size in ((1, 2), (2, 3), (3, 1), (4, 5)):
            cases[f"filled {tag} {quarters} quarters size {size}"] = _filled(
                2024, quarters, size, format_version
            )
    return cases


def _in_seconds(document: dict) -> dict:
    """The document with the period's and the windows' dates written as Unix seconds at
    midnight UTC ("1672531200"): the format's models read them as dates, so such an export is
    valid."""

    def seconds(text: str) -> str:
        return str(int(datetime.combine(date.fromisoformat(text), time(), UTC).timestamp()))

    period = document["period"]
    return document | {
        "period": {"begin": seconds(period["begin"]), "end": seconds(period["end"])},
        "windows": [
            window | {"begin": seconds(window["begin"]), "end": seconds(window["end"])}
            for window in document["windows"]
        ],
    }


# Imported in a second batch, replacing its practice's export of the year of the first case
# named: fewer than half its sessions (a warning), and in the other format.
REPLACING = {
    "client 1.0 replaces 1.1 with fewer sessions": (
        "client 1.1 full year",
        _client(2023, date(2024, 2, 12), True, patients=5, seed=6),
    ),
}


def _upload(practice, made, now) -> Import:
    return intake.accept_document(
        practice=practice,
        certificate_fingerprint="0" * 64,
        document=export_bytes(made(practice.agb_code)),
        now=now,
    ).imp


def _digest(blob) -> str | None:
    return None if blob is None else hashlib.sha256(bytes(blob)).hexdigest()[:20]


def _stored(imp: Import) -> dict:
    imp.refresh_from_db()
    rows = WindowValues.objects.filter(imp=imp).order_by("window")
    return {
        "status": imp.status,
        "windows": {row.window: [_digest(row.values), _digest(row.cells)] for row in rows},
        "window_sessions": imp.window_sessions,
        "warnings": imp.warnings,
    }


def _import_all(changed_bodies: bool) -> dict:
    """Every case imported in one batch, then the replacing ones in a second: what was stored.
    ``changed_bodies``: the stored hashes no longer match, so each body is validated again."""
    first = {name: _upload(PracticeFactory(), *case) for name, case in _cases().items()}
    second = {
        name: _upload(first[replaced].practice, *case)
        for name, (replaced, case) in REPLACING.items()
    }
    for batch in (first, second):
        if changed_bodies:
            for imp in batch.values():
                Import.objects.filter(pk=imp.pk).update(content_sha256=f"{imp.pk:064x}")
        outcome = importer.import_batch([imp.pk for imp in batch.values()])
        assert set(outcome.values()) == {"imported"}
    stored = {name: _stored(imp) for name, imp in (first | second).items()}
    for name, (replaced, _) in REPLACING.items():
        # The replaced export is named by its import number, which the database chose.
        for warning in stored[name]["warnings"]:
            for key in ("message", "message_en"):
                warning[key] = warning[key].replace(f"import {first[replaced].pk}", "import N")
    return stored


@pytest.mark.parametrize("changed_bodies", [False, True], ids=["accepted body", "changed body"])
def test_the_import_stores_what_it_stored_when_it_read_the_format_models(db, changed_bodies):
    stored = _import_all(changed_bodies)
    if os.environ.get("PARABENCH_WRITE_MODEL_PATH") and not changed_bodies:
        GOLDEN.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
        pytest.skip(f"written: {GOLDEN}")
    expected = json.loads(GOLDEN.read_text())
    assert sorted(stored) == sorted(expected)
    for name in expected:
        assert stored[name] == expected[name], name
    # The cases cover what the readers must get right: both formats, cells and no cells, every
    # kind of warning the exports can raise, and a comparison with the export replaced.
    assert {len(s["windows"]) for s in stored.values()} == {1, 3, 5, 7}
    assert {c is None for s in stored.values() for _, c in s["windows"].values()} == {True, False}
    codes = {w["code"] for s in stored.values() for w in s["warnings"]}
    assert {"tariff_high", "tariff_low", "sessions_per_episode_high", "no_therapists"} <= codes
    assert "sessions_dropped" in codes
