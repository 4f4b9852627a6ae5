"""A funnel: the group's median as a line, the 95 % and 99.8 % control limits as curves over the
denominator (how many episodes, patients, … a value is based on), and the practice as one
diamond with its own 95 % interval.

Only the practice's own point is drawn — never another practice's — and the denominator axis
runs from a tenth to ten times the practice's own n (``uncertainty.funnel_ns``), so that the
chart does not tell how small or large the group's members are.
"""

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

import parabench.dashboard.charts.base as base
from parabench import language
from parabench.benchmark import uncertainty
from parabench.dashboard import formatting
from parabench.dashboard.charts.base import GRID, GROUP, GROUP_LIGHT, INK, MUTED, PRACTICE, short
from parabench.dashboard.markup import escaped

WIDTH = 440
PLOT_HEIGHT = 180
LEFT = 62
# The words of every funnel, translated once per language (base.words): a theme tab draws up to
# seven funnels, and each asked Django for the same six translations again (6.5 % of drawing a
# funnel: cProfile of the attacker suite's pages, 2026-11-29).
WORDS = {
    "practice_interval": gettext_lazy("uw praktijk (met interval van 95 %)"),
    "median": gettext_lazy("mediaan groep"),
    "limits_95": gettext_lazy("grenzen van 95 %"),
    "limits_998": gettext_lazy("grenzen van 99,8 %"),
    "inner": gettext_lazy("grenzen van 95 %: binnen deze lijnen is een verschil toeval"),
    "Practice": gettext_lazy("Uw praktijk"),
}


@dataclass(frozen=True)
class Funnel(base.Chart):
    ns: tuple[float, ...] = ()  # the denominators the limits are given for (increasing)
    # The limits at each of ``ns``: two rows (lows, highs), as tuples or as an array (2 × ns).
    inner: tuple[tuple[float, ...], tuple[float, ...]] | np.ndarray = ((), ())  # 95 %
    outer: tuple[tuple[float, ...], tuple[float, ...]] | np.ndarray = ((), ())  # 99.8 %
    target: float = 0.0  # the group's median (for a case-mix index: the expectation 1)
    target_label: str = ""  # what the target is called; "mediaan groep" when empty
    n: float = 1.0  # the practice's own denominator
    value: float | None = None  # the practice's own value
    interval: tuple[float, float] | None = None  # its own 95 % interval
    n_label: str = ""  # what n counts ("afgesloten klachten")
    show: Callable[[float], str] = str
    axis: Callable[[int], Callable[[float], str]] = field(default=lambda decimals: str)


def _log_ticks(low: float, high: float) -> list[float]:
    """1, 2, 5 × 10ᵏ inside [low, high] (a log axis), at least the two ends' decades."""
    values = []
    for power in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for multiple in (1, 2, 5):
            value = multiple * 10.0**power
            if low <= value <= high:
                values.append(value)
    if len(values) > 6:
        values = [v for v in values if str(v).lstrip("0.")[:1] in ("1", "5")]
    return values


@functools.lru_cache(maxsize=256)
def _count_in(value: float, language_code: str) -> str:
    """A tick of the log axis (0,5 · 2 · 1.000) in the page's language. Kept per process: the
    ticks are a few round numbers, and writing one built a number writer from Django's formats
    each time (9 of a funnel's 135 µs, issue 18, session 9)."""
    return formatting.number(value, max(0, -math.floor(math.log10(value))))


# ``base.short`` of every y a funnel's plot can hold, by its tenths of a pixel: 0 to 409.5 (a
# funnel is about 300 px high). A curve's y's are looked up here rather than each written by
# ``%.1f`` (192 a funnel: 31 µs, against 13 µs for numpy's rounding and the look-up).
_TENTHS = tuple(short(tenths / 10) for tenths in range(4096))
# How close to halfway between two tenths a y times ten may lie and still be rounded by numpy
# as ``%.1f`` rounds it: y·10 is off by at most half an ulp (2e-13 for y < 410), so nothing
# nearer than this is taken from the table, it is written (rarely: a few in a million).
_TIE_MARGIN = 1e-6


