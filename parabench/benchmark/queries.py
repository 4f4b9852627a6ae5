"""What the dashboard may read: a practice's own figures beside its group's stored statistics.

The only door from the benchmark to a page. Every answer is built from the practice's own rows
and the stored group statistics; it never carries min, max or any other practice's value, and for
a group below MIN_GROUP_SIZE it carries nothing about the group at all — not n, not the mean.
Tails (P10, P90) are withheld while they would still be interpolated with the group's lowest or
highest value (type 7 uses the extreme for P10 when n < 11), because together with P25 that
would give the extreme away.
"""

import math
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from parabench.benchmark import catalogue as cat
from parabench.benchmark import groups as grouping
from parabench.benchmark.kpis import QUARTER_WINDOWS, dashboard_window, unpack, with_growth
from parabench.benchmark.models import GroupPositions, GroupStatistics, WindowValues
from parabench.benchmark.stats import STAT_FIELDS

# P10 and P90 of type 7 interpolate with the minimum / maximum while (n - 1) · 0.1 < 1.
TAIL_MIN_N = 11
TREND_KPIS = (
    "patients",
    "new_patients",
    "episodes",
    "sessions",
    "revenue",
    "sessions_per_episode",
    "revenue_per_session",
    "no_show_rate",
)
_WIDER = {"network": ("region", "national"), "region": ("national",), "national": ()}


@dataclass(frozen=True)
class Window:
    code: str
    begin: date
    end: date


@dataclass(frozen=True)
class GroupInfo:
    kind: str  # "national", "region", "network" (also for "without network")
    label: str
    n: int | None  # None when too small: not even the size is told
    too_small: bool
    wider: str | None  # the wider group kind that has figures, when this one is too small


@dataclass(frozen=True)
class GroupStats:
    n: int
    mean: float
    p10: float | None
    p25: float
    median: float
    p75: float
    p90: float | None


@dataclass(frozen=True)
class KpiFigure:
    code: str
    name: str
    unit: str
    tab: str
    better: str | None
    number_format: str
    explanation: str
    value: float | None
    stats: GroupStats | None
    percentile: float | None  # share of the group at or below the practice's value, 0–100
    position: str | None  # "below", "around", "above" the group's P25–P75 band
    verdict: str | None  # "better", "around", "worse", "neutral"; None without statistics


@dataclass(frozen=True)
class MixFigure:
    code: str
    name: str
    tab: str
    explanation: str
    categories: list[tuple[str, float | None, float | None]]  # label, practice %, group mean %


@dataclass(frozen=True)
class Dashboard:
    window: Window
    group: GroupInfo
    kpis: list[KpiFigure]
    mixes: list[MixFigure]


class TrendPoint(NamedTuple):
    # A tuple, not a dataclass: the Trends tab builds hundreds per page.
    label: str
    kind: str  # "quarter" or "year"
    year: int
    window: str
    value: float | None
    group_median: float | None
    growth: float | None  # against the same period one year earlier, %


@dataclass(frozen=True)
class TrendSeries:
    code: str
    name: str
    unit: str
    number_format: str
    better: str | None
    explanation: str
    points: list[TrendPoint]


@dataclass(frozen=True)
class Trends:
    group: GroupInfo
    series: list[TrendSeries]


def catalogue() -> list[cat.KpiDefinition]:
    return list(cat.KPIS)


def mixes() -> list[cat.MixDefinition]:
    return list(cat.MIXES)


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _window_of(imp) -> Window:
    quarters = (imp.period_end.month - 1) // 3 + 1
    code = dashboard_window(quarters)
    return Window(code, date(imp.year, 1, 1), imp.period_end)


def _own_vector(imp, window: str):
    """The import's own values for a window (growth included) and its row id, or None."""
    row = (
        WindowValues.objects.filter(imp=imp, window=window)
        .values_list("pk", "values", "growth")
        .first()
    )
    if row is None:
        return None
    growth = None if row[2] is None else unpack(row[2], len(cat.GROWTH_KPIS))
    return with_growth(unpack(row[1]), growth)[0], row[0]


def _own_shares(row_id: int, year: int, window: str, group) -> np.ndarray | None:
    """The row's percentile positions in its group, from the group's stored positions.

    Reads the group's row ids, then only this row's slice of the shares (``substr`` on the
    blob): the national group's shares are ~1.6 MB at national scale, one row's ~0.5 KB.
    """
    stored = (
        GroupPositions.objects.filter(year=year, window=window, kind=group.kind, key=group.key)
        .values_list("pk", "rows")
        .first()
    )
    if stored is None:
        return None
    ids = np.frombuffer(bytes(stored[1]), dtype="<i8")
    index = int(np.searchsorted(ids, row_id))
    if index >= ids.size or ids[index] != row_id:
        return None
    size = len(cat.POSITION_COLUMNS) * 4
    q = connection.ops.quote_name
    table = q(GroupPositions._meta.db_table)
    # substr counts from 1, on PostgreSQL's bytea and SQLite's blob alike; the table name
    # comes from the model's metadata.
    sql = f"SELECT substr({q('shares')}, %s, %s) FROM {table} WHERE {q('id')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [index * size + 1, size, stored[0]])
        found = cursor.fetchone()
    if found is None or found[0] is None or len(found[0]) != size:
        return None
    return np.frombuffer(bytes(found[0]), dtype="<f4")


