"""From the benchmark's stored figures to what the dashboard shows: texts, symbols, chart specs.

Pure functions over the ``Dashboard`` and ``Trends`` objects of ``parabench.benchmark.queries``; no
database, no request. The views pass their output to the templates; each chart is a spec of
``parabench.dashboard.charts`` (rendered as SVG by the template, or by the practice report). No
chart ever carries another practice's value: only the group's published quantiles
(``GroupStats.published``: the median, and P25/P75, P10/P90 where the group is large enough) and
the practice's own value.
"""

import functools
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from parabench import language
from parabench.benchmark import catalogue, groups
from parabench.benchmark.queries import TREND_KPIS
from parabench.dashboard import charts, formatting
from parabench.dashboard.charts.base import words
from parabench.language import gettext as _


@dataclass(frozen=True)
class Tab:
    """A tab of the dashboard: Welkom, one per catalogue theme (same key), Trends."""

    key: str
    theme: catalogue.Category | None = None

    @property
    def label(self) -> str:
        return self.theme.label if self.theme else str(PAGE_TAB_LABELS[self.key])


WELCOME, TRENDS = "welcome", "trends"
PAGE_TAB_LABELS = {WELCOME: gettext_lazy("Welkom"), TRENDS: gettext_lazy("Trends")}
TABS = [Tab(WELCOME), *(Tab(theme.key, theme) for theme in catalogue.THEMES), Tab(TRENDS)]
TAB_KEYS = [tab.key for tab in TABS]
THEME_TABS = [tab for tab in TABS if tab.theme]
THEME_KEYS = [tab.key for tab in THEME_TABS]

# What a dashboard compares with: the engine's choices, by the same name in the URL (?groep=).
GROUPS = groups.CHOICES
# In the file name of a download, the group reads in the page's language.
GROUP_FILE_WORDS = {
    "national": gettext_lazy("landelijk"),
    "region": gettext_lazy("regio"),
    "network": gettext_lazy("netwerk"),
    "size": gettext_lazy("zelfde-grootte"),
    "region_size": gettext_lazy("regio-zelfde-grootte"),
    "profile": gettext_lazy("zelfde-profiel"),
}

# The Dutch values the URLs carried until issue 17 (bookmarks and links in old e-mails).
OLD_URL_VALUES = {
    "groep": {"landelijk": "national", "regio": "region", "netwerk": "network"},
    "tab": {
        "welkom": WELCOME,
        "patienten": "patients",
        "klachten": "episodes",
        "behandelingen": "treatments",
        "financien": "finance",
        "verzekeraars": "insurers",
        "productiviteit": "productivity",
        "kwaliteit": "quality",
    },
}


def renamed_query(query) -> dict | None:
    """The query with today's values when it still carries an old one (else None)."""
    renamed = {
        param: OLD_URL_VALUES.get(param, {}).get(value, value) for param, value in query.items()
    }
    return renamed if renamed != dict(query.items()) else None


def group_param(value: str | None) -> str:
    """The ``?groep=`` value, defaulting to national for anything unknown."""
    return value if value in GROUPS else "national"


def tab_param(value: str | None) -> str:
    return value if value in TAB_KEYS else WELCOME


# --- Values ----------------------------------------------------------------------------------


UNIT_WORDS = {
    "zittingen": gettext_lazy("zittingen"),
    "weken": gettext_lazy("weken"),
    "dagen": gettext_lazy("dagen"),
    "fte": gettext_lazy("fte"),
    "punten": gettext_lazy("punten"),
}


def value_format(number_format: str | None, unit: str = ""):
    """A function writing figures in the catalogue's number format, built once per KPI:
    € 36,53, 59,3 %, 11,2 zittingen, 1.804."""
    return _value_format(number_format, unit, language.current())


