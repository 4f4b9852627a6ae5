"""The SVG charts as pure functions: well-formed, accessible, escaped, and drawing only the
figures they are given."""

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np
import pytest
from django.utils import translation
from django.utils.html import format_html

from parabench.benchmark import uncertainty
from parabench.dashboard import charts
from parabench.dashboard.charts import base
from parabench.dashboard.charts import funnel as funnel_chart
from parabench.dashboard.charts.funnel import _y_texts
from parabench.dashboard.formatting import number_format, percent_format

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "quotes"'
FULL = {"p10": 6.0, "p25": 8.0, "median": 10.0, "p75": 13.0, "p90": 17.0, "mean": 11.0}


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def distribution(stats=FULL, value=10.2, title="Behandelgemiddelde"):
    return charts.Distribution(
        key="kpi-sessions_per_episode",
        title=title,
        description="Uw praktijk 10,2.",
        stats=stats,
        value=value,
        show=number_format(1),
        axis=number_format,
    )


def bars(labels=("Basisverzekering", "Zelfbetaler"), group=(60.0, 5.0)):
    series = [charts.Series("Uw praktijk", (70.0, 2.5))]
    if group:
        series.append(charts.Series("Gemiddelde groep", group, role="group"))
    return charts.Bars(
        key="mix-payer_mix",
        title="Betalers",
        description="Betalers van uw praktijk.",
        labels=labels,
        series=tuple(series),
        show=percent_format(1),
        axis=percent_format,
    )


def every_kind():
    return [
        distribution(),
        bars(),
        charts.Pyramid(
            key="mix-gender_age_mix",
            title="Leeftijdsopbouw",
            description="…",
            bands=("0–17", "18–29"),
            left=charts.Side("Vrouwen", (10.0, 20.0), (8.0, 22.0)),
            right=charts.Side("Mannen", (30.0, 38.0), (28.0, 40.0)),
            practice_name="Uw praktijk",
            group_name="Gemiddelde groep",
            show=percent_format(1),
            axis=percent_format,
        ),
        charts.Lines(
            key="trend-patients",
            title="Aantal patiënten",
            description="…",
            panels=(
                charts.Panel(
                    "per kwartaal",
                    ("2025 K1", "2025 K2", "2025 K3"),
                    (
                        charts.Series("Uw praktijk", (62.0, None, 77.0)),
                        charts.Series("Mediaan groep", (66.0, 72.0, 78.0), role="group"),
                    ),
                ),
                charts.Panel("per jaar", ("2025",), (charts.Series("Uw praktijk", (146.0,)),)),
            ),
            show=number_format(0),
            axis=number_format,
        ),
    ]


@pytest.mark.parametrize("chart", every_kind(), ids=lambda c: type(c).__name__)
def test_every_chart_is_one_well_formed_svg_image_with_title_and_description(chart):
    root = parse(charts.render(chart))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == chart.title and desc.text == chart.description
    ident = f"chart-{chart.key}"
    assert root.get("aria-labelledby") == f"{ident}-title {ident}-desc"
    assert (title.get("id"), desc.get("id")) == (f"{ident}-title", f"{ident}-desc")
    assert root.get("data-chart") == chart.key
    width, height = map(float, root.get("viewBox").split()[2:])
    assert width > 0 and height > 0


def test_text_from_the_catalogue_or_the_data_is_escaped_not_markup():
    # Formatted without escaping, the same label would be an element of the drawing.
    unsafe = ET.fromstring(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text>{"<b>x</b>"}</text></svg>'
    )
    assert unsafe.find(f"{SVG}text/{SVG}b") is not None
    svg = charts.render(bars(labels=(HOSTILE, "Zelfbetaler")))
    root = parse(svg)
    assert root.find(f".//{SVG}script") is None
    assert HOSTILE in [t.text for t in root.iter(f"{SVG}text")]
    assert HOSTILE in parse(charts.render(distribution(title=HOSTILE))).find(f"{SVG}title").text


def test_the_box_draws_whiskers_only_when_p10_and_p90_are_given():
    full = charts.render(distribution())
    assert "P10–P90" in full
    tails_withheld = {k: v for k, v in FULL.items() if k not in ("p10", "p90")}
    assert "P10–P90" not in charts.render(distribution(tails_withheld))


