"""Charts drawn on the server as SVG: pure functions from figures to safe markup.

Shared by the dashboard and the practice report (PDF): a chart is a frozen dataclass of its data
(``Distribution``, ``Bars``, ``Pyramid``, ``Lines``) and ``render(chart)`` gives one accessible
``<svg role="img">`` with a ``<title>`` and ``<desc>``, patterns and labels so that colour is never
the only carrier, and native tooltips (SVG ``<title>``) on every mark — no script needed.

A new chart type (a funnel, say) is one module here: a dataclass subclassing ``Chart`` and a
drawer decorated with ``@draws(ThatClass)`` that returns a ``Drawing``; import it below.
"""

from parabench.dashboard.charts.bars import Bars, Series
from parabench.dashboard.charts.base import Chart, Drawing, draws, render
from parabench.dashboard.charts.distribution import Distribution
from parabench.dashboard.charts.funnel import Funnel
from parabench.dashboard.charts.lines import Lines, Panel
from parabench.dashboard.charts.pyramid import Pyramid, Side

__all__ = [
    "Bars",
    "Chart",
    "Distribution",
    "Drawing",
    "Funnel",
    "Lines",
    "Panel",
    "Pyramid",
    "Series",
    "Side",
    "draws",
    "render",
]