# Kept per process and language: a theme tab asks for about 45 (a KPI's card, its funnel and
# table, its index), of a few dozen distinct ones (issue 18, session 10).
@functools.lru_cache(maxsize=256)
def _value_format(number_format: str | None, unit: str, language_code: str):
    if number_format == "pct":
        write = formatting.percent_format(1)
    elif number_format in ("eur", "eur0"):
        write = formatting.euro_format(2 if number_format == "eur" else 0)
    else:
        write = formatting.number_format({"int": 0, "dec1": 1, "dec2": 2}.get(number_format, 1))
        word = words(UNIT_WORDS).get(unit)
        if word:
            plain, word = write, str(word)

            def write(value):
                text = plain(value)
                return text if text == formatting.DASH else f"{text} {word}"

    # Each written text kept per writer: a card writes its value, median and quartiles again in
    # its chart's description and table, its funnel's description and table, and a group's
    # medians and quartiles are the same on every member's page: bench.page_instructions
    # Kwaliteit 36.0 -> 34.7 M, Financien 20.6 -> 19.6 M a page (issue 18, session 13). Equal
    # numbers write equal texts (1 and 1.0, 0.0 and -0.0, Decimal and float: checked for every
    # format in both languages; the minus sign of "-0,0" is dropped). Only numbers are kept:
    # every NaN is a key of its own (NaN != NaN) and would push numbers out.
    written = functools.lru_cache(maxsize=256)(write)

    def show(value) -> str:
        if value is None or value != value:  # None or NaN: not defined
            return formatting.DASH
        return written(value)

    return show


def axis_format(number_format: str | None):
    """Tick labels that read like the table (59 %, € 40, 1.200), given the decimals the
    chart's tick step needs."""

    def writer(decimals: int):
        if number_format == "pct":
            return formatting.percent_format(decimals)
        if number_format in ("eur", "eur0"):
            return formatting.euro_format(decimals)
        return formatting.number_format(decimals)

    return writer


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
    names = words(QUANTILE_NAMES)
    if first == "below":
        return _("onder %(q)s") % {"q": names[second]}
    if first == "above":
        return _("boven %(q)s") % {"q": names[second]}
    if first == "at":
        return _("gelijk aan %(q)s") % {"q": names[second]}
    return _("tussen %(a)s en %(b)s") % {"a": names[first], "b": names[second]}


def size_text(size) -> str:
    """A published group size: '5–9', '10–19', '20–49' or 'ca. 240' (disclosure.size_band)."""
    if not size:
        return ""
    low, high = size
    if high is None:
        return _("ca. %(n)s") % {"n": formatting.number(low)}
    return f"{formatting.number(low)}–{formatting.number(high)}"


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
    verdict: str  # the benchmark's verdict (see verdicts.py for its words)
    chart: charts.Chart | None
    table: list[tuple[str, str]] = field(default_factory=list)
    judged: object = None  # verdicts.KpiVerdict: interval, verdict, funnel (set by pages.py)
    # The case-mix index beside the crude value (verdicts.AdjustedView), when the KPI has one;
    # ``funnel``: whose funnel the card draws (the index's when there is one, else ``judged``).
    adjusted: object = None
    funnel: object = None
    adjusted_explanation: str = ""


def kpi_row(kpi, too_small: bool) -> KpiRow:
    show = value_format(kpi.number_format, kpi.unit)
    stats = None if too_small else kpi.stats
    if stats is None:
        median = band = place = formatting.DASH
        position = ""
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
        position = words(texts).get(kpi.position, "")
        verdict = kpi.verdict or "none"
        # The quantiles by their names, the median by its own word in this table.
        names = {**words(QUANTILE_NAMES), "median": _("Mediaan")}
        table = [(_("Uw praktijk"), show(kpi.value))]
        table += [(names[name], show(value)) for name, value in stats.published().items()]
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
        chart=None if stats is None else distribution_chart(kpi, stats, show),
        table=table,
    )


# The group statistics a distribution chart and its table may show, in this order. Which of them
# a group has is the benchmark's decision (small groups have no P10/P90, for one): whatever is
# None or absent is neither drawn nor listed.
STATISTIC_LABELS = {
    "p10": gettext_lazy("P10"),
    "p25": gettext_lazy("P25"),
    "median": gettext_lazy("Mediaan"),
    "p75": gettext_lazy("P75"),
    "p90": gettext_lazy("P90"),
}


def served_statistics(stats) -> dict[str, float]:
    """The group statistics present in ``stats``, by name."""
    found = {name: getattr(stats, name, None) for name in STATISTIC_LABELS}
    return {name: value for name, value in found.items() if value is not None}