def _tenths_texts(ys: np.ndarray) -> tuple[str, ...] | None:
    """``base.short`` of every y (an array), looked up in ``_TENTHS``; None when one of them is
    not in the table's range (or negative, "-0"; or undefined) or too near halfway between two
    tenths for numpy's rounding of y·10 to be sure to be ``%.1f``'s."""
    if np.signbit(ys).any() or not (ys < 409.5).all():  # also false for a NaN
        return None
    scaled = ys * 10
    tenths = np.rint(scaled)
    if (np.abs(np.abs(scaled - tenths) - 0.5) < _TIE_MARGIN).any():
        return None
    # (itemgetter of two or more indices gives a tuple; a funnel has four curves.)
    return itemgetter(*tenths.astype(np.intp).ravel().tolist())(_TENTHS)


def _y_texts(ys: np.ndarray) -> tuple[str, ...]:
    """``base.short`` of every y (an array, at least two), in order: looked up by its tenths
    where that is sure to be the same text (``_tenths_texts``), else written (``base.shorts``)."""
    return _tenths_texts(ys) or tuple(base.shorts(ys.ravel().tolist()))


def _x_template(ns) -> str:
    """A curve's path with the x's of ``ns`` written in and a ``%s`` for each y's text: "62 %sL69.7
    %sL…" (``base.short`` of each x on the axis from ns[0] to ns[-1], log scale)."""
    x_scale = base.Scale(math.log10(ns[0]), math.log10(ns[-1]), LEFT, WIDTH - 14)
    xs = base.shorts(x_scale.many(list(map(math.log10, ns))))
    return "L".join([f"{px} %s" for px in xs])


# Every n from 10 on has the grid c · TWO_DECADES (c = n / 10, uncertainty.funnel_ns), and its
# x's are the same text for every c: the exact x's are 62 + 364·i/47, at least 0.001 px from a
# rounding boundary of ``%.1f`` (and 62 and 426 exactly), while log10(c·r) − log10(c) is off by
# about 1e-15, 1e-12 px. So that template is written once, not once per funnel: 24 µs a funnel
# (its check 2 µs), 179 → 159 µs a funnel drawn (537 funnels of the heavy tabs of ten national
# practices; issue 18, session 14). test_charts checks the text against ``_x_template`` for
# thousands of n.
_GRID = uncertainty.TWO_DECADES.tolist()
_GRID_TEMPLATE = _x_template(_GRID)


def _curve_template(ns) -> str:
    """``_x_template(ns)``, kept for the grid of every n ≥ 10."""
    if len(ns) == len(_GRID) and [ns[0] * r for r in _GRID] == list(ns):
        return _GRID_TEMPLATE
    return _x_template(ns)