def test_the_box_draws_no_mean_when_none_is_given():
    assert 'stroke-dasharray="2 2"' in charts.render(distribution())
    no_mean = {k: v for k, v in FULL.items() if k != "mean"}
    svg = charts.render(distribution(no_mean))
    assert 'stroke-dasharray="2 2"' not in svg and ">gemiddelde<" not in svg


def test_the_box_with_only_a_median_still_shows_it_and_the_practice():
    root = parse(charts.render(distribution({"median": 10.0}, value=12.0)))
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "mediaan: 10,0" in titles and "Uw praktijk: 12,0" in titles
    assert root.find(f".//{SVG}rect[@stroke-width='1.5']") is None  # no box without P25/P75


def test_the_description_lists_exactly_the_given_statistics():
    text = charts.distribution.describe({"median": 10.0, "p75": 13.0}, 12.0, number_format(1))
    assert text == "Uw praktijk 12,0; mediaan 10,0; P75 13,0."


def test_bars_write_every_value_and_hatch_the_group():
    svg = charts.render(bars())
    texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
    assert {"70,0 %", "2,5 %", "60,0 %", "5,0 %"} <= set(texts)
    assert 'fill="url(#hatch-mix-payer_mix)"' in svg and '<pattern id="hatch-mix-payer_mix"' in svg
    without_group = charts.render(bars(group=()))
    assert "hatch" not in without_group and "Gemiddelde groep" not in without_group


def test_a_missing_value_breaks_the_line():
    lines = every_kind()[3]
    paths = [p.get("d") for p in parse(charts.render(lines)).iter(f"{SVG}path") if p.get("d")]
    practice = next(d for d in paths if d.count("M") == 2 and "L" not in d.split("M")[1])
    assert practice  # M x1 y1 (gap) M x3 y3: two pieces, nothing drawn across the gap


def test_ticks_are_round_and_cover_the_range():
    assert base.ticks(0, 87, 4, cover=True) == ([0.0, 25.0, 50.0, 75.0, 100.0], 0)
    assert base.ticks(9.4, 11.6, 5)[0] == pytest.approx([9.5, 10.0, 10.5, 11.0, 11.5])
    assert base.ticks(9.5, 11.6, 5)[1] == 1


def test_a_new_chart_type_is_a_dataclass_and_a_registered_drawer():
    @dataclass(frozen=True)
    class Dot(charts.Chart):
        x: float = 0.0

    @charts.draws(Dot)
    def draw(chart):
        return charts.Drawing(100, 20, format_html('<circle cx="{}" cy="10" r="4"/>', chart.x))

    root = parse(charts.render(Dot("dot", "Een stip", "Een stip op 5.", x=5)))
    assert root.find(f"{SVG}circle").get("cx") == "5"
    assert root.get("class") == "chart-svg chart-dot"
    del base.DRAWERS[Dot]


def test_coordinates_are_short_and_safe():
    assert base.n(12.0) == "12" and base.n(12.04) == "12" and base.n(-3.25) in ("-3.2", "-3.3")
    assert re.fullmatch(r"-?\d+(\.\d)?", base.n(1234.5678))


def funnel() -> charts.Funnel:
    return charts.Funnel(
        key="funnel-ticks",
        title="Trechter",
        description="",
        ns=(10.0, 100.0, 2000.0),
        inner=((40.0, 50.0, 55.0), (80.0, 70.0, 65.0)),
        outer=((30.0, 45.0, 53.0), (90.0, 75.0, 67.0)),
        target=60.0,
        n=150.0,
        value=62.0,
        show=percent_format(1),
        axis=percent_format,
    )


def test_the_funnel_s_count_axis_is_written_in_the_page_s_language():
    with translation.override("nl"):
        assert ">1.000</text>" in charts.render(funnel())
    with translation.override("en"):
        assert ">1,000</text>" in charts.render(funnel())


def test_many_coordinates_are_written_as_one_by_one():
    values = [0.0, -0.04, 0.04, 12.0, 12.05, 12.25, -3.25, 99.95, 1234.5678, 1e6, float("nan")]
    assert base.shorts(values) == [base.short(v) for v in values]
    assert base.shorts([]) == []


