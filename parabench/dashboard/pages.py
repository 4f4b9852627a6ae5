"""Everything one dashboard page needs, read from the stored statistics and shaped for the template.

The only database work is the benchmark's own read queries (``dashboard_for``, ``trends_for``);
nothing is recomputed per request.
"""

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from parabench.benchmark import groups as grouping
from parabench.benchmark import queries
from parabench.dashboard import formatting, insurers, presentation, verdicts
from parabench.dashboard.presentation import GROUP_KINDS, GROUP_PARAMS, TABS


def group_choices(imp) -> list[tuple[str, str]]:
    """(param, label) for the selector, named by the engine so that page and statistics agree."""
    member = grouping.membership(imp.practice)  # no size class: that needs a query
    return [
        (
            param,
            grouping.size_choice_label(kind, imp.practice)
            if kind in ("size", "region_size")
            else grouping.choice_label(member.group(kind), kind, imp.practice),
        )
        for param, kind in GROUP_PARAMS.items()
    ]


def link(group: str, tab: str, kpi: str | None = None) -> str:
    params = {"groep": group, "tab": tab}
    if kpi:
        params["kengetal"] = kpi
    return "?" + urlencode(params)


def period_notes(imp, window_end: date) -> list[str]:
    """Why the figures may look different: an incomplete year, a closed (cleaned-up) year."""
    notes = []
    if (window_end.month, window_end.day) != (12, 31):
        notes.append(
            _(
                "Het jaar %(year)s is nog niet compleet: de cijfers lopen tot en met het laatste "
                "volledige kwartaal. U wordt vergeleken met dezelfde periode van de andere "
                "praktijken, niet met hun hele jaar."
            )
            % {"year": window_end.year}
        )
    if imp.year_closed:
        notes.append(
            _(
                "Jaar afgesloten: uw praktijksoftware meldt dat dit jaar administratief is "
                "afgesloten. Bij het afsluiten worden gegevens soms opgeschoond (bijvoorbeeld "
                "vervallen afspraken of niet-gefactureerde zittingen); daardoor kunnen de cijfers "
                "afwijken van een export van vóór het afsluiten."
            )
        )
    return notes


def dashboard_page(imp, group: str | None, tab: str | None, kpi: str | None = None) -> dict:
    """The context of one page. Trends reads only the trend series (they carry the group too)
    and shows one KPI's series at a time (``kpi``) beside a yearly overview of all; every other
    tab reads the import's dashboard figures once."""
    group = presentation.group_param(group)
    tab = presentation.tab_param(tab)
    kpi = presentation.trend_param(kpi) if tab == "trends" else None
    kind = GROUP_PARAMS[group]
    practice = imp.practice
    if tab == "trends":
        trends = queries.trends_for(imp, kind)
        info, board = trends.group, None
        # The same window the engine compares: 1 January up to the export's period end.
        begin, end = date(imp.year, 1, 1), imp.period_end
    else:
        # A theme tab needs only its own figures; Welkom sums up every theme.
        board = queries.dashboard_for(imp, kind, presentation.CATALOGUE_TABS.get(tab))
        info = board.group
        begin, end = board.window.begin, board.window.end
    too_small = info.too_small
    choices = group_choices(imp)
    wider = GROUP_KINDS.get(info.wider) if info.wider else None

    context = {
        "practice": practice,
        "imp": imp,
        "group_info": info,
        "group_size": presentation.size_text(info.size),
        "tab": tab,
        "tab_label": next(t.label for t in TABS if t.slug == tab),
        "group": group,
        "too_small": too_small,
        "min_group_size": settings.MIN_GROUP_SIZE,
        "wider_group": wider,
        "groups": [
            {
                "param": param,
                "label": label,
                "href": link(param, tab, kpi),
                "current": param == group,
            }
            for param, label in choices
        ],
        "tabs": [
            dict(slug=t.slug, label=t.label, href=link(group, t.slug), current=t.slug == tab)
            for t in TABS
        ],
        "period": formatting.period(begin, end),
        "period_notes": period_notes(imp, end),
        "intro": presentation.tab_intro(tab),
    }
    if too_small and wider:
        context["wider_href"] = link(wider, tab, kpi)
        context["wider_label"] = dict(choices)[wider]

    if board is None:
        context["trend_choices"] = [
            {
                "code": s.code,
                "name": s.name,
                "href": link(group, tab, s.code),
                "current": s.code == kpi,
            }
            for s in trends.series
        ]
        context["trend_blocks"] = [
            presentation.trend_block(s) for s in trends.series if s.code == kpi
        ]
        context["trend_head"] = presentation.TREND_HEAD
        context["overview"] = presentation.yearly_overview(trends)
        context["overview_links"] = [c["href"] for c in context["trend_choices"]]
        context["explained"] = [(s.name, s.explanation) for s in trends.series]
        return context

    kpis_by_tab: dict[str, list] = {slug: [] for slug in presentation.THEME_SLUGS}
    for kpi in board.kpis:
        kpis_by_tab.setdefault(presentation.slug(kpi.tab), []).append(kpi)
    mixes_by_tab: dict[str, list] = {slug: [] for slug in presentation.THEME_SLUGS}
    for mix in board.mixes:
        mixes_by_tab.setdefault(presentation.slug(mix.tab), []).append(mix)

    if tab == "welkom":
        context["symbols"] = [
            {
                "symbol": verdicts.theme_symbol(
                    t, kpis_by_tab.get(t.slug, []), too_small, mixes_by_tab.get(t.slug, [])
                ),
                "href": link(group, t.slug),
            }
            for t in TABS
            if t.slug in presentation.THEME_SLUGS
        ]
        context["explained"] = []
    else:
        rows = []
        for kpi_figure in kpis_by_tab.get(tab, []):
            row = presentation.kpi_row(kpi_figure, too_small)
            row.judged = verdicts.kpi_verdict(kpi_figure, too_small)
            rows.append(row)
        mixes = [presentation.mix_block(m, too_small) for m in mixes_by_tab.get(tab, [])]
        context["rows"] = rows
        context["mixes"] = mixes
        if board.insurers:
            context["insurer_head"] = insurers.head(queries.catalogue_insurer_measures())
            context["insurer_rows"] = [
                (row.label, *row.cells) for row in insurers.rows(board.insurers, too_small)
            ]
        context["mix_head"] = presentation.MIX_HEAD
        context["explained"] = [(r.name, r.explanation) for r in rows if r.explanation] + [
            (m.name, m.explanation) for m in mixes if m.explanation
        ]
    return context
