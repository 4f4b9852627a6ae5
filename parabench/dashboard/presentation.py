"""From the benchmark's stored figures to what the dashboard shows: texts, symbols, chart specs.

Pure functions over the ``Dashboard`` and ``Trends`` objects of ``parabench.benchmark.queries``; no
database, no request. The views pass their output to the templates, the charts get plain JSON for
plotly. No chart ever carries another practice's value: only the group's published quantiles
(``GroupStats.published``: the median, and P25/P75, P10/P90 where the group is large enough) and
the practice's own value.
"""

import math
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parabench.benchmark import catalogue
from parabench.benchmark.queries import TREND_KPIS
from parabench.dashboard import formatting


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str


TABS = [
    Tab("welkom", gettext_lazy("Welkom")),
    Tab("patienten", gettext_lazy("Patiënten")),
    Tab("klachten", gettext_lazy("Klachten")),
    Tab("behandelingen", gettext_lazy("Behandelingen")),
    Tab("financien", gettext_lazy("Financiën")),
    Tab("verzekeraars", gettext_lazy("Verzekeraars")),
    Tab("productiviteit", gettext_lazy("Productiviteit")),
    Tab("kwaliteit", gettext_lazy("Kwaliteit")),
    Tab("trends", gettext_lazy("Trends")),
]
TAB_SLUGS = [tab.slug for tab in TABS]
THEME_SLUGS = TAB_SLUGS[1:-1]

# The query parameter speaks Dutch; the benchmark speaks English.
GROUP_PARAMS = {"landelijk": "national", "regio": "region", "netwerk": "network"}
GROUP_KINDS = {kind: param for param, kind in GROUP_PARAMS.items()}

COLOURS = {"practice": "#e38b2c", "group": "#0b6e6e", "band": "rgba(11,110,110,.18)"}
LEGEND_ON_TOP = {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}


def slug(text: str) -> str:
    """'Financiën' → 'financien': the catalogue may name a tab in Dutch or by slug."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return plain.strip().lower().replace(" ", "-")


# The catalogue names its tabs in Dutch ("Financiën"); the page speaks in slugs.
CATALOGUE_TABS = {slug(name): name for name in catalogue.TABS}


def group_param(value: str | None) -> str:
    """The ``?groep=`` value, defaulting to national for anything unknown."""
    return value if value in GROUP_PARAMS else "landelijk"


def tab_param(value: str | None) -> str:
    return value if value in TAB_SLUGS else "welkom"


# --- Values ----------------------------------------------------------------------------------


UNIT_WORDS = {
    "zittingen": gettext_lazy("zittingen"),
    "weken": gettext_lazy("weken"),
    "dagen": gettext_lazy("dagen"),
    "fte": gettext_lazy("fte"),
}


def value_format(number_format: str | None, unit: str = ""):
    """A function writing figures in the catalogue's number format, built once per KPI:
    € 36,53, 59,3 %, 11,2 zittingen, 1.804."""
    if number_format == "pct":
        write = formatting.percent_format(1)
    elif number_format in ("eur", "eur0"):
        write = formatting.euro_format(2 if number_format == "eur" else 0)
    else:
        write = formatting.number_format({"int": 0, "dec1": 1, "dec2": 2}.get(number_format, 1))
        word = UNIT_WORDS.get(unit)
        if word:
            plain, word = write, str(word)

            def write(value):
                text = plain(value)
                return text if text == formatting.DASH else f"{text} {word}"

    def show(value) -> str:
        if value is None or value != value:  # None or NaN: not defined
            return formatting.DASH
        return write(value)

    return show


def value_text(value, number_format: str | None, unit: str = "") -> str:
    """One figure in the catalogue's number format: € 36,53, 59,3 %, 11,2 zittingen, 1.804."""
    return value_format(number_format, unit)(value)


def axis_affixes(number_format: str | None) -> dict:
    """Plotly tick prefix/suffix so that chart axes read like the table."""
    if number_format == "pct":
        return {"ticksuffix": " %"}
    if number_format in ("eur", "eur0"):
        return {"tickprefix": "€ "}
    return {}


