"""What the dashboard says about chance: a KPI's interval and verdict, its funnel, and the one
symbol per theme on the welcome screen with the sentence that explains it.

Pure functions over the benchmark's ``KpiFigure`` (whose ``judgement`` comes from
``parabench.benchmark.uncertainty``); no database, no request.

The welcome rule (docs/statistics.md §7), per theme:

1. Only KPIs with a better direction vote, and only with a verdict **beyond chance** (outside the
   funnel's 95 % limits at the practice's own n). Size indicators never vote or headline.
2. ▲ when some vote "better" and none "worse"; ▼ when some vote "worse" and none "better"; ▲▼
   when both; ● when none is beyond chance (directed KPIs all within the normal spread); ◆ when
   the theme has no directed KPI with a verdict but KPIs without a direction lie outside their
   normal spread (different, not better or worse); ● with "alle kengetallen binnen de normale
   spreiding" when nothing at all lies outside.
3. The summary names the deciding KPIs (at most three, the furthest outside first) with the
   practice's value, its 95 % interval and the group's median — never a KPI that did not decide.
"""

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy

from parabench.benchmark import catalogue as cat
from parabench.benchmark import uncertainty
from parabench.dashboard import charts, formatting
from parabench.dashboard.charts.base import words
from parabench.dashboard.presentation import axis_format, largest_mix_difference, value_format
from parabench.language import gettext as _

# The row of the 95 % limits (a funnel's inner curves) in ``uncertainty.funnel_curves``.
_INNER = uncertainty.LEVELS.index(uncertainty.LEVEL)

VERDICT_TEXT = {
    "better": gettext_lazy("▲ gunstiger dan de normale spreiding"),
    "worse": gettext_lazy("▼ minder gunstig dan de normale spreiding"),
    "high": gettext_lazy("hoger dan de normale spreiding (geen beter of slechter)"),
    "low": gettext_lazy("lager dan de normale spreiding (geen beter of slechter)"),
    "within": gettext_lazy("binnen de normale spreiding"),
    "size": gettext_lazy("omvang: geen beter of slechter"),
}
# What a KPI's n counts, by the model's denominator column (uncertainty.MODELS).
N_LABELS = {
    "patients": gettext_lazy("aantal patiënten"),
    "stored": gettext_lazy(
        "Geen casemix-index: deze export is ingelezen voordat ParaBench casemixcellen bewaarde; "
        "na het opnieuw inlezen door de beheerder verschijnt de index. Het oordeel en het "
        "symbool op Welkom gebruiken hier het ruwe getal."
    ),
    "episodes": gettext_lazy("aantal lopende klachten"),
    "therapists": gettext_lazy("aantal therapeuten"),
    "fte": gettext_lazy("formatie in fte"),
    "support.closed_episodes": gettext_lazy("aantal afgesloten klachten"),
    "support.closed_episodes_chronic": gettext_lazy("aantal afgesloten chronische klachten"),
    "support.closed_episodes_non_chronic": gettext_lazy(
        "aantal afgesloten niet-chronische klachten"
    ),
    "support.routed_new_episodes": gettext_lazy("aantal nieuwe klachten"),
    "support.waiting_episodes": gettext_lazy("aantal klachten met een wachttijd"),
    "support.appointments": gettext_lazy("aantal afspraken (zittingen + niet nagekomen)"),
    "support.nprs_measured": gettext_lazy("aantal klachten met een begin- en eindmeting NPRS"),
    "support.psk_measured": gettext_lazy("aantal klachten met een begin- en eindmeting PSK"),
}
GROWTH_N_LABELS = {
    "patients": gettext_lazy("aantal patiënten vorig jaar"),
    "stored": gettext_lazy(
        "Geen casemix-index: deze export is ingelezen voordat ParaBench casemixcellen bewaarde; "
        "na het opnieuw inlezen door de beheerder verschijnt de index. Het oordeel en het "
        "symbool op Welkom gebruiken hier het ruwe getal."
    ),
    "episodes": gettext_lazy("aantal klachten vorig jaar"),
    "sessions": gettext_lazy("aantal zittingen vorig jaar"),
}