@base.draws(Funnel)
def draw(chart: Funnel) -> base.Drawing:
    word = base.words(WORDS)
    keys, top = base.legend(
        [
            ("practice-diamond", word["practice_interval"]),
            ("median", chart.target_label or word["median"]),
            ("limit-95", word["limits_95"]),
            ("limit-998", word["limits_998"]),
        ],
        14,
        12,
        WIDTH - 28,
    )
    top += 14
    bottom = top + PLOT_HEIGHT
    ns = chart.ns
    k = len(ns)
    if any(len(curve) != k for curve in (*chart.outer, *chart.inner)):
        raise ValueError("a funnel's curves need one value per denominator")
    # The four curves as one array (outer low, outer high, inner low, inner high), the arrays
    # of ``verdicts.funnel_chart`` as they are (not lists of floats made into tuples and back
    # into an array), and which of their values are defined, tested once: 1,098k -> 1,045k
    # instructions a funnel drawn (callgrind, the 29 funnels of 20 pages of the page mix; issue
    # 18, session 19).
    curves = np.concatenate((chart.outer, chart.inner), dtype=float)
    defined = np.isfinite(curves)
    # The y axis spans every defined value drawn: the outer curves by their least and greatest.
    known = [chart.target, chart.value, *(chart.interval or ())]
    known = [v for v in known if v is not None and math.isfinite(v)]
    outer = curves[:2][defined[:2]]
    if outer.size:
        known += (float(outer.min()), float(outer.max()))
    low, high = base.padded(known)
    y = base.Scale(low, high, bottom, top)
    log_low, log_high = math.log10(ns[0]), math.log10(ns[-1])
    x_scale = base.Scale(log_low, log_high, LEFT, WIDTH - 14)

    def x(value: float) -> float:
        return x_scale(math.log10(value))

    # Four curves and the band share the 48 denominators: their x once, not once per curve
    # (drawing the funnels was half of rendering a theme tab); and each curve's points once,
    # for its path and for the band, as plain text (0.74 → 0.54 ms per funnel, 293 funnels of
    # the national data, 2026-11-29; the SVG is byte-identical). Since, the x and the y of all
    # points at once (Scale.many: the same floats; base.shorts: the same text) and a curve
    # without undefined values joined as it is: 161 → 135 µs a funnel (issue 18, session 9).
    # Now each curve is one ``%`` of its y's texts into a path whose x's are written in once
    # (``_x_template``), and the band is the upper curve's text and the lower one's points
    # reversed: no text per point (issue 7, session 12). The x's of the grid of every n ≥ 10
    # are written once per process (``_curve_template``, issue 18, session 14).
    ys = y.array(curves)
    template = _curve_template(ns)
    # The y's texts from the table of tenths where it is sure (``_y_texts``): a funnel drawn
    # in 106 instead of 122 µs (the 138 funnels of two national practices' Kwaliteit pages,
    # best of 5; issue 18, session 15).
    texts = _y_texts(ys)
    outer_low, outer_high, inner_low, inner_high = (
        template % texts[i : i + k] for i in range(0, 4 * k, k)
    )

    # Whether every value is defined asked once, not once per curve: a reduction of numpy is
    # about 8,000 instructions, four of them a funnel (issue 18, session 21).
    every_defined = bool(defined.all())

    def path(row: int, drawn: str) -> str:
        """The curve through ``drawn`` (the points of row ``row``), past undefined values."""
        if every_defined or defined[row].all():
            return "M" + drawn
        return "M" + "L".join(
            point for point, ok in zip(drawn.split("L"), defined[row].tolist(), strict=True) if ok
        )

    band = f"M{outer_high}L{'L'.join(outer_low.split('L')[::-1])}"
    y_values, decimals = base.ticks(low, high, 4)
    write = chart.axis(decimals)
    # Markup in f-strings (base's docstring): coordinates and colours as they are, every text
    # escaped once.
    grid = []
    for v in y_values:
        at = y(v)
        grid.append(
            f'<line x1="{LEFT}" y1="{short(at)}" x2="{WIDTH - 14}" y2="{short(at)}" '
            f'stroke="{GRID}"/><text x="{LEFT - 6}" y="{short(at + 4)}" text-anchor="end" '
            f'font-size="11" fill="{MUTED}">{escaped(write(v))}</text>'
        )
    # The page's language asked once, not once per tick (``_count``: asgiref's lookup of the
    # active language, about a tenth of the axis).
    code = language.current()
    x_grid = base.x_axis(x, _log_ticks(ns[0], ns[-1]), lambda v: _count_in(v, code), bottom, top)
    median_text = f"{chart.target_label or word['median']}: {chart.show(chart.target)}"
    median_y = short(y(chart.target))
    parts = [
        keys,
        *grid,
        x_grid,
        f'<path d="{band}" fill="{GROUP_LIGHT}" fill-opacity="0.55" stroke="none"/>',
        f'<g fill="none" stroke="{GROUP}" stroke-width="1.5" stroke-dasharray="5 3"><title>'
        f'{escaped(word["limits_998"])}</title><path d="{path(0, outer_low)}"/>'
        f'<path d="{path(1, outer_high)}"/></g>',
        f'<g fill="none" stroke="{GROUP}" stroke-width="2"><title>{escaped(word["inner"])}'
        f'</title><path d="{path(2, inner_low)}"/>'
        f'<path d="{path(3, inner_high)}"/></g>',
        f'<line x1="{LEFT}" y1="{median_y}" x2="{WIDTH - 14}" y2="{median_y}" stroke="{GROUP}" '
        f'stroke-width="2.5"><title>{escaped(median_text)}</title></line>',
    ]
    if chart.value is not None:
        px = x(chart.n)
        hover = f"{word['Practice']}: {chart.show(chart.value)}"
        if chart.interval is not None:
            lo, hi = chart.interval
            hover += f" ({chart.show(lo)} – {chart.show(hi)})"
            a, b, cap = short(y(lo)), short(y(hi)), short(px - 4)
            parts.append(
                f'<path d="M{short(px)} {a}V{b}M{cap} {a}h8M{cap} {b}h8" stroke="{PRACTICE}" '
                'stroke-width="1.5" fill="none"/>'
            )
        parts.append(base.diamond(px, y(chart.value), 7, hover))
    parts.append(
        f'<text x="{short((LEFT + WIDTH - 14) / 2)}" y="{short(bottom + 32)}" '
        f'text-anchor="middle" font-size="11" fill="{INK}">{escaped(chart.n_label)}</text>'
    )
    return base.Drawing(WIDTH, int(bottom + 40), SafeString("".join(parts)))
