"""A population pyramid: age bands bottom-up, women to the left and men to the right; the practice
as solid bars, the group as outlines over them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

import parabench.dashboard.charts.base as base
from parabench.dashboard.charts.base import GROUP, INK, PRACTICE, short
from parabench.dashboard.markup import escaped

WIDTH = 560
ROW = 20
BAR = 14
CENTRE = 56  # the middle column with the band labels


@dataclass(frozen=True)
class Side:
    name: str  # "vrouwen"
    practice: tuple[float | None, ...]  # per band, youngest first
    group: tuple[float | None, ...] = ()  # empty when the group has no figures


@dataclass(frozen=True)
class Pyramid(base.Chart):
    bands: tuple[str, ...] = ()  # youngest first
    left: Side = Side("", ())
    right: Side = Side("", ())
    practice_name: str = ""
    group_name: str = ""
    show: Callable[[float], str] = str
    axis: Callable[[int], Callable[[float], str]] = field(default=lambda decimals: str)


@base.draws(Pyramid)
def draw(chart: Pyramid) -> base.Drawing:
    sides = (chart.left, chart.right)
    has_group = any(v is not None for side in sides for v in side.group)
    items = [("practice-bar", chart.practice_name)]
    if has_group:
        items.append(("group-outline", chart.group_name))
    keys, top = base.legend(items, 16, 12, WIDTH - 32)
    heads_y = top + 8
    top = heads_y + 10
    every = [v for side in sides for v in (*side.practice, *side.group) if v is not None]
    peak = max(every, default=0) or 1
    values, decimals = base.ticks(0, peak * 1.05, 3)
    high = peak * 1.05
    values = [v for v in values if v > 0]  # the centre column separates the two zeros
    middle = WIDTH / 2
    half = middle - CENTRE / 2 - 16
    towards = (
        base.Scale(0, high, middle - CENTRE / 2, middle - CENTRE / 2 - half),
        base.Scale(0, high, middle + CENTRE / 2, middle + CENTRE / 2 + half),
    )
    heads = short(heads_y)
    parts = [
        keys,
        f'<text x="{short(middle - CENTRE / 2 - half / 2)}" y="{heads}" text-anchor="middle" '
        f'font-weight="600">{escaped(chart.left.name)}</text>'
        f'<text x="{short(middle + CENTRE / 2 + half / 2)}" y="{heads}" text-anchor="middle" '
        f'font-weight="600">{escaped(chart.right.name)}</text>',
    ]
    count = len(chart.bands)
    bottom = top + count * ROW
    write = chart.axis(decimals)
    for scale in towards:
        parts.append(base.x_axis(scale, values, write, bottom + 2, top - 2))
    for row, band in enumerate(chart.bands):
        y = bottom - (row + 1) * ROW + (ROW - BAR) / 2  # youngest at the bottom
        parts.append(
            f'<text x="{short(middle)}" y="{short(y + BAR - 3)}" text-anchor="middle" '
            f'fill="{INK}">{escaped(band)}</text>'
        )
        for side, scale in zip(sides, towards, strict=True):
            parts.append(_bar(scale, y, side, row, band, chart))
    return base.Drawing(WIDTH, int(bottom + 22), SafeString("".join(parts)))


def _bar(scale, y, side: Side, row: int, band: str, chart: Pyramid) -> str:
    own = side.practice[row] if row < len(side.practice) else None
    group = side.group[row] if row < len(side.group) else None
    out = ""
    if own is not None:
        x0, x1 = sorted((scale(0), scale(own)))
        hover = f"{side.name} {band}, {chart.practice_name}: {chart.show(own)}"
        out += (
            f'<rect x="{short(x0)}" y="{short(y)}" width="{short(max(x1 - x0, 0.5))}" '
            f'height="{BAR}" fill="{PRACTICE}"><title>{escaped(hover)}</title></rect>'
        )
    if group is not None:
        x0, x1 = sorted((scale(0), scale(group)))
        hover = f"{side.name} {band}, {chart.group_name}: {chart.show(group)}"
        out += (
            f'<rect x="{short(x0)}" y="{short(y + 1)}" width="{short(max(x1 - x0, 0.5))}" '
            f'height="{BAR - 2}" fill="none" stroke="{GROUP}" stroke-width="2"><title>'
            f"{escaped(hover)}</title></rect>"
        )
    return out