def distribution_chart(kpi, stats, show) -> charts.Distribution:
    """The group's served statistics as a box and the practice as a diamond: no peer values."""
    shown = served_statistics(stats)
    return charts.Distribution(
        key=f"kpi-{kpi.code}",
        title=str(kpi.name),
        description=charts.distribution.describe(shown, kpi.value, show)
        + " "
        + _("De cijfers staan ook in de tabel bij de grafiek."),
        stats=shown,
        value=kpi.value,
        show=show,
        axis=axis_format(kpi.number_format),
        # ``show`` is value_format(number_format, unit) and ``axis`` axis_format(number_format):
        # what they write is decided by these two and the page's language.
        style=(kpi.number_format, kpi.unit),
    )


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
    chart: charts.Chart
    pyramid: bool
    explanation: str = ""


def mix_block(mix, too_small: bool) -> MixBlock:
    """The practice's mix beside the group's median share per category (not an average: see
    docs/privacy.md); an age × gender mix becomes a pyramid."""
    categories = [
        share._replace(label=str(share.label), group=None if too_small else share.group)
        for share in mix.categories
    ]
    percent = formatting.percent_format(1)
    rows = [(c.label, percent(c.practice), percent(c.group)) for c in categories]
    draw = MIX_CHARTS.get(mix.code, bar_chart)
    return MixBlock(
        code=mix.code,
        name=str(mix.name),
        rows=rows,
        chart=draw(mix, categories),
        pyramid=draw is pyramid_chart,
        explanation=str(getattr(mix, "explanation", "") or ""),
    )


def _mix_description(mix, has_group: bool) -> str:
    text = (
        _("%(name)s van uw praktijk naast de mediaan van de groep, als aandeel in procenten.")
        if has_group
        else _("%(name)s van uw praktijk, als aandeel in procenten.")
    )
    return (
        text % {"name": str(mix.name)} + " " + _("De cijfers staan ook in de tabel bij de grafiek.")
    )


def bar_chart(mix, categories) -> charts.Bars:
    """Horizontal bars per category; categories empty for both the practice and the group only
    add blank lines to a chart (the table keeps them)."""
    drawn = [c for c in categories if (c.practice or 0) > 0 or (c.group or 0) > 0] or categories
    series = [charts.Series(_("Uw praktijk"), tuple(c.practice for c in drawn))]
    has_group = any(c.group is not None for c in drawn)
    if has_group:
        series.append(
            charts.Series(_("Mediaan groep"), tuple(c.group for c in drawn), role="group")
        )
    return charts.Bars(
        key=f"mix-{mix.code}",
        title=str(mix.name),
        description=_mix_description(mix, has_group),
        labels=tuple(c.label for c in drawn),
        series=tuple(series),
        show=formatting.percent_format(1),
        axis=formatting.percent_format,
    )


SIDES = {"female": gettext_lazy("Vrouwen"), "male": gettext_lazy("Mannen")}


def pyramid_chart(mix, categories) -> charts.Pyramid:
    """Women to the left, men to the right, age bands bottom-up; the group as outlined bars.

    Rows and sides come from the catalogue's category keys (``female.age_0_17``), not from the
    translated labels. A third gender ("other") has no side in a pyramid: it stays in the table.
    """
    shares = {}
    for share in categories:
        gender, _dot, band = share.key.partition(".")
        shares[(gender, band)] = (share.practice, share.group)
    bands = [band for band, _label in catalogue.AGE_BANDS]
    has_group = any(share.group is not None for share in categories)

    def side(gender):
        own = tuple(shares.get((gender, band), (None, None))[0] for band in bands)
        group = tuple(shares.get((gender, band), (None, None))[1] for band in bands)
        return charts.Side(str(SIDES[gender]), own, group if has_group else ())

    return charts.Pyramid(
        key=f"mix-{mix.code}",
        title=str(mix.name),
        description=_mix_description(mix, has_group),
        bands=tuple(label for _band, label in catalogue.AGE_BANDS),
        left=side("female"),
        right=side("male"),
        practice_name=_("Uw praktijk"),
        group_name=_("Mediaan groep"),
        show=formatting.percent_format(1),
        axis=formatting.percent_format,
    )


# Which mixes are not drawn as bars, by the catalogue's mix code.
MIX_CHARTS = {"gender_age_mix": pyramid_chart}


# --- Welcome: the symbols themselves are in verdicts.py ------------------------------------


