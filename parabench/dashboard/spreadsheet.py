"""The practice's own figures beside the group's published figures, per KPI and window, for
Excel (openpyxl) and CSV.

One table of rows (``figure_rows``) feeds both files; each row is read from the benchmark's
``dashboard_for`` for one window, so the download carries exactly what the dashboard may show:
the published quantiles (none for a group below the minimum size, no P10/P90 where the group is
too small for them), the group size as a band, never a mean or another practice's value.
"""

import csv
import io
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parabench.benchmark import casemix, catalogue, queries
from parabench.dashboard import presentation, verdicts

# The columns of the KPI table, in order: (key, header).
COLUMNS = (
    ("window", gettext_lazy("Periode")),
    ("begin", gettext_lazy("Van")),
    ("end", gettext_lazy("Tot en met")),
    ("theme", gettext_lazy("Thema")),
    ("kpi", gettext_lazy("Kengetal")),
    ("unit", gettext_lazy("Eenheid")),
    ("value", gettext_lazy("Uw praktijk")),
    ("low", gettext_lazy("Interval laag (95%)")),
    ("high", gettext_lazy("Interval hoog (95%)")),
    ("p10", gettext_lazy("P10 groep")),
    ("p25", gettext_lazy("P25 groep")),
    ("median", gettext_lazy("Mediaan groep")),
    ("p75", gettext_lazy("P75 groep")),
    ("p90", gettext_lazy("P90 groep")),
    ("size", gettext_lazy("Aantal praktijken")),
    ("place", gettext_lazy("Plaats")),
    ("verdict", gettext_lazy("Oordeel")),
)
QUANTILE_KEYS = ("p10", "p25", "median", "p75", "p90")
NUMERIC = ("value", "low", "high", "p10", "p25", "median", "p75", "p90")
MIX_COLUMNS = (
    ("window", gettext_lazy("Periode")),
    ("mix", gettext_lazy("Verdeling")),
    ("category", gettext_lazy("Categorie")),
    ("value", gettext_lazy("Uw praktijk (%)")),
    ("median", gettext_lazy("Mediaan groep (%)")),
)
# Excel number formats per catalogue number format (Excel shows them with the reader's own
# decimal and thousands marks).
EXCEL_FORMATS = {
    "int": "#,##0",
    "dec1": "#,##0.0",
    "dec2": "#,##0.00",
    "pct": '0.0" %"',
    "eur": '"€ "#,##0.00',
    "eur0": '"€ "#,##0',
}
DECIMALS = {"int": 0, "dec1": 1, "dec2": 2, "pct": 1, "eur": 2, "eur0": 0}
UNITS = {
    "aantal": gettext_lazy("aantal"),
    "%": "%",
    "€": "€",
    "zittingen": gettext_lazy("zittingen"),
    "weken": gettext_lazy("weken"),
    "dagen": gettext_lazy("dagen"),
    "fte": gettext_lazy("fte"),
}


@dataclass
class Sheet:
    kpis: list[dict]  # one per KPI and window, keyed by COLUMNS; numbers stay numbers
    formats: list[str]  # the catalogue's number format of each KPI row
    mixes: list[dict]  # one per mix category and window, keyed by MIX_COLUMNS


def window_label(window) -> str:
    """'Q1-Q2' → 'K1–K2' (kwartaal), as the dashboard names quarters."""
    return window.code.replace("Q", _("K")).replace("-", "–")


def interval_cells(figure) -> dict:
    interval = None if figure.judgement is None else figure.judgement.interval
    if interval is None or any(v is None or v != v for v in interval):
        return {"low": None, "high": None}
    return {"low": interval[0], "high": interval[1]}


def index_row(kpi, too_small: bool) -> dict | None:
    """The row of a crude KPI's case-mix index, right after it (docs/statistics.md §9): the
    index and its interval; no group quantiles (its expectation is the national 1,00, said in the
    verdict column); for a KPI without an index the reason in the verdict column."""
    view = verdicts.adjusted_view(kpi, too_small)
    if view is None:
        return None
    index = kpi.adjusted
    definition = catalogue.INDEX_BY_CODE[catalogue.INDEX_OF_MEASURE[MEASURE_OF[kpi.code]]]
    row = {
        "theme": catalogue.THEME_BY_KEY[kpi.theme].label,
        "kpi": str(definition.name),
        "unit": _("index"),
        "value": None if index is None else index.value,
        **({"low": None, "high": None} if index is None else interval_cells(index)),
        **dict.fromkeys(QUANTILE_KEYS),
        "size": "",
        "place": "",
    }
    if index is None:
        row["verdict"] = view.missing
    else:
        row["verdict"] = _("%(verdict)s (verwachting bij uw casemix %(expected)s)") % {
            "verdict": view.judged.text or _("geen oordeel"),
            "expected": view.expected,
        }
    return row


MEASURE_OF = {crude: measure for measure, crude in casemix.CRUDE_KPIS.items()}


