"""A KPI against its group: a box of the group's middle half, its median, whiskers to P10/P90 and
the practice as a diamond.

Draws only the statistics it is given — any of ``p10``, ``p25``, ``median``, ``p75``, ``p90``,
``mean`` — because which ones a group may show is decided elsewhere (small groups have no P10 and
P90, for instance). No single peer value is ever part of it.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

import parabench.dashboard.charts.base as base
from parabench import language
from parabench.dashboard.charts.base import GROUP, GROUP_LIGHT, INK, short
from parabench.dashboard.markup import escaped

STATISTIC_NAMES = {
    "p10": gettext_lazy("P10"),
    "p25": gettext_lazy("P25"),
    "median": gettext_lazy("mediaan"),
    "p75": gettext_lazy("P75"),
    "p90": gettext_lazy("P90"),
    "mean": gettext_lazy("gemiddelde"),
}
WORDS = {
    **STATISTIC_NAMES,
    "Practice": gettext_lazy("Uw praktijk"),
    "practice": gettext_lazy("uw praktijk"),
    "middle": gettext_lazy("middelste helft"),
}
WIDTH = 440
# The box's row: its middle and half its height (whole numbers: they go into markup as they are).
ROW_Y, HALF = 26, 12


@dataclass(frozen=True)
class Distribution(base.Chart):
    stats: dict[str, float] = field(default_factory=dict)  # name → value, only those shown
    value: float | None = None  # the practice's own
    show: Callable[[float], str] = str  # a value as in the table (with its unit)
    axis: Callable[[int], Callable[[float], str]] = lambda decimals: str  # tick writer per decimals
    # What ``show`` and ``axis`` write by, e.g. the KPI's (number format, unit): with it the
    # group's part of the chart is kept per process (``_group_part``); empty, it is drawn anew.
    style: tuple = ()


@dataclass(frozen=True)
class _GroupKey:
    """What the group's part of a box plot is drawn from: the group's published statistics, the
    writers' style and the page's language; the writers themselves go along uncompared."""

    stats: tuple[tuple[str, float], ...]
    style: tuple
    language_code: str
    show: Callable[[float], str] = field(compare=False)
    axis: Callable[[int], Callable[[float], str]] = field(compare=False)


# The group's part of a box plot (its axis, whiskers, box, median and mean, on the scale of the
# group's statistics alone) is the same for every practice of the group whose own value lies
# within them (most: it then does not widen the axis), and on every request until the group's
# statistics change, which changes the key. Only published group figures are in a key and in
# what is kept; the practice's diamond and legend are drawn per chart. 2,048 entries of about
# 2 kB: 9 box plots per tab page × 3 groups × 2 languages for about 35 theme KPIs ≈ 700 a world.
@functools.lru_cache(maxsize=2048)
def _group_part(key: _GroupKey) -> tuple[float, float, str, tuple]:
    """(low, high, markup, legend items) of the group's part, drawn on the group's own scale."""
    stats = dict(key.stats)
    low, high = base.padded(list(stats.values()))
    markup, legend = _drawn(stats, low, high, key.show, key.axis)
    return low, high, markup, tuple(legend)


def _drawn(stats: dict, low: float, high: float, show, axis) -> tuple[str, list]:
    """The axis and the group's marks on the scale from ``low`` to ``high``, and their legend
    items (order, kind, label)."""
    scale = base.Scale(low, high, 14, WIDTH - 14)
    parts = []
    p10, p25, p75, p90 = (stats.get(k) for k in ("p10", "p25", "p75", "p90"))
    word = base.words(WORDS)
    legend = []
    if p10 is not None and p90 is not None:
        text = _range_text("P10–P90", show(p10), show(p90))
        inner_low = p25 if p25 is not None else stats.get("median", p10)
        inner_high = p75 if p75 is not None else stats.get("median", p90)
        a, e = short(scale(p10)), short(scale(p90))
        parts.append(
            f'<g stroke="{GROUP}" stroke-width="1.5"><title>{escaped(text)}</title>'
            f'<line x1="{a}" y1="{ROW_Y}" x2="{short(scale(inner_low))}" y2="{ROW_Y}"/>'
            f'<line x1="{short(scale(inner_high))}" y1="{ROW_Y}" x2="{e}" y2="{ROW_Y}"/>'
            f'<line x1="{a}" y1="{ROW_Y - 7}" x2="{a}" y2="{ROW_Y + 7}"/>'
            f'<line x1="{e}" y1="{ROW_Y - 7}" x2="{e}" y2="{ROW_Y + 7}"/></g>'
        )
        legend.append((4, "whisker", "P10–P90"))
    if p25 is not None and p75 is not None:
        text = _range_text(word["middle"], show(p25), show(p75))
        parts.append(
            f'<rect x="{short(scale(p25))}" y="{ROW_Y - HALF}" '
            f'width="{short(max(scale(p75) - scale(p25), 1))}" height="{2 * HALF}" '
            f'fill="{GROUP_LIGHT}" stroke="{GROUP}" stroke-width="1.5"><title>{escaped(text)}'
            "</title></rect>"
        )
        legend.append((1, "box", "P25–P75"))
    for name, order, colour, width, dash in (
        ("median", 2, GROUP, "2.5", ""),
        ("mean", 3, INK, "1.5", "2 2"),
    ):
        if name in stats:
            hover = f"{word[name]}: {show(stats[name])}"
            parts.append(_mark(scale(stats[name]), colour, width, dash, hover))
            legend.append((order, name, word[name]))
    values, decimals = base.ticks(low, high, 5)
    grid = base.x_axis(scale, values, axis(decimals), AXIS_Y, 4)
    return "".join((grid, *parts)), legend


AXIS_Y = ROW_Y + HALF + 10


@base.draws(Distribution)
def draw(chart: Distribution) -> base.Drawing:
    stats = {k: v for k, v in chart.stats.items() if v is not None}
    value = chart.value
    if not stats:
        if value is None:
            return base.Drawing(WIDTH, 20, base.join(()))
        low, high = base.padded([value])
        markup, legend = _drawn(stats, low, high, chart.show, chart.axis)
    elif chart.style and (value is None or min(stats.values()) <= value <= max(stats.values())):
        # The practice's value does not widen the axis: the group's part as kept.
        key = _GroupKey(
            tuple(stats.items()), chart.style, language.current(), chart.show, chart.axis
        )
        low, high, markup, legend = _group_part(key)
        legend = list(legend)
    else:
        low, high = base.padded([*stats.values(), *([] if value is None else [value])])
        markup, legend = _drawn(stats, low, high, chart.show, chart.axis)
    diamond = ""
    if value is not None:
        scale = base.Scale(low, high, 14, WIDTH - 14)
        word = base.words(WORDS)
        hover = f"{word['Practice']}: {chart.show(value)}"
        diamond = base.diamond(scale(value), ROW_Y, 8, hover)
        legend.append((0, "practice-diamond", word["practice"]))
    items = [(kind, label) for _order, kind, label in sorted(legend)]
    keys, bottom = base.legend(items, 14, AXIS_Y + 34, WIDTH - 28)
    return base.Drawing(WIDTH, int(bottom + 4), SafeString("".join((markup, diamond, keys))))


def describe(stats: dict[str, float], value: float | None, show: Callable[[float], str]) -> str:
    """The chart in words, from the same figures: what a screen reader says and a PDF carries."""
    parts = []
    word = base.words(WORDS)
    if value is not None:
        parts.append(f"{word['practice']} {show(value)}")
    for name in STATISTIC_NAMES:
        label = word[name]
        if stats.get(name) is not None:
            parts.append(f"{label} {show(stats[name])}")
    summary = "; ".join(parts)
    return f"{summary[:1].upper()}{summary[1:]}." if summary else ""


def _range_text(name: str, low: str, high: str) -> str:
    return f"{name}: {low} – {high}"


def _mark(x: float, colour: str, width: str, dash: str, hover: str) -> str:
    """A statistic as an upright line across the box, ``hover`` its tooltip."""
    x = short(x)
    dash = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x}" y1="{ROW_Y - HALF}" x2="{x}" y2="{ROW_Y + HALF}" stroke="{colour}" '
        f'stroke-width="{width}"{dash}><title>{escaped(hover)}</title></line>'
    )