POSITION_TEXT = {
    "below": gettext_lazy("onder de middelste helft"),
    "around": gettext_lazy("in de middelste helft"),
    "above": gettext_lazy("boven de middelste helft"),
}
# A group too small for quartiles has no middle half: its position is read against the median.
MEDIAN_POSITION_TEXT = {
    "below": gettext_lazy("onder de mediaan"),
    "around": gettext_lazy("op de mediaan"),
    "above": gettext_lazy("boven de mediaan"),
}
QUANTILE_NAMES = {
    "p10": gettext_lazy("P10"),
    "p25": gettext_lazy("P25"),
    "median": gettext_lazy("de mediaan"),
    "p75": gettext_lazy("P75"),
    "p90": gettext_lazy("P90"),
}


def band_text(band: str | None) -> str:
    """'p25-median' → 'tussen P25 en de mediaan': where the value lies among the published
    figures (nothing finer: see disclosure.band)."""
    if not band:
        return ""
    first, _sep, second = band.partition("-")
    if first == "below":
        return _("onder %(q)s") % {"q": QUANTILE_NAMES[second]}
    if first == "above":
        return _("boven %(q)s") % {"q": QUANTILE_NAMES[second]}
    if first == "at":
        return _("gelijk aan %(q)s") % {"q": QUANTILE_NAMES[second]}
    return _("tussen %(a)s en %(b)s") % {"a": QUANTILE_NAMES[first], "b": QUANTILE_NAMES[second]}


def size_text(size) -> str:
    """A published group size: '5–9', '10–19', '20–49' or 'ca. 240' (disclosure.size_band)."""
    if not size:
        return ""
    low, high = size
    if high is None:
        return _("ca. %(n)s") % {"n": formatting.number(low)}
    return f"{formatting.number(low)}–{formatting.number(high)}"


VERDICT_TEXT = {
    "better": gettext_lazy("gunstig"),
    "around": gettext_lazy("rond het midden"),
    "worse": gettext_lazy("minder gunstig"),
    "neutral": gettext_lazy("geen beter of slechter"),
}


@dataclass
class KpiRow:
    code: str
    name: str
    explanation: str
    value: str
    median: str
    band: str
    place: str
    position: str
    verdict: str
    verdict_text: str
    chart: dict | None
    table: list[tuple[str, str]] = field(default_factory=list)


def kpi_row(kpi, too_small: bool) -> KpiRow:
    show = value_format(kpi.number_format, kpi.unit)
    stats = None if too_small else kpi.stats
    if stats is None:
        median = band = place = formatting.DASH
        position = verdict_text = ""
        verdict = "none"
        table = [(_("Uw praktijk"), show(kpi.value))]
    else:
        median = show(stats.median)
        bare_show = value_format(kpi.number_format)
        if stats.p25 is None:
            band = formatting.DASH  # quartiles only from QUARTILES_MIN_N practices on
        else:
            # The unit once is enough: it is in the value above.
            band = f"{bare_show(stats.p25)} – {bare_show(stats.p75)}"
        place = band_text(kpi.band) or formatting.DASH
        texts = MEDIAN_POSITION_TEXT if stats.p25 is None else POSITION_TEXT
        position = str(texts.get(kpi.position, ""))
        verdict = kpi.verdict or "neutral"
        verdict_text = str(VERDICT_TEXT.get(verdict, ""))
        labels = {"median": _("Mediaan")}
        table = [(_("Uw praktijk"), show(kpi.value))]
        table += [
            (labels.get(name, str(QUANTILE_NAMES[name])), show(value))
            for name, value in stats.published().items()
        ]
        table.append((_("Aantal praktijken"), size_text(stats.size)))
    return KpiRow(
        code=kpi.code,
        name=str(kpi.name),
        explanation=str(getattr(kpi, "explanation", "") or ""),
        value=show(kpi.value),
        median=median,
        band=band,
        place=place,
        position=position,
        verdict=verdict,
        verdict_text=verdict_text,
        chart=None if stats is None else distribution_chart(kpi, stats),
        table=table,
    )