def figure_rows(imp, group: str | None) -> Sheet:
    group = presentation.group_param(group)
    kpis, formats, mixes = [], [], []
    for window in queries.windows_of(imp):
        board = queries.dashboard_for(imp, group, window=window)
        label = window_label(window)
        too_small = board.group.too_small
        for kpi in board.kpis:
            stats = None if too_small else kpi.stats
            published = {} if stats is None else stats.published()
            kpis.append(
                {
                    "window": label,
                    "begin": window.begin,
                    "end": window.end,
                    "theme": catalogue.THEME_BY_KEY[kpi.theme].label,
                    "kpi": str(kpi.name),
                    "unit": str(UNITS.get(kpi.unit, kpi.unit)),
                    "value": kpi.value,
                    **interval_cells(kpi),
                    **{
                        name: published.get(name) for name in ("p10", "p25", "median", "p75", "p90")
                    },
                    "size": "" if stats is None else presentation.size_text(stats.size),
                    "place": "" if stats is None else presentation.band_text(kpi.band),
                    "verdict": verdicts.verdict_text(kpi, too_small)[1],
                }
            )
            formats.append(kpi.number_format)
            index = index_row(kpi, too_small)
            if index is not None:
                kpis.append({"window": label, "begin": window.begin, "end": window.end, **index})
                formats.append("dec2")
        for insurer in board.insurers:
            for figure in insurer.figures:
                stats = None if too_small else figure.stats
                published = {} if stats is None else stats.published()
                kpis.append(
                    {
                        "window": label,
                        "begin": window.begin,
                        "end": window.end,
                        "theme": catalogue.THEME_BY_KEY[figure.theme].label,
                        "kpi": f"{figure.name} · {insurer.label}",
                        "unit": str(UNITS.get(figure.unit, figure.unit)),
                        "value": figure.value,
                        **interval_cells(figure),
                        **{name: published.get(name) for name in QUANTILE_KEYS},
                        "size": "" if stats is None else presentation.size_text(stats.size),
                        "place": "" if stats is None else presentation.band_text(figure.band),
                        "verdict": verdicts.verdict_text(figure, too_small)[1],
                    }
                )
                formats.append(figure.number_format)
        for mix in board.mixes:
            for share in mix.categories:
                mixes.append(
                    {
                        "window": label,
                        "mix": str(mix.name),
                        "category": str(share.label),
                        "value": share.practice,
                        "median": None if too_small else share.group,
                    }
                )
    return Sheet(kpis, formats, mixes)


def to_xlsx(sheet: Sheet, title: str) -> bytes:
    """Two sheets (Kengetallen, Verdelingen) with headers, number formats and frozen header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = book.active
    first.title = _("Kengetallen")
    first.append([title])
    first["A1"].font = Font(bold=True, size=13)
    first.append([str(header) for _key, header in COLUMNS])
    for cell in first[2]:
        cell.font = Font(bold=True)
    for row, number_format in zip(sheet.kpis, sheet.formats, strict=True):
        first.append([row[key] for key, _header in COLUMNS])
        for index, (key, _header) in enumerate(COLUMNS, start=1):
            cell = first.cell(row=first.max_row, column=index)
            if key in NUMERIC:
                cell.number_format = EXCEL_FORMATS.get(number_format, "#,##0.0")
            elif key in ("begin", "end"):
                cell.number_format = "dd-mm-yyyy"
    first.freeze_panes = "A3"
    for letter, width in zip("ABCDEFGHIJKLMNOPQ", (9, 11, 11, 15, 34, 10), strict=False):
        first.column_dimensions[letter].width = width

    second = book.create_sheet(_("Verdelingen"))
    second.append([str(header) for _key, header in MIX_COLUMNS])
    for cell in second[1]:
        cell.font = Font(bold=True)
    for row in sheet.mixes:
        second.append([row[key] for key, _header in MIX_COLUMNS])
        for column in (4, 5):
            second.cell(row=second.max_row, column=column).number_format = '0.0" %"'
    second.freeze_panes = "A2"
    second.column_dimensions["B"].width = 30
    second.column_dimensions["C"].width = 28

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(sheet: Sheet, dutch: bool) -> str:
    """The KPI table as CSV: in Dutch with ';' between fields and a decimal comma (what Dutch
    Excel expects), in English with ',' and a decimal point. Dates as ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writerow([str(header) for _key, header in COLUMNS])
    for row, number_format in zip(sheet.kpis, sheet.formats, strict=True):
        decimals = DECIMALS.get(number_format, 2)
        cells = []
        for key, _header in COLUMNS:
            value = row[key]
            if key in NUMERIC:
                # Django's marks of the page's language, without thousands marks (for Excel).
                value = (
                    "" if value is None else formats.number_format(round(value, decimals), decimals)
                )
            elif key in ("begin", "end"):
                value = value.isoformat()
            cells.append(value)
        writer.writerow(cells)
    return out.getvalue()
