"""The practice report: every theme, its charts and the trends of one import, as one document.

Built from exactly what the dashboard pages show — the same benchmark queries
(``dashboard_for``, ``trends_for``), the same presentation (``kpi_row``, ``mix_block``,
``trend_block``) and the same SVG charts — so the report can never carry a figure the dashboard
does not (docs/privacy.md). ``report_context`` is pure shaping; ``render_pdf`` turns the
``dashboard/report.html`` template into PDF with WeasyPrint (HTML and CSS paged media: the
charts stay vector graphics, page numbers and the footer come from ``@page``).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from parabench.benchmark import queries
from parabench.dashboard import formatting, insurers, pages, presentation, verdicts
from parabench.dashboard.presentation import THEME_TABS, TRENDS


@dataclass
class Theme:
    key: str  # catalogue.THEMES
    label: str
    rows: list[presentation.KpiRow]
    mixes: list[presentation.MixBlock]
    insurer_rows: list[tuple] = ()


def caveats(imp, info, window_end: date) -> list[str]:
    """What to keep in mind when reading the figures: the dashboard's period notes, and a group
    too small to compare with."""
    notes = pages.period_notes(imp, window_end)
    if info.too_small:
        notes.append(
            _(
                "De gekozen groep telt minder dan %(k)s praktijken met cijfers. Om geen cijfers "
                "van afzonderlijke praktijken prijs te geven, staan in dit rapport alleen uw eigen "
                "cijfers; kies een bredere groep om te vergelijken."
            )
            % {"k": settings.MIN_GROUP_SIZE}
        )
    return notes


def report_context(imp, group: str | None) -> dict:
    """Everything the report template needs for import ``imp`` against ``group`` (a
    ``?groep=`` value: national, region, network)."""
    group = presentation.group_param(group)
    practice = imp.practice
    board = queries.dashboard_for(imp, group)
    info = board.group
    too_small = info.too_small

    themes, symbols = [], []
    for tab in THEME_TABS:
        kpis = [k for k in board.kpis if k.theme == tab.key]
        mix_figures = [m for m in board.mixes if m.theme == tab.key]
        rows = pages.kpi_rows(kpis, too_small)  # as pages.dashboard_page
        mixes = [presentation.mix_block(m, too_small) for m in mix_figures]
        insurer_rows = []
        if tab.key == "insurers":
            insurer_rows = [(r.label, *r.cells) for r in insurers.rows(board.insurers, too_small)]
        themes.append(Theme(tab.key, str(tab.label), rows, mixes, insurer_rows))
        symbols.append(verdicts.theme_symbol(tab, kpis, too_small, mix_figures))

    trends = queries.trends_for(imp, group)
    trend_blocks = [presentation.trend_block(s) for s in trends.series if s.points]

    return {
        "practice": practice,
        "imp": imp,
        "group": group,
        "group_info": info,
        "group_size": presentation.size_text(info.size),
        "too_small": too_small,
        "min_group_size": settings.MIN_GROUP_SIZE,
        "period": formatting.period(board.window.begin, board.window.end),
        "made_on": formatting.long_date(timezone.localdate()),
        "caveats": caveats(imp, info, board.window.end),
        "themes": themes,
        "symbols": symbols,
        "theme_intro": presentation.tab_intro(THEME_TABS[0].key),
        "trend_blocks": trend_blocks,
        "trend_head": presentation.TREND_HEAD,
        "trend_intro": presentation.tab_intro(TRENDS),
        "overview": presentation.yearly_overview(trends),
        "mix_head": presentation.MIX_HEAD,
        "insurer_head": insurers.head(queries.catalogue_insurer_measures()),
    }


def render_html(context: dict) -> str:
    return render_to_string("dashboard/report.html", context)


def render_pdf(context: dict) -> bytes:
    """The report as PDF. WeasyPrint is imported here: only this view needs Pango."""
    from weasyprint import HTML

    return HTML(string=render_html(context)).write_pdf()


def filename(imp, group: str, extension: str) -> str:
    """ParaBench-04123451-2026-K2-landelijk.pdf: practice, period and group in the name."""
    quarter = (imp.period_end.month - 1) // 3 + 1
    word = presentation.GROUP_FILE_WORDS[presentation.group_param(group)]
    return f"ParaBench-{imp.practice.agb_code}-{imp.year}-K{quarter}-{word}.{extension}"