def distribution_chart(kpi, stats) -> dict:
    """A box from the published quantiles and a marker for the practice: no peer values at all.

    A group too small for quartiles shows only its median (a box of no width)."""
    practice_value = kpi.value
    low_q = stats.median if stats.p25 is None else stats.p25
    high_q = stats.median if stats.p75 is None else stats.p75
    data = [
        {
            "type": "box",
            "orientation": "h",
            "name": "",
            "y": [_("Groep")],
            "q1": [low_q],
            "median": [stats.median],
            "q3": [high_q],
            # P10/P90 exist only for larger groups (disclosure.minimum_sizes): else no whisker.
            "lowerfence": [low_q if stats.p10 is None else stats.p10],
            "upperfence": [high_q if stats.p90 is None else stats.p90],
            "boxpoints": False,
            "fillcolor": COLOURS["band"],
            "line": {"color": COLOURS["group"], "width": 1.5},
            "hoverinfo": "skip",
        }
    ]
    if practice_value is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Uw praktijk"),
                "x": [practice_value],
                "y": [_("Groep")],
                "marker": {
                    "symbol": "diamond",
                    "size": 14,
                    "color": COLOURS["practice"],
                    "line": {"color": "#fff", "width": 1.5},
                },
                "hovertemplate": _("Uw praktijk: %(value)s")
                % {"value": value_text(practice_value, kpi.number_format, kpi.unit)}
                + "<extra></extra>",
            }
        )
    known = [v for v in (*stats.published().values(), practice_value) if v is not None]
    low, high = min(known), max(known)
    pad = (high - low) * 0.06 or abs(high) * 0.05 or 1
    return {
        "data": data,
        "layout": {
            "height": 86,
            "margin": {"l": 8, "r": 8, "t": 6, "b": 26},
            "showlegend": False,
            "yaxis": {"visible": False},
            "xaxis": {
                "zeroline": False,
                "range": [low - pad, high + pad],
                "separatethousands": True,
                "gridcolor": "#eef1f5",
                **axis_affixes(kpi.number_format),
            },
            "separators": formatting.chart_separators(),
        },
    }


# --- Mixes -----------------------------------------------------------------------------------


MIX_HEAD = (
    gettext_lazy("Categorie"),
    gettext_lazy("Uw praktijk"),
    gettext_lazy("Mediaan groep"),
)


@dataclass
class MixBlock:
    code: str
    name: str
    rows: list[tuple[str, str, str]]
    chart: dict
    pyramid: bool
    explanation: str = ""


def mix_block(mix, too_small: bool) -> MixBlock:
    """The practice's mix beside the group's median share per category (not an average: see
    docs/privacy.md); an age × gender mix becomes a pyramid."""
    categories = [
        (str(label), share, None if too_small else group_share)
        for label, share, group_share in mix.categories
    ]
    percent = formatting.percent_format(1)
    rows = [(label, percent(share), percent(group)) for label, share, group in categories]
    pyramid = _is_pyramid(categories)
    # Categories empty for the practice and the group only add blank lines to a chart (the
    # table keeps them).
    drawn = [c for c in categories if (c[1] or 0) > 0 or (c[2] or 0) > 0] or categories
    chart = pyramid_chart(categories) if pyramid else mix_chart(drawn)
    return MixBlock(
        code=mix.code,
        name=str(mix.name),
        rows=rows,
        chart=chart,
        pyramid=pyramid,
        explanation=str(getattr(mix, "explanation", "") or ""),
    )


def _gender_of(label: str) -> str | None:
    first = label.lower().split(" ", 1)[0]
    if first in ("vrouw", "vrouwen", "female", "v"):
        return "f"
    if first in ("man", "mannen", "male", "m"):
        return "m"
    return None


def _is_pyramid(categories) -> bool:
    genders = {_gender_of(label) for label, _share, _group in categories}
    return {"f", "m"} <= genders


def mix_chart(categories) -> dict:
    labels = [label for label, _share, _group in categories]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": _("Uw praktijk"),
            "y": labels,
            "x": [share for _label, share, _group in categories],
            "marker": {"color": COLOURS["practice"]},
            "hovertemplate": "%{y}: %{x:.1f} %<extra>" + _("Uw praktijk") + "</extra>",
        }
    ]
    if any(group is not None for _label, _share, group in categories):
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": _("Mediaan groep"),
                "y": labels,
                "x": [group for _label, _share, group in categories],
                "marker": {"color": COLOURS["group"]},
                "hovertemplate": "%{y}: %{x:.1f} %<extra>" + _("Groep") + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "barmode": "group",
            "height": 70 + 34 * len(labels),
            "margin": {"l": 8, "r": 8, "t": 34, "b": 26},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"ticksuffix": " %", "gridcolor": "#eef1f5", "rangemode": "tozero"},
            "legend": LEGEND_ON_TOP,
            "separators": formatting.chart_separators(),
        },
    }


