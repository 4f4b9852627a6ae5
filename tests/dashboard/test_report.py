"""The practice report (PDF), and the Excel and CSV downloads, against the dashboard pages.

The world is ``country`` (conftest.py): built once for the module, rolled back at its end.
"""

import csv
import html
import io
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from parabench.benchmark import catalogue
from parabench.dashboard import presentation

pytestmark = pytest.mark.django_db

THEMES = presentation.THEME_KEYS


def pdf_pages_text(content: bytes) -> list[str]:
    """The text of each page (pdftotext ends every page with a form feed), spaces normalised."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, check=True
        ).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f")]


def pdf_text(content: bytes) -> str:
    return " ".join(pdf_pages_text(content))


_REPORTS: dict[tuple, bytes] = {}


def get_report(client, imp, **params) -> bytes:
    """Each report once per module: rendering one takes seconds."""
    key = (imp.pk, tuple(sorted(params.items())))
    if key not in _REPORTS:
        response = client.get(reverse("dashboard:report", args=[imp.pk]), params)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        _REPORTS[key] = response.content
    return _REPORTS[key]


def pdf_pages(content: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, check=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def dashboard_figures(client, imp, group: str) -> dict[str, dict[str, str]]:
    """What each theme tab of the dashboard shows per KPI: name, value and the group's facts."""
    found = {}
    for tab in THEMES:
        page = client.get(reverse("dashboard:detail", args=[imp.pk]), {"groep": group, "tab": tab})
        body = page.content.decode()
        pattern = r'<article class="kpi verdict-[a-z]+" id="kpi-([a-z0-9_]+)">(.*?)</article>'
        for code, article in re.findall(pattern, body, re.S):
            name = re.search(r"<h3>(.*?)</h3>", article).group(1)
            value = re.search(r'<span class="value">(.*?)</span>', article).group(1)
            interval = re.search(r'<span class="interval"[^>]*>(.*?)</span>', article)
            verdict = re.search(r'<span class="badge verdict"[^>]*>(.*?)</span>', article)
            # The facts of the KPI itself: a case-mix index beside it has its own (below).
            index_block = re.search(r'<div class="kpi-adjusted".*?</div>', article, re.S)
            index_block = "" if index_block is None else index_block.group(0)
            main = article.replace(index_block, "")
            facts = re.findall(r"<dd>(.*?)</dd>", main)
            adjusted = re.search(r'<span class="value adjusted-value">(.*?)</span>', index_block)
            found[code] = {
                "name": html.unescape(name),
                "value": html.unescape(value),
                "interval": html.unescape(interval.group(1)) if interval else None,
                "verdict": html.unescape(verdict.group(1)) if verdict else None,
                "facts": [html.unescape(f) for f in facts],
                "adjusted": html.unescape(adjusted.group(1)) if adjusted else None,
            }
    return found


# --- The report ---------------------------------------------------------------------------------


def test_the_report_carries_the_same_numbers_as_every_dashboard_tab(owner, imp):
    figures = dashboard_figures(owner, imp, "national")
    pages = pdf_pages_text(get_report(owner, imp, groep="national"))
    assert len(figures) == sum(1 for k in catalogue.KPIS)
    for code, shown in figures.items():
        # The KPI's own block is on one page (it never splits): its name, own value, interval
        # and verdict, the group's median, P25–P75 and place. (Text order inside a page follows
        # the layout's floats, so the test asks for the page, not the sequence.)
        median, band, _position, place = shown["facts"]
        expected = [shown["name"], shown["value"], median, band, place]
        expected += [extra for extra in (shown["interval"], shown["verdict"]) if extra]
        if shown["adjusted"]:  # the case-mix index beside it, as on the page
            expected.append(f"Gecorrigeerd voor casemix: index {shown['adjusted']}")
        assert any(all(e in page for e in expected) for page in pages[1:]), (code, expected)
    assert any(shown["interval"] for shown in figures.values())
    assert figures["sessions_per_episode"]["adjusted"]  # the country sends format 1.1


def test_the_cover_names_practice_agb_period_group_and_its_published_size(owner, imp):
    text = pdf_text(get_report(owner, imp, groep="region"))
    assert "Praktijkrapport" in text
    assert "Fysiotherapie Parabench" in text and "04123451" in text
    assert "1 januari 2026 t/m 30 juni 2026" in text
    assert "Regio Zuid-Holland" in text
    # Six practices in Zuid-Holland are published as the band 5–9, never as 6.
    assert "Aantal praktijken 5–9" in text
    assert "nog niet compleet" in text  # the incomplete year's caveat


def test_every_page_has_a_number_and_the_privacy_footer(owner, imp):
    content = get_report(owner, imp, groep="national")
    pages = pdf_pages(content)
    assert pages >= 2 + len(THEMES)
    text = pdf_text(content)
    assert f"2 / {pages}" in text and f"{pages} / {pages}" in text
    assert text.count("nooit met zorgverzekeraars gedeeld") >= pages - 1
    assert "Wat deze cijfers zijn, en wat niet" in text


def test_the_charts_are_vector_graphics_not_pictures(owner, imp):
    content = get_report(owner, imp, groep="national")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        listing = subprocess.run(
            ["pdfimages", "-list", f.name], capture_output=True, check=True, text=True
        ).stdout
    assert len(listing.strip().splitlines()) == 2  # the header only: no raster image
    text = pdf_text(content)
    # The charts' own labels are text in the PDF (an image would carry none).
    assert "Uw praktijk" in text and "Mediaan groep" in text


