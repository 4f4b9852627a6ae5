"""What every chart shares: the spec base class, the registry of drawers, the ``<svg>`` frame with
its title and description, scales, ticks, a legend and the two styles (practice, group).

A chart is a frozen dataclass (its data) plus one drawer function registered with
``@draws(SpecClass)`` that returns a ``Drawing``; ``render(spec)`` wraps it in one accessible
``<svg role="img">``.

Markup is written with f-strings (issue 18): a coordinate (``short``), a constant colour or a
fixed attribute goes in as it is, digits and hex need no escaping; every text (a title, a label
from the catalogue or the practice's data, a value written by ``show``/``axis``) goes through
``escaped`` once, as ``format_html`` would have. Each function that hands markup on returns a
``SafeString``. ``format_html`` per element (a dict of arguments, every argument checked and
wrapped again) was two thirds of drawing a chart; the SVG is byte for byte the same. The legends
keep ``format_html``: each is drawn once per process (``_legend``).
"""

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.utils.safestring import SafeString

from parabench import language
from parabench.dashboard.markup import escaped, format_html

# The practice is always solid orange, the group always teal and hatched or outlined: two
# colours that differ in lightness too, and a second carrier (fill pattern, line dash, marker
# shape) so that colour is never the only one. Both reach 3:1 against white (WCAG 1.4.11).
# The colours are plain strings (hex: nothing to escape): the f-strings of every chart write
# them as they are, where a SafeString sends each one through its Python ``__str__`` (``format``
# of a str subclass), about 400 calls a Kwaliteit page (issue 18, session 21). The legends'
# ``format_html`` finds nothing to escape in them.
PRACTICE = "#c2600a"
GROUP = "#0b6e6e"
GROUP_LIGHT = "#d3e7e7"
INK = "#1d2733"
MUTED = "#4f5b69"
GRID = "#e3e8ee"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
_FONT = escaped(FONT)  # as an attribute value: its quotes escaped


@dataclass(frozen=True)
class Chart:
    """``key`` names the chart on its page, from the catalogue (``kpi-sessions``,
    ``mix-payer_mix``); ``title`` and ``description`` are what a screen reader says."""

    key: str
    title: str
    description: str


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    body: SafeString
    defs: SafeString = SafeString("")


def join(parts) -> SafeString:
    """Pieces of markup in a row; anything not already safe is escaped."""
    return SafeString("".join(map(escaped, parts)))


Drawer = Callable[[Chart], Drawing]
DRAWERS: dict[type, Drawer] = {}


def draws(spec_type: type) -> Callable[[Drawer], Drawer]:
    """Register the drawer of one chart type: a new chart type is a dataclass and a function."""

    def register(drawer: Drawer) -> Drawer:
        DRAWERS[spec_type] = drawer
        return drawer

    return register


def render(chart: Chart) -> SafeString:
    """The chart as one self-contained, accessible ``<svg>`` (inline in HTML, or for a PDF)."""
    drawing = DRAWERS[type(chart)](chart)
    ident = escaped(f"chart-{chart.key}")
    kind = type(chart).__name__.lower()
    defs = f"<defs>{escaped(drawing.defs)}</defs>" if drawing.defs else ""
    return SafeString(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg chart-{escaped(kind)}" '
        f'viewBox="0 0 {drawing.width} {drawing.height}" width="{drawing.width}" '
        f'height="{drawing.height}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'data-chart="{escaped(chart.key)}" font-family="{_FONT}" font-size="12" fill="{INK}">'
        f'<title id="{ident}-title">{escaped(chart.title)}</title>'
        f'<desc id="{ident}-desc">{escaped(chart.description)}</desc>'
        f"{defs}{escaped(drawing.body)}</svg>"
    )


_WORDS: dict[tuple[int, str], dict[str, str]] = {}


def words(table: dict) -> dict[str, str]:
    """A module's lazily translated words, resolved once per language (not per chart: a page
    draws dozens, and every ``str()`` of a lazy text asks Django for the language again). The
    cards' words too (presentation, verdicts): about 90 ``str()`` of lazy texts a theme tab,
    2.5 µs each (issue 18). Kept by the page's language code as it is (``language.current``,
    not ``english()``'s split of it: a theme tab asks about 70 times)."""
    key = (id(table), language.current())
    found = _WORDS.get(key)
    if found is None:
        found = _WORDS[key] = {name: str(text) for name, text in table.items()}
    return found


# --- Geometry ------------------------------------------------------------------------------------


def short(value: float) -> str:
    """A coordinate as text, short: 12.5 not 12.500000001, 12 not 12.0 (digits only: it goes
    into markup as it is)."""
    return f"{value:.1f}".removesuffix(".0")