DECIMALS = {"pct": 1, "eur": 2, "eur0": 0, "int": 0, "dec1": 1, "dec2": 2}


def range_text(low: float, high: float, number_format: str | None, unit: str = "") -> str:
    """44,1–77,3 %; € 36,10–37,00; 10,2–11,9 zittingen: the unit once."""
    bare = formatting.number_format(DECIMALS.get(number_format, 1))
    if number_format == "pct":
        return f"{bare(low)}–{bare(high)} %"
    if number_format in ("eur", "eur0"):
        return f"€ {bare(low)}–{bare(high)}"
    return f"{bare(low)}–{value_format(number_format, unit)(high)}"


@dataclass
class KpiVerdict:
    verdict: str  # better, worse, high, low, within, size, none
    text: str  # the badge
    interval: str  # "(44,1–77,3 %)" or ""
    normal: str  # the normal spread at the practice's n: "58,2–88,0 %" or ""
    note: str  # "de groep heeft geen spreiding" and the like, or ""
    funnel: charts.Funnel | None
    table: list[tuple[str, str]] | None = None  # the funnel's numbers, beneath it


def _finite(pair) -> bool:
    return pair is not None and all(math.isfinite(v) for v in pair)


def verdict_text(kpi, too_small: bool = False) -> tuple[str, str]:
    """(verdict, its words) of one KPI, without its funnel: what a table cell says (the insurer
    table, the downloads), where computing the funnel's limits would be thrown away."""
    judgement = getattr(kpi, "judgement", None)
    verdict = (None if too_small else kpi.verdict) or "none"
    judged = judgement is not None and not too_small and kpi.stats is not None
    if judged and judgement.degenerate and judgement.kind == "spread":
        return "none", _("geen oordeel: de groep heeft geen spreiding")
    return verdict, words(VERDICT_TEXT).get(verdict, "")


def kpi_verdict(kpi, too_small: bool = False, funnel: bool = True) -> KpiVerdict:
    """The verdict of one KPI in words, its own interval, its normal spread and its funnel (with
    ``funnel=False`` neither the funnel nor its table: a crude KPI whose card draws its case-mix
    index's funnel instead, ``pages.kpi_rows``)."""
    judgement = getattr(kpi, "judgement", None)
    verdict, text = verdict_text(kpi, too_small)
    interval = normal = note = ""
    drawn = None
    if judgement is not None and _finite(judgement.interval):
        interval = "(" + range_text(*judgement.interval, kpi.number_format, kpi.unit) + ")"
    if judgement is not None and not too_small and kpi.stats is not None:
        if judgement.degenerate:
            note = _("De middelste helft van de groep heeft één waarde: er is geen spreiding.")
        bounds = (judgement.limits or {}).get(uncertainty.LEVEL)
        if _finite(bounds):
            normal = range_text(*bounds, kpi.number_format, kpi.unit)
        drawn = funnel_chart(kpi, judgement) if funnel else None
    table = None if drawn is None else funnel_table(kpi, judgement)
    return KpiVerdict(verdict, text, interval, normal, note, drawn, table)


def is_index(kpi) -> bool:
    """Whether a figure is a case-mix index (its target is the national expectation 1,00)."""
    return kpi.code in cat.INDEX_BY_CODE


def target_label(kpi) -> str:
    if is_index(kpi):
        return _("Verwachting bij uw casemix (landelijk)")
    return _("Mediaan groep")


# --- The case-mix index beside its crude KPI (docs/statistics.md §9) ---------------------------

MISSING_INDEX = {
    "format": gettext_lazy(
        "Geen casemix-index: uw export is in formaat 1.0, zonder casemixcellen. Het oordeel en "
        "het symbool op Welkom gebruiken hier het ruwe getal."
    ),
    "reference": gettext_lazy(
        "Geen casemix-index voor deze periode: voor een cel met uw klachten is er landelijk "
        "(nog) geen referentie van genoeg praktijken. Het oordeel en het symbool op Welkom "
        "gebruiken hier het ruwe getal."
    ),
    "stored": gettext_lazy(
        "Geen casemix-index: deze export is ingelezen voordat ParaBench casemixcellen bewaarde; "
        "na het opnieuw inlezen door de beheerder verschijnt de index. Het oordeel en het "
        "symbool op Welkom gebruiken hier het ruwe getal."
    ),
    "episodes": gettext_lazy("Geen casemix-index: geen afgesloten klachten in deze periode."),
}


