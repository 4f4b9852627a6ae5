"""What an attacker sees: the group figures of its dashboards, as served or as the old rules served.

``served_views`` reads over HTTP, logged in as the practice (``login``: Django's test Client
posting the login form), only the HTML the portal serves: the numbers table beside every chart,
the chart data (``json_script``) where it is more precise, the mixes and the Trends tables. Any
figure it does not recognise fails the test, so a new kind of served figure cannot slip past the
suite.

``old_views`` is a copy of the rules before disclosure control (issue 12), computed from the
ground truth: size, mean, type-7 P25/median/P75 from 5 practices and P10/P90 from 11, at full
precision (the old chart data carried unrounded floats).
"""

import html
import json
import math
import re
from dataclasses import dataclass

import numpy as np
from django.test import Client
from django.urls import reverse

from parabench.benchmark import catalogue as cat
from parabench.benchmark.catalogue import THEMES
from parabench.benchmark.disclosure import DIGITS_LARGE, DIGITS_SMALL, FORMAT_STEPS, TAILS_MIN_N
from parabench.benchmark.groups import CHOICES, Group
from parabench.benchmark.kpis import QUARTER_WINDOWS
from parabench.benchmark.queries import TREND_KPIS
from tests.factories import PASSWORD

THEME_TABS = tuple(theme.key for theme in THEMES)
STAT_LABELS = {
    "P10": "p10",
    "P25": "p25",
    "Mediaan": "median",
    "P75": "p75",
    "P90": "p90",
    "Gemiddelde": "mean",
}
OWN_LABEL, SIZE_LABEL = "Uw praktijk", "Aantal praktijken"
# The funnel's table (verdicts.funnel_table): own figures, the group median, the limits.
FUNNEL_OWN_LABELS = {"Interval (95 %)"}
FUNNEL_STAT_LABELS = {"Mediaan groep": "Mediaan"}
FUNNEL_LIMIT_LABELS = {"Grenzen (95 %)", "Grenzen (99,8 %)"}
# The funnel of a case-mix index (docs/statistics.md §9) is drawn around the national
# expectation, the constant 1,00 — no group figure. What the index itself tells about the
# national reference rates is the attack of tests/privacy/test_casemix.py.
FUNNEL_CONSTANT_LABELS = {"Verwachting bij uw casemix (landelijk)"}
MIX_GROUP_HEADS = {"Mediaan groep": "median", "Gemiddelde groep": "mean"}
CHART_FIELDS = {"q1": "p25", "median": "median", "q3": "p75", "mean": "mean"}


@dataclass(frozen=True)
class View:
    """One attacker's view of one column of one group, year and window."""

    group: Group
    year: int
    window: str
    column: str
    served: dict[str, float]
    errors: dict[str, float]


# --- Reading served pages ----------------------------------------------------------------------


def login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the attacker could not log in"
    return client


def number(text: str) -> float | None:
    """A served Dutch figure: '1.804', '€ 36,53', '59,3 %', '−3,0 %', '11,2 zittingen'."""
    text = html.unescape(text).replace("\u2212", "-").strip()
    if text in ("", "–", "-"):
        return None
    digits = re.sub(r"[^\d,.\-]", "", text)
    return float(digits.replace(".", "").replace(",", "."))