def test_a_too_small_group_gives_a_report_with_only_the_practice_s_own_figures(owner, imp):
    national = pdf_text(get_report(owner, imp, groep="national"))
    network = pdf_text(get_report(owner, imp, groep="network"))
    # The check can fail: the national report does show the group's figures per KPI.
    for label in ("Middelste helft (P25–P75)", "Positie"):
        assert label in national and label not in network
    assert "minder dan 5 praktijken" in network
    assert "te weinig om te vergelijken" in network
    figures = dashboard_figures(owner, imp, "network")
    for shown in figures.values():
        assert shown["value"] in network


def test_the_report_shows_the_trends_of_every_trend_kpi(owner, imp):
    text = pdf_text(get_report(owner, imp, groep="national"))
    trends = text[text.find("Overzicht per jaar") :]
    for code in presentation.TREND_KPIS:
        assert catalogue.KPI_BY_CODE[code].name_nl in trends
    assert "2025 K1" in trends and "2026 K2" in trends


def test_the_report_in_english(owner, imp):
    text = pdf_text(get_report(owner, imp, taal="en"))
    assert "Practice report" in text
    assert "1 January 2026 to 30 June 2026" in text or "January 2026" in text
    assert catalogue.KPI_BY_CODE["sessions_per_episode"].name_en in text
    assert "Praktijkrapport" not in text


def test_only_the_practice_itself_gets_its_report(country, imp):
    other = Client()
    other.force_login(country["users"]["b"])
    for name in ("dashboard:report", "dashboard:xlsx", "dashboard:csv"):
        assert other.get(reverse(name, args=[imp.pk])).status_code == 404
        anonymous = Client().get(reverse(name, args=[imp.pk]))
        assert anonymous.status_code == 302 and "/inloggen/" in anonymous["Location"]


def test_the_dashboard_links_to_the_report_excel_and_csv_of_the_chosen_group(owner, imp):
    page = owner.get(reverse("dashboard:detail", args=[imp.pk]), {"groep": "region"})
    body = page.content.decode()
    for name in ("dashboard:report", "dashboard:xlsx", "dashboard:csv"):
        assert f'href="{reverse(name, args=[imp.pk])}?groep=region' in body


def test_a_rendered_page_of_the_report(owner, imp):
    """A picture of the first theme page, for people (test-artifacts/report/)."""
    content = get_report(owner, imp, groep="region")
    target = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"
    target.mkdir(parents=True, exist_ok=True)
    (target / "rapport.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", "-singlefile"]
        + [str(target / "rapport.pdf"), str(target / "page-2")],
        check=True,
    )
    assert (target / "page-2.png").stat().st_size > 10_000


# --- Excel and CSV ------------------------------------------------------------------------------


def test_the_excel_file_has_own_and_published_group_figures_per_kpi_and_window(owner, imp):
    figures = dashboard_figures(owner, imp, "national")
    response = owner.get(reverse("dashboard:xlsx", args=[imp.pk]), {"groep": "national"})
    assert response.status_code == 200
    assert "ParaBench-04123451-2026-K2-landelijk.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Kengetallen"]
    head = [c.value for c in sheet[2]]
    assert head[:7] == [
        "Periode",
        "Van",
        "Tot en met",
        "Thema",
        "Kengetal",
        "Eenheid",
        "Uw praktijk",
    ]
    assert "Mediaan groep" in head and "Aantal praktijken" in head
    assert "Gemiddelde" not in " ".join(str(h) for h in head)
    rows = [dict(zip(head, (c.value for c in row), strict=True)) for row in sheet.iter_rows(3)]
    assert {r["Periode"] for r in rows} == {"K1", "K2", "K1–K2"}
    by_name = {r["Kengetal"]: r for r in rows if r["Periode"] == "K1–K2"}
    sessions = figures["sessions"]
    row = by_name[sessions["name"]]
    # The dashboard's "1.234" is the spreadsheet's 1234: the same figure, as a number.
    assert f"{row['Uw praktijk']:,.0f}".replace(",", ".") == sessions["value"].split()[0]
    median_cell = sheet.cell(row=3 + rows.index(row), column=head.index("Mediaan groep") + 1)
    assert median_cell.number_format == "#,##0"
    assert row["Aantal praktijken"] == "ca. 10" or "–" in row["Aantal praktijken"]
    # Seven practices: no P10/P90 published, so none in the file.
    assert all(r["P10 groep"] is None and r["P90 groep"] is None for r in rows)
    assert "Verdelingen" in book.sheetnames


def test_the_excel_file_of_a_too_small_group_carries_no_group_figure(owner, imp):
    response = owner.get(reverse("dashboard:xlsx", args=[imp.pk]), {"groep": "network"})
    sheet = load_workbook(io.BytesIO(response.content))["Kengetallen"]
    head = [c.value for c in sheet[2]]
    group_columns = [head.index(h) for h in head if "groep" in h or h == "Aantal praktijken"]
    rows = list(sheet.iter_rows(3, values_only=True))
    assert any(row[head.index("Uw praktijk")] is not None for row in rows)
    assert all(row[i] in (None, "") for row in rows for i in group_columns)
    mixes = load_workbook(io.BytesIO(response.content))["Verdelingen"]
    assert all(row[4] is None for row in mixes.iter_rows(2, values_only=True))


def test_the_csv_is_dutch_with_semicolons_and_decimal_commas(owner, imp):
    response = owner.get(reverse("dashboard:csv", args=[imp.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    rate = next(r for r in rows if r["Kengetal"] == "Gemiddeld tarief" and r["Periode"] == "K1–K2")
    assert re.fullmatch(r"\d+,\d\d", rate["Uw praktijk"])
    assert re.fullmatch(r"\d+,\d\d", rate["Mediaan groep"])
    assert rate["Van"] == "2026-01-01" and rate["Tot en met"] == "2026-06-30"
