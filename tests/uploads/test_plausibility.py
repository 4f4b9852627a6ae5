import json
from datetime import date, timedelta
from importlib import import_module

from django.apps import apps
from django.urls import reverse

from parabench.uploads import importer, storage
from parabench.uploads.models import Import
from parabench.uploads.plausibility import plausibility_warnings
from parabench_format import Export
from tests.uploads.exports import make_export
from tests.uploads.factories import upload_export

TODAY = date(2026, 6, 15)


def _codes(**kwargs) -> list[str]:
    document = make_export("04123451", year=2025, today=TODAY, **kwargs)
    Export.model_validate_json(json.dumps(document))  # a valid export
    return [w["code"] for w in plausibility_warnings(document)]


def test_an_ordinary_practice_gets_no_warnings():
    assert _codes() == []


def test_sixty_sessions_per_episode_is_a_warning():
    assert _codes(sessions_per_episode=60) == ["sessions_per_episode_high"]


def test_a_tariff_of_400_euro_is_a_warning():
    assert _codes(tariff_cents=400_00) == ["tariff_high"]


def test_a_tariff_of_5_euro_is_a_warning():
    assert _codes(tariff_cents=5_00) == ["tariff_low"]


def test_sessions_without_therapists_is_a_warning():
    assert _codes(therapists=0) == ["no_therapists"]


def test_warnings_carry_a_path_and_dutch_and_english_messages():
    document = make_export("04123451", year=2025, today=TODAY, tariff_cents=400_00)
    (warning,) = plausibility_warnings(document)
    assert warning["path"].startswith("$.windows[")
    assert "€ 400,00" in warning["message"] and "€ 400.00" in warning["message_en"]


def test_a_busy_full_time_therapist_is_no_warning():
    # 300 patients x 12 sessions in a year by 2.4 FTE: about 375 sessions per FTE per quarter.
    assert "sessions_per_fte_high" not in _codes(
        patients=300, sessions_per_episode=12, therapists=3
    )


def test_far_more_sessions_than_the_fte_can_give_is_a_warning():
    # 500 patients x 12 sessions by 0.8 FTE: some 1,900 per FTE per quarter (146 a week).
    assert "sessions_per_fte_high" in _codes(patients=500, sessions_per_episode=12, therapists=1)


def _imported(practice, **kwargs) -> Import:
    imp = upload_export(practice, **kwargs)
    importer.import_upload.call(imp.pk)
    imp.refresh_from_db()
    return imp


def test_a_year_whose_sessions_fall_by_more_than_half_is_imported_but_marked(
    db, practice_a, client_a
):
    today = date.today()
    first = _imported(practice_a, patients=12, today=today - timedelta(days=2))
    halved = _imported(practice_a, patients=5, today=today - timedelta(days=1))  # 30 of 72

    assert halved.status == Import.Status.IMPORTED and halved.is_current
    assert [w["code"] for w in halved.warnings] == ["sessions_dropped"]
    warning = halved.warnings[0]
    assert "30 zittingen" in warning["message"] and f"(import {first.pk}) 72" in warning["message"]
    assert "this export holds 30 sessions" in warning["message_en"]
    assert not first.sessions_dropped and halved.sessions_dropped

    html = client_a.get(reverse("practices:profile")).content.decode()
    row = html[html.index(f'data-import="{halved.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-field="sessions-dropped"' in row
    detail = client_a.get(reverse("uploads:detail", args=[halved.pk])).content.decode()
    assert "minder dan de helft" in detail


def test_a_smaller_fall_in_sessions_or_a_first_export_is_not_marked(db, practice_a):
    today = date.today()
    assert _imported(practice_a, patients=12, today=today - timedelta(days=2)).warnings == []
    assert _imported(practice_a, patients=7, today=today - timedelta(days=1)).warnings == []


def test_an_import_keeps_each_windows_sessions_for_the_next_comparison(db, practice_a):
    imp = _imported(practice_a, patients=12, today=date.today() - timedelta(days=1))

    export = Export.model_validate_json(storage.stored_body(imp))
    assert imp.window_sessions == [
        [w.begin.isoformat(), w.end.isoformat(), w.sessions.total] for w in export.windows
    ]


def test_the_comparison_reads_the_kept_sessions_not_the_replaced_body(db, practice_a):
    today = date.today()
    first = _imported(practice_a, patients=12, today=today - timedelta(days=2))
    (storage.storage_root() / first.body_path).unlink()

    halved = _imported(practice_a, patients=5, today=today - timedelta(days=1))

    assert [w["code"] for w in halved.warnings] == ["sessions_dropped"]


def test_an_export_imported_before_its_sessions_were_kept_is_compared_from_its_body(db, practice_a):
    today = date.today()
    first = _imported(practice_a, patients=12, today=today - timedelta(days=2))
    Import.objects.filter(pk=first.pk).update(window_sessions=None)

    halved = _imported(practice_a, patients=5, today=today - timedelta(days=1))

    assert [w["code"] for w in halved.warnings] == ["sessions_dropped"]


def test_the_migration_gives_imported_exports_their_sessions_from_their_bodies(db, practice_a):
    today = date.today()
    kept = _imported(practice_a, patients=12, today=today - timedelta(days=2))
    gone = _imported(practice_a, patients=9, year=today.year - 2, today=today - timedelta(days=1))
    Import.objects.filter(pk__in=[kept.pk, gone.pk]).update(window_sessions=None)
    (storage.storage_root() / gone.body_path).unlink()

    migration = import_module("parabench.uploads.migrations.0002_import_window_sessions")
    migration.fill_window_sessions(apps, None)

    kept_after, gone_after = (Import.objects.get(pk=imp.pk) for imp in (kept, gone))
    assert kept_after.window_sessions == kept.window_sessions
    assert gone_after.window_sessions is None