@dataclass
class AdjustedView:
    """The index beside a crude KPI on its card: value, interval, verdict and which verdict
    the symbol uses; or only the reason there is none (``missing``)."""

    name: str = ""
    value: str = ""
    expected: str = ""
    judged: KpiVerdict | None = None
    note: str = ""
    missing: str = ""


def adjusted_view(kpi, too_small: bool = False) -> AdjustedView | None:
    """What the card of a crude KPI says about its case-mix index; None for other KPIs."""
    index = getattr(kpi, "adjusted", None)
    if index is None:
        missing = getattr(kpi, "adjusted_missing", None)
        return None if missing is None else AdjustedView(missing=str(MISSING_INDEX[missing]))
    show = value_format(index.number_format, index.unit)
    judged = kpi_verdict(index, too_small)
    crude_verdict, crude_text = verdict_text(kpi, too_small)
    note = ""
    if judged.verdict != "none":
        note = _(
            "Het oordeel en het symbool op Welkom gebruiken de index: die vergelijkt met wat "
            "landelijk bij uw mix van klachten hoort, het ruwe getal met de groep zonder "
            "rekening te houden met de mix."
        )
        if crude_verdict != "none" and crude_verdict != judged.verdict:
            note = (
                _(
                    "Het ruwe getal is %(crude)s, de index %(adjusted)s: ze verschillen doordat "
                    "uw mix van klachten (chronisch, lichaamsregio, leeftijd) anders is dan die "
                    "van de groep."
                )
                % {"crude": crude_text, "adjusted": judged.text}
                + " "
                + note
            )
    return AdjustedView(
        name=str(index.name),
        value=show(index.value),
        expected=show(index.stats.median),
        judged=judged,
        note=note,
    )


def voting(kpis) -> list:
    """The figures that vote on the welcome screen: a crude KPI with a case-mix index votes
    with its index (statistics.md §9), every other KPI with itself."""
    return [getattr(k, "adjusted", None) or k for k in kpis]


def funnel_table(kpi, judgement) -> list[tuple[str, str]]:
    """What the funnel shows at the practice's own n, as numbers (every chart has its table)."""
    model = uncertainty.model_of(kpi.code)
    n_label = (
        words(GROWTH_N_LABELS).get(model.base, "")
        if model.kind == "growth"
        else words(N_LABELS).get(model.denominator, "")
    )
    show = value_format(kpi.number_format, kpi.unit)
    rows = [
        (
            _("Uw %(n_label)s") % {"n_label": n_label},
            formatting.number(judgement.n, 0 if judgement.n >= 10 else 1),
        ),
        (_("Uw praktijk"), show(kpi.value)),
    ]
    if _finite(judgement.interval):
        rows.append(
            (_("Interval (95 %)"), range_text(*judgement.interval, kpi.number_format, kpi.unit))
        )
    rows.append((target_label(kpi), show(judgement.target)))
    for level, label in ((0.95, _("Grenzen (95 %)")), (0.998, _("Grenzen (99,8 %)"))):
        bounds = judgement.limits.get(level)
        if _finite(bounds):
            rows.append((label, range_text(*bounds, kpi.number_format, kpi.unit)))
    return rows