def test_a_funnel_s_curve_is_written_as_its_points_one_by_one():
    ys = [0.0, -0.04, 0.04, 12.0, 12.05, 12.25, -3.25, 99.95, 1234.5678, 1e6, math.nan, math.inf]
    # Written (values the table of tenths declines) and looked up (all within the plot).
    for written in (ys, ys[::-1], [y for y in ys if 0 <= y < 400]):
        xs = [base.short(62.0 + 7.75 * i) for i in range(len(written))]
        template = "L".join(f"{x} %s" for x in xs)
        assert template % _y_texts(np.array(written)) == "L".join(
            f"{x} {base.short(y)}" for x, y in zip(xs, written, strict=True)
        )


def test_a_funnel_s_y_s_looked_up_by_their_tenths_are_written_as_one_by_one():
    # Halfway values (0.35 and 12.05 are just below and just above halfway in binary, while
    # numpy rounds 3.5 and 120.5 to even) are written, not looked up: the table would give
    # "0.4" for 0.35 where %.1f writes "0.3", and "12" for 12.05 where it writes "12.1".
    rng = np.random.default_rng(15)
    halfway = np.arange(4095) / 10 + 0.05
    for ys in (
        rng.uniform(0, 409.5, 20_000),
        np.arange(4095) / 10,
        np.nextafter(halfway, 0),
        np.nextafter(halfway, 500),
    ):
        for chunk in np.array_split(ys, len(ys) // 4):
            texts = funnel_chart._tenths_texts(chunk)
            if texts is not None:
                assert list(texts) == [base.short(y) for y in chunk.tolist()]
    assert funnel_chart._tenths_texts(rng.uniform(20, 300, (4, 48))) is not None
    for unsure in ([0.35, 1.0], [12.05, 1.0], [0.25, 1.0], [-0.0, 1.0], [-0.04, 1.0]):
        assert funnel_chart._tenths_texts(np.array(unsure)) is None
    for outside in ([409.5, 1.0], [math.nan, 1.0], [math.inf, 1.0], [1e6, 1.0]):
        assert funnel_chart._tenths_texts(np.array(outside)) is None


def test_the_x_s_of_every_funnel_from_n_10_on_are_the_grid_s_written_once():
    # funnel._GRID_TEMPLATE stands for the x's of every n >= 10: the same text as each n's own.
    rng = np.random.default_rng(14)
    ns = [10.0, 10.5, 99.0, 1e3, 123456.789, 2e6, *(10 ** rng.uniform(1, 9, 3000))]
    for n in ns:
        grid = uncertainty.funnel_ns(float(n)).tolist()
        assert funnel_chart._curve_template(grid) is funnel_chart._GRID_TEMPLATE
        assert funnel_chart._x_template(grid) == funnel_chart._GRID_TEMPLATE
    # Any other grid (below n = 10, or not the two decades) is written from its own x's.
    for grid in (uncertainty.funnel_ns(4.0).tolist(), [1.0, 2.0, 5.0], [2.0, 20.0, 200.0]):
        assert funnel_chart._curve_template(grid) == funnel_chart._x_template(grid)
    assert funnel_chart._curve_template([1.0, 2.0, 5.0]) != funnel_chart._GRID_TEMPLATE


def test_a_funnel_given_its_curves_as_arrays_is_drawn_as_given_them_as_tuples():
    # verdicts.funnel_chart hands on uncertainty.funnel_curves' arrays as they are.
    as_tuples = funnel()
    gap = ((40.0, math.nan, 55.0), (80.0, 70.0, 65.0))
    for inner in (as_tuples.inner, gap):
        spec = charts.Funnel(**{**as_tuples.__dict__, "inner": inner})
        as_arrays = charts.Funnel(
            **{**spec.__dict__, "inner": np.array(spec.inner), "outer": np.array(spec.outer)}
        )
        assert charts.render(as_arrays) == charts.render(spec)


def test_a_funnel_draws_its_curves_past_an_undefined_limit_and_its_band_through_all():
    defined = funnel()
    gap = charts.Funnel(
        **{**defined.__dict__, "inner": ((40.0, math.nan, 55.0), (80.0, 70.0, 65.0))}
    )
    paths = re.findall(r'<path d="(M[^"]*)"/>', str(charts.render(gap)))
    whole = re.findall(r'<path d="(M[^"]*)"/>', str(charts.render(defined)))
    inner_low = paths[2]
    assert inner_low.count("L") == 1 and "nan" not in inner_low
    assert whole[2].count("L") == 2
    assert paths[:2] + paths[3:] == whole[:2] + whole[3:]
