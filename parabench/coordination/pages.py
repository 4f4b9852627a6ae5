"""What the coordinator pages show, as plain functions over the benchmark's published figures.

A coordinator sees three things about the network as a whole — who sent which years, the
network's published figures beside the national ones, the network's median over the years —
and a member's own figures only while that member consents (``consent.py``). Every group figure
comes from ``queries.group_figures``: the same stored, published figures a member's dashboard
serves (docs/privacy.md), so a coordinator page adds no derived value.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from parabench.benchmark import catalogue as cat
from parabench.benchmark import queries
from parabench.benchmark.groups import Group
from parabench.benchmark.models import GroupKind
from parabench.coordination import consent
from parabench.dashboard import formatting, presentation
from parabench.uploads.models import Import

NATIONAL = Group(GroupKind.NATIONAL, "")
QUANTILE_NAMES = ("p10", "p25", "median", "p75", "p90")


def network_group(network) -> Group:
    return Group(GroupKind.NETWORK, str(network.pk))


@dataclass
class Member:
    practice: object
    years: dict[int, bool]
    consented: bool


def participation(network) -> tuple[list[int], list[Member]]:
    """Which member practices have sent which years: an imported export of that year, nothing
    about what it says."""
    practices = list(network.practices.order_by("name"))
    sent = set(
        Import.objects.filter(practice__network=network, status=Import.Status.IMPORTED)
        .values_list("practice_id", "year")
        .distinct()
    )
    years = sorted({year for _pid, year in sent}, reverse=True)
    consenting = consent.consenting(network)
    members = [
        Member(p, {year: (p.pk, year) in sent for year in years}, p.pk in consenting)
        for p in practices
    ]
    return years, members


def _cells(stats, show) -> list[str]:
    if stats is None:
        return [formatting.DASH] * len(QUANTILE_NAMES)
    published = stats.published()
    return [show(published.get(name)) for name in QUANTILE_NAMES]


def distribution(network, year: int, window: str) -> dict:
    """Per KPI the network's published figures beside the national ones (same year, window)."""
    codes = [kpi.code for kpi in cat.KPIS]
    size, mine = queries.group_figures(year, window, network_group(network), codes)
    national_size, national = queries.group_figures(year, window, NATIONAL, codes)
    rows = []
    for kpi in cat.KPIS:
        show = presentation.value_format(kpi.number_format, kpi.unit)
        rows.append(
            {
                "code": kpi.code,
                "name": kpi.name,
                "explanation": kpi.explanation,
                "network": _cells(mine.get(kpi.code), show),
                "national": _cells(national.get(kpi.code), show),
            }
        )
    return {
        "size": presentation.size_text(size),
        "national_size": presentation.size_text(national_size),
        "too_small": size is None,
        "rows": rows,
    }


def trend(network, periods) -> list[dict]:
    """The network's median against the national median, per trend KPI and year."""
    codes = list(queries.TREND_KPIS)
    by_year = [
        (
            year,
            window,
            queries.group_figures(year, window, network_group(network), codes)[1],
            queries.group_figures(year, window, NATIONAL, codes)[1],
        )
        for year, window in sorted(periods)
    ]
    series = []
    for code in codes:
        kpi = cat.KPI_BY_CODE[code]
        show = presentation.value_format(kpi.number_format, kpi.unit)
        points = []
        for year, window, mine, national in by_year:
            points.append(
                {
                    "label": period_label(year, window),
                    "network": show(mine[code].median if code in mine else None),
                    "national": show(national[code].median if code in national else None),
                }
            )
        series.append({"code": code, "name": kpi.name, "points": points})
    return series


def period_label(year: int, window: str) -> str:
    if window == "Q1-Q4":
        return str(year)
    return _("%(year)s t/m kwartaal %(quarter)s") % {"year": year, "quarter": window[-1]}


def member_figures(practice) -> dict | None:
    """A consenting member's own figures of its newest imported period, beside the network's
    published median; None when it has sent nothing."""
    imp = (
        Import.objects.filter(practice=practice, status=Import.Status.IMPORTED, is_current=True)
        .order_by("-year", "-period_end")
        .first()
    )
    if imp is None:
        return None
    imp.practice = practice
    board = queries.dashboard_for(imp, "network")
    rows = []
    for figure in board.kpis:
        show = presentation.value_format(figure.number_format, figure.unit)
        rows.append(
            {
                "code": figure.code,
                "name": figure.name,
                "value": show(figure.value),
                "median": show(None if figure.stats is None else figure.stats.median),
            }
        )
    return {
        "period": period_label(imp.year, board.window.code),
        "rows": rows,
    }
