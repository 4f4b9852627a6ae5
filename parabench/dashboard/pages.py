"""Everything one dashboard page needs, read from the stored statistics and shaped for the template.

The only database work is the benchmark's own read queries (``dashboard_for``, ``trends_for``);
nothing is recomputed per request.
"""

import functools
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.utils import formats, translation
from django.utils.safestring import SafeString

from parabench.benchmark import catalogue, groups, queries, uncertainty
from parabench.dashboard import formatting, insurers, presentation, verdicts
from parabench.dashboard.markup import escaped
from parabench.dashboard.presentation import GROUPS, TABS, THEME_KEYS, THEME_TABS, TRENDS, WELCOME
from parabench.language import gettext as _


def group_choices(imp) -> tuple[tuple[str, str], ...]:
    """(choice, label) for the selector, named by the engine so that page and statistics agree."""
    practice = imp.practice
    network = None if practice.network_id is None else practice.network.name
    # No size class: that needs a query.
    return _group_choices(groups.membership(practice), network, translation.get_language())


# Kept per process for what the labels read of a practice (its groups and its network's name)
# and the language: the same for every practice of a network. Nine labels through Django's
# gettext and the provinces' lazy names were about 1.5 % of a page (issue 18, session 11).
@functools.lru_cache(maxsize=1024)
def _group_choices(
    member: groups.Membership, network: str | None, language_code: str
) -> tuple[tuple[str, str], ...]:
    return tuple(
        (
            choice,
            groups.size_choice_label(choice, member.province)
            if choice in ("size", "region_size")
            else groups.choice_label(member.group(choice), choice, network),
        )
        for choice in GROUPS
    )


# The tabs with KPI cards (each KPI's interval, normal spread and funnel). Welkom shows symbols
# and names the KPIs beyond their 95 % limits with their intervals; Verzekeraars its table's
# verdict words beside its mixes. They judge without what they do not show: the 99.8 % limits
# and the own intervals (a rate's are two exact gamma quantiles each). Welkom computes the
# intervals of the KPIs it names only (``verdicts.named``): about half of its exact quantiles
# had been intervals never shown (issue 18, session 13).
CARD_TABS = frozenset(kpi.theme for kpi in catalogue.KPIS)


def judged_for(tab: str) -> dict:
    """``dashboard_for``'s ``levels`` and ``intervals`` for what ``tab`` shows."""
    if tab in CARD_TABS:
        return {}
    return {"levels": (uncertainty.LEVEL,), "intervals": False}


# Cached: a page makes 17 of these (every group, tab and trend choice), from a few hundred
# possible ones (checked values only: group_param, tab_param, trend_param); urlencode each time
# was 6 % of building a page's context (cProfile of the attacker suite's pages, 2026-11-29).
@functools.cache
def link(group: str, tab: str, kpi: str | None = None) -> str:
    params = {"groep": group, "tab": tab}
    if kpi:
        params["kengetal"] = kpi
    return "?" + urlencode(params)


# The page head's two texts with a value in them, written here rather than by the template's
# ``{% blocktranslate %}`` (23–43 µs a node, timed alone and inside a heavy tab's page: two
# nodes a page, issue 18, session 14): the same messages, the values localised and escaped as
# blocktranslate does, the translation itself taken as it is.
def import_label(imp) -> SafeString:
    """ "import 4711" beside the period."""
    return SafeString(_("import %(number)s") % {"number": escaped(formats.localize(imp.number))})


def group_caption(label, size: str) -> SafeString:
    """ "Vergeleken met: Landelijk (ca. 9.990 praktijken)"; without a size, the label alone."""
    label = escaped(str(label))
    if size:
        text = _("Vergeleken met: %(label)s (%(n)s praktijken)") % {
            "label": label,
            "n": escaped(size),
        }
    else:
        text = _("Vergeleken met: %(label)s") % {"label": label}
    return SafeString(text)


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


