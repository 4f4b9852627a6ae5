from django.template import Context, Template

from parabench.dashboard.templatetags.dashboard_tables import data_table


def test_a_data_table_has_row_headers_and_numeric_cells():
    html = data_table([("2025 K1", "1.804", "+4,2 %")], head=("Periode", "Uw praktijk", "Groei"))
    assert html.startswith('<table class="data compact"><thead><tr><th scope="col">Periode</th>')
    assert '<th scope="col" class="num">Groei</th></tr></thead>' in html
    assert (
        '<tr><th scope="row">2025 K1</th><td class="num">1.804</td><td class="num">+4,2 %</td></tr>'
        in html
    )


def test_every_cell_of_a_data_table_is_escaped():
    html = data_table([("<script>", "a & b")], head=('"kop"', "x"))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "a &amp; b" in html and "&quot;kop&quot;" in html


def test_rows_can_carry_a_class_each():
    html = data_table([("2025", "1"), ("2025 K1", "2")], classes=["kind-year", "kind-quarter"])
    assert '<tr class="kind-year"><th scope="row">2025</th>' in html
    assert '<tr class="kind-quarter"><th scope="row">2025 K1</th>' in html


def test_the_tag_renders_in_a_template_without_double_escaping():
    template = Template("{% load dashboard_tables %}{% data_table rows head=head %}")
    html = template.render(Context({"rows": [("Vrouw 0–17", "2,0 %")], "head": ("a", "b")}))
    assert '<th scope="row">Vrouw 0–17</th><td class="num">2,0 %</td>' in html
    assert "&lt;" not in html


def test_row_headers_can_link_with_the_address_escaped():
    html = data_table([("Zittingen", "1")], links=["?groep=region&tab=trends"])
    assert '<th scope="row"><a href="?groep=region&amp;tab=trends">Zittingen</a></th>' in html


def test_the_key_figures_escape_every_value():
    from parabench.dashboard.explain import HeaderFigure
    from parabench.dashboard.templatetags.dashboard_links import key_figures

    html = key_figures(
        [HeaderFigure(code='a"b', name="<script>x</script>", value="1 & 2", median="<b>")]
    )
    assert "<script>" not in html and "<b>" not in html
    assert 'data-kpi="a&quot;b"' in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<strong>1 &amp; 2</strong>" in html and "&lt;b&gt;)</span>" in html