def pyramid_chart(categories) -> dict:
    """Women to the left, men to the right, age bands bottom-up; the group as outlined bars.

    A third gender ("anders") has no side in a pyramid: it stays in the table beside the chart.
    """
    bands: list[str] = []
    values: dict[tuple[str, str], tuple] = {}
    for label, share, group in categories:
        gender = _gender_of(label)
        if gender is None:
            continue
        band = label.split(" ", 1)[1] if " " in label else label
        if band not in bands:
            bands.append(band)
        values[(gender, band)] = (share, group)

    def series(gender, index, sign):
        return [sign * (values.get((gender, band), (None, None))[index] or 0) for band in bands]

    women, men = _("vrouwen"), _("mannen")
    practice, group = _("Uw praktijk"), _("Mediaan groep")
    data = [
        _pyramid_bar(practice, women, bands, series("f", 0, -1), True, True),
        _pyramid_bar(practice, men, bands, series("m", 0, 1), True, False),
    ]
    if any(g is not None for _label, _share, g in categories):
        data += [
            _pyramid_bar(group, women, bands, series("f", 1, -1), False, True),
            _pyramid_bar(group, men, bands, series("m", 1, 1), False, False),
        ]
    peak = max((abs(x) for trace in data for x in trace["x"]), default=10) or 10
    step = max(1, math.ceil(peak / 2))
    ticks = [-2 * step, -step, 0, step, 2 * step]
    return {
        "data": data,
        "layout": {
            "barmode": "overlay",
            "bargap": 0.15,
            "height": 120 + 30 * len(bands),
            "margin": {"l": 8, "r": 8, "t": 34, "b": 44},
            "yaxis": {"automargin": True, "title": {"text": _("leeftijd")}},
            "xaxis": {
                "range": [-2.1 * step, 2.1 * step],
                "tickvals": ticks,
                "ticktext": [formatting.percent(abs(t), 0) for t in ticks],
                "gridcolor": "#eef1f5",
                "title": {"text": _("← vrouwen · mannen →")},
            },
            "legend": LEGEND_ON_TOP,
            "separators": formatting.chart_separators(),
        },
    }


def _pyramid_bar(name, gender, bands, xs, practice: bool, in_legend: bool) -> dict:
    return {
        "type": "bar",
        "orientation": "h",
        "name": name,
        "legendgroup": name,
        "showlegend": in_legend,
        "y": bands,
        "x": xs,
        "customdata": [abs(x) for x in xs],
        "hovertemplate": "%{y} " + gender + ": %{customdata:.1f} %<extra>" + name + "</extra>",
        "marker": (
            {"color": COLOURS["practice"], "opacity": 0.75}
            if practice
            else {"color": "rgba(0,0,0,0)", "line": {"color": COLOURS["group"], "width": 2}}
        ),
    }


# --- Welcome symbols -------------------------------------------------------------------------


@dataclass
class ThemeSymbol:
    tab: Tab
    state: str  # better, around, worse, neutral, none
    symbol: str
    label: str
    summary: str


SYMBOLS = {
    "better": ("▲", gettext_lazy("Gunstiger dan de groep")),
    "around": ("●", gettext_lazy("Rond het midden van de groep")),
    "worse": ("▼", gettext_lazy("Minder gunstig dan de groep")),
    "neutral": ("◆", gettext_lazy("Geen beter of slechter: zie de posities")),
    "none": ("–", gettext_lazy("Geen vergelijking mogelijk")),
}


