"""Shares per category as horizontal bars: the practice (solid) beside the group (hatched).

Each bar carries its value as text at its end, so the chart reads without hovering, in print and
without colour.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

import parabench.dashboard.charts.base as base
from parabench.dashboard.charts.base import GROUP, INK, MUTED, PRACTICE, short
from parabench.dashboard.markup import escaped

WIDTH = 560
BAR = 12
GAP = 2
CATEGORY_GAP = 10


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # one per label; None: not known (not drawn)
    role: str = "practice"  # "practice" (solid) or "group" (hatched)


@dataclass(frozen=True)
class Bars(base.Chart):
    labels: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    show: Callable[[float], str] = str  # the value at the end of a bar
    axis: Callable[[int], Callable[[float], str]] = field(default=lambda decimals: str)


def fill_of(chart_key: str, role: str) -> tuple[str, str, str]:
    """(fill, stroke, defs) of a series in ``role``."""
    if role == "group":
        fill, pattern = base.hatch(chart_key)
        return fill, GROUP, pattern
    return PRACTICE, "none", ""


@base.draws(Bars)
def draw(chart: Bars) -> base.Drawing:
    series = [s for s in chart.series if any(v is not None for v in s.values)]
    label_width = min(210, max((base.text_width(label) for label in chart.labels), default=40)) + 10
    value_room = 52
    left, right = label_width, WIDTH - value_room
    items = [(f"{s.role}-bar", s.name) for s in series]
    keys, top = base.legend(items, left, 12, right - left)
    top += 6
    peak = max((v for s in series for v in s.values if v is not None), default=0) or 1
    values, decimals = base.ticks(0, peak, 4, cover=True)
    high = max(peak, values[-1])
    scale = base.Scale(0, high, left, right)
    per_category = len(series) * (BAR + GAP) - GAP
    defs, fills = [], {}
    for s in series:
        fill, stroke, pattern = fill_of(chart.key, s.role)
        fills[s.role] = (escaped(fill), stroke)
        if pattern and pattern not in defs:
            defs.append(pattern)
    show = chart.show
    rows = []
    y = top
    for i, label in enumerate(chart.labels):
        rows.append(
            f'<text x="{short(left - 8)}" y="{short(y + per_category / 2 + 4)}" '
            f'text-anchor="end" fill="{INK}">{escaped(label)}</text>'
        )
        for s in series:
            value = s.values[i]
            if value is not None:
                fill, stroke = fills[s.role]
                end, text = scale(value), show(value)
                rows.append(
                    f'<rect x="{short(left)}" y="{short(y)}" width="{short(max(end - left, 0.5))}" '
                    f'height="{BAR}" fill="{fill}" stroke="{stroke}"><title>'
                    f"{escaped(f'{label}, {s.name}: {text}')}</title></rect>"
                    f'<text x="{short(end + 4)}" y="{short(y + BAR - 2)}" font-size="11" '
                    f'fill="{MUTED if s.role == "group" else INK}">{escaped(text)}</text>'
                )
            y += BAR + GAP
        y += CATEGORY_GAP - GAP
    bottom = y - CATEGORY_GAP + GAP + 6
    grid = base.x_axis(scale, values, chart.axis(decimals), bottom, top - 4)
    body = SafeString("".join((keys, grid, *rows)))
    return base.Drawing(WIDTH, int(bottom + 20), body, base.join(defs))