def funnel_chart(kpi, judgement) -> charts.Funnel | None:
    """The funnel of one KPI: limits around the median over the practice's own range of n."""
    curves = uncertainty.funnel_curves(judgement)
    if curves is None:
        return None
    ns, lows, highs = curves
    show = value_format(kpi.number_format, kpi.unit)
    model = uncertainty.model_of(kpi.code)
    if model.kind == "growth":
        n_label = words(GROWTH_N_LABELS).get(model.base, "")
    else:
        n_label = words(N_LABELS).get(model.denominator, "")
    low95, high95 = judgement.limits[uncertainty.LEVEL]
    if is_index(kpi):
        text = _(
            "Trechter van %(name)s: de landelijke verwachting bij uw casemix is %(median)s; bij "
            "uw %(n_label)s (%(n)s) loopt de normale spreiding van %(low)s tot %(high)s. Uw "
            "waarde: %(value)s %(ci)s."
        )
    else:
        text = _(
            "Trechter van %(name)s: de mediaan van de groep is %(median)s; bij uw %(n_label)s "
            "(%(n)s) loopt de normale spreiding van %(low)s tot %(high)s. Uw waarde: %(value)s "
            "%(ci)s."
        )
    description = text % {
        "name": str(kpi.name),
        "median": show(judgement.target),
        "n_label": str(n_label),
        "n": formatting.number(judgement.n, 0 if judgement.n >= 10 else 1),
        "low": show(low95),
        "high": show(high95),
        "value": show(kpi.value),
        "ci": ""
        if not _finite(judgement.interval)
        else "(" + range_text(*judgement.interval, kpi.number_format, kpi.unit) + ")",
    }
    return charts.Funnel(
        key=f"funnel-{kpi.code}",
        title=_("Trechter: %(name)s") % {"name": str(kpi.name)},
        description=description.replace(" .", "."),
        # The curves as the arrays they were computed in (no list of floats to be made into
        # an array again by the drawing; charts.funnel). ``np.array`` of the two rows, the same
        # (2 × ns) array as ``np.stack``'s in a third of its time (issue 18, session 21).
        ns=tuple(ns.tolist()),
        inner=np.array((lows[_INNER], highs[_INNER])),
        outer=np.array((lows[-1], highs[-1])),
        target=judgement.target,
        target_label=str(_("verwachting (landelijk)")) if is_index(kpi) else "",
        n=judgement.n,
        value=kpi.value,
        interval=judgement.interval if _finite(judgement.interval) else None,
        n_label=str(n_label).capitalize(),
        show=show,
        axis=axis_format(kpi.number_format),
    )


# --- The welcome screen ----------------------------------------------------------------------


@dataclass
class ThemeSymbol:
    tab: object  # presentation.Tab
    state: str  # better, worse, mixed, within, different, quiet, none
    symbol: str
    label: str
    summary: str


SYMBOLS = {
    "better": ("▲", gettext_lazy("Gunstiger dan de groep, buiten de normale spreiding")),
    "worse": ("▼", gettext_lazy("Minder gunstig dan de groep, buiten de normale spreiding")),
    "mixed": ("▲▼", gettext_lazy("Deels gunstiger, deels minder gunstig")),
    "within": ("●", gettext_lazy("Binnen de normale spreiding")),
    "different": ("◆", gettext_lazy("Anders dan de groep, geen beter of slechter")),
    "none": ("–", gettext_lazy("Geen vergelijking mogelijk")),
}


def _distance(kpi) -> float:
    """How far outside its 95 % limits a KPI lies, in half-widths of the limits (for ordering)."""
    judgement = kpi.judgement
    low, high = judgement.limits[uncertainty.LEVEL]
    target = judgement.target
    if kpi.value > high:
        return (kpi.value - high) / ((high - target) or 1.0)
    return (low - kpi.value) / ((target - low) or 1.0)


def named(kpi) -> str:
    """'Groei patiënten 1,0 % (−3,1–5,2 %), mediaan 6,8 %': value, interval, group median —
    or, for a KPI without a sampling model, its normal spread instead of an interval."""
    show = value_format(kpi.number_format, kpi.unit)
    judgement = kpi.judgement
    # Welkom judges without the own intervals (pages.judged_for): only the named KPIs need one.
    interval = judgement.interval or uncertainty.interval_of(judgement, kpi.value)
    if _finite(interval):
        extra = " (" + range_text(*interval, kpi.number_format, kpi.unit) + ")"
    else:
        bounds = judgement.limits[uncertainty.LEVEL]
        extra = " (" + _("normale spreiding %(range)s") % {
            "range": range_text(*bounds, kpi.number_format, kpi.unit)
        }
        extra += ")"
    template = (
        _("%(name)s %(value)s%(extra)s, verwachting %(median)s")
        if is_index(kpi)
        else _("%(name)s %(value)s%(extra)s, mediaan %(median)s")
    )
    return template % {
        "name": str(kpi.name),
        "value": show(kpi.value),
        "extra": extra,
        "median": show(kpi.stats.median),
    }