def theme_symbol(tab: Tab, kpis: list, too_small: bool, mixes: list = ()) -> ThemeSymbol:
    """One symbol per theme: the balance of its KPIs' verdicts (better minus worse, by thirds).

    KPIs without a better direction do not vote; a theme of only such KPIs (or only mixes)
    reports where the practice sits without calling it good or bad.
    """
    if too_small or not (kpis or mixes):
        symbol, label = SYMBOLS["none"]
        summary = (
            _("Te weinig praktijken in deze groep om te vergelijken.")
            if too_small
            else _("Geen kengetallen in dit thema voor deze periode.")
        )
        return ThemeSymbol(tab, "none", symbol, str(label), summary)
    judged = [k for k in kpis if k.verdict in ("better", "around", "worse")]
    counts = {v: sum(1 for k in judged if k.verdict == v) for v in ("better", "around", "worse")}
    parts = []
    if judged:
        balance = (counts["better"] - counts["worse"]) / len(judged)
        state = "better" if balance >= 1 / 3 else "worse" if balance <= -1 / 3 else "around"
        first = ngettext(
            "%(better)d van %(total)d kengetal gunstiger dan de middelste helft",
            "%(better)d van %(total)d kengetallen gunstiger dan de middelste helft",
            len(judged),
        ) % {"better": counts["better"], "total": len(judged)}
        rest = _("%(around)d in het midden, %(worse)d minder gunstig") % counts
        parts.append(f"{first}; {rest}")
    else:
        state = "neutral"
        if kpis:
            positions = {p: sum(1 for k in kpis if k.position == p) for p in POSITION_TEXT}
            text = _("%(above)d boven, %(around)d in en %(below)d onder de middelste helft")
            parts.append(text % positions)
    headline = next((k for k in kpis if k.stats is not None), None)
    if headline is not None:
        parts.append(
            _("%(name)s %(value)s tegen mediaan %(median)s")
            % {
                "name": str(headline.name),
                "value": value_text(headline.value, headline.number_format, headline.unit),
                "median": value_text(headline.stats.median, headline.number_format, headline.unit),
            }
        )
    elif mixes:
        difference = largest_mix_difference(mixes)
        if difference:
            parts.append(difference)
    symbol, label = SYMBOLS[state]
    return ThemeSymbol(tab, state, symbol, str(label), "; ".join(parts) + ".")


def largest_mix_difference(mixes) -> str:
    """For a theme of mixes only: the category where the practice differs most from the group."""
    best = None
    for mix in mixes:
        for label, share, group in mix.categories:
            if share is None or group is None:
                continue
            gap = abs(share - group)
            if best is None or gap > best[0]:
                best = (gap, mix.name, label, share, group)
    if best is None:
        return ""
    _gap, mix_name, label, share, group = best
    return _(
        "grootste verschil met de groep: %(label)s in %(mix)s, %(share)s tegen mediaan %(group)s"
    ) % {
        "label": label,
        "mix": str(mix_name).lower(),
        "share": formatting.percent(share),
        "group": formatting.percent(group),
    }


# --- Explanations ----------------------------------------------------------------------------

TAB_INTRO = {
    "welkom": gettext_lazy(
        "Per thema één symbool: ▲ gunstiger dan de groep, ● rond het midden, ▼ minder gunstig, "
        "◆ geen beter of slechter. Het symbool telt de kengetallen van het thema: hoeveel liggen "
        "gunstiger dan de middelste helft van de groep (boven P75 of onder P25, afhankelijk van "
        "wat beter is), hoeveel in de middelste helft en hoeveel minder gunstig. Beweeg over een "
        "symbool of ga er met de Tab-toets naartoe voor de cijfers erachter."
    ),
    "trends": gettext_lazy(
        "De lijn toont de waarde van uw praktijk per kwartaal en per jaar over al uw imports, "
        "de stippellijn de mediaan van de groep in dezelfde periode. Groei is de verandering "
        "ten opzichte van dezelfde periode een jaar eerder. Een lege plek betekent dat er voor "
        "die periode geen cijfers zijn of dat de groep te klein was."
    ),
}
THEME_INTRO = gettext_lazy(
    "Per kengetal ziet u de waarde van uw praktijk naast de mediaan van de groep en, vanaf 10 "
    "praktijken, de middelste helft van de groep (P25 tot P75); vanaf 20 praktijken lopen de "
    "snorharen in de grafiek van P10 tot P90. In de grafiek is de doos de middelste helft, de "
    "streep erin de mediaan; het oranje ruitje is uw praktijk. De groepscijfers zijn schattingen "
    "waarin elke praktijk van de groep meetelt (nooit de waarde van één praktijk), afgerond op "
    "2 significante cijfers (groepen onder 20 praktijken) of 3; het aantal praktijken staat er "
    "als klasse (5–9, 10–19, 20–49) of afgerond op tientallen. 'Plaats in de groep' zegt "
    "tussen welke van die cijfers uw waarde ligt. Een gemiddelde van de groep tonen we niet. "
    "De mixen tonen de verdeling binnen uw praktijk naast de mediaan van elk aandeel in de "
    "groep; die medianen tellen daarom niet op tot 100 %."
)