def _min_size() -> int:
    return settings.MIN_GROUP_SIZE


def _group_matrix(row: GroupStatistics | None) -> np.ndarray | None:
    """The stored statistics if they may be served now (k may have been raised since)."""
    if row is None or row.stats is None or row.n < _min_size():
        return None
    matrix = np.frombuffer(bytes(row.stats), dtype="<f8")
    return matrix.reshape(len(STAT_FIELDS), -1)


def _column_stats(matrix: np.ndarray | None, column: str) -> GroupStats | None:
    if matrix is None:
        return None
    index = cat.COLUMN_INDEX[column]
    if index >= matrix.shape[1]:
        return None
    values = matrix[:, index]
    n = values[0]
    if math.isnan(n) or n < _min_size():
        return None
    tails = n >= TAIL_MIN_N
    return GroupStats(
        n=int(n),
        mean=float(values[1]),
        p10=float(values[2]) if tails else None,
        p25=float(values[3]),
        median=float(values[4]),
        p75=float(values[5]),
        p90=float(values[6]) if tails else None,
    )


def _stat_row(year: int, window: str, group: grouping.Group | None) -> GroupStatistics | None:
    if group is None:
        return None
    return GroupStatistics.objects.filter(
        year=year, window=window, kind=group.kind, key=group.key
    ).first()


def _servable(year: int, window: str, group: grouping.Group | None) -> bool:
    row = _stat_row(year, window, group)
    return row is not None and row.stats is not None and row.n >= _min_size()


def _group_info(practice, member, group, row, year, window, choice) -> GroupInfo:
    too_small = _group_matrix(row) is None
    wider = None
    if too_small:
        for candidate in _WIDER[choice]:
            if _servable(year, window, member.group(candidate)):
                wider = candidate
                break
    label = _("Regio onbekend") if group is None else grouping.label(group, practice)
    return GroupInfo(
        kind=choice,
        label=label,
        n=None if too_small else row.n,
        too_small=too_small,
        wider=wider,
    )


def _position(value: float | None, stats: GroupStats | None) -> str | None:
    if value is None or stats is None:
        return None
    if value < stats.p25:
        return "below"
    if value > stats.p75:
        return "above"
    return "around"


def _verdict(position: str | None, better: str | None) -> str | None:
    if position is None:
        return None
    if better is None:
        return "neutral"
    if position == "around":
        return "around"
    good = "above" if better == "higher" else "below"
    return "better" if position == good else "worse"


def dashboard_for(imp, group: str) -> Dashboard:
    """The figures of import ``imp`` against ``group`` ("national", "region" or "network")."""
    if group not in grouping.CHOICES:
        raise ValueError(f"unknown comparison group: {group!r}")
    practice = imp.practice
    member = grouping.membership(practice)
    chosen = member.group(group)
    window = _window_of(imp)
    own = _own_vector(imp, window.code)
    vector, row_id = own if own is not None else (None, None)
    stat_row = _stat_row(imp.year, window.code, chosen)
    info = _group_info(practice, member, chosen, stat_row, imp.year, window.code, group)
    matrix = None if info.too_small else _group_matrix(stat_row)
    shares = None
    if matrix is not None and row_id is not None:
        shares = _own_shares(row_id, imp.year, window.code, chosen)

    figures = []
    for kpi in cat.KPIS:
        value = None if vector is None else _number(vector[cat.COLUMN_INDEX[kpi.code]])
        stats = _column_stats(matrix, kpi.code)
        percentile = None
        if stats is not None and shares is not None and value is not None:
            index = cat.POSITION_INDEX[kpi.code]
            if index < shares.size:
                percentile = _number(round(float(shares[index]), 1))
        position = _position(value, stats)
        figures.append(
            KpiFigure(
                code=kpi.code,
                name=kpi.name,
                unit=kpi.unit,
                tab=kpi.tab,
                better=kpi.better,
                number_format=kpi.number_format,
                explanation=kpi.explanation,
                value=value,
                stats=stats,
                percentile=percentile,
                position=position,
                verdict=_verdict(position, kpi.better),
            )
        )

    mix_figures = []
    for mix in cat.MIXES:
        categories = []
        for category in mix.categories:
            column = mix.column(category.key)
            own_share = None if vector is None else _number(vector[cat.COLUMN_INDEX[column]])
            stats = _column_stats(matrix, column)
            categories.append((category.label, own_share, None if stats is None else stats.mean))
        mix_figures.append(MixFigure(mix.code, mix.name, mix.tab, mix.explanation, categories))
    return Dashboard(window=window, group=info, kpis=figures, mixes=mix_figures)