def _names(kpis, limit: int = 3) -> str:
    ordered = sorted(kpis, key=_distance, reverse=True)
    text = "; ".join(named(k) for k in ordered[:limit])
    if len(ordered) > limit:
        text += "; " + _("en %(n)d meer") % {"n": len(ordered) - limit}
    return text


def theme_symbol(tab, kpis: list, too_small: bool, mixes: list = ()) -> ThemeSymbol:
    """One symbol per theme by the rule in the module docstring, with the sentence behind it.
    A crude KPI with a case-mix index is judged by its index (``voting``)."""
    kpis = voting(kpis)

    def result(state: str, summary: str) -> ThemeSymbol:
        symbol, label = SYMBOLS[state]
        if state != "none" and unjudged:
            summary += " " + _("Zonder oordeel (geen spreiding in de groep): %(names)s.") % {
                "names": ", ".join(str(k.name) for k in unjudged)
            }
        return ThemeSymbol(tab, state, symbol, str(label), summary)

    # KPIs with a group median but no normal spread to judge by (a group too small for
    # quartiles, or one without spread): say so rather than pretend there is nothing.
    unjudged = [
        k
        for k in kpis
        if not too_small and k.stats is not None and k.verdict is None and k.judgement is not None
    ]
    if too_small:
        return result("none", _("Te weinig praktijken in deze groep om te vergelijken."))
    compared = [k for k in kpis if k.stats is not None and k.verdict not in (None, "size")]
    if not compared and unjudged:
        text = _(
            "Geen oordeel: voor %(names)s toont de groep geen spreiding (te klein voor "
            "kwartielen, of alle praktijken gelijk); zie de mediaan op de pagina van het thema."
        ) % {"names": ", ".join(str(k.name) for k in unjudged)}
        return result("none", text)
    if not compared and not mixes:
        return result("none", _("Geen kengetallen in dit thema voor deze periode."))
    better = [k for k in compared if k.verdict == "better"]
    worse = [k for k in compared if k.verdict == "worse"]
    different = [k for k in compared if k.verdict in ("high", "low")]
    directed = [k for k in compared if k.better is not None]
    parts = []
    if better:
        parts.append(_("Gunstiger dan de normale spreiding: %(kpis)s.") % {"kpis": _names(better)})
    if worse:
        parts.append(
            _("Minder gunstig dan de normale spreiding: %(kpis)s.") % {"kpis": _names(worse)}
        )
    if better or worse:
        state = "mixed" if better and worse else "better" if better else "worse"
        within = [k for k in directed if k.verdict == "within"]
        if within:
            parts.append(
                _("Binnen de normale spreiding: %(names)s.")
                % {"names": ", ".join(str(k.name) for k in within)}
            )
        return result(state, " ".join(parts))
    if different and not directed:
        high = [k for k in different if k.verdict == "high"]
        low = [k for k in different if k.verdict == "low"]
        if high:
            parts.append(_("Hoger dan de normale spreiding: %(kpis)s.") % {"kpis": _names(high)})
        if low:
            parts.append(_("Lager dan de normale spreiding: %(kpis)s.") % {"kpis": _names(low)})
        parts.append(_("Dat is anders dan de groep, niet beter of slechter."))
        return result("different", " ".join(parts))
    if directed and different:
        parts.append(
            _("Alle kengetallen met een beter of slechter binnen de normale spreiding: %(names)s.")
            % {"names": ", ".join(str(k.name) for k in directed)}
        )
        parts.append(
            _("Anders dan de groep (geen beter of slechter): %(kpis)s.")
            % {"kpis": _names(different)}
        )
        return result("within", " ".join(parts))
    if compared:
        return result(
            "within",
            _("Alle kengetallen binnen de normale spreiding: %(names)s.")
            % {"names": ", ".join(str(k.name) for k in compared)},
        )
    # Only mixes (Verzekeraars): no better or worse, the largest difference in words.
    difference = largest_mix_difference(mixes)
    text = _("Alleen verdelingen: geen beter of slechter.")
    if difference:
        text = f"{text} {difference[:1].upper()}{difference[1:]}."
    return result("different", text)