def tab_intro(slug_: str) -> str:
    return str(TAB_INTRO.get(slug_, THEME_INTRO))


# --- Trends ----------------------------------------------------------------------------------


TREND_HEAD = (
    gettext_lazy("Periode"),
    gettext_lazy("Uw praktijk"),
    gettext_lazy("Mediaan groep"),
    gettext_lazy("Groei t.o.v. vorig jaar"),
)


@dataclass
class TrendBlock:
    code: str
    name: str
    explanation: str
    rows: list[tuple[str, str, str, str]]  # period, practice, group median, growth
    kinds: list[str]  # "kind-quarter" or "kind-year", per row
    chart: dict


def trend_param(value: str | None) -> str:
    """The ``?kengetal=`` of the Trends tab: one of the trend KPIs, the first by default."""
    return value if value in TREND_KPIS else TREND_KPIS[0]


@dataclass
class Overview:
    head: list[str]
    rows: list[tuple[str, ...]]  # one per trend KPI, in the series' order


def yearly_overview(trends) -> Overview | None:
    """Every trend KPI's full years side by side: the practice's own values, years as columns."""
    years = sorted({p.year for s in trends.series for p in s.points if p.kind == "year"})
    if not years:
        return None
    rows = []
    for series in trends.series:
        show = value_format(series.number_format, series.unit)
        values = {p.year: p.value for p in series.points if p.kind == "year"}
        rows.append((str(series.name), *(show(values.get(year)) for year in years)))
    return Overview(
        head=[_("Kengetal"), *(str(year) for year in years)],
        rows=rows,
    )


def trend_block(series) -> TrendBlock:
    """Quarters as a line, years as a second line on their own axis labels; growth in the table."""
    show, growth = (
        value_format(series.number_format, series.unit),
        formatting.percent_format(1, True),
    )
    rows = [
        (point.label, show(point.value), show(point.group_median), growth(point.growth))
        for point in series.points
    ]
    kinds = [f"kind-{point.kind}" for point in series.points]
    data = []
    for kind, kind_label in (("quarter", _("per kwartaal")), ("year", _("per jaar"))):
        points = [p for p in series.points if p.kind == kind]
        if not points:
            continue
        labels = [p.label for p in points]
        axis = "x" if kind == "quarter" else "x2"
        yaxis = "y" if kind == "quarter" else "y2"
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Uw praktijk") + f" ({kind_label})",
                "x": labels,
                "y": [p.value for p in points],
                "xaxis": axis,
                "yaxis": yaxis,
                "line": {"color": COLOURS["practice"], "width": 2.5},
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Mediaan groep") + f" ({kind_label})",
                "x": labels,
                "y": [p.group_median for p in points],
                "xaxis": axis,
                "yaxis": yaxis,
                "connectgaps": False,
                "line": {"color": COLOURS["group"], "width": 2, "dash": "dot"},
            }
        )
    axis_format = {
        "gridcolor": "#eef1f5",
        "rangemode": "tozero",
        "separatethousands": True,
        **axis_affixes(series.number_format),
    }
    layout = {
        "height": 280,
        "margin": {"l": 8, "r": 8, "t": 40, "b": 40},
        "legend": LEGEND_ON_TOP,
        "separators": formatting.chart_separators(),
        "yaxis": {**axis_format, "automargin": True},
        "xaxis": {"type": "category", "domain": [0, 0.68], "title": {"text": _("kwartaal")}},
    }
    if any(p.kind == "year" for p in series.points):
        layout["xaxis2"] = {"type": "category", "domain": [0.76, 1], "title": {"text": _("jaar")}}
        layout["yaxis2"] = {**axis_format, "anchor": "x2", "automargin": True}
    return TrendBlock(
        code=series.code,
        name=str(series.name),
        explanation=str(getattr(series, "explanation", "") or ""),
        rows=rows,
        kinds=kinds,
        chart={"data": data, "layout": layout},
    )
