"""A funnel: the group's median as a line, the 95 % and 99.8 % control limits as curves over the
denominator (how many episodes, patients, … a value is based on), and the practice as one
diamond with its own 95 % interval.

Only the practice's own point is drawn — never another practice's — and the denominator axis
runs from a tenth to ten times the practice's own n (``uncertainty.funnel_ns``), so that the
chart does not tell how small or large the group's members are.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

import parabench.dashboard.charts.base as base
from parabench.dashboard import formatting
from parabench.dashboard.charts.base import GRID, GROUP, GROUP_LIGHT, INK, MUTED, PRACTICE, n
from parabench.dashboard.markup import format_html, format_html_join

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
    inner: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())  # 95 %: lows, highs
    outer: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())  # 99.8 %: lows, highs
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


def _count(value: float) -> str:
    """A tick of the log axis (0,5 · 2 · 1.000) in the page's language."""
    return formatting.number(value, max(0, -math.floor(math.log10(value))))


Y_GRID_LINE = (
    f'<line x1="{n(LEFT)}" y1="{{y}}" x2="{n(WIDTH - 14)}" y2="{{y}}" stroke="{GRID}"/>'
    f'<text x="{n(LEFT - 6)}" y="{{ty}}" text-anchor="end" font-size="11" fill="{MUTED}">'
    "{text}</text>"
)


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
    known = [chart.target, *chart.outer[0], *chart.outer[1]]
    if chart.value is not None:
        known.append(chart.value)
    if chart.interval is not None:
        known.extend(chart.interval)
    known = [v for v in known if v is not None and math.isfinite(v)]
    low, high = base.padded(known)
    y = base.Scale(low, high, bottom, top)
    log_low, log_high = math.log10(ns[0]), math.log10(ns[-1])
    x_scale = base.Scale(log_low, log_high, LEFT, WIDTH - 14)

    def x(value: float) -> float:
        return x_scale(math.log10(value))

    # Four curves and the band share the 48 denominators: their x once, not once per curve
    # (drawing the funnels was half of rendering a theme tab); and each curve's points once,
    # for its path and for the band, as plain text (0.74 → 0.54 ms per funnel, 293 funnels of
    # the national data, 2026-11-29; the SVG is byte-identical).
    xs = [base.short(x(k)) for k in ns]

    def points(values) -> list[str]:
        # base.short inlined and the y of all points at once (Scale.many: the same floats):
        # a third of a funnel's drawing was these 192 calls of each (issue 18).
        return [
            f"{px} {f'{py:.1f}'.removesuffix('.0')}"
            for px, py in zip(xs, y.many(values), strict=True)
        ]

    def path(values, drawn) -> str:
        """The curve through ``drawn`` (the points of ``values``), past undefined values."""
        return "M" + "L".join(
            point for point, v in zip(drawn, values, strict=True) if math.isfinite(v)
        )

    outer_low, outer_high = points(chart.outer[0]), points(chart.outer[1])
    band = "M" + "L".join(outer_high + outer_low[::-1])
    y_values, decimals = base.ticks(low, high, 4)
    write = chart.axis(decimals)
    # The grid's fixed coordinates and colours (safe: digits and hex) are put into its format
    # strings once, not escaped per line again: format_html's work per line 8 → 3 values.
    grid = format_html_join(
        "",
        Y_GRID_LINE,
        ({"y": n(y(v)), "ty": n(y(v) + 4), "text": write(v)} for v in y_values),
    )
    x_ticks = _log_ticks(ns[0], ns[-1])
    x_grid = format_html_join(
        "",
        f'<line x1="{{x}}" y1="{n(top)}" x2="{{x}}" y2="{n(bottom)}" stroke="{GRID}"/>'
        f'<text x="{{x}}" y="{n(bottom + 14)}" text-anchor="middle" font-size="11" '
        f'fill="{MUTED}">{{text}}</text>',
        ({"x": n(x(v)), "text": _count(v)} for v in x_ticks),
    )
    inner_text = word["inner"]
    outer_text = word["limits_998"]
    median_text = f"{chart.target_label or word['median']}: {chart.show(chart.target)}"
    parts = [
        format_html(
            '<path d="{}" fill="{}" fill-opacity="0.55" stroke="none"/>', band, GROUP_LIGHT
        ),
        format_html(
            '<g fill="none" stroke="{}" stroke-width="1.5" stroke-dasharray="5 3"><title>{}'
            '</title><path d="{}"/><path d="{}"/></g>',
            GROUP,
            outer_text,
            path(chart.outer[0], outer_low),
            path(chart.outer[1], outer_high),
        ),
        format_html(
            '<g fill="none" stroke="{}" stroke-width="2"><title>{}</title><path d="{}"/>'
            '<path d="{}"/></g>',
            GROUP,
            inner_text,
            path(chart.inner[0], points(chart.inner[0])),
            path(chart.inner[1], points(chart.inner[1])),
        ),
        format_html(
            '<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="2.5">'
            "<title>{}</title></line>",
            n(LEFT),
            n(WIDTH - 14),
            GROUP,
            median_text,
            y=n(y(chart.target)),
        ),
    ]
    if chart.value is not None:
        px = x(chart.n)
        hover = f"{word['Practice']}: {chart.show(chart.value)}"
        if chart.interval is not None:
            lo, hi = chart.interval
            hover += f" ({chart.show(lo)} – {chart.show(hi)})"
            parts.append(
                format_html(
                    '<path d="M{x} {a}V{b}M{l} {a}h8M{l} {b}h8" stroke="{c}" stroke-width="1.5" '
                    'fill="none"/>',
                    x=n(px),
                    a=n(y(lo)),
                    b=n(y(hi)),
                    l=n(px - 4),
                    c=PRACTICE,
                )
            )
        parts.append(base.diamond(px, y(chart.value), 7, hover))
    caption = format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
        n((LEFT + WIDTH - 14) / 2),
        n(bottom + 32),
        INK,
        chart.n_label,
    )
    body = format_html("{}{}{}{}{}", keys, grid, x_grid, base.join(parts), caption)
    return base.Drawing(WIDTH, int(bottom + 40), body)