def _medians(years, windows, group, indexes: list[int]) -> dict[tuple[int, str], list]:
    """The group's median of each column in ``indexes`` per (year, window); None where the
    group or that column's n is below the minimum size.

    Reads only the n row and the median row of each stored statistics matrix (``substr`` on the
    blob, a seventh of it each), not all seven rows: a practice with ten years of imports has
    fifty of them behind one Trends page.
    """
    q = connection.ops.quote_name
    table = q(GroupStatistics._meta.db_table)
    stats, window_col = q("stats"), q("window")
    # One stored row of the (7 × columns) matrix is a seventh of the blob; n is row 0, the
    # median row 4 (STAT_FIELDS). Table and column names come from the model's metadata.
    size = f"(length({stats}) / 7)"
    median_row = STAT_FIELDS.index("median")
    years, windows = list(years), list(windows)
    sql = (
        f"SELECT {q('year')}, {window_col}, {q('n')}, substr({stats}, 1, {size}), "  # noqa: S608
        f"substr({stats}, {median_row} * {size} + 1, {size}) FROM {table} "
        f"WHERE {q('kind')} = %s AND {q('key')} = %s "
        f"AND {q('year')} IN ({', '.join(['%s'] * len(years))}) "
        f"AND {window_col} IN ({', '.join(['%s'] * len(windows))}) AND {stats} IS NOT NULL"
    )
    minimum = _min_size()
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [group.kind, group.key, *years, *windows])
        for year, window, n, n_row, median_blob in cursor.fetchall():
            if n < minimum or n_row is None or median_blob is None:
                continue
            counts = np.frombuffer(bytes(n_row), dtype="<f8")
            values = np.frombuffer(bytes(median_blob), dtype="<f8")
            found[(year, window)] = [
                float(values[i]) if i < values.size and counts[i] >= minimum else None
                for i in indexes
            ]
    return found


def _plain(values: np.ndarray) -> list[float | None]:
    return [None if v != v else v for v in values.tolist()]  # NaN → None


def trends_for(imp, group: str, codes=TREND_KPIS) -> Trends:
    """Quarters and full years across all the practice's imports, against the group's median.

    The import's own year comes from the import itself (so an older import shows what it sent);
    other years from the practice's counted rows. Growth compares with the same window one year
    earlier of the practice's own figures.
    """
    if group not in grouping.CHOICES:
        raise ValueError(f"unknown comparison group: {group!r}")
    practice = imp.practice
    member = grouping.membership(practice)
    chosen = member.group(group)
    windows = (*QUARTER_WINDOWS, "Q1-Q4")
    indexes = [cat.COLUMN_INDEX[code] for code in codes]
    own: dict[tuple[int, str], list] = {}
    for year, window, blob in WindowValues.objects.filter(
        practice_id=imp.practice_id, counted=True, window__in=windows
    ).values_list("year", "window", "values"):
        if year != imp.year:
            own[(year, window)] = _plain(unpack(blob)[indexes])
    for window, blob in WindowValues.objects.filter(imp=imp, window__in=windows).values_list(
        "window", "values"
    ):
        own[(imp.year, window)] = _plain(unpack(blob)[indexes])

    medians: dict[tuple[int, str], list] = {}
    if chosen is not None and own:
        medians = _medians({year for year, _ in own}, windows, chosen, indexes)

    own_window = _window_of(imp)
    own_row = _stat_row(imp.year, own_window.code, chosen)
    info = _group_info(practice, member, chosen, own_row, imp.year, own_window.code, group)

    ordered = sorted(own, key=lambda k: (k[1] == "Q1-Q4", k[0], k[1]))
    labels = {
        key: str(key[0]) if key[1] == "Q1-Q4" else f"{key[0]} K{key[1][1]}" for key in ordered
    }
    nothing = [None] * len(codes)
    series = []
    for column, code in enumerate(codes):
        kpi = cat.KPI_BY_CODE[code]
        points = []
        for year, window in ordered:
            value = own[(year, window)][column]
            before = own.get((year - 1, window))
            previous = None if before is None else before[column]
            growth = None
            if value is not None and previous is not None and previous > 0:
                growth = (value - previous) / previous * 100.0
            points.append(
                TrendPoint(
                    labels[(year, window)],
                    "year" if window == "Q1-Q4" else "quarter",
                    year,
                    window,
                    value,
                    medians.get((year, window), nothing)[column],
                    growth,
                )
            )
        series.append(
            TrendSeries(
                code=kpi.code,
                name=kpi.name,
                unit=kpi.unit,
                number_format=kpi.number_format,
                better=kpi.better,
                explanation=kpi.explanation,
                points=points,
            )
        )
    return Trends(group=info, series=series)