def largest_mix_difference(mixes) -> str:
    """For a theme of mixes only: the category where the practice differs most from the group."""
    best = None
    for mix in mixes:
        for share in mix.categories:
            if share.practice is None or share.group is None:
                continue
            gap = abs(share.practice - share.group)
            if best is None or gap > best[0]:
                best = (gap, mix.name, share.label, share.practice, share.group)
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
    WELCOME: gettext_lazy(
        "Per thema één symbool. ▲ of ▼ alleen als minstens één kengetal met een beter of "
        "slechter buiten de normale spreiding ligt: zo ver van de mediaan van de groep dat "
        "toeval het bij uw aantallen niet meer verklaart (▲▼: het een en het ander). ● betekent "
        "dat alles binnen de normale spreiding ligt; ◆ dat kengetallen zonder beter of slechter "
        "afwijken. Omvang (aantal patiënten, omzet, …) telt nooit mee. De tekst bij het symbool "
        "noemt de kengetallen die beslisten, met uw waarde, het 95 %-interval erbij en de "
        "mediaan. Beweeg over een symbool of ga er met de Tab-toets naartoe."
    ),
    TRENDS: gettext_lazy(
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
    "groep; die medianen tellen daarom niet op tot 100 %. Achter uw waarde staat tussen haakjes "
    "het 95 %-interval: met uw aantallen (bijvoorbeeld 30 afgesloten klachten) had uw waarde "
    "door toeval ook ergens daarbinnen kunnen liggen. De trechter toont de normale spreiding "
    "rond de mediaan: smal bij veel patiënten of klachten, breed bij weinig. Alleen buiten die "
    "grenzen zeggen we gunstiger (▲) of minder gunstig (▼); daarbinnen is een verschil niet van "
    "toeval te onderscheiden. In de trechter staat alleen uw eigen praktijk, nooit een andere."
)


# Added to the theme text on Kwaliteit: what the outcome measures (format 1.1) are and are not.
OUTCOME_INTRO = gettext_lazy(
    "De uitkomstmaten komen uit de metingen bij het begin en aan het eind van afgesloten "
    "klachten: de pijnscore NPRS en de PSK (de moeite met door de patiënt gekozen activiteiten), "
    "beide 0–10. Klinisch relevant verbeterd is bij de NPRS een daling van minstens 2 punten of "
    "30 %, bij de PSK van minstens 2 punten. Ze zijn niet gecorrigeerd voor de casemix: "
    "chronische en oudere patiënten verbeteren minder. Alleen praktijken waarvan de software "
    "formaat 1.1 met metingen aanlevert hebben deze cijfers; de andere zien een streepje."
)


def tab_intro(tab: str) -> str:
    if tab == "quality":
        return f"{THEME_INTRO} {OUTCOME_INTRO}"
    return str(TAB_INTRO.get(tab, THEME_INTRO))


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
    chart: charts.Chart


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
    """Quarters and full years as two panels of one line chart (each its own axis); growth in
    the table."""
    show, growth = (
        value_format(series.number_format, series.unit),
        formatting.percent_format(1, True),
    )
    rows = [
        (point.label, show(point.value), show(point.group_median), growth(point.growth))
        for point in series.points
    ]
    kinds = [f"kind-{point.kind}" for point in series.points]
    panels = []
    for kind, kind_label in (("quarter", _("per kwartaal")), ("year", _("per jaar"))):
        points = [p for p in series.points if p.kind == kind]
        if not points:
            continue
        panels.append(
            charts.Panel(
                title=kind_label,
                labels=tuple(p.label for p in points),
                series=(
                    charts.Series(_("Uw praktijk"), tuple(p.value for p in points)),
                    charts.Series(
                        _("Mediaan groep"), tuple(p.group_median for p in points), role="group"
                    ),
                ),
            )
        )
    chart = charts.Lines(
        key=f"trend-{series.code}",
        title=str(series.name),
        description=_(
            "%(name)s van uw praktijk per kwartaal en per jaar, naast de mediaan van de groep. "
            "De cijfers staan ook in de tabel onder de grafiek."
        )
        % {"name": str(series.name)},
        panels=tuple(panels),
        show=show,
        axis=axis_format(series.number_format),
    )
    return TrendBlock(
        code=series.code,
        name=str(series.name),
        explanation=str(getattr(series, "explanation", "") or ""),
        rows=rows,
        kinds=kinds,
        chart=chart,
    )