def kpi_rows(kpis, too_small: bool) -> list[presentation.KpiRow]:
    """The cards of a theme's KPIs: value, verdict and funnel, and beside a crude KPI with a
    case-mix index that index — whose verdict then colours the card and whose funnel is drawn,
    as the welcome symbol uses it (docs/statistics.md §9). The report uses the same rows."""
    rows = []
    for kpi_figure in kpis:
        row = presentation.kpi_row(kpi_figure, too_small)
        row.adjusted = verdicts.adjusted_view(kpi_figure, too_small)
        indexed = row.adjusted is not None and row.adjusted.judged is not None
        # The crude KPI's own funnel only where its card draws it: beside a judged index the
        # index's is drawn, and the crude one (its curves, drawing and table, about 55 µs) was
        # made and thrown away.
        row.judged = verdicts.kpi_verdict(kpi_figure, too_small, funnel=not indexed)
        row.funnel = row.judged
        if indexed:
            row.verdict = row.adjusted.judged.verdict
            row.funnel = row.adjusted.judged
            row.adjusted_explanation = str(kpi_figure.adjusted.explanation)
        rows.append(row)
    return rows


def dashboard_page(imp, group: str | None, tab: str | None, kpi: str | None = None) -> dict:
    """The context of one page. Trends reads only the trend series (they carry the group too)
    and shows one KPI's series at a time (``kpi``) beside a yearly overview of all; every other
    tab reads the import's dashboard figures once."""
    group = presentation.group_param(group)
    tab = presentation.tab_param(tab)
    kpi = presentation.trend_param(kpi) if tab == TRENDS else None
    practice = imp.practice
    if tab == TRENDS:
        trends = queries.trends_for(imp, group, quarters_of=kpi)
        info, board = trends.group, None
        # The same window the engine compares: 1 January up to the export's period end.
        begin, end = date(imp.year, 1, 1), imp.period_end
    else:
        # A theme tab needs only its own figures; Welkom sums up every theme (by its KPIs and
        # mixes: the figures per insurer concern are only in the Verzekeraars tab's table).
        board = queries.dashboard_for(
            imp,
            group,
            tab if tab in THEME_KEYS else None,
            per_insurer=tab != WELCOME,
            **judged_for(tab),
        )
        info = board.group
        begin, end = board.window.begin, board.window.end
    too_small = info.too_small
    choices = group_choices(imp)
    wider = info.wider

    group_size = presentation.size_text(info.size)
    context = {
        "practice": practice,
        "imp": imp,
        "import_label": import_label(imp),
        "group_info": info,
        "group_size": group_size,
        "group_caption": group_caption(info.label, group_size),
        "tab": tab,
        "tab_label": next(t.label for t in TABS if t.key == tab),
        "group": group,
        "too_small": too_small,
        "min_group_size": settings.MIN_GROUP_SIZE,
        "wider_group": wider,
        "groups": [
            {
                "choice": choice,
                "label": label,
                "href": link(choice, tab, kpi),
                "current": choice == group,
            }
            for choice, label in choices
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

    kpis_by_theme: dict[str, list] = {key: [] for key in THEME_KEYS}
    for kpi in board.kpis:
        kpis_by_theme[kpi.theme].append(kpi)
    mixes_by_theme: dict[str, list] = {key: [] for key in THEME_KEYS}
    for mix in board.mixes:
        mixes_by_theme[mix.theme].append(mix)

    if tab == WELCOME:
        context["symbols"] = [
            {
                "symbol": verdicts.theme_symbol(
                    t, kpis_by_theme[t.key], too_small, mixes_by_theme[t.key]
                ),
                "href": link(group, t.key),
            }
            for t in THEME_TABS
        ]
        context["explained"] = []
    else:
        rows = kpi_rows(kpis_by_theme[tab], too_small)
        mixes = [presentation.mix_block(m, too_small) for m in mixes_by_theme[tab]]
        context["rows"] = rows
        context["mixes"] = mixes
        if board.insurers:
            context["insurer_head"] = insurers.head(queries.catalogue_insurer_measures())
            context["insurer_rows"] = [
                (row.label, *row.cells) for row in insurers.rows(board.insurers, too_small)
            ]
        context["mix_head"] = presentation.MIX_HEAD
        context["explained"] = (
            [(r.name, r.explanation) for r in rows if r.explanation]
            + [
                (r.adjusted.name, r.adjusted_explanation)
                for r in rows
                if r.adjusted is not None and r.adjusted.judged is not None
            ]
            + [(m.name, m.explanation) for m in mixes if m.explanation]
        )
    return context
