"""The survey bar chart (app.common.charts.bar_chart): accessible and escaped SVG."""
from __future__ import annotations


from app.common.charts import ShareBar, bar_chart
from tests.dom import parse


def test_bar_chart_is_labelled_escaped_and_has_no_style_attributes():
    svg = str(bar_chart([ShareBar("<script>alert(1)</script>", 0.25, 0.4),
                         ShareBar("地下鉄 & バス", 0.75, 0.6)],
                        title='Q1 "交通"', desc="Shares & weights", chart_id="q 1",
                        series_labels=("Respondents", "Weighted estimate")))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="q-1-title q-1-desc"' in svg
    assert '<title id="q-1-title">Q1 &#34;交通&#34;</title>' in svg
    assert "<desc id=\"q-1-desc\">Shares &amp; weights</desc>" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "地下鉄 &amp; バス" in svg
    assert "style=" not in svg
    assert "25.0%" in svg and "40.0%" in svg and "Weighted estimate" in svg
    # two bars per option when a second series is given
    bars = [r for r in parse(svg).css("rect") if r.attributes.get("height") in ("14", "10")]
    assert len(bars) == 4


def test_bar_chart_single_series_has_no_legend_and_handles_missing_values():
    svg = str(bar_chart([ShareBar("A", None), ShareBar("B", 1.0)], title="t", desc="d"))
    assert "Weighted" not in svg and "–" in svg and "100.0%" in svg
