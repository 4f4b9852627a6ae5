"""Series over time in one or more panels side by side (quarters, then full years), each panel
with its own axis: the practice as a solid line with dots, the group as a dashed line with
squares. A missing value breaks the line."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

import parabench.dashboard.charts.base as base
from parabench.dashboard.charts.bars import Series
from parabench.dashboard.charts.base import GRID, GROUP, INK, MUTED, PRACTICE, short
from parabench.dashboard.markup import escaped

WIDTH = 640
PLOT_HEIGHT = 170
PANEL_GAP = 28


@dataclass(frozen=True)
class Panel:
    title: str  # "per kwartaal"
    labels: tuple[str, ...]
    series: tuple[Series, ...]  # role "practice" or "group"


@dataclass(frozen=True)
class Lines(base.Chart):
    panels: tuple[Panel, ...] = ()
    show: Callable[[float], str] = str
    axis: Callable[[int], Callable[[float], str]] = field(default=lambda decimals: str)


STYLE = {
    "practice": {"colour": PRACTICE, "width": "2.5", "dash": "", "mark": base.circle},
    "group": {
        "colour": GROUP,
        "width": "2",
        "dash": ' stroke-dasharray="5 3"',
        "mark": base.square,
    },
}


@base.draws(Lines)
def draw(chart: Lines) -> base.Drawing:
    panels = [p for p in chart.panels if p.labels]
    roles = []
    for panel in panels:
        for s in panel.series:
            if (s.role, s.name) not in roles and any(v is not None for v in s.values):
                roles.append((s.role, s.name))
    keys, top = base.legend([(f"{role}-line", name) for role, name in roles], 16, 12, WIDTH - 32)
    top += 26
    bottom = top + PLOT_HEIGHT
    # Width by number of points, but a panel of few points still gets room to read.
    weights = [len(p.labels) + 2 for p in panels]
    free = WIDTH - 16 - PANEL_GAP * (len(panels) - 1)
    parts = []
    x = 0.0
    for panel, weight in zip(panels, weights, strict=True):
        width = free * weight / sum(weights)
        parts.append(_panel(chart, panel, x, width, top, bottom))
        x += width + PANEL_GAP
    return base.Drawing(WIDTH, int(bottom + 40), SafeString("".join((keys, *parts))))


def _panel(chart: Lines, panel: Panel, x: float, width: float, top: float, bottom: float) -> str:
    known = [v for s in panel.series for v in s.values if v is not None]
    peak = max(known, default=0)
    low = min(min(known, default=0), 0)
    values, decimals = base.ticks(low, peak or 1, 4, cover=True)
    write = chart.axis(decimals)
    axis_room = max(base.text_width(write(v), 11) for v in values) + 8
    left = x + axis_room
    right = x + width
    y_scale = base.Scale(min(values[0], low), max(values[-1], peak), bottom, top)
    count = len(panel.labels)
    step = (right - left) / count
    at = [left + step * (i + 0.5) for i in range(count)]
    at_text = base.shorts(at)
    parts = [
        f'<text x="{short(left)}" y="{short(top - 10)}" font-weight="600" fill="{INK}">'
        f"{escaped(panel.title)}</text>"
    ]
    x1, x2, text_x = short(left), short(right), short(left - 6)
    for v in values:
        y = y_scale(v)
        parts.append(
            f'<line x1="{x1}" y1="{short(y)}" x2="{x2}" y2="{short(y)}" stroke="{GRID}"/>'
            f'<text x="{text_x}" y="{short(y + 4)}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{escaped(write(v))}</text>'
        )
    # At most one label per ~56 px: every k-th, always the last.
    every = max(1, round(56 / step + 0.49))
    label_y = short(bottom + 16)
    for i, label in enumerate(panel.labels):
        if i % every == 0 or (i == count - 1 and count % every == 1):
            parts.append(
                f'<text x="{at_text[i]}" y="{label_y}" text-anchor="middle" font-size="11" '
                f'fill="{MUTED}">{escaped(label)}</text>'
            )
    # The group first, so that the practice's line and dots lie on top where they meet.
    for s in sorted(panel.series, key=lambda s: s.role != "group"):
        style = STYLE[s.role]
        path, pen = [], "M"
        for i, v in enumerate(s.values):
            if v is None:
                pen = "M"
                continue
            path.append(f"{pen}{at_text[i]} {short(y_scale(v))}")
            pen = "L"
        if path:
            parts.append(
                f'<path d="{"".join(path)}" fill="none" stroke="{style["colour"]}" '
                f'stroke-width="{style["width"]}"{style["dash"]}/>'
            )
        for i, v in enumerate(s.values):
            if v is not None:
                hover = f"{panel.labels[i]}, {s.name}: {chart.show(v)}"
                parts.append(style["mark"](at[i], y_scale(v), style["colour"], hover))
    return "".join(parts)
