"""The Dashboards list on the Profiel page and an import's own page, for every persona."""

import re
from datetime import date, timedelta

from django.urls import reverse

from parabench.uploads import importer
from parabench.uploads.models import Import
from tests.uploads.factories import upload_export

PROFILE = "/profiel/"


def _rows(html: str) -> list[str]:
    return re.findall(r'data-import="(\d+)"', html)


def _imports(practice, count: int) -> list[Import]:
    """``count`` uploads of different years (so different bytes), oldest upload first."""
    return [upload_export(practice, year=date.today().year - 1 - n) for n in range(count)]


def test_the_list_shows_an_imported_row_with_both_moments_and_a_star(db, client_a, practice_a):
    imp = upload_export(practice_a, year_closed=True)
    importer.import_upload.call(imp.pk)
    imp.refresh_from_db()
    html = client_a.get(PROFILE).content.decode()
    assert _rows(html) == [str(imp.pk)]
    assert imp.uploaded_at and imp.imported_at
    row = html[html.index(f'data-import="{imp.pk}"') :]
    assert "ingelezen" in row and "✓" in row
    assert reverse("dashboard:detail", kwargs={"import_id": imp.pk}) in row
    assert f"{imp.period_begin:%d/%m/%y}" in row and f"{imp.period_end:%d/%m/%y}" in row
    assert "enkele minuten" in html


def test_a_waiting_upload_has_no_star_yet(db, client_a, practice_a):
    imp = upload_export(practice_a)
    html = client_a.get(PROFILE).content.decode()
    assert _rows(html) == [str(imp.pk)]
    assert "ontvangen" in html
    assert reverse("dashboard:detail", kwargs={"import_id": imp.pk}) not in html


def test_practice_b_never_sees_the_imports_of_practice_a(db, client_b, practice_a, practice_b):
    _imports(practice_a, 3)
    own = upload_export(practice_b)
    html = client_b.get(PROFILE).content.decode()
    assert _rows(html) == [str(own.pk)]


def test_paging_shows_ten_rows_and_where_you_are(db, client_a, practice_a):
    made = _imports(practice_a, 23)
    first = client_a.get(PROFILE).content.decode()
    assert len(_rows(first)) == 10
    assert "1 tot en met 10 van 23" in first
    assert "?pagina=2#dashboards" in first and "?pagina=3#dashboards" in first  # Volgende, Laatste
    last = client_a.get(PROFILE, {"pagina": 3}).content.decode()
    assert "21 tot en met 23 van 23" in last
    assert _rows(last) == [str(made[2].pk), str(made[1].pk), str(made[0].pk)]
    assert "Eerste" in last and "Vorige" in last
    beyond = client_a.get(PROFILE, {"pagina": "veel"}).content.decode()
    assert "1 tot en met 10 van 23" in beyond


def test_an_empty_list_explains_what_to_do(db, client_a):
    html = client_a.get(PROFILE).content.decode()
    assert 'data-field="empty"' in html


def test_the_import_page_shows_reasons_and_warnings_only_to_its_practice(
    db, client_a, client_b, anonymous_client, operator_client, practice_a, settings
):
    warned = upload_export(practice_a, tariff_cents=400_00)
    importer.import_upload.call(warned.pk)
    rejected = upload_export(practice_a, year=date.today().year - 3)
    (settings.UPLOAD_STORAGE_DIR / rejected.body_path).write_bytes(b"[]")
    importer.import_upload.call(rejected.pk)

    page = client_a.get(reverse("uploads:detail", args=[warned.pk])).content.decode()
    assert 'data-code="tariff_high"' in page
    page = client_a.get(reverse("uploads:detail", args=[rejected.pk])).content.decode()
    assert "afgekeurd" in page and "Waarom is deze upload afgekeurd?" in page

    for client in (client_b, operator_client):
        assert client.get(reverse("uploads:detail", args=[warned.pk])).status_code == 404
    response = anonymous_client.get(reverse("uploads:detail", args=[warned.pk]))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


def test_a_superseded_import_stays_visible_and_says_so(db, client_a, practice_a):
    older = upload_export(practice_a, today=date.today() - timedelta(days=2))
    newer = upload_export(practice_a, today=date.today() - timedelta(days=1))
    importer.import_upload.call(older.pk)
    importer.import_upload.call(newer.pk)
    html = client_a.get(PROFILE).content.decode()
    assert set(_rows(html)) == {str(older.pk), str(newer.pk)}
    assert "vervangen door een nieuwere export" in html