def shorts(values: list[float]) -> list[str]:
    """``short`` of every value, in one ``%`` (``%.1f`` writes what ``:.1f`` writes; each text
    ends in ``\\n``, so ``.0\\n`` is exactly a whole number's tail): a funnel's 240 coordinates in
    31 instead of 43 µs one by one (issue 18, session 9)."""
    text = ("%.1f\n" * len(values)) % tuple(values)
    return text.replace(".0\n", "\n").split("\n")[:-1]


def n(value: float) -> SafeString:
    """A coordinate for ``format_html`` (digits only: safe as it is)."""
    return SafeString(short(value))


def text_width(text: str, size: float = 12) -> float:
    """An estimate of a label's width in a sans-serif font (no font metrics on the server)."""
    return len(text) * size * 0.56


@dataclass(frozen=True)
class Scale:
    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return self.start + (value - self.low) / span * (self.end - self.start)

    def many(self, values) -> list[float]:
        """The scale of every value at once (a funnel's curves: 192 points): numpy's +, −, ×
        and ÷ in the same order as ``__call__``, each rounded as Python's, so the same floats
        to the last bit."""
        return self.array(values).tolist()

    def array(self, values) -> np.ndarray:
        """``many`` as an array of the shape of ``values`` (rows of values: a funnel's curves)."""
        span = self.high - self.low or 1.0
        return self.start + (np.array(values, dtype=float) - self.low) / span * (
            self.end - self.start
        )


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) giving about ``count`` intervals over ``span``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def ticks(low: float, high: float, count: int = 5, cover: bool = False) -> tuple[list[float], int]:
    """Round tick values within [low, high] — or, with ``cover``, reaching just past ``high``
    (an axis from zero whose top is a labelled line) — and the decimals their labels need."""
    step = nice_step(high - low, count)
    first = math.ceil(low / step - 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step if cover else high
    values = []
    value = first
    while value <= last + step * 1e-9:
        values.append(0.0 if abs(value) < step * 1e-9 else value)
        value += step
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    if step < 1 and round(step * 10**decimals) % 1:
        decimals += 1
    if decimals == 0 and step % 1:
        decimals = 1  # 2.5
    return values, decimals


def padded(values: list[float], share: float = 0.06, zero: bool = False) -> tuple[float, float]:
    """The range of ``values`` with a margin; from zero when ``zero``."""
    low, high = min(values), max(values)
    if zero:
        low = min(0.0, low)
    pad = (high - low) * share or abs(high) * 0.05 or 1.0
    return (low if zero and low == 0 else low - pad), high + pad


# --- Pieces ------------------------------------------------------------------------------------


def hatch(chart_key: str) -> tuple[str, SafeString]:
    """The group's fill: teal diagonal hatching on a light tint (id unique per chart)."""
    ident = f"hatch-{chart_key}"
    pattern = SafeString(
        f'<pattern id="{escaped(ident)}" patternUnits="userSpaceOnUse" width="5" height="5" '
        f'patternTransform="rotate(45)"><rect width="5" height="5" fill="{GROUP_LIGHT}"/>'
        f'<line x1="0" y1="0" x2="0" y2="5" stroke="{GROUP}" stroke-width="2.2"/></pattern>'
    )
    return f"url(#{ident})", pattern


def swatch(kind: str, x: float, y: float) -> SafeString:
    """A legend symbol, 14 px wide, vertically centred on ``y``."""
    if kind == "practice-bar":
        return format_html(
            '<rect x="{}" y="{}" width="14" height="10" fill="{}"/>', n(x), n(y - 5), PRACTICE
        )
    if kind == "group-bar":
        # The hatching drawn out (a pattern's id belongs to one chart; legends are shared).
        return format_html(
            '<rect x="{x}" y="{y}" width="14" height="10" fill="{light}" stroke="{c}"/>'
            '<path d="M{x} {m}l5 -5M{x} {b}l10 -10M{a} {b}l9 -9M{e} {b}l4 -4" stroke="{c}" '
            'stroke-width="1.6"/>',
            x=n(x),
            y=n(y - 5),
            m=n(y),
            b=n(y + 5),
            a=n(x + 5),
            e=n(x + 10),
            light=GROUP_LIGHT,
            c=GROUP,
        )
    if kind == "group-outline":
        return format_html(
            '<rect x="{}" y="{}" width="13" height="9" fill="none" stroke="{}" stroke-width="2"/>',
            n(x + 0.5),
            n(y - 4.5),
            GROUP,
        )
    if kind == "practice-diamond":
        return diamond(x + 7, y, 6)
    if kind == "box":
        return format_html(
            '<rect x="{}" y="{}" width="14" height="10" fill="{}" stroke="{}"/>',
            n(x),
            n(y - 5),
            GROUP_LIGHT,
            GROUP,
        )
    if kind == "median":
        return format_html(
            '<line x1="{x}" y1="{a}" x2="{x}" y2="{b}" stroke="{c}" stroke-width="2.5"/>',
            x=n(x + 7),
            a=n(y - 6),
            b=n(y + 6),
            c=GROUP,
        )
    if kind == "mean":
        return format_html(
            '<line x1="{x}" y1="{a}" x2="{x}" y2="{b}" stroke="{c}" stroke-width="1.5" '
            'stroke-dasharray="2 2"/>',
            x=n(x + 7),
            a=n(y - 6),
            b=n(y + 6),
            c=INK,
        )
    if kind == "whisker":
        return format_html(
            '<path d="M{} {}v8M{} {}h14M{} {}v8" stroke="{}" stroke-width="1.5" fill="none"/>',
            n(x),
            n(y - 4),
            n(x),
            n(y),
            n(x + 14),
            n(y - 4),
            GROUP,
        )
    if kind == "practice-line":
        return format_html(
            '<path d="M{} {}h18" stroke="{}" stroke-width="2.5"/>{}',
            n(x - 2),
            n(y),
            PRACTICE,
            circle(x + 7, y, PRACTICE),
        )
    if kind == "group-line":
        return format_html(
            '<path d="M{} {}h18" stroke="{}" stroke-width="2" stroke-dasharray="4 3"/>{}',
            n(x - 2),
            n(y),
            GROUP,
            square(x + 7, y, GROUP),
        )
    if kind in ("limit-95", "limit-998"):  # the funnel's control limits (funnel.py)
        dash = "" if kind == "limit-95" else ' stroke-dasharray="5 3"'
        return format_html(
            '<path d="M{} {}h16" stroke="{}" stroke-width="{}"{}/>',
            n(x - 1),
            n(y),
            GROUP,
            "2" if kind == "limit-95" else "1.5",
            SafeString(dash),
        )
    raise ValueError(f"unknown legend symbol: {kind}")


def diamond(x: float, y: float, r: float, hover: str = "") -> SafeString:
    d = short(r)
    return SafeString(
        f'<path class="practice-mark" d="M{short(x)} {short(y - r)}l{d} {d}l-{d} {d}l-{d} -{d}z" '
        f'fill="{PRACTICE}" stroke="#fff" stroke-width="1.5">{hover_title(hover)}</path>'
    )


def circle(x: float, y: float, colour: str, hover: str = "") -> SafeString:
    return SafeString(
        f'<circle cx="{short(x)}" cy="{short(y)}" r="3.5" fill="{escaped(colour)}" stroke="#fff" '
        f'stroke-width="1">{hover_title(hover)}</circle>'
    )


def square(x: float, y: float, colour: str, hover: str = "") -> SafeString:
    return SafeString(
        f'<rect x="{short(x - 3.5)}" y="{short(y - 3.5)}" width="7" height="7" fill="#fff" '
        f'stroke="{escaped(colour)}" stroke-width="2">{hover_title(hover)}</rect>'
    )


def hover_title(text: str) -> SafeString:
    """The browser's own tooltip on hover (no script): an SVG ``<title>`` child."""
    return SafeString(f"<title>{escaped(text)}</title>" if text else "")


def legend(items, x: float, y: float, width: float) -> tuple[SafeString, float]:
    """Symbols with their names in a row, wrapping within ``width``; returns the markup and the
    y below it. The same legend recurs on every chart of a kind: drawn once per process."""
    return _legend(tuple(items), x, y, width)


@functools.lru_cache(maxsize=256)
def _legend(items, x: float, y: float, width: float) -> tuple[SafeString, float]:
    parts = []
    cx, cy = x, y
    for kind, label in items:
        needed = 20 + text_width(label, 11) + 12
        if cx > x and cx + needed - 12 > x + width:
            cx, cy = x, cy + 18
        parts.append(swatch(kind, cx, cy))
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                n(cx + 20),
                n(cy + 4),
                INK,
                label,
            )
        )
        cx += needed
    return join(parts), cy + 14


def x_axis(
    scale: Callable[[float], float],
    values: list[float],
    label: Callable[[float], str],
    y: float,
    top: float,
) -> SafeString:
    """Vertical grid lines from ``top`` to ``y`` with the tick labels under them (``scale``: a
    ``Scale`` or any function from a value to its x)."""
    y1, y2, text_y = short(top), short(y), short(y + 14)
    lines = []
    for value in values:
        x = short(scale(value))
        lines.append(
            f'<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{GRID}"/><text x="{x}" '
            f'y="{text_y}" text-anchor="middle" font-size="11" fill="{MUTED}">'
            f"{escaped(label(value))}</text>"
        )
    return SafeString("".join(lines))