def _cells(table: str) -> list[list[str]]:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [
        [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows
    ]


def _articles(page: str, prefix: str):
    """(id, body) of every ``<article id="{prefix}-…">`` up to its first ``</article>``.

    The end is found with ``str.find``: a lazy ``.*?`` to it, over the charts' SVG, made reading
    a page's figures take 0.60 ms instead of 0.33 (CPU, 648 pages of the suite, 2026-11-29)."""
    opening = re.compile(rf'<article[^>]*id="{prefix}-([\w-]+)"[^>]*>')
    position = 0
    while (match := opening.search(page, position)) is not None:
        end = page.find("</article>", match.end())
        if end < 0:
            return
        yield match.group(1), page[match.end() : end]
        position = end + len("</article>")


def _chart(article: str) -> dict:
    found = re.search(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', article, re.S)
    return {} if found is None else json.loads(found.group(1))


def _kpi_figures(code: str, article: str) -> dict[str, float]:
    served: dict[str, float] = {}
    for table in re.findall(r"<table.*?</table>", article, re.S):
        for label, *values in _cells(table):
            label = re.sub(r"<[^>]+>", "", label).strip()
            if label in (OWN_LABEL, SIZE_LABEL) or label in FUNNEL_OWN_LABELS:
                continue
            if label in FUNNEL_CONSTANT_LABELS:
                assert values and number(values[0]) == 1.0, (code, values)
                continue
            if label.startswith("Uw "):  # the funnel's own n ("Uw aantal afgesloten klachten")
                continue
            if label in FUNNEL_LIMIT_LABELS:
                # median ± √(h(own n)² + (z·τ)²): no member's value enters but through τ², one
                # winsorised moment of all members with their unknown denominators; not a linear
                # equation in the members' values (docs/statistics.md §8, "Privacy of the limits").
                continue
            label = FUNNEL_STAT_LABELS.get(label, label)
            assert label in STAT_LABELS, f"unknown served figure {label!r} for {code}"
            value = number(values[0])
            if value is not None:
                served[STAT_LABELS[label]] = value
    # The chart data may carry more digits than the table: the attacker takes those, for the
    # figures the table names (a chart draws a median-only group as a box of no width).
    for trace in _chart(article).get("data", []):
        if trace.get("type") != "box":
            continue
        fields = {**CHART_FIELDS, "lowerfence": "p10", "upperfence": "p90"}
        for field, name in fields.items():
            if name in served and trace.get(field):
                served[name] = float(trace[field][0])
    return served


def _mix_figures(code: str, article: str) -> dict[str, dict[str, float]]:
    mix = cat.MIX_BY_CODE[code]
    columns = {category.label_nl: mix.column(category.key) for category in mix.categories}
    figures: dict[str, dict[str, float]] = {}
    for table in re.findall(r"<table.*?</table>", article, re.S):
        head, *rows = _cells(table)
        name = MIX_GROUP_HEADS[head[2].strip()]
        for label, _own, group in rows:
            value = number(group)
            if value is not None:
                figures[columns[label.strip()]] = {name: value}
    return figures


def _published_error(value: float, n: int, column: str) -> float:
    """How far a published figure may lie from the estimate, by the rules (which the attacker
    knows): less than one rounding step (dither plus rounding) — the step of a figure up to 11 %
    larger, since one rounded down may have crossed a power of ten."""
    formats = {k.code: k.number_format for k in cat.KPIS}
    floor = FORMAT_STEPS[formats.get(column, "pct")]
    digits = DIGITS_SMALL if n < TAILS_MIN_N else DIGITS_LARGE
    step = floor
    if value:
        step = max(floor, 10.0 ** (math.floor(math.log10(1.11 * abs(value))) - digits + 1))
    return step


def served_views(
    client: Client, pid: int, imports, snapshot, *, trends_on_last=False, read=None
) -> list[View]:
    """Every group figure the practice's dashboards serve to ``client`` (logged in as the
    practice), for each of its ``imports`` ([(year, window)]), in every group and theme, plus
    the Trends medians. ``read`` (a set) collects the kinds of page read: (tab, year)."""
    views: list[View] = []
    # The Trends tab shows the group's medians of every year the practice has sent, the same
    # on each of its imports (queries.trends_for: only the own figures of the import's year
    # come from the import): each group's Trends are read on one import showing that group —
    # the first, or with ``trends_on_last`` the last — and on both where the group differs (a
    # size class that changed). It halves the pages read per attacker (8 of every 15 were
    # Trends pages); the attacks alternate, so that every import's Trends are read.
    trends_on = {}
    for imp_id, year, _window in reversed(imports) if trends_on_last else imports:
        for choice in CHOICES:
            trends_on.setdefault(snapshot.member(pid, year).group(choice), imp_id)
    read = set() if read is None else read
    for imp_id, year, window in imports:
        url = reverse("dashboard:detail", kwargs={"import_id": imp_id})
        member = snapshot.member(pid, year)
        for choice in CHOICES:  # every group a dashboard offers
            group = member.group(choice)
            if group is None:
                continue
            n_of = _sizes(snapshot, group, year, window)
            for tab in THEME_TABS:
                page = _page(client, url, {"groep": choice, "tab": tab})
                read.add((tab, year))
                for code, article in _articles(page, "kpi"):
                    served = _kpi_figures(code, article)
                    if served:
                        errors = {
                            s: _published_error(v, n_of(code), code) for s, v in served.items()
                        }
                        views.append(View(group, year, window, code, served, errors))
                for code, article in _articles(page, "mix"):
                    for column, served in _mix_figures(code, article).items():
                        errors = {
                            s: _published_error(v, n_of(column), column) for s, v in served.items()
                        }
                        views.append(View(group, year, window, column, served, errors))
            if trends_on[group] != imp_id:
                continue
            for code in TREND_KPIS:
                page = _page(client, url, {"groep": choice, "tab": "trends", "kengetal": code})
                views += _trend_views(page, code, group, snapshot)
            read.add(("trends", year))
    return views


def _page(client: Client, url: str, params=None) -> str:
    """A page as served; anything but the page itself (a redirect to the login form, an
    error) fails, so that an attacker never reads nothing unnoticed."""
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, params, response.status_code)
    return response.content.decode()


def _trend_views(page: str, code: str, group, snapshot) -> list[View]:
    views = []
    for found, article in _articles(page, "trend"):
        if found != code:  # the yearly overview: the practice's own figures only
            continue
        for table in re.findall(r"<table.*?</table>", article, re.S):
            _head, *rows = _cells(table)
            for label, _own, median, *_rest in rows:
                value = number(median)
                if value is None:
                    continue
                year, _sep, quarter = label.partition(" K")
                window = f"Q{quarter}" if quarter else "Q1-Q4"
                n = _sizes(snapshot, group, int(year), window)(code)
                errors = {"median": _published_error(value, n, code)}
                views.append(View(group, int(year), window, code, {"median": value}, errors))
    return views


def _sizes(snapshot, group, year, window):
    members = snapshot.group_members(group, year, window)

    def count(column: str) -> int:
        index = cat.COLUMN_INDEX[column]
        return sum(1 for _row, vector in members.values() if vector[index] == vector[index])

    return count


# --- The old rules, copied -------------------------------------------------------------------


OLD_QUANTILES = {25: "p25", 50: "median", 75: "p75", 10: "p10", 90: "p90"}
OLD_QUANTILES_SMALL = {25: "p25", 50: "median", 75: "p75"}  # P10/P90 from 11 practices on


def _old_figures(values: np.ndarray) -> dict[str, float]:
    values = values[~np.isnan(values)]
    if values.size < 5:
        return {}
    names = OLD_QUANTILES if values.size >= 11 else OLD_QUANTILES_SMALL
    # All of a column's quantiles in one call: the same numbers as one call each (compared bit
    # for bit), and numpy's per-call overhead once: the old views 0.93 → 0.33 s CPU.
    found = np.percentile(values, list(names))
    served = {name: float(value) for name, value in zip(names.values(), found, strict=True)}
    served["mean"] = float(values.mean())
    return served


def old_views(pid: int, imports, snapshot) -> list[View]:
    """What the old portal served the same practice on the same pages."""
    views = []
    for _imp_id, year, window in imports:
        member = snapshot.member(pid, year)
        for choice in CHOICES:
            group = member.group(choice)
            if group is not None:
                views += old_group_views(group, year, window, snapshot)
    return views


def old_group_views(group, year: int, window: str, snapshot) -> list[View]:
    """The old rules' figures of one group: the dashboard's window and the Trends medians.
    Computed once per snapshot: every attacker in the group sees the same."""
    return snapshot.cached(
        ("old", group, year, window), lambda: _old_group_views(group, year, window, snapshot)
    )


def _old_group_views(group, year: int, window: str, snapshot) -> list[View]:
    views = []
    members = snapshot.group_members(group, year, window)
    if len(members) < 5:
        return views
    matrix = np.array([vector for _row, vector in members.values()])
    for column, index in cat.COLUMN_INDEX.items():
        served = _old_figures(matrix[:, index])
        if column not in cat.KPI_BY_CODE:
            served = {k: v for k, v in served.items() if k == "mean"}  # mixes: the mean
        if served:
            views.append(View(group, year, window, column, served, {}))
    for trend_window in (*QUARTER_WINDOWS, "Q1-Q4"):
        trend_members = snapshot.group_members(group, year, trend_window)
        if len(trend_members) < 5:
            continue
        matrix = np.array([vector for _row, vector in trend_members.values()])
        for code in TREND_KPIS:
            median = _old_figures(matrix[:, cat.COLUMN_INDEX[code]]).get("median")
            if median is not None:
                views.append(View(group, year, trend_window, code, {"median": median}, {}))
    return views


# --- The coordinator's pages -------------------------------------------------------------------

COORDINATOR_QUANTILES = ("p10", "p25", "median", "p75", "p90")


def coordinator_views(client: Client, networks, snapshot) -> list[View]:
    """Every group figure the coordinator pages serve ``client`` (logged in as the coordinator)
    for ``networks`` ({number: Group}): the distribution (network and national) of every year,
    and the trend medians."""
    national = Group("national", "")
    views: list[View] = []
    for network_number, group in networks.items():
        base = reverse("coordination:distribution", args=[network_number])
        first = _page(client, base)
        years = sorted(set(re.findall(r'href="\?jaar=(\d+)"', first))) or [None]
        for year in years:
            page = _page(client, base, {"jaar": year} if year else {})
            period = re.search(r'<h2 id="verdeling-kop">[^<]*· ([^<]+)</h2>', page)
            if period is None:
                continue
            year_, window = _period(period.group(1))
            for code, row in re.findall(r'<tr data-kpi="([\w.]+)">(.*?)</tr>', page, re.S):
                for who, target in (("network", group), ("national", national)):
                    found = re.findall(rf'data-group="{who}">([^<]*)<', row)
                    served = {
                        name: value
                        for name, text in zip(COORDINATOR_QUANTILES, found, strict=True)
                        if (value := number(text)) is not None
                    }
                    if served:
                        n = _sizes(snapshot, target, year_, window)(code)
                        errors = {s: _published_error(v, n, code) for s, v in served.items()}
                        views.append(View(target, year_, window, code, served, errors))
        page = _page(client, reverse("coordination:trend", args=[network_number]))
        for code, table in re.findall(r'data-testid="trend-([\w.]+)">(.*?)</table>', page, re.S):
            for label, mine, theirs in _cells(table)[1:]:
                year_, window = _period(re.sub(r"<[^>]+>", "", label))
                for text, target in ((mine, group), (theirs, national)):
                    value = number(text)
                    if value is not None:
                        n = _sizes(snapshot, target, year_, window)(code)
                        errors = {"median": _published_error(value, n, code)}
                        views.append(View(target, year_, window, code, {"median": value}, errors))
    return views


def _period(label: str) -> tuple[int, str]:
    """'2025' → (2025, 'Q1-Q4'); '2026 t/m kwartaal 3' → (2026, 'Q1-Q3')."""
    year, _sep, quarter = label.strip().partition(" t/m kwartaal ")
    return int(year), f"Q1-Q{quarter}" if quarter else "Q1-Q4"


def old_coordinator_views(networks, years, snapshot) -> list[View]:
    """The same pages under the old rules: each network's and the nation's figures."""
    views = []
    for group in networks.values():
        for year, window in years:
            views += old_group_views(group, year, window, snapshot)
            views += old_group_views(Group("national", ""), year, window, snapshot)
    return views
